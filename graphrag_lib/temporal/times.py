"""Valid-time literals and their order.

A valid time is as precise as its source: ``xsd:gYear`` ("2015"), ``xsd:gYearMonth``
("2026-03") or ``xsd:date`` ("2026-03-15"; an ``xsd:dateTime`` is read as its date). Two times
are ordered only where their precision allows: "2026" is neither before nor after "2026-03".
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import XSD
from rdflib.term import Node

_DATATYPES = (XSD.gYear, XSD.gYearMonth, XSD.date, XSD.dateTime)


@dataclass(frozen=True)
class Dated:
    """A valid time and the source that gave it (``text``, ``document-metadata``, …)."""

    value: Literal
    source: Literal | None = None


def parts(value: Node | None) -> tuple[int, ...] | None:
    """``(year,)``, ``(year, month)`` or ``(year, month, day)`` of a valid-time literal."""
    if not isinstance(value, Literal):
        return None
    if value.datatype is not None and value.datatype not in _DATATYPES:
        return None
    text = str(value)[:10]
    pieces = text.split("-")
    if not pieces or not all(p.isdigit() for p in pieces) or len(pieces) > 3:
        return None
    return tuple(int(p) for p in pieces)


def is_before(a: Node | None, b: Node | None) -> bool:
    """Whether ``a`` is surely before ``b`` (False when either is unknown or they overlap)."""
    pa, pb = parts(a), parts(b)
    if pa is None or pb is None:
        return False
    common = min(len(pa), len(pb))
    return pa[:common] < pb[:common]


def latest(values: list[Dated]) -> Dated | None:
    """The latest of ``values`` (the most precise among equals), None when empty."""
    known = [v for v in values if parts(v.value) is not None]
    if not known:
        return None
    return max(known, key=lambda v: parts(v.value) or ())


def first_stated(values: list[Dated]) -> Dated | None:
    """The start time to keep when several statements become one: a time the text states
    before a document's date, then the earliest; None when none is known."""
    known = [v for v in values if parts(v.value) is not None]
    if not known:
        return None
    return min(known, key=lambda v: (str(v.source) != "text", parts(v.value) or ()))
