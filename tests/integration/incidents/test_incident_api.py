"""Leak incidents over the API: a released copy of a real PDF, found with every layer the copy
added stripped off, is traced (`POST /api/v1/traces`) by the spacing woven into its own text; an
incident opened from the kept file suspends the holder; it is listed, contained with the action
taken and closed with its outcome, and each step is refused to a company's user. A subcontractor's
stripped copy names the subcontractor; on request its successor is suspended too, and the program
managers are told of the incident's reporting duty."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.companies import services as companies
from shokei.companies.domain import Access
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications.models import Notification
from shokei.succession import services as succession
from tests import factories
from tests.factories import Office
from tests.integration.conftest import ReleaseCopy
from tests.integration.succession.conftest import make_eligible
from tests.unit.succession import golden_leaks
from tests.web.conftest import Browser
from tests.web.test_japanese_messages import english_sentence
from tests.web.test_page_crawl import visible_text

pytestmark = pytest.mark.real_files


def test_a_stripped_copy_is_traced_and_its_incident_runs_from_open_to_closed_over_the_api(
    uow: UnitOfWork, shokei: Shokei, released_copy: ReleaseCopy, real_files: Path, tmp_path: Path
) -> None:
    office = Office(uow)
    holder = office.successor_company.corporate_number
    copy_id = released_copy(
        office, shokei, real_files / "pdf/pdflatex-4-pages.pdf", tmp_path / "c.pdf"
    ).copy_id
    found = golden_leaks.layers_removed(tmp_path / "c.pdf", tmp_path / "found.pdf")
    manager = {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, 'manager').secret}"}
    company_user = {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, 'successor').secret}"}
    with TestClient(create_app(shokei)) as api:
        traced = api.post(
            "/api/v1/traces", headers=manager, files={"file": ("found.pdf", found.read_bytes())}
        )
        assert traced.status_code == 200, traced.text
        trace = traced.json()
        assert (trace["copy_id"], trace["recipient"], trace["method"]) == (copy_id, holder, "marks")
        assert trace["candidates"][0]["evidence"][0].startswith("pdf:content-spacing (")

        body = {
            "found_file_id": trace["found_file_id"],
            "found_at": "海外入札の添付資料",
            "found_on": "2026-11-30",
        }
        assert api.post("/api/v1/incidents", headers=company_user, json=body).status_code == 403
        opened = api.post("/api/v1/incidents", headers=manager, json=body)
        assert opened.status_code == 201, opened.text
        incident = opened.json()
        assert (
            incident["state"],
            incident["copy_id"],
            incident["recipient"],
            incident["holder_suspended"],
        ) == (
            "holder_identified",
            copy_id,
            holder,
            True,
        )
        assert [link["role"] for link in incident["chain"]] == ["supplier", "mod", "successor"]
        company = api.get(f"/api/v1/companies/{holder}", headers=manager).json()
        assert company["access"] == Access.SUSPENDED.value

        listed = api.get("/api/v1/incidents", headers=manager, params={"open_only": True}).json()
        assert [item["id"] for item in listed] == [incident["id"]]
        path = f"/api/v1/incidents/{incident['id']}"
        assert api.get(path, headers=company_user).status_code == 403
        contained = api.post(f"{path}/containment", headers=manager, json={"action": "全複製の回収を命令"})
        assert contained.json()["state"] == "contained", contained.text
        closed = api.post(f"{path}/closure", headers=manager, json={"outcome": "回収・刑事告発"})
        assert (closed.json()["state"], closed.json()["outcome"]) == ("closed", "回収・刑事告発")
        again = api.post(f"{path}/closure", headers=manager, json={"outcome": "再"})
        assert again.status_code == 409, again.text
        assert api.get("/api/v1/incidents", headers=manager, params={"open_only": True}).json() == []
        shown = api.get(path, headers=manager).json()
        assert [action["action"] for action in shown["actions"]] == ["全複製の回収を命令"]


def _subcontractor_leak(
    uow: UnitOfWork, shokei: Shokei, released_copy: ReleaseCopy, real_files: Path, tmp_path: Path
) -> SubLeak:
    """A successor's copy passed on (approved) to its subcontractor, found with every added
    layer stripped off."""
    office = Office(uow)
    successor_number = office.successor_company.corporate_number or ""
    first = released_copy(office, shokei, real_files / "pdf/pdflatex-4-pages.pdf", tmp_path / "c.pdf").copy_id
    sub = factories.company(uow, "下請精密株式会社")
    make_eligible(uow, office, sub)
    sub_number = sub.corporate_number or ""
    sub_user = factories.user(uow, Role.SUCCESSOR, sub_number, "sub")
    asked = succession.request_dissemination(
        uow, office.successor, first, to=sub_number, purpose="治具の製作"
    )
    approved = succession.approve_dissemination(
        uow,
        shokei.vaults.copies,
        office.manager,
        asked.id,
        scratch_dir=shokei.scratch_dir,
        key=shokei.handover_signing_key,
        code_key=shokei.copy_code_key,
    )
    succession.accept_dissemination(uow, sub_user, asked.id)
    succession.download_copy(uow, shokei.vaults.copies, sub_user, approved.copy_id, tmp_path / "sub.pdf")
    found = golden_leaks.layers_removed(tmp_path / "sub.pdf", tmp_path / "found.pdf")
    return SubLeak(office, found, approved.copy_id, sub_number, successor_number)


@dataclass
class SubLeak:
    office: Office
    found: Path
    copy_id: str
    sub_number: str
    successor_number: str


def test_on_request_the_incident_suspends_the_chain_above_a_subcontractor_and_tells_the_managers(
    uow: UnitOfWork, shokei: Shokei, released_copy: ReleaseCopy, real_files: Path, tmp_path: Path
) -> None:
    leak = _subcontractor_leak(uow, shokei, released_copy, real_files, tmp_path)
    office, found = leak.office, leak.found
    sub_number, successor_number = leak.sub_number, leak.successor_number
    manager = {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, 'manager').secret}"}
    with TestClient(create_app(shokei)) as api:
        trace = api.post(
            "/api/v1/traces", headers=manager, files={"file": ("found.pdf", found.read_bytes())}
        ).json()
        assert (trace["copy_id"], trace["recipient"]) == (leak.copy_id, sub_number), trace
        body = {"found_file_id": trace["found_file_id"], "found_at": "展示会", "suspend_chain": True}
        opened = api.post("/api/v1/incidents", headers=manager, json=body)
        assert opened.status_code == 201, opened.text
        incident = opened.json()
        assert [link["role"] for link in incident["chain"]] == [
            "supplier",
            "mod",
            "successor",
            "subcontractor",
        ]
        assert incident["actions"][0]["companies"] == [successor_number]
        for number in (sub_number, successor_number):
            assert api.get(f"/api/v1/companies/{number}", headers=manager).json()["access"] == "suspended"
    with uow.transaction() as session:
        kinds = session.execute(
            select(Notification.kind).where(Notification.user_id == office.manager.user_id)
        ).scalars()
        assert "incident_report" in set(kinds)


def test_from_the_trace_page_an_official_opens_the_incident_and_suspends_the_chain_above(
    uow: UnitOfWork, shokei: Shokei, released_copy: ReleaseCopy, real_files: Path, tmp_path: Path
) -> None:
    leak = _subcontractor_leak(uow, shokei, released_copy, real_files, tmp_path)
    manager = Browser(create_app(shokei))
    manager.login("manager")
    manager.get("/trace")
    # As the page's upload script sends it: the CSRF token in the header (the body is streamed).
    traced = manager.client.post(
        "/trace",
        files={"file": ("found.pdf", leak.found.read_bytes())},
        headers={"X-CSRF-Token": manager.token or ""},
    )
    assert traced.status_code == 200, traced.text
    assert 'name="suspend_chain"' in traced.text  # the chain has holders above the traced one
    found_file_id = re.search(r'name="found_file_id" value="(\d+)"', traced.text)
    assert found_file_id is not None
    opened = manager.post(
        "/incidents",
        {"found_file_id": found_file_id.group(1), "found_at": "展示会", "suspend_chain": "1"},
    )
    assert opened.status_code == 303, opened.text
    for number in (leak.sub_number, leak.successor_number):
        assert companies.get_company(uow, leak.office.manager, number).access == Access.SUSPENDED.value


def test_the_trace_page_gives_the_evidence_and_notes_in_japanese_and_the_api_in_english(
    uow: UnitOfWork, shokei: Shokei, released_copy: ReleaseCopy, real_files: Path, tmp_path: Path
) -> None:
    """Issue 21: the evidence (which mark, where, how strong) and the notes are catalogue
    messages: the page (Japanese by default) holds no English sentence, the JSON keeps its
    English with the marks' codes."""
    leak = _subcontractor_leak(uow, shokei, released_copy, real_files, tmp_path)
    short = tmp_path / "short.txt"
    short.write_text("見つかった紙片\n", encoding="utf-8")
    app = create_app(shokei)
    manager = Browser(app)
    manager.login("manager")
    manager.get("/trace")
    names = [leak.office.successor_company.name, "下請精密株式会社", leak.office.withdrawing.name]
    pages = {}
    for found in (leak.found, tmp_path / "sub.pdf", short):
        traced = manager.client.post(
            "/trace",
            files={"file": (found.name, found.read_bytes())},
            headers={"X-CSRF-Token": manager.token or ""},
        )
        assert traced.status_code == 200, traced.text
        pages[found.name] = traced.text
        assert english_sentence(visible_text(traced.text, names, set())) is None, (found.name, traced.text)
    assert "PDF本文の文字間隔（" in pages["found.pdf"]  # the mark and its detail, bracketed in Japanese
    assert "PDF本文の文字間隔 (" not in pages["found.pdf"]
    assert "ビットが一致" in pages["found.pdf"]
    assert "交付した複製のSHA-256と一致" in pages["sub.pdf"]
    assert "比較できるだけの本文がありません" in pages["short.txt"]
    assert "防衛省" in pages["found.pdf"]
    assert "Ministry of Defense" not in pages["found.pdf"]

    token = {"Authorization": f"Bearer {accounts.issue_token(uow, leak.office.admin, 'manager').secret}"}
    with TestClient(app) as api:
        found_json = api.post(
            "/api/v1/traces", headers=token, files={"file": ("f.pdf", leak.found.read_bytes())}
        )
        evidence = found_json.json()["candidates"][0]["evidence"]
        assert re.fullmatch(r"pdf:content-spacing \(\d+ of \d+ bits agree, \d+ pages\)", evidence[0]), (
            evidence
        )
        short_json = api.post("/api/v1/traces", headers=token, files={"file": ("s.txt", short.read_bytes())})
        assert short_json.json()["notes"] == ["too little text to compare"]
        assert set(found_json.json()) == set(TRACE_FIELDS)


TRACE_FIELDS = (
    "copy_id",
    "recipient",
    "chain",
    "method",
    "confidence",
    "sha256",
    "candidates",
    "unknown_marks",
    "notes",
    "cannot_tell_apart",
    "found_file_id",
)
