"""Which statements a context draws on: the current view, or history at a date or period.

A statement is *current* when it has no ``ferag:invalidatedIn``; it *holds* at a time when its
valid time (``ferag:validFrom`` ≤ t < ``ferag:validUntil``, either end may be unknown) covers
it. Valid times are as precise as their sources ("2015", "2026-03", "2026-03-15"), so two times
are compared on the parts both have: "2026" neither precedes nor follows "2026-03", and such
an overlap counts as holding (the context labels each statement with its period, and the model
sees both).

```
question / as_of ─► time_scope ─► TimeScope: current | history | at (as_of) | period (a year)
TimeScope + a statement's valid time ─► admits ─► in the context, labelled by period_label
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ScopeKind = Literal["current", "history", "at", "period"]


def date_parts(text: str | None) -> tuple[int, ...] | None:
    """``(year,)``, ``(year, month)`` or ``(year, month, day)`` of an ISO date or a prefix of
    one (a date-time counts as its date); None when ``text`` is not one."""
    if not text:
        return None
    pieces = text[:10].split("-")
    if len(pieces) > 3 or not all(p.isdigit() for p in pieces):
        return None
    return tuple(int(p) for p in pieces)


def _compare(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """-1, 0 or 1 comparing the parts both times have (0: they overlap)."""
    common = min(len(a), len(b))
    return (a[:common] > b[:common]) - (a[:common] < b[:common])


@dataclass(frozen=True)
class TimeScope:
    """``current``: only statements not invalidated (the default). ``history``: every
    statement, ended ones too (questions about the past without a date). ``at``: statements
    valid on ``start`` (the chat API's ``as_of``). ``period``: statements valid at some time
    from ``start`` to ``end`` (a year named in the question)."""

    kind: ScopeKind = "current"
    start: str | None = None
    end: str | None = None

    @property
    def is_current(self) -> bool:
        return self.kind == "current"

    def admits(self, valid_from: str | None, valid_until: str | None, is_current: bool) -> bool:
        """Whether a statement with this valid time (and currency) belongs in the context."""
        if self.kind == "current":
            return is_current
        start, end = date_parts(self.start), date_parts(self.end or self.start)
        if start is None or end is None:
            return True  # history: every statement
        began, ended = date_parts(valid_from), date_parts(valid_until)
        if began is not None and _compare(began, end) > 0:
            return False  # began after the scope
        if ended is None:
            return True  # still true, or its end is not known
        return _compare(ended, start) > 0 or (_compare(ended, start) == 0 and ended != start)

    def describe(self) -> dict[str, str | None]:
        """The scope as the chat telemetry shows it."""
        return {"scope": self.kind, "start": self.start, "end": self.end}


CURRENT = TimeScope()


def time_scope(asks_past: bool, years: tuple[str, ...], as_of: str | None = None) -> TimeScope:
    """The scope of a question: an explicit ``as_of`` date wins, then the years it names
    (their span), then words about the past (``history``); otherwise the current view."""
    if as_of:
        return TimeScope("at", as_of)
    if years:
        return TimeScope("period", min(years), max(years))
    return TimeScope("history") if asks_past else CURRENT


def period_label(valid_from: str | None, valid_until: str | None, is_current: bool) -> str:
    """``since 2015``, ``from 2015 until 2026-03, ended``, ``until 2026-03, ended``, ``ended``
    (dates unknown); empty for a current statement with no known start."""
    if is_current:
        return f"since {valid_from}" if valid_from else ""
    if valid_from and valid_until:
        return f"from {valid_from} until {valid_until}, ended"
    if valid_until:
        return f"until {valid_until}, ended"
    return f"since {valid_from}, ended" if valid_from else "ended"
