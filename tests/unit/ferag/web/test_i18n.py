"""The UI's languages: every string the templates and scripts show has a Russian translation,
the language is chosen from the cookie, then Accept-Language, and numbers, dates and plurals
are written as each language writes them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from ferag.web.i18n import Translations, choose_language, format_datetime, format_number
from ferag.web.messages import JS_MESSAGES, RU, VALUES_EN
from ferag.web.templating import STATIC_DIR, TEMPLATE_DIR, make_environment


def template_strings() -> set[str]:
    env = make_environment("en")
    found: set[str] = set()
    for path in TEMPLATE_DIR.glob("*.html"):
        source = path.read_text()
        for _line, _function, message in env.extract_translations(source):  # type: ignore[attr-defined]
            found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def script_strings() -> set[str]:
    calls = re.compile(r"\b(?:t|plural)\((?:[^,()]*,\s*)?\"([^\"]+)\"\)")
    return {m for path in STATIC_DIR.glob("js/*.js") for m in calls.findall(path.read_text())}


def test_every_string_of_the_templates_has_a_russian_translation() -> None:
    strings = template_strings()
    assert len(strings) > 100
    singulars = {"%(num)d knowledge base", "%(num)d entity added", "%(num)d relation"}
    singulars |= {"%(num)d ontology term"}  # the plural's key holds all Russian forms
    missing = sorted(s for s in strings - singulars if s not in RU)
    assert missing == []


def test_every_string_of_the_scripts_is_sent_to_them_and_translated() -> None:
    dynamic = {"status:", "error:", "component:"}  # built from a value: t("status:" + s)
    used = {s for s in script_strings() if s not in dynamic}
    assert "Uploading…" in used
    assert sorted(used - set(JS_MESSAGES)) == []
    assert sorted(s for s in JS_MESSAGES if s not in RU) == []


def test_every_value_a_page_names_is_translated() -> None:
    assert sorted(set(VALUES_EN) - set(RU)) == []


@pytest.mark.parametrize(
    ("cookie", "header", "expected"),
    [
        (None, "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"),
        (None, "de-DE,de;q=0.9,en;q=0.5,ru;q=0.4", "en"),
        (None, "en;q=0.3,ru;q=0.8", "ru"),
        (None, None, "en"),
        ("en", "ru-RU", "en"),
        ("xx", "ru", "ru"),
    ],
)
def test_the_language_comes_from_the_cookie_then_the_browser(
    cookie: str | None, header: str | None, expected: str
) -> None:
    assert choose_language(cookie, header) == expected


def test_numbers_dates_and_plurals_are_written_per_language() -> None:
    assert format_number(1234567, "en") == "1,234,567"
    assert format_number(1234.5, "ru", 1) == "1\u202f234,5"
    moment = datetime(2026, 5, 3, 14, 5, tzinfo=UTC)
    assert format_datetime(moment, "ru") == "3 мая 2026, 14:05 UTC"
    assert format_datetime(moment, "en") == "3 May 2026, 14:05 UTC"
    ru = Translations("ru")
    forms = [ru.ngettext("%(num)d relation", "%(num)d relations", n) for n in (1, 3, 5, 11, 21)]
    assert [f.split()[-1] for f in forms] == ["связь", "связи", "связей", "связей", "связь"]
    assert Translations("en").gettext("status:review") == "review"
    assert ru.gettext("status:review") == "на проверке"
    assert ru.error_text("invalid_credentials", "wrong email or password").startswith("Неверная")
    assert ru.error_text("some_new_code", "the API's message") == "the API's message"
