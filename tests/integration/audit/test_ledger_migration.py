"""Revision 0002 hashes the entries that 0001 stored without a tree, and refuses a damaged log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, insert, select, text
from sqlalchemy.engine import make_url

from shokei.audit import services as audit
from shokei.audit.domain import leaf_bytes
from shokei.audit.merkle import leaf_hash, root_from_leaf_hashes, root_hash
from shokei.audit.models import AuditEntry, AuditHead, AuditNode
from shokei.audit.store import SqlNodeStore
from shokei.clock import FixedClock
from shokei.db import make_engine
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.migrate import alembic_config, upgrade_to_head
from tests.conftest import TEST_NOW
from tests.integration.audit.conftest import AUDITOR, event


@pytest.fixture
def scratch_engine(database_url: str, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of the backend under test, apart from the session's one."""
    if database_url.startswith("sqlite"):
        engine = make_engine(f"sqlite:///{tmp_path / 'scratch.db'}")
        yield engine
        engine.dispose()
        return
    server = make_url(database_url)
    name = f"shokei_scratch_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(server.set(database=name).render_as_string(hide_password=False))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def at_revision_0001_with_entries(engine: Engine, indices: list[int]) -> list[bytes]:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    clock, leaves = FixedClock(TEST_NOW), []
    with engine.begin() as connection:
        for index in indices:  # what 0001's audit.record() wrote: the entry and the head, no tree
            happened = event(clock, index)
            leaves.append(leaf_bytes(happened, index))
            connection.execute(
                insert(AuditEntry).values(
                    index=index,
                    at=happened.at,
                    actor_id=happened.actor.user_id if happened.actor else None,
                    actor_name=happened.actor_name,
                    action=happened.action,
                    subject_type=happened.subject_type,
                    subject_id=happened.subject_id,
                    leaf=leaves[-1],
                )
            )
        connection.execute(insert(AuditHead).values(id=1, size=len(indices)))
    return leaves


def test_upgrading_stores_the_tree_of_the_entries_already_there(scratch_engine: Engine) -> None:
    leaves = at_revision_0001_with_entries(scratch_engine, list(range(13)))
    upgrade_to_head(scratch_engine)
    uow = UnitOfWork(scratch_engine, FixedClock(TEST_NOW))
    with uow.transaction() as session:
        assert root_hash(SqlNodeStore(session), 13) == root_from_leaf_hashes(
            leaf_hash(leaf) for leaf in leaves
        )
        assert len(session.execute(select(AuditNode.index)).all()) == 13 + 6 + 3 + 1
        audit.record(session, event(FixedClock(TEST_NOW), 13))
    report = audit.verify_ledger(uow, AUDITOR)
    assert report.ok, report.problems
    assert report.size == 14


def test_upgrading_refuses_to_hash_a_log_with_a_gap(scratch_engine: Engine) -> None:
    at_revision_0001_with_entries(scratch_engine, [0, 1, 3])
    with pytest.raises(RuntimeError, match="audit_entries has no entry 2"):
        upgrade_to_head(scratch_engine)
