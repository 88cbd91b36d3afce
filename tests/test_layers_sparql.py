"""Where SPARQL and vocabulary IRIs may be written, checked on the source with ``ast``.

- SPARQL text lives in the store layer (``code/ferag/store/``) and the library's query
  builders (``graphrag_lib/retrieve/sparql.py``); services, workers, routes and the rest of
  the library call functions that take ids and terms.
- IRIs of the W3C vocabularies, Dublin Core and ferag's own namespace are written once, in
  ``graphrag_lib/vocab.py`` (or taken from rdflib's namespaces); everything else uses the terms.

A string constant (an f-string's literal parts joined, a placeholder for each ``{…}``) looks
like SPARQL when it has ``WHERE {``, a ``GRAPH`` clause, or a query/update verb with a ``{``
and no ``FROM``: our SPARQL never uses ``FROM``, and the PostgreSQL queries always do.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("code/ferag", "graphrag_lib")
SPARQL_HOMES = ("code/ferag/store/", "graphrag_lib/retrieve/sparql.py")
IRI_HOMES = ("graphrag_lib/vocab.py", "graphrag_lib/sparql_terms.py")

HOLE = "\x00"  # stands for an f-string's {…} when its literal parts are joined
_WHERE_BLOCK = re.compile(r"\bWHERE\s*\{")
_GRAPH_CLAUSE = re.compile(rf"\bGRAPH\s*[{{?<{HOLE}]")
_VERB = re.compile(r"\b(SELECT|CONSTRUCT|ASK|INSERT|DELETE|DROP)\b")
_SQL_FROM = re.compile(r"\bFROM\b")
_VOCABULARY_IRI = re.compile(r"http://www\.w3\.org/|https://ferag\.dev/ns#|http://purl\.org/dc/")


def looks_like_sparql(text: str) -> bool:
    if _WHERE_BLOCK.search(text) or _GRAPH_CLAUSE.search(text):
        return True
    return bool(_VERB.search(text)) and "{" in text and not _SQL_FROM.search(text)


def string_constants(source: str) -> list[tuple[int, str]]:
    """Every string literal of ``source`` with its line; an f-string as one text."""
    found: list[tuple[int, str]] = []
    parts_of_fstrings: set[int] = set()
    nodes = list(ast.walk(ast.parse(source)))
    for node in nodes:
        if isinstance(node, ast.JoinedStr):
            parts_of_fstrings.update(id(part) for part in node.values)
            text = "".join(
                part.value
                if isinstance(part, ast.Constant) and isinstance(part.value, str)
                else HOLE
                for part in node.values
            )
            found.append((node.lineno, text))
    for node in nodes:
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) not in parts_of_fstrings:
            found.append((node.lineno, node.value))
    return found


def offences(root: Path) -> list[str]:
    """``path:line: what`` for each string in the wrong place, under ``root``'s scanned trees."""
    found = []
    for tree in SCANNED:
        for path in sorted((root / tree).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            for line, text in string_constants(path.read_text(encoding="utf-8")):
                if looks_like_sparql(text) and not name.startswith(SPARQL_HOMES):
                    found.append(f"{name}:{line}: SPARQL outside the store layer: {text[:60]!r}")
                if _VOCABULARY_IRI.search(text) and name not in IRI_HOMES:
                    found.append(f"{name}:{line}: vocabulary IRI as a string: {text[:60]!r}")
    return found


def test_sparql_and_vocabulary_iris_are_written_in_their_homes_only() -> None:
    assert offences(ROOT) == []


# --- the check itself can fail ------------------------------------------------------------------

# What services held before SPARQL moved to the store layer, and what a careless change adds.
SPARQL_OUTSIDE = [
    'drops = [f"DROP SILENT GRAPH {iri(g)}" for g in graphs]',
    'rows = store.select(rag_id, f"SELECT (COUNT({target}) AS ?n) WHERE {{ {pattern} }}")',
    'q = "SELECT ?g ?s ?p ?o WHERE { VALUES ?g { <urn:a> } " "GRAPH ?g { ?s ?p ?o } }"',
    'q = f"{verb} {{ GRAPH {iri(target)} {{ ?s ?p ?o }} }}"',
    "q = 'INSERT DATA { <urn:a> <urn:b> <urn:c> }'",
    'q = """CONSTRUCT { ?s ?p ?o }\nWHERE {\n ?s ?p ?o }"""',
]
NOT_SPARQL = [
    'db.execute(text("SELECT 1"))',
    'sa.text("SELECT 1 FROM pg_database WHERE datname = :n")',
    "SQL = text(\"SELECT ts_rank('{1,0,0,0}', e.ts, q.en) FROM entity_index e, q WHERE e.id = 1\")",
    '"""Lock the RAG row (``SELECT … FOR UPDATE``) and DROP nothing."""',
    'message = f"cycle {cycle.id} rejected: its change set was discarded"',
]


@pytest.mark.parametrize("source", SPARQL_OUTSIDE)
def test_sparql_is_recognised(source: str) -> None:
    assert any(looks_like_sparql(text) for _, text in string_constants(source)), source


@pytest.mark.parametrize("source", NOT_SPARQL)
def test_sql_and_prose_are_not_taken_for_sparql(source: str) -> None:
    assert not any(looks_like_sparql(text) for _, text in string_constants(source)), source


def test_the_scan_reports_sparql_and_iris_outside_their_homes(tmp_path: Path) -> None:
    files = {
        "code/ferag/services/review.py": SPARQL_OUTSIDE[0] + "\n" + NOT_SPARQL[2] + "\n",
        "code/ferag/store/cycles.py": SPARQL_OUTSIDE[0] + "\n",
        "graphrag_lib/retrieve/sparql.py": SPARQL_OUTSIDE[1] + "\n",
        "graphrag_lib/retrieve/gather.py": 'SKIPPED = ("http://www.w3.org/2002/07/owl#",)\n',
        "graphrag_lib/vocab.py": 'FERAG_NS = "https://ferag.dev/ns#"\n',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)

    found = offences(tmp_path)

    assert [line.split(": ")[0:2] for line in found] == [
        ["code/ferag/services/review.py:1", "SPARQL outside the store layer"],
        ["graphrag_lib/retrieve/gather.py:1", "vocabulary IRI as a string"],
    ]
