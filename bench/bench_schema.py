"""Bench the schema step against the size of the production ontology it may reuse terms from.

``induce_schema`` on one cycle's extracted graph (8 entity types, relations between every pair)
with the offline stand-in answering the schema prompts (rule-based, in a thread), next to a
production ontology of 0, 1,500 and 15,000 terms (half classes, half object properties with
domain, range, label and comment). The prompt offers at most ``max_existing_terms`` of them, so
the step's time should not grow with production. Best of ``--repeat`` runs per size; the load
average is recorded with every row (the machine is shared).

    .venv/bin/python bench/bench_schema.py                  # prints one JSON line per size
"""

from __future__ import annotations

import argparse
import json
import os
import time

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from ferag.llm.standin import DEFAULT_RULES, create_app
from ferag.llm.standin.schema import SCHEMA_RULES
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.llm import LlmEndpoint, OpenAILikeChat
from graphrag_lib.schema import SchemaConfig, induce_schema
from graphrag_lib.vocab import FERAG, RagIris

IRIS = RagIris("https://bench.example.org/", "1")
TYPES = 8
PER_PAIR = 3


def extracted_graph() -> Graph:
    """Entities of ``TYPES`` types and ``PER_PAIR`` relations for each ordered pair of types."""
    graph = Graph()
    for t in range(TYPES):
        for n in range(PER_PAIR):
            entity = IRIS.entity(f"t{t}-e{n}")
            graph.add((entity, RDF.type, FERAG.Entity))
            graph.add((entity, RDF.type, IRIS.ontology_term(f"Type{t}")))
            graph.add((entity, RDFS.label, Literal(f"Entity {t} {n}")))
    for s in range(TYPES):
        for o in range(TYPES):
            for n in range(PER_PAIR):
                statement = IRIS.relation(f"r{s}-{o}-{n}")
                graph.add((statement, RDF.type, FERAG.Relation))
                graph.add((statement, RDF.subject, IRIS.entity(f"t{s}-e{n}")))
                graph.add((statement, RDF.predicate, FERAG.relatedTo))
                graph.add((statement, RDF.object, IRIS.entity(f"t{o}-e{n}")))
                graph.add((statement, DCTERMS.description, Literal(f"works with {n}")))
    return graph


def production_ontology(terms: int) -> Graph:
    """``terms`` terms: classes ``Prod{i}`` and properties ``prodRel{i}`` between them."""
    graph = Graph()
    classes = max(terms // 2, 1)
    for i in range(terms // 2):
        term = IRIS.ontology_term(f"Prod{i}")
        graph.add((term, RDF.type, OWL.Class))
        graph.add((term, RDFS.label, Literal(f"production class {i}", lang="en")))
    for i in range(terms - terms // 2):
        term = IRIS.ontology_term(f"prodRel{i}")
        graph.add((term, RDF.type, OWL.ObjectProperty))
        graph.add((term, RDFS.domain, IRIS.ontology_term(f"Prod{i % classes}")))
        graph.add((term, RDFS.range, IRIS.ontology_term(f"Prod{(i * 7) % classes}")))
        graph.add((term, RDFS.label, Literal(f"related by rule {i}", lang="en")))
        graph.add((term, RDFS.comment, Literal(f"Production relation number {i}.", lang="en")))
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="0,1500,15000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    extracted = extracted_graph()
    app = create_app(embedding_dim=16, rules=(*SCHEMA_RULES, *DEFAULT_RULES))
    with ThreadedServer(app) as server:
        endpoint = LlmEndpoint(
            base_url=f"{server.url}/v1",
            chat_model="ferag-standin-chat",
            embedding_model="ferag-standin-embed",
            embedding_dim=16,
            max_retries=0,
        )
        chat = OpenAILikeChat(endpoint)
        for size in (int(s) for s in args.sizes.split(",")):
            production = production_ontology(size)
            times, batches = [], 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                result = induce_schema(extracted, production, chat, SchemaConfig(), iris=IRIS)
                times.append(time.perf_counter() - started)
                batches = result.batches
            row = {
                "label": args.label,
                "production_terms": size,
                "batches": batches,
                "best_s": round(min(times), 3),
                "median_s": round(sorted(times)[len(times) // 2], 3),
                "load_average": [round(x, 2) for x in os.getloadavg()],
            }
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
