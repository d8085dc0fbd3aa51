"""Pictures are decoded and drawn again, never stored as sent (#28): what comes out is a small
WebP with no metadata (EXIF, GPS, comments) and nothing but pixels, whatever came in."""

import io
import warnings

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

SIZE = 128  # shown at 40 px; 128 stays sharp on high-density screens
MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000  # a 25-megapixel photo (100 MB decoded); more is refused as a bomb
FORMATS = {"JPEG", "PNG", "GIF", "WEBP"}

NOT_AN_IMAGE = _("This file is not a picture: upload a JPEG, PNG, GIF or WebP image.")
NO_SVG = _("SVG drawings are not accepted (they can carry scripts): upload a JPEG, PNG or WebP.")
TOO_BIG = _("This file is over 5 MB: upload a smaller picture.")
TOO_MANY_PIXELS = _("This picture is too large (over 25 megapixels): upload a smaller one.")


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
                drawn = _small(picture)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from error
    except (UnidentifiedImageError, OSError, EOFError, ValueError, SyntaxError) as error:
        raise ValidationError(NOT_AN_IMAGE, code="not_an_image") from error
    drawn = ImageOps.fit(drawn, (SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    drawn.save(out, "WEBP", quality=85, method=4)  # no exif=, icc_profile=: none is written
    return out.getvalue()


def _small(picture):
    """The picture decoded, upright, and shrunk to about twice SIZE: a worker holds one
    full-size copy at most (a JPEG is even decoded at 1/2 to 1/8 of its size)."""
    picture.seek(0)  # an animation's first frame
    picture.draft("RGB", (2 * SIZE, 2 * SIZE))  # JPEG only; others ignore it
    picture.load()
    mode = "RGBA" if _has_alpha(picture) else "RGB"
    full = picture if picture.mode == mode else picture.convert(mode)
    factor = min(full.size) // (2 * SIZE)
    small = full.reduce(factor) if factor > 1 else full
    small.info = picture.info  # the orientation, for exif_transpose
    return ImageOps.exif_transpose(small)


def _has_alpha(picture):
    return picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
