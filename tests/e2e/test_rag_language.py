"""A RAG's language through the real pipeline (GraphRAG on the offline stand-in, a real Celery
worker): an English upload's review diff is unchanged by the language settings (golden file),
and a Russian RAG gets Russian descriptions and ``@ru`` ontology labels."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from tests.e2e.test_review_cycle import FIRST_UPLOAD, read_diff, upload, wait_for_review
from tests.factories import Account, create_rag
from tests.workers import WorkerProcess

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden" / "english_review_diff.json"


def normalised(diff: dict[str, Any], rag_id: int) -> dict[str, Any]:
    """The diff with the ids that differ between runs replaced by placeholders."""
    text = json.dumps({**diff, "cycle_id": 0}, ensure_ascii=False, indent=1, sort_keys=True)
    return dict(json.loads(re.sub(rf"/rag/{rag_id}/", "/rag/RAG/", text)))


def test_an_english_upload_gives_the_same_review_diff_as_before(
    client: httpx.Client, owner: Account, worker: WorkerProcess
) -> None:
    rag_id = create_rag(client, owner, "golden")
    cycle_id = upload(client, owner, rag_id, FIRST_UPLOAD)
    wait_for_review(client, owner, rag_id, cycle_id)
    diff = normalised(read_diff(client, owner, rag_id, cycle_id), rag_id)
    if os.environ.get("FERAG_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(diff, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    assert diff == json.loads(GOLDEN.read_text())
