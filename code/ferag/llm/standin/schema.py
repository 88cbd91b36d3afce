"""The stand-in's answer to ferag's schema-induction prompt (``graphrag_lib.schema.prompts``).

Rule-based, not a model: it reads the prompt's ``TYPE``, ``PAIR``/``EXAMPLE`` and
``CLASS``/``PROPERTY`` lines back and answers valid Turtle:

- one ``owl:Class`` per entity type, with the IRI the prompt gives (unless it already exists);
- per type pair, one ``owl:ObjectProperty`` per distinct main verb of the examples (``works for``
  → ``ont:worksFor``), or ``ont:relatedTo{Object}`` when no verb is found, with the
  pair's types as domain and range; an existing property of that name and those ends is reused,
  one with other ends makes the new one ``ont:{subject}{Verb}``;
- a leading role (``director``, ``head``, ``leads``, ``руководит``, ``директор`` …) whose object
  class is an organisation or a project is ``owl:InverseFunctionalProperty`` (one director per
  organisation); ``located in`` / ``based in`` (``расположен``, ``находится``) is
  ``owl:FunctionalProperty`` (one place per subject).

Use it as ``create_app(rules=(*SCHEMA_RULES, *DEFAULT_RULES))``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.rules import Rule
from ferag.llm.standin.schema_labels import (
    class_labels,
    label_language,
    property_comment,
    unnamed_relation,
)
from graphrag_lib.schema.prompts import MARKER
from graphrag_lib.schema.stopwords import PREPOSITIONS, STOPWORDS
from graphrag_lib.vocab import camel_case

_NAMESPACE = re.compile(r"^Ontology namespace \(prefix ont:\): <(?P<iri>[^>]+)>$", re.M)
_LANGUAGE = re.compile(r"^Label language: (?P<lang>[A-Za-z-]+)$", re.M)
_FURTHER = re.compile(r"^Further label languages: (?P<langs>[A-Za-z0-9, -]+?)(?: \(|$)", re.M)
_TYPE = re.compile(r"^- TYPE ont:(?P<name>\w+) \|", re.M)
_PAIR = re.compile(r"^- PAIR ont:(?P<s>\w+) -> ont:(?P<o>\w+) \|")
_EXAMPLE = re.compile(r"^  - EXAMPLE (?P<text>.*)$")
_CLASS = re.compile(r"^- CLASS ont:(?P<name>\w+)", re.M)
_PROPERTY = re.compile(
    r"^- PROPERTY ont:(?P<name>\w+).*?domain ont:(?P<d>\w+) range ont:(?P<r>\w+)", re.M
)
_WORD = re.compile(r"[^\W\d_]+")
# how the stand-in recognises property characteristics (word stems of the relation phrase)
_LEADING_ROLE = re.compile(r"^(direct|head|lead|led|chair|руковод|директор|возглав)", re.I)
_LED_THING = re.compile(r"(organi[sz]ation|institut|company|project|организац|проект)", re.I)
_LOCATION = re.compile(r"^(located|based|headquartered|расположен|находит)", re.I)


@dataclass
class SchemaPrompt:
    """What the stand-in reads from the prompt."""

    namespace: str
    language: str
    types: list[str]
    pairs: dict[tuple[str, str], list[str]]
    classes: set[str]
    properties: dict[str, tuple[str, str]]  # local name → (domain, range)
    declared: dict[str, tuple[str, str]] = field(default_factory=dict)
    further: tuple[str, ...] = ()  # further label languages


def is_schema_prompt(request: ChatCompletionRequest) -> bool:
    return any(MARKER in message.text for message in request.messages)


def _pairs(text: str) -> dict[tuple[str, str], list[str]]:
    pairs: dict[tuple[str, str], list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        if match := _PAIR.match(line):
            current = pairs.setdefault((match["s"], match["o"]), [])
        elif (example := _EXAMPLE.match(line)) and current is not None:
            current.append(example["text"])
    return pairs


def read_prompt(text: str) -> SchemaPrompt:
    namespace, language = _NAMESPACE.search(text), _LANGUAGE.search(text)
    further = _FURTHER.search(text)
    return SchemaPrompt(
        namespace=namespace["iri"] if namespace else "urn:ferag:ontology#",
        language=language["lang"] if language else "en",
        types=_TYPE.findall(text),
        pairs=_pairs(text),
        classes=set(_CLASS.findall(text)),
        properties={m["name"]: (m["d"], m["r"]) for m in _PROPERTY.finditer(text)},
        further=tuple(t.strip() for t in further["langs"].split(",")) if further else (),
    )


def main_verb(description: str) -> str | None:
    """The first lower-case content word (plus a following preposition): ``works for``."""
    words = _WORD.findall(description)
    for index, word in enumerate(words):
        if word == word.lower() and word not in STOPWORDS and len(word) >= 3:
            following = words[index + 1].lower() if index + 1 < len(words) else ""
            return f"{word} {following}" if following in PREPOSITIONS else word
    return None


def _literal(text: str, prompt: SchemaPrompt) -> Literal:
    """``text`` tagged with its language (``standin/schema_labels.py.label_language``)."""
    return Literal(text, lang=label_language(text, prompt.language))


def _property_name(prompt: SchemaPrompt, phrase: str, ends: tuple[str, str]) -> str:
    name = camel_case(phrase, upper_first=False)
    taken = {**prompt.properties, **prompt.declared}
    if name in taken and taken[name] != ends:
        name = camel_case(f"{ends[0]} {phrase}", upper_first=False)
    return name


def _add_property(graph: Graph, prompt: SchemaPrompt, phrase: str, ends: tuple[str, str]) -> None:
    name = _property_name(prompt, phrase, ends)
    if prompt.properties.get(name) == ends or name in prompt.declared:
        return  # reuse the existing term
    ont = Namespace(prompt.namespace)
    prompt.declared[name] = ends
    graph.add((ont[name], RDF.type, OWL.ObjectProperty))
    graph.add((ont[name], RDFS.domain, ont[ends[0]]))
    graph.add((ont[name], RDFS.range, ont[ends[1]]))
    graph.add((ont[name], RDFS.label, _literal(phrase, prompt)))
    comment = property_comment(ends, phrase, prompt.language)
    graph.add((ont[name], RDFS.comment, _literal(comment, prompt)))
    if (characteristic := property_characteristic(phrase, ends[1])) is not None:
        graph.add((ont[name], RDF.type, characteristic))


def property_characteristic(phrase: str, object_class: str) -> URIRef | None:
    """``owl:InverseFunctionalProperty`` for a leading role of an organisation or project,
    ``owl:FunctionalProperty`` for a location, else None (the stand-in's rule, not a model)."""
    if _LOCATION.match(phrase):
        return OWL.FunctionalProperty
    if _LEADING_ROLE.match(phrase) and _LED_THING.search(object_class):
        return OWL.InverseFunctionalProperty
    return None


def ontology_for(prompt: SchemaPrompt) -> Graph:
    graph = Graph()
    graph.bind("ont", prompt.namespace)
    for name in prompt.types:
        if name not in prompt.classes:
            term = URIRef(prompt.namespace + name)
            graph.add((term, RDF.type, OWL.Class))
            for label in class_labels(name, prompt.language, prompt.further):
                graph.add((term, RDFS.label, label))
    for ends, examples in sorted(prompt.pairs.items()):
        phrases = dict.fromkeys(main_verb(example) for example in examples) or {None: None}
        for phrase in phrases:
            _add_property(graph, prompt, phrase or unnamed_relation(ends[1], prompt.language), ends)
    return graph


def respond_with_ontology(request: ChatCompletionRequest) -> str:
    """Turtle for the schema-induction prompt in ``request`` (its first marked user message)."""
    text = next(m.text for m in request.messages if MARKER in m.text)
    return ontology_for(read_prompt(text)).serialize(format="turtle")


SCHEMA_RULES: tuple[Rule, ...] = (
    Rule("schema-induction", matches=is_schema_prompt, respond=respond_with_ontology),
)
