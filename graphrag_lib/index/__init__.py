"""index: documents → GraphRAG 3.3.0's tables (the pipeline's ``index`` step).

``index_documents(documents, work_dir, config, progress)`` runs GraphRAG's standard pipeline
(LLM extraction, not the NLP ``fast`` method) through ``graphrag.api.build_index`` with
settings generated from ``IndexConfig`` and writes the parquet tables to ``work_dir/output``;
``load_tables(output_dir)`` reads them back as ``GraphRagTables``. Model requests go through
GraphRAG's JSON cache under ``config.cache_dir`` (one directory per model), so a re-run sends
none it sent before; importing this package makes GraphRAG compute those cache keys with
``cache_keys.FastDumper`` (the same keys, about ten times sooner; see ``cache_keys``).
Failures raise (see ``errors``)::

    IndexingError
    ├── IndexingFailed
    │   └── LlmRejected
    └── LlmUnavailable

Imports GraphRAG, pandas and the rest of ``graphrag_lib``; nothing from FastAPI, Celery,
SQLAlchemy or Redis, and no environment is read (the host sets ``LITELLM_LOCAL_MODEL_COST_MAP``
and ``HF_HUB_OFFLINE`` before importing this package).
"""

from graphrag_lib.index.config import IndexConfig
from graphrag_lib.index.errors import IndexingError, IndexingFailed, LlmRejected, LlmUnavailable
from graphrag_lib.index.output import load_tables
from graphrag_lib.index.run import IndexResult, index_documents
from graphrag_lib.tables import GraphRagTables

__all__ = [
    "GraphRagTables",
    "IndexConfig",
    "IndexResult",
    "IndexingError",
    "IndexingFailed",
    "LlmRejected",
    "LlmUnavailable",
    "index_documents",
    "load_tables",
]
