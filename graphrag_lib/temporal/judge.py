"""The fact judge: the LLM's verdict on pairs of statements the ontology cannot decide, one
documented prompt, a JSON-schema answer per pair, asked in batches and cached on disk
(``graphrag_lib.judgement``), so re-running the merge step asks nothing again.

Verdicts: ``same`` (the new statement restates the existing one), ``ends`` (it says the existing
one stopped being true), ``replaces`` (both cannot be true: the new one holds now),
``compatible`` (both are true), ``unsure`` (the text does not decide it; the pair is flagged).
The prompt's first line is ``MARKER``: the offline stand-in recognises it and answers by rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, cast

from graphrag_lib.judgement import CachedJsonAsker, answer_schema, parse_verdicts
from graphrag_lib.llm import ChatModel, LlmError

MARKER = "ferag fact judge: can both statements be true now?"
FactVerdict = Literal["same", "ends", "replaces", "compatible", "unsure"]
FACT_VERDICTS: tuple[FactVerdict, ...] = ("same", "ends", "replaces", "compatible", "unsure")

SYSTEM_PROMPT = f"""{MARKER}
You compare statements extracted from documents of one knowledge base, in English and Russian.
Each pair has an "existing" statement, true until now, and a "new" statement from a newer
document. For each pair answer:
- "same" when the new statement says the same as the existing one in other words;
- "ends" when the new statement says the existing one is no longer true (someone stepped down,
  left, no longer holds it, is a former holder) and says nothing that replaces it;
- "replaces" when both cannot be true at the same time and the new one holds now (a different
  person in an office one person holds, a move to another place or employer);
- "compatible" when both can be true at the same time;
- "unsure" when the text given does not decide it.
Judge only by the subjects, predicates, objects, descriptions and dates given; do not guess.
Give a one-line reason in English. Answer with JSON only:
{{"answers": [{{"id": ..., "verdict": ..., "reason": ...}}]}}, one answer per pair, ids as given."""

ANSWER_SCHEMA: dict[str, Any] = answer_schema(FACT_VERDICTS)
DESCRIPTION_CHARS = 400


@dataclass(frozen=True)
class Statement:
    """One statement as the prompt shows it (labels, not IRIs)."""

    subject: str
    predicate: str
    object: str
    description: str
    valid_from: str = ""


@dataclass(frozen=True)
class FactQuestion:
    id: str
    existing: Statement
    new: Statement


@dataclass(frozen=True)
class FactAnswer:
    id: str
    verdict: FactVerdict
    reason: str


FactJudge = Callable[[Sequence[FactQuestion]], list[FactAnswer]]


def _shown(statement: Statement) -> dict[str, str]:
    shown = asdict(statement)
    shown["description"] = statement.description[:DESCRIPTION_CHARS]
    return {k: v for k, v in shown.items() if v}


def user_prompt(questions: Sequence[FactQuestion]) -> str:
    pairs = [{"id": q.id, "existing": _shown(q.existing), "new": _shown(q.new)} for q in questions]
    return "Pairs:\n" + json.dumps({"pairs": pairs}, ensure_ascii=False, indent=1)


def parse_answers(answer: dict[str, Any], questions: Sequence[FactQuestion]) -> list[FactAnswer]:
    """The model's answers for ``questions``; a missing or malformed one counts as unsure."""
    parsed = parse_verdicts(answer, [q.id for q in questions], FACT_VERDICTS, "unsure")
    return [
        FactAnswer(q.id, cast(FactVerdict, verdict), reason)
        for q, (verdict, reason) in zip(questions, parsed, strict=True)
    ]


class LlmFactJudge:
    """``FactJudge`` over a ``ChatModel``, in batches of the caller's size, cached in
    ``cache_dir``; a failing model leaves its pairs ``unsure``."""

    def __init__(self, llm: Callable[[], ChatModel], cache_dir: Path | None = None) -> None:
        self._asker = CachedJsonAsker(llm, cache_dir, "facts")
        self.stats = self._asker.stats

    def __call__(self, questions: Sequence[FactQuestion]) -> list[FactAnswer]:
        if not questions:
            return []
        try:
            answer = self._asker.ask(
                SYSTEM_PROMPT, user_prompt(questions), ANSWER_SCHEMA, len(questions)
            )
        except LlmError as exc:  # both statements stay, flagged; the merge step goes on
            return [FactAnswer(q.id, "unsure", f"the model failed: {exc}") for q in questions]
        return parse_answers(answer, questions)
