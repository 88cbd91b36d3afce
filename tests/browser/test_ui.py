"""The web UI in a real browser (Chromium via Playwright; see conftest.py), like a person uses
it: by role and visible text. Every request to anything but the API is blocked, and no page may
log a console error (a CSP violation is one).

- the journey: register, create a RAG, upload a zip with a Russian document, watch its cycle
  reach review, open a passage of the diff, approve, ask a question in Russian and open a
  citation, roll back; then every page again in Russian (screenshots in docs/screenshots/ui);
- a viewer sees no approve button and the API refuses a direct approval from their session
  (and any session request without its CSRF token); entity names and descriptions with markup
  and ``<script>`` render as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from rdflib import RDFS, Literal, URIRef
from rdflib.namespace import DCTERMS

from ferag.settings import Settings
from graphrag_lib.vocab import RagIris
from tests.browser.conftest import BrowserPage
from tests.factories import (
    PASSWORD,
    add_member,
    create_account,
    create_rag,
    create_review_cycle,
    random_email,
)
from tests.fixtures.documents import zip_bytes
from tests.fixtures.review import entity, first_candidate
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

OpenPage = Callable[[str], BrowserPage]

RUSSIAN_ZIP = zip_bytes(
    {
        "отчёты/кама.txt": "Елена Кузнецова работает в Кама Банке в Казани. "
        "Кама Банк кредитует транспортные компании Татарстана. "
        "Игорь Соколов руководит складом Кама Банка в Новосибирске.\n".encode(),
    }
)
EVIL_LABEL = '<script>window.__xss = 1</script> Berlin & "Co"'
EVIL_DESCRIPTION = '<img src="x" onerror="window.__xss = 2"> <b>not bold</b>'
APPROVE_BY_FETCH = """async ([url, withToken]) => {
    const token = document.querySelector('meta[name="csrf-token"]').content;
    const headers = withToken ? {"X-CSRF-Token": token} : {};
    const response = await fetch(url, {method: "POST", headers});
    return [response.status, (await response.json()).error.code];
}"""


def sign_in(opened: BrowserPage, email: str) -> None:
    page = opened.page
    page.goto("/ui/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def test_journey_from_registration_to_rollback(
    open_page: OpenPage, worker: WorkerProcess, api_url: str
) -> None:
    from playwright.sync_api import FilePayload, expect

    en = open_page("en")
    page = en.page
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/ui/login\?next=/$"))
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Offline stand-in")
    en.shoot("login")
    page.get_by_role("link", name="Register").click()
    en.shoot("register")
    page.get_by_label("Email").fill(random_email())
    page.get_by_label("Full name").fill("Анна Смирнова")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Knowledge bases", exact=True)).to_be_visible()
    en.shoot("home-empty")

    page.get_by_label("Name").fill("Кама Банк")
    page.get_by_label("Description").fill("Отчёты филиалов и заметки о клиентах")
    page.get_by_label("Language of the documents").select_option("ru")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name="Кама Банк")).to_be_visible()
    rag_path = page.url.removeprefix(api_url)
    en.shoot("rag-empty")

    page.get_by_role("link", name="Upload documents").first.click()
    page.locator("#files").set_input_files(
        [FilePayload(name="отчёты.zip", mimeType="application/zip", buffer=RUSSIAN_ZIP)]
    )
    expect(page.get_by_text("отчёты.zip")).to_be_visible()
    en.shoot("upload")
    page.get_by_role("button", name="Upload and start a cycle").click()
    expect(page).to_have_url(re.compile(r"/cycles/\d+$"))
    cycle_path = page.url.removeprefix(api_url)
    expect(page.locator("#log > div").first).to_be_visible()
    en.shoot("cycle-running")
    review = page.get_by_role("link", name="Review the changes")
    expect(review).to_be_visible(timeout=300_000)  # the whole pipeline on the stand-in
    expect(page.locator('#steps li[data-step="staging"] .badge')).to_have_text("done")
    en.shoot("cycle-done")

    review.click()
    expect(page.get_by_role("heading", name="Кама Банк")).to_be_visible()
    item = page.locator("details.item").first
    item.locator("summary").click()
    passage = item.locator(".passage").first
    expect(passage).to_be_visible()
    expect(passage.locator(".path")).to_contain_text("отчёты/кама.txt")
    expect(passage.locator("blockquote")).to_contain_text("Кам")
    en.shoot("review")
    page.get_by_role("button", name="Approve").click()
    expect(page).to_have_url(re.compile(r"/versions$"))
    expect(page.get_by_role("row").filter(has_text="v1")).to_contain_text("current")

    page.get_by_role("link", name="Chat").click()
    page.get_by_label("Question").fill("Где работает Елена Кузнецова?")
    page.get_by_role("button", name="Ask").click()
    citation = page.locator(".msg.assistant details.citation").first
    expect(citation).to_be_visible(timeout=60_000)
    citation.locator("summary").click()
    expect(citation.locator(".passage .path")).to_contain_text("кама.txt")
    expect(citation.locator("blockquote")).to_contain_text("Кузнецова")
    chat_path = page.url.removeprefix(api_url)  # ?session=… of the new conversation
    en.shoot("chat")

    page.get_by_role("link", name="Versions").click()
    page.get_by_role("button", name="Roll back to v0").click()
    rollback = page.get_by_role("row").filter(has_text="rollback to v0")
    expect(rollback).to_contain_text("current")
    en.shoot("versions")

    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Members")).to_be_visible()
    en.shoot("settings")
    page.get_by_role("link", name="Status").click()
    expect(page.get_by_role("cell", name="Language model")).to_be_visible()
    expect(page.get_by_role("cell", name="stand-in", exact=True)).to_be_visible()
    en.shoot("status")
    page.goto(f"{rag_path}/cycles")  # no such page: the error page
    page.goto("/ui/rags/2147483647")
    expect(page.get_by_role("heading")).to_contain_text("does not exist")
    en.shoot("error")
    page.goto(rag_path)
    en.shoot("rag")
    page.goto("/")
    en.shoot("home")
    en.assert_clean()

    # The same pages in Russian: the browser asks for Russian, the session is the same.
    ru = open_page("ru")
    cookies = en.context.cookies()
    ru.context.add_cookies(
        [{"name": c["name"], "value": c["value"], "url": api_url} for c in cookies]
    )
    paths = {"home": "/", "rag": rag_path, "upload": f"{rag_path}/upload"}
    paths |= {"cycle-done": cycle_path, "review": f"{cycle_path}/review", "chat": chat_path}
    paths |= {"versions": f"{rag_path}/versions", "settings": f"{rag_path}/settings"}
    paths |= {"status": "/ui/status"}
    for name, path in paths.items():
        ru.page.goto(path)
        expect(ru.page.locator("html")).to_have_attribute("lang", "ru")
        if name == "status":
            expect(ru.page.get_by_role("cell", name="Языковая модель")).to_be_visible()
        ru.shoot(name)
    expect(ru.page.get_by_role("link", name="Базы знаний")).to_be_visible()
    anonymous = open_page("ru")
    anonymous.page.goto("/ui/login")
    expect(anonymous.page.get_by_role("heading", name="Войти")).to_be_visible()
    anonymous.shoot("login")
    anonymous.page.goto("/ui/register")
    anonymous.shoot("register")
    ru.assert_clean()
    anonymous.assert_clean()


def test_a_viewer_cannot_approve_and_markup_stays_text(
    open_page: OpenPage, client: httpx.Client, settings: Settings
) -> None:
    from playwright.sync_api import expect

    owner = create_account(client)
    rag_id = create_rag(client, owner, "markup")
    iris = RagIris(str(settings.base_iri), str(rag_id))
    candidate = first_candidate(iris)
    berlin = URIRef(entity(iris, "Berlin"))
    candidate.set((berlin, RDFS.label, Literal(EVIL_LABEL)))
    candidate.set((berlin, DCTERMS.description, Literal(EVIL_DESCRIPTION)))
    cycle_id = create_review_cycle(settings, rag_id, candidate, owner.id)
    viewer = create_account(client)
    add_member(client, owner, rag_id, viewer, "viewer")

    opened = open_page("en")
    page = opened.page
    sign_in(opened, viewer.email)
    review_path = f"/ui/rags/{rag_id}/cycles/{cycle_id}/review"
    page.goto(review_path)
    label = page.locator("summary .label").filter(has_text='Berlin & "Co"')
    expect(label).to_have_text(EVIL_LABEL)
    evil = page.locator("details.item").filter(has=label)
    evil.locator("summary").click()
    expect(evil.get_by_role("paragraph").filter(has_text=EVIL_DESCRIPTION)).to_be_visible()
    assert page.evaluate("window.__xss") is None
    assert page.locator("main script, main img").count() == 0
    expect(page.get_by_text("Only owners approve or reject.")).to_be_visible()
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_role("link", name="Upload documents")).to_have_count(0)
    opened.shoot("review-viewer")

    approve = f"/rags/{rag_id}/cycles/{cycle_id}/approve"
    assert page.evaluate(APPROVE_BY_FETCH, [approve, True]) == [403, "insufficient_role"]
    assert page.evaluate(APPROVE_BY_FETCH, [approve, False]) == [403, "csrf_failed"]
    page.goto(f"/ui/rags/{rag_id}/settings")  # owners only, as PATCH /rags/{id} is
    expect(page.get_by_role("heading")).to_contain_text("does not allow")
    cycle = client.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
    assert cycle["status"] == "review"
    opened.assert_clean()
