"""Where uploaded files live: two storages, both used only through Django's storage API.

- `default` (STORAGES["default"], MEDIA_ROOT): private files (member photos, Jornada
  materials). Their URL (MEDIA_URL, /media/private/<name>) is a view that finds the row
  owning the file, checks that the visitor may see it (the app's `visible_to(user)`) and
  streams it with no-store (members.files).
- `public` (STORAGES["public"], MEDIA_ROOT/public): files anyone may read (chapter logos),
  at stable URLs (PUBLIC_MEDIA_URL, /media/public/<name>) served by a view with long-lived
  caching (names are random and never reused).

On an S3-compatible object store (STORAGE_BACKEND=s3, django-storages; settings.py builds
STORAGES from the STORAGE_*/AWS_* variables of .env.example) the same two roles stay:

- `PrivateS3Storage` ("default", and "exports" under its own prefix): a private bucket.
  `url()` still answers MEDIA_URL + name, the checking view, never the bucket's address;
  after the check, the view redirects a download to `signed_url()`, valid for
  STORAGE_SIGNED_URL_SECONDS and naming the download, or streams an image shown inline
  (a photo: the page's CSP admits images from this site only).
- django-storages' own `S3Storage` ("public"): a bucket anyone may read, unsigned URLs at
  STORAGE_PUBLIC_URL (or the bucket's own address), objects written with
  STORAGE_PUBLIC_ACL; the settings add that origin to the CSP's img-src.

Callers (`field.url`, `field.storage`, `storages[...]`) do not change. An unreachable store
raises one of `core.storage.storage_errors()`: forms say so and save nothing.
"""

import os
from urllib.parse import urljoin

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.encoding import filepath_to_uri
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage


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


class PrivateS3Storage(S3Storage):
    """A private bucket. Its files' URLs are this site's checking view (MEDIA_URL + name);
    `signed_url` is what that view hands out once it has checked."""

    def url(self, name, parameters=None, expire=None, http_method=None):
        return urljoin(settings.MEDIA_URL, filepath_to_uri(name))

    def signed_url(self, name: str, *, filename: str, attachment: bool, content_type: str) -> str:
        """A URL of the object valid for STORAGE_SIGNED_URL_SECONDS, whose answer carries
        the download name, the type and no-store (S3's response-* overrides, signed)."""
        return super().url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(attachment, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.STORAGE_SIGNED_URL_SECONDS,
        )
