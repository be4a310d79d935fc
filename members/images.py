"""Profile photo rules (SECURITY.md C5): size and pixel caps, format checked by content,
re-encoded (which drops EXIF and GPS metadata), stored under a random name."""

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


def process_photo(upload) -> ContentFile:
    """Check an uploaded photo and return a clean JPEG copy with a random name."""
    if upload.size is None or upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(PHOTO_TOO_LARGE, code="too_large")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            with Image.open(upload) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ValidationError(PHOTO_NOT_AN_IMAGE, code="format")
                width, height = probe.size
                # Checked before decoding a single pixel: a decompression bomb never expands.
                if width * height > MAX_PHOTO_PIXELS:
                    raise ValidationError(PHOTO_TOO_MANY_PIXELS, code="too_many_pixels")
                probe.verify()
            upload.seek(0)
            with Image.open(upload) as image:
                image.seek(0)
                image = ImageOps.exif_transpose(image)  # keep the orientation, drop the EXIF
                image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
                if image.mode != "RGB":
                    background = Image.new("RGB", image.size, (255, 255, 255))
                    rgba = image.convert("RGBA")
                    background.paste(rgba, mask=rgba.getchannel("A"))
                    image = background
                out = BytesIO()
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
        raise ValidationError(PHOTO_NOT_AN_IMAGE, code="invalid") from exc
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
