"""The program report laid out for files: sections of figures, each row with its Japanese label
and its dotted JSON name (the names `report verify` uses), and the two tables (budget lines and
the case listing) that the spreadsheet and the PDF draw as tables.

Report files are Japanese documents (the labels here are not translated with the pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shokei.reporting.domain import BUDGET_FIGURES, EXIT_REASONS, LISTING

STATE_LABELS = {  # as the pages' Japanese catalogue names them
    "notified": "撤退届出受付",
    "documents_submitted": "書類提出済",
    "under_examination": "審査中",
    "not_significant": "重要性なし",
    "closed_released": "終結（保護不要）",
    "protection_required": "要保護",
    "negotiating": "買取交渉中",
    "purchase_agreed": "買取承認済",
    "negotiation_failed": "交渉不成立",
    "escalated": "他の措置へ移行",
    "measure_taken": "措置実施",
    "successor_selection": "承継先選定中",
    "handed_over": "引渡済",
    "closed": "終結",
}
REASON_LABELS = {
    "business_difficulty": "経営不振",
    "factory_closure": "工場閉鎖",
    "restructuring": "事業再編",
    "acquisition": "買収",
    "other": "その他",
    "unrecorded": "記録なし",
}
BUDGET_HEADERS = {
    "appropriated": "歳出予算額",
    "committed": "契約済(未払)",
    "paid": "支出済額",
    "carried_in": "前年度繰越額",
    "carried_out": "翌年度繰越額",
    "lapsed": "不用額",
}
BUDGET_LINE_LABELS = {"purchases": "設計文書買取費", "facilities": "施設整備費"}
LISTING_COLUMNS = {
    "id": "案件番号",
    "supplier": "事業者",
    "corporate_number": "法人番号",
    "sme": "中小企業",
    "state": "年度末の状態",
    "opened": "開始日",
    "closed": "終結日",
    "exit_reason": "撤退理由",
    "committed_yen": "契約済(未払)",
    "paid_yen": "支払済額",
}
LISTING_YEN = frozenset({"committed_yen", "paid_yen"})
_LABELS = {
    "fiscal_year": "会計年度",
    "period.starts": "期間(開始)",
    "period.ends": "期間(終了)",
    "checkpoint.tree_size": "監査台帳の件数(木の大きさ)",
    "checkpoint.root_hash": "監査台帳の根ハッシュ",
    "checkpoint.signed": "署名付きチェックポイント",
    "cases.opened": "新規案件",
    "cases.closed": "終結案件",
    "cases.handed_over": "承継先への引継ぎ",
    "cases.sme.suppliers": "新規案件の事業者数",
    "cases.sme.sme": "うち中小企業",
    "cases.sme.not_sme": "うち中小企業以外",
    "cases.sme.unknown": "うち区分不明",
    "cases.sme.share": "中小企業の割合",
    "documents.held": "保管文書数",
    "documents.submitted": "年度内の提出",
    "documents.bytes": "保管容量(バイト)",
    "copies.issued": "複製の交付",
    "copies.recalled": "複製の回収",
    "copies.destroyed": "複製の廃棄",
    "copies.outstanding": "未回収の複製",
    "alerts.raised": "警報の発出",
    "alerts.acknowledged": "警報の確認",
    "alerts.resolved": "警報の解消(基準値未満)",
    "alerts.closed": "警報の終了(職員による)",
    "alerts.open": "年度末に未処理の警報",
    "incidents": "事故件数",
    "measures.taken": "講じた措置",
}
_STAY_LABELS = {"stays": "件数", "median": "中央値(日)", "p90": "90パーセンタイル(日)"}
SUMMARY, CASES, STAYS, REASONS, SME, BUDGET = "概要", "案件", "滞留日数", "撤退理由", "中小企業", "予算"
DOCUMENTS, COPIES, ALERTS, INCIDENTS, MEASURES, CASE_LIST = "文書", "複製", "警報", "事故", "措置", "案件一覧"


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    key: str
    value: Any
    yen: bool = False

    @property
    def text(self) -> str:
        """The value as printed: yen amounts as ¥1,234,567, nothing as a dash."""
        return money(self.value) if self.yen else shown(self.value)


@dataclass(frozen=True, slots=True)
class Table:
    """A section drawn as a table: its header, one line of cells per row, which columns are yen."""

    headers: tuple[str, ...]
    lines: tuple[tuple[Any, ...], ...]
    yen_columns: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class Section:
    title: str  # sheet name and PDF heading
    rows: tuple[Row, ...]
    table: Table | None = None


def money(value: int) -> str:
    return f"¥{value:,}"


def shown(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "有" if value else "無"
    return str(value)


def title(report: Mapping[str, Any]) -> str:
    return f"承継プログラム報告 {report['fiscal_year']}年度 (会計年度 {report['fiscal_year']})"


def state_label(state: str) -> str:
    return STATE_LABELS.get(state, state)


def line_label(line: str) -> str:
    return BUDGET_LINE_LABELS.get(line, line)


def sections(report: Mapping[str, Any]) -> list[Section]:
    """The report's figures by section, each row with its Japanese label and its JSON name."""
    cases = report["cases"]
    return [
        Section(SUMMARY, _summary(report)),
        Section(CASES, _case_counts(cases)),
        Section(STAYS, _stays(cases)),
        Section(REASONS, _reasons(cases)),
        Section(SME, tuple(_row(f"cases.sme.{k}", v) for k, v in cases["sme"].items())),
        _budget(report),
        Section(DOCUMENTS, _documents(report["documents"])),
        Section(COPIES, tuple(_row(f"copies.{k}", v) for k, v in report["copies"].items())),
        Section(ALERTS, tuple(_row(f"alerts.{k}", v) for k, v in report["alerts"].items())),
        Section(INCIDENTS, (_row("incidents", len(report["incidents"])),)),
        Section(MEASURES, _measures(report["measures"])),
        _listing(report[LISTING]),
    ]


def _summary(report: Mapping[str, Any]) -> tuple[Row, ...]:
    checkpoint = report["checkpoint"]
    rows = [_row("fiscal_year", report["fiscal_year"])]
    rows += [_row(f"period.{k}", report["period"][k]) for k in ("starts", "ends")]
    rows += [_row(f"checkpoint.{k}", checkpoint[k]) for k in ("tree_size", "root_hash")]
    rows.append(_row("checkpoint.signed", "有" if checkpoint.get("signed_note") else "無"))
    return tuple(rows)


def _case_counts(cases: Mapping[str, Any]) -> tuple[Row, ...]:
    rows = [_row(f"cases.{k}", cases[k]) for k in ("opened", "closed", "handed_over")]
    rows += [
        Row(f"年度末の状態: {state_label(state)}", f"cases.by_state.{state}", count)
        for state, count in cases["by_state"].items()
    ]
    return tuple(rows)


def _stays(cases: Mapping[str, Any]) -> tuple[Row, ...]:
    return tuple(
        Row(f"{state_label(state)}: {_STAY_LABELS[k]}", f"cases.days_in_state.{state}.{k}", v)
        for state, stay in cases["days_in_state"].items()
        for k, v in stay.items()
    )


def _reasons(cases: Mapping[str, Any]) -> tuple[Row, ...]:
    reasons = cases["exit_reasons"]
    return tuple(
        Row(f"撤退理由: {REASON_LABELS.get(reason, reason)}", f"cases.exit_reasons.{reason}", reasons[reason])
        for reason in (*EXIT_REASONS, *sorted(set(reasons) - set(EXIT_REASONS)))
        if reason in reasons
    )


def _budget(report: Mapping[str, Any]) -> Section:
    budget = report["budget"]
    rows = tuple(
        Row(f"{line_label(line)}: {BUDGET_HEADERS[k]}", f"budget.{line}.{k}", figures[k], yen=True)
        for line, figures in budget.items()
        for k in BUDGET_FIGURES
    )
    table = Table(
        ("予算科目", "キー", *(BUDGET_HEADERS[k] for k in BUDGET_FIGURES)),
        tuple(
            (line_label(line), f"budget.{line}", *(figures[k] for k in BUDGET_FIGURES))
            for line, figures in budget.items()
        ),
        frozenset(range(2, 2 + len(BUDGET_FIGURES))),
    )
    return Section(BUDGET, rows, table)


def _documents(documents: Mapping[str, Any]) -> tuple[Row, ...]:
    rows = [_row(f"documents.{k}", documents[k]) for k in ("held", "submitted", "bytes")]
    rows += [
        Row(f"種類別: {kind}", f"documents.by_type.{kind}", n) for kind, n in documents["by_type"].items()
    ]
    rows += [
        Row(f"種類別容量(バイト): {kind}", f"documents.bytes_by_type.{kind}", n)
        for kind, n in documents["bytes_by_type"].items()
    ]
    return tuple(rows)


def _measures(measures: Mapping[str, Any]) -> tuple[Row, ...]:
    rows = [_row("measures.taken", measures["taken"])]
    rows += [Row(f"措置: {tag}", f"measures.by_tag.{tag}", n) for tag, n in measures["by_tag"].items()]
    return tuple(rows)


def _listing(listing: list[Mapping[str, Any]]) -> Section:
    """One line per case; the cells show states and reasons in Japanese, amounts as yen."""
    rows = tuple(
        Row(
            f"案件{case['id']}: {header}",
            f"{LISTING}.{case['id']}.{key}",
            _listing_value(key, case[key]),
            yen=key in LISTING_YEN,
        )
        for case in listing
        for key, header in LISTING_COLUMNS.items()
        if key != "id"
    )
    table = Table(
        tuple(LISTING_COLUMNS.values()),
        tuple(tuple(_listing_value(key, case[key]) for key in LISTING_COLUMNS) for case in listing),
        frozenset(i for i, key in enumerate(LISTING_COLUMNS) if key in LISTING_YEN),
    )
    return Section(CASE_LIST, rows, table)


def _listing_value(key: str, value: Any) -> Any:
    if key == "state":
        return state_label(str(value))
    if key == "exit_reason":
        return REASON_LABELS.get(str(value), value)
    if key == "sme" and value is not None:
        return "該当" if value else "非該当"
    return value


def _row(key: str, value: Any) -> Row:
    return Row(_LABELS[key], key, value)
