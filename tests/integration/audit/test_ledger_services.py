"""Appends, stored tree nodes, checkpoints and proofs against an independent RFC 9162 model."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select, text

from shokei.audit import services as audit
from shokei.audit.domain import leaf_bytes
from shokei.audit.merkle import leaf_hash, node_hash, verify_consistency, verify_inclusion
from shokei.audit.models import AuditCheckpoint, AuditEntry, AuditNode
from shokei.audit.notes import open_note
from shokei.audit.store import SqlNodeStore
from shokei.clock import FixedClock
from shokei.errors import BadInput, Forbidden, IntegrityFailure, NotFound
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests.integration.audit.conftest import AUDITOR, ORIGIN, append, event, ledger_config

# -- an independent model of RFC 9162 §2.1, written from the text -----------------------------


def mth(hashes: Sequence[bytes]) -> bytes:
    if not hashes:
        return hashlib.sha256(b"").digest()
    if len(hashes) == 1:
        return hashes[0]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)
    return node_hash(mth(hashes[:split]), mth(hashes[split:]))


def path(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) <= 1:
        return []
    split = 1 << ((len(hashes) - 1).bit_length() - 1)
    if index < split:
        return [*path(index, hashes[:split]), mth(hashes[split:])]
    return [*path(index - split, hashes[split:]), mth(hashes[:split])]


def subproof(old: int, hashes: Sequence[bytes], whole: bool) -> list[bytes]:
    if old == len(hashes):
        return [] if whole else [mth(hashes)]
    split = 1 << ((len(hashes) - 1).bit_length() - 1)
    if old <= split:
        return [*subproof(old, hashes[:split], whole), mth(hashes[split:])]
    return [*subproof(old - split, hashes[split:], False), mth(hashes[:split])]


def stored_leaf_hashes(uow: UnitOfWork) -> list[bytes]:
    with uow.transaction() as session:
        leaves = session.execute(select(AuditEntry.leaf).order_by(AuditEntry.index)).scalars()
        return [leaf_hash(leaf) for leaf in leaves]


# -- appends -----------------------------------------------------------------------------------


def test_appends_are_gapless_and_store_every_complete_subtree(uow: UnitOfWork) -> None:
    append(uow, 20, per_transaction=1)
    append(uow, 17, per_transaction=6)
    with uow.transaction() as session:
        indices = list(session.execute(select(AuditEntry.index).order_by(AuditEntry.index)).scalars())
        nodes = {(n.level, n.index): n.hash for n in session.execute(select(AuditNode)).scalars()}
        assert audit.ledger_size(session) == 37
    assert indices == list(range(37))
    hashes = stored_leaf_hashes(uow)
    expected = {
        (level, j): mth(hashes[j << level : (j + 1) << level])
        for level in range((37).bit_length())
        for j in range(37 >> level)
    }
    assert nodes == expected


def test_the_node_store_returns_exactly_the_stored_nodes_asked_for(uow: UnitOfWork) -> None:
    # More keys than one SQLite probe query takes, repeated, and some that were never stored.
    append(uow, 300, per_transaction=50)
    asked = [(level, j) for level in range(10) for j in range(0, 320 >> level, 1)]
    asked += asked[:7]
    with uow.transaction() as session:
        stored = {(n.level, n.index): n.hash for n in session.execute(select(AuditNode)).scalars()}
        found = SqlNodeStore(session).get_nodes(asked)
    assert len(asked) > 300
    assert found == {key: stored[key] for key in asked if key in stored}
    assert (0, 300) not in found
    assert (0, 299) in found


def test_each_leaf_is_the_canonical_event_with_its_own_index(uow: UnitOfWork) -> None:
    assert isinstance(uow.clock, FixedClock)
    events = [event(uow.clock, n) for n in range(3)]
    with uow.transaction() as session:
        assert audit.record(session, events[0]) == 0
        assert audit.record_many(session, events[1:]) == range(1, 3)
        leaves = list(session.execute(select(AuditEntry.leaf).order_by(AuditEntry.index)).scalars())
    assert leaves == [leaf_bytes(e, i) for i, e in enumerate(events)]


def test_a_unit_of_work_appends_a_batch_in_order_in_its_own_transaction(uow: UnitOfWork) -> None:
    assert isinstance(uow.clock, FixedClock)
    append(uow, 1)
    events = [event(uow.clock, n) for n in range(1, 4)]

    def failing_use_case() -> None:
        with uow:
            uow.record_many(events)
            raise RuntimeError("the use case failed after auditing")

    with pytest.raises(RuntimeError):
        failing_use_case()
    with uow:
        uow.record_many([])  # nothing to append: no entry, no lock
        uow.record_many(events)
        leaves = list(uow.session.execute(select(AuditEntry.leaf).order_by(AuditEntry.index)).scalars())
    assert leaves[1:] == [leaf_bytes(e, i) for i, e in enumerate(events, start=1)]
    assert audit.verify_ledger(uow, AUDITOR).ok


def test_an_aborted_transaction_takes_its_entries_with_it(uow: UnitOfWork) -> None:
    append(uow, 3)
    assert isinstance(uow.clock, FixedClock)
    clock = uow.clock

    def failing_use_case() -> None:
        with uow.transaction() as session:
            audit.record(session, event(clock, 99))
            raise RuntimeError("the use case failed after auditing")

    with pytest.raises(RuntimeError):
        failing_use_case()
    append(uow, 1)
    with uow.transaction() as session:
        assert list(session.execute(select(AuditEntry.index).order_by(AuditEntry.index)).scalars()) == [
            0,
            1,
            2,
            3,
        ]
    assert audit.verify_ledger(uow, AUDITOR).ok


# -- checkpoints -------------------------------------------------------------------------------


def checkpoint_sizes(uow: UnitOfWork) -> list[int]:
    with uow.transaction() as session:
        return list(session.execute(select(AuditCheckpoint.size).order_by(AuditCheckpoint.size)).scalars())


def test_a_checkpoint_is_signed_every_n_entries_inside_the_append(signed_uow: UnitOfWork) -> None:
    append(signed_uow, 9)
    assert checkpoint_sizes(signed_uow) == []
    append(signed_uow, 1)
    assert checkpoint_sizes(signed_uow) == [10]
    append(signed_uow, 25, per_transaction=7)  # sizes 17, 24, 31, 35: due at 24 and 35
    assert checkpoint_sizes(signed_uow) == [10, 24, 35]
    hashes = stored_leaf_hashes(signed_uow)
    for checkpoint in audit.list_checkpoints(signed_uow, AUDITOR):
        signed = open_note(checkpoint.note, signed_uow.ledger.verifier_key)  # type: ignore[union-attr]
        assert (signed.origin, signed.size, signed.root) == (
            ORIGIN,
            checkpoint.size,
            mth(hashes[: checkpoint.size]),
        )


def test_a_checkpoint_is_signed_once_the_last_is_older_than_t_minutes(
    uow: UnitOfWork, ledger_keys: tuple[str, str]
) -> None:
    clock = FixedClock(uow.clock.now())
    timed = UnitOfWork(
        uow.engine, clock, ledger=ledger_config(ledger_keys, every_entries=0, every_minutes=60)
    )
    append(timed, 3)
    assert checkpoint_sizes(timed) == [1]  # a never-signed log is overdue at once
    clock.at += timedelta(minutes=59)
    append(timed, 2)
    assert checkpoint_sizes(timed) == [1]
    clock.at += timedelta(minutes=1)
    append(timed, 1)
    assert checkpoint_sizes(timed) == [1, 6]


def test_without_a_signing_key_appends_go_on_and_checkpoints_are_refused(uow: UnitOfWork) -> None:
    append(uow, 12)
    assert checkpoint_sizes(uow) == []
    with pytest.raises(audit.SigningKeyUnavailable, match="signing key"):
        audit.make_checkpoint(uow, AUDITOR)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ADMIN])
def test_auditors_and_admins_make_checkpoints_on_demand(signed_uow: UnitOfWork, role: Role) -> None:
    append(signed_uow, 4)
    made = audit.make_checkpoint(signed_uow, Actor(1, "someone", role))
    again = audit.make_checkpoint(signed_uow, Actor(1, "someone", role))
    assert made == again
    assert made.size == 4
    assert made.root == mth(stored_leaf_hashes(signed_uow)).hex()
    assert checkpoint_sizes(signed_uow) == [4]


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.AUDITOR, Role.ADMIN)])
def test_nobody_else_makes_checkpoints(signed_uow: UnitOfWork, role: Role) -> None:
    with pytest.raises(Forbidden):
        audit.make_checkpoint(signed_uow, Actor(1, "someone", role))
    assert checkpoint_sizes(signed_uow) == []


def test_a_checkpoint_verifies_with_an_independent_ed25519_verifier(signed_uow: UnitOfWork) -> None:
    append(signed_uow, 10)
    note = audit.list_checkpoints(signed_uow, AUDITOR)[0].note
    body, _, signature_line = note.partition("\n\n")
    body += "\n"
    name, _, encoded_key = signed_uow.ledger.verifier_key.partition("+")  # type: ignore[union-attr]
    key_material = base64.b64decode(encoded_key.split("+", 1)[1])
    assert key_material[0] == 0x01
    public_key = Ed25519PublicKey.from_public_bytes(key_material[1:])
    assert signature_line.startswith(f"\u2014 {name} ")
    blob = base64.b64decode(signature_line.removesuffix("\n").split(" ")[2])
    key_id, signature = blob[:4], blob[4:]
    assert key_id == hashlib.sha256(name.encode() + b"\n\x01" + key_material[1:]).digest()[:4]
    assert body == f"{ORIGIN}\n10\n{base64.b64encode(mth(stored_leaf_hashes(signed_uow))).decode()}\n"

    public_key.verify(signature, body.encode())  # raises if the signature is bad
    signed = body.encode()
    for bit in range(len(signed) * 8):
        flipped = bytearray(signed)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(InvalidSignature):
            public_key.verify(signature, bytes(flipped))
    for bit in range(len(signature) * 8):
        flipped = bytearray(signature)
        flipped[bit // 8] ^= 1 << (bit % 8)
        with pytest.raises(InvalidSignature):
            public_key.verify(bytes(flipped), signed)


# -- proofs ------------------------------------------------------------------------------------


def test_inclusion_proofs_match_the_rfc_at_every_index_and_size(uow: UnitOfWork) -> None:
    append(uow, 19, per_transaction=4)
    hashes = stored_leaf_hashes(uow)
    for size in range(1, 20):
        for index in range(size):
            proof = audit.prove_inclusion(uow, AUDITOR, index, size)
            assert (proof.index, proof.size, proof.leaf_hash) == (index, size, hashes[index].hex())
            assert proof.root == mth(hashes[:size]).hex()
            assert proof.proof == [h.hex() for h in path(index, hashes[:size])]
            as_bytes = [bytes.fromhex(h) for h in proof.proof]
            assert verify_inclusion(hashes[index], index, size, as_bytes, bytes.fromhex(proof.root))
    whole = audit.prove_inclusion(uow, AUDITOR, 7)
    assert whole.size == 19


def test_consistency_proofs_match_the_rfc_for_every_pair_of_sizes(uow: UnitOfWork) -> None:
    append(uow, 13, per_transaction=5)
    hashes = stored_leaf_hashes(uow)
    for new in range(0, 14):
        for old in range(0, new + 1):
            proof = audit.prove_consistency(uow, AUDITOR, old, new)
            expected = subproof(old, hashes[:new], True) if 0 < old < new else []
            assert proof.proof == [h.hex() for h in expected]
            assert (proof.old_root, proof.new_root) == (mth(hashes[:old]).hex(), mth(hashes[:new]).hex())
            as_bytes = [bytes.fromhex(h) for h in proof.proof]
            roots = bytes.fromhex(proof.old_root), bytes.fromhex(proof.new_root)
            assert verify_consistency(old, new, *roots, as_bytes)


def test_a_proof_at_a_checkpointed_size_carries_its_signed_note(signed_uow: UnitOfWork) -> None:
    append(signed_uow, 12)
    proof = audit.prove_inclusion(signed_uow, AUDITOR, 3, 10)
    assert proof.checkpoint is not None
    assert open_note(proof.checkpoint, signed_uow.ledger.verifier_key).root.hex() == proof.root  # type: ignore[union-attr]
    assert audit.prove_inclusion(signed_uow, AUDITOR, 3, 11).checkpoint is None


def test_proofs_refuse_what_does_not_exist(uow: UnitOfWork) -> None:
    append(uow, 5)
    with pytest.raises(NotFound):
        audit.prove_inclusion(uow, AUDITOR, 5)
    with pytest.raises(NotFound):
        audit.prove_inclusion(uow, AUDITOR, 3, 3)
    with pytest.raises(BadInput):
        audit.prove_inclusion(uow, AUDITOR, 0, 6)
    with pytest.raises(BadInput):
        audit.prove_consistency(uow, AUDITOR, 4, 3)
    with pytest.raises(BadInput):
        audit.prove_consistency(uow, AUDITOR, 2, 6)


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.AUDITOR])
def test_only_auditors_read_prove_verify_and_export(uow: UnitOfWork, role: Role, tmp_path: object) -> None:
    append(uow, 2)
    actor = Actor(1, "someone", role)
    for attempt in (
        lambda: audit.list_entries(uow, actor),
        lambda: audit.entries_about(uow, actor, [("case", "0")]),
        lambda: audit.list_checkpoints(uow, actor),
        lambda: audit.prove_inclusion(uow, actor, 0),
        lambda: audit.prove_consistency(uow, actor, 1, 2),
        lambda: audit.verify_ledger(uow, actor),
        lambda: audit.export_ledger(uow, actor, tmp_path),  # type: ignore[arg-type]
    ):
        with pytest.raises(Forbidden):
            attempt()


def test_entries_about_subjects_come_in_ledger_order(uow: UnitOfWork) -> None:
    append(uow, 4)  # case 0, 1, 2, 3 at indices 0, 1, 2, 3
    found = audit.entries_about(uow, AUDITOR, [("case", "3"), ("case", "1"), ("document", "1")])
    assert [(entry.index, entry.subject_id) for entry in found] == [(1, "1"), (3, "3")]


def test_a_proof_over_a_tampered_entry_is_refused(uow: UnitOfWork) -> None:
    append(uow, 6)
    with uow.engine.begin() as connection:
        connection.execute(
            text('UPDATE audit_entries SET leaf = :leaf WHERE "index" = 2'),
            {"leaf": b'{"forged":true}'},
        )
    with pytest.raises(IntegrityFailure, match="entry 2"):
        audit.prove_inclusion(uow, AUDITOR, 2)
    audit.prove_inclusion(uow, AUDITOR, 3)
