"""Small GraphRAG-shaped tables (English and Russian), built by hand in GraphRAG 3.3.0's columns.

Cycle 1 reads two documents; cycle 2 reads a third that mentions Acme Corp (by an alias) and
Alice Smith again, with a newer description of Alice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from graphrag_lib.tables import GraphRagTables
from graphrag_lib.to_rdf import DocumentMeta
from graphrag_lib.vocab import RagIris

IRIS = RagIris("https://kb.example.org/", "42")

Q1_PATH = "reports/2024/q1.txt"
MOSCOW_PATH = "notes/москва.txt"
Q2_PATH = "reports/2024/q2.txt"

Q1_UNITS = (
    "Alice Smith works for Acme Corp in Berlin.",
    "Acme Corp is located in Berlin and builds rockets.",
)
MOSCOW_UNIT = "Иван Петров работает в компании «Ромашка» в Москве. Ромашка выпускает чай."
Q2_UNIT = "Alice Smith leads the rocket team at ACME Corporation (Acme Corp.) since 2024."


def _frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def _entity(hrid: int, title: str, kind: str, description: str, units: list[str]) -> dict[str, Any]:
    return {
        "id": f"e{hrid}",
        "human_readable_id": hrid,
        "title": title,
        "type": kind,
        "description": description,
        "text_unit_ids": np.array(units, dtype=object),  # parquet gives numpy arrays
        "frequency": len(units),
        "degree": 1,
    }


def _relation(
    hrid: int, source: str, target: str, description: str, units: list[str]
) -> dict[str, Any]:
    return {
        "id": f"r{hrid}",
        "human_readable_id": hrid,
        "source": source,
        "target": target,
        "description": description,
        "weight": 1.0,
        "combined_degree": 2,
        "text_unit_ids": units,
    }


def _text_unit(hrid: int, document_id: str, text: str) -> dict[str, Any]:
    return {
        "id": f"t{hrid}",
        "human_readable_id": hrid,
        "text": text,
        "n_tokens": len(text.split()),
        "document_id": document_id,
        "entity_ids": [],
        "relationship_ids": [],
        "covariate_ids": [],
    }


def _document(document_id: str, title: str, text: str, units: list[str]) -> dict[str, Any]:
    return {
        "id": document_id,
        "human_readable_id": 0,
        "title": title,
        "text": text,
        "text_unit_ids": units,
        "creation_date": "2026-01-01",
        "raw_data": None,
    }


def _community(number: int, title: str, entity_ids: list[str]) -> dict[str, Any]:
    return {
        "id": f"c{number}",
        "human_readable_id": number,
        "community": number,
        "level": 0,
        "parent": -1,
        "children": [],
        "title": title,
        "entity_ids": entity_ids,
        "relationship_ids": [],
        "text_unit_ids": [],
        "period": "2026-01-01",
        "size": len(entity_ids),
    }


def _report(
    number: int, title: str, summary: str, findings: list[dict[str, str]]
) -> dict[str, Any]:
    return {
        "id": f"cr{number}",
        "human_readable_id": number,
        "community": number,
        "level": 0,
        "parent": -1,
        "children": [],
        "title": title,
        "summary": summary,
        "full_content": summary,
        "rank": 7.5,
        "rating_explanation": "",
        "findings": findings,
        "full_content_json": "{}",
        "period": "2026-01-01",
        "size": 2,
    }


def cycle1_tables() -> GraphRagTables:
    units = [
        _text_unit(0, "d1", Q1_UNITS[0]),
        _text_unit(1, "d1", Q1_UNITS[1]),
        _text_unit(2, "d2", MOSCOW_UNIT),
    ]
    documents = [
        _document("d1", Q1_PATH, " ".join(Q1_UNITS), ["t0", "t1"]),
        _document("d2", MOSCOW_PATH, MOSCOW_UNIT, ["t2"]),
    ]
    entities = [
        _entity(0, "ALICE SMITH", "PERSON", "Alice Smith is an engineer at Acme Corp.", ["t0"]),
        _entity(1, "ACME CORP", "ORGANIZATION", "Acme Corp builds rockets.", ["t0", "t1"]),
        _entity(2, "«РОМАШКА»", "ORGANIZATION", "Чайная компания.", ["t2"]),  # an alias
        _entity(3, "BERLIN", "GEO", "Berlin is a city.", ["t0", "t1"]),
        _entity(4, "ИВАН ПЕТРОВ", "PERSON", "Иван Петров работает в Ромашке.", ["t2"]),
        _entity(5, "РОМАШКА", "ORGANIZATION", "Компания Ромашка.", ["t2", "t2"]),
    ]
    relationships = [
        _relation(0, "ALICE SMITH", "ACME CORP", "Alice Smith works for Acme Corp", ["t0"]),
        _relation(1, "ACME CORP", "BERLIN", "Acme Corp is located in Berlin", ["t1"]),
        _relation(2, "ИВАН ПЕТРОВ", "РОМАШКА", "Иван Петров работает в Ромашке", ["t2"]),
    ]
    communities = [
        _community(0, "Community 0", ["e0", "e1", "e3"]),
        _community(1, "Community 1", ["e4", "e5", "e2"]),
    ]
    finding = {"summary": "Acme is in Berlin", "explanation": "Acme Corp is located in Berlin."}
    reports = [
        _report(0, "Acme Corp and Berlin", "Acme builds rockets in Berlin.", [finding]),
        _report(1, "Ромашка", "Иван Петров работает в Ромашке.", []),
    ]
    return GraphRagTables(
        documents=_frame(documents),
        text_units=_frame(units),
        entities=_frame(entities),
        relationships=_frame(relationships),
        communities=_frame(communities),
        community_reports=_frame(reports),
    )


def cycle2_tables() -> GraphRagTables:
    """A later upload: Alice again (newer description), Acme under another name and an alias."""
    entities = [
        _entity(0, "ALICE SMITH", "PERSON", "Alice Smith leads the rocket team.", ["t0"]),
        _entity(1, "ACME CORP.", "ORGANIZATION", "Acme Corp builds rockets.", ["t0"]),
        _entity(2, "ACME CORPORATION", "ORGANIZATION", "The full name of Acme.", ["t0"]),
    ]
    relationships = [
        _relation(0, "ALICE SMITH", "ACME CORP.", "Alice Smith leads a team at Acme Corp", ["t0"]),
    ]
    empty_communities = pd.DataFrame(columns=list(_community(0, "", []).keys()))
    empty_reports = pd.DataFrame(columns=list(_report(0, "", "", []).keys()))
    return GraphRagTables(
        documents=_frame([_document("d9", Q2_PATH, Q2_UNIT, ["t0"])]),
        text_units=_frame([_text_unit(0, "d9", Q2_UNIT)]),
        entities=_frame(entities),
        relationships=_frame(relationships),
        communities=empty_communities,
        community_reports=empty_reports,
    )


CYCLE1_DOCUMENTS = (
    DocumentMeta(Q1_PATH, "Q1 report", "txt", date(2024, 4, 1)),
    DocumentMeta(MOSCOW_PATH, "Москва", "txt", None),
)
CYCLE2_DOCUMENTS = (DocumentMeta(Q2_PATH, "Q2 report", "txt", date(2024, 7, 1)),)
