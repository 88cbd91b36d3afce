"""The LLM's judgement on pairs the signals leave unclear: one documented prompt, a JSON-schema
answer (``same`` / ``different`` / ``unsure`` with a one-line reason per pair), asked in batches
and cached on disk by the request's hash, so re-running the merge step (after a reviewer's
decision) asks nothing again.

The prompt's first line is ``MARKER``: the offline stand-in recognises it and answers by rules.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from graphrag_lib.llm import ChatModel, LlmError

logger = logging.getLogger(__name__)

MARKER = "ferag entity resolution: are these the same real-world thing?"
Verdict = Literal["same", "different", "unsure"]
VERDICTS: tuple[Verdict, ...] = ("same", "different", "unsure")

SYSTEM_PROMPT = f"""{MARKER}
You judge pairs of entities extracted from documents of one knowledge base, in English and
Russian. For each pair, answer "same" when both names refer to one real-world thing (a
transliteration, a translation, a grammatical case, an acronym, a short form or a former name of
it), "different" when they are distinct things (for example two people who share a surname),
and "unsure" when the information given does not decide it. Judge by the names, types,
descriptions and shared context given; do not guess. Give a one-line reason in English.
Answer with JSON only: {{"answers": [{{"id": ..., "verdict": ..., "reason": ...}}]}}, one
answer per pair, ids as given."""

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "verdict": {"type": "string", "enum": list(VERDICTS)},
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


@dataclass(frozen=True)
class Side:
    """One entity as the prompt shows it."""

    names: tuple[str, ...]
    types: tuple[str, ...]
    description: str

    def as_json(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "types": list(self.types),
            "description": self.description,
        }


@dataclass(frozen=True)
class PairQuestion:
    id: str
    a: Side
    b: Side
    signals: dict[str, float]


@dataclass(frozen=True)
class PairAnswer:
    id: str
    verdict: Verdict
    reason: str


@dataclass
class JudgeStats:
    calls: int = 0  # requests sent to the model (cache hits not counted)
    pairs: int = 0  # pairs judged
    cached: int = 0  # batches answered from the cache
    failures: int = 0  # batches the model failed on (their pairs stay "unsure")


Judge = Callable[[Sequence[PairQuestion]], list[PairAnswer]]

DESCRIPTION_CHARS = 300


def user_prompt(questions: Sequence[PairQuestion]) -> str:
    pairs = [
        {"id": q.id, "a": q.a.as_json(), "b": q.b.as_json(), "signals": q.signals}
        for q in questions
    ]
    return "Pairs:\n" + json.dumps({"pairs": pairs}, ensure_ascii=False, indent=1)


def parse_answers(answer: dict[str, Any], questions: Sequence[PairQuestion]) -> list[PairAnswer]:
    """The model's answers for ``questions``; a missing or malformed one counts as unsure."""
    given = {
        str(item.get("id")): item for item in answer.get("answers", []) if isinstance(item, dict)
    }
    answers = []
    for q in questions:
        item = given.get(q.id, {})
        reason = str(item.get("reason") or "")[:300]
        verdict = next((v for v in VERDICTS if v == item.get("verdict")), None)
        if verdict is None:
            verdict, reason = "unsure", reason or "no answer for this pair"
        answers.append(PairAnswer(q.id, verdict, reason))
    return answers


class LlmJudge:
    """``Judge`` over a ``ChatModel``, in batches of the caller's size, cached in ``cache_dir``."""

    def __init__(self, llm: Callable[[], ChatModel], cache_dir: Path | None = None) -> None:
        self._make_llm = llm  # made on the first question that is not cached
        self._llm: ChatModel | None = None
        self.cache_dir = cache_dir
        self.stats = JudgeStats()

    @property
    def llm(self) -> ChatModel:
        if self._llm is None:
            self._llm = self._make_llm()
        return self._llm

    def __call__(self, questions: Sequence[PairQuestion]) -> list[PairAnswer]:
        if not questions:
            return []
        messages = [
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": user_prompt(questions)},
        ]
        self.stats.pairs += len(questions)
        cached = self._cached(messages)
        if cached is not None:
            self.stats.cached += 1
            return parse_answers(cached, questions)
        try:
            self.stats.calls += 1
            answer = self.llm.complete_json(messages, ANSWER_SCHEMA, name="resolution")
        except LlmError as exc:  # the pairs stay apart (flagged); the merge step goes on
            logger.warning("resolution judge failed for %d pairs: %s", len(questions), exc)
            self.stats.failures += 1
            return [PairAnswer(q.id, "unsure", f"the model failed: {exc}") for q in questions]
        self._store(messages, answer)
        return parse_answers(answer, questions)

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
