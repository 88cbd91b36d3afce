"""Date expressions in English and Russian text, as precise as they are written.

``dates_in_text("Director since 2015; stepped down on 1 April 2026")`` finds 2015 (a year) and
2026-04-01 (a day). Forms: ``2026-04-01``, ``01.04.2026``, ``1 April 2026``, ``April 1, 2026``,
``1 апреля 2026 г.``, ``April 2026``, ``в марте 2026 года``, and a year after a preposition
(``since``/``in``/``from``, ``с``/``в``/``от``) or before ``год``/``г.``; a bare four-digit
number is not a date (``Permafrost 2030`` is a name). A date after ``until``/``before``/``до``/
``по``/… is marked ``is_end``: it says when something stopped, not when it began.

A small pattern set, not ``dateparser``: measured on dateparser 1.5.0, ``search_dates`` reads
``в марте 2026`` as the year only (with today's month), ``с 2015 года`` as the year 11, and
reports no precision (``since 2015`` comes back as 2015-12-01), while these patterns give the
precision the text has. Russian month names are recognised in every case form by their
pymorphy3 lemma (``марте`` → ``март``), English ones by name or abbreviation.
"""

# ruff: noqa: RUF001, RUF002 (Russian date words are Cyrillic on purpose)
from __future__ import annotations

import re
from dataclasses import dataclass

from graphrag_lib.documents.dates import PartialDate
from graphrag_lib.resolution.names import lemma

_ENGLISH_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
_RUSSIAN_MONTHS = {
    name: number
    for number, name in enumerate(
        (
            "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
            "октябрь", "ноябрь", "декабрь",
        ),
        start=1,
    )
}  # fmt: skip
_YEAR = r"(?P<{}>(?:1[89]|20)\d\d)"
# Words that may name a month (``month_number`` decides): other words before a year are not
# taken, so "проекта 2015 года" still finds "2015 года".
_WORD = (
    r"(?P<{}>(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|"
    r"(?:январ|феврал|март|апрел|ма|июн|июл|август|сентябр|октябр|ноябр|декабр)[а-яё]*)\.?"
)
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_FORMS = {
    "iso_day": r"(?P<y1>\d{4})-(?P<m1>\d\d)-(?P<d1>\d\d)",
    "numeric_day": r"(?P<d2>[0-3]?\d)\.(?P<m2>[01]?\d)\.(?P<y2>\d{4})",
    "day_month": _DAY.format("d3") + r"\s+" + _WORD.format("w3") + r",?\s+" + _YEAR.format("y3"),
    "month_day": _WORD.format("w4") + r"\s+" + _DAY.format("d4") + r",\s*" + _YEAR.format("y4"),
    "month": _WORD.format("w5") + r"\s+(?:of\s+)?" + _YEAR.format("y5"),
    "iso_month": r"(?P<y6>\d{4})-(?P<m6>0[1-9]|1[0-2])",
    "year_word": _YEAR.format("y7") + r"\s*(?:год[а-я]*|г\.|гг\.)",
    "year_after": r"(?P<p8>since|in|from|as\s+of|starting(?:\s+in)?|beginning(?:\s+in)?|"
    r"effective|until|till|to|before|through|up\s+to|с|со|в|во|от|начиная\s+с|до|по)\s+"
    + _YEAR.format("y8"),
}
_DATES = re.compile(
    r"(?<![\w.-])(?:" + "|".join(f"(?P<{name}>{form})" for name, form in _FORMS.items()) + r")"
    r"(?![\w-])",
    re.IGNORECASE,
)
# Words just before a date that make it the end of something, not its start.
_END_WORDS = re.compile(
    r"(?:\b(?:until|till|to|before|through|up\s+to)|(?<![^\W\d_])(?:до|по))\s+(?:the\s+)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TextDate:
    """A date expression found in a text: its value, where it stands, whether it ends."""

    value: PartialDate
    start: int
    end: int
    is_end: bool = False


def month_number(word: str) -> int | None:
    """1 to 12 for an English month name or abbreviation, or a Russian one in any case form."""
    lowered = word.lower().rstrip(".")
    if lowered in _ENGLISH_MONTHS:
        return _ENGLISH_MONTHS[lowered]
    return _RUSSIAN_MONTHS.get(lemma(lowered)) if lowered[:1].isalpha() else None


def dates_in_text(text: str) -> list[TextDate]:
    """Every date expression in ``text``, in reading order."""
    found: list[TextDate] = []
    for match in _DATES.finditer(text):
        value = _value(match)
        if value is None:
            continue
        before = text[max(0, match.start() - 16) : match.start()]
        preposition = (match.group("p8") or "").lower()
        is_end = _END_WORDS.search(before) is not None or _END_WORDS.search(preposition + " ")
        found.append(TextDate(value, match.start(), match.end(), bool(is_end)))
    return found


def _value(match: re.Match[str]) -> PartialDate | None:
    form = match.lastgroup
    groups = match.groupdict()
    numbers: tuple[str | None, ...]
    if form in ("iso_day", "numeric_day", "iso_month"):
        at = {"iso_day": "1", "numeric_day": "2", "iso_month": "6"}[form]
        numbers = (groups[f"y{at}"], groups[f"m{at}"], groups.get(f"d{at}"))
    elif form in ("day_month", "month_day", "month"):
        at = {"day_month": "3", "month_day": "4", "month": "5"}[form]
        month = month_number(groups[f"w{at}"] or "")
        if month is None:
            return None
        numbers = (groups[f"y{at}"], str(month), groups.get(f"d{at}"))
    else:
        numbers = (groups["y7"] or groups["y8"], None, None)
    year, month_part, day = (int(part) if part else None for part in numbers)
    try:
        return PartialDate(year or 0, month_part, day) if year and year >= 1000 else None
    except ValueError:
        return None
