"""Every state-changing request needs the session's CSRF token; pages carry a strict CSP and no
inline script; the JSON API (bearer tokens, no cookies) is unaffected."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI

from shokei.accounts import services as accounts
from shokei.cases import services as cases
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office
from tests.web.conftest import Browser, as_user

FORBIDDEN_TEXT = "このフォームは有効期限が切れているか"


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("/login", {"username": "intake", "password": "correct horse battery"}),
        ("/logout", {}),
        ("/language", {"lang": "en"}),
        ("/cases", {"reason": "restructuring", "planned_exit_date": "2026-12-01"}),
        ("/cases/1/transitions", {"name": "submit"}),
        ("/cases/1/inventory", {"title": "部品図"}),
        ("/cases/1/offers", {"amount": "1000"}),
        ("/documents/1", {"title": "x"}),
        ("/documents/1/download", {"reason": "x"}),
    ],
)
def test_forms_without_the_token_are_refused(
    office: Office, app: FastAPI, path: str, form: dict[str, str]
) -> None:
    browser = as_user(app, "supplier")
    case = office.open_case()
    assert case.id == 1
    missing = browser.post(path, form, token=False)
    assert missing.status_code == 403, path
    assert FORBIDDEN_TEXT in missing.text
    wrong = browser.post(path, {**form, "csrf_token": "not-the-token"}, token=False)
    assert wrong.status_code == 403
    assert cases.get_case(office.uow, office.supplier, case.id).inventory[-1].title == "部品図 2"


def test_a_token_from_another_session_is_refused(office: Office, app: FastAPI) -> None:
    supplier, intruder = as_user(app, "supplier"), as_user(app, "intake")
    office.open_case()
    stolen = intruder.token
    response = supplier.post("/cases/1/inventory", {"title": "偽造", "csrf_token": stolen}, token=False)
    assert response.status_code == 403


def test_the_header_carries_the_token_for_scripts(office: Office, app: FastAPI) -> None:
    browser = as_user(app, "supplier")
    office.open_case()
    response = browser.client.post(
        "/cases/1/inventory", data={"title": "ヘッダー経由"}, headers={"X-CSRF-Token": browser.token or ""}
    )
    assert response.status_code == 303
    assert cases.get_case(office.uow, office.supplier, 1).inventory[-1].title == "ヘッダー経由"


def test_uploads_need_the_header_token(office: Office, app: FastAPI) -> None:
    browser = as_user(app, "supplier")
    office.open_case()
    files = {"files": ("a.txt", b"hello", "text/plain")}
    assert browser.client.post("/cases/1/files", files=files).status_code == 403
    ok = browser.client.post("/cases/1/files", files=files, headers={"X-CSRF-Token": browser.token or ""})
    assert ok.status_code == 201, ok.text


def test_cross_site_requests_are_refused_even_with_the_token(office: Office, app: FastAPI) -> None:
    browser = as_user(app, "supplier")
    office.open_case()
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = browser.post("/cases/1/inventory", {"title": "x"}, headers=headers)
        assert response.status_code == 403
    same = browser.post(
        "/cases/1/inventory", {"title": "同一サイト"}, headers={"Sec-Fetch-Site": "same-origin"}
    )
    assert same.status_code == 303


def test_the_api_takes_bearer_tokens_without_csrf(uow: UnitOfWork, office: Office, app: FastAPI) -> None:
    token = accounts.issue_token(uow, office.admin, "supplier").secret
    browser = Browser(app)
    response = browser.client.post(
        "/api/v1/cases",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "company": office.withdrawing.corporate_number,
            "reason": "restructuring",
            "exit_date": "2026-12-01",
        },
    )
    assert response.status_code == 201


PAGES = [
    "/",
    "/cases",
    "/cases/1",
    "/cases/new",
    "/cases/1/upload",
    "/documents?q=部品",
    "/companies",
    "/login",
]


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_a_strict_policy_and_no_inline_script(office: Office, app: FastAPI, path: str) -> None:
    office.open_case()
    browser = as_user(app, "supplier")
    response = browser.get(path) if path != "/login" else Browser(app).get("/login")
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    html = response.text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style attribute"
    assert "<style" not in html
    assert "http://" not in html, "every asset comes from this site"
    assert "https://" not in html, "every asset comes from this site"


def test_unknown_pages_are_html_for_browsers_and_json_for_the_api(office: Office, app: FastAPI) -> None:
    browser = as_user(app, "intake")
    page = browser.get("/no/such/page")
    assert page.status_code == 404
    assert "見つかりません" in page.text
    api = browser.get("/api/v1/no/such/thing")
    assert api.status_code == 404
    assert api.headers["content-type"].startswith("application/json")
