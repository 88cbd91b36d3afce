"""The Fuseki jar in the cache is only ever the pinned, checksummed one, and a machine without
Maven is told what to install."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ferag.stack import fuseki_jar
from ferag.stack.fuseki_jar import FusekiUnavailable, ensure_fuseki_jar, fuseki_jar_path


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FERAG_CACHE_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.skipif(shutil.which("mvn") is None, reason="needs Maven (see docs/operations.md)")
def test_a_tampered_cached_jar_is_fetched_again(cache: Path) -> None:
    jar = fuseki_jar_path()
    jar.parent.mkdir(parents=True)
    jar.write_bytes(b"not the jar")

    assert ensure_fuseki_jar() == jar
    assert fuseki_jar._sha512(jar) == fuseki_jar.FUSEKI_SHA512
    assert [p.name for p in jar.parent.iterdir()] == [jar.name]  # no scratch left behind


def test_without_maven_the_error_says_what_to_install(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(cache))

    with pytest.raises(FusekiUnavailable, match="install Java 17\\+ and Maven"):
        ensure_fuseki_jar()
    assert not fuseki_jar_path().exists()
