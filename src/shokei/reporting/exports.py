"""The program report as files: CSV, XLSX (openpyxl: Japanese headers, one sheet per section,
frozen header rows, yen formatting) and PDF (fpdf2, a Japanese TrueType font embedded, the
budget drawn as a bar chart). Every file carries the same figures as the JSON report, each
beside its dotted JSON name, so a reader can match any cell to `report verify`'s names.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shokei.errors import BadInput, ShokeiError
from shokei.reporting.domain import BUDGET_FIGURES

FORMATS = ("csv", "xlsx", "pdf")
YEN_FORMAT = '"¥"#,##0'
FONT_VARIABLE = "SHOKEI_REPORT_FONT"
# Debian's fonts-ipaexfont (IPAex Gothic), then the fonts-japanese-gothic alternative.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)

STATE_LABELS = {
    "notified": "届出受理",
    "documents_submitted": "文書提出済",
    "under_examination": "審査中",
    "not_significant": "重要性なし",
    "closed_released": "終結(解除)",
    "protection_required": "保護が必要",
    "negotiating": "交渉中",
    "purchase_agreed": "買取合意",
    "negotiation_failed": "交渉不調",
    "escalated": "上申",
    "successor_selection": "承継先選定中",
    "handed_over": "引継済",
    "closed": "終結",
}
BUDGET_HEADERS = {
    "appropriated": "歳出予算額",
    "committed": "契約済(未払)",
    "paid": "支出済額",
    "carried_in": "前年度繰越額",
    "carried_out": "翌年度繰越額",
    "lapsed": "不用額",
}
BUDGET_LINE_LABELS = {"purchases": "設計文書買取費"}
_LABELS = {
    "fiscal_year": "会計年度",
    "period.starts": "期間(開始)",
    "period.ends": "期間(終了)",
    "checkpoint.tree_size": "監査台帳の件数(木の大きさ)",
    "checkpoint.root_hash": "監査台帳の根ハッシュ",
    "checkpoint.signed": "署名付きチェックポイント",
    "cases.opened": "新規案件",
    "cases.closed": "終結案件",
    "cases.handed_over": "引継ぎ",
    "documents.held": "保管文書数",
    "documents.submitted": "年度内の提出",
    "documents.bytes": "保管容量(バイト)",
    "copies.issued": "複製の交付",
    "copies.recalled": "複製の回収",
    "copies.destroyed": "複製の廃棄",
    "copies.outstanding": "未回収の複製",
    "alerts.raised": "警報の発出",
    "alerts.resolved": "警報の解消",
    "incidents": "事故件数",
}
_STAY_LABELS = {"stays": "件数", "median": "中央値(日)", "p90": "90パーセンタイル(日)"}


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    key: str
    value: Any
    yen: bool = False

    @property
    def text(self) -> str:
        """The value as printed: yen amounts as ¥1,234,567."""
        return f"¥{self.value:,}" if self.yen else str(self.value)


@dataclass(frozen=True, slots=True)
class Section:
    title: str  # sheet name and PDF heading
    rows: tuple[Row, ...]


def title(report: Mapping[str, Any]) -> str:
    return f"承継プログラム報告 {report['fiscal_year']}年度 (会計年度 {report['fiscal_year']})"


def sections(report: Mapping[str, Any]) -> list[Section]:
    """The report's figures by section, each row with its Japanese label and its JSON name."""
    checkpoint = report["checkpoint"]
    cases = report["cases"]
    summary = [_row("fiscal_year", report["fiscal_year"])]
    summary += [_row(f"period.{k}", report["period"][k]) for k in ("starts", "ends")]
    summary += [_row(f"checkpoint.{k}", checkpoint[k]) for k in ("tree_size", "root_hash")]
    summary.append(_row("checkpoint.signed", "有" if checkpoint.get("signed_note") else "無"))
    case_rows = [_row(f"cases.{k}", cases[k]) for k in ("opened", "closed", "handed_over")]
    case_rows += [
        Row(f"年度末の状態: {STATE_LABELS.get(state, state)}", f"cases.by_state.{state}", count)
        for state, count in cases["by_state"].items()
    ]
    case_rows += [
        Row(
            f"{STATE_LABELS.get(state, state)}の滞留: {_STAY_LABELS[k]}",
            f"cases.days_in_state.{state}.{k}",
            v,
        )
        for state, stay in cases["days_in_state"].items()
        for k, v in stay.items()
    ]
    budget = [
        Row(
            f"{BUDGET_LINE_LABELS.get(line, line)}: {BUDGET_HEADERS[k]}",
            f"budget.{line}.{k}",
            figures[k],
            yen=True,
        )
        for line, figures in report["budget"].items()
        for k in BUDGET_FIGURES
    ]
    documents = [_row(f"documents.{k}", report["documents"][k]) for k in ("held", "submitted", "bytes")]
    documents += [
        Row(f"種類別: {kind}", f"documents.by_type.{kind}", n)
        for kind, n in report["documents"]["by_type"].items()
    ]
    return [
        Section("概要", tuple(summary)),
        Section("案件", tuple(case_rows)),
        Section("予算", tuple(budget)),
        Section("文書", tuple(documents)),
        Section("複製", tuple(_row(f"copies.{k}", v) for k, v in report["copies"].items())),
        Section("警報", tuple(_row(f"alerts.{k}", v) for k, v in report["alerts"].items())),
        Section("事故", (_row("incidents", len(report["incidents"])),)),
    ]


def _row(key: str, value: Any) -> Row:
    return Row(_LABELS[key], key, value)


def write(report: Mapping[str, Any], kind: str, out: Path) -> Path:
    """Write the report as `kind` (csv, xlsx or pdf) to `out`."""
    writers = {"csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}
    if kind not in writers:
        raise BadInput(f"unknown report format {kind!r}; one of: {', '.join(FORMATS)}")
    writers[kind](report, out)
    return out


def write_csv(report: Mapping[str, Any], out: Path) -> None:
    """One line per figure: section, label, JSON name, value (UTF-8 with a BOM, for Excel)."""
    with out.open("w", encoding="utf-8-sig", newline="") as sink:
        writer = csv.writer(sink)
        writer.writerow(["区分", "項目", "キー", "値"])
        for section in sections(report):
            writer.writerows([section.title, row.label, row.key, row.value] for row in section.rows)


def write_xlsx(report: Mapping[str, Any], out: Path) -> None:
    """One sheet per section, headers frozen; the budget sheet is a table of its lines."""
    from openpyxl import Workbook  # noqa: PLC0415 - late: only this export needs it
    from openpyxl.styles import Font  # noqa: PLC0415

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for section in sections(report):
        sheet = book.create_sheet(section.title)
        if section.title == "予算":
            sheet.append(["予算科目", "キー", *(BUDGET_HEADERS[k] for k in BUDGET_FIGURES)])
            for line, figures in report["budget"].items():
                sheet.append(
                    [
                        BUDGET_LINE_LABELS.get(line, line),
                        f"budget.{line}",
                        *(figures[k] for k in BUDGET_FIGURES),
                    ]
                )
                for cell in sheet[sheet.max_row][2:]:
                    cell.number_format = YEN_FORMAT
        else:
            sheet.append(["項目", "キー", "値"])
            for row in section.rows:
                sheet.append([row.label, row.key, row.value])
                if row.yen:
                    sheet.cell(sheet.max_row, 3).number_format = YEN_FORMAT
        for cell in sheet[1]:
            cell.font = bold
        sheet.freeze_panes = "A2"
        sheet.column_dimensions["A"].width = 36
        sheet.column_dimensions["B"].width = 34
        for column in "CDEFGH":
            sheet.column_dimensions[column].width = 18
    book.save(out)


def font_path() -> Path:
    """The Japanese TrueType font embedded in PDF reports (`SHOKEI_REPORT_FONT` overrides)."""
    candidates = [os.environ.get(FONT_VARIABLE, ""), *FONT_CANDIDATES]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ShokeiError(
        "no Japanese font for PDF reports: install Debian's fonts-ipaexfont (`make browser` does) "
        f"or point {FONT_VARIABLE} at a TrueType font"
    )


def write_pdf(report: Mapping[str, Any], out: Path) -> None:
    """A4, the Japanese font embedded (subset), one heading and table per section, and the
    budget as a bar chart."""
    from fpdf import FPDF  # noqa: PLC0415 - late: only this export needs it
    from fpdf.enums import XPos, YPos  # noqa: PLC0415

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(title(report))
    pdf.add_font("IPAexGothic", fname=str(font_path()))
    pdf.add_page()
    pdf.set_font("IPAexGothic", size=15)
    pdf.cell(0, 10, title(report), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for section in sections(report):
        pdf.set_font("IPAexGothic", size=12)
        pdf.cell(0, 9, section.title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("IPAexGothic", size=8)
        for row in section.rows:
            value = row.text
            pdf.set_font("IPAexGothic", size=8)
            pdf.cell(75, 5, row.label, border="B")
            pdf.cell(50, 5, row.key, border="B")
            pdf.set_font("IPAexGothic", size=_LONG_VALUE_SIZE if len(value) > _LONG_VALUE else 8)
            pdf.cell(0, 5, value, border="B", align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if section.title == "予算":
            _bar_chart(pdf, report)
    pdf.output(str(out))


_LONG_VALUE, _LONG_VALUE_SIZE = 30, 5  # a root hash fits its cell in a smaller size
_BAR_COLOURS = ((31, 119, 180), (255, 127, 14), (44, 160, 44), (148, 103, 189), (140, 86, 75), (214, 39, 40))


def _bar_chart(pdf: Any, report: Mapping[str, Any]) -> None:
    """Horizontal bars, one per budget figure, scaled to the largest."""
    for line, figures in report["budget"].items():
        largest = max([figures[k] for k in BUDGET_FIGURES] + [1])
        pdf.ln(2)
        pdf.set_font("IPAexGothic", size=9)
        pdf.cell(0, 6, f"{BUDGET_LINE_LABELS.get(line, line)} (グラフ)", new_x="LMARGIN", new_y="NEXT")
        for key, colour in zip(BUDGET_FIGURES, _BAR_COLOURS, strict=True):
            y = pdf.get_y()
            pdf.set_font("IPAexGothic", size=8)
            pdf.cell(35, 5, BUDGET_HEADERS[key])
            pdf.set_fill_color(*colour)
            width = 110 * figures[key] / largest
            if width > 0:
                pdf.rect(pdf.l_margin + 35, y + 1, width, 3, style="F")
            pdf.set_x(pdf.l_margin + 150)
            pdf.cell(0, 5, f"¥{figures[key]:,}", align="R", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
