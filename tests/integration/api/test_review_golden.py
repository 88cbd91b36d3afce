"""The review diff of a fixed pair of uploads, compared with a recorded answer (a golden file).

The corpus of ``tests.fixtures.review``: a first cycle (all additions), approved, then a second
(changes, an alias, an addition), each read whole and page by page. Ids that differ between
runs (RAG, cycles) are replaced by placeholders. The recording was made before the diff's
SPARQL moved to the store layer, so this proves the move changed nothing a reviewer sees.
Set ``FERAG_RECORD_GOLDEN=1`` to record it again after an intended change.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx

from ferag.settings import Settings
from graphrag_lib.vocab import RagIris
from tests.factories import Account, create_rag, create_review_cycle
from tests.fixtures.review import first_candidate, second_candidate

GOLDEN = Path(__file__).parent.parent.parent / "fixtures" / "review_diff_golden.json"
SECTIONS = (
    "entities_added", "entities_changed", "entities_removed",
    "relations_added", "relations_changed", "relations_removed",
    "ontology_added", "ontology_changed",
)  # fmt: skip


def _diffs(client: httpx.Client, who: Account, rag_id: int, cycle_id: int) -> dict[str, Any]:
    def read(**params: Any) -> Any:
        url = f"/rags/{rag_id}/cycles/{cycle_id}/diff"
        response = client.get(url, params=params, headers=who.headers)
        assert response.status_code == 200, response.text
        return response.json()

    pages = {f"{s}@1+2": read(section=s, offset=1, limit=2) for s in SECTIONS}
    return {"whole": read(), **pages}


def _normalised(answer: dict[str, Any], rag_id: int, cycles: list[int]) -> Any:
    text = json.dumps(answer, ensure_ascii=False, sort_keys=True, indent=1)
    text = text.replace(f"/rag/{rag_id}/", "/rag/RAG/")
    for n, cycle_id in enumerate(cycles, 1):
        text = re.sub(rf'"cycle_id": {cycle_id}\b', f'"cycle_id": "CYCLE{n}"', text)
    return json.loads(text)


def test_the_review_diff_matches_the_recorded_one(
    client: httpx.Client, owner: Account, settings: Settings
) -> None:
    rag_id = create_rag(client, owner)
    iris = RagIris(str(settings.base_iri), str(rag_id))
    first = create_review_cycle(settings, rag_id, first_candidate(iris))
    answer = {"first": _diffs(client, owner, rag_id, first)}
    approved = client.post(f"/rags/{rag_id}/cycles/{first}/approve", headers=owner.headers)
    assert approved.status_code == 200, approved.text
    second = create_review_cycle(settings, rag_id, second_candidate(iris))
    answer["second"] = _diffs(client, owner, rag_id, second)

    seen = _normalised(answer, rag_id, [first, second])

    if os.environ.get("FERAG_RECORD_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(seen, ensure_ascii=False, sort_keys=True, indent=1) + "\n")
    assert seen == json.loads(GOLDEN.read_text())
