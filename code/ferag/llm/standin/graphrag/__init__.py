"""The offline stand-in's rules for the prompts GraphRAG 3.3.0's standard pipeline sends.

Rules, tried before the stand-in's generic one, each labelled in ``X-Ferag-Standin-Rule``:

- ``graphrag-extract-graph``: the extraction prompt → entity and relationship records in
  GraphRAG's tuple format, from names found in the "-Real Data-" text by plain rules
  (``names``: capitalised runs, «quoted» names, legal forms, a small gazetteer, Russian
  case endings ignored when grouping) and sentence co-occurrence (``extraction``);
- ``graphrag-glean-continue``: "MANY entities ... were missed" → only ``<|COMPLETE|>``;
- ``graphrag-glean-loop``: "Answer Y ... or N" → ``N``;
- ``graphrag-summarize-descriptions``: a description list → its distinct sentences, capped at
  the requested word count (``summaries``);
- ``graphrag-community-report``: the community's CSV tables → report JSON matching GraphRAG's
  schema (``reports``).

Deterministic, no model involved: the same prompt always gets the same answer.
Register them with ``create_app(rules=(*GRAPHRAG_RULES, *DEFAULT_RULES))``.
"""

from __future__ import annotations

from ferag.llm.standin.graphrag.extraction import (
    is_extraction,
    is_gleaning,
    is_loop_check,
    respond_to_extraction,
    respond_to_gleaning,
    respond_to_loop_check,
)
from ferag.llm.standin.graphrag.reports import is_community_report, respond_to_community_report
from ferag.llm.standin.graphrag.summaries import is_summary, respond_to_summary
from ferag.llm.standin.rules import Rule

GRAPHRAG_RULES: tuple[Rule, ...] = (
    Rule("graphrag-glean-continue", matches=is_gleaning, respond=respond_to_gleaning),
    Rule("graphrag-glean-loop", matches=is_loop_check, respond=respond_to_loop_check),
    Rule("graphrag-extract-graph", matches=is_extraction, respond=respond_to_extraction),
    Rule("graphrag-summarize-descriptions", matches=is_summary, respond=respond_to_summary),
    Rule(
        "graphrag-community-report",
        matches=is_community_report,
        respond=respond_to_community_report,
    ),
)

__all__ = ["GRAPHRAG_RULES"]
