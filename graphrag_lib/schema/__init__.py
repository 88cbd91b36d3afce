"""schema: ontology induction. A model proposes OWL classes and properties for the extracted
entity types and relations (in bounded batches, reusing production terms); the answer is checked,
retried with feedback, or replaced by a deterministic fallback; then every ``ferag:relatedTo``
relation gets the ontology property that fits it. See ``docs/schema.md``.

Takes graphs, a ``ChatModel`` and a ``SchemaConfig``; imports nothing from the service.
"""

from graphrag_lib.schema.config import SchemaConfig
from graphrag_lib.schema.induce import SchemaResult, induce_schema
from graphrag_lib.schema.validate import InvalidOntology

__all__ = ["InvalidOntology", "SchemaConfig", "SchemaResult", "induce_schema"]
