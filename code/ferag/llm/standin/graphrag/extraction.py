"""GraphRAG's graph extraction prompt, answered in its tuple format from the input text alone.

GraphRAG 3.3.0 (``graphrag/index/operations/extract_graph/graph_extractor.py``) sends
``GRAPH_EXTRACTION_PROMPT`` filled with the entity types and one text unit, then for each
gleaning ``CONTINUE_PROMPT`` and, between gleanings, ``LOOP_PROMPT``. It splits the answer on
``##``, strips one pair of parentheses from each record and splits it on ``<|>``::

    ("entity"<|>NAME<|>TYPE<|>description)
    ##
    ("relationship"<|>SOURCE<|>TARGET<|>description<|>weight)
    ##
    <|COMPLETE|>

The stand-in puts the completion delimiter in a record of its own so that the last real record
keeps its closing parenthesis and weight.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.graphrag.language import (
    entity_sentences,
    relationship_sentence,
    requested_language,
)
from ferag.llm.standin.graphrag.mentions import Kind
from ferag.llm.standin.graphrag.names import Name, find_names

TUPLE_DELIMITER = "<|>"
RECORD_DELIMITER = "##"
COMPLETION_DELIMITER = "<|COMPLETE|>"

MAX_ENTITIES = 40
MAX_NAMES_PER_SENTENCE = 6
DESCRIPTION_SENTENCES = 2
DESCRIPTION_MAX_WORDS = 80
MAX_WEIGHT = 10

_REAL_DATA = re.compile(
    r"-Real Data-.*?Entity_types:[ \t]*(?P<types>[^\n]*)\n\s*Text:[ \t]*(?P<text>.*?)"
    r"\n#{6,}\s*\nOutput:",
    re.DOTALL,
)
_CONTINUE_MARK = "entities and relationships were missed in the last extraction"
_LOOP_MARK = "Answer Y if there are still entities or relationships that need to be added"

# The requested type a kind maps to: the first requested type among these words.
_TYPE_WORDS: dict[Kind, tuple[str, ...]] = {
    "person": ("person", "people", "human", "persona", "персона", "человек", "личность"),
    "organization": (
        "organization",
        "organisation",
        "company",
        "org",
        "institution",
        "организация",
        "компания",
    ),
    "geo": ("geo", "location", "place", "city", "country", "gpe", "geography", "место"),
    "event": ("event", "событие"),
}


@dataclass(frozen=True)
class ExtractionPrompt:
    """What a filled-in extraction prompt asks about."""

    entity_types: tuple[str, ...]
    text: str


def parse_extraction_prompt(prompt: str) -> ExtractionPrompt | None:
    """The entity types and input text of the prompt's "-Real Data-" section, if it has one."""
    matches = list(_REAL_DATA.finditer(prompt))
    if not matches:
        return None
    real = matches[-1]
    types = tuple(t.strip() for t in real.group("types").split(",") if t.strip())
    return ExtractionPrompt(types or ("ORGANIZATION", "PERSON", "GEO", "EVENT"), real["text"])


def is_extraction(request: ChatCompletionRequest) -> bool:
    text = request.last_user_text()
    return "-Real Data-" in text and "Entity_types:" in text


def is_gleaning(request: ChatCompletionRequest) -> bool:
    return _CONTINUE_MARK in request.last_user_text()


def is_loop_check(request: ChatCompletionRequest) -> bool:
    return _LOOP_MARK in request.last_user_text()


def respond_to_extraction(request: ChatCompletionRequest) -> str:
    text = request.last_user_text()
    prompt = parse_extraction_prompt(text)
    if prompt is None:
        return COMPLETION_DELIMITER
    language = requested_language(text.split("-Real Data-", 1)[0])
    return extract_records(prompt.text, prompt.entity_types, language)


def respond_to_gleaning(_request: ChatCompletionRequest) -> str:
    """Nothing was missed: the stand-in finds everything it can in the first pass."""
    return COMPLETION_DELIMITER


def respond_to_loop_check(_request: ChatCompletionRequest) -> str:
    return "N"


def extract_records(text: str, entity_types: tuple[str, ...], language: str = "en") -> str:
    """Entity and relationship records for ``text``, ending with the completion delimiter;
    descriptions are sentences of ``text`` in ``language`` (``ru``, or anything: ``en``)."""
    sentences, names = find_names(text)
    typed = [(name, entity_type(name.kind, entity_types)) for name in names[:MAX_ENTITIES]]
    records = [
        _entity_record(
            name,
            kind,
            entity_sentences(
                name.title, sentences, name.sentences, language, DESCRIPTION_SENTENCES
            ),
        )
        for name, kind in typed
    ]
    records += [
        _relationship_record(
            a,
            b,
            count,
            relationship_sentence(
                (a.title, b.title),
                sentences,
                sorted(set(a.sentences) & set(b.sentences)),
                first,
                language,
            ),
        )
        for (a, b), (count, first) in co_occurrences([n for n, _ in typed]).items()
    ]
    return f"\n{RECORD_DELIMITER}\n".join([*records, COMPLETION_DELIMITER])


def entity_type(kind: Kind, requested: tuple[str, ...]) -> str:
    """The requested type for ``kind``; a kind no requested type fits takes the first type."""
    folded = [t.casefold() for t in requested]
    for word in _TYPE_WORDS.get(kind, ()):
        if word in folded:
            return requested[folded.index(word)].upper()
    if kind == "other":
        return entity_type("organization", requested)
    return requested[0].upper()


def co_occurrences(names: list[Name]) -> dict[tuple[Name, Name], tuple[int, int]]:
    """Pairs of names sharing sentences: (count of shared sentences, first shared sentence)."""
    by_sentence: dict[int, list[Name]] = {}
    for name in names:
        for sentence in name.sentences:
            by_sentence.setdefault(sentence, []).append(name)
    pairs: dict[tuple[Name, Name], tuple[int, int]] = {}
    for sentence in sorted(by_sentence):
        for pair in combinations(by_sentence[sentence][:MAX_NAMES_PER_SENTENCE], 2):
            count, first = pairs.get(pair, (0, sentence))
            pairs[pair] = (count + 1, first)
    return pairs


def _entity_record(name: Name, kind: str, description: str) -> str:
    fields = ['"entity"', _field(name.title.upper()), kind, _description(description)]
    return f"({TUPLE_DELIMITER.join(fields)})"


def _relationship_record(a: Name, b: Name, count: int, sentence: str) -> str:
    weight = str(min(count, MAX_WEIGHT))
    fields = [
        '"relationship"',
        _field(a.title.upper()),
        _field(b.title.upper()),
        _description(sentence),
        weight,
    ]
    return f"({TUPLE_DELIMITER.join(fields)})"


def _field(value: str) -> str:
    """A value that cannot break the record format: no delimiters, one line."""
    for token in (TUPLE_DELIMITER, RECORD_DELIMITER, COMPLETION_DELIMITER):
        value = value.replace(token, " ")
    return " ".join(value.split())


def _description(text: str) -> str:
    words = _field(text).split()
    if len(words) > DESCRIPTION_MAX_WORDS:
        words = [*words[:DESCRIPTION_MAX_WORDS], "…"]
    return " ".join(words)
