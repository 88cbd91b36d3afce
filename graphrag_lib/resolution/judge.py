"""The LLM's judgement on pairs the signals leave unclear: one documented prompt, a JSON-schema
answer (``same`` / ``different`` / ``unsure`` with a one-line reason per pair), asked in batches
and cached on disk by the request's hash, so re-running the merge step (after a reviewer's
decision) asks nothing again (batching, cache and failures: ``graphrag_lib.judgement``).

The prompt's first line is ``MARKER``: the offline stand-in recognises it and answers by rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

from graphrag_lib.judgement import CachedJsonAsker, JudgeStats, answer_schema, parse_verdicts
from graphrag_lib.llm import ChatModel, LlmError

__all__ = ["JudgeStats", "LlmJudge", "PairAnswer", "PairQuestion", "Side"]

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

ANSWER_SCHEMA: dict[str, Any] = answer_schema(VERDICTS)


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
    parsed = parse_verdicts(answer, [q.id for q in questions], VERDICTS, "unsure")
    return [
        PairAnswer(q.id, cast(Verdict, verdict), reason)
        for q, (verdict, reason) in zip(questions, parsed, strict=True)
    ]


class LlmJudge:
    """``Judge`` over a ``ChatModel``, in batches of the caller's size, cached in ``cache_dir``."""

    def __init__(self, llm: Callable[[], ChatModel], cache_dir: Path | None = None) -> None:
        self._asker = CachedJsonAsker(llm, cache_dir, "resolution")
        self.stats = self._asker.stats

    def __call__(self, questions: Sequence[PairQuestion]) -> list[PairAnswer]:
        if not questions:
            return []
        try:
            answer = self._asker.ask(
                SYSTEM_PROMPT, user_prompt(questions), ANSWER_SCHEMA, len(questions)
            )
        except LlmError as exc:  # the pairs stay apart (flagged); the merge step goes on
            return [PairAnswer(q.id, "unsure", f"the model failed: {exc}") for q in questions]
        return parse_answers(answer, questions)
