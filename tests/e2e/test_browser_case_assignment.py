"""Case assignment in headless Chromium (issue 23, finding 2), in Japanese: an examiner who is not
assigned to a case does not find it in the case list and is refused its page, naming the
assignment; the program manager assigns the examiner from the case page's assignment section,
and the examiner then lists and opens the case. A screenshot of each step."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from shokei.kernel import Role
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in
from tests.factories import Office, user

REFUSAL = "あなたはこの案件の担当ではありません"


def test_the_program_manager_assigns_an_examiner_who_then_sees_the_case(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    office = Office(uow)
    case = office.open_case(documents=1).id
    user(uow, Role.EXAMINER, name="examiner2")
    titles: set[str] = set()

    examiner = log_in(chromium, live_server, "examiner2", titles)
    examiner.goto(f"{live_server.url}/cases")
    expect(examiner.locator(f'a[href="/cases/{case}"]')).to_have_count(0)
    refused = examiner.goto(f"{live_server.url}/cases/{case}")
    assert refused is not None
    assert refused.status == 403
    expect(examiner.locator("main")).to_contain_text(REFUSAL)
    screenshots.take(examiner, "unassigned-examiner-refused")

    manager = log_in(chromium, live_server, "manager", titles)
    manager.goto(f"{live_server.url}/cases/{case}")
    section = manager.locator("#assignment")
    expect(section.get_by_role("heading", name="担当職員")).to_be_visible()
    check_accessibility(manager, titles)
    section.get_by_label("職員のユーザー名").fill("examiner2")
    section.get_by_label("案件での役割").select_option("examiner")
    with manager.expect_navigation():
        section.get_by_role("button", name="指名する").click()
    expect(section.locator("tbody")).to_contain_text("examiner2")
    screenshots.take(manager, "manager-assigned-examiner2")

    examiner.goto(f"{live_server.url}/cases")
    expect(examiner.locator(f'a[href="/cases/{case}"]').first).to_be_visible()
    opened = examiner.goto(f"{live_server.url}/cases/{case}")
    assert opened is not None
    assert opened.status == 200
    expect(examiner.locator("#assignment tbody")).to_contain_text("examiner2")
    expect(examiner.locator("#assignment form[action$='/assignments']")).to_have_count(0)
    screenshots.take(examiner, "assigned-examiner-sees-the-case")
    # The one console error is the browser reporting the refused page's 403 itself.
    assert BROWSER_ERRORS == [
        "examiner2: Failed to load resource: the server responded with a status of 403 (Forbidden)"
    ], "no script errors and no Content-Security-Policy violations"
