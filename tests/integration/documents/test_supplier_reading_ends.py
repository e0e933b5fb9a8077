"""A supplier reads its handed-in files until the purchase is approved (or the case is released);
afterwards every content request is refused (exit 3 / 403) and the refusal is on the ledger."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.audit import services as audit
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from tests.conftest import Cli
from tests.factories import Office

REFUSED = "document:content:refused"


def _approve(office: Office, case: int) -> None:
    office.to_negotiating(case)
    purchase.agree_purchase(office.uow, office.negotiator, case, amount_yen=30_000_000)
    office.fund()
    office.move(case, "approve_purchase", office.manager)


def test_supplier_docs_get_works_until_approval_then_exits_3_on_the_ledger(
    uow: UnitOfWork, cli: Cli, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    case = office.open_case(documents=0).id
    note = tmp_path / "note.txt"
    note.write_text("防衛装備品 整合回路の調整手順", encoding="utf-8")
    submitted = cli("docs", "submit", str(case), str(note), "--as", "supplier", "--json").json()
    document = submitted["documents"][0]["id"]  # type: ignore[index]
    out = tmp_path / "copy.txt"

    before = cli("docs", "get", str(document), "--out", str(out), "--as", "supplier")
    assert before.exit_code == 0, before.stderr
    assert out.read_bytes() == note.read_bytes()
    out.unlink()

    _approve(office, case)
    after = cli("docs", "get", str(document), "--out", str(out), "--as", "supplier")
    assert after.exit_code == 3, after.stderr
    assert not out.exists()
    refused = audit.list_entries(uow, office.auditor, action=REFUSED)
    assert [(e.subject_id, e.event["details"]["case_state"]) for e in refused] == [
        (str(document), "purchase_agreed")
    ]
    assert refused[0].actor == "supplier"
    # The officials read on (with a reason).
    got = cli("docs", "get", str(document), "--out", str(out), "--reason", "審査", "--as", "examiner")
    assert got.exit_code == 0, got.stderr
    assert len(audit.list_entries(uow, office.auditor, action=REFUSED)) == 1


def test_supplier_download_over_http_ends_with_release(uow: UnitOfWork, api: TestClient) -> None:
    from shokei.bootstrap import initialise

    initialise(api.app.state.shokei)  # type: ignore[attr-defined]
    office = Office(uow)
    auth = {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, 'supplier').secret}"}
    case = office.open_case(documents=0).id
    files = [("files", ("仕様書.txt", "電波吸収体の製造条件".encode(), "text/plain"))]
    stored = api.post(f"/api/v1/cases/{case}/files", headers=auth, files=files)
    assert stored.status_code == 201, stored.text
    document = stored.json()["documents"][0]["id"]
    assert api.get(f"/api/v1/documents/{document}/content", headers=auth).status_code == 200

    office.to_under_examination(case)
    office.examine_all(case)
    office.move(case, "determine_not_significant", office.examiner, reason="汎用品")
    assert api.get(f"/api/v1/documents/{document}/content", headers=auth).status_code == 200
    office.move(case, "release", office.manager)
    refused = api.get(f"/api/v1/documents/{document}/content", headers=auth)
    assert refused.status_code == 403
    entries = audit.list_entries(uow, office.auditor, action=REFUSED)
    assert [(e.subject_id, e.event["details"]["case_state"]) for e in entries] == [
        (str(document), "closed_released")
    ]
