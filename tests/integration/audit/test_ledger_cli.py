"""`shokei audit ...`: checkpoint, prove, consistency, verify, export and verify --offline."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from shokei.audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from shokei.audit.notes import generate_signer, open_note
from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import Cli
from tests.web.test_japanese_messages import english_sentences

AUDITOR = ("--as", "auditor")
# What `audit verify` says of entry 3 (intake's account, added by admin) once its actor_name
# column is edited: the English every language's JSON keeps.
ENGLISH_PROBLEM = "entry 3: column actor_name is 'someone' but the leaf says 'admin'"


def office(cli: Cli) -> None:
    """An initialised data dir, an auditor, an intake officer and a few audited changes."""
    assert cli("init").exit_code == 0
    for name, role in [("auditor", "auditor"), ("intake", "intake_officer"), ("examiner", "examiner")]:
        assert cli("user", "add", name, "--role", role, "--as", "admin").exit_code == 0
    assert cli("user", "role", "examiner", "--role", "negotiator", "--as", "admin").exit_code == 0


def as_json(cli: Cli, *args: str, expect: int = 0) -> dict[str, Any]:
    result = cli(*args, "--json")
    assert result.exit_code == expect, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_checkpoint_prove_and_consistency(cli: Cli, cli_env: Path) -> None:
    office(cli)
    checkpoint = as_json(cli, "audit", "checkpoint", *AUDITOR)
    assert checkpoint["size"] == 6  # admin and its second factor, three users, one role change
    verifier = (cli_env / "ledger-keys" / "ledger.vkey").read_text()
    signed = open_note(checkpoint["note"], verifier)
    assert (signed.size, signed.root.hex()) == (6, checkpoint["root"])
    assert as_json(cli, "audit", "checkpoint", "--as", "admin") == checkpoint  # nothing new to sign

    proof = as_json(cli, "audit", "prove", "2", *AUDITOR)
    assert proof["size"] == 6
    assert proof["checkpoint"] == checkpoint["note"]
    hashes = [bytes.fromhex(h) for h in proof["proof"]]
    assert verify_inclusion(bytes.fromhex(proof["leaf_hash"]), 2, 6, hashes, signed.root)

    cli("user", "add", "manager", "--role", "program_manager", "--as", "admin")
    older = as_json(cli, "audit", "prove", "2", "--size", "4", *AUDITOR)
    assert (older["size"], older["checkpoint"]) == (4, None)
    consistency = as_json(cli, "audit", "consistency", "4", "7", *AUDITOR)
    assert consistency["old_root"] == older["root"]
    roots = bytes.fromhex(consistency["old_root"]), bytes.fromhex(consistency["new_root"])
    assert verify_consistency(4, 7, *roots, [bytes.fromhex(h) for h in consistency["proof"]])


def test_verify_passes_then_names_the_entry_edited_in_the_database(cli: Cli, uow: UnitOfWork) -> None:
    office(cli)
    report = as_json(cli, "audit", "verify", *AUDITOR)
    assert (report["ok"], report["size"], report["first_bad_index"]) == (True, 6, None)
    assert report["checkpoints_checked"] >= 1
    human = cli("audit", "verify", *AUDITOR)
    assert human.exit_code == 0
    assert "ledger verification" in human.stdout

    with uow.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET actor_name = 'someone' WHERE \"index\" = 3"))
    failed = cli("audit", "verify", *AUDITOR, "--json")
    assert failed.exit_code == 5
    assert json.loads(failed.stdout)["first_bad_index"] == 3
    assert "first bad index 3" in failed.stderr


def test_verify_names_its_problems_in_the_users_language(
    cli: Cli, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    office(cli)
    with uow.engine.begin() as connection:
        connection.execute(text("UPDATE audit_entries SET actor_name = 'someone' WHERE \"index\" = 3"))
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)

    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    japanese = cli("audit", "verify", *AUDITOR)
    assert japanese.exit_code == 5
    problems = [line for line in japanese.stdout.splitlines() if line.startswith("- ")]
    assert len(problems) == 1
    assert problems[0].startswith("- 記録3：列actor_nameの値は'someone'ですが、リーフでは'")
    assert not english_sentences(problems[0].replace("actor_name", ""))
    assert as_json(cli, "audit", "verify", *AUDITOR, expect=5)["problems"] == [ENGLISH_PROBLEM]

    monkeypatch.setenv("LANG", "C.UTF-8")
    english = cli("audit", "verify", *AUDITOR)
    assert english.exit_code == 5
    assert [line for line in english.stdout.splitlines() if line.startswith("- ")] == [f"- {ENGLISH_PROBLEM}"]


def test_export_verifies_offline_and_names_an_edited_line(
    cli: Cli, cli_env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    office(cli)
    as_json(cli, "audit", "checkpoint", *AUDITOR)
    export = tmp_path / "export"
    summary = as_json(cli, "audit", "export", str(export), *AUDITOR)
    assert summary["entries"] == 6
    assert summary["checkpoints"] >= 1
    assert sorted(p.name for p in export.iterdir()) == ["checkpoints", "entries.jsonl", "key.vkey"]
    assert (export / "key.vkey").read_text() == (cli_env / "ledger-keys" / "ledger.vkey").read_text()
    lines = (export / "entries.jsonl").read_text().splitlines()
    assert [json.loads(line)["index"] for line in lines] == list(range(6))

    # The auditor's machine: no database, no data dir, no user.
    monkeypatch.setenv("SHOKEI_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/nowhere")
    monkeypatch.setenv("SHOKEI_DATA_DIR", str(tmp_path / "empty"))
    offline = as_json(cli, "audit", "verify", "--offline", str(export), "--key", str(export / "key.vkey"))
    assert (offline["ok"], offline["size"]) == (True, 6)

    record = json.loads(lines[3])  # the intake officer's creation
    leaf = base64.b64decode(record["leaf"]).replace(b'"intake"', b'"mallory"')
    lines[3] = json.dumps({"index": 3, "leaf": base64.b64encode(leaf).decode()})
    (export / "entries.jsonl").write_text("\n".join(lines) + "\n")
    tampered = cli("audit", "verify", "--offline", str(export), "--json")
    assert tampered.exit_code == 5
    assert leaf_hash(leaf) != leaf_hash(base64.b64decode(record["leaf"]))
    found = json.loads(tampered.stdout)
    assert found["ok"] is False
    assert found["first_bad_index"] == 3  # signed roots at 3 (holds) and 6 (fails) bracket it
    english = (
        "checkpoints/00000006.note: root does not match the entries; the first altered entry lies in [3, 6)"
    )
    assert english in found["problems"]

    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    japanese = cli("audit", "verify", "--offline", str(export))
    assert japanese.exit_code == 5
    assert (
        "- checkpoints/00000006.note：ルートハッシュが記録と一致しません。"
        "最初に改変された記録は、記録3以上6未満の範囲にあります"
    ) in japanese.stdout.splitlines()


def test_verify_offline_rejects_an_export_resigned_with_another_key(cli: Cli, tmp_path: Path) -> None:
    office(cli)
    as_json(cli, "audit", "checkpoint", *AUDITOR)
    export = tmp_path / "export"
    as_json(cli, "audit", "export", str(export), *AUDITOR)
    _, other = generate_signer("shokei-ledger")
    pinned = tmp_path / "published.vkey"
    pinned.write_text(other + "\n")
    result = cli("audit", "verify", "--offline", str(export), "--key", str(pinned), "--json")
    assert result.exit_code == 5
    assert any("not the trusted verifier key" in p for p in json.loads(result.stdout)["problems"])


def test_the_ledger_commands_refuse_non_auditors(cli: Cli, tmp_path: Path) -> None:
    office(cli)
    for args in (
        ("audit", "prove", "0"),
        ("audit", "consistency", "1", "2"),
        ("audit", "verify"),
        ("audit", "export", str(tmp_path / "x")),
    ):
        for user in ("intake", "admin"):
            result = cli(*args, "--as", user)
            assert result.exit_code == 3, (args, user, result.stdout)
            assert "only an auditor" in result.stderr
    assert cli("audit", "checkpoint", "--as", "intake").exit_code == 3
    assert not (tmp_path / "x").exists()


def test_bad_proof_requests_are_bad_input_or_not_found(cli: Cli) -> None:
    office(cli)
    assert cli("audit", "prove", "99", *AUDITOR).exit_code == 3
    assert cli("audit", "prove", "0", "--size", "99", *AUDITOR).exit_code == 2
    assert cli("audit", "consistency", "4", "2", *AUDITOR).exit_code == 2
