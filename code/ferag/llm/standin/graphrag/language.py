"""The language a GraphRAG prompt asks the stand-in to write in, and Russian descriptions.

ferag's prompts (``graphrag_lib.index.prompts``) name the language in their instructions
("Write entity and relationship descriptions in Russian"). Asked for Russian, the stand-in
describes a name with the Russian sentences that mention it, or says in Russian that the text
mentions it; asked for anything else, it quotes the first sentences as before.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ferag.llm.standin.graphrag import lexicon

Language = str  # "ru" | "en"

_ASKED = re.compile(r"\b(?:in|на)\s+(?P<language>[^\W\d_]+)", re.IGNORECASE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LETTER = re.compile(r"[^\W\d_]")


def requested_language(instructions: str) -> Language:
    """``ru`` when the instructions ask for Russian anywhere, else ``en``."""
    for match in _ASKED.finditer(instructions):
        if match["language"].casefold() in lexicon.RUSSIAN_LANGUAGE_NAMES:
            return "ru"
    return "en"


def is_russian(sentence: str) -> bool:
    """At least half of the sentence's letters are Cyrillic."""
    letters = _LETTER.findall(sentence)
    return bool(letters) and 2 * len(_CYRILLIC.findall(sentence)) >= len(letters)


def _written_in(language: Language, sentences: Sequence[str], indexes: Sequence[int]) -> list[str]:
    return [sentences[i] for i in indexes if language != "ru" or is_russian(sentences[i])]


def entity_sentences(
    title: str, sentences: Sequence[str], indexes: Sequence[int], language: Language, limit: int
) -> str:
    """The first ``limit`` sentences (of ``indexes``) in ``language`` that mention a name."""
    picked = _written_in(language, sentences, indexes)[:limit]
    return " ".join(picked) or f"{title} упоминается в тексте."


def relationship_sentence(
    titles: tuple[str, str],
    sentences: Sequence[str],
    shared: Sequence[int],
    first: int,
    language: Language,
) -> str:
    """The first sentence in ``language`` that two names share (``first`` when any will do)."""
    if language != "ru":
        return sentences[first]
    picked = _written_in(language, sentences, sorted(shared))
    return picked[0] if picked else f"{titles[0]} и {titles[1]} упоминаются вместе."
