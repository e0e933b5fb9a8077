"""DXF: version, drawing units, layers and the drawing's words (TEXT, MTEXT, attributes).

ASCII files go through `ezdxf.recover`, which survives the damage real files carry (missing
sections, trash after EOF). It cannot read binary DXF (PLATFORM.md), so binary files, and any
file `recover` gives up on, are read with the normal loader.

ezdxf holds the whole drawing in memory (several times the file size), so files beyond
`MAX_DXF_BYTES` are flagged `too_large` instead of being loaded.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from ezdxf import recover, units
from ezdxf.document import Drawing
from ezdxf.filemanagement import readfile
from ezdxf.lldxf.const import DXFError

from shokei.formats.extract.base import (
    Extraction,
    Flag,
    JSONValue,
    TextCollector,
    bounded,
)
from shokei.formats.sniff import DocumentType, detect_type, is_binary_dxf, read_head

MAX_DXF_BYTES = 256 * 1024 * 1024
_TEXT_ENTITIES = frozenset({"TEXT", "MTEXT", "ATTRIB", "ATTDEF"})


def _load(path: Path) -> tuple[Drawing, int]:
    """The drawing and the number of problems `recover` fixed on the way (0 for binary)."""
    head = read_head(path)
    # recover turns any bytes at all into an empty drawing, without a word: check first.
    if detect_type(head) is not DocumentType.DXF:
        raise ValueError("no DXF group-code structure")
    if not is_binary_dxf(head):
        try:
            document, auditor = recover.readfile(path)
        except DXFError:
            pass  # the normal loader is stricter, but may still read what recover cannot
        else:
            return document, len(auditor.fixes)
    return readfile(path), 0


def extract_dxf(path: Path, max_text_chars: int) -> Extraction:
    """Version, units, layers, entity census and text of a DXF drawing."""
    size = path.stat().st_size
    if size > MAX_DXF_BYTES:
        return Extraction(metadata={"file_bytes": size}, flags=[Flag.TOO_LARGE])
    document, fixes = _load(path)
    result = Extraction(metadata=_header_metadata(document))
    if fixes:
        result.metadata["recovered_problems"] = fixes
    modelspace_types = Counter(entity.dxftype() for entity in document.modelspace())
    result.metadata["entity_count"] = sum(modelspace_types.values())
    result.metadata["entity_types"] = dict[str, JSONValue](sorted(modelspace_types.items()))
    _walk_entities(document, result, max_text_chars)
    return result


def _header_metadata(document: Drawing) -> dict[str, JSONValue]:
    insunits = document.header.get("$INSUNITS", 0)
    metadata: dict[str, JSONValue] = {
        "dxf_version": document.dxfversion,
        "acad_release": document.acad_release,
        "insunits": insunits,
        "units": _unit_name(insunits),
    }
    last_saved_by = document.header.get("$LASTSAVEDBY")
    if last_saved_by:
        metadata["last_saved_by"] = str(last_saved_by)
    return metadata


def _unit_name(insunits: Any) -> str | None:
    # $INSUNITS 0 means "unitless": the drawing does not say, which the examiner must know.
    if not isinstance(insunits, int) or insunits == 0:
        return None
    try:
        return str(units.unit_name(insunits))
    except (KeyError, ValueError, IndexError):
        return None


def _walk_entities(document: Drawing, result: Extraction, max_text_chars: int) -> None:
    """Layer names (table and in use) and every text, from all blocks and layouts."""
    layers = [str(layer.dxf.name) for layer in document.layers]
    collector = TextCollector(max_text_chars)
    for block in document.blocks:  # layouts are blocks too (*Model_Space, *Paper_Space...)
        for entity in block:
            layers.append(str(entity.dxf.get("layer", "")))
            _collect_entity_text(entity, collector)
    result.metadata["layers"], cut = bounded(layers)
    if cut:
        result.flag(Flag.TRUNCATED)
    collector.finish(result)


def _collect_entity_text(entity: Any, collector: TextCollector) -> None:
    kind = entity.dxftype()
    if kind in _TEXT_ENTITIES:
        collector.add(entity.plain_text())
    elif kind == "INSERT":  # title blocks keep drawing numbers and names in attributes
        for attribute in entity.attribs:
            collector.add(attribute.plain_text())
