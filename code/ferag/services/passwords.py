"""Password strength, estimated by zxcvbn: a new password (registration, ``ferag users
create``) must reach a least score (``FERAG_PASSWORD_MIN_SCORE``), and a refusal says why in
zxcvbn's words (e.g. "This is a top-10 common password.")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NoReturn

from zxcvbn import zxcvbn

from ferag.errors import InvalidInput

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128  # also bounds zxcvbn's work, which grows with the length
MAX_SCORE = 4


def check_password_strength(
    password: str, *, min_score: int, user_inputs: Iterable[str | None] = ()
) -> None:
    """InvalidInput (422, naming the field ``password``) unless ``password`` scores at least
    ``min_score``. ``user_inputs`` (email, name) count as guessable words."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        _refuse(f"use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters", "string_length")
    words = sorted({word for text in user_inputs if text for word in _words_of(text)})
    result = zxcvbn(password, user_inputs=words, max_length=PASSWORD_MAX_LENGTH)
    score = int(result["score"])
    if score >= min_score:
        return
    feedback = result["feedback"]
    reasons = [text for text in (feedback["warning"], *feedback["suggestions"]) if text]
    _refuse(
        f"too weak (strength {score} of {MAX_SCORE}, at least {min_score} needed): "
        + (" ".join(reasons) or "it is easy to guess."),
        "password_too_weak",
    )


def _words_of(text: str) -> list[str]:
    """``text`` and its parts: an email's local part and domain labels, a name's words."""
    return [text.lower(), *(part for part in re.split(r"[\W_]+", text.lower()) if len(part) > 2)]


def _refuse(why: str, kind: str) -> NoReturn:
    raise InvalidInput(
        f"password: {why}",
        code="weak_password",
        details=[{"loc": ["body", "password"], "msg": why, "type": kind}],
    )
