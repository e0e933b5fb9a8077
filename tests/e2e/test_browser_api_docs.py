"""/docs and /redoc on a closed network: with every request to another host refused, Swagger UI
and Redoc load from Shokei's own files, list the API's operations, and break no CSP rule."""

from __future__ import annotations

from playwright.sync_api import Browser, ConsoleMessage, Route, expect

from tests.e2e.conftest import LiveServer, Screenshots

# Redoc 2 always draws its vendor's logo from cdn.redoc.ly (no option turns it off); the pages' CSP
# refuses it before any request leaves, and Redoc hides the image when it fails to load.
REDOC_BRANDING = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _closed_network_page(chromium: Browser, live_server: LiveServer) -> tuple[object, list[str], list[str]]:
    context = chromium.new_context(locale="ja-JP")
    page = context.new_page()
    refused: list[str] = []
    problems: list[str] = []

    def only_shokei(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    page.route("**/*", only_shokei)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, refused, problems


def test_swagger_ui_lists_the_operations_with_outside_requests_blocked(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    page, refused, problems = _closed_network_page(chromium, live_server)
    page.goto(f"{live_server.url}/docs")  # type: ignore[attr-defined]
    # An operation every deployment has: the case list.
    operation = page.locator(".opblock-summary-path", has_text="/api/v1/cases")  # type: ignore[attr-defined]
    expect(operation.first).to_be_visible(timeout=20_000)
    assert page.locator(".opblock").count() > 50  # type: ignore[attr-defined]
    screenshots.take(page, "swagger-ui")  # type: ignore[arg-type]
    assert refused == [], "the page asked another site"
    assert problems == [], "no script errors and no Content-Security-Policy violations"


def test_redoc_lists_the_operations_with_outside_requests_blocked(
    chromium: Browser, live_server: LiveServer, screenshots: Screenshots
) -> None:
    page, refused, problems = _closed_network_page(chromium, live_server)
    page.goto(f"{live_server.url}/redoc")  # type: ignore[attr-defined]
    menu = page.locator("[role=menuitem]")  # type: ignore[attr-defined]
    expect(menu.first).to_be_visible(timeout=20_000)
    expect(page.locator("h1").first).to_contain_text("Shokei")  # type: ignore[attr-defined]
    assert menu.count() > 50
    screenshots.take(page, "redoc")  # type: ignore[arg-type]
    assert refused == [], "the page asked another site"
    assert [problem for problem in problems if REDOC_BRANDING not in problem] == [], (
        "no script errors and no Content-Security-Policy violations"
    )
