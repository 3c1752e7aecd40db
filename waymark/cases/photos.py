"""A child's photo: cleaned on upload, sealed at rest under the child's key, opened only to serve it.

- ``clean_photo(content, max_pixels)``: refuses a decompression bomb from the image header,
  before any pixel is decoded (``PhotoTooLarge``, a 400), then decodes, applies the EXIF
  orientation and re-encodes the pixels alone, in the same format. Nothing else survives: EXIF
  (GPS position, device, date), XMP, ICC profiles, comments, PNG text chunks, later frames.
- ``seal_photo`` / ``open_photo``: the file stored is the vault's sealed blob under the child's
  data key (field ``cases.child.photo``), named ``*.sealed``. Erasing the child shreds that key,
  so every copy of the file — backups included — becomes noise.
- ``read_photo(child)``: the cleaned image for the photo view (which has asked the policy and
  written the audit entry), or ``PhotoUnavailable``; a file stored in the clear is never served.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from struct import error as struct_error
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from waymark.errors import ActionError
from waymark.vault import service as vault

log = logging.getLogger("waymark.cases")

PHOTO_FIELD = "cases.child.photo"
SEALED_SUFFIX = ".sealed"

# Pillow format -> (MIME type, magic bytes at the start of the file, save options).
_FORMATS: dict[str, tuple[str, tuple[bytes, ...], dict[str, Any]]] = {
    "JPEG": ("image/jpeg", (b"\xff\xd8\xff",), {"quality": 90}),
    "PNG": ("image/png", (b"\x89PNG\r\n\x1a\n",), {}),
    "WEBP": ("image/webp", (b"RIFF",), {"quality": 90}),
}
_NOT_AN_IMAGE = "the file is not an image (JPEG, PNG or WebP)"


class PhotoTooLarge(ActionError):
    """Over a size limit, in bytes or in pixels: the request is refused as it is (400)."""


class PhotoUnavailable(Exception):
    """No readable photo: the file is gone, the child was erased, or it was stored in the clear."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    format: str

    @property
    def content_type(self) -> str:
        return _FORMATS[self.format][0]


def _too_large(width: int, height: int, limit: int) -> PhotoTooLarge:
    return PhotoTooLarge(
        f"the photo has too many pixels ({width} × {height}): at most {limit / 1_000_000:g} megapixels",
        field="photo",
    )


def _target_mode(img: Image.Image, fmt: str) -> str:
    if fmt == "JPEG":
        return "L" if img.mode == "L" else "RGB"
    if fmt == "PNG" and img.mode in ("L", "LA", "RGB", "RGBA"):
        return img.mode
    return "RGBA" if img.has_transparency_data else "RGB"


def clean_photo(content: bytes, *, max_pixels: int) -> CleanPhoto:
    """The photo re-encoded without metadata; ``ActionError`` (field ``photo``) if it is not a
    JPEG, PNG or WebP image, ``PhotoTooLarge`` if it has more than ``max_pixels`` pixels."""
    # Pillow's own guard (Image.MAX_IMAGE_PIXELS) warns above its limit and raises above twice
    # it, from ``Image.open``; ours is lower and is checked from the header, before decoding.
    limit = min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels)
    try:
        img = Image.open(io.BytesIO(content))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoTooLarge(
            f"the photo has too many pixels: at most {limit / 1_000_000:g} megapixels", field="photo"
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ActionError(_NOT_AN_IMAGE, field="photo") from exc
    with img:
        fmt = img.format or ""
        if fmt not in _FORMATS:
            raise ActionError("the photo must be JPEG, PNG or WebP", field="photo")
        width, height = img.size
        if width * height > limit:
            raise _too_large(width, height, limit)
        try:
            img.load()  # the first frame only: an animation's later frames are dropped
            upright = ImageOps.exif_transpose(img) or img
            mode = _target_mode(upright, fmt)
            pixels = upright if upright.mode == mode else upright.convert(mode)
            # A new image from the pixels alone: no ``info``, no EXIF, no ICC profile, no XMP.
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
            out = io.BytesIO()
            clean.save(out, format=fmt, **_FORMATS[fmt][2])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _too_large(width, height, limit) from exc
        except (OSError, SyntaxError, ValueError, TypeError, KeyError, struct_error) as exc:
            # Truncated or corrupt data, or metadata Pillow cannot parse: not a usable image.
            raise ActionError(_NOT_AN_IMAGE, field="photo") from exc
    return CleanPhoto(content=out.getvalue(), format=fmt)


def content_type(data: bytes) -> str:
    """The MIME type of a cleaned photo, from its first bytes."""
    for mime, magics, _options in _FORMATS.values():
        if data.startswith(magics):
            if mime == "image/webp" and data[8:12] != b"WEBP":
                continue
            return mime
    return "application/octet-stream"


def seal_photo(child: vault.ChildRef, photo: CleanPhoto) -> bytes:
    """The bytes to store: ``photo`` sealed under the child's key (in the writing transaction)."""
    return vault.seal_bytes(child, PHOTO_FIELD, photo.content)


def open_photo(child: vault.ChildRef, blob: bytes) -> bytes:
    """The cleaned image from a stored blob. ``vault.Shredded`` once the child was erased;
    ``vault.SealError`` for a tampered blob or another child's (an incident: let it raise)."""
    return vault.open_bytes(child, PHOTO_FIELD, blob)


def read_photo(child: Any) -> bytes:
    """The child's photo, opened; ``PhotoUnavailable`` if there is none to show."""
    name: str = child.photo.name or ""
    if not name:
        raise PhotoUnavailable
    if not name.endswith(SEALED_SUFFIX):
        # Migration 0006 sealed every photo; a clear file now is a restore or a planted file.
        log.error("a child's photo is stored in the clear (%s): not served; run `manage.py migrate`", name)
        raise PhotoUnavailable
    try:
        with child.photo.open("rb") as handle:
            blob = handle.read()
    except FileNotFoundError as exc:  # the row outlived its file (restore, erasure)
        raise PhotoUnavailable from exc
    try:
        return open_photo(child, blob)
    except vault.Shredded as exc:
        raise PhotoUnavailable from exc
