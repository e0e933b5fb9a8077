"""The auditor's proof forms in Chromium: left blank, the optional tree size means the whole ledger;
a refused request (an entry beyond the ledger) shows its message in place instead of nothing."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import log_in
from tests.factories import Office


def test_proof_forms_answer_blank_sizes_and_show_refusals(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    Office(live_server.shokei.uow).open_case()
    page = log_in(chromium, live_server, "auditor", set())
    page.goto(f"{live_server.url}/audit/verification")

    page.get_by_label("記録番号").fill("1")
    page.get_by_role("button", name="包含証明を求める").click()
    expect(page.locator("#proofs code.digest").first).to_be_visible()
    expect(page.locator("#proofs .error-page")).to_have_count(0)
    screenshots.take(page, "inclusion-with-blank-size")

    page.get_by_label("記録番号").fill("999999")
    page.get_by_role("button", name="包含証明を求める").click()
    # The 404 answer to the htmx request is shown where the proof would have been.
    expect(page.locator("#proofs .error-page")).to_be_visible()
    expect(page.locator("#proofs h1")).to_contain_text("見つかりません")
    screenshots.take(page, "refusal-in-place")
