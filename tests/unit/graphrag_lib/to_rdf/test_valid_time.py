"""Relations dated in tables_to_rdf: a date stated next to the fact, else its document's date;
documents carry their date and its source."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from rdflib import Graph, Literal, URIRef

from graphrag_lib.documents import PartialDate
from graphrag_lib.tables import GraphRagTables
from graphrag_lib.to_rdf import DocumentMeta, tables_to_rdf
from graphrag_lib.vocab import FERAG, document_key, entity_key, relation_key
from tests.unit.graphrag_lib.sample_tables import (
    IRIS,
    _document,
    _entity,
    _relation,
    _text_unit,
)

NEWS = (
    "Alexei Petrov has been director of the Polar Institute since 2015. "
    "In March 2026 Petrov stepped down from the Polar Institute, and Lindqvist left it too."
)
RU_NEWS = (
    "С 1 апреля 2026 г. проект «Вечная мерзлота» возглавляет Ханс Эриксен. "
    "В марте 2026 года Алексея Петрова сменили на посту директора Полярного института."
)
UNDATED = "Marta Lindqvist works at Svalbard Station."
PATHS = ("news/2026-04/polar.txt", "ru/2026_04_01-news.txt", "notes/station.txt")
DOCUMENTS = (
    DocumentMeta(PATHS[0], "Polar news", "txt", date(2026, 4, 2)),
    DocumentMeta(PATHS[1], "Новости", "txt", PartialDate(2026, 4, 1), "file-name"),
    DocumentMeta(PATHS[2], "Station", "txt"),
)
RELATIONS = {
    ("ALEXEI PETROV", "POLAR INSTITUTE"): ("Petrov has been director of the institute", "t0"),
    ("MARTA LINDQVIST", "POLAR INSTITUTE"): ("Lindqvist left the institute", "t0"),
    ("ХАНС ЭРИКСЕН", "ВЕЧНАЯ МЕРЗЛОТА"): ("Эриксен возглавляет проект", "t1"),
    ("АЛЕКСЕЙ ПЕТРОВ", "ПОЛЯРНЫЙ ИНСТИТУТ"): ("Петрова сменили на посту директора", "t1"),
    ("MARTA LINDQVIST", "SVALBARD STATION"): ("Lindqvist works at the station", "t2"),
}


def dated_tables() -> GraphRagTables:
    texts = (NEWS, RU_NEWS, UNDATED)
    names = sorted({name for pair in RELATIONS for name in pair})
    return GraphRagTables(
        documents=pd.DataFrame(
            [_document(f"d{i}", path, texts[i], [f"t{i}"]) for i, path in enumerate(PATHS)]
        ),
        text_units=pd.DataFrame([_text_unit(i, f"d{i}", text) for i, text in enumerate(texts)]),
        entities=pd.DataFrame(
            [
                _entity(i, name, "THING", name, [u for p, (_, u) in RELATIONS.items() if name in p])
                for i, name in enumerate(names)
            ]
        ),
        relationships=pd.DataFrame(
            [
                _relation(i, source, target, description, [unit])
                for i, ((source, target), (description, unit)) in enumerate(RELATIONS.items())
            ]
        ),
        communities=pd.DataFrame(),
        community_reports=pd.DataFrame(),
    )


@pytest.fixture(scope="module")
def graph() -> Graph:
    return tables_to_rdf(dated_tables(), IRIS, DOCUMENTS)


def statement(source: str, target: str) -> URIRef:
    key = relation_key(entity_key(source), FERAG.relatedTo, entity_key(target))
    return IRIS.relation(key)


def valid_from(graph: Graph, source: str, target: str) -> tuple[str, str, str] | None:
    node = statement(source, target)
    value, origin = graph.value(node, FERAG.validFrom), graph.value(node, FERAG.validFromSource)
    if value is None:
        return None
    assert isinstance(value, Literal) and origin is not None
    return str(value), str(value.datatype).rsplit("#", 1)[-1], str(origin)


def test_documents_carry_their_date_and_its_source(graph: Graph) -> None:
    upload, named, undated = (IRIS.document(document_key(path)) for path in PATHS)
    assert graph.value(upload, FERAG.documentDate) == PartialDate(2026, 4, 2).literal()
    assert graph.value(upload, FERAG.documentDateSource) == Literal("upload")
    assert graph.value(named, FERAG.documentDate) == PartialDate(2026, 4, 1).literal()
    assert graph.value(named, FERAG.documentDateSource) == Literal("file-name")
    assert graph.value(undated, FERAG.documentDate) is None
    assert graph.value(undated, FERAG.documentDateSource) is None


def test_a_year_stated_next_to_the_fact(graph: Graph) -> None:
    # the sentence naming both ends and sharing most words with the description: "since 2015"
    assert valid_from(graph, "ALEXEI PETROV", "POLAR INSTITUTE") == ("2015", "gYear", "text")


def test_a_month_in_a_sentence_naming_one_end_by_surname(graph: Graph) -> None:
    # "In March 2026 … the Polar Institute, and Lindqvist left it too": Marta Lindqvist by surname
    assert valid_from(graph, "MARTA LINDQVIST", "POLAR INSTITUTE") == (
        "2026-03",
        "gYearMonth",
        "text",
    )


def test_russian_dates_and_case_forms(graph: Graph) -> None:
    assert valid_from(graph, "ХАНС ЭРИКСЕН", "ВЕЧНАЯ МЕРЗЛОТА") == ("2026-04-01", "date", "text")
    # "Алексея Петрова", "Полярного института": found through their lemmas
    assert valid_from(graph, "АЛЕКСЕЙ ПЕТРОВ", "ПОЛЯРНЫЙ ИНСТИТУТ") == (
        "2026-03",
        "gYearMonth",
        "text",
    )


def test_without_a_text_date_the_document_date_and_its_source(graph: Graph) -> None:
    assert valid_from(graph, "MARTA LINDQVIST", "SVALBARD STATION") is None  # undated document
    tables = dated_tables()
    tables.text_units.loc[0, "text"] = "Alexei Petrov directs the Polar Institute."
    regraphed = tables_to_rdf(tables, IRIS, DOCUMENTS)
    assert valid_from(regraphed, "ALEXEI PETROV", "POLAR INSTITUTE") == (
        "2026-04-02",
        "date",
        "upload",
    )
