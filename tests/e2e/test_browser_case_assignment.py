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


# The contrast of an element's text against the first opaque background behind it (WCAG 2.x).
_CONTRAST = """element => {
  const rgb = value => value.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map(v => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let node = element, back = null;
  while (node && node.nodeType === 1) {
    const colour = rgb(getComputedStyle(node).backgroundColor);
    if (colour.length < 4 || colour[3] > 0) { back = colour; break; }
    node = node.parentElement;
  }
  back = back || [255, 255, 255];
  const [a, b] = [lum(rgb(getComputedStyle(element).color)), lum(back)];
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_each_assigned_official_has_a_visible_unassign_button_for_the_program_manager(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    office = Office(uow)
    case = office.open_case(documents=1).id
    titles: set[str] = set()
    manager = log_in(chromium, live_server, "manager", titles)
    manager.goto(f"{live_server.url}/cases/{case}")
    rows = manager.locator("#assignment tbody tr")
    expect(rows.first).to_contain_text("intake")  # the intake officer who opened the case
    buttons = manager.locator("#assignment tbody").get_by_role("button", name="担当から外す")
    assert buttons.count() == rows.count() >= 1
    for index in range(buttons.count()):
        button = buttons.nth(index)
        expect(button).to_be_visible()
        assert button.evaluate(_CONTRAST) >= 4.5, "the button's text must be readable on the panel"
    manager.locator("#assignment").scroll_into_view_if_needed()
    screenshots.take(manager, "manager-assignment-section")
    with manager.expect_navigation():
        buttons.first.click()
    expect(manager.locator("#assignment tbody")).not_to_contain_text("intake")
    assert BROWSER_ERRORS == []
