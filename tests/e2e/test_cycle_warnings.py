"""What a step wants the reviewer to know reaches the reviewer: a model whose ontology answers
are all rejected makes the schema step fall back to one class per entity type, and the cycle
says so, with the reasons, in ``GET …/cycles/{cid}`` and at the top of its diff."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ferag.llm.standin import Rule, create_app, prompt_rules
from ferag.llm.standin.schema import is_schema_prompt
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.e2e.review_flow import read_diff, upload, wait_for_review
from tests.e2e.test_cycle_recovery import isolated  # noqa: F401 (a fixture)
from tests.factories import create_account, create_rag
from tests.workers import start_worker

pytestmark = pytest.mark.slow

NOT_AN_ONTOLOGY = "I am sorry, I cannot produce Turtle for this."


@pytest.fixture()
def model_without_ontologies() -> Iterator[tuple[str, list[str]]]:
    """The stand-in, except that every schema-induction answer is refused prose."""
    asked: list[str] = []

    def refuse(request: object) -> str:
        asked.append("schema")
        return NOT_AN_ONTOLOGY

    rules = (Rule("no-ontology", matches=is_schema_prompt, respond=refuse), *prompt_rules())
    with ThreadedServer(create_app(384, rules)) as server:
        yield f"{server.url}/v1", asked


def test_schema_fallback_reasons_reach_the_cycle_and_its_diff(
    isolated: tuple[Settings, str],  # noqa: F811
    client: httpx.Client,
    tmp_path: Path,
    model_without_ontologies: tuple[str, list[str]],
) -> None:
    own, api = isolated
    model_url, asked = model_without_ontologies
    owner = create_account(client)
    rag_id = create_rag(client, owner, "fallback")
    worker = start_worker(
        own,
        tmp_path / "worker.log",
        FERAG_REDIS_URL=own.require("redis_url"),
        FERAG_LLM_BASE_URL=model_url,
    )
    try:
        with httpx.Client(base_url=api, timeout=30) as http:
            text = f"Memo {uuid.uuid4()}: Olga Ivanova chairs the board of Ural Steel in Perm.\n"
            cycle_id = upload(http, owner, rag_id, {"memo.txt": text.encode()})
            wait_for_review(http, owner, rag_id, cycle_id)
            cycle = http.get(f"/rags/{rag_id}/cycles/{cycle_id}", headers=owner.headers).json()
            diff = read_diff(http, owner, rag_id, cycle_id)
    finally:
        worker.stop()

    assert len(asked) >= 3, "the schema step did not ask the model again after a rejection"
    schema_warnings = cycle["steps"]["schema"]["warnings"]
    assert schema_warnings, cycle["steps"]["schema"]
    assert all("fell back to one class per entity type" in w for w in schema_warnings)
    assert "3 answers rejected" in schema_warnings[0]
    assert {"step": "schema", "message": schema_warnings[0]} in diff["warnings"]
    # The fallback still types every entity, so the cycle is reviewable.
    assert diff["entities"]["added"] and all(e["classes"] for e in diff["entities"]["added"])
