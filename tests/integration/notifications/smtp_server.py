"""A real SMTP server on loopback for the notification tests (aiosmtpd), never a mock.

`received` is every message the server accepted, in order (raw: a re-sent copy counts again);
`mailbox` keeps one per Message-ID, as a receiving system that suppresses duplicates does.
`hold_after(n)`: the n-th message is accepted and stored, then the server waits before it
answers 250, until `release()` (the test kills the sending worker meanwhile).
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from email.message import Message
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    def __init__(self) -> None:
        self.received: list[Message] = []
        self.lock = threading.Lock()
        self.hold_at: int | None = None
        self.holding = threading.Event()
        self._release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=default)
        with self.lock:
            self.received.append(message)
            count = len(self.received)
        if self.hold_at is not None and count == self.hold_at:
            self.holding.set()
            await asyncio.to_thread(self._release.wait, 60)
        return "250 Message accepted for delivery"

    def hold_after(self, n: int) -> None:
        self.hold_at = n

    def release(self) -> None:
        self._release.set()

    @property
    def mailbox(self) -> dict[str, Message]:
        with self.lock:
            kept: dict[str, Message] = {}
            for message in self.received:
                kept.setdefault(str(message["Message-ID"]), message)
            return kept

    def ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.received]


class SmtpServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.recorder.release()
        self.controller.stop()
