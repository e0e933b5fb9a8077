from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.notifications.smtp_server import SmtpServer


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()
