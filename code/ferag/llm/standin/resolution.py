"""The stand-in's answer to the entity-resolution prompt (``graphrag_lib.resolution.judge``).

Rule-based, not a model: it reads each pair's names back and answers ``same`` when the names
are one name in another script, case or as an acronym (the same name signals the merge step
scores) or two or more words that begin the other name; ``different`` for persons whose full
names differ in a word; ``unsure`` otherwise (one-word short forms and translations, which a
rule cannot tell).
"""

from __future__ import annotations

from typing import Any

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.rules import Rule, answer_pairs
from graphrag_lib.resolution.judge import MARKER
from graphrag_lib.resolution.names import NameForms
from graphrag_lib.resolution.similarity import name_signals

_SAME = ("label", "lemma", "translit", "acronym")
_PERSON_TYPES = ("person", "people", "персона")


def _is_resolution(request: ChatCompletionRequest) -> bool:
    return any(MARKER in m.text for m in request.messages if m.role == "system")


def _verdict(pair: dict[str, Any]) -> tuple[str, str]:
    names_a = [NameForms.of(str(n)) for n in pair.get("a", {}).get("names", [])]
    names_b = [NameForms.of(str(n)) for n in pair.get("b", {}).get("names", [])]
    found = {k for x in names_a for y in names_b for k in name_signals(x, y)}
    if same := [s for s in _SAME if s in found]:
        return "same", f"the names match by {same[0]}"
    if any(_leading_words(x, y) or _leading_words(y, x) for x in names_a for y in names_b):
        return "same", "one name is the other's first words"
    types = {str(t).lower() for side in ("a", "b") for t in pair.get(side, {}).get("types", [])}
    full = all(len(n.tokens) > 1 for n in (*names_a, *names_b))
    if types & set(_PERSON_TYPES) and full and "short_form" not in found:
        return "different", "different full names of persons"
    return "unsure", "the names alone do not decide it"


def _leading_words(short: NameForms, long: NameForms) -> bool:
    """``Kamensky Shipping`` / ``Kamensky Shipping Company``: two or more words that begin the
    longer name in the same script."""
    n = len(short.tokens)
    return 2 <= n < len(long.tokens) and short.lemmas == long.lemmas[:n]


def respond(request: ChatCompletionRequest) -> str:
    return answer_pairs(request, _verdict)


RESOLUTION_RULES: tuple[Rule, ...] = (Rule("resolution", _is_resolution, respond),)
