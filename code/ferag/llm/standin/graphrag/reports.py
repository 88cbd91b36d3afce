"""GraphRAG's community report prompt, answered with report JSON built from its CSV tables.

GraphRAG 3.3.0 (``index/operations/summarize_communities/``) fills ``COMMUNITY_REPORT_PROMPT``
(or the text-unit variant) with the community's context: CSV tables under headings such as
``-----Entities-----`` (human_readable_id, title, description, degree),
``-----Relationships-----`` (human_readable_id, source, target, description, combined_degree)
and ``----Reports-----`` for sub-communities. It asks with ``response_format: json_schema`` and
validates the answer against ``CommunityReportResponse``: title, summary, rating,
rating_explanation and findings of summary and explanation.

The stand-in names the report after the best-connected entities, lists the members and writes
one finding per leading entity from its own description and its relationships, with GraphRAG's
``[Data: ...]`` references. Its own sentences are English, or Russian when the prompt asks for
Russian.
"""

# ruff: noqa: RUF001

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from ferag.llm.openai_wire import ChatCompletionRequest
from ferag.llm.standin.graphrag import lexicon
from ferag.llm.standin.graphrag.mentions import split_sentences
from ferag.llm.standin.graphrag.summaries import merge_descriptions

MAX_FINDINGS = 5
MAX_REFERENCES = 5
FINDING_RELATIONSHIPS = 3
FINDING_MAX_WORDS = 200
SUMMARY_MEMBERS = 10

_REPORT_MARK = "Write a comprehensive report of a community"
_INPUT = re.compile(
    r"# Real Data.*?Text:[ \t]*\n(?P<text>.*?)\n\s*(?:The report should include|Output:)",
    re.DOTALL,
)
_SECTION = re.compile(r"^-{3,}\s*(?P<name>[A-Za-z_ ]+?)\s*-{3,}\s*$", re.MULTILINE)
_LANGUAGE = re.compile(r"\b(?:in|на)\s+(?P<language>[^\W\d_]+)", re.IGNORECASE)

_PHRASES = {
    "en": {
        "and": "and",
        "summary": "The community centres on {top} and links {entities} entities through "
        "{relationships} relationships: {members}.",
        "explanation": "The rating follows the community's size: {entities} entities and "
        "{relationships} relationships.",
        "finding": "{title} in the community",
        "empty": "The community has no entities or relationships to report on.",
    },
    "ru": {
        "and": "и",
        "summary": "Сообщество сосредоточено вокруг {top} и объединяет {entities} сущностей и "
        "{relationships} связей: {members}.",
        "explanation": "Оценка отражает размер сообщества: {entities} сущностей и "
        "{relationships} связей.",
        "finding": "{title}: роль в сообществе",
        "empty": "В сообществе нет сущностей и связей для отчёта.",
    },
}


@dataclass(frozen=True)
class CommunityContext:
    """The tables of a community report prompt, as rows of strings."""

    entities: list[dict[str, str]]
    relationships: list[dict[str, str]]
    reports: list[dict[str, str]]


def is_community_report(request: ChatCompletionRequest) -> bool:
    return _REPORT_MARK in request.last_user_text()


def respond_to_community_report(request: ChatCompletionRequest) -> str:
    prompt = request.last_user_text()
    report = build_report(parse_context(prompt), report_language(prompt))
    return json.dumps(report, ensure_ascii=False)


def report_language(prompt: str) -> str:
    """``ru`` when the prompt asks for Russian anywhere, else ``en``."""
    for match in _LANGUAGE.finditer(prompt):
        if match["language"].casefold() in lexicon.RUSSIAN_LANGUAGE_NAMES:
            return "ru"
    return "en"


def parse_context(prompt: str) -> CommunityContext:
    """The CSV tables under the ``-----Name-----`` headings of the prompt's real data."""
    matches = list(_INPUT.finditer(prompt))
    text = matches[-1]["text"] if matches else ""
    tables: dict[str, list[dict[str, str]]] = {}
    headings = list(_SECTION.finditer(text))
    for number, heading in enumerate(headings):
        end = headings[number + 1].start() if number + 1 < len(headings) else len(text)
        body = text[heading.end() : end].strip()
        tables[heading["name"].strip().casefold()] = list(csv.DictReader(io.StringIO(body)))
    return CommunityContext(
        tables.get("entities", []), tables.get("relationships", []), tables.get("reports", [])
    )


def build_report(context: CommunityContext, language: str = "en") -> dict[str, Any]:
    """A report matching GraphRAG's ``CommunityReportResponse`` schema."""
    phrases = _PHRASES.get(language, _PHRASES["en"])
    members = _members(context)
    if not members:
        return _empty_report(phrases)
    counts = {"entities": len(context.entities), "relationships": len(context.relationships)}
    return {
        "title": f" {phrases['and']} ".join(m["title"] for m in members[:2]),
        "summary": _summary(members, counts, phrases),
        "rating": rating(**counts),
        "rating_explanation": phrases["explanation"].format(**counts),
        "findings": [
            _finding(member, context.relationships, phrases) for member in members[:MAX_FINDINGS]
        ],
    }


def _summary(members: list[dict[str, str]], counts: dict[str, int], phrases: dict[str, str]) -> str:
    listed = ", ".join(m["title"] for m in members[:SUMMARY_MEMBERS])
    if len(members) > SUMMARY_MEMBERS:
        listed += ", …"
    top = f" {phrases['and']} ".join(m["title"] for m in members[:2])
    summary = phrases["summary"].format(top=top, members=listed, **counts)
    lead = _first_sentence(members[0].get("description", ""))
    return f"{summary} {lead}".strip()


def rating(entities: int, relationships: int) -> float:
    """Impact from size alone: 1 plus half a point per entity and a quarter per relationship."""
    return round(min(10.0, 1.0 + 0.5 * entities + 0.25 * relationships), 1)


def _members(context: CommunityContext) -> list[dict[str, str]]:
    """Entities by degree (highest first), or sub-community reports when there are none."""
    rows = [r for r in context.entities if r.get("title")]
    if rows:
        return sorted(rows, key=lambda r: -_number(r.get("degree")))
    return [
        {"title": r["title"], "description": r.get("summary", ""), "human_readable_id": ""}
        for r in context.reports
        if r.get("title")
    ]


def _finding(
    member: dict[str, str], relationships: list[dict[str, str]], phrases: dict[str, str]
) -> dict[str, str]:
    title = member["title"]
    related = [r for r in relationships if title in (r.get("source"), r.get("target"))]
    sentences = [member.get("description", "").strip()]
    sentences += [r.get("description", "").strip() for r in related[:FINDING_RELATIONSHIPS]]
    references = _references("Entities", [member.get("human_readable_id", "")])
    references += _references("Relationships", [r.get("human_readable_id", "") for r in related])
    explanation = merge_descriptions(sentences, FINDING_MAX_WORDS)
    if references:
        explanation = f"{explanation} [Data: {'; '.join(references)}]".strip()
    return {"summary": phrases["finding"].format(title=title), "explanation": explanation}


def _references(dataset: str, ids: list[str]) -> list[str]:
    ids = [i for i in ids if i]
    if not ids:
        return []
    shown = ", ".join(ids[:MAX_REFERENCES]) + (", +more" if len(ids) > MAX_REFERENCES else "")
    return [f"{dataset} ({shown})"]


def _empty_report(phrases: dict[str, str]) -> dict[str, Any]:
    return {
        "title": "—",
        "summary": phrases["empty"],
        "rating": 0.0,
        "rating_explanation": phrases["empty"],
        "findings": [],
    }


def _first_sentence(text: str) -> str:
    sentences = split_sentences(text)
    return sentences[0] if sentences else ""


def _number(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0
