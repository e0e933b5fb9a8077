"""What an upload's file is, judged by its content and never by the scratch file's name; and the
names senders give, fit to show and to download (issue 23, finding 4)."""

from __future__ import annotations

import io
from pathlib import Path
from urllib.parse import unquote

import openpyxl
from fastapi.testclient import TestClient

from shokei.accounts import services as accounts
from shokei.api_support import content_disposition, printable_name
from shokei.documents import services as documents
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "部品表"
    sheet.append(["品番", "名称", "数量"])
    sheet.append(["RA-7", "電波吸収体", 12])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _auth(uow: UnitOfWork, office: Office, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(uow, office.admin, name).secret}"}


def _initialised(api: TestClient) -> None:
    from shokei.bootstrap import initialise

    initialise(api.app.state.shokei)  # type: ignore[attr-defined]


def test_an_xlsx_uploaded_over_http_is_read_like_the_cli_reads_it(
    uow: UnitOfWork, api: TestClient, tmp_path: Path
) -> None:
    _initialised(api)
    office = Office(uow)
    case = office.open_case(documents=0)
    workbook = _workbook()
    files = [("files", ("部品表.xlsx", workbook, "application/octet-stream"))]
    response = api.post(f"/api/v1/cases/{case.id}/files", headers=_auth(uow, office, "supplier"), files=files)
    assert response.status_code == 201, response.text
    [stored] = response.json()["documents"]
    assert stored["type"] == "xlsx"
    assert "unparseable" not in stored["flags"]
    found = documents.search_documents(uow, office.examiner, "電波吸収体", case_id=case.id)
    assert [d.id for d in found] == [stored["id"]]

    # The CLI's path (a file on disk with its .xlsx name) gives the same reading.
    other = office.open_case(documents=0)
    on_disk = tmp_path / "部品表.xlsx"
    on_disk.write_bytes(workbook)
    shokei = api.app.state.shokei  # type: ignore[attr-defined]
    by_cli = documents.submit_documents(
        uow, shokei.vaults.documents, office.supplier, other.id, [on_disk], scratch_dir=shokei.scratch_dir
    )
    [cli_stored] = by_cli.documents
    assert (cli_stored.type, cli_stored.flags) == (stored["type"], stored["flags"])


def test_any_stored_name_makes_a_well_formed_content_disposition() -> None:
    # Names stored before uploads were cleaned (or from the CLI, where a file may be named so).
    for name in ("a\r\nSet-Cookie: x=1.pdf", "nul\x00.pdf", 'quote"back\\slash.pdf', "図面 (改).pdf", ""):
        disposition = content_disposition(name)
        assert all(" " <= ch < "\x7f" for ch in disposition), disposition
        fallback = disposition.split('filename="')[1].split('"')[0]
        assert '"' not in fallback
        assert "\\" not in fallback
        assert unquote(disposition.split("filename*=UTF-8''")[1]) == (printable_name(name) or "download")
    assert (
        content_disposition("図面.pdf")
        == "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%9B%B3%E9%9D%A2.pdf"
    )


def test_names_with_control_characters_are_stored_shown_and_downloaded(
    uow: UnitOfWork, api: TestClient
) -> None:
    _initialised(api)
    office = Office(uow)
    case = office.open_case(documents=0)
    boundary = "names"
    raw_name = "報告\n書\x00\t.txt".encode()  # a bare LF passes multipart's header parsing
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + raw_name
        + b'"\r\nContent-Type: text/plain\r\n\r\n'
        + "漏えい報告".encode()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {**_auth(uow, office, "supplier"), "Content-Type": f"multipart/form-data; boundary={boundary}"}
    response = api.post(f"/api/v1/cases/{case.id}/files", headers=headers, content=body)
    assert response.status_code == 201, response.text
    [stored] = response.json()["documents"]
    assert stored["path"] == "報告_書__.txt"

    download = api.get(
        f"/api/v1/documents/{stored['id']}/content?reason=審査", headers=_auth(uow, office, "examiner")
    )
    assert download.status_code == 200
    disposition = download.headers["content-disposition"]
    assert all(" " <= ch < "\x7f" for ch in disposition)  # a header any HTTP stack accepts
    assert 'filename="______.txt"' in disposition  # the ASCII fallback
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "報告_書__.txt"
    assert download.content == "漏えい報告".encode()
