"""The GraphRAG 3.3.0 output tables handed from the index step to the RDF step.

Column names are GraphRAG's own (``graphrag.data_model.schemas``): ``documents`` (id,
human_readable_id, title, text, text_unit_ids, creation_date, raw_data), ``text_units`` (id,
human_readable_id, text, n_tokens, document_id, entity_ids, relationship_ids, covariate_ids),
``entities`` (id, human_readable_id, title, type, description, text_unit_ids, frequency, degree),
``relationships`` (id, human_readable_id, source, target, description, weight, combined_degree,
text_unit_ids), ``communities`` (id, human_readable_id, community, level, parent, children, title,
entity_ids, relationship_ids, text_unit_ids, period, size) and ``community_reports`` (id,
human_readable_id, community, level, parent, children, title, summary, full_content, rank,
rating_explanation, findings, full_content_json, period, size).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas costs ~0.5 s to import; the API only needs the names here
    import pandas as pd

TABLE_NAMES: tuple[str, ...] = (
    "documents",
    "text_units",
    "entities",
    "relationships",
    "communities",
    "community_reports",
)


@dataclass(frozen=True)
class GraphRagTables:
    """The six DataFrames GraphRAG 3.3.0 writes, under GraphRAG's file stems."""

    documents: pd.DataFrame
    text_units: pd.DataFrame
    entities: pd.DataFrame
    relationships: pd.DataFrame
    communities: pd.DataFrame
    community_reports: pd.DataFrame
