"""Languages of the UI: the choice (cookie, then Accept-Language), the catalogue, and dates and
numbers written the way each language writes them.

Babel is not installed, so the catalogue is ``ferag.web.messages``: English text is the key and
Russian its translation (``tests/unit/ferag/web/test_i18n.py`` checks that every string the
templates and scripts use has one). Templates call ``_()`` through Jinja2's i18n extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from ferag.web.messages import ERRORS_EN, RU, VALUES_EN

LANGUAGES = ("en", "ru")
DEFAULT_LANGUAGE = "en"
CATALOGUES: Mapping[str, Mapping[str, str]] = {"en": VALUES_EN, "ru": RU}

_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "ru": (
        "января", "февраля", "марта", "апреля", "мая", "июня",
        "июля", "августа", "сентября", "октября", "ноября", "декабря",
    ),
}  # fmt: skip
_GROUP = {"en": ",", "ru": "\u202f"}  # thousands: 1,234 / 1 234 (narrow no-break space)
_DECIMAL = {"en": ".", "ru": ","}


def choose_language(cookie: str | None, accept_language: str | None) -> str:
    """The language remembered in the cookie, else the first of the browser's we speak."""
    if cookie in LANGUAGES:
        return str(cookie)
    for tag, _quality in _accepted(accept_language or ""):
        primary = tag.split("-")[0].lower()
        if primary in LANGUAGES:
            return primary
    return DEFAULT_LANGUAGE


def _accepted(header: str) -> list[tuple[str, float]]:
    """Accept-Language's tags, most preferred first (``ru-RU,ru;q=0.9,en;q=0.8``)."""
    tags: list[tuple[str, float]] = []
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag:
            tags.append((tag, quality))
    return sorted(tags, key=lambda item: -item[1])


class Translations:
    """gettext and ngettext of one language, for Jinja2's i18n extension."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.catalogue = CATALOGUES[language]

    def gettext(self, message: str) -> str:
        return self.catalogue.get(message) or VALUES_EN.get(message, message)

    def error_text(self, code: str, message: str) -> str:
        """An API error as the reader reads it: our text for codes we know (Russian when
        the page is), else the API's own message."""
        key = f"error:{code}"
        if key in self.catalogue:
            return self.catalogue[key]
        return ERRORS_EN.get(code) or message or code

    def known_errors(self) -> dict[str, str]:
        """``error:<code>`` → text, for the codes this language has its own text for (the
        page scripts show the API's message for the others)."""
        codes = set(ERRORS_EN) | {k[6:] for k in self.catalogue if k.startswith("error:")}
        if self.language == "en":
            codes = set(ERRORS_EN)
        return {f"error:{code}": self.error_text(code, "") for code in sorted(codes)}

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        if self.language == "ru":
            forms = self.catalogue.get(plural, "").split("|")
            if len(forms) == 3:
                return forms[_russian_plural(n)]
        return self.gettext(singular if n == 1 else plural)


def _russian_plural(n: int) -> int:
    """0: 1 документ, 1: 2 документа, 2: 5 документов."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


def format_number(value: float | int | None, language: str, digits: int = 0) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", _DECIMAL[language]).replace("\0", _GROUP[language])


def format_datetime(value: datetime | None, language: str) -> str:
    """``3 Dec 2026, 22:34`` / ``3 декабря 2026, 22:34`` in UTC; the page's script rewrites it
    in the reader's time zone (``<time datetime>``)."""
    if value is None:
        return "—"
    moment = value.astimezone(UTC) if value.tzinfo else value
    month = _MONTHS[language][moment.month - 1]
    return f"{moment.day} {month} {moment.year}, {moment:%H:%M} UTC"


def format_bytes(value: int, language: str) -> str:
    units = {"en": ("bytes", "KiB", "MiB", "GiB"), "ru": ("байт", "КиБ", "МиБ", "ГиБ")}[language]
    size = float(value)
    for unit in units[:-1]:
        if size < 1024:
            return f"{format_number(size, language, 0 if unit == units[0] else 1)} {unit}"
        size /= 1024
    return f"{format_number(size, language, 1)} {units[-1]}"
