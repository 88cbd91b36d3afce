"""Asking a model for verdicts on pairs, shared by the merge step's judges (entity resolution in
``graphrag_lib.resolution.judge``, facts over time in ``graphrag_lib.temporal.judge``).

A judge sends one batch of pairs per request with a ``response_format: json_schema`` answer
(``{"answers": [{"id", "verdict", "reason"}]}``), caches each answer on disk by a hash of the
model and the messages (so re-running the merge step asks nothing again), and turns a failing
model into the judge's "undecided" verdict for the batch: the merge step goes on. Imports
nothing from the service.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphrag_lib.llm import ChatModel, LlmError

logger = logging.getLogger(__name__)

REASON_CHARS = 300


def answer_schema(verdicts: Sequence[str]) -> dict[str, Any]:
    """The JSON schema of an answer: one ``{id, verdict, reason}`` per pair."""
    return {
        "type": "object",
        "properties": {
            "answers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string"},
                        "verdict": {"type": "string", "enum": list(verdicts)},
                        "reason": {"type": "string"},
                    },
                    "required": ["id", "verdict", "reason"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["answers"],
        "additionalProperties": False,
    }


def parse_verdicts(
    answer: dict[str, Any], ids: Sequence[str], verdicts: Sequence[str], fallback: str
) -> list[tuple[str, str]]:
    """``(verdict, reason)`` per id of ``ids``; a missing or malformed answer is ``fallback``."""
    given = {
        str(item.get("id")): item for item in answer.get("answers", []) if isinstance(item, dict)
    }
    parsed = []
    for pair_id in ids:
        item = given.get(pair_id, {})
        reason = str(item.get("reason") or "")[:REASON_CHARS]
        verdict = next((v for v in verdicts if v == item.get("verdict")), None)
        if verdict is None:
            verdict, reason = fallback, reason or "no answer for this pair"
        parsed.append((verdict, reason))
    return parsed


@dataclass
class JudgeStats:
    calls: int = 0  # requests sent to the model (cache hits not counted)
    pairs: int = 0  # pairs judged
    cached: int = 0  # batches answered from the cache
    failures: int = 0  # batches the model failed on (their pairs get the fallback verdict)


class CachedJsonAsker:
    """One JSON-schema request per batch to a ``ChatModel`` made on first need, cached in
    ``cache_dir`` (none: no cache), counted in ``stats``."""

    def __init__(self, llm: Callable[[], ChatModel], cache_dir: Path | None, name: str) -> None:
        self._make_llm = llm  # made on the first question that is not cached
        self._llm: ChatModel | None = None
        self.cache_dir = cache_dir
        self.name = name
        self.stats = JudgeStats()

    @property
    def llm(self) -> ChatModel:
        if self._llm is None:
            self._llm = self._make_llm()
        return self._llm

    def ask(self, system: str, user: str, schema: dict[str, Any], pairs: int) -> dict[str, Any]:
        """The (possibly cached) answer; raises ``LlmError`` when the model fails."""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        self.stats.pairs += pairs
        cached = self._cached(messages)
        if cached is not None:
            self.stats.cached += 1
            return cached
        try:
            self.stats.calls += 1
            answer = self.llm.complete_json(messages, schema, name=self.name)
        except LlmError as exc:
            logger.warning("%s judge failed for %d pairs: %s", self.name, pairs, exc)
            self.stats.failures += 1
            raise
        self._store(messages, answer)
        return answer

    def _path(self, messages: list[dict[str, str]]) -> Path | None:
        if self.cache_dir is None:
            return None
        digest = hashlib.sha256(
            json.dumps([self.llm.model, messages], ensure_ascii=False).encode()
        ).hexdigest()
        return self.cache_dir / f"{digest}.json"

    def _cached(self, messages: list[dict[str, str]]) -> dict[str, Any] | None:
        path = self._path(messages)
        if path is None or not path.is_file():
            return None
        try:
            value = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return value if isinstance(value, dict) else None

    def _store(self, messages: list[dict[str, str]], answer: dict[str, Any]) -> None:
        path = self._path(messages)
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
