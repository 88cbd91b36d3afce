"""The review screen in a real browser for what a reviewer decides beyond approve: merges with
their signals and an editor's split (the cycle merges again and the page follows it), the
consistency gate's findings with an owner's override and its reason on the versions page, a
viewer who is offered neither, and the graph of the changed neighbourhood.

The cycles are built cheaply, as the API tests build them: ``create_review_cycle`` over the
hand-made candidates, two current directors planted as in ``test_gate``, merge records added
as in ``test_resolution``. Screenshots (en, ru) of the merges and consistency tabs and the
graph view go to docs/screenshots/ui.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
import pytest
from rdflib import Literal

from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.vocab import RagIris
from tests.browser.conftest import BrowserPage
from tests.browser.test_ui import sign_in
from tests.factories import add_member, create_account, create_rag, create_review_cycle
from tests.fixtures.review import entity, first_candidate, second_candidate
from tests.integration.api.test_gate import approve, directs
from tests.integration.api.test_resolution import add_merge_record, q1_passage
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

OpenPage = Callable[[str], BrowserPage]
REASON = "two co-directors until the handover in May"


def test_merges_consistency_override_graph_and_a_split(
    open_page: OpenPage,
    client: httpx.Client,
    settings: Settings,
    store: TripleStore,
    worker: WorkerProcess,
    api_url: str,
) -> None:
    from playwright.sync_api import expect

    owner = create_account(client)
    rag_id = create_rag(client, owner, "Acme")
    iris = RagIris(str(settings.base_iri), str(rag_id))
    plant = directs(iris, "Alice Smith", "alice")
    first = create_review_cycle(settings, rag_id, first_candidate(iris), owner.id, plant=plant)
    assert approve(client, owner, rag_id, first).status_code == 200
    plant = directs(iris, "Иван Петров", "ivan")
    cycle_id = create_review_cycle(
        settings, rag_id, second_candidate(iris), owner.id, plant=plant, gate=True
    )
    add_merge_record(store, iris, rag_id, cycle_id, {
        "status": "merged", "scope": "production", "survivor": entity(iris, "Alice Smith"),
        "absorbed": entity(iris, "Алиса Смит"), "names": [Literal("Алиса Смит", lang="ru")],
        "score": "0.93", "signals": {"lemma": 1.0, "translit": 0.92}, "by": "rules",
        "reason": "one person", "passages": [q1_passage(store, iris, rag_id, cycle_id)],
    })  # fmt: skip
    add_merge_record(store, iris, rag_id, cycle_id, {
        "status": "flagged", "scope": "cycle", "survivor": entity(iris, "Иван Петров"),
        "absorbed": entity(iris, "Ivan Petrov Jr"), "names": [Literal("Ivan Petrov Jr")],
        "score": "0.5", "signals": {"translit": 0.81}, "by": "llm", "reason": "unsure",
    })  # fmt: skip
    viewer = create_account(client)
    add_member(client, owner, rag_id, viewer, "viewer")
    review = f"/ui/rags/{rag_id}/cycles/{cycle_id}/review"

    en = open_page("en")
    page = en.page
    sign_in(en, owner.email)
    # The merges: survivor ← the names it absorbs, each signal's score, who decided, passages.
    page.goto(f"{review}?section=merges_production")
    record = page.locator("details.item").filter(has_text="Алиса Смит")
    expect(record.locator("summary")).to_contain_text("Alice Smith")
    expect(record.locator("summary")).to_contain_text("0.93")
    record.locator("summary").click()
    signals = record.locator("table.signals")
    expect(signals.get_by_role("row").filter(has_text="translit")).to_contain_text("0.92")
    expect(signals.get_by_role("row").filter(has_text="lemma")).to_contain_text("1.00")
    expect(record).to_contain_text("one person")
    expect(record.locator(".passage .path").first).to_contain_text("reports/2024/")
    expect(record.get_by_role("button", name="Split")).to_be_visible()
    en.shoot("review-merges")
    page.goto(f"{review}?section=merges_flagged")
    page.locator("details.item summary").click()
    expect(page.get_by_role("button", name="Merge")).to_be_visible()

    # The consistency findings block plain approval; an override needs a reason.
    page.goto(f"{review}?section=violations")
    expect(page.locator("#blocked")).to_contain_text("Approval is blocked.")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    finding = page.locator("details.item").filter(has_text="Acme Corp")
    finding.locator("summary").click()
    statements = finding.locator(".statements > li")
    expect(statements.filter(has_text="Иван Петров")).to_contain_text("new in this cycle")
    alice = statements.filter(has_text="Alice Smith")
    expect(alice).to_contain_text("in production")
    expect(alice.locator("blockquote")).to_have_text("Alice Smith is the director of Acme Corp.")
    page.get_by_role("button", name="Approve with override").click()
    refused = page.locator("form.override .form-error")
    expect(refused).to_contain_text("Give a reason")
    expect(refused).to_contain_text("override_reason_required")
    en.shoot("review-consistency")

    # The graph: from a relation of the change set to its subject's neighbourhood, re-centred.
    page.goto(f"{review}?section=relations_added")
    relation = page.locator("details.item").filter(has_text="Иван Петров").first
    relation.locator("summary").click()
    relation.get_by_role("link", name="Graph of its neighbourhood").click()
    drawing = page.locator("#graph svg")
    expect(drawing.locator("g.center text")).to_have_text("Иван Петров")
    expect(drawing.locator("a.node text")).to_contain_text(["Acme Corp"])
    expect(drawing.locator("text.edge-label")).to_contain_text(["ont:directorOf"])
    drawing.locator("a.node").filter(has_text="Acme Corp").click()
    expect(drawing.locator("g.center text")).to_have_text("Acme Corp")
    expect(drawing.locator("a.node text")).to_contain_text(["Иван Петров"])
    graph = page.url.removeprefix(api_url)
    en.shoot("review-graph")

    # A viewer reads the same findings but is offered no split, merge or override.
    seen = open_page("en")
    sign_in(seen, viewer.email)
    seen.page.goto(f"{review}?section=merges_production")
    seen.page.locator("details.item summary").first.click()
    expect(seen.page.locator("table.signals")).to_be_visible()
    expect(seen.page.locator("details.item form, details.item button")).to_have_count(0)
    expect(seen.page.locator("#blocked")).to_contain_text("Approval is blocked.")
    expect(seen.page.get_by_role("button", name="Approve with override")).to_have_count(0)
    seen.page.goto(f"{review}?section=merges_flagged")
    seen.page.locator("details.item summary").click()
    expect(seen.page.locator("table.signals")).to_be_visible()
    expect(seen.page.locator("details.item form, details.item button")).to_have_count(0)
    seen.page.goto(graph)
    expect(seen.page.locator("#graph svg g.center text")).to_have_text("Acme Corp")
    seen.page.goto(f"/ui/rags/{rag_id}/cycles/{cycle_id}/graph?entity=https://example.org/x")
    expect(seen.page.get_by_role("heading").first).to_contain_text("not an entity")
    seen.assert_clean()

    # The same three views in Russian.
    ru = open_page("ru")
    ru.context.add_cookies(
        [{"name": c["name"], "value": c["value"], "url": api_url} for c in en.context.cookies()]
    )
    shots = {"review-merges": "merges_production", "review-consistency": "violations"}
    for name, path in shots.items():
        ru.page.goto(f"{review}?section={path}")
        ru.page.locator("details.item summary").first.click()
        ru.shoot(name)
    expect(ru.page.locator("#blocked")).to_contain_text("Утверждение заблокировано.")
    ru.page.goto(graph)
    expect(ru.page.locator("#graph svg g.center text")).to_have_text("Acme Corp")
    ru.shoot("review-graph")
    ru.assert_clean()

    # The override with a reason approves; the versions page keeps the reason.
    page.goto(review)  # opens on the findings, which block approval
    tab = page.get_by_role("link", name=re.compile("^Consistency"))
    expect(tab).to_have_attribute("aria-current", "page")
    page.get_by_label("Why approve anyway?").fill(REASON)
    page.get_by_role("button", name="Approve with override").click()
    expect(page).to_have_url(re.compile(r"/versions$"))
    expect(page.get_by_role("row").filter(has_text="v2")).to_contain_text(REASON)

    # An editor's split: the cycle merges again and the page follows it back to review.
    remerged = create_review_cycle(settings, rag_id, first_candidate(iris), owner.id)
    add_merge_record(store, iris, rag_id, remerged, {
        "status": "merged", "scope": "cycle", "survivor": entity(iris, "Acme Corp"),
        "absorbed": entity(iris, "ACME"), "names": [Literal("ACME")], "score": "0.88",
        "signals": {"acronym": 1.0}, "by": "llm", "reason": "ACME is Acme Corp's short form",
    })  # fmt: skip
    page.goto(f"/ui/rags/{rag_id}/cycles/{remerged}/review?section=merges_cycle")
    record = page.locator("details.item").filter(has_text="ACME")
    record.locator("summary").click()
    record.get_by_label("Reason").fill("a subsidiary")
    record.get_by_role("button", name="Split").click()
    expect(page).to_have_url(re.compile(rf"/cycles/{remerged}$"))
    expect(page.get_by_role("link", name="Review the changes")).to_be_visible(timeout=120_000)
    decisions = client.get(f"/rags/{rag_id}/decisions", headers=owner.headers).json()["data"]
    assert [(d["verdict"], d["reason"], d["cycle_id"]) for d in decisions] == [
        ("different", "a subsidiary", remerged)
    ]
    page.get_by_role("link", name="Review the changes").click()
    expect(page.get_by_role("link", name=re.compile("Merged in this cycle"))).to_have_count(0)

    # The owner finds the remembered decision in the settings and forgets it.
    page.goto(f"/ui/rags/{rag_id}/settings")
    row = page.get_by_role("row").filter(has_text="a subsidiary")
    expect(row).to_contain_text("kept apart")
    expect(row).to_contain_text("Acme Corp")  # production's label of the survivor
    expect(row.get_by_role("link", name=f"Cycle #{remerged}")).to_be_visible()
    en.shoot("settings-decisions")
    ru.page.goto(f"/ui/rags/{rag_id}/settings")
    expect(ru.page.get_by_role("row").filter(has_text="a subsidiary")).to_contain_text("разделены")
    ru.shoot("settings-decisions")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Forget").click()
    expect(page.get_by_text("No decisions yet.")).to_be_visible()
    assert client.get(f"/rags/{rag_id}/decisions", headers=owner.headers).json()["count"] == 0

    # The owner merges two production entities found by name: a cycle to review.
    page.get_by_role("link", name="Merge entities of production…").click()
    page.get_by_label("Find entities").fill("Acme Ромашка")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("row").filter(has_text="Ромашка")).to_have_count(1)
    page.get_by_label("Keep Acme Corp", exact=True).check()
    page.get_by_label("Merge Ромашка").check()
    page.get_by_label("Reason").fill("one company")
    en.shoot("merge")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Propose the merge").click()
    expect(page).to_have_url(re.compile(r"/cycles/\d+/review$"))
    expect(page.get_by_role("link", name=re.compile("^Merged into production"))).to_be_visible()
    merge_cycle = int(page.url.rsplit("/", 2)[-2])
    proposed = client.get(f"/rags/{rag_id}/cycles/{merge_cycle}", headers=owner.headers).json()
    assert (proposed["kind"], proposed["status"]) == ("production_merge", "review")
    diff = client.get(f"/rags/{rag_id}/cycles/{merge_cycle}/diff", headers=owner.headers).json()
    (record,) = diff["merges"]["production"]
    assert (record["survivor"]["label"], record["absorbed"]["label"]) == ("Acme Corp", "Ромашка")
    en.assert_clean()
