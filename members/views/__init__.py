"""Views of the members app, by feature."""

from .files import private_file, public_file
from .site import home

__all__ = ["home", "private_file", "public_file"]
