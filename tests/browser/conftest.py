"""One Chromium for every browser test of the UI: Debian's ``/usr/bin/chromium`` driven by
Playwright for Python (``executable_path``; no browser download), started once per session
(the ``browser`` fixture of ``tests/conftest.py``, shared with the /docs test).

Every page is opened in a context that can reach only the API's origin: requests elsewhere are
aborted and recorded (``BrowserPage.blocked``), as are console errors (a CSP violation shows
as one). Without Chromium the tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

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
