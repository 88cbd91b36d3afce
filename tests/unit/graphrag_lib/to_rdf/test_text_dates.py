"""Date expressions in English and Russian text, with the precision the text gives."""

from __future__ import annotations

import pytest

from graphrag_lib.to_rdf.text_dates import dates_in_text, month_number
from graphrag_lib.to_rdf.valid_time import sentences

CASES = [
    ("He has been director of the institute since 2015.", [("2015", False)]),
    ("In March 2026 he stepped down.", [("2026-03", False)]),
    ("On 1 April 2026 Eriksen took over.", [("2026-04-01", False)]),
    ("Eriksen took over on April 1, 2026.", [("2026-04-01", False)]),
    ("Reorganised in Sept. 2025.", [("2025-09", False)]),
    ("Signed 2026-04-01, revised 2026-05.", [("2026-04-01", False), ("2026-05", False)]),
    ("Подписано 01.04.2026.", [("2026-04-01", False)]),
    ("Петров с 2015 года директор института.", [("2015", False)]),
    ("В марте 2026 года Петров ушёл с поста.", [("2026-03", False)]),
    ("В мае 2024 склад переехал.", [("2024-05", False)]),
    ("1 апреля 2026 г. проект возглавил Эриксен.", [("2026-04-01", False)]),
    ("Руководитель проекта 2015 года.", [("2015", False)]),  # "проекта" is no month
    ("He worked there from 2015 to 2020.", [("2015", False), ("2020", True)]),
    ("Работал с 2015 по 2020 год.", [("2015", False), ("2020", True)]),
    ("Он руководил до 2020 года.", [("2020", True)]),
    ("She was head until March 2021.", [("2021-03", True)]),
    ("Alexei Petrov leads Permafrost 2030.", []),  # a name, not a date
    ("Version 2.2015 is out.", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0][:32] for c in CASES])
def test_date_expressions(text: str, expected: list[tuple[str, bool]]) -> None:
    assert [(d.value.isoformat(), d.is_end) for d in dates_in_text(text)] == expected


def test_russian_months_in_every_case_form() -> None:
    assert [month_number(w) for w in ("март", "марта", "марте", "мая", "мае", "декабрём")] == [
        3,
        3,
        3,
        5,
        5,
        12,
    ]
    assert month_number("машина") is None
    assert month_number("Sept.") == 9


def test_sentences_do_not_end_at_abbreviations_or_initials() -> None:
    text = "1 апреля 2026 г. проект возглавил Х. Эриксен. Dr. Smith left.\nNext line"
    assert sentences(text) == [
        "1 апреля 2026 г. проект возглавил Х. Эриксен.",
        "Dr. Smith left.",
        "Next line",
    ]
