"""Serving uploaded files: public ones at stable URLs, private ones only to who may see them.

Private files (STORAGES["default"]) are served at /media/private/<name>. Each kind of
private file is declared where its model lives, as a `PrivateFiles` entry: members' photos
here, other apps' in `<app>.files` (members.plugins extension point, `PRIVATE_FILES`). The
view finds the kind by the name's directory, then the row that holds the name among the
rows the visitor may see (`visible_to(user)`, the permission boundary): someone who may
not see the row gets 404, as for the row's page. No file is served from a guessable path
without that check, and a name that no row holds is 404 even if the file exists.

On the object store (members.storage.PrivateS3Storage) a download (a material) is
answered, after the same check, with a redirect to a signed URL valid for
STORAGE_SIGNED_URL_SECONDS; an image shown inline (a photo) is streamed, as from disk.

Every response: the stored file streamed (FileResponse), its Content-Type from its name,
`X-Content-Type-Options: nosniff`, a Content-Disposition (inline for images, a download
named after the row for documents) and caching headers: `no-store` for private files,
long-lived public caching for public ones (their names are random and never reused).
"""

import mimetypes
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import storages
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
)
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header

from .plugins import app_modules

# What a stored name may look like (upload_to writes "<dir>/<random hex>.<ext>").
SAFE_NAME = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*\.[A-Za-z0-9]{1,8}")
PUBLIC_MAX_AGE = 365 * 24 * 60 * 60
# A private file that its row makes public (a Jornada's public material): short, so a
# change of audience reaches shared caches soon.
SHAREABLE_MAX_AGE = 5 * 60


def _never(row) -> bool:
    return False


@dataclass(frozen=True)
class PrivateFiles:
    """One kind of private file: the directory its names start with, the rows the visitor
    may see (`rows(user)`, a queryset), the file field holding the name, and optionally the
    download name (`download_name(row)`: a download; None: shown inline) and whether the
    row makes its file public (`shareable(row)`: cacheable by anyone)."""

    directory: str
    rows: Callable
    file_field: str
    download_name: Callable | None = None
    shareable: Callable = _never


def _photos(user):
    from .models import Profile

    return Profile.objects.visible_to(user)


# Members' own: a photo is seen by whoever may open the member's profile.
PRIVATE_FILES = [PrivateFiles(directory="photos/", rows=_photos, file_field="photo")]


def private_file_kinds() -> list[PrivateFiles]:
    """Members' kinds, then every installed app's `<app>.files.PRIVATE_FILES`."""
    kinds = list(PRIVATE_FILES)
    for _label, module in app_modules("files"):
        kinds.extend(getattr(module, "PRIVATE_FILES", []))
    return kinds


def file_response(
    content, *, filename: str, attachment: bool, private: bool, shareable: bool = False
) -> HttpResponse:
    """A file as a response with the headers every file gets: a stored file (an open file
    object, streamed) or a generated document (bytes, e.g. a certificate's PDF)."""
    if isinstance(content, bytes):
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(attachment, filename)
    else:
        response = FileResponse(content, as_attachment=attachment, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    if private and not shareable:
        patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
    elif private:
        patch_cache_control(response, public=True, max_age=SHAREABLE_MAX_AGE)
    else:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE, immutable=True)
    return response


def private_file_response(user, name: str) -> FileResponse:
    """The private file `name` for `user`, or Http404 (unknown name, or a row they may not
    see)."""
    if not SAFE_NAME.fullmatch(name):
        raise Http404("no such file")
    kind = next((k for k in private_file_kinds() if name.startswith(k.directory)), None)
    if kind is None:
        raise Http404("no such file")
    row = kind.rows(user).filter(**{kind.file_field: name}).first()
    if row is None:
        raise Http404("no such file")
    storage = getattr(row, kind.file_field).storage
    extension = name.rsplit(".", 1)[-1]
    download = kind.download_name(row) if kind.download_name else None
    filename = f"{download}.{extension}" if download else name.rsplit("/", 1)[-1]
    if download is not None and hasattr(storage, "signed_url"):
        # On the object store a download goes to a short-lived signed URL (no app worker
        # tied up streaming it); the redirect itself is never cached, nor is the URL.
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        response = HttpResponseRedirect(
            storage.signed_url(name, filename=filename, attachment=True, content_type=content_type)
        )
        patch_cache_control(response, private=True, no_store=True, no_cache=True, max_age=0)
        response["Referrer-Policy"] = "no-referrer"
        return response
    try:
        fileobj = storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("no such file") from None
    return file_response(
        fileobj,
        filename=filename,
        attachment=download is not None,
        private=True,
        shareable=kind.shareable(row),
    )


def public_file_response(name: str) -> FileResponse:
    """A file of the public storage, or Http404."""
    storage = storages["public"]
    if not SAFE_NAME.fullmatch(name):
        raise Http404("no such file")
    url = storage.url(name)
    if not url.startswith(settings.PUBLIC_MEDIA_URL):
        # On the object store public files have the bucket's public address.
        response = HttpResponsePermanentRedirect(url)
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
        return response
    try:
        fileobj = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError):
        raise Http404("no such file") from None
    return file_response(fileobj, filename=name.rsplit("/", 1)[-1], attachment=False, private=False)
