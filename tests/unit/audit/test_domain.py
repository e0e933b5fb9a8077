"""Pure ledger rules: the fast canonical-JSON check, entry/leaf agreement, checkpoint policy."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from shokei.audit.domain import (
    CheckpointPolicy,
    Findings,
    StoredEntry,
    canonical_json,
    entry_problems,
    leaf_bytes,
    parse_leaf,
)
from shokei.errors import Text
from shokei.kernel import Actor, AuditEvent, Role

NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


def as_double(text: str) -> int | float:
    # RFC 8785 numbers are IEEE doubles; rfc8785 itself refuses Python ints beyond 2**53 - 1.
    value = int(text)
    return value if abs(value) < 2**53 else float(value)


def reference_is_canonical(data: bytes) -> bool:
    try:
        return bool(rfc8785.dumps(json.loads(data, parse_int=as_double)) == data)
    except Exception:
        return False


@settings(max_examples=400)
@given(json_values)
def test_the_fast_check_agrees_with_rfc8785_on_canonical_leaves(value: Any) -> None:
    try:
        canonical = rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, ValueError):
        return  # outside the RFC 8785 domain (e.g. integers beyond 2**53): no canonical form
    document, is_canonical = parse_leaf(canonical)
    assert is_canonical
    assert document == json.loads(canonical, parse_int=as_double)


@settings(max_examples=400)
@given(json_values, st.sampled_from(["python", "spaced", "ascii", "reordered"]))
def test_the_fast_check_agrees_with_rfc8785_on_other_encodings(value: Any, style: str) -> None:
    if style == "python":
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    elif style == "spaced":
        data = json.dumps(value, ensure_ascii=False, sort_keys=True)
    elif style == "ascii":
        data = json.dumps(value, separators=(",", ":"), sort_keys=True)
    else:
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        encoded = data.encode()
    except UnicodeEncodeError:
        return  # lone surrogates have no UTF-8 form at all
    assert parse_leaf(encoded)[1] == reference_is_canonical(encoded)


exotic_values = st.recursive(
    json_values
    | st.tuples(st.integers())
    | st.binary(max_size=4)
    | st.datetimes()
    | st.just(float("nan"))
    | st.sampled_from(list(Role)),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=3) | st.integers(), children, max_size=3)
    ),
    max_leaves=8,
)


def reference_bytes(value: Any) -> bytes | None:
    try:
        return rfc8785.dumps(value)
    except Exception:
        return None


@settings(max_examples=400)
@given(exotic_values)
def test_leaf_bytes_are_the_reference_bytes_or_its_refusal(value: Any) -> None:
    expected = reference_bytes(value)
    try:
        written = canonical_json(value)
    except Exception:
        written = None
    assert written == expected


@pytest.mark.parametrize(
    ("leaf", "canonical"),
    [
        (b'{"a":1}', True),
        (b'{"a":1.0}', False),  # RFC 8785 writes 1
        (b'{"a":1e+30}', True),
        (b'{"a":1E30}', False),
        (b'{"a":9007199254740991}', True),
        (b'{"a":9007199254740992}', True),  # 2**53 is a double and prints so
        (b'{"a":9007199254740993}', False),  # ... but this denotes the same double
        (b'{"a":-0}', False),
        (b'{"b":1,"a":2}', False),
        ('{"\U0001f600":2,"\ue000":1}'.encode(), True),  # UTF-16 order: surrogates sort first
        ('{"\ue000":1,"\U0001f600":2}'.encode(), False),  # ... unlike code point order
        (b'{"a":"\\u000f"}', True),
        (b'{"a":"\\u000F"}', False),
        (b'{"a":"\\/"}', False),
        (b'{"a":"\\ud800"}', False),
        (b'{"a":NaN}', False),
        (b'\xef\xbb\xbf{"a":1}', False),
        (b' {"a":1}', False),
        (b'{"a":1,"a":1}', False),  # a duplicate member is not the canonical form of anything
        (b'{"a":"\\u00e9"}', False),  # RFC 8785 writes the character itself
        (b'{"a":"\\u001f\x7f\xe2\x80\xa8"}', True),  # only controls are escaped
        (b'{"a":"\xff"}', False),
    ],
)
def test_the_fast_check_on_known_cases(leaf: bytes, canonical: bool) -> None:
    assert reference_is_canonical(leaf) is canonical
    try:
        assert parse_leaf(leaf)[1] is canonical
    except ValueError:
        assert not canonical  # undecodable: reported as "not JSON"


def stored(event: AuditEvent, position: int, **changes: Any) -> StoredEntry:
    columns: dict[str, Any] = {
        "index": position,
        "at": event.at,
        "actor_id": event.actor.user_id if event.actor else None,
        "actor_name": event.actor_name,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "leaf": leaf_bytes(event, position),
    }
    return StoredEntry(**(columns | changes))


EVENT = AuditEvent(
    "case:status:change", "case", "7", NOW, Actor(3, "examiner", Role.EXAMINER), details={"x": 1}
)


def test_a_sound_entry_has_no_problems() -> None:
    assert entry_problems(stored(EVENT, 5)) == []
    system = AuditEvent("accounts:user:create", "user", "1", NOW, None)
    assert entry_problems(stored(system, 0)) == []
    # SQLite returns the wall-clock time without its zone.
    assert entry_problems(stored(EVENT, 5, at=NOW.replace(tzinfo=None))) == []


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("index", 6),
        ("at", NOW + timedelta(microseconds=1)),
        ("at", NOW.astimezone(timezone(timedelta(hours=9))).replace(tzinfo=None)),
        ("actor_id", 4),
        ("actor_id", None),
        ("actor_name", "mallory"),
        ("action", "case:status:erase"),
        ("subject_type", "company"),
        ("subject_id", "8"),
    ],
)
def test_each_column_must_say_what_the_leaf_says(column: str, value: Any) -> None:
    problems = entry_problems(stored(EVENT, 5, **{column: value}))
    assert len(problems) == 1
    assert problems[0].startswith(f"column {column} is")


def test_a_leaf_must_be_a_canonical_json_object() -> None:
    leaf = leaf_bytes(EVENT, 5)
    assert entry_problems(stored(EVENT, 5, leaf=leaf + b" ")) == ["leaf is not RFC 8785 canonical JSON"]
    assert entry_problems(stored(EVENT, 5, leaf=b"{not json")) == ["leaf is not JSON"]
    assert entry_problems(stored(EVENT, 5, leaf=b"\xff\xfe")) == ["leaf is not JSON"]
    assert entry_problems(stored(EVENT, 5, leaf=b"[1,2]")) == ["leaf is not a JSON object"]
    assert len(entry_problems(stored(EVENT, 5, leaf=b"{}"))) == 7  # six columns and the time


@pytest.mark.parametrize(
    ("policy", "size", "last_size", "last_minutes_ago", "due"),
    [
        (CheckpointPolicy(10, 60), 0, None, None, False),  # nothing to sign
        (CheckpointPolicy(10, 60), 1, None, None, True),  # never signed: overdue
        (CheckpointPolicy(10, 0), 9, None, None, False),
        (CheckpointPolicy(10, 0), 10, None, None, True),
        (CheckpointPolicy(10, 60), 19, 10, 59, False),
        (CheckpointPolicy(10, 60), 20, 10, 1, True),
        (CheckpointPolicy(10, 60), 11, 10, 60, True),
        (CheckpointPolicy(0, 60), 500, 10, 59, False),
        (CheckpointPolicy(10, 60), 10, 10, 600, False),  # already signed at this size
        (CheckpointPolicy(0, 0), 500, None, None, False),  # automatic checkpoints off
        (CheckpointPolicy(10, 60), 11, 10, -180, True),  # signed "3 h from now": the clock went back
        (CheckpointPolicy(10, 0), 11, 10, -180, False),  # ...but the time trigger is off
    ],
)
def test_checkpoint_policy(
    policy: CheckpointPolicy, size: int, last_size: int | None, last_minutes_ago: int | None, due: bool
) -> None:
    last_at = None if last_minutes_ago is None else NOW - timedelta(minutes=last_minutes_ago)
    assert policy.is_due(size, last_size, last_at, NOW) is due
    naive = None if last_at is None else last_at.replace(tzinfo=None)  # as SQLite returns it
    assert policy.is_due(size, last_size, naive, NOW) is due


def test_findings_keep_the_lowest_index_and_cap_the_list() -> None:
    findings = Findings()
    for index in range(100, 40, -1):
        findings.add(Text("problem at %(index)s", {"index": index}), index)
    findings.add(Text("no index"))
    assert findings.first_bad_index == 41
    assert len(findings.problems) == 50
    assert findings.problems[:2] == ["problem at 100", "problem at 99"]
    assert len(findings.problem_texts) == 50
    assert findings.omitted == 11
    assert not findings.ok
