"""Views of the members app, by feature."""

from .site import healthz, home

__all__ = ["healthz", "home"]
