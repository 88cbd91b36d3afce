# Russian test text has one-letter words that RUF001 takes for Latin look-alikes.
"""Text decoding: BOMs, UTF-8, UTF-16, Russian single-byte encodings, binary refusal."""

from __future__ import annotations

import codecs

import pytest

from graphrag_lib.documents import MixedEncoding, UnreadableDocument, UnsupportedFormat
from graphrag_lib.documents.encodings import canonical_encoding, decode_text

RUSSIAN = "Анна Смирнова возглавляет «Бореалис Логистик» в Казани.\nОфис открыт в 2016 году."


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (RUSSIAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + RUSSIAN.encode("utf-16-be"), "utf-16-be"),
        (RUSSIAN.encode("utf-32"), "utf-32"),
        (RUSSIAN.encode("cp1251"), "cp1251"),
        (RUSSIAN.replace("«", '"').replace("»", '"').encode("koi8-r"), "koi8-r"),
    ],
)
def test_encodings_are_detected(data: bytes, encoding: str) -> None:
    text, found = decode_text("a.txt", data)
    assert found == encoding
    assert text.replace('"', "«", 1).replace('"', "»", 1) == RUSSIAN


def test_ascii_is_reported_as_utf_8() -> None:
    assert decode_text("a.txt", b"Kazan office") == ("Kazan office", "utf-8")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_recognised_by_its_nul_pattern(codec: str) -> None:
    text = "Borealis Logistics, Kazan. Анна Смирнова."
    assert decode_text("a.txt", text.encode(codec)) == (text, codec)


def test_declared_encoding_wins_when_the_bytes_agree() -> None:
    data = "Склад".encode("koi8-r")
    assert decode_text("a.html", data, declared="KOI8-R") == ("Склад", "koi8-r")


def test_declared_encoding_is_ignored_when_the_bytes_disagree() -> None:
    data = "Склад «Тайга» в Новосибирске".encode("cp1251")
    assert decode_text("a.html", data, declared="utf-8")[1] == "cp1251"


def test_unknown_declared_encoding_is_ignored() -> None:
    assert decode_text("a.html", b"plain", declared="no-such-charset") == ("plain", "utf-8")


def test_western_legacy_text_falls_back_to_charset_normalizer() -> None:
    text, encoding = decode_text("a.txt", "Müller und Söhne GmbH, Straße 5".encode("cp1252"))
    assert "Müller" in text and encoding.startswith("cp125")


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(UnsupportedFormat, match=r"a\.txt: .*NUL bytes.*Save the file as UTF-8"):
        decode_text("a.txt", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")


def test_control_characters_mean_binary() -> None:
    with pytest.raises(UnsupportedFormat, match="control characters"):
        decode_text("a.txt", bytes(range(1, 32)) * 10 + b"some text")


def test_a_bom_with_broken_content_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="utf-16-le byte-order mark"):
        decode_text("a.txt", codecs.BOM_UTF16_LE + b"\x00\xd8A")  # a lone surrogate


def test_canonical_encoding() -> None:
    assert canonical_encoding("windows-1251") == "cp1251"
    assert canonical_encoding("KOI8-R") == "koi8-r"
    assert canonical_encoding("nonsense") is None


def test_utf8_lines_mixed_with_windows_1251_lines_are_refused_naming_both() -> None:
    data = (
        "Анна Смирнова возглавляет склад.\nKazan office\n".encode()
        + "Склад «Тайга» открыт в 2021 году.\nОфис в Казани.\n".encode("cp1251")
    )
    with pytest.raises(MixedEncoding) as caught:
        decode_text("notes.txt", data)
    assert caught.value.path == "notes.txt"
    assert caught.value.code == "mixed_encoding" and caught.value.status_hint == 422
    assert "line 1 is UTF-8, but lines 3, 4 are not (they read as Windows-1251)" in str(
        caught.value
    )


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_single_byte_russian_with_yo_is_not_taken_for_mixed(codec: str) -> None:
    # "всё", "лёд" in KOI8-R hold byte pairs that are valid UTF-8 on their own.
    line = "Всё, ёж и лёд: съёмка в Казани с 2021 года.\n"
    text, found = decode_text("a.txt", (line * 40).encode(codec))
    assert (text, found) == (line * 40, codec)


@pytest.mark.parametrize("codec", ["cp1251", "koi8-r"])
def test_a_large_single_byte_file_is_judged_on_a_sample_and_decoded_whole(codec: str) -> None:
    text = "Kazan office notes.\n" * 20_000 + "Склад Тайга в Казани, отчёт за квартал.\n" * 20_000
    assert decode_text("a.txt", text.encode(codec)) == (text.rstrip("\n") + "\n", codec)
