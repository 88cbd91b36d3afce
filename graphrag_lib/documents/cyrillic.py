"""Telling Windows-1251 from KOI8-R by how Russian the decoded text looks.

charset-normalizer guesses wrong on short Russian texts (a 12-letter Windows-1251 greeting comes
back as cp1125, a KOI8-R sentence as cp1255 or shift_jis), so single-byte Cyrillic is decided here:
each candidate decoding is scored by Russian letter frequencies, and a lowercase letter followed
by a capital inside a word (what the wrong decoding of ordinary text produces, "пРИВЕТ") costs
extra. Standard library only.
"""

from __future__ import annotations

import math
import re

CANDIDATES = ("cp1251", "koi8-r")

# Russian letters from the most to the least frequent, with their share of Russian prose in per
# cent (National Corpus of the Russian Language); then Ukrainian/Belarusian letters at 0.5 %.
_RUSSIAN_LETTERS = "оеаинтсрвлкмдпуяыьгзбчйхжшюцщэфъё"
_RUSSIAN_PERCENT = (
    10.97, 8.45, 8.01, 7.35, 6.70, 6.26, 5.47, 4.73, 4.54, 4.40, 3.49, 3.21, 2.98, 2.81, 2.62,
    2.01, 1.90, 1.74, 1.70, 1.65, 1.59, 1.44, 1.21, 0.97, 0.94, 0.73, 0.64, 0.48, 0.36, 0.32,
    0.26, 0.04, 0.04,
)  # fmt: skip
_LETTER_PERCENT = dict(zip(_RUSSIAN_LETTERS, _RUSSIAN_PERCENT, strict=True))
_LETTER_PERCENT.update(dict.fromkeys("іїєґў", 0.5))
# Rare letters are floored at 0.2 %: "объём" must not lose to a decoding with a box-drawing sign.
_LETTER_LOGP = {letter: math.log(max(pct, 0.2) / 100) for letter, pct in _LETTER_PERCENT.items()}
# « » em dash, en dash, ellipsis, numero sign, quotes, degree, middle dot, no-break space.
_PUNCTUATION = set("«»\u2014\u2013\u2026\u2116\u201c\u201d\u201e\u2018\u2019\u00b0\u00b7\u00a0")
_PUNCTUATION_LOGP = math.log(0.005)
_OTHER_LOGP = math.log(1e-7)
_CASE_FLIP_LOGP = math.log(1e-3)
_WORD = re.compile(r"[^\W\d_]+")
_NON_ASCII_BYTE = re.compile(rb"[\x80-\xff]")
SAMPLE_BYTES = 256 * 1024


def is_cyrillic_letter(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def score_russian(text: str) -> float:
    """Log-likelihood that ``text``'s non-ASCII characters are Russian prose; higher is likelier."""
    score = 0.0
    previous = ""
    for char in text:
        if char.isascii():
            previous = char
            continue
        lower = char.lower()
        if lower in _LETTER_LOGP:
            score += _LETTER_LOGP[lower]
            if char.isupper() and previous.islower() and is_cyrillic_letter(previous):
                score += _CASE_FLIP_LOGP
        elif char in _PUNCTUATION:
            score += _PUNCTUATION_LOGP
        else:
            score += _OTHER_LOGP
        previous = char
    return score


def looks_cyrillic(text: str) -> bool:
    """Whether the non-ASCII letters of ``text`` are Cyrillic words rather than accents.

    "café" read as Windows-1251 becomes "cafй": a Cyrillic letter inside a Latin word, which real
    Russian text almost never has.
    """
    cyrillic = in_pure_words = other = 0
    for word in _WORD.findall(text):
        count = sum(1 for char in word if is_cyrillic_letter(char))
        cyrillic += count
        other += sum(1 for char in word if not char.isascii() and not is_cyrillic_letter(char))
        if count == len(word):
            in_pure_words += count
    return cyrillic > 0 and in_pure_words >= 0.8 * cyrillic and other <= 0.2 * cyrillic


def decode_single_byte_cyrillic(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` of the likeliest Russian single-byte decoding; None if not Russian.

    The candidates are judged on a sample (``SAMPLE_BYTES`` from the line of the first
    non-ASCII byte): a single-byte file is in one encoding throughout, and judging all of a
    large file costs seconds and a word list the size of the file. Only the winner decodes it
    whole.
    """
    sample = _sample(data)
    ranked: list[tuple[float, str]] = []
    for encoding in CANDIDATES:
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        if looks_cyrillic(text):
            ranked.append((score_russian(text), encoding))
    for _, encoding in sorted(ranked, reverse=True):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue  # a byte the sample did not hold is undefined in this encoding
    return None


def _sample(data: bytes) -> bytes:
    if len(data) <= SAMPLE_BYTES:
        return data
    first = _NON_ASCII_BYTE.search(data)
    start = 0 if first is None else data.rfind(b"\n", 0, first.start()) + 1
    return data[start : start + SAMPLE_BYTES]
