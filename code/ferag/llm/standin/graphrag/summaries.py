"""GraphRAG's description summary prompt, answered by merging the descriptions it lists.

GraphRAG 3.3.0 (``index/operations/summarize_descriptions/description_summary_extractor.py``)
sends ``SUMMARIZE_PROMPT`` with ``Entities:`` (a JSON string, or a JSON pair for a relationship),
``Description List:`` (a JSON list) and "Limit the final description length to N words."; the
whole answer becomes the description. The stand-in keeps every distinct sentence, in order,
until the word limit.
"""

from __future__ import annotations

import json
import re

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.graphrag.mentions import split_sentences

DEFAULT_MAX_WORDS = 500
_DESCRIPTIONS = re.compile(r"^Description List:[ \t]*(?P<list>\[.*\])[ \t]*$", re.MULTILINE)
_MAX_LENGTH = re.compile(r"description length to (\d+) words")


def is_summary(request: ChatCompletionRequest) -> bool:
    text = request.last_user_text()
    return "Description List:" in text and "Entities:" in text


def respond_to_summary(request: ChatCompletionRequest) -> str:
    text = request.last_user_text()
    limit = _MAX_LENGTH.search(text)
    return merge_descriptions(parse_descriptions(text), int(limit[1]) if limit else None)


def parse_descriptions(prompt: str) -> list[str]:
    """The descriptions the prompt lists (the last ``Description List:`` line)."""
    matches = list(_DESCRIPTIONS.finditer(prompt))
    if not matches:
        return []
    try:
        values = json.loads(matches[-1]["list"])
    except json.JSONDecodeError:
        return []
    return [str(value) for value in values] if isinstance(values, list) else []


def merge_descriptions(descriptions: list[str], max_words: int | None = None) -> str:
    """Distinct sentences of the descriptions in order, cut at ``max_words`` words."""
    limit = max_words or DEFAULT_MAX_WORDS
    seen: set[str] = set()
    kept: list[str] = []
    words = 0
    for sentence in (s for d in descriptions for s in split_sentences(d)):
        key = " ".join(sentence.casefold().split())
        if key in seen:
            continue
        seen.add(key)
        size = len(sentence.split())
        if words + size > limit:
            if not kept:  # one over-long sentence: keep its first words
                kept.append(" ".join(sentence.split()[:limit]))
            break
        kept.append(sentence)
        words += size
    return " ".join(kept)
