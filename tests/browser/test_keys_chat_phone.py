"""The rest of the web UI in a real browser (see conftest.py), over one RAG whose production
holds facts that changed (``tests.fixtures.history_graph``) and one cycle in review:

- API keys: create one (shown once, copied), see it work against ``/v1``, revoke it; another
  user's key cannot be revoked from this session;
- chat "as of": a question asked for 2020 is answered from the facts of 2020, cites the 2015
  passage and says which date it answered for; an invalid date shows the API's 422;
- upload: the file the API refuses is marked on its own row;
- phone width (390 x 844): no page scrolls sideways, the menu is reachable, tables scroll inside
  their box (screenshots ``*-phone-en.png``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest

from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import RagIris
from tests.browser.conftest import BrowserPage
from tests.browser.test_ui import sign_in
from tests.factories import Account, create_account, create_api_key, create_rag, create_review_cycle
from tests.fixtures.history_graph import build_history_graph
from tests.fixtures.review import first_candidate
from tests.integration.chat.conftest import load_production

pytestmark = pytest.mark.slow

OpenPage = Callable[[str], BrowserPage]
DIRECTOR = "Who is the director of the Polar Institute?"
FETCH_WITH_TOKEN = """async ([method, url]) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const response = await fetch(url, {method, headers: {"X-CSRF-Token": token}});
    return [response.status, (await response.json()).error.code];
}"""
# The page's own width, and every table (or its scrolling box) that sticks out of the viewport.
OVERFLOW = """() => {
    const width = window.innerWidth;
    const out = [...document.querySelectorAll("table")].filter((table) => {
        const box = table.closest(".table-card") || table;
        return box.getBoundingClientRect().right > width + 1;
    });
    return [document.documentElement.scrollWidth, width, out.length];
}"""


def test_api_keys_chat_as_of_upload_errors_and_phone_width(
    open_page: OpenPage,
    client: httpx.Client,
    settings: Settings,
    store: TripleStore,
    api_url: str,
) -> None:
    owner = create_account(client)
    rag_id = create_rag(client, owner, "Polar Institute")
    iris = RagIris(str(settings.base_iri), str(rag_id))
    load_production(settings, store, rag_id, build_history_graph(iris).graph)
    cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris), owner.id)

    opened = open_page("en")
    opened.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=api_url)
    sign_in(opened, owner.email)
    _api_keys(opened, client, owner, rag_id)
    chat_path = _chat_as_of(opened, rag_id)
    _upload_errors(opened, rag_id)
    rag = f"/ui/rags/{rag_id}"
    paths = {"home": "/", "rag": rag, "upload": f"{rag}/upload", "chat": chat_path}
    paths |= {"cycle": f"{rag}/cycles/{cycle_id}", "review": f"{rag}/cycles/{cycle_id}/review"}
    paths |= {"versions": f"{rag}/versions", "settings": f"{rag}/settings"}
    paths |= {"status": "/ui/status", "keys": "/ui/keys"}
    _phone_width(opened, paths)
    opened.assert_clean()
    ru = open_page("ru")
    cookies = opened.context.cookies()
    ru.context.add_cookies([{"name": c["name"], "value": c["value"], "url": api_url}
                            for c in cookies])  # fmt: skip
    _in_russian(ru, rag_id, chat_path)


def _in_russian(ru: BrowserPage, rag_id: int, chat_path: str) -> None:
    """The keys page, the answer "as of" a date and a refused file, in Russian (signed in)."""
    from playwright.sync_api import expect

    ru.page.goto("/ui/keys")
    expect(ru.page.get_by_role("heading", name="API-ключи")).to_be_visible()
    ru.shoot("keys")
    ru.page.goto(chat_path)
    scope = ru.page.locator(".msg.assistant .scope").last
    expect(scope).to_contain_text("Ответ на дату 1 июня 2020")
    ru.shoot("chat-as-of")
    _upload_errors(ru, rag_id)
    ru.assert_clean()


def _api_keys(opened: BrowserPage, client: httpx.Client, owner: Account, rag_id: int) -> None:
    from playwright.sync_api import expect

    page = opened.page
    others = create_account(client)
    their_key = create_api_key(client, others, "not yours")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API keys").click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    expect(page.get_by_text("No keys yet.")).to_be_visible()
    expect(page.locator("#base-url")).to_have_text(re.compile(r"^http://127\.0\.0\.1:\d+/v1$"))
    expect(page.locator(".models")).to_contain_text(f"rag-{rag_id} — Polar Institute")

    page.get_by_label("What it is for").fill("open-webui")
    page.get_by_role("button", name="Create key").click()
    secret = page.locator("#secret-key")
    expect(secret).to_have_text(re.compile(r"^frg_\S{40,}$"))
    key = secret.inner_text()
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_text("Copied.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == key
    row = page.get_by_role("row").filter(has_text="open-webui")
    expect(row).to_contain_text(key[:12] + "…")
    expect(row).to_contain_text("active")
    expect(page.get_by_text("not yours")).to_have_count(0)
    opened.shoot("keys")

    bearer = {"Authorization": f"Bearer {key}"}
    models = client.get("/v1/models", headers=bearer)
    assert models.status_code == 200 and f"rag-{rag_id}" in models.text
    page.get_by_role("button", name="Revoke open-webui").click()  # the dialog is accepted
    expect(row).to_contain_text("revoked")
    assert client.get("/v1/models", headers=bearer).status_code == 401
    page.reload()
    expect(page.get_by_role("row").filter(has_text="open-webui")).to_contain_text("revoked")
    assert page.evaluate(FETCH_WITH_TOKEN, ["DELETE", f"/auth/api-keys/{their_key}"]) == [
        404,
        "api_key_not_found",
    ]


def _chat_as_of(opened: BrowserPage, rag_id: int) -> str:
    """Asks about the director as of 2020; returns the conversation's path."""
    from playwright.sync_api import expect

    page = opened.page
    page.goto(f"/ui/rags/{rag_id}/chat")
    page.get_by_label("Question").fill(DIRECTOR)
    page.get_by_label("Answer as of").fill("2020-06-01")
    with page.expect_request(re.compile(r"/rags/\d+/chat$")) as asked:
        page.get_by_role("button", name="Ask").click()
    sent = asked.value.post_data_json
    assert sent is not None and sent["as_of"] == "2020-06-01"
    answer = page.locator(".msg.assistant").last
    expect(answer.locator(".scope")).to_have_text("Answered as of 1 June 2020", timeout=60_000)
    paths = answer.locator("details.citation .passage .path")
    expect(paths.filter(has_text="news/2015/polar.txt")).not_to_have_count(0)
    chat_path = page.url.split("/", 3)[3]
    page.reload()  # the recorded turn says it too
    expect(page.locator(".msg.assistant .scope").last).to_have_text("Answered as of 1 June 2020")
    opened.shoot("chat-as-of")

    # A year Chromium's date field accepts but an ISO date cannot hold: the API's 422.
    page.locator("#as-of").evaluate("(input) => { input.value = '20201-06-01'; }")
    page.get_by_label("Question").fill(DIRECTOR)
    page.get_by_role("button", name="Ask").click()
    expect(page.locator("#chat-error")).to_contain_text("as_of")
    return "/" + chat_path


def _upload_errors(opened: BrowserPage, rag_id: int) -> None:
    from playwright.sync_api import FilePayload, expect

    page = opened.page
    page.goto(f"/ui/rags/{rag_id}/upload")
    good = FilePayload(name="notes.txt", mimeType="text/plain", buffer=b"Hans Eriksen sails.\n")
    bad = FilePayload(name="tool.exe", mimeType="application/octet-stream", buffer=b"MZ\x90\0bin")
    page.locator("#files").set_input_files([good, bad])
    upload = {"en": "Upload and start a cycle", "ru": "Загрузить и начать цикл"}[opened.language]
    page.get_by_role("button", name=upload).click()
    refused = page.locator(".file-row.refused")
    expect(refused).to_have_count(1)
    expect(refused.locator(".name")).to_have_text("tool.exe")
    expect(refused.get_by_role("alert")).to_contain_text("tool.exe:")
    expect(page.locator("#upload-error")).to_contain_text("unsupported_format")
    opened.shoot("upload-refused")


def _phone_width(opened: BrowserPage, paths: dict[str, str]) -> None:
    from playwright.sync_api import expect

    page = opened.page
    page.set_viewport_size({"width": 390, "height": 844})
    for name, path in paths.items():
        page.goto(path)
        width, viewport, tables_out = page.evaluate(OVERFLOW)
        assert (width, tables_out) == (viewport, 0), f"{name} ({path}) is wider than a phone"
        menu = page.get_by_role("navigation", name="Main")
        expect(menu.get_by_role("link", name="Knowledge bases")).to_be_in_viewport()
        if name in ("home", "review", "chat", "keys"):
            opened.shoot(f"{name}-phone", full_page=False)
