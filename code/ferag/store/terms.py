"""Safe SPARQL term serialisation (IRIs of a RAG come from ``graphrag_lib.vocab.RagIris``).

User text never reaches SPARQL except through ``literal`` / ``iri``, which escape it with
rdflib's N3 serialisation.
"""

from __future__ import annotations

from rdflib import Literal, URIRef


def literal(text: str, lang: str | None = None) -> str:
    return str(Literal(text, lang=lang).n3())


def iri(value: str) -> str:
    ref = URIRef(value)
    if any(c in value for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not a valid IRI: {value!r}")
    return str(ref.n3())
