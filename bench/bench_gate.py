"""The consistency gate's time against production size (10k vs 1M triples), same change set.

    .venv/bin/python bench/bench_gate.py                      # print the results
    .venv/bin/python bench/bench_gate.py --write docs/benchmarks.md

Starts Oxigraph from its wheel and loads, per production size, a synthetic production of
organisations, their directors (``ont:directorOf``, inverse-functional), the relation
statements and their passages (14 triples per organisation), plus the ontology. The change set
is the same for every size: new directors for organisations that already have one (each a
violation: two current directors), and new organisations with their directors (no violation).
The gate (``graphrag_lib.gate.check_change_set``) reads production through the service's
``SparqlProductionView``, as the ``staging`` step does. Runs rotate over the productions after
one warm-up run; medians are reported.

The claim checked: the gate's time follows the change set, not production (1M vs 10k at most
1.5x).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
from bench_approval import machine
from rdflib import OWL, PROV, RDF, RDFS, Graph, Literal
from results import write_section
from stores import oxigraph_version, wait_until_idle

from ferag.stack import servers
from ferag.store.client import make_store
from ferag.store.production import SparqlProductionView
from ferag.store.space import RagSpace
from graphrag_lib.gate import check_change_set
from graphrag_lib.vocab import FERAG, RagIris

BASE_IRI = "https://bench.example.org/"
SECTION_TITLE = "## Consistency gate"


def store_machine() -> str:
    """``bench_approval.machine`` without the database, which the gate does not use."""
    return f"{machine().removesuffix(', PostgreSQL 16 (pgserver)')}, {oxigraph_version()}"


TRIPLES_PER_UNIT = 14


def ontology(iris: RagIris) -> Graph:
    ont, g = iris.ontology, Graph()
    for cls in (ont.Person, ont.Organization):
        g.add((cls, RDF.type, OWL.Class))
    g.add((ont.directorOf, RDF.type, OWL.ObjectProperty))
    g.add((ont.directorOf, RDF.type, OWL.InverseFunctionalProperty))
    g.add((ont.directorOf, RDFS.domain, ont.Person))
    g.add((ont.directorOf, RDFS.range, ont.Organization))
    return g


def unit(g: Graph, iris: RagIris, org: str, person: str, *, new_org: bool = True) -> None:
    """``person`` directs ``org`` (14 triples with a new organisation, 11 without)."""
    ont = iris.ontology
    o, p = iris.entity(org), iris.entity(person)
    statement, passage = iris.relation(f"{person}-{org}"), iris.passage(f"{person}-{org}")
    entities = ((o, ont.Organization, org), (p, ont.Person, person))
    for node, cls, label in entities if new_org else entities[1:]:
        g.add((node, RDF.type, cls))
        g.add((node, RDF.type, FERAG.Entity))
        g.add((node, RDFS.label, Literal(label)))
    g.add((p, ont.directorOf, o))
    g.add((statement, RDF.type, FERAG.Relation))
    g.add((statement, RDF.subject, p))
    g.add((statement, RDF.predicate, ont.directorOf))
    g.add((statement, RDF.object, o))
    g.add((statement, PROV.wasDerivedFrom, passage))
    g.add((passage, RDF.type, FERAG.Passage))
    g.add((passage, FERAG.text, Literal(f"{person} is the director of {org}.")))


def production_chunks(iris: RagIris, size: int, per_chunk: int = 5_000) -> Iterator[Graph]:
    """The production graph in chunks of ``per_chunk`` organisations (the ontology first)."""
    yield ontology(iris)
    units = size // TRIPLES_PER_UNIT
    for start in range(0, units, per_chunk):
        g = Graph()
        for i in range(start, min(start + per_chunk, units)):
            unit(g, iris, f"org{i}", f"director{i}")
        yield g


def change_set(iris: RagIris, contested: int, fresh: int) -> tuple[Graph, Graph]:
    add = Graph()
    for i in range(contested):  # a second current director: a violation each
        unit(add, iris, f"org{i}", f"newcomer{i}", new_org=False)
    for i in range(fresh):
        unit(add, iris, f"neworg{i}", f"founder{i}")
    return add, Graph()


def load(http: httpx.Client, url: str, graph: str, chunks: Iterator[Graph]) -> None:
    """Graph Store POST, chunk by chunk."""
    for chunk in chunks:
        http.post(
            f"{url}/store",
            params={"graph": graph},
            content=chunk.serialize(format="nt", encoding="utf-8"),
            headers={"Content-Type": "application/n-triples"},
        ).raise_for_status()


def measure(sizes: list[int], contested: int, fresh: int, runs: int) -> dict[int, list[float]]:
    times: dict[int, list[float]] = {size: [] for size in sizes}
    with tempfile.TemporaryDirectory(prefix="ferag-bench-gate-") as tmp:
        home = Path(tmp)
        server = servers.start_oxigraph(home / "oxigraph", home / "logs" / "oxigraph.log")
        store = make_store("oxigraph", server.url, BASE_IRI, timeout=600)
        try:
            with httpx.Client(timeout=3600) as http:
                for rag_id, size in enumerate(sizes, start=1):
                    started = time.perf_counter()
                    iris = RagIris(BASE_IRI, str(rag_id))
                    load(http, server.url, str(iris.graph("prod")), production_chunks(iris, size))
                    print(f"production {size:,} loaded in {time.perf_counter() - started:.1f} s")
            print(f"store idle after {wait_until_idle(server.pid):.0f} s")
            for number in range(1 + runs):
                for rag_id, size in enumerate(sizes, start=1):
                    space = RagSpace.of(store, BASE_IRI, rag_id)
                    add, remove = change_set(space.iris, contested, fresh)
                    report = check_change_set(add, remove, SparqlProductionView(space))
                    assert report.blocking == contested, report.blocking
                    if number:  # the first round warms up
                        times[size].append(report.seconds)
                    print(f"  {size:>9,}: {len(add):,} triples, {report.seconds:.2f} s")
        finally:
            store.close()
            server.stop()
    return times


def section(times: dict[int, list[float]], triples: int, contested: int, runs: int) -> str:
    medians = {size: statistics.median(values) for size, values in times.items()}
    smallest, largest = min(medians), max(medians)
    lines = [
        SECTION_TITLE,
        "",
        f"Measured {time.strftime('%Y-%m-%d')} with `bench/bench_gate.py` on {store_machine()}; "
        "the store and the benchmark share the machine. Production is synthetic: organisations, "
        "their directors (`ont:directorOf`, inverse-functional), the relation statements and "
        "passages. The same change set on every production: "
        f"{triples:,} triples, {contested} new directors of organisations that already have "
        f"one (each a violation the gate must find) and new organisations with their directors. "
        "*gate* is `check_change_set` (reading the touched resources through "
        "`SparqlProductionView`, shapes from the ontology, pySHACL, the statements and passages "
        f"of each violation). Medians of {runs} runs after one warm-up round; the runs rotate "
        "over the productions, all in one Oxigraph store.",
        "",
        "| production triples | gate s |",
        "|---:|---:|",
        *(f"| {size:,} | {medians[size]:.2f} |" for size in sorted(medians)),
        "",
        f"{largest:,} vs {smallest:,} triples: {medians[largest] / medians[smallest]:.2f}x "
        "(limit 1.5x). The gate reads only what the change set touches (`describe` and "
        "`referencing` of its resources, in batches of 500 IRIs, plus the ontology), so its "
        "time follows the change set.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--productions", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--contested", type=int, default=50)
    parser.add_argument("--fresh", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write", type=Path, help="update this file's gate section")
    args = parser.parse_args()
    times = measure(args.productions, args.contested, args.fresh, args.runs)
    add, _ = change_set(RagIris(BASE_IRI, "1"), args.contested, args.fresh)
    text = section(times, len(add), args.contested, args.runs)
    print(text)
    if args.write:
        write_section(args.write, SECTION_TITLE, text)


if __name__ == "__main__":
    main()
