"""The server's copies of every uploaded photo (spec "Image Optimization", docs/decisions.md D32): a thumbnail
for chat galleries and lists, and a compressed copy for full-screen display, made with Pillow when the
finalize check accepts the upload. Both are JPEG, turned upright, without the camera's metadata (a photo's
EXIF can carry the GPS position of the client's home); made again only if missing, so a replayed event makes
nothing twice. HEIC (which Pillow cannot read) keeps its original only."""

from __future__ import annotations

import io

from firebase_functions import logger
from PIL import Image, ImageOps, UnidentifiedImageError

from curbside.domain.uploads import VARIANTS, Kind, variant_path
from curbside.store.files import FileStore

Image.MAX_IMAGE_PIXELS = 50_000_000
"""A 10 MB file may still decode to a huge bitmap (a decompression bomb): refuse beyond 50 megapixels."""


READABLE = frozenset({Kind.JPEG, Kind.PNG, Kind.WEBP})


def make_variants(files: FileStore, path: str, kind: Kind | None) -> tuple[str, ...]:
    """Make the missing variants of the photo at `path`; returns the paths written."""
    if kind not in READABLE:
        return ()
    missing = [variant for variant in VARIANTS if files.stat(variant_path(path, variant.name)) is None]
    if not missing:
        return ()
    try:
        with Image.open(io.BytesIO(files.download(path))) as original:
            upright = ImageOps.exif_transpose(original).convert("RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        logger.warn("upload.variants_skipped", path=path, error=type(exc).__name__)
        return ()
    written = []
    for variant in missing:
        copy = upright.copy()
        copy.thumbnail((variant.longest_side, variant.longest_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, format="JPEG", quality=variant.quality, optimize=True, progressive=True)
        files.upload(variant_path(path, variant.name), out.getvalue(), "image/jpeg")
        written.append(variant_path(path, variant.name))
    return tuple(written)
