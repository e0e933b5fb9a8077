"""Designated secrets (装備品等秘密, Art. 27; issue 17) through `shokei secret ...` and the hand-over:
designation of a case's documents, release refused to a successor not certified for them (and to
one whose certification does not cover `designated_secret`), the released PDF copy of a real
four-page PDF carrying the statutory marking and its validity on every page (read with pypdf), the
DXF copy carrying it as TEXT, dissemination under the same rule, renewal, lifting (still listed),
the expiring list and the role refusals."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import ezdxf
import pypdf
from ezdxf.lldxf.encoding import decode_dxf_unicode
from sqlalchemy import select

from shokei.audit.models import AuditEntry
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests import factories
from tests.conftest import Cli
from tests.factories import Office
from tests.pdf_text import visible_text

# The CLI runs on the system clock, whose dates are Japanese calendar dates (UTC+9).
TODAY = datetime.now(timezone(timedelta(hours=9))).date()
UNTIL = (TODAY + timedelta(days=200)).isoformat()
RENEWED = (TODAY + timedelta(days=400)).isoformat()
CERTIFIED = (TODAY + timedelta(days=500)).isoformat()
# Written out here, not built by the code under test.
MARK_JA = f"装備品等秘密（防衛生産基盤強化法第27条） 有効期限 {UNTIL}"
MARK_EN = f"DESIGNATED SECRET (Equipment Secret) - Act No. 54 of 2023, Art. 27 - valid until {UNTIL}"
RULE = "designated_secret_certification"


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result.json()


def _entries(cli: Cli, *options: str) -> dict[int, dict[str, Any]]:
    listed = _ok(cli("secret", "list", *options, "--as", "auditor", "--json"))
    return {entry["document_id"]: entry for entry in listed}


def test_designate_release_mark_disseminate_renew_lift_and_list(
    uow: UnitOfWork, cli: Cli, real_files: Path, tmp_path: Path
) -> None:
    assert cli("init").exit_code == 0
    office = Office(uow)
    successor = office.successor_company.corporate_number or ""
    sub_company = factories.company(uow, "下請精密株式会社")
    sub = sub_company.corporate_number or ""
    office.make_eligible(sub_company)
    factories.user(uow, Role.SUCCESSOR, sub, "sub")

    case = office.open_case(documents=0).id
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(real_files / "pdf" / "pdflatex-4-pages.pdf", inbox / "砲身部品図.pdf")
    shutil.copy(real_files / "dxf" / "small_r14.dxf", inbox / "取付図.dxf")
    assert cli("docs", "submit", str(case), str(inbox), "--as", "supplier").exit_code == 0
    documents = {
        Path(d["path"]).suffix: d["id"]
        for d in _ok(cli("docs", "list", str(case), "--as", "manager", "--json"))
    }
    pdf_doc, dxf_doc = documents[".pdf"], documents[".dxf"]
    office.to_successor_selection(case)
    office.select_successor(case)
    assert cli("successor", "accept", str(case), "--as", "successor").exit_code == 0

    # Only a program manager designates; auditors and officials read; companies do not.
    designate = (
        "secret",
        "designate",
        "--case",
        str(case),
        "--until",
        UNTIL,
        "--reason",
        "射程性能に直結",
    )
    assert cli(*designate, "--as", "examiner").exit_code == 3
    assert (
        cli(
            "secret",
            "designate",
            str(pdf_doc),
            "--until",
            TODAY.isoformat(),
            "--reason",
            "x",
            "--as",
            "manager",
        ).exit_code
        == 2
    )
    made = _ok(cli(*designate, "--as", "manager", "--json"))
    assert sorted(entry["document_id"] for entry in made) == sorted([pdf_doc, dxf_doc])
    assert (
        cli(
            "secret", "designate", str(pdf_doc), "--until", UNTIL, "--reason", "再", "--as", "manager"
        ).exit_code
        == 4
    )
    assert cli("secret", "list", "--as", "successor").exit_code == 3
    assert cli("secret", "list", "--as", "examiner").exit_code == 0

    # Release to a successor never certified, then certified without the scope: refused, rule named.
    never = cli("handover", "release", str(case), "--as", "manager")
    assert never.exit_code == 4
    assert RULE in never.stderr
    assert "never certified" in never.stderr
    certify = ("company", "certify", successor, "--custodian", "保全 太郎", "--until", CERTIFIED)
    assert cli(*certify, "--scope", "drawings", "--as", "manager").exit_code == 0
    narrow = cli("handover", "release", str(case), "--as", "manager")
    assert narrow.exit_code == 4
    assert RULE in narrow.stderr
    assert "does not cover designated_secret" in narrow.stderr
    assert cli(*certify, "--scope", "drawings,designated_secret", "--as", "manager").exit_code == 0
    copies = {
        c["document"]: c for c in _ok(cli("handover", "release", str(case), "--as", "manager", "--json"))
    }

    # The PDF copy: the statutory marking and its validity on every page, as pypdf extracts them.
    pdf_out = tmp_path / "copy.pdf"
    assert (
        cli(
            "handover", "download", copies[pdf_doc]["copy_id"], "--out", str(pdf_out), "--as", "successor"
        ).exit_code
        == 0
    )
    pages = pypdf.PdfReader(pdf_out).pages
    assert len(pages) == 4
    for page in pages:
        text = visible_text(page)
        assert MARK_JA in text
        assert MARK_EN in text
        assert "SHOKEI-COPY:" not in text  # the invisible mark stays invisible: the helper can tell
    # The DXF copy: the same two lines as TEXT on their own layer.
    dxf_out = tmp_path / "copy.dxf"
    assert (
        cli(
            "handover", "download", copies[dxf_doc]["copy_id"], "--out", str(dxf_out), "--as", "successor"
        ).exit_code
        == 0
    )
    # A pre-R2007 drawing stores characters beyond its code page as \U+XXXX (the DXF way).
    texts = [
        decode_dxf_unicode(e.dxf.text)
        for e in ezdxf.readfile(dxf_out).modelspace().query('TEXT[layer=="SHOKEI-SECRET"]')
    ]
    assert texts == [MARK_JA, MARK_EN]

    # The register names the holders.
    listed = _entries(cli)
    assert set(listed) == {pdf_doc, dxf_doc}
    assert listed[pdf_doc]["until"] == UNTIL
    assert listed[pdf_doc]["status"] == "designated"
    assert [h["corporate_number"] for h in listed[pdf_doc]["holders"]] == [successor]

    # Dissemination to a subcontractor not certified for secrets is refused at approval, then works.
    request = _ok(
        cli(
            "handover",
            "disseminate",
            copies[pdf_doc]["copy_id"],
            "--to",
            sub,
            "--purpose",
            "治具製作",
            "--as",
            "successor",
            "--json",
        )
    )
    refused = cli("handover", "approve-dissemination", str(request["id"]), "--as", "manager")
    assert refused.exit_code == 4
    assert RULE in refused.stderr
    assert "下請精密株式会社" in refused.stderr
    sub_certify = ("company", "certify", sub, "--custodian", "下請 花子", "--until", CERTIFIED)
    assert cli(*sub_certify, "--scope", "designated_secret", "--as", "manager").exit_code == 0
    assert cli("handover", "approve-dissemination", str(request["id"]), "--as", "manager").exit_code == 0
    holders = _entries(cli)[pdf_doc]["holders"]
    assert sorted(h["corporate_number"] for h in holders) == sorted([successor, sub])

    # Expiring: both end 200 days from today.
    assert set(_entries(cli, "--expiring-within", "200")) == {pdf_doc, dxf_doc}
    assert set(_entries(cli, "--expiring-within", "199")) == set()

    # Renewal moves the last day later (never earlier); an examiner may not renew.
    assert cli("secret", "renew", str(pdf_doc), "--until", RENEWED, "--as", "examiner").exit_code == 3
    assert (
        cli(
            "secret",
            "renew",
            str(pdf_doc),
            "--until",
            (TODAY + timedelta(days=100)).isoformat(),
            "--as",
            "manager",
        ).exit_code
        == 2
    )
    renewed = _ok(cli("secret", "renew", str(pdf_doc), "--until", RENEWED, "--as", "manager", "--json"))
    assert renewed["until"] == RENEWED
    assert [step["action"] for step in renewed["history"]] == ["designate", "renew"]
    assert set(_entries(cli, "--expiring-within", "200")) == {dxf_doc}

    # Lifting keeps the designation on the register, marked lifted, and out of the expiring list.
    assert cli("secret", "lift", str(dxf_doc), "--reason", "x", "--as", "auditor").exit_code == 3
    lifted = _ok(
        cli("secret", "lift", str(dxf_doc), "--reason", "公知化により解除", "--as", "manager", "--json")
    )
    assert lifted["status"] == "lifted"
    assert cli("secret", "lift", str(dxf_doc), "--reason", "再", "--as", "manager").exit_code == 4
    assert cli("secret", "renew", str(dxf_doc), "--until", CERTIFIED, "--as", "manager").exit_code == 4
    listed = _entries(cli)
    assert listed[dxf_doc]["status"] == "lifted"
    assert listed[pdf_doc]["status"] == "designated"
    assert set(_entries(cli, "--expiring-within", "10000")) == {pdf_doc}

    with uow.transaction() as session:
        rows = [
            (action, json.loads(leaf))
            for action, leaf in session.execute(select(AuditEntry.action, AuditEntry.leaf))
        ]
    actions = [action for action, _ in rows]
    assert actions.count("secret:designation:designate") == 2
    assert actions.count("secret:designation:renew") == 1
    assert actions.count("secret:designation:lift") == 1
    issued = [leaf for action, leaf in rows if action == "handover:copy:issue"]
    assert len(issued) == 3
    assert all(
        f'"designated_secret_until": "{UNTIL}"' in json.dumps(leaf, ensure_ascii=False) for leaf in issued
    )
