"""What a format reader returns."""

from __future__ import annotations

from typing import NamedTuple


class Extracted(NamedTuple):
    """Text of one file before the common clean-up, its encoding (None for binary formats) and
    the title the document gives itself (None: the caller falls back to the file name)."""

    text: str
    encoding: str | None
    title: str | None
