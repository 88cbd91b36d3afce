"""Time scopes of chat contexts: which valid times a scope admits, and how a line shows them."""

from __future__ import annotations

import pytest

from graphrag_lib.retrieve.facts import RelationFact, relation_line
from graphrag_lib.retrieve.query import analyse_question
from graphrag_lib.retrieve.time import TimeScope, time_scope

AT_2020 = TimeScope("at", "2020-06-01")
IN_2026 = TimeScope("period", "2026", "2026")


@pytest.mark.parametrize(
    ("scope", "valid_from", "valid_until", "current", "admitted"),
    [
        (TimeScope(), "2015", "2026-03", False, False),  # the current view drops ended facts
        (TimeScope(), None, None, True, True),
        (TimeScope("history"), "2015", "2026-03", False, True),
        (AT_2020, "2015", "2026-03", False, True),
        (AT_2020, "2026-03", None, True, False),  # began after the date
        (AT_2020, "2015", "2020-06-01", False, False),  # validUntil is exclusive
        (AT_2020, "2015", "2020", False, True),  # "2020" overlaps the date: kept, labelled
        (IN_2026, "2015", "2026-03", False, True),
        (IN_2026, "2015", "2025-12", False, False),
    ],
)
def test_scopes_admit_statements_valid_in_them(
    scope: TimeScope, valid_from: str | None, valid_until: str | None, current: bool, admitted: bool
) -> None:
    assert scope.admits(valid_from, valid_until, current) is admitted


def test_an_explicit_date_wins_over_the_question() -> None:
    assert time_scope(True, ("2025",), "2020-01-01") == TimeScope("at", "2020-01-01")
    assert time_scope(True, ("2024", "2025"), None) == TimeScope("period", "2024", "2025")
    assert time_scope(True, (), None).kind == "history"
    assert time_scope(False, (), None).is_current


def test_context_lines_say_since_when_and_until_when() -> None:
    fact = RelationFact("st", "Hans", "director of", "Polar Institute", "h", "p", "", refs=(2,))
    current = RelationFact(**{**fact.__dict__, "valid_from": "2026-03"})
    ended = RelationFact(**{**fact.__dict__, "valid_from": "2015", "valid_until": "2026-03",
                            "is_current": False})  # fmt: skip
    assert relation_line(current) == "- Hans → director of → Polar Institute (since 2026-03) [2]"
    assert relation_line(ended).endswith("(from 2015 until 2026-03, ended) [2]")


@pytest.mark.parametrize(
    ("question", "asks_past", "years"),
    [
        ("Who is the director of the Polar Institute?", False, ()),
        ("Who was the director before?", True, ()),
        ("Who previously led the project?", True, ()),
        ("Кто был директором раньше?", True, ()),
        ("Кто бывший директор института?", True, ()),
        ("Кто руководил проектом «Вечная мерзлота 2030» в 2025 году?", False, ("2025",)),
        ("Who led Permafrost 2030 in 2025?", False, ("2025",)),
    ],
)
def test_questions_say_when_they_ask_about(
    question: str, asks_past: bool, years: tuple[str, ...]
) -> None:
    analysis = analyse_question(question)
    assert (analysis.asks_past, analysis.years) == (asks_past, years)
    assert "before" not in analysis.words and "раньше" not in analysis.words
