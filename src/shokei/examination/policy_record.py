"""The examination policy on record: the text of every policy version used for a decision is kept
(and its SHA-256 logged), a version whose text changed is refused (`PolicyVersionReused`), and
earlier versions are parsed back to show scores made under them.
Split from `services` because it is the tamper-evidence of the policy, shared by scoring,
override and determination.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shokei.errors import N_, Conflict, Text
from shokei.examination.domain import Policy, parse_policy
from shokei.examination.models import ExaminationPolicyRecord
from shokei.examination.policies import LoadedPolicy
from shokei.kernel.unit_of_work import UnitOfWork


class PolicyVersionReused(Conflict):
    """A policy file changed its text but kept a version already used for decisions."""


def record_policy(uow: UnitOfWork, loaded: LoadedPolicy) -> dict[str, Any]:
    """Keep the text of every version used; refuse a version whose text has changed.

    Returns what the use case's own ledger entry says of the policy: its version and the SHA-256
    of its text (so the stored text is tamper-evident), and whether this use put it on record.
    """
    policy, session = loaded.policy, uow.session
    record = session.get(ExaminationPolicyRecord, policy.version)
    first_use = record is None
    if record is None:
        record = ExaminationPolicyRecord(
            version=policy.version, sha256=policy.sha256, body=loaded.text, first_used_at=uow.clock.now()
        )
        try:
            with session.begin_nested():  # another first use may race us (PostgreSQL)
                session.add(record)
        except IntegrityError:
            first_use = False
            record = session.get_one(ExaminationPolicyRecord, policy.version, populate_existing=True)
    if record.sha256 != policy.sha256:
        raise PolicyVersionReused(
            Text(
                N_(
                    "examination policy version %(version)s is on record with other text "
                    "(sha256 %(sha256)s..., the file has %(sha2562)s...): a changed policy "
                    "must be published under a new version"
                ),
                {"version": policy.version, "sha256": record.sha256[:12], "sha2562": policy.sha256[:12]},
            )
        )
    entry = {"version": policy.version, "sha256": policy.sha256}
    return entry | {"recorded_now": True, "source": loaded.source} if first_use else entry


def policy_of_version(session: Session, version: str, current: Policy) -> Policy:
    if version == current.version:
        return current
    record = session.get_one(ExaminationPolicyRecord, version)
    return _parsed(record.body)


@lru_cache(maxsize=32)
def _parsed(text: str) -> Policy:
    return parse_policy(text)
