"""Word (DOCX) and Excel (XLSX): package properties and text, via python-docx and openpyxl.

Core properties are read from the package itself, and only when it has them: both libraries
invent defaults (python-docx: title "Word Document", author "python-docx", modified "now") when
`docProps/core.xml` is missing, and invented authorship must never reach the inventory.

Both libraries hold whole parts in memory, so the package is checked first: declared sizes
beyond `MAX_PACKAGE_BYTES`, or a part inflating more than `MAX_PART_RATIO` times, is refused
(flag `too_large`). zipfile stops each part at its declared size, so the declaration binds.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import docx
import openpyxl

from shokei.formats.extract.base import (
    Extraction,
    Flag,
    JSONValue,
    TextCollector,
)

MAX_PACKAGE_BYTES = 512 * 1024 * 1024
MAX_PART_RATIO = 200
RATIO_GRACE_BYTES = 1024 * 1024  # small parts may compress extremely well (empty styles...)
MAX_PROPERTIES_BYTES = 1024 * 1024
MAX_CELLS = 5_000_000

_RELATIONSHIPS = "_rels/.rels"
_CORE_RELATIONSHIP = "/metadata/core-properties"
_APP_RELATIONSHIP = "/extended-properties"
_DEFAULT_CORE = "docProps/core.xml"
_DEFAULT_APP = "docProps/app.xml"
_WORD_NAMESPACE = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADER_FOOTER_PART = re.compile(r"^/word/(header|footer)\d*\.xml$")
_APP_FIELDS = {
    "Application": "application",
    "AppVersion": "application_version",
    "Company": "company",
    "Manager": "manager",
    "Template": "template",
    "Pages": "pages",
    "Words": "words",
}


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def package_problem(path: Path) -> str | None:
    """Why this ZIP package must not be opened by an in-memory library, or None."""
    with zipfile.ZipFile(path) as package:
        members = package.infolist()
    if sum(member.file_size for member in members) > MAX_PACKAGE_BYTES:
        return "declared_size"
    for member in members:
        ratio_base = max(member.compress_size, 1)
        if member.file_size > RATIO_GRACE_BYTES and member.file_size / ratio_base > MAX_PART_RATIO:
            return "compression_ratio"
    return None


def _read_small(package: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = package.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PROPERTIES_BYTES:
        return None
    return package.read(info)


def _parse_xml(data: bytes) -> ElementTree.Element:
    # expat (>= 2.4.1 here) refuses entity-expansion bombs and never fetches external entities.
    return ElementTree.fromstring(data)  # noqa: S314


def _related_part(package: zipfile.ZipFile, relationship_suffix: str, default: str) -> str | None:
    """The package-level part targeted by a relationship type, per `_rels/.rels`."""
    relationships = _read_small(package, _RELATIONSHIPS)
    if relationships is None:
        return default if default in package.namelist() else None
    for relationship in _parse_xml(relationships):
        if relationship.get("Type", "").endswith(relationship_suffix):
            return posixpath.normpath(relationship.get("Target", "").lstrip("/"))
    return None


def package_properties(path: Path) -> dict[str, JSONValue]:
    """Core properties (title, creator, dates...) and app properties (company, pages...).

    Only properties the file really holds; an absent part yields nothing, never defaults.
    """
    found: dict[str, JSONValue] = {}
    with zipfile.ZipFile(path) as package:
        core = _related_part(package, _CORE_RELATIONSHIP, _DEFAULT_CORE)
        app = _related_part(package, _APP_RELATIONSHIP, _DEFAULT_APP)
        core_xml = _read_small(package, core) if core else None
        app_xml = _read_small(package, app) if app else None
    if core_xml is not None:
        found.update(_core_properties(core_xml))
    if app_xml is not None:
        found.update(_app_properties(app_xml))
    return found


def _core_properties(data: bytes) -> dict[str, JSONValue]:
    properties: dict[str, JSONValue] = {}
    for element in _parse_xml(data):
        value = (element.text or "").strip()
        if value:
            properties[_snake_case(_local_name(element.tag))] = value
    return properties


def _app_properties(data: bytes) -> dict[str, JSONValue]:
    properties: dict[str, JSONValue] = {}
    for element in _parse_xml(data):
        name = _APP_FIELDS.get(_local_name(element.tag))
        value = (element.text or "").strip()
        if name and value:
            properties[name] = int(value) if value.isdigit() else value
    return properties


def _refused(path: Path) -> Extraction | None:
    problem = package_problem(path)
    if problem is None:
        return None
    return Extraction(metadata={"refused": problem}, flags=[Flag.TOO_LARGE])


# --- Word -------------------------------------------------------------------------------------


def _paragraph_texts(element: Any) -> Iterator[str]:
    """Each paragraph's text, in document order, tables (nested too) included."""
    for paragraph in element.iter(f"{_WORD_NAMESPACE}p"):
        yield "".join(run.text or "" for run in paragraph.iter(f"{_WORD_NAMESPACE}t"))


def extract_docx(path: Path, max_text_chars: int) -> Extraction:
    """Properties, then text of headers and footers (where markings sit) and of the body."""
    refused = _refused(path)
    if refused is not None:
        return refused
    document = docx.Document(str(path))
    result = Extraction(metadata=package_properties(path))
    collector = TextCollector(max_text_chars)
    for part in document.part.package.iter_parts():
        if _HEADER_FOOTER_PART.match(str(part.partname)) and hasattr(part, "element"):
            _add_all(collector, _paragraph_texts(part.element))
    _add_all(collector, _paragraph_texts(document.element.body))
    result.metadata["paragraph_count"] = sum(1 for _ in document.element.body.iter(f"{_WORD_NAMESPACE}p"))
    collector.finish(result)
    return result


def _add_all(collector: TextCollector, pieces: Iterator[str]) -> None:
    for piece in pieces:
        if collector.full:
            return
        collector.add(piece)


# --- Excel ------------------------------------------------------------------------------------


def extract_xlsx(path: Path, max_text_chars: int) -> Extraction:
    """Properties, sheet names and cell values (as displayed text, tab-separated rows)."""
    refused = _refused(path)
    if refused is not None:
        return refused
    result = Extraction(metadata=package_properties(path))
    # Opened as a stream: given a path, openpyxl refuses any name not ending in .xlsx/.xlsm, and an
    # upload's plaintext is reached through a name that has no extension (the type was sniffed).
    with path.open("rb") as stream:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
        try:
            result.metadata["sheets"] = list[JSONValue](workbook.sheetnames)
            collector = TextCollector(max_text_chars)
            cells_read = _collect_cells(workbook, collector)
        finally:
            workbook.close()
    if cells_read >= MAX_CELLS:
        result.flag(Flag.TRUNCATED)
    collector.finish(result)
    return result


def _collect_cells(workbook: Any, collector: TextCollector) -> int:
    """Add every sheet's rows to `collector`; returns how many cells were visited."""
    cells = 0
    for sheet in workbook.worksheets:  # chart sheets have no cells
        collector.add(str(sheet.title))
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
            collector.add("\t".join(str(value) for value in row if value is not None))
            if collector.full or cells >= MAX_CELLS:
                return cells
    return cells
