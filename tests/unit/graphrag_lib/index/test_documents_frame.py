"""Documents as GraphRAG's input DataFrame: title = path, in path order."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from graphrag_lib.documents import SourceDocument
from graphrag_lib.index import IndexingFailed, load_tables
from graphrag_lib.index.run import documents_frame, run_coroutine


def _document(
    path: str, text: str = "Acme Corp met John Smith.", **fields: object
) -> SourceDocument:
    values: dict[str, object] = {
        "path": path,
        "title": path.rsplit("/", 1)[-1],
        "format": "txt",
        "text": text,
        "encoding": "utf-8",
        "date": None,
        "sha256": "0" * 64,
        "size": len(text),
    }
    return SourceDocument(**{**values, **fields})  # type: ignore[arg-type]


def test_rows_are_titled_by_path_in_path_order() -> None:
    frame = documents_frame([_document("b/z.txt", date=dt.date(2024, 1, 2)), _document("a/y.txt")])

    assert list(frame["title"]) == ["a/y.txt", "b/z.txt"]
    assert list(frame["human_readable_id"]) == [0, 1]
    assert list(frame["creation_date"]) == ["", "2024-01-02"]
    assert frame["id"].is_unique


def test_ids_are_stable_and_depend_on_path_and_text() -> None:
    first = documents_frame([_document("a.txt")])["id"][0]

    assert documents_frame([_document("a.txt")])["id"][0] == first
    assert documents_frame([_document("b.txt")])["id"][0] != first
    assert documents_frame([_document("a.txt", text="Other text.")])["id"][0] != first


def test_nothing_to_index_fails_before_graphrag_runs() -> None:
    with pytest.raises(IndexingFailed, match="no documents"):
        documents_frame([])
    with pytest.raises(IndexingFailed, match="no document has any text"):
        documents_frame([_document("a.txt", text=" \n")])


def test_paths_must_be_unique() -> None:
    with pytest.raises(ValueError, match="unique"):
        documents_frame([_document("a.txt"), _document("a.txt")])


def test_coroutines_also_run_under_a_running_loop() -> None:
    async def inner() -> int:
        return 42

    async def host() -> int:
        return run_coroutine(inner())

    assert run_coroutine(inner()) == 42
    assert asyncio.run(host()) == 42


def test_loading_tables_from_an_empty_directory_says_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="documents, text_units, entities"):
        load_tables(tmp_path)
