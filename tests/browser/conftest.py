"""One Chromium for every browser test of the UI: Debian's ``/usr/bin/chromium`` driven by
Playwright for Python (``executable_path``; no browser download), started once per session.

Every page is opened in a context that can reach only the API's origin: requests elsewhere are
aborted and recorded (``BrowserPage.blocked``), as are console errors (a CSP violation shows
as one). Without Chromium the tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = os.environ.get("FERAG_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "ui"


@dataclass
class BrowserPage:
    """A page of its own context, with what it tried to fetch elsewhere and its console
    errors."""

    page: Page
    context: BrowserContext
    language: str
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def shoot(self, name: str, full_page: bool = True) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}-{self.language}.png", full_page=full_page)

    def assert_clean(self) -> None:
        assert self.blocked == [], f"the page asked other sites for {self.blocked}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if Path(CHROMIUM).is_file() or shutil.which(CHROMIUM):
        return CHROMIUM
    message = (
        f"Chromium not found at {CHROMIUM}: install Debian's `chromium` package "
        "(scripts/test does as root) or set FERAG_CHROMIUM"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=chromium_path, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture()
def open_page(browser: Browser, api_url: str) -> Iterator[Callable[[str], BrowserPage]]:
    """``open_page("ru")``: a fresh context (no cookies) whose browser prefers that language."""
    from playwright.sync_api import ConsoleMessage, Route

    origin = urlsplit(api_url).netloc
    contexts: list[BrowserContext] = []

    def factory(language: str = "en") -> BrowserPage:
        context = browser.new_context(
            base_url=api_url,
            viewport={"width": 1280, "height": 860},
            locale="ru-RU" if language == "ru" else "en-GB",
            timezone_id="Europe/Moscow",
        )
        contexts.append(context)
        context.set_default_timeout(20_000)
        opened = BrowserPage(context.new_page(), context, language)

        def only_the_api(route: Route) -> None:
            if urlsplit(route.request.url).netloc == origin:
                route.continue_()
            else:
                opened.blocked.append(route.request.url)
                route.abort("internetdisconnected")

        def on_console(message: ConsoleMessage) -> None:
            # A refused request logs "Failed to load resource"; tests assert its status.
            if message.type == "error" and not message.text.startswith("Failed to load"):
                opened.console_errors.append(message.text)

        context.route("**/*", only_the_api)
        opened.page.on("console", on_console)
        opened.page.on("pageerror", lambda error: opened.console_errors.append(str(error)))
        opened.page.on("dialog", lambda dialog: dialog.accept())
        return opened

    yield factory
    for context in contexts:
        context.close()
