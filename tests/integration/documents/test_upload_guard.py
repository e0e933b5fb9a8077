"""Uploads are decided before their body is read, and bounded (issue 23, finding 4).

The body is an async generator that counts what the server pulls from it: httpx's ASGI transport
hands the app one chunk each time it asks (`receive`), so "nothing pulled" means the refusal came
before the application read a byte, and nothing can have been written to scratch.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import httpx
import pytest
from fastapi import FastAPI

from shokei.accounts import services as accounts
from shokei.app import create_app
from shokei.bootstrap import Shokei
from shokei.documents import services as documents
from shokei.documents.vault.crypto import create_master_key
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.settings import Settings
from shokei.web.secret import ensure_session_key
from tests.factories import Office
from tests.real_files import real_files_dir

MiB = 1 << 20
GiB = 1 << 30
BOUNDARY = "guard-boundary"


class Body:
    """A multipart body of `size` bytes of file content, generated as it is pulled."""

    def __init__(self, size: int, name: str = "big.bin", content: bytes | None = None) -> None:
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.content = content
        self.size = len(content) if content is not None else size
        self.pulled = 0

    @property
    def length(self) -> int:
        return len(self.head) + self.size + len(self.tail)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces():
            self.pulled += len(piece)
            yield piece

    def _pieces(self) -> Iterator[bytes]:
        yield self.head
        if self.content is not None:
            yield self.content
        else:
            block = bytes(range(256)) * (MiB // 256)
            left = self.size
            while left:
                yield block[: min(left, len(block))]
                left -= min(left, len(block))
        yield self.tail


def _shokei(uow: UnitOfWork, tmp_path: Path, **limits: int) -> Shokei:
    settings = Settings(data_dir=tmp_path / "var", **limits)  # type: ignore[arg-type]
    settings.keys_dir.mkdir(parents=True, mode=0o700)
    create_master_key(settings.master_key_path)
    ensure_session_key(settings)
    return Shokei(settings, uow)


def _post(
    app: FastAPI, path: str, body: Body, headers: dict[str, str], *, declare: bool = True
) -> httpx.Response:
    sent = {"content-type": f"multipart/form-data; boundary={BOUNDARY}", **headers}
    if declare:
        sent["content-length"] = str(body.length)

    async def run() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post(path, content=body, headers=sent)

    # In a thread of its own: a test run may hold an event loop on this one (Playwright's sync API
    # keeps one running for the session's browser), and anyio.run needs a thread without one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(anyio.run, run).result()


def _bearer(uow: UnitOfWork, office: Office, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}


def _scratch_files(shokei: Shokei) -> list[Path]:
    return [
        p for p in shokei.settings.scratch_root.rglob("*") if p.is_file() and not p.name.endswith(".lock")
    ]


def test_a_successors_upload_is_refused_before_a_byte_is_read(uow: UnitOfWork, tmp_path: Path) -> None:
    shokei = _shokei(uow, tmp_path)
    office = Office(uow)
    case = office.open_case(documents=0)
    body = Body(GiB)
    response = _post(
        create_app(shokei), f"/api/v1/cases/{case.id}/files", body, _bearer(uow, office, "successor")
    )
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert body.pulled == 0
    assert _scratch_files(shokei) == []


def test_an_upload_over_the_request_limit_is_refused_by_its_declared_length(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    shokei = _shokei(uow, tmp_path, max_upload_bytes=MiB)
    office = Office(uow)
    case = office.open_case(documents=0)
    body = Body(2 * MiB)
    headers = {**_bearer(uow, office, "supplier"), "Accept-Language": "ja"}
    response = _post(create_app(shokei), f"/api/v1/cases/{case.id}/files", body, headers)
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 413
    assert "1,048,576" in problem["detail"]
    assert "アップロード" in problem["detail"]  # the catalogue's Japanese, asked for by Accept-Language
    assert body.pulled == 0
    assert _scratch_files(shokei) == []


def test_an_undeclared_upload_is_cut_at_the_limit_and_nothing_is_kept(
    uow: UnitOfWork, tmp_path: Path
) -> None:
    shokei = _shokei(uow, tmp_path, max_upload_bytes=4 * MiB)
    office = Office(uow)
    case = office.open_case(documents=0)
    body = Body(64 * MiB)
    app = create_app(shokei)
    response = _post(
        app, f"/api/v1/cases/{case.id}/files", body, _bearer(uow, office, "supplier"), declare=False
    )
    assert response.status_code == 413, response.text
    assert body.pulled <= 4 * MiB + MiB + len(body.head)  # stopped within one chunk of the limit
    assert _scratch_files(shokei) == []
    assert documents.list_documents(uow, office.supplier, case.id) == []


@pytest.mark.real_files
def test_a_case_holds_no_more_than_its_limit(uow: UnitOfWork, tmp_path: Path) -> None:
    pdf = real_files_dir() / "pdf" / "pdflatex-4-pages.pdf"
    size = pdf.stat().st_size
    shokei = _shokei(uow, tmp_path, max_case_bytes=size + 1000)
    office = Office(uow)
    case = office.open_case(documents=0)
    app = create_app(shokei)
    supplier = _bearer(uow, office, "supplier")
    first = _post(app, f"/api/v1/cases/{case.id}/files", Body(0, "paper.pdf", pdf.read_bytes()), supplier)
    assert first.status_code == 201, first.text
    assert [d["type"] for d in first.json()["documents"]] == ["pdf"]
    second = Body(2000, "more.bin")
    refused = _post(app, f"/api/v1/cases/{case.id}/files", second, supplier)
    assert refused.status_code == 413, refused.text
    assert f"{size + 1000:,}" in refused.json()["detail"]  # names the case's limit
    assert second.pulled == 0
    fits = _post(app, f"/api/v1/cases/{case.id}/files", Body(0, "note.txt", b"x" * 500), supplier)
    assert fits.status_code == 201, fits.text
    assert _scratch_files(shokei) == []


def test_the_upload_page_refuses_a_too_large_upload_in_japanese(uow: UnitOfWork, tmp_path: Path) -> None:
    from tests.web.conftest import as_user

    shokei = _shokei(uow, tmp_path, max_upload_bytes=MiB)
    office = Office(uow)
    case = office.open_case(documents=0)
    app = create_app(shokei)
    browser = as_user(app, "supplier")
    page = browser.get(f"/cases/{case.id}/upload")
    assert page.status_code == 200
    assert 'data-max-bytes="1048576"' in page.text  # the page's script refuses before sending, too
    body = Body(2 * MiB)
    cookies = "; ".join(f"{k}={v}" for k, v in browser.client.cookies.items())
    headers = {"X-CSRF-Token": browser.token or "", "Cookie": cookies, "HX-Request": "true"}
    response = _post(app, f"/cases/{case.id}/files", body, headers)
    assert response.status_code == 413, response.text
    assert "アップロード" in response.text
    assert "1,048,576" in response.text
    assert body.pulled == 0


def test_trace_uploads_of_a_supplier_are_refused_before_the_body(uow: UnitOfWork, tmp_path: Path) -> None:
    shokei = _shokei(uow, tmp_path)
    office = Office(uow)
    body = Body(GiB)
    response = _post(create_app(shokei), "/api/v1/traces", body, _bearer(uow, office, "supplier"))
    assert response.status_code == 403, response.text
    assert body.pulled == 0
