"""``ferag pipeline FOLDER OUT`` runs every step without the service and writes Turtle; a second
run on the same documents into the same OUT merges into production without duplicates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from graphrag_lib.pipeline import STEP_NAMES
from graphrag_lib.vocab import FERAG
from tests.fixtures.documents import corpus_files

pytestmark = pytest.mark.slow


def run(folder: Path, out: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": str(Path(sys.executable).parent),
        "FERAG_HOME": str(home),
        "LITELLM_LOCAL_MODEL_COST_MAP": "True",
        "HF_HUB_OFFLINE": "1",
    }
    return subprocess.run(
        [str(Path(sys.executable).parent / "ferag"), "pipeline", str(folder), str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_pipeline_writes_turtle_and_merges_on_rerun(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    wanted = {"README.md", "projects/polar-route/status-2024-q1.txt"}
    for name, data in corpus_files().items():
        if name in wanted:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
    out = tmp_path / "out"

    first = run(folder, out, tmp_path / "home")
    assert first.returncode == 0, first.stderr
    assert "offline model stand-in" in first.stderr
    # Every step of the one list ran, in its order, and said what it did.
    reported = [line.split(":")[0] for line in first.stderr.splitlines()]
    assert [step for step in reported if step in STEP_NAMES] == list(STEP_NAMES)
    production = Graph().parse(out / "production.ttl")
    entities = set(production.subjects(RDF.type, FERAG.Entity))
    assert entities and all((e, RDFS.label, None) in production for e in entities)
    assert len(Graph().parse(out / "ontology.ttl")) > 0

    second = run(folder, out, tmp_path / "home")
    assert second.returncode == 0, second.stderr
    merged = Graph().parse(out / "production.ttl")
    assert set(merged.subjects(RDF.type, FERAG.Entity)) == entities
    labels = [str(o) for e in entities for o in merged.objects(e, RDFS.label)]
    assert len(labels) == len(set(labels)), "an entity was duplicated"
    assert isinstance(next(iter(merged.objects(None, RDFS.label))), Literal)
