"""The visible mark of a DXF copy: one line of text on a layer of its own, below the drawing.

A TEXT entity (every DXF version has it, R12 included) on the layer `SHOKEI-COPY`, in the model
space, under the lower-left corner of the drawing's extents, at a height proportional to the
drawing, holding the stamp's English line (`Copy ID: … | Recipient: … | Issued: … | No copying
or transfer`: ASCII, which R12's code pages cannot spoil). A copy of a copy adds its line below
the earlier one. Anyone can switch the layer off or delete it, like any added layer; the XDATA
and custom properties stay, and trace reads the line from the drawing's text when they are gone.
"""

from __future__ import annotations

from ezdxf import bbox
from ezdxf.document import Drawing

from shokei.formats.marking.base import CopyLabel, Mark
from shokei.formats.marking.pdf_stamp import english_stamp_line

LAYER = "SHOKEI-COPY"
LAYER_COLOUR = 1  # red, like the PDF stamp
MIN_HEIGHT = 2.5  # drawing units: a drawing without extents gets a legible default
HEIGHT_SHARE = 0.02  # of the drawing's larger side


def add_visible_mark(document: Drawing, label: CopyLabel) -> Mark:
    """Write `label`'s line on the `SHOKEI-COPY` layer of `document`'s model space."""
    if LAYER not in document.layers:
        document.layers.add(LAYER, color=LAYER_COLOUR)
    modelspace = document.modelspace()
    earlier = [entity for entity in modelspace.query("TEXT") if entity.dxf.layer == LAYER]
    drawing = [entity for entity in modelspace if entity.dxf.layer != LAYER]
    extents = bbox.extents(drawing, fast=True)
    if extents.has_data:
        left, bottom = extents.extmin.x, extents.extmin.y
        height = max(MIN_HEIGHT, HEIGHT_SHARE * max(extents.size.x, extents.size.y))
    else:
        left, bottom, height = 0.0, 0.0, MIN_HEIGHT
    line = len(earlier) + 1
    modelspace.add_text(
        english_stamp_line(label),
        height=height,
        dxfattribs={"layer": LAYER, "insert": (left, bottom - 2 * height * line)},
    )
    return Mark.DXF_VISIBLE_TEXT
