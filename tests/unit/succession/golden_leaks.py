"""The golden transformations of a released PDF copy: what a leaker (or a photocopier) does to it.

Each function writes the transformed file `target` from the copy `source` with tools other than
ours (pikepdf, pypdf, poppler's pdftocairo and pdftoppm, Pillow), never with the code under test.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pikepdf
import pypdf
import segno
from PIL import Image, ImageDraw, ImageFilter

DPI = 150
FOOTER_POINTS = 60  # the stamp sits in the lowest 25 pt of a page; cut more than that


def strip_metadata(source: Path, target: Path) -> Path:
    """Re-saved with /Info and XMP removed."""
    with pikepdf.open(source) as pdf:
        del pdf.trailer.Info
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        pdf.save(target)
    return target


def one_page(source: Path, target: Path) -> Path:
    """The second page alone, written by pypdf."""
    writer = pypdf.PdfWriter()
    writer.add_page(pypdf.PdfReader(source).pages[1])
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def crop_footer_and_print(source: Path, target: Path) -> Path:
    """Every page cropped so the footer stamp is gone, then printed to PDF by poppler: what
    lies outside the crop box, stamp and invisible marks alike, is not printed."""
    cropped = target.with_name("cropped-" + target.name)
    with pikepdf.open(source) as pdf:
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(value) for value in page.mediabox)
            page.cropbox = pikepdf.Array([x0, y0 + FOOTER_POINTS, x1, y1])
        pdf.save(cropped)
    subprocess.run(["pdftocairo", "-pdf", str(cropped), str(target)], check=True)
    return target


def _pages(source: Path, directory: Path) -> list[Image.Image]:
    prefix = directory / f"{source.stem}-raster"
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", str(source), str(prefix)], check=True)
    return [Image.open(path).convert("RGB") for path in sorted(directory.glob(f"{prefix.name}-*.png"))]


def _jpeg(image: Image.Image, target: Path, quality: int) -> Image.Image:
    image.save(target, "JPEG", quality=quality)
    return Image.open(target)


def image_pdf(source: Path, target: Path) -> Path:
    """Rasterised at 150 dpi, each page saved as JPEG (quality 75), then put in an image-only PDF."""
    pages = [
        _jpeg(page, target.with_name(f"page{number}.jpg"), 75)
        for number, page in enumerate(_pages(source, target.parent))
    ]
    pages[0].save(target, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return target


def photo(source: Path, target: Path) -> Path:
    """A photograph of the first page: rotated 2 degrees, slightly blurred, JPEG quality 60."""
    page = _pages(source, target.parent)[0]
    tilted = page.rotate(2, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white")
    tilted.filter(ImageFilter.GaussianBlur(1)).save(target, "JPEG", quality=60)
    return target


def _code_box(page: Image.Image) -> tuple[int, int, int, int]:
    """The top-right corner where the copy's QR code is printed (generously)."""
    side = int(page.width * 0.2)
    return (page.width - side, 0, page.width, side)


def code_painted_out(source: Path, target: Path) -> Path:
    """The first page as a PNG scan with its QR code painted over: only OCR can read it now."""
    page = _pages(source, target.parent)[0]
    ImageDraw.Draw(page).rectangle(_code_box(page), fill="white")
    page.save(target, "PNG")
    return target


def forged_code(payload: str) -> Callable[[Path, Path], Path]:
    """The first page as a TIFF scan whose QR code is replaced by one holding `payload`."""

    def forge(source: Path, target: Path) -> Path:
        page = _pages(source, target.parent)[0]
        box = _code_box(page)
        ImageDraw.Draw(page).rectangle(box, fill="white")
        fake = segno.make_qr(payload, error="m")
        drawing = target.with_name("fake.png")
        fake.save(drawing, scale=5, border=4)
        with Image.open(drawing) as code:
            page.paste(code.convert("RGB"), (box[0] + 10, 10))
        page.save(target, "TIFF")
        return target

    return forge


def _added_by_the_copy(stream: pikepdf.Object) -> bool:
    """What a leaker who has read docs/handover.md recognises as added to the supplier's pages:
    the stamp's q/Q wrapper, the stamp (it carries the marker) and the code and watermark
    (drawn with the /ShokeiW font)."""
    data = stream.read_bytes()
    return data.strip() == b"q" or data.startswith(b"Q\n") or b"SHOKEI-COPY:" in data or b"/ShokeiW" in data


def layers_removed(source: Path, target: Path) -> Path:
    """Every layer the copy added taken out with pikepdf: the stamp, code and watermark content
    streams, the page property lists, the Shokei fonts, /Info and XMP."""
    with pikepdf.open(source) as pdf:
        del pdf.trailer.Info
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        for page in pdf.pages:
            kept = [stream for stream in page.obj.Contents if not _added_by_the_copy(stream)]
            page.obj.Contents = pikepdf.Array(kept)
            resources = page.obj.Resources
            resources.Properties = pikepdf.Dictionary(
                {key: value for key, value in resources.get("/Properties", {}).items() if "Shokei" not in key}
            )
            resources.Font = pikepdf.Dictionary(
                {key: value for key, value in resources.Font.items() if not key.startswith("/Shokei")}
            )
        pdf.remove_unreferenced_resources()
        pdf.save(target)
    return target


def rewritten_by_pypdf(source: Path, target: Path) -> Path:
    """Every page copied by pypdf into a new document, its content parsed and written anew by
    pypdf's own serialiser (operands reformatted, streams joined)."""
    writer = pypdf.PdfWriter()
    for page in pypdf.PdfReader(source).pages:
        added = writer.add_page(page)
        content = added.get_contents()
        assert content is not None
        content.operations = list(content.operations)  # drops the original bytes: re-serialised
        added.replace_contents(content)
    with target.open("wb") as handle:
        writer.write(handle)
    return target


def layers_removed_then_rewritten(source: Path, target: Path) -> Path:
    """The added layers removed, then the pages re-written by pypdf."""
    return rewritten_by_pypdf(layers_removed(source, target.with_name("bare-" + target.name)), target)


def text_only(source: Path, target: Path) -> Path:
    """The text alone, as poppler's pdftotext extracts it (the stamp lines included)."""
    subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), str(target)], check=True)
    return target


def layers_removed_then_text_only(source: Path, target: Path) -> Path:
    """The added layers removed, then the text alone: the supplier's words and nothing else."""
    return text_only(layers_removed(source, target.with_name("bare.pdf")), target)
