"""A supply-chain survey in headless Chromium, with screenshots (test-artifacts/e2e/): a prime's
user (B of survey_scenario.py) finds the task on its dashboard, downloads the pre-filled form,
adds its supplier D with a wrong check digit, uploads it and sees the report (sheet, row,
column, in Japanese; nothing applied), fixes the number, uploads again and forwards the survey
to D. The official then sees D under B in the tree of who asked whom, and the system's supplier
base with its tier picture."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from shokei.supply_chain.survey import services as survey
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in, reach_by_keyboard
from tests.integration.supply_chain import survey_scenario as scenario


def _with_supplier(form: bytes, corporate_number: str) -> bytes:
    """The downloaded form with one supply row added: the supplier of P-BLADE at tier 2."""
    book = load_workbook(io.BytesIO(form))
    book["supply"].append([corporate_number, None, None, "P-BLADE", 2, 1, "true"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(page: Page, path: Path) -> None:
    page.get_by_label("回答ファイル（XLSX または CSV）").set_input_files(str(path))
    page.get_by_role("button", name="回答を提出", exact=True).click()


def test_a_prime_answers_after_a_refusal_and_forwards_to_its_supplier(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, tmp_path: Path
) -> None:
    BROWSER_ERRORS.clear()
    uow = live_server.shokei.uow
    cast = scenario.build(uow, tmp_path / "map")
    n = cast.number
    campaign = survey.create_campaign(
        uow, cast.users["intake"], "FX-1", due_on=scenario.DUE, respondents=[n("A"), n("B"), n("C")]
    ).id
    titles: set[str] = set()

    prime = log_in(chromium, live_server, "user-b", titles)
    tasks = prime.locator('[data-box="survey_tasks"]')
    expect(tasks.locator(f'tr[data-campaign="{campaign}"]')).to_contain_text("回答待ち")
    screenshots.take(prime, "prime-dashboard-task")
    tasks.get_by_role("link", name=f"調査 {campaign}").click()
    check_accessibility(prime, titles)
    expect(prime.locator("h1")).to_contain_text(f"調査 {campaign}")
    reach_by_keyboard(prime, lambda focused: focused["text"].startswith("回答様式をダウンロード"))
    with prime.expect_download() as downloading:
        prime.get_by_role("link", name="回答様式をダウンロード（XLSX）").click()
    download = downloading.value
    assert download.suggested_filename == f"survey-{campaign}.xlsx"
    form = Path(download.path()).read_bytes()
    supply = [
        row[3] for row in load_workbook(io.BytesIO(form))["supply"].iter_rows(min_row=2, values_only=True)
    ]
    assert supply == ["P-ENGINE"]  # pre-filled with what the map knows about B

    wrong = tmp_path / "answer-wrong.xlsx"
    wrong.write_bytes(_with_supplier(form, scenario.wrong_check_digit(n("D"))))
    _upload(prime, wrong)
    report = prime.locator('[data-report="refused"]')
    expect(report).to_contain_text("誤り 1件。何も反映していません。")
    problem = prime.locator("table.survey-problems tbody tr")
    expect(problem).to_have_count(1)
    expect(problem).to_have_attribute("data-sheet", "supply")
    expect(problem).to_have_attribute("data-row", "3")
    expect(problem).to_have_attribute("data-column", "corporate_number")
    expect(problem).to_contain_text(f"チェックデジットは{scenario.wrong_check_digit(n('D'))[0]}ですが")
    expect(problem).to_contain_text(f"正しくは{n('D')[0]}です")
    expect(prime.locator("#upload-status")).to_have_text(
        "回答は受理されませんでした。下記の誤りをご確認ください。"
    )
    screenshots.take(prime, "prime-answer-refused")
    status = survey.campaign_status(uow, cast.users["intake"], campaign)
    assert {r.corporate_number: r.status for r in status.respondents}[n("B")] == "pending"  # nothing applied

    fixed = tmp_path / "answer-fixed.xlsx"
    fixed.write_bytes(_with_supplier(form, n("D")))
    _upload(prime, fixed)
    expect(prime.locator('[data-report="accepted"]')).to_contain_text("回答は受理され")
    expect(prime.locator("#upload-status")).to_have_text("回答は受理されました。")
    forward = prime.locator("#upload-result form")
    expect(forward.get_by_label(n("D"))).to_be_visible()
    screenshots.take(prime, "prime-answer-accepted")
    check_accessibility(prime, titles)
    forward.get_by_label(n("D")).check()
    with prime.expect_navigation():
        forward.get_by_role("button", name="調査を転送する", exact=True).click()
    expect(prime.locator(".message-success")).to_contain_text("D工業株式会社 に調査を転送しました。")
    expect(prime.locator("h1 [data-status]")).to_have_text("回答済み")
    check_accessibility(prime, titles)
    screenshots.take(prime, "prime-forwarded")

    official = log_in(chromium, live_server, "intake", titles)
    official.get_by_role("link", name="サプライチェーン調査").first.click()
    check_accessibility(official, titles)
    expect(official.locator(f'tr[data-campaign="{campaign}"]')).to_contain_text("次期戦闘機")
    screenshots.take(official, "official-campaigns")
    official.get_by_role("link", name=f"調査 {campaign}", exact=True).click()
    check_accessibility(official, titles)
    under_b = official.locator(f'li[data-respondent="{n("B")}"] li[data-respondent="{n("D")}"]')
    expect(under_b).to_have_attribute("data-tier", "2")
    expect(under_b.locator("[data-status]")).to_have_text("回答待ち")
    screenshots.take(official, "official-survey-tree")
    official.get_by_role("link", name="この装備品の供給基盤").click()
    check_accessibility(official, titles)
    picture = official.locator("svg.tier-chart")
    expect(picture).to_be_visible()
    expect(picture.locator("g[data-tier]")).to_have_count(2)
    box = picture.bounding_box()
    assert box is not None
    assert box["width"] > 400
    screenshots.take(official, "official-supplier-base")
    # The refused upload is answered 422 (as by the API), which Chromium logs; nothing else may be.
    expected_refusal = (
        "user-b: Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    )
    logged = list(BROWSER_ERRORS)
    assert logged == [expected_refusal], logged
