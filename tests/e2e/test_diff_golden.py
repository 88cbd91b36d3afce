"""The diff a reviewer reads stays what it was: two uploads through the real pipeline (GraphRAG
on the offline stand-in, a real worker), and each cycle's diff compared item by item with the
one recorded before the update cycle was restructured (``tests/fixtures/golden/``).

Record again, after a change that is meant to alter what a reviewer sees, with
``FERAG_RECORD_GOLDEN=1 scripts/test tests/e2e/test_diff_golden.py`` and read the JSON diff.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.review_flow import (
    FIRST_UPLOAD,
    SECOND_UPLOAD,
    approve,
    read_diff,
    upload,
    wait_for_review,
)
from tests.factories import create_account, create_rag
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent.parent / "fixtures" / "golden"
SECTIONS = ("counts", "entities", "relations", "ontology")


def comparable(diff: dict[str, Any], rag_id: int) -> dict[str, Any]:
    """The diff's counts and items, with the RAG's id in IRIs replaced by ``{rag}``."""
    text = json.dumps({key: diff[key] for key in SECTIONS}, ensure_ascii=False, sort_keys=True)
    return dict(json.loads(re.sub(rf"/rag/{rag_id}/", "/rag/{rag}/", text)))


def without_relation_keys(diff: dict[str, Any]) -> dict[str, Any]:
    """A relation's key hashes its property's full IRI, which holds the RAG's id, and a section
    is ordered by IRI: so relations are named by their ends and property, and sorted."""
    relations = {
        section: sorted(
            (
                {
                    **item,
                    "iri": f"{item['subject']['iri']} {item['predicate']} {item['object']['iri']}",
                }
                for item in items
            ),
            key=lambda item: (item["iri"], item["description"] or ""),
        )
        for section, items in diff["relations"].items()
    }
    return {**diff, "relations": relations}


def check(name: str, diff: dict[str, Any], rag_id: int) -> None:
    path = GOLDEN / f"{name}.json"
    seen = comparable(diff, rag_id)
    if os.environ.get("FERAG_RECORD_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(seen, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    recorded = json.loads(path.read_text())
    assert without_relation_keys(seen) == without_relation_keys(recorded)


def test_the_diffs_of_two_uploads_are_the_recorded_ones(
    client: httpx.Client, worker: WorkerProcess
) -> None:
    owner = create_account(client)
    rag_id = create_rag(client, owner, "golden")
    first = upload(client, owner, rag_id, FIRST_UPLOAD)
    wait_for_review(client, owner, rag_id, first)
    check("first_cycle_diff", read_diff(client, owner, rag_id, first), rag_id)
    approve(client, owner, rag_id, first)

    second = upload(client, owner, rag_id, SECOND_UPLOAD)
    wait_for_review(client, owner, rag_id, second)
    check("second_cycle_diff", read_diff(client, owner, rag_id, second), rag_id)
