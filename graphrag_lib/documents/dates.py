"""Dates as precise as their source (a year, a month or a day) and a document's date.

A document's date comes from, in this order: the upload (the user's ``date``/``dates``), the
document's own metadata (``metadata_dates``), a date in its path or file name
(``reports/2026-03/news.txt`` → 2026-03, ``2026_04_01-minutes.docx`` → 2026-04-01,
``2025/q4.md`` → 2025). ``DateSource`` names the source as ``docs/rdf-model.md`` writes it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal as TypingLiteral

from rdflib import Literal
from rdflib.namespace import XSD

DateSource = TypingLiteral["text", "document-metadata", "file-name", "upload"]


@dataclass(frozen=True)
class PartialDate:
    """A calendar date known to the year, the month or the day (``month``/``day`` None when
    the source does not say)."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise ValueError("a day needs a month")
        dt.date(self.year, self.month or 1, self.day or 1)  # raises ValueError when impossible

    @classmethod
    def of(cls, value: dt.date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    @classmethod
    def parse(cls, text: str) -> PartialDate | None:
        """``2026``, ``2026-03``, ``2026-03-01`` or an ISO date-time (its date part); None
        when ``text`` is none of those or an impossible date."""
        match = _ISO.match(text.strip())
        if match is None:
            return None
        year, month, day = (int(part) if part else None for part in match.groups())
        try:
            return cls(year or 0, month, day) if year and year >= 1000 else None
        except ValueError:
            return None

    def sort_key(self) -> tuple[int, int, int]:
        """Earliest first; a bare year sorts before its months, a month before its days."""
        return (self.year, self.month or 0, self.day or 0)

    def isoformat(self) -> str:
        parts = [f"{self.year:04d}"]
        parts += [f"{part:02d}" for part in (self.month, self.day) if part is not None]
        return "-".join(parts)

    def literal(self) -> Literal:
        """``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date``, as precise as the date is."""
        datatype = XSD.gYear if self.month is None else XSD.date if self.day else XSD.gYearMonth
        return Literal(self.isoformat(), datatype=datatype)


@dataclass(frozen=True)
class DocumentDate:
    """A date and where it came from."""

    value: PartialDate
    source: DateSource


_ISO = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?$")
# A year of this century or the last, standing alone in a path segment (not inside a longer
# number), optionally followed by a month and a day separated by -, _ or .
_PATH_DATE = re.compile(
    r"(?<![0-9])((?:19|20)\d{2})(?:[-_.]?(0[1-9]|1[0-2])(?:[-_.]?(0[1-9]|[12]\d|3[01]))?)?(?![0-9])"
)


def date_in_path(path: str) -> PartialDate | None:
    """The date ``path`` names: in the file name, else in the innermost folder that names one
    (a year folder takes month and day folders below it: ``2025/03/report.txt`` → 2025-03)."""
    parts = PurePosixPath(path).parts
    if not parts:
        return None
    if (found := _date_in_name(PurePosixPath(parts[-1]).stem)) is not None:
        return found
    folders = parts[:-1]
    for at in reversed(range(len(folders))):
        if (found := _date_in_name(folders[at])) is not None:
            return _with_folders_below(found, folders[at + 1 :])
    return None


def _date_in_name(name: str) -> PartialDate | None:
    match = _PATH_DATE.search(name)
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        return PartialDate(year or 0, month, day)
    except ValueError:
        return None


def _with_folders_below(found: PartialDate, below: tuple[str, ...]) -> PartialDate:
    if found.month is not None:
        return found
    numbers = [found.year]
    for folder in below[:2]:
        if not re.fullmatch(r"\d{1,2}", folder):
            break
        numbers.append(int(folder))
    try:
        return PartialDate(*numbers)
    except ValueError:
        return found


def resolve_document_date(
    upload: dt.date | None, metadata: PartialDate | None, path: str
) -> DocumentDate | None:
    """The document's date by precedence: upload, then metadata, then path or file name."""
    if upload is not None:
        return DocumentDate(PartialDate.of(upload), "upload")
    if metadata is not None:
        return DocumentDate(metadata, "document-metadata")
    if (named := date_in_path(path)) is not None:
        return DocumentDate(named, "file-name")
    return None
