"""The real public sample files (../shared/fixtures/real, see tests/README.md): the one place that
knows where they are and what a test needing them does when they are absent.

They sit beside the repository on our machines and in CI, never in a user's clone, a packager's
build or a mirror. Nothing here touches the folder at import time, so collection never depends on it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _pytest.mark.structures import ParameterSet

# Points at another copy of the folder (an absolute path).
DIRECTORY_VARIABLE = "SHOKEI_REAL_FIXTURES"
# Set by .ci/run: a missing folder or a skipped real-file test fails the run instead of passing it.
REQUIRE_VARIABLE = "SHOKEI_REQUIRE_REAL_FIXTURES"
MARKER = "real_files"
SKIP_REASON = "real public sample files not present: see tests/README"
DEFAULT_DIRECTORY = Path(__file__).resolve().parents[1].parent / "shared" / "fixtures" / "real"


def location() -> Path:
    return Path(os.environ.get(DIRECTORY_VARIABLE) or DEFAULT_DIRECTORY)


def required() -> bool:
    return os.environ.get(REQUIRE_VARIABLE, "") not in ("", "0")


def real_files_dir() -> Path:
    """The folder, or a skip with the one reason the summary groups them under (a failure when
    the run requires the files)."""
    root = location()
    if root.is_dir():
        return root
    if required():
        pytest.fail(
            f"{REQUIRE_VARIABLE} is set but the real public sample files are not at {root}", pytrace=False
        )
    pytest.skip(SKIP_REASON)


def real(*values: object, id: str | None = None) -> ParameterSet:
    """A parameter that names a real file: carries the marker, so it is skipped (or required) like
    a test that asks for the real_files fixture."""
    return pytest.param(*values, marks=pytest.mark.real_files, id=id)


# Every file the folder holds (its README lists them with their sources and sha256), so tests can be
# parametrised by name without reading the folder; test_sniff checks the list against the folder.
FILES = (
    "bods/bods-package-entity-owning-entity.json",
    "bods/bods-package-fi-soe.json",
    "bods/bods-package.json",
    "bods/indirect-ownership.json",
    "bods/joint-ownership.json",
    "bods/mixed-direct-and-indirect-ownership.json",
    "bods/multiple-indirect-ownership.json",
    "dxf/ASCII_R12.dxf",
    "dxf/Minimal_DXF_AC1009.dxf",
    "dxf/R12_with_trash_beyond_EOF.dxf",
    "dxf/bin_dxf_r12.dxf",
    "dxf/dxf_unicode.dxf",
    "dxf/small_r14.dxf",
    "iges/example-arcs.iges",
    "iges/sample.igs",
    "pdf/002-trivial-libre-office-writer.pdf",
    "pdf/annotated_pdf.pdf",
    "pdf/google-doc-document.pdf",
    "pdf/habibi.pdf",
    "pdf/libreoffice-writer-password.pdf",
    "pdf/minimal-document.pdf",
    "pdf/pdflatex-4-pages.pdf",
    "pdf/with-attachment.pdf",
    "step/NIST_MBE_PMI_1.stp",
    "step/tessellated_tetrahedron_ap242.step",
)


def files_in(*folders: str) -> list[ParameterSet]:
    """The catalogue's files in `folders`, as marked parameters identified by file name."""
    return [real(name, id=name.split("/")[1]) for name in FILES if name.split("/")[0] in folders]
