"""The chat entity index: production's entities in PostgreSQL, for entity linking.

One ``entity_index`` row per entity of a RAG's production graph (label, aliases, description,
and the name spellings of ``graphrag_lib.retrieve``); PostgreSQL generates the ``tsvector``
columns ('english', 'russian', and 'simple' over the spellings) and their GIN indexes answer
``link_entities`` in milliseconds however large production grows. SPARQL only ever receives the
IRIs found here, never question text.

Keeping it in step with production:

- ``refresh_entities(db, space, changed)``: after an approval or rollback changed
  production, re-read those IRIs from production and upsert or delete their rows, in the
  caller's transaction (commit it together with the version row);
- ``rebuild_index(db, space)``: re-read every entity of the RAG (repair, tests).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from ferag.db.models import EntityIndexEntry
from ferag.store.space import RagSpace
from graphrag_lib.resolution.names import entity_keys
from graphrag_lib.retrieve import (
    EntityCandidate,
    IndexedEntity,
    LinkedEntity,
    LinkingConfig,
    QueryAnalysis,
    SparqlRunner,
    analyse_question,
    rank_candidates,
)
from graphrag_lib.retrieve import sparql as queries
from graphrag_lib.retrieve.gather import value

logger = logging.getLogger(__name__)

READ_BATCH = 500
WRITE_BATCH = 1000
CANDIDATES = 50

# ts_rank weights are {D, C, B, A}: descriptions are D, labels A, aliases B.
_CANDIDATES_SQL = text(
    """
    WITH q AS (
        SELECT to_tsquery('english', :terms) AS en, to_tsquery('russian', :terms) AS ru,
               to_tsquery('simple', :names) AS nm
    )
    SELECT e.entity_iri, e.label, e.aliases, e.description,
           greatest(ts_rank('{1,0,0,0}', e.ts_english, q.en),
                    ts_rank('{1,0,0,0}', e.ts_russian, q.ru)) AS text_rank
    FROM entity_index e, q
    WHERE e.rag_id = :rag_id
      AND (e.ts_names @@ q.nm OR e.ts_english @@ q.en OR e.ts_russian @@ q.ru)
    ORDER BY (e.ts_names @@ q.nm) DESC,
             greatest(ts_rank('{0,0,0.8,1}', e.ts_english, q.en),
                      ts_rank('{0,0,0.8,1}', e.ts_russian, q.ru)) DESC,
             text_rank DESC, e.entity_iri
    LIMIT :limit
    """
)


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def store_runner(space: RagSpace) -> SparqlRunner:
    """``select`` on the RAG's space, as the library's ``SparqlRunner``."""
    return space.select


def read_entities(run: SparqlRunner, graph: str, iris: list[str] | None) -> list[IndexedEntity]:
    """Entities of production as the index stores them (all when ``iris`` is None)."""
    found: dict[str, dict[str, Any]] = {}
    for row in run(queries.indexed_entities(graph, iris)):
        iri = value(row, "e") or ""
        entry = found.setdefault(iri, {"label": value(row, "label") or "", "aliases": []})
        entry["description"] = entry.get("description") or value(row, "description") or ""
        label = value(row, "label") or ""
        if label != entry["label"] and label not in entry["aliases"]:
            entry["aliases"].append(label)  # a second rdfs:label counts as an alias
    for row in run(queries.entity_aliases(graph, iris)):
        known = found.get(value(row, "e") or "")
        alias = value(row, "alias") or ""
        if known is not None and alias and alias not in known["aliases"]:
            known["aliases"].append(alias)
    return [
        IndexedEntity(iri, e["label"], tuple(e["aliases"]), e.get("description") or "")
        for iri, e in sorted(found.items())
    ]


def _upsert(db: Session, rag_id: int, entities: list[IndexedEntity]) -> None:
    for batch in _batches(entities, WRITE_BATCH):
        rows = [
            {
                "rag_id": rag_id,
                "entity_iri": e.iri,
                "label": e.label,
                "aliases": "\n".join(e.aliases),
                "description": e.description,
                "names": e.name_terms(),
                "match_keys": entity_keys(e.label, e.aliases),
            }
            for e in batch
        ]
        statement = insert(EntityIndexEntry).values(rows)
        columns = ("label", "aliases", "description", "names", "match_keys")
        db.execute(
            statement.on_conflict_do_update(
                index_elements=["rag_id", "entity_iri"],
                set_={c: statement.excluded[c] for c in columns},
            )
        )


def refresh_entities(db: Session, space: RagSpace, changed: Collection[str]) -> None:
    """Re-read the ``changed`` IRIs from production and upsert or delete their index rows, in
    the caller's transaction. IRIs that are not (or no longer) entities lose their rows."""
    rag_id, run, graph = space.rag_id, store_runner(space), space.prod
    wanted = sorted({str(i) for i in changed if str(i).startswith(space.iris.prefix)})
    for batch in _batches(wanted, READ_BATCH):
        entities = read_entities(run, graph, batch)
        gone = set(batch) - {e.iri for e in entities}
        if gone:
            db.execute(
                delete(EntityIndexEntry).where(
                    EntityIndexEntry.rag_id == rag_id, EntityIndexEntry.entity_iri.in_(gone)
                )
            )
        _upsert(db, rag_id, entities)
    logger.info("entity index of rag %s: %d IRIs refreshed", rag_id, len(wanted))


def rebuild_index(db: Session, space: RagSpace) -> int:
    """Replace the RAG's index rows by every entity of production, in the caller's
    transaction; returns how many entities it indexed. Refreshes the table's planner
    statistics too: with stale ones PostgreSQL scans the RAG's rows instead of the GIN indexes."""
    rag_id = space.rag_id
    entities = read_entities(store_runner(space), space.prod, None)
    db.execute(delete(EntityIndexEntry).where(EntityIndexEntry.rag_id == rag_id))
    _upsert(db, rag_id, entities)
    db.execute(text("ANALYZE entity_index"))
    logger.info("entity index of rag %s rebuilt: %d entities", rag_id, len(entities))
    return len(entities)


# One bounded index scan per key: a key shared by many entities ("w:" of a common word) gives
# at most ``limit`` rows, which tells resolution it is too common to pair by.
_BY_KEYS_SQL = text(
    """
    SELECT k.key, e.entity_iri
    FROM unnest(CAST(:keys AS text[])) AS k(key)
    CROSS JOIN LATERAL (
        SELECT entity_iri FROM entity_index
        WHERE rag_id = :rag_id AND match_keys @> ARRAY[k.key]
        LIMIT :limit
    ) e
    """
)


def find_by_keys(
    db: Session, rag_id: int, keys: Collection[str], limit: int
) -> dict[str, set[str]]:
    """Name key → IRIs of the RAG's production entities having it (at most ``limit`` each)."""
    found: dict[str, set[str]] = {}
    for batch in _batches(sorted(set(keys)), READ_BATCH):
        rows = db.execute(_BY_KEYS_SQL, {"keys": batch, "rag_id": rag_id, "limit": limit})
        for row in rows:
            found.setdefault(row.key, set()).add(row.entity_iri)
    return found


def find_candidates(
    db: Session, rag_id: int, analysis: QueryAnalysis, limit: int = CANDIDATES
) -> list[EntityCandidate]:
    """Index rows whose names or texts share words with the question (bound parameters only:
    the terms are letter/digit words joined by ``|``)."""
    terms = " | ".join(analysis.search_terms())
    names = " | ".join(analysis.name_terms())
    if not names:
        return []
    rows = db.execute(
        _CANDIDATES_SQL, {"terms": terms, "names": names, "rag_id": rag_id, "limit": limit}
    ).all()
    return [
        EntityCandidate(
            IndexedEntity(
                row.entity_iri,
                row.label,
                tuple(a for a in row.aliases.split("\n") if a),
                row.description,
            ),
            float(row.text_rank or 0.0),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class EntityHit:
    """An entity a search found, how well, and by which of its names or texts."""

    entity: IndexedEntity
    score: float
    matched_by: str


def entity_labels(db: Session, rag_id: int, iris: Collection[str]) -> dict[str, str]:
    """Production's label of each of ``iris`` it has (an entity merged away has none), from
    the index rather than the triple store."""
    if not iris:
        return {}
    rows = db.execute(
        select(EntityIndexEntry.entity_iri, EntityIndexEntry.label).where(
            EntityIndexEntry.rag_id == rag_id, EntityIndexEntry.entity_iri.in_(list(iris))
        )
    ).all()
    return {row.entity_iri: row.label for row in rows}


def search_entities(db: Session, rag_id: int, query: str, limit: int) -> list[EntityHit]:
    """Production's entities a name (or a few words) ``query`` is about, best first, at most
    ``limit``: the chat's entity linking (labels, aliases, spellings, Russian forms, sound keys)
    over the index."""
    analysis = analyse_question(query)
    found = find_candidates(db, rag_id, analysis)
    entities = {candidate.entity.iri: candidate.entity for candidate in found}
    ranked = rank_candidates(analysis, found, LinkingConfig(max_entities=limit))
    return [EntityHit(entities[hit.iri], hit.score, hit.matched_by) for hit in ranked]


def link_analysed(
    db: Session, rag_id: int, analysis: QueryAnalysis, config: LinkingConfig | None = None
) -> list[LinkedEntity]:
    return rank_candidates(analysis, find_candidates(db, rag_id, analysis), config)


def link_entities(
    db: Session, rag_id: int, question: str, config: LinkingConfig | None = None
) -> list[LinkedEntity]:
    """The indexed entities ``question`` is about, best first."""
    return link_analysed(db, rag_id, analyse_question(question), config)


def first_entities(db: Session, rag_id: int, limit: int) -> list[tuple[str, str]]:
    """Up to ``limit`` of production's entities as (IRI, label), by label: a bounded listing
    (a client browsing a RAG), not a search."""
    rows = db.execute(
        select(EntityIndexEntry.entity_iri, EntityIndexEntry.label)
        .where(EntityIndexEntry.rag_id == rag_id)
        .order_by(EntityIndexEntry.label, EntityIndexEntry.entity_iri)
        .limit(limit)
    ).all()
    return [(row.entity_iri, row.label) for row in rows]
