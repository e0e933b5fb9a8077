"""Trace benchmark: a 20-page scan (every page rasterised at 150 dpi, JPEG quality 75, in an
image-only PDF) of a PDF copy, traced against a register of 1,000 issued copies.

Two runs: as scanned (the 2D code answers) and with every page's code painted out (OCR of the
watermark and stamp on the first pages). Target (issue 16): under 20 s for the 20-page scan.

    .venv/bin/python -m bench.trace [--pages 20] [--copies 1000]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fpdf import FPDF
from PIL import Image, ImageDraw

from bench import machine
from shokei.formats.marking import CopyLabel, DeliveryTerms, make_copy
from shokei.formats.marking.base import sha256_file
from shokei.succession.register import InMemoryKnownCopies, KnownCopy
from shokei.succession.tracing.matching import trace

TARGET_SECONDS = 20.0
DPI = 150
KEY = bytes(range(32))


def _source(path: Path, pages: int) -> None:
    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=11)
    for page in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Drawing sheet {page}. " + "Tolerance 0.05 mm, surface finish Ra 1.6. " * 30)
        pdf.rect(20, 150, 170, 100)
    pdf.output(str(path))


def _scan(copy: Path, target: Path, *, paint_out_code: bool) -> None:
    prefix = target.parent / "page"
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-jpeg", "-jpegopt", "quality=75", str(copy), str(prefix)], check=True
    )
    pages = []
    for path in sorted(target.parent.glob("page-*.jpg")):
        image = Image.open(path).convert("RGB")
        if paint_out_code:
            side = int(image.width * 0.2)
            ImageDraw.Draw(image).rectangle((image.width - side, 0, image.width, side), fill="white")
        pages.append(image)
    pages[0].save(target, "PDF", resolution=DPI, save_all=True, append_images=pages[1:])


def _register(copies: int, real: KnownCopy) -> InMemoryKnownCopies:
    known = InMemoryKnownCopies([real])
    for number in range(copies - 1):
        known.add(KnownCopy(f"SK9-{number:012X}", "doc", "1180301018771", "他社", f"{number:064x}", "0" * 64))
    return known


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--copies", type=int, default=1000)
    options = parser.parse_args()
    print(machine.describe())
    with tempfile.TemporaryDirectory(prefix="bench-trace-") as folder:
        root = Path(folder)
        _source(root / "source.pdf", options.pages)
        label = CopyLabel("SK1-0123456789AB", "承継電子株式会社", "8010401050387", date(2026, 6, 1))
        copy = make_copy(
            root / "source.pdf",
            label,
            root,
            signing_key=Ed25519PrivateKey.generate(),
            terms=DeliveryTerms("1", "0" * 64, "terms"),
            code_key=KEY,
        )
        real = KnownCopy(
            label.copy_id,
            "doc",
            label.recipient_corporate_number,
            label.recipient_name,
            copy.sha256,
            sha256_file(root / "source.pdf"),
        )
        known = _register(options.copies, real)
        worst = 0.0
        for paint_out in (False, True):
            run = root / ("ocr" if paint_out else "code")
            run.mkdir()
            scan = run / "scan.pdf"
            _scan(copy.path, scan, paint_out_code=paint_out)
            started = time.perf_counter()
            result = trace(scan, known, code_key=KEY)
            seconds = time.perf_counter() - started
            worst = max(worst, seconds)
            print(
                f"{options.pages}-page scan, {'code painted out' if paint_out else 'as scanned'}: "
                f"{seconds:.1f} s -> {result.copy_id} ({result.method}, {result.confidence:.2f}); "
                f"target {TARGET_SECONDS:.0f} s, ratio {seconds / TARGET_SECONDS:.2f}"
            )
            if result.copy_id != label.copy_id:
                print("wrong answer")
                return 1
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
