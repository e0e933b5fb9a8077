"""The examination in headless Chromium: an examiner scores every document of a case on the
case page (criteria of the published policy, with their labels and a note) and determines it by
the policy; screenshots of each step in test-artifacts/e2e/, accessibility basics checked.

`score_documents_in_browser` is the browser step on its own, for the main journey to call.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from shokei.documents import services as documents
from shokei.examination import services as examination
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.purchase import services as purchase
from tests.e2e.conftest import LiveServer, Screenshots
from tests.e2e.test_browser_journey import BROWSER_ERRORS, check_accessibility, log_in, press
from tests.factories import Office

# Policy 2022.1 by hand: 30·2/5 + 25·3/5 + 20·2/5 + 10·3/3 + 10·4/4 + 5·4/4 = 60, the threshold:
# every document scored so requires protection (rule score_threshold).
PROTECTION_SCORES = {
    "装備品への重要度": "2",
    "性能・能力の開示": "3",
    "代替可能性": "2",
    "輸出管理上の該非": "3",
    "技術データパッケージの完成度": "4",
    "設計の新しさ": "4",
}
UNSCORED_FORMS = "details[open] form.exam-score-form"


def score_documents_in_browser(
    page: Page,
    case_url: str,
    scores: dict[str, str] | None = None,
    note: str = "装備品の固有設計を含み、代替の供給源がない。",
) -> int:
    """As a logged-in examiner: score every document not yet scored on the case page, choosing
    each criterion by its label; returns how many documents were scored."""
    chosen = scores or PROTECTION_SCORES
    page.goto(case_url)
    scored = 0
    while page.locator(UNSCORED_FORMS).count():
        form = page.locator(UNSCORED_FORMS).first
        for label, value in chosen.items():
            form.get_by_label(label).select_option(value)
        form.get_by_label("理由（所見）").fill(note)
        with page.expect_navigation():
            form.get_by_role("button", name="評点を記録する").click()
        expect(page.locator(".message-error")).to_have_count(0)
        expect(page.locator(".message-success")).to_contain_text("評点を記録しました")
        scored += 1
    return scored


def test_an_examiner_scores_every_document_and_determines(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots, sample_files: Path
) -> None:
    uow = live_server.shokei.uow
    office = Office(uow)
    case = office.open_case(documents=2)
    documents.submit_documents(
        uow,
        live_server.shokei.vault(),
        office.supplier,
        case.id,
        [sample_files / "one-page.pdf"],
        scratch_dir=live_server.shokei.scratch_dir,
    )
    office.to_under_examination(case.id)
    case_url = f"{live_server.url}/cases/{case.id}"
    titles: set[str] = set()
    BROWSER_ERRORS.clear()

    examiner = log_in(chromium, live_server, "examiner", titles)
    examiner.goto(case_url)
    check_accessibility(examiner, titles)
    panel = examiner.locator("#examination")
    expect(panel).to_contain_text("技術的重要性の審査")
    expect(panel).to_contain_text("サプライチェーン")  # the evidence panel
    expect(panel.locator("form.exam-score-form")).to_have_count(3)  # two paper documents and the PDF
    panel.locator("form.exam-score-form").first.scroll_into_view_if_needed()
    screenshots.take(examiner, "examiner-scoring-form")

    assert score_documents_in_browser(examiner, case_url) == 3
    check_accessibility(examiner, titles)
    expect(panel.locator("table.exam-scores")).to_have_count(3)
    expect(panel).to_contain_text("60.00")
    expect(panel).to_contain_text("加重評点が基準点以上")  # what the policy decides now
    screenshots.take(examiner, "examiner-scored")

    view = examination.get_examination(uow, office.auditor, case.id)
    assert [len(doc.scores) for doc in view.documents] == [1, 1, 1]
    assert {doc.scores[0].weighted_score for doc in view.documents} == {60.0}

    examiner.get_by_label("判定理由（任意、監査台帳に記録されます）").fill("全文書が基準点に達する。")
    press(examiner, "審査基準に基づき判定する")
    expect(examiner.locator(".page-meta .badge")).to_have_text("要保護")
    expect(examiner.locator(".message-success")).to_contain_text("要保護")
    expect(examiner.locator(".exam-determination")).to_contain_text("2022.1")
    check_accessibility(examiner, titles)
    screenshots.take(examiner, "examiner-determined")

    determined = examination.get_examination(uow, office.auditor, case.id).determination
    assert determined is not None
    assert (determined.determination, determined.rule) == ("protection_required", "score_threshold")

    # the auditor reads the scores and the determination, with no form to change them
    auditor = log_in(chromium, live_server, "auditor", titles)
    auditor.goto(case_url)
    expect(auditor.locator("#examination .exam-determination")).to_contain_text("要保護")
    expect(auditor.locator("form.exam-score-form")).to_have_count(0)
    screenshots.take(auditor, "auditor-examination")

    assert screenshots.count == 4
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"


def set_appropriation_in_browser(page: Page, base_url: str, fiscal_year: int, amount: str) -> None:
    """As a logged-in program manager: set a fiscal year's appropriation on the budget page."""
    page.goto(f"{base_url}/budget?fy={fiscal_year}")
    page.get_by_label("年度（開始する年）").fill(str(fiscal_year))
    page.get_by_label("予算額（円）").fill(amount)
    press(page, "予算額を設定する")
    expect(page.locator(".message-success")).to_contain_text("予算額を設定しました")


def test_a_program_manager_funds_the_year_and_approves_within_it(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    uow = live_server.shokei.uow
    office = Office(uow)
    case = office.open_case().id
    office.to_negotiating(case)
    purchase.agree_purchase(uow, office.negotiator, case, amount_yen=48_500_000)
    titles: set[str] = set()
    BROWSER_ERRORS.clear()

    manager = log_in(chromium, live_server, "manager", titles)
    manager.get_by_role("link", name="予算", exact=True).click()
    check_accessibility(manager, titles)
    expect(manager.locator("h1")).to_have_text("予算　2026年度")
    set_appropriation_in_browser(manager, live_server.url, 2026, "1,000,000,000")
    expect(manager.locator("#selected-figures")).to_contain_text("¥1,000,000,000")

    manager.goto(f"{live_server.url}/cases/{case}")
    expect(manager.locator("#purchase")).to_contain_text("2026年度の予算残額は¥1,000,000,000です")
    press(manager, "買取を承認し予算を確保する")
    expect(manager.locator(".page-meta .badge")).to_have_text("買取承認済")
    screenshots.take(manager, "manager-approved")

    manager.goto(f"{live_server.url}/")
    box = manager.locator("#budget-box")
    expect(box).to_contain_text("9億5,150万円")  # 1,000,000,000 − 48,500,000 = 951,500,000
    chart = box.locator("svg.budget-chart")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] > 200  # type: ignore[index]
    screenshots.take(manager, "manager-dashboard-budget")

    manager.get_by_role("link", name="年度別予算及び契約済額の一覧").click()
    check_accessibility(manager, titles)
    expect(manager.locator("#commitments")).to_contain_text("¥48,500,000")
    expect(manager.locator("#years-chart")).to_be_visible()
    screenshots.take(manager, "manager-budget-page")

    assert budget_fy2026(uow, office) == (1_000_000_000, 48_500_000, 0, 951_500_000)
    assert BROWSER_ERRORS == [], "no script errors and no Content-Security-Policy violations"


def budget_fy2026(uow: UnitOfWork, office: Office) -> tuple[int, int, int, int]:
    view = purchase.get_budget(uow, office.auditor, fiscal_year=2026)
    return view.appropriation, view.committed, view.paid, view.available
