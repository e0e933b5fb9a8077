"""The body reader the edge middlewares share (`web/body.py`): bounded, told apart from a client
that went away, and replayed whole to the application."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import pytest
from starlette.types import Message, Receive

from shokei.web.body import BodyCut, BodyTooLarge, read_body, replay


def _stream(messages: Iterable[Message]) -> Receive:
    pending = list(messages)

    async def receive() -> Message:
        return pending.pop(0) if pending else {"type": "http.disconnect"}

    return receive


def _chunks(*parts: bytes) -> list[Message]:
    return [
        {"type": "http.request", "body": part, "more_body": n < len(parts) - 1}
        for n, part in enumerate(parts)
    ]


def test_the_body_is_read_whole_and_replayed_once_then_the_real_stream_goes_on() -> None:
    async def run() -> tuple[bytes, list[Message]]:
        receive = _stream(_chunks(b"csrf_token=", b"abc&x=1"))
        body = await read_body(receive, limit=18)
        replayed = replay(body, receive)
        return body, [await replayed(), await replayed()]

    body, seen = asyncio.run(run())
    assert body == b"csrf_token=abc&x=1"
    assert seen == [
        {"type": "http.request", "body": b"csrf_token=abc&x=1", "more_body": False},
        {"type": "http.disconnect"},
    ]


def test_a_body_over_the_limit_is_refused_without_reading_on() -> None:
    receive = _stream([*_chunks(b"12345", b"6789", b"never read")])
    with pytest.raises(BodyTooLarge) as refused:
        asyncio.run(read_body(receive, limit=8))
    assert refused.value.limit == 8
    assert asyncio.run(receive()) == {"type": "http.request", "body": b"never read", "more_body": False}


def test_a_client_gone_before_the_end_is_told_apart_with_what_had_arrived() -> None:
    receive = _stream([{"type": "http.request", "body": b"half", "more_body": True}])
    with pytest.raises(BodyCut) as cut:
        asyncio.run(read_body(receive, limit=100))
    assert cut.value.partial == b"half"
