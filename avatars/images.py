"""Pictures are decoded and drawn again, never stored as sent (#28): what comes out is a small
WebP with no metadata (EXIF, GPS, comments) and nothing but pixels, whatever came in."""

import io
import warnings

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

SIZE = 128  # shown at 40 px; 128 stays sharp on high-density screens
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; more is a decompression bomb
FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}

NOT_AN_IMAGE = "This file is not a picture: upload a JPEG, PNG, GIF or WebP image."
NO_SVG = "SVG drawings are not accepted (they can carry scripts): upload a JPEG, PNG or WebP."
TOO_BIG = "This file is over 5 MB: upload a smaller picture."
TOO_MANY_PIXELS = "This picture is too large (over 40 megapixels): upload a smaller one."


def reencode(data):
    """The WebP bytes of a picture ``data`` (bytes), square and SIZE pixels wide. Raises
    ValidationError with a message for the member when it is not one we take."""
    if len(data) > MAX_BYTES:
        raise ValidationError(TOO_BIG, code="too_big")
    head = data[:1024].lstrip().lower()
    if head.startswith((b"<?xml", b"<svg", b"<!doctype svg")) or b"<svg" in head:
        raise ValidationError(NO_SVG, code="svg")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that: treat it as refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=sorted(FORMATS)) as picture:
                width, height = picture.size
                if width * height > MAX_PIXELS:  # checked from the header, before decoding
                    raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")
                picture.seek(0)  # an animation's first frame
                picture.load()
                drawn = ImageOps.exif_transpose(picture)
                drawn = drawn.convert("RGBA" if _has_alpha(drawn) else "RGB")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
    drawn = ImageOps.fit(drawn, (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    drawn.save(out, "WEBP", quality=85, method=4)  # no exif=, icc_profile=: none is written
    return out.getvalue()


def _has_alpha(picture):
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
