"""Small valid files of every format the real public samples cover, written by the tests themselves.

A clone with nothing beside it has no ../shared/fixtures/real (see tests/README.md), so every code
path those files exercise (sniffing, extraction, stamping and tracing, BODS import) also runs on
these. Each builder takes the values the file must carry as arguments, so a test can state what it
expects without asking the code under test. The builders write with pikepdf and ezdxf, or as plain
text following the format's specification (ISO 10303-21 for STEP, IGES 5.3 fixed 80-column records).
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from ezdxf.filemanagement import new as new_drawing

# --- text -------------------------------------------------------------------------------------

_VOCABULARY = [
    "antenna",
    "bracket",
    "casing",
    "damper",
    "emitter",
    "flange",
    "gasket",
    "housing",
    "insulator",
    "joint",
    "keel",
    "lens",
    "mount",
    "nozzle",
    "optic",
    "panel",
    "quartz",
    "rotor",
    "sensor",
    "tether",
    "actuator",
    "valve",
    "waveguide",
    "yoke",
    "zenith",
    "alloy",
    "bearing",
    "circuit",
    "diode",
    "encoder",
    "filter",
    "gear",
    "harness",
    "inductor",
    "jumper",
    "laser",
    "magnet",
    "relay",
    "spring",
]


def prose(seed: int, words: int) -> str:
    """`words` words of deterministic filler, different for each seed (for similarity tracing)."""
    chooser = random.Random(seed)
    return " ".join(chooser.choice(_VOCABULARY) for _ in range(words))


# --- PDF --------------------------------------------------------------------------------------


def _pdf_literal(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _wrap(text: str, width: int = 80) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


def write_pdf(
    path: Path,
    pages: Sequence[str],
    *,
    title: str | None = None,
    producer: str | None = None,
    attachments: dict[str, bytes] | None = None,
    user_password: str | None = None,
    owner_password: str | None = None,
    version: str = "1.7",
) -> Path:
    """An A4 PDF with one page per entry of `pages`, its text in Helvetica (Latin-1 only).

    With a user password it is encrypted as the real encrypted sample is: Standard handler,
    RC4-128 (V2/R3), so the empty password does not open it.
    """
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    for text in pages:
        shown = " T* ".join(f"{_pdf_literal(line)} Tj" for line in _wrap(text))
        page = pdf.add_blank_page(page_size=(595, 842))
        page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        page.obj.Contents = pdf.make_stream(f"BT /F1 10 Tf 12 TL 56 780 Td {shown} ET".encode("latin-1"))
    if title is not None:
        pdf.docinfo["/Title"] = title
    if producer is not None:
        pdf.docinfo["/Producer"] = producer
    for name, data in (attachments or {}).items():
        pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)
    encryption: pikepdf.Encryption | bool = False
    if user_password is not None:
        encryption = pikepdf.Encryption(
            user=user_password, owner=owner_password or user_password, R=3, aes=False, metadata=False
        )
    # deterministic_id: the same arguments give the same bytes, as a stored original would.
    pdf.save(path, encryption=encryption, force_version=version, deterministic_id=user_password is None)
    return path


# --- STEP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepHeader:
    description: str = "Bracket assembly for tests"
    name: str = "bracket.stp"
    time_stamp: str = "2024-04-01T09:30:00"
    author: str = "Test Author"
    organization: str = "Test Works"
    preprocessor_version: str = "shokei test writer 1"
    originating_system: str = "hand-written"
    schema: str = "AP242_MANAGED_MODEL_BASED_3D_ENGINEERING_MIM_LF { 1 0 10303 442 1 1 4 }"


# Cut inside a word at the end of a line, as edition-1 writers did at 80 columns: a reader that
# keeps the line break in the string gets the wrong context name.
WRAPPED_CONTEXT = "configuration controlled 3d designs of mechanical parts and assemblies"


def write_step(
    path: Path,
    header: StepHeader = StepHeader(),
    products: Sequence[tuple[str, str, str]] = (("BRK-1", "Bracket", "machined bracket"),),
    *,
    trailing_newline: bool = True,
) -> Path:
    """An ISO 10303-21 file: the header, one PRODUCT per entry (id, name, description) with its
    context, a wrapped APPLICATION_CONTEXT string, a comment in the data and a few points."""
    cut = WRAPPED_CONTEXT.index("assemblies") + len("assemblie")
    lines = [
        "ISO-10303-21;",
        "HEADER;",
        "/* written by tests/samples.py */",
        f"FILE_DESCRIPTION(('{header.description}'),'2;1');",
        f"FILE_NAME('{header.name}','{header.time_stamp}',('{header.author}'),('{header.organization}'),",
        f"  '{header.preprocessor_version}','{header.originating_system}','');",
        f"FILE_SCHEMA(('{header.schema}'));",
        "ENDSEC;",
        "DATA;",
        f"#1=APPLICATION_CONTEXT('{WRAPPED_CONTEXT[:cut]}",
        f"{WRAPPED_CONTEXT[cut:]}');",
        "#2=PRODUCT_CONTEXT('',#1,'mechanical');",
    ]
    number = 3
    for product_id, name, description in products:
        lines.append(f"#{number}=PRODUCT('{product_id}','{name}','{description}',(#2));")
        number += 1
    for x in range(3):
        lines.append(f"#{number}=CARTESIAN_POINT('',({x}.,0.,/* mm */ 1.5));")
        number += 1
    lines += ["ENDSEC;", "END-ISO-10303-21;"]
    text = "\n".join(lines) + ("\n" if trailing_newline else "")
    path.write_bytes(text.encode("ascii"))
    return path


# --- IGES -------------------------------------------------------------------------------------


def hollerith(text: str) -> str:
    """An IGES string parameter: its length, H, then the characters (delimiters included)."""
    return f"{len(text)}H{text}"


@dataclass(frozen=True)
class IgesGlobal:
    sender_product_id: str = "SHOKEI TEST CAD"
    file_name: str = "C:/work/bracket.igs"
    native_system_id: str = "Shokei Tests 1.0"
    preprocessor_version: str = "samples 1"
    units_flag: int = 2
    units_name: str = "MM"
    created: str = "20240401.093000"
    min_resolution: str = "1.0E-6"
    max_coordinate: str = "250.0"
    author: str = "Test Author"
    organization: str = "Test Works"
    version_flag: int = 11  # IGES 5.3
    modified: str = "20240402.101500"

    def fields(self) -> list[str]:
        """The 25 Global parameters in the order IGES 5.3 gives them."""
        text = hollerith
        return [
            text(","),
            text(";"),
            text(self.sender_product_id),
            text(self.file_name),
            text(self.native_system_id),
            text(self.preprocessor_version),
            "32",
            "38",
            "6",
            "308",
            "15",
            text(self.sender_product_id),
            "1.0",
            str(self.units_flag),
            text(self.units_name),
            "1",
            "0.5",
            text(self.created),
            self.min_resolution,
            self.max_coordinate,
            text(self.author),
            text(self.organization),
            str(self.version_flag),
            "0",
            text(self.modified),
        ]


# Points (116), a line (110) and a circular arc (100): entity type number and its parameters.
IGES_ENTITIES: tuple[tuple[int, str], ...] = (
    (116, "116,0.,0.,0.,0;"),
    (116, "116,10.,0.,0.,0;"),
    (110, "110,0.,0.,0.,10.,0.,0.;"),
    (100, "100,0.,0.,0.,5.,0.,-5.,0.;"),
)


def _records(text: str, width: int) -> list[str]:
    return [text[start : start + width] for start in range(0, len(text), width)] or [""]


def write_iges(
    path: Path,
    start: Sequence[str] = ("Bracket drawing exported for the Shokei tests.",),
    global_section: IgesGlobal = IgesGlobal(),
    entities: Sequence[tuple[int, str]] = IGES_ENTITIES,
    *,
    zero_padded: bool = True,
) -> Path:
    """A fixed 80-column IGES file: Start, Global, Directory (two records per entity),
    Parameter and Terminate sections, numbered zero-padded (S0000001) or blank-padded (S      1)."""

    def number(n: int) -> str:
        return f"{n:07d}" if zero_padded else f"{n:7d}"

    def record(data: str, letter: str, n: int) -> str:
        return data.ljust(72) + letter + number(n)

    lines = [record(text, "S", n) for n, text in enumerate(start, 1)]
    global_text = ",".join(global_section.fields()) + ";"
    global_records = _records(global_text, 72)
    lines += [record(text, "G", n) for n, text in enumerate(global_records, 1)]
    directory: list[str] = []
    parameters: list[str] = []
    for index, (entity_type, data) in enumerate(entities):
        pointer = 2 * index + 1  # this entity's first Directory record
        chunks = _records(data, 64)
        first_parameter = len(parameters) + 1
        for chunk in chunks:
            parameters.append(record(chunk.ljust(64) + f"{pointer:8d}", "P", len(parameters) + 1))
        fields = [entity_type, first_parameter, 0, 0, 0, 0, 0, 0]
        directory.append(record("".join(f"{f:8d}" for f in fields) + "00000000", "D", pointer))
        second = [entity_type, 0, 0, len(chunks), 0]
        directory.append(record("".join(f"{f:8d}" for f in second).ljust(72), "D", pointer + 1))
    lines += directory + parameters
    counts = {"S": len(start), "G": len(global_records), "D": len(directory), "P": len(parameters)}
    lines.append(record("".join(f"{letter}{number(n)}" for letter, n in counts.items()), "T", 1))
    path.write_bytes(("\n".join(lines) + "\n").encode("ascii"))
    return path


# --- DXF --------------------------------------------------------------------------------------


def write_dxf(
    path: Path,
    version: str = "R12",
    *,
    layer: str = "ΛΑΓΕΡÄÜÖ",
    lines: int = 3,
    binary: bool = False,
) -> Path:
    """A drawing of `lines` LINEs on `layer` plus a CIRCLE on layer 0, in DXF `version`
    (R12 writes names outside cp1252 as \\U+ escapes), ASCII or binary."""
    drawing = new_drawing(version)
    drawing.layers.add(layer)
    modelspace = drawing.modelspace()
    for n in range(lines):
        modelspace.add_line((0, n), (10, n), dxfattribs={"layer": layer})
    modelspace.add_circle((5, 5), 2)
    drawing.saveas(path, fmt="bin" if binary else "asc")
    return path


# --- BODS -------------------------------------------------------------------------------------

_PUBLICATION = {"publicationDate": "2024-04-01", "bodsVersion": "0.4", "publisher": {"name": "test register"}}


def _statement(record_id: str, record_type: str, subject: str, details: dict[str, Any]) -> dict[str, Any]:
    return {
        "statementId": f"stmt-{record_id}",
        "declarationSubject": subject,
        "statementDate": "2024-04-01",
        "recordId": record_id,
        "recordType": record_type,
        "recordStatus": "new",
        "publicationDetails": dict(_PUBLICATION),
        "recordDetails": details,
    }


def bods_package() -> list[dict[str, Any]]:
    """BODS 0.4: a Japanese company (JP-JCN identifier) held 60 % by a British holding company and
    40 % by a person; the holding company is held 100 % by the same person."""
    company = _statement(
        "co-jp",
        "entity",
        "co-jp",
        {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
            "name": "Sample Seiki KK",
            "jurisdiction": {"name": "Japan", "code": "JP"},
            "identifiers": [{"id": "1234567890123", "scheme": "JP-JCN"}],
        },
    )
    holding = _statement(
        "co-gb",
        "entity",
        "co-gb",
        {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
            "name": "Sample Holdings Ltd",
            "identifiers": [{"id": "01234567", "scheme": "GB-COH"}],
        },
    )
    person = _statement(
        "person-1",
        "person",
        "person-1",
        {
            "isComponent": False,
            "personType": "knownPerson",
            "names": [{"type": "legal", "fullName": "Hanako Sample"}],
            "nationalities": [{"name": "Japan", "code": "JP"}],
        },
    )

    def stake(record_id: str, holder: str, held: str, percent: float) -> dict[str, Any]:
        interest = {
            "type": "shareholding",
            "directOrIndirect": "direct",
            "beneficialOwnershipOrControl": holder == "person-1",
            "share": {"exact": percent},
            "startDate": "2020-04-01",
        }
        details = {"isComponent": False, "subject": held, "interestedParty": holder, "interests": [interest]}
        return _statement(record_id, "relationship", held, details)

    return [
        company,
        holding,
        person,
        stake("rel-gb-jp", "co-gb", "co-jp", 60),
        stake("rel-p-jp", "person-1", "co-jp", 40),
        stake("rel-p-gb", "person-1", "co-gb", 100),
    ]


def write_bods(path: Path, statements: list[dict[str, Any]] | None = None) -> Path:
    path.write_text(json.dumps(bods_package() if statements is None else statements, indent=2), "utf-8")
    return path


# --- one of each ------------------------------------------------------------------------------

# The pages of FOUR_PAGES: enough words on each for the similarity trace to work with.
FOUR_PAGE_TEXTS = tuple(f"Page {n} of the bracket specification. " + prose(n, 400) for n in range(1, 5))


def write_standard_set(directory: Path) -> dict[str, Path]:
    """One file per format and variant, named by what it is (the sample_files fixture)."""
    directory.mkdir(parents=True, exist_ok=True)
    one = "Lorem ipsum dolor sit amet. Generated test document. " + prose(0, 60)
    return {
        "one-page.pdf": write_pdf(directory / "one-page.pdf", [one], title="One page", producer="samples"),
        "four-pages.pdf": write_pdf(directory / "four-pages.pdf", FOUR_PAGE_TEXTS, version="1.5"),
        "memo.pdf": write_pdf(directory / "memo.pdf", ["Memo. " + prose(99, 500)], title="Memo"),
        "part.stp": write_step(directory / "part.stp"),
        "part.igs": write_iges(directory / "part.igs", zero_padded=False),
        "part.iges": write_iges(directory / "part.iges"),
        "drawing-r12.dxf": write_dxf(directory / "drawing-r12.dxf"),
        "drawing-r12-binary.dxf": write_dxf(
            directory / "drawing-r12-binary.dxf", layer="BINARY", binary=True
        ),
        "drawing-r2013.dxf": write_dxf(directory / "drawing-r2013.dxf", "R2013", layer="Tschüss 図面"),
        "package.json": write_bods(directory / "package.json"),
    }


STANDARD_SET = frozenset(
    {
        "one-page.pdf",
        "four-pages.pdf",
        "memo.pdf",
        "part.stp",
        "part.igs",
        "part.iges",
        "drawing-r12.dxf",
        "drawing-r12-binary.dxf",
        "drawing-r2013.dxf",
        "package.json",
    }
)
