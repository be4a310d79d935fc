"""Image upload rules (SECURITY.md C5): size and pixel caps, format checked by content,
re-encoded (which drops EXIF and GPS metadata), stored under a random name. Profile
photos here; other apps (chapter logos) call `reencode_image` with their own limits."""

import uuid
import warnings
from io import BytesIO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 25_000_000
MAX_STORED_SIDE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}

PHOTO_TOO_LARGE = _("La foto pesa más de 5 MB. Elige una imagen más ligera.")
PHOTO_TOO_MANY_PIXELS = _("La foto tiene más de 25 megapíxeles. Elige una imagen más pequeña.")
PHOTO_NOT_AN_IMAGE = _("El archivo no es una imagen JPEG, PNG, WebP o GIF válida.")


def reencode_image(
    upload,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int,
    output: str,
    accepted=frozenset(ACCEPTED_FORMATS),
    too_large,
    too_many_pixels,
    invalid,
) -> ContentFile:
    """Check an uploaded image and return a clean re-encoded copy under a random name.

    Size and pixel count are checked before a single pixel is decoded (decompression
    bombs never expand); the format is read from the content, not the name; re-encoding
    drops EXIF/GPS and anything hidden in the file. `output` is "JPEG" (photos, flattened
    on white) or "PNG" (logos, transparency kept); `accepted` the formats taken in. The
    three messages are the ones the person sees.
    """
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError(too_large, code="too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                if probe.format not in accepted:
                    raise ValidationError(invalid, code="format")
                width, height = probe.size
                if width * height > max_pixels:
                    raise ValidationError(too_many_pixels, code="too_many_pixels")
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.seek(0)
                image = ImageOps.exif_transpose(image)  # keep the orientation, drop the EXIF
                image.thumbnail((max_side, max_side))
                if output == "PNG":
                    image = image.convert("RGBA")
                elif image.mode != "RGB":
                    background = Image.new("RGB", image.size, (255, 255, 255))
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                out = BytesIO()
                if output == "PNG":
                    image.save(out, format="PNG", optimize=True)
                else:
                    image.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise ValidationError(invalid, code="invalid") from exc
    extension = "png" if output == "PNG" else "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def process_photo(upload) -> ContentFile:
    """Check an uploaded profile photo and return a clean JPEG copy with a random name."""
    return reencode_image(
        upload,
        max_bytes=MAX_PHOTO_BYTES,
        max_pixels=MAX_PHOTO_PIXELS,
        max_side=MAX_STORED_SIDE,
        output="JPEG",
        too_large=PHOTO_TOO_LARGE,
        too_many_pixels=PHOTO_TOO_MANY_PIXELS,
        invalid=PHOTO_NOT_AN_IMAGE,
    )
