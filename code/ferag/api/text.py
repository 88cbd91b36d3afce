"""Which characters a request's text may hold, checked once for every request model.

Control characters are refused with 422 naming the field, never stored: PostgreSQL cannot
store NUL in text (it answered 500), and the others are invisible junk in names, logs and the
graph. Refused everywhere: C0 controls except tab, line feed and carriage return, DEL, C1
controls (U+0080 to U+009F) and lone surrogates (Python's ``json`` lets ``"\\ud800"`` through,
and no encoder can write it). Names (``SingleLine``) refuse tab and line breaks as well.
Passwords (``CleanText.raw_text_fields``) are hashed, never stored or shown, so they may hold
anything that can be encoded: only lone surrogates are refused there. Nothing is silently
removed: a client learns which field to fix.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAK = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def refused_character(text: str, *, raw: bool = False) -> tuple[int, str] | None:
    """Where and which character of ``text`` is refused (``raw``: passwords), if any."""
    found = (_SURROGATE if raw else _CONTROL).search(text)
    return (found.start(), _describe(found.group())) if found else None


def _strings(value: object, path: str) -> Iterator[tuple[str, str]]:
    """Every string inside ``value`` (lists, dicts with their keys, nested models) with its
    path below the field, e.g. ``0.content``."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, item in {**vars(value), **(value.model_extra or {})}.items():
            yield from _strings(item, f"{path}.{name}" if path else name)
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield from _strings(key, where)
            yield from _strings(item, where)
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}.{index}" if path else str(index))


def control_character_error(position: int, char: str, where: str = "") -> PydanticCustomError:
    inside = f" (in {where})" if where else ""
    return PydanticCustomError(
        "control_character",
        "contains the control character {char} at position {position}{inside}; "
        "remove it (text may hold tabs and line breaks, names not)",
        {"char": char, "position": position, "inside": inside},
    )


class CleanText(BaseModel):
    """Base of request models: every string in every field, at any depth, is checked."""

    raw_text_fields: ClassVar[frozenset[str]] = frozenset()
    """Fields that may hold any encodable character (passwords: hashed, never shown)."""

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        raw = info.field_name in cls.raw_text_fields
        for where, text in _strings(value, ""):
            if found := refused_character(text, raw=raw):
                raise control_character_error(*found, where)
        return value


def _one_line(text: str) -> str:
    if found := _LINE_BREAK.search(text):
        raise PydanticCustomError(
            "line_break",
            "must be one line: it contains {char} at position {position}",
            {"char": _describe(found.group()), "position": found.start()},
        )
    return text


SingleLine = AfterValidator(_one_line)
"""Annotate a name with it: tabs and line breaks are refused too."""
