"""Search finds a document by every field its pages display, through each adapter (web page,
API, `shokei docs search`) on the one query path; a NUL byte in a query is no server error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.documents import services as documents
from shokei.documents.schemas import DocumentDescription
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.factories import Office
from tests.web.conftest import as_user

# Each displayed field with a query a user would type for it (short Japanese words and ASCII codes
# in another case included); none of them appears in the other document.
FIELD_QUERIES = {
    "title": ["砲身", "部品図 第1葉"],
    "drawing_number": ["MG-17-004", "mg-17"],
    "revision": ["R7B"],
    "component": ["駐退復座機"],
    "weapon_system": ["10式戦車"],
    "file name": ["mg17-barrel", "barrel.txt"],
    "markings": ["取扱注意"],
    "extracted text": ["自緊処理", "ライフリング"],
}


@pytest.fixture
def described(uow: UnitOfWork, shokei: Shokei, office: Office, tmp_path: Path) -> tuple[int, int]:
    """A handed-in file described after upload as the issue's example, and an unrelated one."""
    barrel = tmp_path / "mg17-barrel.txt"
    barrel.write_text("【取扱注意】\n自緊処理の条件とライフリングの切削", encoding="utf-8")
    spring = tmp_path / "spring.txt"
    spring.write_text("車両用ばねの熱処理条件", encoding="utf-8")
    case = office.open_case(documents=0)
    stored = documents.submit_documents(
        uow,
        shokei.vaults.documents,
        office.supplier,
        case.id,
        [barrel, spring],
        scratch_dir=shokei.scratch_dir,
    ).documents
    ids = {Path(d.path).name: d.id for d in stored}
    fields = DocumentDescription(
        title="砲身部品図 第1葉",
        drawing_number="MG-17-004",
        revision="R7B",
        component="駐退復座機",
        weapon_system="10式戦車",
    )
    documents.describe_document(uow, office.supplier, ids["mg17-barrel.txt"], fields)
    return ids["mg17-barrel.txt"], case.id


def _every_query() -> list[str]:
    return [query for queries in FIELD_QUERIES.values() for query in queries]


def test_the_service_finds_the_described_document_by_each_displayed_field(
    uow: UnitOfWork, office: Office, described: tuple[int, int]
) -> None:
    barrel, _ = described
    shown = documents.get_document(uow, office.examiner, barrel)
    # The values the search is asked for are the ones the document's page shows.
    assert (shown.title, shown.drawing_number, shown.revision) == ("砲身部品図 第1葉", "MG-17-004", "R7B")
    assert (shown.component, shown.weapon_system, shown.markings) == ("駐退復座機", "10式戦車", ["取扱注意"])
    for field, queries in FIELD_QUERIES.items():
        for query in queries:
            found = [d.id for d in documents.search_documents(uow, office.examiner, query)]
            assert found == [barrel], (field, query)
    assert documents.search_documents(uow, office.successor, "砲身") == []  # need-to-know still holds


def test_a_changed_description_is_found_by_its_new_value_only(
    uow: UnitOfWork, office: Office, described: tuple[int, int]
) -> None:
    barrel, _ = described
    documents.describe_document(uow, office.supplier, barrel, DocumentDescription(drawing_number="MG-17-005"))
    assert [d.id for d in documents.search_documents(uow, office.examiner, "MG-17-005")] == [barrel]
    assert documents.search_documents(uow, office.examiner, "MG-17-004") == []


def _page_ids(html: str) -> list[int]:
    return [int(found) for found in re.findall(r'href="/documents/(\d+)"', html)]


def test_the_page_the_api_and_the_cli_find_it_by_each_field(
    uow: UnitOfWork, app: FastAPI, office: Office, described: tuple[int, int], cli: Cli
) -> None:
    barrel, _ = described
    examiner = as_user(app, "examiner")
    token = accounts.issue_token(uow, office.admin, "examiner").secret
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    for query in _every_query():
        page = examiner.get("/documents", params={"q": query})
        assert page.status_code == 200, query
        assert _page_ids(page.text) == [barrel], query
        over_http = api.get("/api/v1/documents/search", params={"q": query})
        assert [d["id"] for d in over_http.json()] == [barrel], query
        on_the_command_line = cli("docs", "search", query, "--as", "examiner", "--json").json()
        assert [d["id"] for d in on_the_command_line] == [barrel], query  # type: ignore[union-attr]
    human = cli("docs", "search", "MG-17-004", "--as", "examiner")
    assert "MG-17-004" in human.stdout
    assert "砲身部品図" in human.stdout


def test_a_nul_byte_in_a_query_is_refused_not_a_server_error(
    uow: UnitOfWork, app: FastAPI, office: Office, described: tuple[int, int], cli: Cli
) -> None:
    barrel, _ = described
    examiner = as_user(app, "examiner")
    token = accounts.issue_token(uow, office.admin, "examiner").secret
    api = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    # NUL is refused at the edge (422) wherever it comes, whatever else the query holds.
    assert examiner.get("/documents", params={"q": "砲身\x00"}).status_code == 422
    assert api.get("/api/v1/documents/search", params={"q": "\x00MG-17"}).status_code == 422
    only_nul = api.get("/api/v1/documents/search", params={"q": "\x00"})
    assert only_nul.status_code == 422
    assert examiner.get("/documents", params={"q": "\x00"}).status_code == 422
    assert [d["id"] for d in api.get("/api/v1/documents/search", params={"q": "MG-17"}).json()] == [barrel]
    assert cli("docs", "search", "\x00", "--as", "examiner").exit_code == 2
