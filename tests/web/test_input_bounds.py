"""Every input is bounded and validated at the edge: each cause of a 500 the red team found
(issue 23, finding 5) is refused with a 4xx, on SQLite and PostgreSQL alike, and leaves nothing
behind (no orphan blob in the vault)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.bootstrap import Shokei
from shokei.cases.pages import parse_yen as parse_offer_yen
from shokei.errors import BadInput
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase.pages import _parse_year, parse_yen
from tests.factories import Office
from tests.web.conftest import as_user

BIG = 99999999999999999999  # beyond 64 bits
JSON_LIMIT = 2**53


@pytest.fixture
def world(uow: UnitOfWork, app: FastAPI) -> dict[str, Any]:
    office = Office(uow)
    case = office.open_case()
    tokens = {
        name: {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}
        for name in ("supplier", "manager", "negotiator", "auditor", "intake")
    }
    # raise_server_exceptions: a 500 fails the test with its traceback
    return {"client": TestClient(app), "case": case.id, "auth": tokens, "office": office}


def _raw(body: str) -> dict[str, Any]:
    return {"content": body.encode("utf-8", "surrogatepass"), "headers": {"content-type": "application/json"}}


# (name, who, method, path, request keyword arguments); {case} is the open case's id
REFUSED: list[tuple[str, str, str, str, dict[str, Any]]] = [
    ("case id beyond 64 bits", "manager", "GET", f"/api/v1/cases/{BIG}", {}),
    ("negative case id", "manager", "GET", "/api/v1/cases/-1", {}),
    ("document id beyond 64 bits", "manager", "GET", f"/api/v1/documents/{BIG}", {}),
    ("campaign id beyond 64 bits", "manager", "GET", f"/api/v1/supply/surveys/{BIG}", {}),
    ("fiscal year 10000", "manager", "GET", "/api/v1/budget/10000", {}),
    ("fiscal year beyond 64 bits", "manager", "POST", f"/api/v1/budget/{BIG}/close", {}),
    ("negative limit", "manager", "GET", "/api/v1/companies?limit=-1", {}),
    ("negative offset", "manager", "GET", "/api/v1/companies?offset=-1", {}),
    ("limit beyond 64 bits", "manager", "GET", f"/api/v1/companies?limit={BIG}", {}),
    ("ledger position beyond 64 bits", "auditor", "GET", f"/api/v1/audit/entries?after={BIG}", {}),
    ("search case beyond 64 bits", "manager", "GET", f"/api/v1/documents/search?q=x&case={BIG}", {}),
    ("NUL in a search", "manager", "GET", "/api/v1/documents/search?q=a%00b", {}),
    ("NUL in a path parameter", "manager", "GET", "/api/v1/companies/1234%00", {}),
    ("NUL in a query parameter", "manager", "GET", "/api/v1/secrets?expiring_within=1&x=%00", {}),
    (
        "amount beyond 2^53",
        "negotiator",
        "POST",
        "/api/v1/cases/{case}/purchase/offers",
        {"json": {"amount_yen": JSON_LIMIT}},
    ),
    (
        "amount beyond 64 bits",
        "negotiator",
        "POST",
        "/api/v1/cases/{case}/purchase/offers",
        {"json": {"amount_yen": BIG}},
    ),
    (
        "negative amount beyond 2^53",
        "negotiator",
        "POST",
        "/api/v1/cases/{case}/offers",
        {"json": {"amount_yen": -JSON_LIMIT}},
    ),
    ("NaN", "negotiator", "POST", "/api/v1/cases/{case}/offers", _raw('{"amount_yen": NaN}')),
    (
        "NaN reaching the ledger",
        "manager",
        "PUT",
        "/api/v1/risk/companies/{company}/financials",
        _raw('{"fiscal_year": 2025, "equity_ratio_percent": NaN}'),
    ),
    ("Infinity", "negotiator", "POST", "/api/v1/cases/{case}/offers", _raw('{"amount_yen": Infinity}')),
    (
        "a float overflowing to infinity",
        "manager",
        "PUT",
        "/api/v1/risk/companies/{company}/financials",
        _raw('{"fiscal_year": 2025, "equity_ratio_percent": 1e999}'),
    ),
    (
        "lone surrogate in a title",
        "supplier",
        "POST",
        "/api/v1/cases/{case}/documents",
        _raw('{"title": "\\ud800"}'),
    ),
    (
        "lone surrogate in a key",
        "supplier",
        "POST",
        "/api/v1/cases/{case}/documents",
        _raw('{"title": "x", "\\udfff": 1}'),
    ),
    ("NUL in a title", "supplier", "POST", "/api/v1/cases/{case}/documents", {"json": {"title": "a\x00b"}}),
    (
        "NUL in a reason",
        "manager",
        "POST",
        "/api/v1/cases/{case}/transitions",
        {"json": {"name": "escalate", "reason": "\x00"}},
    ),
    (
        "a title of a million characters",
        "supplier",
        "POST",
        "/api/v1/cases/{case}/documents",
        {"json": {"title": "図" * 1_000_000}},
    ),
    (
        "a title of 501 characters",
        "supplier",
        "POST",
        "/api/v1/cases/{case}/documents",
        {"json": {"title": "図" * 501}},
    ),
    (
        "a drawing number of 501 characters",
        "supplier",
        "POST",
        "/api/v1/cases/{case}/documents",
        {"json": {"title": "x", "drawing_number": "D" * 501}},
    ),
    (
        "year 10000 in a body",
        "manager",
        "PUT",
        "/api/v1/risk/companies/{company}/financials",
        {"json": {"fiscal_year": 10000}},
    ),
]


@pytest.mark.parametrize(
    ("who", "method", "path", "kwargs"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_out_of_bounds_input_is_refused_with_a_4xx(
    world: dict[str, Any], who: str, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    client: TestClient = world["client"]
    options = dict(kwargs)
    headers = {**world["auth"][who], **options.pop("headers", {})}
    where = path.format(case=world["case"], company=world["office"].withdrawing.corporate_number)
    response = client.request(method, where, headers=headers, **options)
    assert response.status_code in (404, 422), response.text


def test_a_title_of_500_characters_is_accepted_and_501_is_not(world: dict[str, Any]) -> None:
    client, auth = world["client"], world["auth"]["supplier"]
    path = f"/api/v1/cases/{world['case']}/documents"
    assert client.post(path, headers=auth, json={"title": "図" * 500}).status_code == 201
    refused = client.post(path, headers=auth, json={"title": "図" * 501})
    assert refused.status_code == 422


def test_the_largest_exact_json_integer_passes_the_edge(world: dict[str, Any]) -> None:
    # 2^53 - 1 is a JCS integer: the edge lets it through (the offer itself is then judged).
    client, auth = world["client"], world["auth"]["negotiator"]
    response = client.post(
        f"/api/v1/cases/{world['case']}/offers", headers=auth, json={"amount_yen": JSON_LIMIT - 1}
    )
    assert "outside the exact JSON integer range" not in response.text
    assert response.status_code < 500


def test_refusals_are_catalogue_messages_in_the_clients_language(world: dict[str, Any]) -> None:
    client, auth = world["client"], world["auth"]["supplier"]
    path = f"/api/v1/cases/{world['case']}/documents"
    english = client.post(path, headers=auth, json={"title": "a\x00b"})
    japanese = client.post(path, headers={**auth, "Accept-Language": "ja"}, json={"title": "a\x00b"})
    assert english.headers["content-type"] == "application/problem+json"
    assert "NUL" in english.json()["detail"]
    assert japanese.json()["detail"] != english.json()["detail"]
    assert "NUL" in japanese.json()["detail"]


def _vault_blobs(shokei: Shokei) -> list[Path]:
    root = shokei.settings.vault_dir
    return [p for p in root.rglob("*") if p.is_file() and "tmp" not in p.relative_to(root).parts]


@pytest.mark.parametrize(
    "filename",
    [b"\xff\xfe.pdf", "設計図.pdf".encode("shift_jis")],
    ids=["latin-1 bytes", "Shift-JIS"],
)
def test_an_upload_whose_name_is_not_utf8_is_refused_and_leaves_no_blob(
    world: dict[str, Any], shokei: Shokei, filename: bytes
) -> None:
    boundary = b"zero5xx"
    body = (
        b"--" + boundary + b"\r\n"
        b'Content-Disposition: form-data; name="file"; filename="' + filename + b'"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 test\r\n"
        b"--" + boundary + b"--\r\n"
    )
    response = world["client"].post(
        f"/api/v1/cases/{world['case']}/files",
        headers={**world["auth"]["supplier"], "content-type": "multipart/form-data; boundary=zero5xx"},
        content=body,
    )
    assert response.status_code == 422, response.text
    assert "file name" in response.json()["detail"]
    assert _vault_blobs(shokei) == []


def test_an_archive_member_whose_name_is_not_utf8_is_refused_not_stored(
    world: dict[str, Any], shokei: Shokei
) -> None:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT, encoding="latin-1") as tar:
        for name in ("\xff\xfe.txt", "ok.txt"):
            data = b"hello"
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    response = world["client"].post(
        f"/api/v1/cases/{world['case']}/files",
        headers=world["auth"]["supplier"],
        files={"file": ("bundle.tar", buffer.getvalue(), "application/x-tar")},
    )
    assert response.status_code < 500, response.text
    body = json.dumps(response.json())
    assert "invalid_name" in body


@pytest.mark.parametrize(
    ("parse", "text"),
    [
        (parse_yen, "፩"),  # Ethiopic digit one: isdigit() is True, int() refuses it
        (parse_yen, "١٢"),  # Arabic-Indic digits: int() reads them, a yen field takes ASCII only
        (parse_yen, str(2**53)),
        (parse_offer_yen, "፩"),
        (parse_offer_yen, "99999999999999999999"),
        (_parse_year, "፩"),
        (_parse_year, "10000"),
        (_parse_year, "0"),
    ],
)
def test_web_yen_and_year_fields_take_ascii_digits_only(parse: Any, text: str) -> None:
    with pytest.raises(BadInput):
        parse(text)


def test_web_yen_and_year_fields_still_take_what_people_type() -> None:
    assert parse_yen("¥48,500,000") == 48_500_000
    assert parse_yen("４８５０００００円") == 48_500_000
    assert parse_offer_yen("48500000") == 48_500_000
    assert _parse_year("２０１９") == 2019


def test_a_page_form_with_a_nul_is_refused(uow: UnitOfWork, app: FastAPI, office: Office) -> None:
    case = office.open_case()
    browser = as_user(app, "supplier")
    response = browser.post(f"/cases/{case.id}/inventory", {"title": "a\x00b"})
    assert response.status_code == 422
    assert "NUL" in response.text


def test_a_page_search_with_a_nul_is_refused(uow: UnitOfWork, app: FastAPI, office: Office) -> None:
    browser = as_user(app, "manager")
    response = browser.get("/documents?q=a%00b")
    assert response.status_code == 422
