"""Reading a request body at the edge and handing it on: the middlewares that must look at a
body before any route does (`input_guard`, `csrf`) read it here, bounded, and give the
application a `receive` that replays it."""

from __future__ import annotations

from starlette.types import Message, Receive

FORM_TYPE = "application/x-www-form-urlencoded"


class BodyTooLarge(Exception):
    """The body is longer than the reader's limit (nothing more is read)."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class BodyCut(Exception):
    """The client went away before the body ended; `partial` is what had arrived."""

    def __init__(self, partial: bytes) -> None:
        super().__init__(len(partial))
        self.partial = partial


async def read_body(receive: Receive, *, limit: int) -> bytes:
    """The whole body, at most `limit` bytes (else `BodyTooLarge`; a disconnect: `BodyCut`)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            raise BodyCut(b"".join(chunks))
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replay(body: bytes, receive: Receive) -> Receive:
    """Give the application the body already read, then the real stream's end."""
    pending = [body]

    async def replayed() -> Message:
        if pending:
            return {"type": "http.request", "body": pending.pop(), "more_body": False}
        return await receive()

    return replayed
