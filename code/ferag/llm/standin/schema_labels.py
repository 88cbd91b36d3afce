"""Labels of the stand-in's ontology terms in the language the schema prompt asks for.

Asked for ``en`` (or any language but Russian) the stand-in labels as it always has: the term's
name, tagged with that language (Cyrillic text ``ru``). Asked for ``ru``, a class of GraphRAG's
default entity types gets its Russian name ``@ru``, and its English name ``@en`` when English is a
further label language (or when no Russian name is known: the stand-in does not translate);
Latin text is tagged ``en`` and Russian comments use the Russian class names.
"""

# ruff: noqa: RUF001 (Russian words, on purpose)

from __future__ import annotations

import re
from collections.abc import Sequence

from rdflib import Literal

from graphrag_lib.schema.terms import split_camel

RUSSIAN_CLASS_NAMES = {
    "Person": "Персона",
    "Organization": "Организация",
    "Geo": "Место",
    "Event": "Событие",
    "Location": "Место",
    "Product": "Продукт",
}
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def label_language(text: str, language: str) -> str:
    """The tag of ``text`` in a prompt asking for ``language``: ``ru`` if it has Cyrillic
    letters; else ``en`` in a Russian prompt (Latin text is not Russian), else ``language``."""
    if _CYRILLIC.search(text):
        return "ru"
    return "en" if language == "ru" else language


def class_labels(name: str, language: str, further: Sequence[str]) -> list[Literal]:
    """The ``rdfs:label`` values of class ``ont:{name}``."""
    english = split_camel(name)
    if language != "ru":
        return [Literal(english, lang=language)]
    russian = RUSSIAN_CLASS_NAMES.get(name)
    labels = [Literal(russian, lang="ru")] if russian else []
    if "en" in further or not labels:
        labels.append(Literal(english, lang="en"))
    return labels


def property_comment(ends: tuple[str, str], phrase: str, language: str) -> str:
    """``Subject phrase Object.``; in a Russian prompt the classes are named in the phrase's
    language."""
    if language == "ru" and label_language(phrase, language) == "ru":
        subject, obj = (RUSSIAN_CLASS_NAMES.get(end, split_camel(end)) for end in ends)
    else:
        subject, obj = (split_camel(end) for end in ends)
    return f"{subject} {phrase} {obj}."


def unnamed_relation(object_name: str, language: str) -> str:
    """The phrase of a property whose examples have no verb."""
    if language == "ru":
        return f"связан с {RUSSIAN_CLASS_NAMES.get(object_name, split_camel(object_name))}"
    return f"related to {object_name}"
