"""to_rdf: GraphRAG's output tables → one RDF graph in ferag's model (``docs/rdf-model.md``).

Pure functions over pandas DataFrames and rdflib graphs; no I/O, no model calls. Imports nothing
from the service (FastAPI, Celery, SQLAlchemy, Redis).
"""

from graphrag_lib.to_rdf.convert import tables_to_rdf
from graphrag_lib.to_rdf.documents import DocumentMeta

__all__ = ["DocumentMeta", "tables_to_rdf"]
