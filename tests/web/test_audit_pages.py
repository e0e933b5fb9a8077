"""The auditor's verification page: signed checkpoints, a full verification on demand, proofs.

Expected hashes are computed here from the stored leaf bytes with hashlib (RFC 9162: leaf =
SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right)), not by the code under test.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from shokei.app import create_app
from shokei.audit.domain import CheckpointPolicy, LedgerConfig
from shokei.audit.notes import NoteSigner, generate_signer
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import Office
from tests.web.conftest import Browser, as_user, web_shokei

ROLES = ["supplier", "successor", "intake", "examiner", "negotiator", "manager", "auditor", "admin"]


@pytest.fixture
def signed(uow: UnitOfWork) -> UnitOfWork:
    signer, verifier = generate_signer("web-test-ledger")
    config = LedgerConfig("web.test/ledger", verifier, NoteSigner.parse(signer), CheckpointPolicy(4, 0))
    return UnitOfWork(uow.engine, uow.clock, ledger=config)


@pytest.fixture
def auditor(signed: UnitOfWork, tmp_path: Path) -> Browser:
    office = Office(signed)
    office.open_case()  # a few more entries beyond the users the office created
    app = create_app(web_shokei(signed, tmp_path / "var"))
    return as_user(app, "auditor")


def _leaf(uow: UnitOfWork, index: int) -> bytes:
    with uow.engine.connect() as connection:
        return bytes(
            connection.execute(
                text('SELECT leaf FROM audit_entries WHERE "index" = :i'), {"i": index}
            ).scalar_one()
        )


def _size(uow: UnitOfWork) -> int:
    with uow.engine.connect() as connection:
        return int(connection.execute(text("SELECT size FROM audit_head")).scalar_one())


def _root_of_two(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


@pytest.mark.parametrize("role", ROLES)
def test_only_auditors_see_the_verification_page(signed: UnitOfWork, tmp_path: Path, role: str) -> None:
    Office(signed)
    app = create_app(web_shokei(signed, tmp_path / "var"))
    browser = as_user(app, role)
    assert browser.get("/audit/verification").status_code == (200 if role == "auditor" else 403)
    posted = browser.post("/audit/verification")
    assert posted.status_code == (303 if role == "auditor" else 403)


def test_verification_passes_then_names_the_edited_entry(signed: UnitOfWork, auditor: Browser) -> None:
    page = auditor.get("/audit/verification")
    assert page.status_code == 200
    size = _size(signed)
    assert size >= 8
    assert "web.test/ledger" in html.unescape(page.text), "the signed notes are shown"

    response = auditor.post("/audit/verification")
    assert response.status_code == 303
    assert response.headers["location"] == "/audit/verification"
    shown = html.unescape(auditor.get("/audit/verification").text)
    assert "台帳の検証に成功しました" in shown
    assert f"{size} 件" in shown

    with signed.engine.begin() as connection:
        connection.execute(
            text('UPDATE audit_entries SET actor_name = :v WHERE "index" = 5'), {"v": "someone else"}
        )
    auditor.post("/audit/verification")
    shown = html.unescape(auditor.get("/audit/verification").text)
    assert "台帳の検証に失敗しました" in shown
    assert "最初の不正な記録は 5 番です" in shown


def test_a_failed_verification_names_its_problems_in_the_readers_language(
    signed: UnitOfWork, auditor: Browser
) -> None:
    with signed.engine.begin() as connection:
        edit = 'UPDATE audit_entries SET {column} = :v WHERE "index" = :i'
        connection.execute(text(edit.format(column="actor_name")), {"v": "someone else", "i": 5})
        connection.execute(text(edit.format(column="action")), {"v": "case:erase", "i": 6})

    auditor.post("/audit/verification")
    japanese = html.unescape(auditor.get("/audit/verification").text)
    assert "記録5：列actor_nameの値は'someone else'ですが、リーフでは" in japanese
    assert "です；記録6：列actionの値は'case:erase'ですが、リーフでは" in japanese, "listed with ；"
    assert "but the leaf says" not in japanese

    auditor.post("/language", {"lang": "en", "next": "/audit/verification"})
    auditor.post("/audit/verification")
    english = html.unescape(auditor.get("/audit/verification").text)
    assert "entry 5: column actor_name is 'someone else' but the leaf says" in english
    assert "; entry 6: column action is 'case:erase' but the leaf says" in english


def test_an_inclusion_proof_leads_from_the_leaf_to_the_root(signed: UnitOfWork, auditor: Browser) -> None:
    # In a tree of two entries the proof of entry 1 is entry 0's leaf hash, and the root hashes both.
    first, second = _leaf_hash(_leaf(signed, 0)), _leaf_hash(_leaf(signed, 1))
    page = html.unescape(auditor.get("/audit/verification?index=1&size=2").text)
    assert second.hex() in page
    assert re.search(rf"<li><code class=\"digest\">{first.hex()}</code></li>", page)
    assert _root_of_two(first, second).hex() in page


def test_a_consistency_proof_and_the_htmx_fragment(signed: UnitOfWork, auditor: Browser) -> None:
    # From 1 to 2 entries: the proof is the second leaf's hash; the old root is the first leaf's.
    first, second = _leaf_hash(_leaf(signed, 0)), _leaf_hash(_leaf(signed, 1))
    fragment = auditor.get("/audit/verification?old=1&new=2", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    body = html.unescape(fragment.text)
    assert first.hex() in body
    assert second.hex() in body
    assert _root_of_two(first, second).hex() in body


def test_a_proof_of_an_entry_beyond_the_ledger_is_not_found(signed: UnitOfWork, auditor: Browser) -> None:
    assert auditor.get(f"/audit/verification?index={_size(signed) + 10}").status_code == 404


def test_verification_needs_the_csrf_token(auditor: Browser) -> None:
    assert auditor.post("/audit/verification", token=False).status_code == 403


def test_the_proof_forms_work_with_their_optional_sizes_left_blank(
    signed: UnitOfWork, auditor: Browser
) -> None:
    # The forms send every field: an empty tree size means "the whole ledger", never a 422.
    size = _size(signed)
    inclusion = auditor.get("/audit/verification?index=1&size=", headers={"HX-Request": "true"})
    assert inclusion.status_code == 200
    assert _leaf_hash(_leaf(signed, 1)).hex() in html.unescape(inclusion.text)
    assert f"{size:,}" in inclusion.text or str(size) in inclusion.text
    consistency = auditor.get("/audit/verification?old=1&new=", headers={"HX-Request": "true"})
    assert consistency.status_code == 200
    assert _leaf_hash(_leaf(signed, 0)).hex() in html.unescape(consistency.text)
    assert auditor.get("/audit/verification?index=&size=&old=&new=").status_code == 200
    assert auditor.get("/audit/verification?size=-1").status_code == 422


def _entry_numbers(page: str) -> list[int]:
    return [int(number.replace(",", "")) for number in re.findall(r'<td class="number">([\d,]+)</td>', page)]


def test_the_ledger_page_opens_on_the_newest_entries_and_pages_back(
    signed: UnitOfWork, auditor: Browser
) -> None:
    from shokei.audit.pages import PAGE_SIZE

    with signed.transaction():
        for n in range(PAGE_SIZE + 5):
            signed.record("case:open", "case", n, None)
    size = _size(signed)
    first = auditor.get("/audit")
    assert first.status_code == 200
    numbers = _entry_numbers(first.text)
    assert numbers == list(range(size - 1, size - 1 - PAGE_SIZE, -1))
    assert "開始位置" not in first.text
    older = re.search(r'href="/audit\?before=(\d+)', first.text)
    assert older is not None
    assert int(older.group(1)) == size - PAGE_SIZE
    second = auditor.get(f"/audit?before={older.group(1)}&action=")
    assert _entry_numbers(second.text) == list(range(size - PAGE_SIZE - 1, -1, -1))[:PAGE_SIZE]
    assert auditor.get("/audit?before=").status_code == 200
