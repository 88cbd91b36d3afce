"""Bytes of a text file → ``str`` and the encoding it was in, or a refusal if it is not text.

Order of evidence: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE); an encoding the file
declares (``<meta charset>`` in HTML) if the bytes decode with it; UTF-16 without a mark when NUL
bytes sit only in every other position; otherwise more than a stray NUL (0.1 % of the bytes)
means binary; strict UTF-8; a file mixing UTF-8 lines with lines in another encoding is refused
(``mixed``); Windows-1251 or KOI8-R when the text reads as Russian (``cyrillic``);
charset-normalizer for everything else. Text full of other control characters is binary too.
Encodings are reported by their Python codec name (``utf-8``, ``utf-8-sig``, ``utf-16-le``,
``cp1251``, ``koi8-r``, ...).
"""

from __future__ import annotations

import codecs
import unicodedata

from charset_normalizer import from_bytes

from graphrag_lib.documents.cyrillic import decode_single_byte_cyrillic
from graphrag_lib.documents.errors import MixedEncoding, UnreadableDocument, UnsupportedFormat
from graphrag_lib.documents.mixed import find_mixed_lines

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_ALLOWED_CONTROLS = set("\t\n\r\f\v\x1b")
_MAX_CONTROL_SHARE = 0.005
_MAX_NUL_SHARE = 0.001  # a stray NUL in a long text is dropped later; more means binary
_SAVE_AS_UTF8 = "Save the file as UTF-8 (or Windows-1251/KOI8-R for Russian) and upload it again"


def canonical_encoding(name: str) -> str | None:
    """Python's name for an encoding label (``windows-1251`` → ``cp1251``), None if unknown."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_text(path: str, data: bytes, declared: str | None = None) -> tuple[str, str]:
    """``(text, encoding)`` of a text file; raises if it is binary or in no known encoding."""
    text, encoding = _decode(path, data, declared)
    _refuse_control_characters(path, text)
    return text, encoding


def _decode(path: str, data: bytes, declared: str | None) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _decode_strict(path, data, encoding), encoding
    if declared and (found := _decode_declared(data, declared)):
        return found
    if data.count(0) > _MAX_NUL_SHARE * len(data):
        if found := _decode_utf16_without_bom(data):
            return found
        raise UnsupportedFormat(
            path, "the file contains NUL bytes, so it is binary, not text", _SAVE_AS_UTF8
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if mixed := find_mixed_lines(data):
        raise MixedEncoding(
            path,
            mixed.describe(),
            "Save the whole file in one encoding (UTF-8) and upload it again",
        )
    if found := decode_single_byte_cyrillic(data):
        return found
    return _decode_guessed(path, data)


def _decode_strict(path: str, data: bytes, encoding: str) -> str:
    try:
        # The utf-32/utf-8-sig codecs drop their mark; utf-16-le/-be keep it as U+FEFF.
        return data.decode(encoding).removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise UnreadableDocument(
            path,
            f"the file starts with a {encoding} byte-order mark but is not {encoding}",
            _SAVE_AS_UTF8,
        ) from err


def _decode_declared(data: bytes, declared: str) -> tuple[str, str] | None:
    encoding = canonical_encoding(declared)
    if encoding is None or encoding.startswith(("utf-16", "utf-32")):
        return None  # a charset the bytes cannot be in if the declaration was readable as ASCII
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        return None


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """UTF-16 text without a mark: NULs are the high bytes of ASCII characters, so they all sit
    in one parity and make up a good share of it (about 15 % even in Russian prose)."""
    if len(data) % 2:
        return None
    even, odd = data[0::2].count(0), data[1::2].count(0)
    if (even and odd) or max(even, odd) < len(data) // 20:
        return None
    encoding = "utf-16-le" if odd else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if any(unicodedata.category(char) in ("Co", "Cn") for char in text):
        return None  # private-use or unassigned code points: binary, not text
    return text, encoding


def _decode_guessed(path: str, data: bytes) -> tuple[str, str]:
    match = from_bytes(data).best()
    encoding = canonical_encoding(match.encoding) if match is not None else None
    if match is None or encoding is None:
        raise UnreadableDocument(path, "the text encoding could not be recognised", _SAVE_AS_UTF8)
    return str(match), encoding


def _refuse_control_characters(path: str, text: str) -> None:
    controls = sum(
        1 for char in text if unicodedata.category(char) == "Cc" and char not in _ALLOWED_CONTROLS
    )
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise UnsupportedFormat(
            path,
            "the file is full of control characters, so it is binary, not text",
            _SAVE_AS_UTF8,
        )
