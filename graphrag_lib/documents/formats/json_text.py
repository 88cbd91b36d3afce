"""JSON (or JSON Lines) → one ``key.path: value`` line per value, records apart by a blank line.

``{"staff": [{"name": "Anna", "tags": ["ceo", "founder"]}]}`` reads as
``staff[0].name: Anna`` / ``staff[0].tags: ceo, founder``. Nulls and empty containers say nothing
and are left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from graphrag_lib.documents.encodings import decode_text
from graphrag_lib.documents.errors import UnreadableDocument
from graphrag_lib.documents.formats.extracted import Extracted


def extract_json(path: str, data: bytes) -> Extracted:
    text, encoding = decode_text(path, data)
    value = _parse(path, text)
    try:
        return Extracted(_render(value), encoding, None)
    except RecursionError as err:
        raise UnreadableDocument(
            path, "the JSON is nested too deeply to read", "Flatten the structure"
        ) from err


def _parse(path: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        error = err
    except RecursionError as err:
        raise UnreadableDocument(
            path, "the JSON is nested too deeply to read", "Flatten the structure"
        ) from err
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 1:
        try:
            return [json.loads(line) for line in lines]  # JSON Lines
        except (json.JSONDecodeError, RecursionError):
            pass
    raise UnreadableDocument(
        path,
        f"the file is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})",
        "Fix the JSON syntax, or upload the content as a .txt file",
    ) from error


def _render(value: Any) -> str:
    if isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        records = ("\n".join(_flatten(item, f"[{index}]")) for index, item in enumerate(value))
        return "\n\n".join(record for record in records if record)
    return "\n".join(_flatten(value, ""))


def _flatten(value: Any, prefix: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and not all(_is_scalar(item) for item in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{index}]")
    elif isinstance(value, list):
        if scalars := [_scalar(item) for item in value if item is not None]:
            yield _line(prefix, ", ".join(scalars))
    elif value is not None:
        yield _line(prefix, _scalar(value))


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return " ".join(value.split())
    return str(value)


def _line(prefix: str, text: str) -> str:
    return f"{prefix}: {text}" if prefix else text
