"""Image upload rules (SECURITY.md C5): size and pixel caps, format checked by content,
decoded in bounded memory, re-encoded (which drops EXIF and GPS metadata), stored under a
random name, and a rate limit per account. Profile photos here; other apps (chapter logos)
call `reencode_image` with their own limits.

Bounded memory: the header gives the format and the dimensions before a single pixel is
decoded. A JPEG is decoded already reduced (`Image.draft`: the decoder scales by 1/2, 1/4
or 1/8, so a 25-megapixel photo costs about a quarter of its size); the other formats are
decoded whole, so what they would cost (1 to 4 bytes a pixel, a copy for a palette image,
another for transparency, which Pillow premultiplies while resizing) must fit
DECODE_BUDGET_BYTES, or the upload is refused with a message. Orientation and colour conversions happen on the reduced
image. A 5000 x 5000 PNG cost a worker 136-231 MB before (and the memory stayed with it).
"""

import time
import uuid
import warnings
from io import BytesIO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 25_000_000
MAX_STORED_SIDE = 1600
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
# What the full-size copies of one image may cost a worker (_decoding_cost): 12 megapixels
# of an opaque PNG, 6 with transparency. Resampling down to the stored side adds at most
# about 35 MB (the intermediate and the result at 1600 px).
DECODE_BUDGET_BYTES = 48 * 1024 * 1024
# Reduce by whole factors while decoding down to REDUCING_GAP times the stored side, then
# resample properly (Pillow's `reducing_gap`: fast, and indistinguishable at 2 or more).
REDUCING_GAP = 2.0
# Uploads of images an account may send per hour (photos, chapter logos).
UPLOADS_PER_HOUR = 20

PHOTO_TOO_LARGE = _("La foto pesa más de 5 MB. Elige una imagen más ligera.")
PHOTO_TOO_MANY_PIXELS = _("La foto tiene más de 25 megapíxeles. Elige una imagen más pequeña.")
PHOTO_NOT_AN_IMAGE = _("El archivo no es una imagen JPEG, PNG, WebP o GIF válida.")
IMAGE_TOO_COSTLY = _(
    "La imagen es demasiado grande para procesarla. Redúcela (por ejemplo, a 2000 x 2000 "
    "píxeles) o guárdala como JPEG e inténtalo de nuevo."
)
TOO_MANY_UPLOADS = _(
    "Subiste demasiadas imágenes en poco tiempo. Espera una hora e inténtalo de nuevo."
)


def uploads_per_hour() -> int:
    return int(getattr(settings, "IMAGE_UPLOADS_PER_HOUR", UPLOADS_PER_HOUR))


def count_image_upload(account_id) -> None:
    """Count one image upload for the account in this hour's window (the shared cache);
    ValidationError(TOO_MANY_UPLOADS) past the limit. Every attempt counts, accepted or not:
    decoding is the cost being limited."""
    window = int(time.time() // 3600)
    key = f"image-uploads:{account_id}:{window}"
    cache.add(key, 0, timeout=3600 + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600 + 60)
        count = 1
    if count > uploads_per_hour():
        raise ValidationError(TOO_MANY_UPLOADS, code="rate_limited")


# Modes resampled as they are; any other (palette, 1-bit, 16-bit) is converted first.
RESAMPLED_MODES = ("L", "LA", "RGB", "RGBA", "CMYK")


def _has_alpha(image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _decoding_cost(image) -> int:
    """Bytes that decoding and reducing `image` (already drafted, for a JPEG) needs at its
    full size: the decoded pixels, a converted copy for modes resampled only after a
    conversion, and the premultiplied copy Pillow makes of an image with alpha."""
    decoded = {"1": 1, "L": 1, "P": 1, "I;16": 2}.get(image.mode, 4)
    converted = 0 if image.mode in RESAMPLED_MODES else 4
    premultiplied = 4 if _has_alpha(image) else 0
    return image.width * image.height * (decoded + converted + premultiplied)


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
    account_id=None,
) -> ContentFile:
    """Check an uploaded image and return a clean re-encoded copy under a random name.

    Size, format, pixel count and decoding cost are checked from the header before a single
    pixel is decoded (decompression bombs never expand); the format is read from the
    content, not the name; re-encoding drops EXIF/GPS and anything hidden in the file.
    `output` is "JPEG" (photos, flattened on white) or "PNG" (logos, transparency kept);
    `accepted` the formats taken in. The three messages are the ones the person sees.
    With `account_id`, the upload counts against the account's hourly limit first.
    """
    if account_id is not None:
        count_image_upload(account_id)
    if upload.size is None or upload.size > max_bytes:
        raise ValidationError(too_large, code="too_large")
    target = (max_side, max_side)
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
                probe.verify()  # chunk structure and checksums, no pixel decoded
            upload.seek(0)
            with Image.open(upload) as image:
                image.seek(0)  # the first frame of an animation
                if image.format == "JPEG":
                    # Decoded at 1/2, 1/4 or 1/8 of its size, never below the stored side.
                    image.draft("RGB" if image.mode != "CMYK" else None, target)
                if _decoding_cost(image) > DECODE_BUDGET_BYTES:
                    raise ValidationError(IMAGE_TOO_COSTLY, code="too_costly")
                if image.mode not in RESAMPLED_MODES:
                    image = image.convert("RGBA" if _has_alpha(image) else "RGB")
                image.thumbnail(target, reducing_gap=REDUCING_GAP)
                # Orientation from EXIF, then the EXIF is gone: on the reduced image.
                image = ImageOps.exif_transpose(image)
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


def process_photo(upload, *, account_id=None) -> ContentFile:
    """Check an uploaded profile photo and return a clean JPEG copy with a random name
    (counted against `account_id`'s hourly image uploads when given)."""
    return reencode_image(
        upload,
        max_bytes=MAX_PHOTO_BYTES,
        max_pixels=MAX_PHOTO_PIXELS,
        max_side=MAX_STORED_SIDE,
        output="JPEG",
        too_large=PHOTO_TOO_LARGE,
        too_many_pixels=PHOTO_TOO_MANY_PIXELS,
        invalid=PHOTO_NOT_AN_IMAGE,
        account_id=account_id,
    )


# --- Logos (a chapter's, a partner's) and signature images: one rule ---------------------

MAX_LOGO_BYTES = 2 * 1024 * 1024
MAX_LOGO_PIXELS = 4000 * 4000
MAX_LOGO_SIDE = 800  # stored size: plenty for a page or a printed certificate
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
LOGO_MESSAGE = _("Sube el logotipo como PNG, JPEG o WebP de hasta 2 MB y 4000 x 4000 píxeles.")


def clean_logo(upload, *, account_id=None, message=LOGO_MESSAGE):
    """The logo, checked and re-encoded as PNG (transparency kept, metadata dropped) under a
    random name (SECURITY.md C5); counted against `account_id`'s hourly image uploads.
    `message` names what was uploaded (a logo, a signature) in the error."""
    return reencode_image(
        upload,
        max_bytes=MAX_LOGO_BYTES,
        max_pixels=MAX_LOGO_PIXELS,
        max_side=MAX_LOGO_SIDE,
        output="PNG",
        accepted=LOGO_FORMATS,
        too_large=message,
        too_many_pixels=message,
        invalid=message,
        account_id=account_id,
    )
