"""A real browser on a real server: uvicorn in a thread on 127.0.0.1 (free port, the SQLite test
database), headless Chromium (Debian's package) driven by Playwright. `make test` installs
Chromium when it is missing; without it these tests fail rather than pass unseen
(`pytest -m "not browser"` leaves them out on purpose)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from shokei.kernel.unit_of_work import UnitOfWork
from tests.conftest import REPO
from tests.live_server import LiveServer, serving
from tests.web.conftest import _fast_password_hashing, web_shokei  # noqa: F401 - autouse fixture

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts" / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The browser journey runs once, in the SQLite pass; `make test` deselects `browser` from the
    # PostgreSQL pass, which covers the same services (and `-m "not browser"` leaves them out).
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(uow: UnitOfWork, tmp_path: Path) -> Iterator[LiveServer]:
    with serving(uow, tmp_path / "var") as server:
        yield server


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is not installed: `apt-get install -y chromium` (make test does it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Screenshots:
    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)

    def take(self, page: Page, name: str) -> None:
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    return Screenshots(ARTIFACTS / request.node.name)
