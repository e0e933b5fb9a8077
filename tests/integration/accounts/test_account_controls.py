"""Issue 23, findings 3 and 8: the two-person rule on roles that read contents, disabling users,
one-time passwords, expiring and revocable tokens, a TOTP second factor, and the ledger naming
who issued a token for whom."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
from sqlalchemy import select, text, update

from shokei.accounts import services as accounts
from shokei.accounts.models import User
from shokei.audit.models import AuditEntry
from shokei.clock import FixedClock
from shokei.documents.vault import KeyringSealer
from shokei.errors import Conflict, Forbidden, IntegrityFailure, NotFound, Unauthenticated
from shokei.kernel import Permission, Role
from shokei.kernel.unit_of_work import UnitOfWork
from tests.factories import PASSWORD, admin, user
from tests.factories import company as office_company

CONTENT = Permission.DOCUMENT_READ_CONTENT


class _Entry:
    def __init__(self, row: AuditEntry) -> None:
        document = json.loads(row.leaf)
        self.actor: str = row.actor_name
        self.after: dict[str, object] | None = document["after"]


def _entries(uow: UnitOfWork, action: str) -> list[_Entry]:
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.index)
    with uow.transaction() as session:
        return [_Entry(row) for row in session.execute(query).scalars()]


def test_an_admins_new_examiner_reads_nothing_until_a_program_manager_approves(uow: UnitOfWork) -> None:
    boss = admin(uow)
    manager = user(uow, Role.PROGRAM_MANAGER, name="manager")
    accounts.add_user(uow, boss, "shadow_examiner", "examiner", password=PASSWORD)
    shadow = accounts.actor_for_username(uow, "shadow_examiner")
    assert not shadow.can(CONTENT)
    assert shadow.can(Permission.CASE_READ)  # metadata work goes on meanwhile
    assert accounts.authenticate(uow, "shadow_examiner", PASSWORD).can(CONTENT) is False
    with pytest.raises(Forbidden):
        accounts.approve_user(uow, boss, "shadow_examiner")  # the admin who asked
    with pytest.raises(Forbidden):
        accounts.approve_user(uow, user(uow, Role.EXAMINER), "shadow_examiner")  # not a manager
    accounts.approve_user(uow, manager, "shadow_examiner")
    assert accounts.actor_for_username(uow, "shadow_examiner").can(CONTENT)
    approval = _entries(uow, "accounts:user:approve")[-1]  # the factory's approvals come first
    assert approval.actor == "manager"
    with pytest.raises(Conflict):
        accounts.approve_user(uow, manager, "shadow_examiner")


def test_the_admin_who_asked_cannot_approve_it_after_becoming_a_program_manager(uow: UnitOfWork) -> None:
    boss = admin(uow)
    accounts.add_user(uow, boss, "admin2", "admin", password=PASSWORD)
    second = accounts.actor_for_username(uow, "admin2")
    accounts.add_user(uow, second, "shadow", "negotiator", password=PASSWORD)
    accounts.change_role(uow, boss, "admin2", "program_manager")
    accounts.approve_user(uow, None, "admin2")  # the operator approves the rotated admin
    with pytest.raises(Forbidden):
        accounts.approve_user(uow, accounts.actor_for_username(uow, "admin2"), "shadow")
    assert not accounts.actor_for_username(uow, "shadow").can(CONTENT)


def test_a_promotion_into_a_content_role_awaits_approval_too(uow: UnitOfWork) -> None:
    boss = admin(uow)
    manager = user(uow, Role.PROGRAM_MANAGER, name="manager")
    user(uow, Role.AUDITOR, name="rotating")
    assert accounts.actor_for_username(uow, "rotating").can(CONTENT)
    view = accounts.change_role(uow, boss, "rotating", "examiner")
    assert view.content_approved is False
    assert not accounts.actor_for_username(uow, "rotating").can(CONTENT)
    accounts.approve_user(uow, manager, "rotating")
    assert accounts.actor_for_username(uow, "rotating").can(CONTENT)
    # A role that reads nothing needs nobody's approval.
    accounts.add_user(uow, boss, "admin3", "admin", password=PASSWORD)
    assert accounts.actor_for_username(uow, "admin3").content_approved


def test_a_pending_program_manager_cannot_approve(uow: UnitOfWork) -> None:
    boss = admin(uow)
    accounts.add_user(uow, boss, "pm_pending", "program_manager", password=PASSWORD)
    accounts.add_user(uow, boss, "examiner2", "examiner", password=PASSWORD)
    with pytest.raises(Forbidden):
        accounts.approve_user(uow, accounts.actor_for_username(uow, "pm_pending"), "examiner2")


def test_the_operator_approves_only_the_first_program_manager(uow: UnitOfWork) -> None:
    boss = admin(uow)
    accounts.add_user(uow, boss, "first_pm", "program_manager", password=PASSWORD)
    accounts.add_user(uow, boss, "examiner2", "examiner", password=PASSWORD)
    with pytest.raises(Forbidden):
        accounts.approve_first_program_manager(uow, "examiner2")
    accounts.approve_first_program_manager(uow, "first_pm")
    accounts.add_user(uow, boss, "second_pm", "program_manager", password=PASSWORD)
    with pytest.raises(Forbidden):
        accounts.approve_first_program_manager(uow, "second_pm")


def test_a_disabled_user_cannot_log_in_use_a_token_or_act(uow: UnitOfWork) -> None:
    boss = admin(uow)
    examiner = user(uow, Role.EXAMINER, name="examiner")
    token = accounts.issue_token(uow, examiner, "examiner").secret
    accounts.set_disabled(uow, boss, "examiner", disabled=True)
    with pytest.raises(Unauthenticated):
        accounts.authenticate(uow, "examiner", PASSWORD)
    with pytest.raises(Unauthenticated):
        accounts.actor_for_token(uow, token)
    with pytest.raises(Forbidden):
        accounts.set_disabled(uow, examiner, "admin", disabled=True)
    with pytest.raises(Forbidden):
        accounts.set_disabled(uow, boss, "admin", disabled=True)  # never oneself
    accounts.set_disabled(uow, boss, "examiner", disabled=False)
    assert accounts.actor_for_token(uow, token).username == "examiner"
    assert [e.actor for e in _entries(uow, "accounts:user:disable")] == ["admin"]
    assert [e.actor for e in _entries(uow, "accounts:user:enable")] == ["admin"]


def test_a_reset_password_works_once_and_must_be_changed(uow: UnitOfWork, sealer: KeyringSealer) -> None:
    boss = admin(uow)
    examiner = user(uow, Role.EXAMINER, name="examiner")
    one_time = accounts.reset_password(uow, boss, "examiner").secret
    with pytest.raises(Unauthenticated):
        accounts.authenticate(uow, "examiner", PASSWORD)
    assert accounts.log_in(uow, "examiner", one_time, sealer=sealer).must_change_password
    with pytest.raises(Forbidden):
        accounts.reset_password(uow, examiner, "admin")
    accounts.change_password(uow, examiner, one_time, "a brand new passphrase")
    outcome = accounts.log_in(uow, "examiner", "a brand new passphrase", sealer=sealer)
    assert not outcome.must_change_password
    with pytest.raises(Unauthenticated):
        accounts.authenticate(uow, "examiner", one_time)
    assert [e.actor for e in _entries(uow, "accounts:password:reset")] == ["admin"]
    assert [e.actor for e in _entries(uow, "accounts:password:change")] == ["examiner"]
    assert len(_entries(uow, "accounts:login:success")) == 2


def test_tokens_expire_after_90_days_and_can_be_revoked(uow: UnitOfWork, clock: FixedClock) -> None:
    boss = admin(uow)
    examiner = user(uow, Role.EXAMINER, name="examiner")
    token = accounts.issue_token(uow, examiner, "examiner").secret
    (listed,) = accounts.list_tokens(uow, examiner, "examiner")
    assert listed.expires_at == clock.at + timedelta(days=90)
    issued_at = clock.at
    clock.at = issued_at + timedelta(days=89, hours=23)
    assert accounts.actor_for_token(uow, token).username == "examiner"
    clock.at = issued_at + timedelta(days=90)
    with pytest.raises(Unauthenticated):
        accounts.actor_for_token(uow, token)
    assert not accounts.list_tokens(uow, boss, "examiner")[0].active
    clock.at = issued_at
    second = accounts.issue_token(uow, boss, "examiner").secret
    second_id = accounts.list_tokens(uow, boss, "examiner")[-1].id
    with pytest.raises(Forbidden):
        accounts.list_tokens(uow, user(uow, Role.NEGOTIATOR), "examiner")
    accounts.revoke_token(uow, boss, second_id)
    with pytest.raises(Unauthenticated):
        accounts.actor_for_token(uow, second)
    with pytest.raises(Conflict):
        accounts.revoke_token(uow, boss, second_id)
    assert [e.actor for e in _entries(uow, "accounts:token:revoke")] == ["admin"]


def test_a_token_for_another_user_needs_an_admin_and_the_ledger_names_both(uow: UnitOfWork) -> None:
    boss = admin(uow)
    examiner = user(uow, Role.EXAMINER, name="examiner")
    user(uow, Role.NEGOTIATOR, name="negotiator")
    with pytest.raises(Forbidden):
        accounts.issue_token(uow, examiner, "negotiator")
    accounts.issue_token(uow, boss, "negotiator")
    (entry,) = _entries(uow, "accounts:token:create")
    assert entry.actor == "admin"
    assert entry.after is not None
    assert entry.after["subject"] == "negotiator"


def _secret(uri: str) -> str:
    return parse_qs(urlsplit(uri).query)["secret"][0]


def test_an_enrolled_user_needs_a_fresh_totp_code(
    uow: UnitOfWork, clock: FixedClock, sealer: KeyringSealer
) -> None:
    boss = admin(uow)
    user(uow, Role.EXAMINER, name="examiner")
    uri = accounts.enroll_mfa(uow, boss, "examiner", sealer)
    assert uri.startswith("otpauth://totp/")
    totp = pyotp.TOTP(_secret(uri))
    with pytest.raises(Unauthenticated):
        accounts.log_in(uow, "examiner", PASSWORD, sealer=sealer)
    wrong = "000000" if totp.at(clock.at) != "000000" else "111111"
    with pytest.raises(Unauthenticated):
        accounts.log_in(uow, "examiner", PASSWORD, wrong, sealer=sealer)
    code = totp.at(clock.at)
    assert accounts.log_in(uow, "examiner", PASSWORD, code, sealer=sealer).username == "examiner"
    with pytest.raises(Unauthenticated):  # the same code again: a replay
        accounts.log_in(uow, "examiner", PASSWORD, code, sealer=sealer)
    clock.at += timedelta(seconds=30)
    assert accounts.log_in(uow, "examiner", PASSWORD, totp.at(clock.at), sealer=sealer).username == "examiner"
    later = totp.at(clock.at + timedelta(seconds=30))
    with pytest.raises(Unauthenticated):  # no password, no login, whatever the code
        accounts.log_in(uow, "examiner", "wrong password", later, sealer=sealer)
    (enrolment,) = _entries(uow, "accounts:mfa:enroll")
    assert enrolment.actor == "admin"


def test_the_totp_secret_is_sealed_in_the_database_and_bound_to_its_user(
    uow: UnitOfWork, clock: FixedClock, sealer: KeyringSealer
) -> None:
    boss = admin(uow)
    user(uow, Role.EXAMINER, name="examiner")
    user(uow, Role.NEGOTIATOR, name="negotiator")
    secret = _secret(accounts.enroll_mfa(uow, boss, "examiner", sealer))
    accounts.enroll_mfa(uow, boss, "negotiator", sealer)
    with uow.transaction() as session:
        stored = session.execute(select(User.totp_sealed).where(User.username == "examiner")).scalar_one()
        raw = session.execute(text("SELECT * FROM users WHERE username = 'examiner'")).one()
    assert stored is not None
    assert secret.encode() not in stored
    for column in raw:  # whatever the driver returns, nowhere the base32 secret, nor its bytes
        cell = bytes(column) if isinstance(column, bytes | memoryview) else str(column).encode()
        assert secret.encode() not in cell
        assert base64.b32decode(secret) not in cell
    # Copied onto another user's row, it opens for nobody (its associated data names examiner).
    with uow.transaction() as session:
        session.execute(update(User).where(User.username == "negotiator").values(totp_sealed=stored))
    with pytest.raises(IntegrityFailure):
        accounts.log_in(uow, "negotiator", PASSWORD, pyotp.TOTP(secret).at(clock.at), sealer=sealer)
    code = pyotp.TOTP(secret).at(clock.at)
    assert accounts.log_in(uow, "examiner", PASSWORD, code, sealer=sealer).username == "examiner"


def test_every_ministry_account_needs_a_second_factor_when_required(
    uow: UnitOfWork, clock: FixedClock, sealer: KeyringSealer
) -> None:
    """ASVS 4.3.1: admins and auditors too, not only the four official roles; companies' users
    are not asked (they may enrol one, and then it is asked for)."""
    company = office_company(uow)
    for role in (Role.INTAKE_OFFICER, Role.EXAMINER, Role.NEGOTIATOR, Role.PROGRAM_MANAGER, Role.AUDITOR):
        user(uow, role, name=role.value)
    admin(uow)
    supplier = user(uow, Role.SUPPLIER, company.corporate_number, name="supplier")
    successor = user(uow, Role.SUCCESSOR, company.corporate_number, name="successor")
    ministry = ["intake_officer", "examiner", "negotiator", "program_manager", "auditor", "admin"]
    for name in ministry:
        with pytest.raises(Unauthenticated) as refused:
            accounts.log_in(uow, name, PASSWORD, sealer=sealer, ministry_needs_mfa=True)
        assert "second factor" in refused.value.message
        assert accounts.log_in(uow, name, PASSWORD, sealer=sealer).username == name  # `enrolled`
    for company_user in (supplier, successor):
        name = company_user.username
        assert accounts.log_in(uow, name, PASSWORD, sealer=sealer, ministry_needs_mfa=True).username == name
    totp = pyotp.TOTP(_secret(accounts.enroll_mfa(uow, None, "admin", sealer)))
    with pytest.raises(Unauthenticated):
        accounts.log_in(uow, "admin", PASSWORD, sealer=sealer, ministry_needs_mfa=True)
    outcome = accounts.log_in(
        uow, "admin", PASSWORD, totp.at(clock.at), sealer=sealer, ministry_needs_mfa=True
    )
    assert outcome.username == "admin"


def test_a_password_change_starts_a_new_session_generation(uow: UnitOfWork) -> None:
    examiner = user(uow, Role.EXAMINER, name="examiner")
    before = accounts.actor_for_session(uow, "examiner", 0)
    assert before.username == "examiner"
    generation = accounts.change_password(uow, examiner, PASSWORD, "a brand new passphrase")
    assert generation == 1
    with pytest.raises(NotFound):
        accounts.actor_for_session(uow, "examiner", 0)
    assert accounts.actor_for_session(uow, "examiner", generation).username == "examiner"
    (change,) = _entries(uow, "accounts:password:change")
    assert change.after == {"sessions_ended": True}


def test_an_admins_new_user_must_change_the_initial_password(uow: UnitOfWork, sealer: KeyringSealer) -> None:
    boss = admin(uow)
    generated = accounts.add_user(uow, boss, "examiner", "examiner").secret
    accounts.add_user(uow, boss, "auditor", "auditor", password="chosen by the admin")
    assert accounts.log_in(uow, "examiner", generated, sealer=sealer).must_change_password
    assert accounts.log_in(uow, "auditor", "chosen by the admin", sealer=sealer).must_change_password
    listed = {view.username: view for view in accounts.list_users(uow, boss)}
    assert listed["examiner"].must_change_password
    assert listed["auditor"].must_change_password
    created = {str(e.after["username"]): e.after for e in _entries(uow, "accounts:user:create") if e.after}
    assert created["examiner"]["must_change_password"] is True
    assert created["auditor"]["must_change_password"] is True
