"""Text files whose lines are in different encodings, e.g. UTF-8 notes pasted into a
Windows-1251 file.

No single decoding reads such a file: read as UTF-8 it fails, read as a single-byte encoding its
UTF-8 lines become mojibake ("РђРЅРЅР°"), which would then be indexed as words. So it is refused,
naming the lines of each kind, rather than decoded per line: a line that is valid UTF-8 can
still belong to the other encoding, and a guess per line would mix both errors silently.

A line counts as UTF-8 when it decodes as UTF-8 and holds two non-ASCII letters in a row (single-
byte Russian text almost never forms such a pair by accident); a line counts as "other" when it
does not decode as UTF-8. Standard library only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from graphrag_lib.documents.cyrillic import decode_single_byte_cyrillic

_TWO_NON_ASCII_LETTERS = re.compile(r"[^\W\d_a-zA-Z]{2}")
_ENCODING_NAMES = {"cp1251": "Windows-1251", "koi8-r": "KOI8-R"}
_SHOWN_LINES = 3


@dataclass(frozen=True)
class MixedLines:
    utf8: list[int]  # 1-based numbers of the lines that are UTF-8
    other: list[int]  # and of those that are not
    other_encoding: str | None  # what the other lines read as, if they read as Russian

    def describe(self) -> str:
        pronoun = "it reads" if len(self.other) == 1 else "they read"
        other = f"{pronoun} as {self.other_encoding}" if self.other_encoding else "another encoding"
        return (
            f"the file mixes encodings: {_numbers(self.utf8)} UTF-8, but {_numbers(self.other)} "
            f"not ({other})"
        )


def find_mixed_lines(data: bytes) -> MixedLines | None:
    """The lines of each kind when ``data`` has UTF-8 lines and lines in another encoding."""
    utf8: list[int] = []
    other: list[bytes] = []
    other_numbers: list[int] = []
    for number, line in enumerate(_lines(data), start=1):
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            other.append(line)
            other_numbers.append(number)
            continue
        if _TWO_NON_ASCII_LETTERS.search(text):
            utf8.append(number)
    if not utf8 or not other:
        return None
    found = decode_single_byte_cyrillic(b"\n".join(other))
    encoding = _ENCODING_NAMES.get(found[1], found[1]) if found else None
    return MixedLines(utf8, other_numbers, encoding)


def _lines(data: bytes) -> Iterator[bytes]:
    """The lines of ``data`` one at a time (``split`` would copy the whole file at once)."""
    start = 0
    while start <= len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        yield data[start:end]
        start = end + 1


def _numbers(numbers: list[int]) -> str:
    shown = ", ".join(str(n) for n in numbers[:_SHOWN_LINES])
    more = f" and {len(numbers) - _SHOWN_LINES} more" if len(numbers) > _SHOWN_LINES else ""
    verb = "is" if len(numbers) == 1 else "are"
    return f"line{'s' if len(numbers) > 1 else ''} {shown}{more} {verb}"
