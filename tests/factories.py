"""Small factories that create test data through the public API."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from functools import cache

import httpx
from rdflib import Graph
from sqlalchemy.orm import Session, sessionmaker

from ferag.cycle.storage import IndexedProductionView, ServiceStorage
from ferag.db.engine import make_engine, make_session_factory
from ferag.db.models import ChatSession, Cycle, CycleStatus, Rag, ResolutionDecisionRow
from ferag.events import history
from ferag.services.cycles import TASK_KIND, current_version
from ferag.settings import Settings
from ferag.store.client import store_from_settings
from ferag.store.space import RagSpace
from graphrag_lib.gate import GateConfig
from graphrag_lib.merge import MergeConfig, compute_change_set
from graphrag_lib.pipeline import STEP_NAMES, gate_change_set

PASSWORD = "correct horse battery"


@dataclass
class Account:
    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def random_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


def create_account(client: httpx.Client, email: str | None = None) -> Account:
    email = email or random_email()
    created = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert created.status_code == 201, created.text
    login = client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return Account(id=created.json()["id"], email=email, token=login.json()["access_token"])


def create_rag(client: httpx.Client, owner: Account, name: str = "docs") -> int:
    response = client.post("/rags", json={"name": name}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def add_member(client: httpx.Client, owner: Account, rag_id: int, who: Account, role: str) -> None:
    response = client.post(
        f"/rags/{rag_id}/members", json={"email": who.email, "role": role}, headers=owner.headers
    )
    assert response.status_code == 201, response.text


@cache
def session_factory(database_url: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(database_url))


def create_task(database_url: str, rag_id: int, kind: str = "selftest") -> uuid.UUID:
    """A queued task on a RAG. Tasks are opened by uploads, not by an endpoint of their own,
    so this writes the row directly."""
    with session_factory(database_url).begin() as db:
        return history.create_task(db, rag_id, kind).id


def create_review_cycle(
    settings: Settings,
    rag_id: int,
    candidate: Graph,
    created_by: int | None = None,
    *,
    plant: Graph | None = None,
    gate: bool = False,
) -> int:
    """A cycle waiting for review, as the pipeline leaves it after ``staging``, built without
    GraphRAG: the real merge computes ``candidate``'s change set (typed instances + ontology)
    against current production; the graphs and rows are written directly. ``plant`` is added
    to the change set as merge left it (e.g. a contradiction merge missed); ``gate`` runs the
    consistency gate of ``staging`` on it."""
    store = store_from_settings(settings)
    space = RagSpace.of(store, str(settings.base_iri), rag_id)
    iris = space.iris
    try:
        production = IndexedProductionView(space, session_factory(settings.require("database_url")))
        change_set = compute_change_set(candidate, production, iris, MergeConfig())
        add = change_set.add + (plant or Graph())
        with session_factory(settings.require("database_url")).begin() as db:
            cycle = Cycle(
                rag_id=rag_id,
                status=CycleStatus.review,
                base_version=current_version(db, rag_id),
                created_by=created_by,
                steps={step: {"status": "done"} for step in STEP_NAMES},
                stats={"merge": asdict(change_set.stats)},
            )
            db.add(cycle)
            db.flush()
            history.create_task(db, rag_id, TASK_KIND, cycle_id=cycle.id)
            cycle_id = cycle.id
        graphs = {"candidate": candidate, "add": add, "remove": change_set.remove}
        for name, graph in graphs.items():
            payload = graph.serialize(format="nt", encoding="utf-8")
            store.put_graph(rag_id, space.cycle_graph(cycle_id, name), payload)
        if gate:
            _stage_gate(settings, space, cycle_id, add, change_set.remove)
    finally:
        store.close()
    return cycle_id


def _stage_gate(
    settings: Settings, space: RagSpace, cycle_id: int, add: Graph, remove: Graph
) -> None:
    """Run ``staging``'s consistency gate as the worker would (the RAG's shapes included)."""
    factory = session_factory(settings.require("database_url"))
    storage = ServiceStorage(factory, space, cycle_id, settings.home)
    with factory.begin() as db:
        rag = db.get(Rag, space.rag_id)
        config = GateConfig(owner_shapes=(rag.shapes if rag else None) or "")
    stats, _ = gate_change_set(storage, config, add, remove)
    with factory.begin() as db:
        cycle = db.get(Cycle, cycle_id)
        assert cycle is not None
        cycle.stats = {**cycle.stats, "staging": stats}


def create_decision(
    settings: Settings, rag_id: int, a: str, b: str, verdict: str = "different"
) -> int:
    """A remembered resolution decision of the RAG (decisions are otherwise taken on a cycle in
    review, which also runs its merge again)."""
    with session_factory(settings.require("database_url")).begin() as db:
        row = ResolutionDecisionRow(rag_id=rag_id, a=a, b=b, verdict=verdict, reason="a test")
        db.add(row)
        db.flush()
        return row.id


def create_chat_session(settings: Settings, rag_id: int, user_id: int) -> uuid.UUID:
    """An empty chat session of ``user_id`` (sessions are otherwise opened by a question)."""
    with session_factory(settings.require("database_url")).begin() as db:
        session = ChatSession(rag_id=rag_id, user_id=user_id, title="a session")
        db.add(session)
        db.flush()
        return session.id


def create_api_key(client: httpx.Client, account: Account, name: str = "tests") -> int:
    """An API key of ``account``; returns its id (the key itself is not needed here)."""
    response = client.post("/auth/api-keys", json={"name": name}, headers=account.headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def set_cycle_status(settings: Settings, cycle_id: int, status: str) -> None:
    """Put a cycle in ``status`` (e.g. failed at ``to_rdf``) without running the pipeline."""
    with session_factory(settings.require("database_url")).begin() as db:
        cycle = db.get(Cycle, cycle_id)
        assert cycle is not None
        cycle.status = CycleStatus(status)
        if cycle.status is CycleStatus.failed:
            cycle.failed_step, cycle.error = "to_rdf", "made to fail by a test"
