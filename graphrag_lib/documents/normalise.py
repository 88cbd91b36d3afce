"""The clean-up every extracted text gets: ``\\n`` newlines, no NULs, Unicode NFC."""

from __future__ import annotations

import re
import unicodedata

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x85]")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_RUNS = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """Unify newlines, drop NULs and byte-order marks, NFC-normalise, trim the ends.

    Everything else is kept as written, so Markdown stays Markdown.
    """
    text = _NEWLINES.sub("\n", text).replace("\x00", "").replace("\ufeff", "")
    return unicodedata.normalize("NFC", text).strip()


def tidy_layout(text: str) -> str:
    """For text rebuilt from a layout (HTML, PDF, DOCX): one space between words, at most one
    blank line between paragraphs, no spaces at line ends."""
    lines = (_SPACES.sub(" ", line).strip() for line in _NEWLINES.sub("\n", text).split("\n"))
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip("\n")
