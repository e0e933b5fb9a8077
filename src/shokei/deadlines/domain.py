"""Clocks: the deadline policy, the duties it times and when each falls due. Pure: no I/O.

A duty is one party's next act on a case (hand in, examine, negotiate, accept, ...). It starts
when the case reaches the state that asks for it, and its due date is fixed then, from the policy
in force: a later policy never moves a running clock (the duty keeps its version and period).
Other duties hang on another record and have no case of their own: a survey answer belongs to
its survey campaign and falls due on the survey's own due date; a recalled copy's return and a
certification's renewal, an incident's report, a designation's review before it expires and a
state-held facility's annual report hang on their record (`subject`). Each starts on that
record's event.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from shokei.cases.domain import CaseState, TransitionName
from shokei.errors import N_, BadInput, Text
from shokei.kernel import Role
from shokei.kernel.bus import Event


class PolicyError(BadInput):
    """The deadline policy file is unreadable or incomplete."""


class DutyKind(StrEnum):
    HAND_IN = "hand_in"
    START_EXAMINATION = "start_examination"
    EXAMINATION = "examination"
    RELEASE = "release"
    OPEN_NEGOTIATION = "open_negotiation"
    NEGOTIATION = "negotiation"
    START_SUCCESSOR_SELECTION = "start_successor_selection"
    ESCALATION = "escalation"
    SUCCESSOR_SELECTION = "successor_selection"
    DESTRUCTION_CERTIFICATE = "destruction_certificate"
    SUCCESSOR_ACCEPTANCE = "successor_acceptance"
    COPY_RETURN = "copy_return"
    SURVEY_ANSWER = "survey_answer"
    CERTIFICATION_RENEWAL = "certification_renewal"
    INCIDENT_REPORT = "incident_report"
    DESIGNATION_EXPIRY = "designation_expiry"
    FACILITY_REPORT = "facility_report"


class Party(StrEnum):
    """Whose users owe the duty: the withdrawing company's, the successor's, or officials by role."""

    CASE_COMPANY = "case_company"
    SUCCESSOR_COMPANY = "successor_company"
    OFFICIALS = "officials"
    HOLDER = "holder"  # the company the record names (a copy's holder, a survey's respondent)


@dataclass(frozen=True, slots=True)
class DutySpec:
    kind: DutyKind
    role: Role
    party: Party  # what the party must do is in the catalogue (messages/*.toml), by kind


_SUPPLIER, _SUCCESSOR, _OFFICIALS = Party.CASE_COMPANY, Party.SUCCESSOR_COMPANY, Party.OFFICIALS
K, R = DutyKind, Role

# The duty each case state asks for: who acts next, and what they must do.
STATE_DUTIES: dict[CaseState, DutySpec] = {
    CaseState.NOTIFIED: DutySpec(K.HAND_IN, R.SUPPLIER, _SUPPLIER),
    CaseState.DOCUMENTS_SUBMITTED: DutySpec(K.START_EXAMINATION, R.INTAKE_OFFICER, _OFFICIALS),
    CaseState.UNDER_EXAMINATION: DutySpec(K.EXAMINATION, R.EXAMINER, _OFFICIALS),
    CaseState.NOT_SIGNIFICANT: DutySpec(K.RELEASE, R.PROGRAM_MANAGER, _OFFICIALS),
    CaseState.PROTECTION_REQUIRED: DutySpec(K.OPEN_NEGOTIATION, R.NEGOTIATOR, _OFFICIALS),
    CaseState.NEGOTIATING: DutySpec(K.NEGOTIATION, R.NEGOTIATOR, _OFFICIALS),
    CaseState.PURCHASE_AGREED: DutySpec(K.START_SUCCESSOR_SELECTION, R.PROGRAM_MANAGER, _OFFICIALS),
    CaseState.NEGOTIATION_FAILED: DutySpec(K.ESCALATION, R.PROGRAM_MANAGER, _OFFICIALS),
    CaseState.SUCCESSOR_SELECTION: DutySpec(K.SUCCESSOR_SELECTION, R.PROGRAM_MANAGER, _OFFICIALS),
    CaseState.HANDED_OVER: DutySpec(K.DESTRUCTION_CERTIFICATE, R.SUPPLIER, _SUPPLIER),
}

# Duties a move starts without changing the state.
MOVE_DUTIES: dict[TransitionName, DutySpec] = {
    TransitionName.SELECT_SUCCESSOR: DutySpec(K.SUCCESSOR_ACCEPTANCE, R.SUCCESSOR, _SUCCESSOR),
}

# Duties on records other than a case: any user of the holding company owes a company's one.
# (A survey answer's clock is the survey's own due date: see services.survey_requested.)
RECORD_DUTIES: dict[DutyKind, DutySpec] = {
    K.COPY_RETURN: DutySpec(K.COPY_RETURN, R.SUCCESSOR, Party.HOLDER),
    K.CERTIFICATION_RENEWAL: DutySpec(K.CERTIFICATION_RENEWAL, R.PROGRAM_MANAGER, _OFFICIALS),
    K.INCIDENT_REPORT: DutySpec(K.INCIDENT_REPORT, R.PROGRAM_MANAGER, _OFFICIALS),
    K.DESIGNATION_EXPIRY: DutySpec(K.DESIGNATION_EXPIRY, R.PROGRAM_MANAGER, _OFFICIALS),
    K.FACILITY_REPORT: DutySpec(K.FACILITY_REPORT, R.PROGRAM_MANAGER, _OFFICIALS),
}

SPECS: dict[DutyKind, DutySpec] = {
    s.kind: s for s in (*STATE_DUTIES.values(), *MOVE_DUTIES.values(), *RECORD_DUTIES.values())
}
# The policy's [duties] table names periods of duties other than a state's.
_MOVE_PERIOD_NAMES = {k: k.value for k in (K.SUCCESSOR_ACCEPTANCE, *RECORD_DUTIES)}
REQUIRED_DUTY_PERIODS = tuple(_MOVE_PERIOD_NAMES.values())


def subject_key(kind: DutyKind, reference: object) -> str:
    """What a record duty hangs on, to find it again when the record moves on."""
    return f"{kind.value}:{reference}"


def reference_of(kind: DutyKind, subject: str | None) -> str | None:
    """The record's own number in a subject key (the copy id, the survey, the corporate number)."""
    if subject is None:
        return None
    if kind is K.SURVEY_ANSWER:
        return subject.split(":")[1]
    if kind in (K.CERTIFICATION_RENEWAL, K.DESIGNATION_EXPIRY):
        return subject.rsplit(":", 1)[1]  # the corporate number; the designated document
    return subject.split(":", 1)[1]


# The page where a record's duty is done, from the record's reference.
_RECORD_PAGES: dict[DutyKind, str] = {
    K.COPY_RETURN: "/copies/{ref}",
    K.CERTIFICATION_RENEWAL: "/companies/{ref}",
    K.INCIDENT_REPORT: "/incidents/{ref}",
    K.DESIGNATION_EXPIRY: "/secrets",  # the register, where a designation is renewed or lifted
    K.FACILITY_REPORT: "/facilities/{parts[0]}",
}


def link_for(kind: DutyKind, case_id: int | None, subject: str | None, survey_id: int | None = None) -> str:
    """The page where the duty is done (a path in the web application)."""
    if survey_id is not None:
        return f"/surveys/{survey_id}"
    reference = reference_of(kind, subject)
    if kind in _RECORD_PAGES and reference:
        return _RECORD_PAGES[kind].format(ref=reference, parts=reference.split(":"))
    if case_id is not None:
        return f"/cases/{case_id}"
    return "/"


@dataclass(frozen=True, slots=True)
class DeadlinePolicy:
    version: str
    title: str
    published: date | None
    remind_days_before: int
    case_states: dict[str, int]  # state -> days
    duties: dict[str, int]  # other duty -> days
    sha256: str

    def period(self, kind: DutyKind) -> int:
        """Days allowed for a duty of this kind."""
        if kind in _MOVE_PERIOD_NAMES:
            return self.duties[_MOVE_PERIOD_NAMES[kind]]
        state = next(s for s, spec in STATE_DUTIES.items() if spec.kind is kind)
        return self.case_states[state.value]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "remind_days_before": self.remind_days_before,
            "periods_days": {"case_states": dict(self.case_states), "duties": dict(self.duties)},
            "sha256": self.sha256,
        }


def _days(table: Any, name: str) -> dict[str, int]:
    if not isinstance(table, dict):
        raise PolicyError(Text(N_("deadline policy: [%(name)s] is missing"), {"name": name}))
    periods: dict[str, int] = {}
    for key, value in table.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise PolicyError(
                Text(
                    N_("deadline policy: %(name)s.%(key)s must be a whole number of days >= 1"),
                    {"name": name, "key": key},
                )
            )
        periods[str(key)] = value
    return periods


def parse_policy(text: str) -> DeadlinePolicy:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(
            Text(N_("deadline policy is not valid TOML: %(error)s"), {"error": error})
        ) from None
    version = raw.get("version")
    if not isinstance(version, str) or not version:
        raise PolicyError(Text(N_("deadline policy: `version` is required")))
    case_states = _days(raw.get("case_states"), "case_states")
    missing = [s.value for s in STATE_DUTIES if s.value not in case_states]
    unknown = sorted(set(case_states) - {s.value for s in STATE_DUTIES})
    if missing or unknown:
        raise PolicyError(
            Text(
                N_("deadline policy: [case_states] missing %(missing)s, unknown %(unknown)s"),
                {"missing": missing, "unknown": unknown},
            )
        )
    duties = _days(raw.get("duties"), "duties")
    for name in REQUIRED_DUTY_PERIODS:
        if name not in duties:
            raise PolicyError(Text(N_("deadline policy: duties.%(name)s is required"), {"name": name}))
    remind = raw.get("remind_days_before", 0)
    if not isinstance(remind, int) or remind < 0:
        raise PolicyError(Text(N_("deadline policy: remind_days_before must be a whole number >= 0")))
    published = raw.get("published")
    return DeadlinePolicy(
        version=version,
        title=str(raw.get("title", "")),
        published=published if isinstance(published, date) else None,
        remind_days_before=remind,
        case_states=case_states,
        duties=duties,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def due_date(started: date, period_days: int) -> date:
    """Due on the period's last day: started on day 0, a 30-day duty is due on day 30."""
    return started + timedelta(days=period_days)


def is_overdue(due: date, today: date) -> bool:
    """Overdue from the day after the due date."""
    return today > due


def needs_reminder(due: date, today: date, remind_days_before: int) -> bool:
    return remind_days_before > 0 and due - timedelta(days=remind_days_before) <= today <= due


# -- events: notifications subscribes to them --------------------------------------------------


@dataclass(frozen=True, slots=True)
class DutyEvent(Event):
    duty_id: int
    kind: DutyKind
    case_id: int | None  # None: a survey answer, or a duty on another record (`subject`)
    role: Role
    company_id: int | None  # the company whose users owe it (company-bound roles)
    due: date
    survey_campaign_id: int | None = None  # the survey a survey answer is owed in
    subject: str | None = None  # the record another non-case duty hangs on
    link: str = "/"


class DutyStarted(DutyEvent):
    """A duty started (published in the transaction of the move that asks for it)."""

    __slots__ = ()


class DutyDueSoon(DutyEvent):
    """A duty falls due within the policy's reminder days (the sweep finds it once)."""

    __slots__ = ()


class DutyOverdue(DutyEvent):
    """A duty passed its due date (the sweep flags it once, for its party and the program manager)."""

    __slots__ = ()
