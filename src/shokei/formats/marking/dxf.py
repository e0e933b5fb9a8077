"""DXF copies: the copy id as XDATA on the model space block and, from R2004, a custom property.

The drawing is loaded and written again by ezdxf (ASCII stays ASCII, binary stays binary), so
the copy is a drawing ezdxf itself reads back. Two consequences, both stated in the hand-over
documentation: ezdxf updates $TDUPDATE, $VERSIONGUID and $HANDSEED and adds its own metadata
on writing, so two copies for one recipient are not byte-identical; and it writes R13/R14
drawings as R2000 (AC1015), the oldest version it writes after R12.

Marks: XDATA under the application id `SHOKEI` on the model space BLOCK entity (where ezdxf
keeps its own R12 metadata: AutoCAD drops XDATA on layer 0) in every version, and a
`$CUSTOMPROPERTYTAG`/`$CUSTOMPROPERTY` pair in R2004 (AC1018) and later, where the format has
them. Authorship: `$LASTSAVEDBY` is replaced and custom properties naming an author or company
are removed as the `StripPolicy` says; image, underlay and external reference paths are cut to
their file names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ezdxf import recover
from ezdxf.document import Drawing
from ezdxf.filemanagement import readfile
from ezdxf.lldxf.const import DXFError

from shokei.formats.marking.base import (
    CopyLabel,
    CopyNotMarkable,
    CopyResult,
    FoundMark,
    Mark,
    StripPolicy,
    atomic_destination,
    find_markers,
    last_path_component,
    recorded_values,
    secret_marking_lines,
    sha256_file,
)
from shokei.formats.marking.dxf_visible import add_visible_mark
from shokei.formats.sniff import BINARY_DXF_SENTINEL, is_binary_dxf, read_head

APPLICATION_ID = "SHOKEI"
STATUTORY_MARK_LAYER = "SHOKEI-SECRET"  # the layer of a designated secret's marking (TEXT entities)
CUSTOM_PROPERTY = "SHOKEI-COPY"
XDATA_STRING = 1000
CUSTOM_PROPERTIES_FROM = "AC1018"  # R2004
# Custom properties people use for authorship (DWGPROPS has no fixed names for them).
AUTHORSHIP_PROPERTIES = frozenset(
    {
        "author",
        "company",
        "organization",
        "organisation",
        "creator",
        "designer",
        "drawn by",
        "作成者",
        "会社名",
    }
)
_PATH_ENTITIES = {
    "IMAGEDEF": "filename",
    "PDFDEFINITION": "filename",
    "DWFDEFINITION": "filename",
    "DGNDEFINITION": "filename",
}


def _is_binary(path: Path) -> bool:
    return is_binary_dxf(read_head(path, len(BINARY_DXF_SENTINEL)))


def _load(path: Path) -> Drawing:
    """Strict reader first; `recover` only for ASCII files the strict reader refuses."""
    try:
        return readfile(path)
    except DXFError:
        if _is_binary(path):
            raise
    document, _ = recover.readfile(path)  # cannot read binary DXF (PLATFORM.md)
    return document


def _model_space_block(document: Drawing) -> Any:
    return document.modelspace().block_record.block


def _mark(document: Drawing, label: CopyLabel) -> tuple[Mark, ...]:
    if APPLICATION_ID not in document.appids:
        document.appids.add(APPLICATION_ID)
    block = _model_space_block(document)
    earlier = list(block.get_xdata(APPLICATION_ID)) if block.has_xdata(APPLICATION_ID) else []
    note = (
        f"{label.marker} corporate no. {label.recipient_corporate_number} "
        f"issued {label.issued_on.isoformat()}"
    )
    block.set_xdata(APPLICATION_ID, [*((tag.code, tag.value) for tag in earlier), (XDATA_STRING, note)])
    visible = add_visible_mark(document, label)
    if document.dxfversion < CUSTOM_PROPERTIES_FROM:
        return (Mark.DXF_XDATA, visible)
    taken = {tag for tag, _ in document.header.custom_vars}
    name = CUSTOM_PROPERTY
    number = 1
    while name in taken:  # a copy of a copy keeps the earlier holder's property
        number += 1
        name = f"{CUSTOM_PROPERTY}-{number}"
    document.header.custom_vars.append(name, note)
    return (Mark.DXF_XDATA, Mark.DXF_CUSTOM_PROPERTY, visible)


def _mark_secret(document: Drawing, label: CopyLabel) -> None:
    """A designated secret's statutory marking and validity as two TEXT entities in model space,
    on their own layer, above the drawing's recorded extents (at the origin when it has none)."""
    if label.secret_until is None:
        return
    if STATUTORY_MARK_LAYER not in document.layers:
        document.layers.add(STATUTORY_MARK_LAYER, color=1)  # red
    low, high = document.header.get("$EXTMIN", (0, 0, 0)), document.header.get("$EXTMAX", (0, 0, 0))
    x0, y0, x1, y1 = float(low[0]), float(low[1]), float(high[0]), float(high[1])
    if not (x1 > x0 and y1 > y0) or max(abs(x0), abs(y0), abs(x1), abs(y1)) > 1e12:
        x0, y0, x1, y1 = 0.0, 0.0, 100.0, 100.0  # no usable extents recorded
    height = max((y1 - y0) / 40, 1.0)
    model = document.modelspace()
    for line_number, text in enumerate(secret_marking_lines(label.secret_until)):
        y = y1 + height * (3.2 - 1.6 * line_number)
        model.add_text(text, height=height, dxfattribs={"layer": STATUTORY_MARK_LAYER, "insert": (x0, y)})


def _strip(document: Drawing, policy: StripPolicy) -> dict[str, str]:
    recorded: dict[str, str] = {}
    # ezdxf fills in header defaults; the variable exists in the file format from R2004 only.
    if document.dxfversion >= CUSTOM_PROPERTIES_FROM and "$LASTSAVEDBY" in document.header:
        recorded["dxf.header.$LASTSAVEDBY"] = str(document.header["$LASTSAVEDBY"])
        if policy.replace_authorship:
            document.header["$LASTSAVEDBY"] = policy.author
    for tag, value in list(document.header.custom_vars):
        if tag.strip().casefold() in AUTHORSHIP_PROPERTIES:
            recorded[f"dxf.custom_property.{tag}"] = value
            if policy.replace_authorship:
                document.header.custom_vars.remove(tag, all=True)
    if policy.strip_local_paths:
        recorded.update(_strip_paths(document))
    return recorded_values(recorded)


def _strip_paths(document: Drawing) -> dict[str, str]:
    recorded: dict[str, str] = {}
    for entity in document.objects:
        attribute = _PATH_ENTITIES.get(entity.dxftype())
        if attribute and entity.dxf.hasattr(attribute):
            path = str(entity.dxf.get(attribute))
            recorded[f"dxf.{entity.dxftype()}.{entity.dxf.handle}"] = path
            entity.dxf.set(attribute, last_path_component(path))
    for block_layout in document.blocks:
        block = block_layout.block
        if block is not None and block.dxf.hasattr("xref_path"):
            path = str(block.dxf.xref_path)
            recorded[f"dxf.xref.{block.dxf.name}"] = path
            block.dxf.xref_path = last_path_component(path)
    return recorded


def make_dxf_copy(
    source: Path, label: CopyLabel, destination: Path, policy: StripPolicy | None = None
) -> CopyResult:
    """Write `label`'s copy of the DXF drawing `source` to `destination`, in the same encoding kind."""
    binary = _is_binary(source)
    try:
        document = _load(source)
    except (DXFError, OSError, UnicodeDecodeError) as error:
        raise CopyNotMarkable(f"the DXF cannot be read: {error}") from error
    try:
        recorded = _strip(document, policy or StripPolicy())
        marks = _mark(document, label)
        _mark_secret(document, label)
        with atomic_destination(destination) as temporary:
            document.saveas(temporary, fmt="bin" if binary else "asc")
    except DXFError as error:  # ezdxf validates again on writing
        raise CopyNotMarkable(f"the DXF cannot be rewritten: {error}") from error
    notes = ("written by ezdxf as binary DXF",) if binary else ()
    return CopyResult(destination, sha256_file(destination), "dxf", marks, recorded, notes)


def read_dxf_marks(path: Path) -> list[FoundMark]:
    """Copy ids in the SHOKEI XDATA and in custom properties; none for a file that does not load."""
    try:
        document = _load(path)
    except (DXFError, OSError, UnicodeDecodeError, ValueError):
        return []
    block = _model_space_block(document)
    xdata = block.get_xdata(APPLICATION_ID) if block.has_xdata(APPLICATION_ID) else []
    xdata_ids = [copy_id for tag in xdata for copy_id in find_markers(str(tag.value))]
    property_ids = [copy_id for _, value in document.header.custom_vars for copy_id in find_markers(value)]
    return [FoundMark(copy_id, Mark.DXF_XDATA) for copy_id in dict.fromkeys(xdata_ids)] + [
        FoundMark(copy_id, Mark.DXF_CUSTOM_PROPERTY) for copy_id in dict.fromkeys(property_ids)
    ]
