"""The stand-in's answer to the fact judge's prompt (``graphrag_lib.temporal.judge``).

Rule-based, not a model. Per pair of an existing and a new statement:

- the new description says something ended ("stepped down", "left", "no longer", "former",
  "until", "ушёл", "покинул", "больше не", "бывший", "оставил пост", …): ``ends`` when both
  statements join the same two things, ``replaces`` when the new one names another object of
  the same subject (left one place for another);
- both are about a leading role ("director", "head", "leads", "руководит", "директор", …) of the
  same object held by different subjects: ``replaces``;
- the same subject, property and object with the same words: ``same``;
- otherwise ``compatible`` (both stay).
"""

from __future__ import annotations

import re
from typing import Any

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.rules import Rule, answer_pairs
from graphrag_lib.temporal.judge import MARKER
from graphrag_lib.vocab import normalise_label

ENDED = re.compile(
    r"\b(stepped down|steps down|left|leaves|no longer|former(ly)?|until|resigned|retired|"
    r"ended|ушел|ушла|покинул\w*|больше не|бывш\w*|оставил\w* пост|до \d{4})",
    re.IGNORECASE,
)
LEADING = re.compile(
    r"(director|head|heads|headed|lead|leads|led|leader|chief|chair\w*|"
    r"руковод\w*|директор\w*|возглав\w*|глав\w*|начальник\w*)",
    re.IGNORECASE,
)


def _is_fact_judge(request: ChatCompletionRequest) -> bool:
    return any(MARKER in m.text for m in request.messages if m.role == "system")


def _text(side: dict[str, Any]) -> str:
    return normalise_label(" ".join(str(side.get(k, "")) for k in ("predicate", "description")))


def verdict(existing: dict[str, Any], new: dict[str, Any]) -> tuple[str, str]:
    """The verdict and reason for one pair, by the rules in the module docstring."""
    same_subject = existing.get("subject") == new.get("subject")
    same_object = existing.get("object") == new.get("object")
    new_text = normalise_label(str(new.get("description", "")))
    if ENDED.search(new_text):
        if same_subject and same_object:
            return "ends", "the new statement says the existing one ended"
        if same_subject:
            return "replaces", "the new statement says the subject left for another object"
    if (
        same_object
        and not same_subject
        and LEADING.search(_text(existing))
        and LEADING.search(_text(new))
    ):
        return "replaces", "a different holder of a leading role of the same object"
    if same_subject and same_object and _text(existing) == _text(new):
        return "same", "the same statement in the same words"
    return "compatible", "nothing in the statements says they exclude each other"


def respond(request: ChatCompletionRequest) -> str:
    return answer_pairs(
        request, lambda pair: verdict(pair.get("existing") or {}, pair.get("new") or {})
    )


FACT_RULES: tuple[Rule, ...] = (Rule("facts", _is_fact_judge, respond),)
