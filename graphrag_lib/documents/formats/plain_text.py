"""Plain text and Markdown: decoded, otherwise kept exactly as written."""

from __future__ import annotations

import re

from graphrag_lib.documents.encodings import decode_text
from graphrag_lib.documents.formats.extracted import Extracted

_ATX_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)


def extract_plain_text(path: str, data: bytes) -> Extracted:
    text, encoding = decode_text(path, data)
    return Extracted(text, encoding, None)


def extract_markdown(path: str, data: bytes) -> Extracted:
    """Markdown stays Markdown; its first level-1 heading becomes the title."""
    text, encoding = decode_text(path, data)
    heading = _ATX_HEADING.search(text)
    return Extracted(text, encoding, heading.group(1) if heading else None)
