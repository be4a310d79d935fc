"""Views of the members app, by feature."""

from .files import private_file, public_file
from .site import healthz, home

__all__ = ["healthz", "home", "private_file", "public_file"]
