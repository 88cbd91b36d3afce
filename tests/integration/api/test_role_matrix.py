"""Every endpoint for every kind of caller: owner, editor, viewer, non-member, anonymous.

Each endpoint declares the least role it needs; the test checks that callers at or above it
succeed and everyone else gets the documented refusal (anonymous 401, non-member 404, member
with a lower role 403). A route missing from ENDPOINTS fails ``test_matrix_covers_every_route``,
so new endpoints must be added here.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from graphrag_lib.vocab import RagIris
from tests.factories import (
    PASSWORD,
    Account,
    add_member,
    create_account,
    create_api_key,
    create_chat_session,
    create_decision,
    create_rag,
    create_review_cycle,
    create_task,
    set_cycle_status,
)
from tests.fixtures.review import entity, first_candidate

SHAPES = "@prefix sh: <http://www.w3.org/ns/shacl#> . <urn:x:S> a sh:NodeShape ."
CALLERS = ("owner", "editor", "viewer", "non_member", "anonymous")
RANK = {"owner": 3, "editor": 2, "viewer": 1}


@dataclass
class Scene:
    """A fresh RAG with one account per role, plus an outsider and a spare member."""

    rag_id: int
    accounts: dict[str, Account]
    spare: Account  # a viewer member that endpoints may modify
    outsider: Account  # registered, not a member
    task_id: uuid.UUID  # a task of the RAG
    cycle_id: int = 0  # a cycle in review, for endpoints whose path names one
    sessions: dict[str, uuid.UUID] = field(default_factory=dict)  # caller → a chat session
    api_keys: dict[str, int] = field(default_factory=dict)  # caller → one of their API keys
    iris: RagIris | None = None  # the RAG's IRIs, for bodies that name its entities
    decision_id: int = 0  # a remembered resolution decision of the RAG


@dataclass
class Endpoint:
    method: str
    path: str
    needs: str  # public | user | viewer | editor | owner
    body: Callable[[Scene], Any] = field(default=lambda scene: None)
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None  # multipart upload
    cycle_status: str | None = None  # the scene's cycle is put in this status first
    production: bool = False  # the scene approves a cycle first (production has entities)
    query: str = ""  # the query string a call needs (``q=…``)
    form: dict[str, str] | None = None  # a form body (application/x-www-form-urlencoded)

    def url(self, scene: Scene, caller: str = "owner") -> str:
        return self.path.format(
            rag_id=scene.rag_id,
            user_id=scene.spare.id,
            task_id=scene.task_id,
            cycle_id=scene.cycle_id,
            number=0,  # rollback target: the scene approves one cycle first
            # sessions and keys are private: each caller names their own (outsiders the owner's)
            session_id=scene.sessions.get(caller, scene.sessions.get("owner")),
            key_id=scene.api_keys.get(caller, 0),
            decision_id=scene.decision_id,
            model=f"rag-{scene.rag_id}",
        ) + (f"?{self.query}" if self.query else "")


def names(scene: Scene, label: str) -> str:
    """The IRI of the scene RAG's entity ``label`` (of ``tests.fixtures.review``)."""
    assert scene.iris is not None
    return entity(scene.iris, label)


ENDPOINTS = [
    Endpoint(
        "POST",
        "/auth/register",
        "public",
        lambda s: {"email": f"new-{s.rag_id}-{id(s)}@example.com", "password": PASSWORD},
    ),
    Endpoint(
        "POST", "/auth/login", "public", lambda s: {"email": s.outsider.email, "password": PASSWORD}
    ),
    Endpoint("GET", "/auth/me", "user"),
    Endpoint("GET", "/health", "public"),
    Endpoint("GET", "/health/live", "public"),
    Endpoint("GET", "/health/ready", "public"),
    Endpoint("GET", "/metrics", "public"),
    Endpoint("POST", "/rags", "user", lambda s: {"name": "another"}),
    Endpoint("GET", "/rags", "user"),
    Endpoint("GET", "/rags/{rag_id}", "viewer"),
    Endpoint("PATCH", "/rags/{rag_id}", "owner", lambda s: {"description": "changed"}),
    Endpoint("DELETE", "/rags/{rag_id}", "owner"),
    Endpoint("GET", "/rags/{rag_id}/members", "viewer"),
    Endpoint(
        "POST",
        "/rags/{rag_id}/members",
        "owner",
        lambda s: {"email": s.outsider.email, "role": "viewer"},
    ),
    Endpoint("PATCH", "/rags/{rag_id}/members/{user_id}", "owner", lambda s: {"role": "editor"}),
    Endpoint("DELETE", "/rags/{rag_id}/members/{user_id}", "owner"),
    Endpoint("GET", "/tasks/{task_id}", "viewer"),
    Endpoint("GET", "/tasks/{task_id}/events", "viewer"),
    Endpoint("POST", "/tasks/{task_id}/ticket", "viewer"),
    Endpoint(
        "POST",
        "/rags/{rag_id}/upload",
        "editor",
        files=[("files", ("a.txt", b"Anna Smirnova works in Kazan.", "text/plain"))],
    ),
    Endpoint("GET", "/rags/{rag_id}/cycles", "viewer"),
    Endpoint("GET", "/rags/{rag_id}/cycles/{cycle_id}", "viewer"),
    Endpoint("POST", "/rags/{rag_id}/cycles/{cycle_id}/retry", "editor", cycle_status="failed"),
    Endpoint("POST", "/rags/{rag_id}/cycles/{cycle_id}/cancel", "editor", cycle_status="failed"),
    Endpoint("GET", "/rags/{rag_id}/cycles/{cycle_id}/diff", "viewer"),
    Endpoint("POST", "/rags/{rag_id}/cycles/{cycle_id}/approve", "owner"),
    Endpoint("POST", "/rags/{rag_id}/cycles/{cycle_id}/reject", "owner"),
    Endpoint("POST", "/rags/{rag_id}/cycles/{cycle_id}/rebase", "editor"),
    Endpoint(
        "POST",
        "/rags/{rag_id}/cycles/{cycle_id}/decisions",
        "editor",
        lambda s: {"action": "split", "a": names(s, "Alice Smith"), "b": names(s, "Acme Corp")},
    ),
    Endpoint("GET", "/rags/{rag_id}/decisions", "viewer"),
    Endpoint("DELETE", "/rags/{rag_id}/decisions/{decision_id}", "owner"),
    Endpoint(
        "POST",
        "/rags/{rag_id}/merges",
        "owner",
        lambda s: {"survivor": names(s, "Acme Corp"), "absorbed": [names(s, "Ромашка")]},
        production=True,
    ),
    Endpoint("GET", "/rags/{rag_id}/entities", "viewer", query="q=Alice", production=True),
    Endpoint("GET", "/rags/{rag_id}/sparql", "viewer", query="query=ASK%7B%7D"),
    Endpoint("POST", "/rags/{rag_id}/sparql", "viewer", form={"query": "ASK {}"}),
    Endpoint("GET", "/rags/{rag_id}/versions", "viewer"),
    Endpoint("POST", "/rags/{rag_id}/versions/{number}/rollback", "owner"),
    Endpoint("GET", "/rags/{rag_id}/shapes", "viewer"),
    Endpoint("PUT", "/rags/{rag_id}/shapes", "owner", lambda s: {"turtle": SHAPES}),
    Endpoint("DELETE", "/rags/{rag_id}/shapes", "owner"),
    Endpoint("POST", "/rags/{rag_id}/chat", "viewer", lambda s: {"question": "Who is Alice?"}),
    Endpoint("GET", "/rags/{rag_id}/chat/sessions", "viewer"),
    Endpoint("GET", "/rags/{rag_id}/chat/sessions/{session_id}", "viewer"),
    Endpoint("DELETE", "/rags/{rag_id}/chat/sessions/{session_id}", "viewer"),
    Endpoint("POST", "/auth/api-keys", "user", lambda s: {"name": "matrix"}),
    Endpoint("GET", "/auth/api-keys", "user"),
    Endpoint("DELETE", "/auth/api-keys/{key_id}", "user"),
    Endpoint("GET", "/v1/models", "user"),
    Endpoint("GET", "/v1/models/{model}", "viewer"),
    Endpoint(
        "POST",
        "/v1/chat/completions",
        "viewer",
        lambda s: {"model": f"rag-{s.rag_id}", "messages": [{"role": "user", "content": "Hi?"}]},
    ),
    Endpoint(
        "POST", "/v1/completions", "viewer", lambda s: {"model": f"rag-{s.rag_id}", "prompt": "Hi?"}
    ),
    Endpoint(
        "POST", "/v1/embeddings", "viewer", lambda s: {"model": f"rag-{s.rag_id}", "input": "Hi"}
    ),
]


@pytest.fixture(scope="module")
def people(api_url: str) -> dict[str, Account]:
    with httpx.Client(base_url=api_url, timeout=30) as http:
        return {
            name: create_account(http)
            for name in ("owner", "editor", "viewer", "non_member", "spare", "outsider")
        }


def make_scene(
    client: httpx.Client, people: dict[str, Account], settings: Settings, endpoint: Endpoint
) -> Scene:
    rag_id = create_rag(client, people["owner"])
    for role in ("editor", "viewer"):
        add_member(client, people["owner"], rag_id, people[role], role)
    add_member(client, people["owner"], rag_id, people["spare"], "viewer")
    task_id = create_task(settings.require("database_url"), rag_id)
    scene = Scene(rag_id, people, people["spare"], people["outsider"], task_id)
    scene.iris = iris = RagIris(str(settings.base_iri), str(rag_id))
    if "{cycle_id}" in endpoint.path or "{number}" in endpoint.path or endpoint.production:
        scene.cycle_id = create_review_cycle(settings, rag_id, first_candidate(iris))
        if endpoint.cycle_status:
            set_cycle_status(settings, scene.cycle_id, endpoint.cycle_status)
    if "{session_id}" in endpoint.path:
        members = ("owner", "editor", "viewer")
        scene.sessions = {c: create_chat_session(settings, rag_id, people[c].id) for c in members}
    if "{key_id}" in endpoint.path:
        callers = ("owner", "editor", "viewer", "non_member")
        scene.api_keys = {c: create_api_key(client, people[c]) for c in callers}
    if "{decision_id}" in endpoint.path:
        a, b = names(scene, "Alice Smith"), names(scene, "Berlin")
        scene.decision_id = create_decision(settings, rag_id, a, b)
    if "{number}" in endpoint.path or endpoint.production:
        approved = client.post(
            f"/rags/{rag_id}/cycles/{scene.cycle_id}/approve", headers=people["owner"].headers
        )
        assert approved.status_code == 200, approved.text
    return scene


def expected_status(endpoint: Endpoint, caller: str) -> int | None:
    """None: allowed (any 2xx, or 503 for /health and /health/ready); otherwise the refusal
    status."""
    if endpoint.needs == "public":
        return None
    if caller == "anonymous":
        return 401
    if endpoint.needs == "user":
        return None
    if caller == "non_member":
        return 404
    return None if RANK[caller] >= RANK[endpoint.needs] else 403


def test_matrix_covers_every_route(api_url: str) -> None:
    from ferag.api.app import create_app

    declared = {(e.method, e.path) for e in ENDPOINTS}
    # The OpenAPI document lists every HTTP route of the app, however routers are nested.
    paths = create_app().openapi()["paths"]
    routes = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert routes - declared == set(), "add these endpoints to the role matrix"
    assert declared - routes == set(), "these matrix rows name no route"


@pytest.fixture(scope="module")
def documented(settings: Settings) -> dict[str, Any]:
    """The OpenAPI document's operations: every status a caller sees must be documented."""
    from ferag.api.app import create_app

    return dict(create_app(settings).openapi()["paths"])


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: f"{e.method} {e.path}")
def test_role_matrix(
    client: httpx.Client,
    people: dict[str, Account],
    settings: Settings,
    documented: dict[str, Any],
    endpoint: Endpoint,
    caller: str,
) -> None:
    scene = make_scene(client, people, settings, endpoint)
    headers = {} if caller == "anonymous" else people[caller].headers
    try:
        response = client.request(
            endpoint.method,
            endpoint.url(scene, caller),
            json=endpoint.body(scene),
            data=endpoint.form,
            files=endpoint.files,
            headers=headers,
        )
        check_outcome(client, people, scene, endpoint, caller, response)
        responses = documented[endpoint.path][endpoint.method.lower()]["responses"]
        assert str(response.status_code) in responses, "document it (ferag.api.openapi.raises)"
    finally:
        # Deleting the RAG also stops any cycle the request started, so the shared worker
        # does not spend the rest of the run on them.
        client.delete(f"/rags/{scene.rag_id}", headers=people["owner"].headers)


def check_outcome(
    client: httpx.Client,
    people: dict[str, Account],
    scene: Scene,
    endpoint: Endpoint,
    caller: str,
    response: httpx.Response,
) -> None:
    refusal = expected_status(endpoint, caller)
    if refusal is None:
        allowed = response.is_success or (
            endpoint.path in ("/health", "/health/ready") and response.status_code == 503
        )
        assert allowed, f"{caller} should be allowed: {response.status_code} {response.text}"
    else:
        assert response.status_code == refusal, response.text
        assert "error" in response.json()
        assert_nothing_changed(client, people, scene, endpoint)


def assert_nothing_changed(
    client: httpx.Client, people: dict[str, Account], scene: Scene, endpoint: Endpoint
) -> None:
    owner = people["owner"].headers
    rag = client.get(f"/rags/{scene.rag_id}", headers=owner)
    assert rag.status_code == 200 and rag.json()["description"] == ""
    roles = {
        m["email"]: m["role"]
        for m in client.get(f"/rags/{scene.rag_id}/members", headers=owner).json()["data"]
    }
    assert roles == {
        people["owner"].email: "owner",
        people["editor"].email: "editor",
        people["viewer"].email: "viewer",
        people["spare"].email: "viewer",
    }
