"""GraphRAG's cache keys through ``FastDumper``: byte for byte PyYAML's, so old caches hit."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from graphrag_lib.index import IndexConfig, index_documents
from graphrag_lib.index.cache_keys import (
    FastDumper,
    fast_hash_data,
    installed_hasher,
    legacy_cache_keys,
)
from tests.unit.graphrag_lib.index.conftest import GraphRagStandin
from tests.unit.graphrag_lib.index.test_run import DOCUMENTS

# What requests hold (prompts, Russian text, quotes, tabs, CRLF) and what PyYAML treats
# specially (indicators, escapes with short forms, NUL, surrogates, astral characters).
ALPHABET = [
    *["a", "b", "Z", "1", " ", " ", " ", " ", "\n", "\n", '"', "'", "\\", ":", "#", "-", "?"],
    *[",", "[", "{", "!", "|", ">", "%", "@", "`", ".", "\t", "\r", "\x00", "\x07", "\x7f"],
    *["И", "в", "а", "н", "«", "»", "é", "\x85", "\xa0", "\u2028", "\u2029", "\ufeff"],
    *["\ud800", "😀", "中"],
]


def _text(rng: random.Random) -> str:
    size = rng.choice([0, 1, 2, 5, 40, 79, 80, 81, 200, 1500])
    if rng.random() < 0.3:  # long words and long runs of one kind push the line past the width
        return "".join(rng.choice(ALPHABET) * rng.randint(1, 90) for _ in range(size // 30 + 1))
    return "".join(rng.choice(ALPHABET) for _ in range(size))


def _request(rng: random.Random) -> Any:
    messages = [{"role": "user", "content": _text(rng)} for _ in range(rng.randint(1, 3))]
    return {"messages": messages, "input": [_text(rng)], "n": rng.randint(0, 9), "x": None}


def test_fast_dumper_writes_what_pyyaml_writes() -> None:
    rng = random.Random(16)
    for _ in range(1500):
        data = _request(rng) if rng.random() < 0.7 else _text(rng)
        expected = yaml.dump(data, sort_keys=True)

        assert yaml.dump(data, sort_keys=True, Dumper=FastDumper) == expected, repr(data)


def test_fast_keys_are_graphrags_keys() -> None:
    from graphrag_common.hasher import hash_data

    request = {"messages": [{"role": "user", "content": '«Ромашка» said: "yes"\n' * 40}]}

    assert fast_hash_data(request) == hash_data(request)
    assert installed_hasher() is fast_hash_data  # installed on import
    with legacy_cache_keys():
        assert installed_hasher() is hash_data
    assert installed_hasher() is fast_hash_data


@pytest.mark.slow
def test_a_cache_written_with_graphrags_own_keys_answers_a_rerun(
    graphrag_standin: GraphRagStandin, tmp_path: Path
) -> None:
    config = IndexConfig(endpoint=graphrag_standin.endpoint(), cache_dir=tmp_path / "cache")
    with legacy_cache_keys():
        index_documents(DOCUMENTS[1:2], tmp_path / "old", config)
    written = sorted(p.relative_to(tmp_path) for p in (tmp_path / "cache").rglob("*"))
    before = graphrag_standin.counter.total

    index_documents(DOCUMENTS[1:2], tmp_path / "new", config)

    assert graphrag_standin.counter.total == before  # every request answered from the cache
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "cache").rglob("*")) == written
