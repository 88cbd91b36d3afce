"""The one way a value enters SPARQL text: IRIs, literals and ``PREFIX`` blocks as rdflib terms.

Every query of ferag (the service's store layer and this library's query builders) writes
IRIs with ``iri`` and values with ``literal``; nothing else is interpolated but integers
(``LIMIT``/``OFFSET``). Both serialise with rdflib's ``n3()``, so escaping is rdflib's, and
``iri`` first refuses whatever could end the ``<…>`` of an IRI reference or is not an
absolute IRI, so no text can break out of a term:

    iri("https://ex.org/a")              → <https://ex.org/a>
    iri("https://ex.org/a> } DROP ALL")  → ValueError
    literal('say "hi"\\n', lang="en")    → the quotes and newline escaped, ``@en``

Imports nothing from the service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import BNode, Literal, Namespace, URIRef
from rdflib.namespace import DefinedNamespaceMeta

# An absolute IRI starts with a scheme (RFC 3987); none of these may appear in an IRIREF:
# the SPARQL grammar's excluded characters, spaces, and C0/C1 control characters.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_FORBIDDEN = re.compile(r'[<>"{}|^`\\\x00-\x20\x7f-\x9f]')

NamespaceLike = Namespace | DefinedNamespaceMeta | URIRef | str


def iri(value: str | URIRef) -> str:
    """``<value>`` for SPARQL; refuses anything that is not a plain absolute IRI (non-ASCII
    letters are fine: SPARQL IRIs are Unicode)."""
    if isinstance(value, Literal | BNode) or not isinstance(value, str):
        raise TypeError(f"an IRI is a str or URIRef, not {type(value).__name__}: {value!r}")
    if not _SCHEME.match(value) or _FORBIDDEN.search(value):
        raise ValueError(f"not a valid IRI: {value!r}")
    return str(URIRef(value).n3())


def literal(
    value: str | Literal, lang: str | None = None, datatype: str | URIRef | None = None
) -> str:
    """A SPARQL literal: ``value`` (text, or an rdflib ``Literal`` as it is) with an optional
    language tag or datatype IRI; quotes, backslashes and newlines are escaped by rdflib."""
    if isinstance(value, Literal):
        if lang is not None or datatype is not None:
            raise ValueError("give lang or datatype with text, not with a Literal")
        term = value
    else:
        term = Literal(value, lang=lang, datatype=None if datatype is None else URIRef(datatype))
    if term.datatype is not None:
        iri(term.datatype)  # refuse a datatype that is not a plain IRI
    return str(term.n3())


def prefixes(namespaces: Mapping[str, NamespaceLike]) -> str:
    """``PREFIX name: <namespace>`` lines for a query's head, e.g.
    ``prefixes({"rdfs": RDFS, "ferag": FERAG})``."""
    for name in namespaces:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]*", name):
            raise ValueError(f"not a SPARQL prefix name: {name!r}")
    return "".join(f"PREFIX {name}: {iri(str(ns))}\n" for name, ns in namespaces.items())
