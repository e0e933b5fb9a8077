"""Reading marks from pixels: a scan, a photograph, an image-only PDF or a PDF printed anew.

- `page_images` renders each PDF page (poppler's `pdftoppm`, 150 dpi, greyscale) or opens each
  frame of a PNG, JPEG or TIFF, one page at a time (a 20-page scan is never all in memory).
- `decode_codes` finds QR codes with zbar (pyzbar over Debian's libzbar0); a miss is retried on
  the image enlarged and sharpened, which rescues blurred photographs.
- `ocr_text` runs Tesseract (sparse text) twice: English on the light-grey band alone (the
  tiled watermark, which a global threshold would throw away with the paper) and jpn+eng on the
  foot of the page (the stamp, in dark ink). Not on the whole page: a drawing's lines cost Tesseract
  ten times as long and carry no mark.

The tools are Debian's (`make forensics`); a missing one raises `PixelToolMissing`, never a
silent "nothing found".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from PIL import Image, ImageChops, ImageFilter, ImageOps, UnidentifiedImageError

from shokei.formats.sniff import DocumentType, detect_type_path

RENDER_DPI = 150
OCR_LANGUAGES = "jpn+eng"  # the stamp: its Japanese line and its English line
WATERMARK_LANGUAGES = "eng"
OCR_TIMEOUT_SECONDS = 120
RENDER_TIMEOUT_SECONDS = 120
MAX_PIXELS = 60_000_000  # a page bigger than A0 at 300 dpi is refused, not rendered
STAMP_STRIP = 0.08  # the stamp's share of the page height, from the foot
WATERMARK_BAND = (150, 236)  # greys the watermark prints in, after a scan's darkening or fading


class PixelToolMissing(RuntimeError):
    """Tesseract, poppler or libzbar is not installed (run `make forensics`)."""


def readable_as_pixels(path: Path) -> bool:
    """True for what `page_images` can open: a PDF or an image."""
    return detect_type_path(path) in (DocumentType.PDF, DocumentType.IMAGE)


def page_images(path: Path) -> Iterator[Image.Image]:
    """Each page of `path` as a greyscale image, in order."""
    if detect_type_path(path) is DocumentType.PDF:
        yield from _rendered_pages(path)
        return
    try:
        image = Image.open(path)
    except (UnidentifiedImageError, OSError):
        return
    with image:
        for frame in range(getattr(image, "n_frames", 1)):
            image.seek(frame)
            if image.width * image.height > MAX_PIXELS:
                continue
            yield ImageOps.exif_transpose(image).convert("L")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise PixelToolMissing(f"{name} is not installed: run `make forensics`")
    return found


def _for_child(path: Path) -> Path:
    """`/proc/self/fd/N` (an anonymous scratch file) as a child process can open it: by our pid."""
    text = str(path)
    if text.startswith("/proc/self/fd/"):
        return Path(f"/proc/{os.getpid()}/fd/{text.removeprefix('/proc/self/fd/')}")
    return path


def _rendered_pages(path: Path) -> Iterator[Image.Image]:
    renderer = _tool("pdftoppm")
    path = _for_child(path)
    with tempfile.TemporaryDirectory(prefix="shokei-render-") as directory:
        page = 1
        while True:
            output = Path(directory) / f"page-{page}"
            completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
                [
                    renderer,
                    "-gray",
                    "-png",
                    "-r",
                    str(RENDER_DPI),
                    "-f",
                    str(page),
                    "-l",
                    str(page),
                    "-singlefile",
                    str(path),
                    str(output),
                ],
                capture_output=True,
                timeout=RENDER_TIMEOUT_SECONDS,
                check=False,
            )
            rendered = output.with_suffix(".png")
            if completed.returncode != 0 or not rendered.exists():
                return  # past the last page, or a PDF poppler cannot render
            with Image.open(rendered) as image:
                yield image.convert("L")
            rendered.unlink()
            page += 1


def decode_codes(image: Image.Image) -> list[str]:
    """The text of every QR code zbar finds in `image` (retried enlarged and sharpened)."""
    try:
        from pyzbar import pyzbar  # noqa: PLC0415 - loads libzbar: only when pixels are read
    except ImportError as error:  # pyzbar raises ImportError when libzbar0 is missing
        raise PixelToolMissing(f"zbar is not usable ({error}): run `make forensics`") from error
    for attempt in (image, _sharpened(image)):
        found = [
            symbol.data.decode("utf-8", "replace")
            for symbol in pyzbar.decode(attempt, symbols=[pyzbar.ZBarSymbol.QRCODE])
        ]
        if found:
            return list(dict.fromkeys(found))
    return []


def _sharpened(image: Image.Image) -> Image.Image:
    enlarged = image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS)
    return enlarged.filter(ImageFilter.UnsharpMask(radius=3, percent=200, threshold=0))


def ocr_text(image: Image.Image) -> str:
    """Tesseract's reading of the watermark band and of the stamp at the page's foot."""
    foot = image.crop((0, int(image.height * (1 - STAMP_STRIP)), image.width, image.height))
    # The watermark is ASCII (`SHOKEI <copy id>`): English alone reads it in half the time.
    return "\n".join(
        (_tesseract(watermark_band(image), WATERMARK_LANGUAGES), _tesseract(foot, OCR_LANGUAGES))
    )


def watermark_band(image: Image.Image) -> Image.Image:
    """Only the light-grey pixels, drawn black on white: the watermark without the drawing."""
    low, high = WATERMARK_BAND
    grey = image.point([255 if low <= value <= high else 0 for value in range(256)])
    # The soft edges of dark lines (a blurred photo has many) are grey too: drop grey next to dark.
    near_dark = image.point([255 if value < low else 0 for value in range(256)]).filter(
        ImageFilter.MaxFilter(5)
    )
    watermark = ImageChops.subtract(grey, near_dark).filter(ImageFilter.MedianFilter(3))
    return ImageChops.invert(watermark)


def _tesseract(image: Image.Image, languages: str) -> str:
    binary = _tool("tesseract")
    with tempfile.TemporaryDirectory(prefix="shokei-ocr-") as directory:
        source = Path(directory) / "page.png"
        image.save(source)
        completed = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [binary, str(source), "stdout", "-l", languages, "--psm", "11"],
            capture_output=True,
            timeout=OCR_TIMEOUT_SECONDS,
            check=False,
            # One thread: Tesseract's OpenMP threads only fight each other on a busy machine.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    return completed.stdout.decode("utf-8", "replace")
