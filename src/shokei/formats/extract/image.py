"""Images: format, dimensions, mode, frame count and resolution, read from headers only.

Pixels are never decoded, so a decompression bomb costs nothing here; it is still flagged so
that nothing downstream (thumbnails, OCR) decodes it blindly. Pillow warns past
`Image.MAX_IMAGE_PIXELS` and raises past twice that; both become the `decompression_bomb` flag
with the declared size. The limit is Pillow's own; if someone disabled it process-wide (None),
ours applies instead.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image

from shokei.formats.extract.base import ERROR_MESSAGE_CHARS, Extraction, Flag, JSONValue

DEFAULT_MAX_PIXELS = 89_478_485  # Pillow's default: 0.25 GiB of 24-bit pixels


def _pixel_limit() -> int:
    return Image.MAX_IMAGE_PIXELS or DEFAULT_MAX_PIXELS


def extract_image(path: Path, max_text_chars: int) -> Extraction:
    """Header facts of a raster image; images carry no text worth indexing (no OCR here)."""
    del max_text_chars  # the signature is shared with the other extractors
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                result = Extraction(metadata=_describe(image))
        except Image.DecompressionBombError as bomb:
            # The message states the declared pixel count, which is what the examiner needs.
            metadata: dict[str, JSONValue] = {
                "error": type(bomb).__name__,
                "error_message": str(bomb)[:ERROR_MESSAGE_CHARS],
            }
            return Extraction(metadata=metadata, flags=[Flag.DECOMPRESSION_BOMB])
    if any(issubclass(w.category, Image.DecompressionBombWarning) for w in caught):
        result.flag(Flag.DECOMPRESSION_BOMB)
    width, height = result.metadata["width"], result.metadata["height"]
    if isinstance(width, int) and isinstance(height, int) and width * height > _pixel_limit():
        result.flag(Flag.DECOMPRESSION_BOMB)
    return result


def _describe(image: Image.Image) -> dict[str, JSONValue]:
    metadata: dict[str, JSONValue] = {
        "format": image.format,
        "width": image.width,
        "height": image.height,
        "mode": image.mode,
        "frames": int(getattr(image, "n_frames", 1)),
    }
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and len(dpi) == 2:
        metadata["dpi"] = [float(dpi[0]), float(dpi[1])]
    return metadata
