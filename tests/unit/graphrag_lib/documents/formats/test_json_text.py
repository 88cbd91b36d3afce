"""JSON → key path: value lines."""

from __future__ import annotations

import pytest

from graphrag_lib.documents import UnreadableDocument
from graphrag_lib.documents.formats.json_text import extract_json


def test_nested_objects_become_key_paths() -> None:
    data = (
        b'{"company": "Borealis Logistics", "headquarters": {"city": "Kazan", "open": true},'
        b' "offices": [{"city": "Helsinki", "head": null, "since": 2023}],'
        b' "tags": ["freight", "rail"], "empty": {}, "none": [], "ratio": 1.5}'
    )
    assert extract_json("a.json", data).text == (
        "company: Borealis Logistics\n"
        "headquarters.city: Kazan\n"
        "headquarters.open: true\n"
        "offices[0].city: Helsinki\n"
        "offices[0].since: 2023\n"
        "tags: freight, rail\n"
        "ratio: 1.5"
    )


def test_a_list_of_records_is_one_paragraph_per_record() -> None:
    data = '[{"name": "Анна Смирнова", "city": "Казань"}, {"name": "Igor Sokolov"}]'.encode()
    found = extract_json("people.json", data)
    assert found.text == ("[0].name: Анна Смирнова\n[0].city: Казань\n\n[1].name: Igor Sokolov")
    assert found.encoding == "utf-8"


def test_strings_lose_inner_line_breaks_and_scalars_stand_alone() -> None:
    assert extract_json("a.json", b'"line one\\nline two"').text == "line one line two"


def test_json_lines() -> None:
    data = b'{"event": "signed", "by": "Anna"}\n\n{"event": "shipped"}\n'
    assert (
        extract_json("log.json", data).text
        == "[0].event: signed\n[0].by: Anna\n\n[1].event: shipped"
    )


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(UnreadableDocument, match=r"not valid JSON \(.* at line 2, column 7\)"):
        extract_json("a.json", b'{"a": 1,\n "b": }')


def test_too_deep_json_is_unreadable() -> None:
    with pytest.raises(UnreadableDocument, match="nested too deeply"):
        extract_json("deep.json", b"[" * 100_000 + b"]" * 100_000)
