"""An entity's description merged instead of "the latest text wins": production's text plus the
candidate's sentences it does not already hold (compared normalised), in that order. A news item
that mentions an entity in passing adds its sentence; it does not replace the summary."""

from __future__ import annotations

import re

from graphrag_lib.vocab import normalise_label

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def sentences(text: str) -> list[str]:
    """``text`` split after sentence ends and at line breaks, blanks dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def merge_description(old: str, new: str) -> str:
    """``old`` followed by the sentences of ``new`` that ``old`` does not hold."""
    held = {normalise_label(s) for s in sentences(old)}
    normalised_old = normalise_label(old)
    added = []
    for sentence in sentences(new):
        form = normalise_label(sentence)
        if form and form not in held and form not in normalised_old:
            held.add(form)
            added.append(sentence)
    return " ".join([old.strip(), *added]) if added else old
