"""Notices: written for the right people in the transaction of the event that asks them to act
(the outbox), read and marked read in the in-app inbox, claimed and marked by the worker."""

from __future__ import annotations

import uuid
from datetime import UTC, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from shokei.accounts import services as accounts
from shokei.accounts.schemas import Recipient
from shokei.cases import services as cases
from shokei.clock import JST
from shokei.deadlines import services as deadlines
from shokei.deadlines.domain import DutyEvent, reference_of
from shokei.errors import N_, NotFound, Text, stored
from shokei.kernel import COMPANY_BOUND_ROLES, Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.notifications.catalogue import DutyLine, compose, compose_contents_opened, compose_digest
from shokei.notifications.domain import (
    CLAIMABLE,
    MailState,
    Occasion,
    digest_key,
    message_id,
    next_state_after_failure,
    retry_delay,
)
from shokei.notifications.models import Notification
from shokei.notifications.schemas import InboxItem, OutgoingMail
from shokei.settings import load_settings

# -- who is told (in the event's transaction) ----------------------------------------------------


def notify_duty(uow: UnitOfWork, event: DutyEvent, occasion: Occasion) -> int:
    """Tell the duty's party (its role's users; of its company only, for a supplier or successor;
    every user of the company that holds the record, for a company's duty on a copy or survey);
    an overdue duty is also flagged to every program manager. Returns how many notices.

    A ministry role's duty on a case goes to the users of that role assigned to the case (the
    notice names the case and the duty: need-to-know); only when the case has nobody of that
    role assigned yet does it go to every user of the role, so that no duty goes untold."""
    with uow:
        people: dict[int, Recipient] = {}
        roles = [event.role]
        if event.case_id is None and event.company_id is not None:
            roles = sorted(COMPANY_BOUND_ROLES)
        for role in roles:
            for recipient in _duty_recipients(uow, role, event):
                people.setdefault(recipient.user_id, recipient)
        if occasion is Occasion.OVERDUE:
            for recipient in accounts.recipients(uow, Role.PROGRAM_MANAGER):
                people.setdefault(recipient.user_id, recipient)
        survey = event.survey_campaign_id
        reference = str(survey) if survey is not None else reference_of(event.kind, event.subject)
        duty = DutyLine(event.kind.value, event.case_id, reference, event.due, survey)
        days = (event.due - uow.clock.today()).days
        subject, body = compose(occasion, duty, link=load_settings().base_url + event.link, days=days)
        for person in people.values():
            _write(
                uow,
                person,
                occasion=occasion.value,
                kind=event.kind.value,
                case_id=event.case_id,
                subject=subject,
                body=body,
                link=event.link,
            )
        uow.session.flush()
        return len(people)


def _duty_recipients(uow: UnitOfWork, role: Role, event: DutyEvent) -> list[Recipient]:
    everyone = accounts.recipients(uow, role, event.company_id)
    if role in COMPANY_BOUND_ROLES or event.case_id is None:
        return everyone
    assigned = cases.assigned_user_ids(uow, event.case_id)
    on_case = [person for person in everyone if person.user_id in assigned]
    return on_case or everyone


def notify_contents_opened(
    uow: UnitOfWork, *, case_id: int, actor_id: int, actor: str, cause: str, reason: str | None
) -> int:
    """Tell every other program manager that `actor` opened a case's contents on their own say
    (a break-glass reason, or assigning themselves). Returns how many notices."""
    with uow:
        link = f"/cases/{case_id}"
        subject, body = compose_contents_opened(
            case_id=case_id, actor=actor, cause=cause, reason=reason, link=load_settings().base_url + link
        )
        told = 0
        for person in accounts.recipients(uow, Role.PROGRAM_MANAGER):
            if person.user_id == actor_id:
                continue
            occasion = Occasion.CONTENTS_OPENED.value
            _write(
                uow,
                person,
                occasion=occasion,
                kind=cause,
                case_id=case_id,
                subject=subject,
                body=body,
                link=link,
            )
            told += 1
        uow.session.flush()
        return told


def _write(
    uow: UnitOfWork,
    person: Recipient,
    *,
    occasion: str,
    kind: str,
    case_id: int | None,
    subject: str,
    body: str,
    link: str,
    key: str | None = None,
    read: bool = False,
) -> None:
    """One notice in the inbox and, when the user has an address, its e-mail in the outbox."""
    now = uow.clock.now()
    uow.session.add(
        Notification(
            user_id=person.user_id,
            occasion=occasion,
            kind=kind,
            case_id=case_id,
            subject=subject,
            body=body,
            link=link,
            created_at=now,
            read_at=now if read else None,
            email=person.email,
            idempotency_key=key or f"shokei-notice-{uuid.uuid4().hex}",
            mail_state=(MailState.PENDING if person.email else MailState.NONE).value,
            attempts=0,
            next_attempt_at=now if person.email else None,
        )
    )


# -- the daily digest -----------------------------------------------------------------------------


def send_digests(uow: UnitOfWork, *, hour: int) -> int:
    """Once a day from `hour` (Japan time; -1: never), each user with an e-mail address and open
    duties gets one digest of them, most urgent first. Its idempotency key names the user and the
    day, so however many rounds or workers run, a day's digest is written once (a second
    worker's insert of the same key fails and is skipped). Digests are kept in the inbox as read:
    they repeat what the work queue shows. Returns how many were written."""
    if hour < 0 or uow.clock.now().astimezone(JST).hour < hour:
        return 0
    today, written = uow.clock.today(), 0
    for person in accounts.mail_recipients(uow):
        key = digest_key(person.user_id, today)
        try:
            with uow:
                if uow.session.execute(
                    select(Notification.id).where(Notification.idempotency_key == key)
                ).first():
                    continue
                duties = deadlines.open_duties(uow, accounts.actor_for_username(uow, person.username))
                if not duties:
                    continue
                lines = [DutyLine(d.kind, d.case_id, d.reference, d.due) for d in duties]
                subject, body = compose_digest(lines, today, load_settings().base_url + "/")
                _write(
                    uow,
                    person,
                    occasion=Occasion.DIGEST.value,
                    kind="digest",
                    case_id=None,
                    subject=subject,
                    body=body,
                    link="/",
                    key=key,
                    read=True,
                )
                uow.session.flush()
        except IntegrityError:
            continue  # another worker wrote this user's digest for today first
        written += 1
    return written


# -- the in-app inbox -----------------------------------------------------------------------------


def inbox(uow: UnitOfWork, actor: Actor, *, unread: bool = False) -> list[InboxItem]:
    """The acting user's notices, newest first."""
    with uow:
        query = select(Notification).where(Notification.user_id == actor.user_id)
        if unread:
            query = query.where(Notification.read_at.is_(None))
        rows = uow.session.execute(query.order_by(Notification.id.desc())).scalars()
        return [_item(row) for row in rows]


def unread_count(uow: UnitOfWork, actor: Actor) -> int:
    return len(inbox(uow, actor, unread=True))


def mark_read(uow: UnitOfWork, actor: Actor, notification_id: int) -> InboxItem:
    """Mark one of the acting user's own notices read (another's is not found)."""
    with uow:
        row = uow.session.get(Notification, notification_id)
        if row is None or row.user_id != actor.user_id:
            raise NotFound(
                Text(N_("no notice %(notification_id)s in your inbox"), {"notification_id": notification_id})
            )
        if row.read_at is None:
            row.read_at = uow.clock.now()
        return _item(row)


def _item(row: Notification) -> InboxItem:
    # SQLite gives the stored UTC moment back without its zone: the API promises RFC 3339 date-times.
    at = row.created_at if row.created_at.tzinfo is not None else row.created_at.replace(tzinfo=UTC)
    return InboxItem(id=row.id, at=at, subject=row.subject, read=row.read_at is not None, link=row.link)


# -- the outbox, for the worker -------------------------------------------------------------------


def claim(uow: UnitOfWork, *, mail_from: str, lease_seconds: float, limit: int = 20) -> list[OutgoingMail]:
    """Claim e-mails due now for `lease_seconds`, putting each one's Message-ID on record before
    it is sent (committed when this returns). Rows another worker holds are skipped: SELECT ...
    FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the transaction is BEGIN IMMEDIATE, so
    claims are serialised. A row whose lease expired (its worker died) is claimable again."""
    with uow:
        now = uow.clock.now()
        query = (
            select(Notification)
            .where(
                Notification.mail_state.in_(CLAIMABLE),
                Notification.next_attempt_at <= now,
                or_(Notification.lease_until.is_(None), Notification.lease_until <= now),
            )
            .order_by(Notification.id)
            .limit(limit)
        )
        if uow.dialect == "postgresql":
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for row in uow.session.execute(query).scalars():
            assert row.email is not None  # only rows with an address are ever pending
            row.mail_state = MailState.SENDING.value
            row.lease_until = now + timedelta(seconds=lease_seconds)
            row.attempts += 1
            row.message_id = row.message_id or message_id(row.idempotency_key, mail_from)
            claimed.append(
                OutgoingMail(
                    id=row.id,
                    to=row.email,
                    subject=row.subject,
                    body=row.body,
                    link=row.link,
                    message_id=row.message_id,
                    attempts=row.attempts,
                )
            )
        return claimed


def mark_sent(uow: UnitOfWork, mail: OutgoingMail) -> None:
    """The sent-marker: the server accepted the message (only the claim's holder writes it)."""
    with uow:
        row = uow.session.get_one(Notification, mail.id)
        row.mail_state, row.sent_at, row.lease_until, row.last_error = (
            MailState.SENT.value,
            uow.clock.now(),
            None,
            None,
        )


def mark_failed(
    uow: UnitOfWork, mail: OutgoingMail, error: str | Text, *, retry_seconds: float, max_attempts: int
) -> MailState:
    """Back off exponentially, or give up after `max_attempts`; returns the new state. A `Text`
    is kept whole (`errors.stored`), so that its reader renders it in their language; a
    server's own words are kept as they came, cut to 2000 characters."""
    with uow:
        row = uow.session.get_one(Notification, mail.id)
        state = next_state_after_failure(row.attempts, max_attempts)
        kept = stored(error) if isinstance(error, Text) else error[:2000]
        row.mail_state, row.lease_until, row.last_error = state.value, None, kept
        row.next_attempt_at = uow.clock.now() + retry_delay(row.attempts, retry_seconds)
        return state
