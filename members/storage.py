"""Where uploaded files live: two storages, both used only through Django's storage API.

- `default` (STORAGES["default"], MEDIA_ROOT): private files (member photos, Jornada
  materials). Their URL (MEDIA_URL, /media/private/<name>) is a view that finds the row
  owning the file, checks that the visitor may see it (the app's `visible_to(user)`) and
  streams it with no-store (members.files).
- `public` (STORAGES["public"], MEDIA_ROOT/public): files anyone may read (chapter logos),
  at stable URLs (PUBLIC_MEDIA_URL, /media/public/<name>) served by a view with long-lived
  caching (names are random and never reused).

Moving to object storage (django-storages) changes STORAGES only: "public" becomes a
bucket (or prefix) readable by anyone, with its own domain or URL; "default" a private
bucket whose URLs keep pointing at /media/private/ on this site (e.g. S3Storage with
`custom_domain` set to the site's /media/private and `querystring_auth` off), so access is
still checked here and the view streams from the bucket. Callers (`field.url`,
`field.storage`) do not change.
"""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages


class PublicFileSystemStorage(FileSystemStorage):
    """Files anyone may read, in MEDIA_ROOT/public, at PUBLIC_MEDIA_URL (both read when
    used, so a test or a deployment that moves MEDIA_ROOT moves this storage too)."""

    @property
    def base_location(self):
        return os.path.join(settings.MEDIA_ROOT, "public")

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return settings.PUBLIC_MEDIA_URL


def public_storage():
    """The storage of files anyone may read (a callable for FileField(storage=...), so a
    model does not fix the storage at import time)."""
    return storages["public"]
