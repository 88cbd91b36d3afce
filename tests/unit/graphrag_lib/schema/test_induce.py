"""induce_schema against the offline stand-in over real HTTP: a valid answer, an invalid answer
corrected after feedback, the deterministic fallback, reuse of production terms, and bounded
prompts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from ferag.llm.standin import DEFAULT_RULES, ChatCompletionRequest, Rule
from ferag.llm.standin.schema import SCHEMA_RULES, is_schema_prompt, respond_with_ontology
from ferag.stack.servers import free_port
from graphrag_lib.llm import LlmUnavailable, OpenAILikeChat
from graphrag_lib.schema import SchemaConfig, SchemaResult, induce_schema
from graphrag_lib.schema.prompts import RETRY_MARKER
from graphrag_lib.to_rdf import tables_to_rdf
from graphrag_lib.vocab import FERAG, entity_key
from tests.unit.graphrag_lib.sample_tables import CYCLE1_DOCUMENTS, IRIS, cycle1_tables
from tests.unit.graphrag_lib.standin_server import endpoint, standin_endpoint

ONT = IRIS.ontology
ALICE, ACME = IRIS.entity(entity_key("Alice Smith")), IRIS.entity(entity_key("Acme Corp"))
IVAN, ROMASHKA = IRIS.entity(entity_key("Иван Петров")), IRIS.entity(entity_key("Ромашка"))
BERLIN = IRIS.entity(entity_key("Berlin"))


@pytest.fixture(scope="module")
def extracted() -> Graph:
    return tables_to_rdf(cycle1_tables(), IRIS, CYCLE1_DOCUMENTS)


@pytest.fixture(scope="module")
def chat() -> Iterator[OpenAILikeChat]:
    with standin_endpoint() as llm_endpoint:
        yield OpenAILikeChat(llm_endpoint)


def _statement(typed: Graph, subject: URIRef) -> URIRef:
    (statement,) = typed.subjects(RDF.subject, subject)
    assert isinstance(statement, URIRef)
    return statement


class Recorder:
    """A stand-in rule that records schema prompts and answers via ``answer``."""

    def __init__(self, answer: object) -> None:
        self.requests: list[ChatCompletionRequest] = []
        self.answer = answer

    def respond(self, request: ChatCompletionRequest) -> str:
        self.requests.append(request)
        assert callable(self.answer)
        return str(self.answer(request))

    @property
    def rules(self) -> tuple[Rule, ...]:
        return (Rule("test-schema", is_schema_prompt, self.respond), *DEFAULT_RULES)


def _induce(
    extracted: Graph, rules: tuple[Rule, ...], config: SchemaConfig, production: Graph | None = None
) -> SchemaResult:
    with standin_endpoint(rules) as llm_endpoint:
        llm = OpenAILikeChat(llm_endpoint)
        return induce_schema(extracted, production or Graph(), llm, config, iris=IRIS)


def test_valid_answer_types_instances_and_assigns_properties(
    extracted: Graph, chat: OpenAILikeChat
) -> None:
    calls: list[tuple[int, int | None, str]] = []
    result = induce_schema(  # the namespace is read off the graph's entities
        extracted, Graph(), chat, SchemaConfig(),
        lambda done, total, message="", data=None: calls.append((done, total, message)),
    )  # fmt: skip
    ontology, typed = result.ontology, result.typed
    assert not result.used_fallback and result.batches == 1
    for cls in (ONT.Person, ONT.Organization, ONT.Geo):
        assert (cls, RDF.type, OWL.Class) in ontology
    assert (ONT.Person, RDFS.label, Literal("Person", lang="en")) in ontology
    assert (ONT.worksFor, RDF.type, OWL.ObjectProperty) in ontology
    assert (ONT.worksFor, RDFS.domain, ONT.Person) in ontology
    assert (ONT.worksFor, RDFS.range, ONT.Organization) in ontology
    assert (ONT.locatedIn, RDFS.range, ONT.Geo) in ontology
    assert (ALICE, RDF.type, ONT.Person) in typed and (ALICE, RDF.type, FERAG.Entity) in typed
    assert (ALICE, ONT.worksFor, ACME) in typed
    assert (ALICE, FERAG.relatedTo, ACME) not in typed
    assert (_statement(typed, ALICE), RDF.predicate, ONT.worksFor) in typed
    assert (ACME, ONT.locatedIn, BERLIN) in typed
    assert (IVAN, ONT.rabotaetV, ROMASHKA) in typed  # "работает в"
    assert (ONT.rabotaetV, RDFS.label, Literal("работает в", lang="ru")) in ontology
    assert calls[0][:2] == (0, 1) and calls[-1][:2] == (1, 1)
    assert (ALICE, RDF.type, None) not in ontology  # instances stay out of the ontology


def test_production_terms_are_offered_and_reused(extracted: Graph) -> None:
    production = Graph()
    production.add((ONT.Person, RDF.type, OWL.Class))
    production.add((ONT.Organization, RDF.type, OWL.Class))
    production.add((ONT.worksFor, RDF.type, OWL.ObjectProperty))
    production.add((ONT.worksFor, RDFS.domain, ONT.Person))
    production.add((ONT.worksFor, RDFS.range, ONT.Organization))
    production.add((ONT.worksFor, RDFS.label, Literal("works for", lang="en")))
    recorder = Recorder(respond_with_ontology)
    result = _induce(extracted, recorder.rules, SchemaConfig(), production)
    prompt = recorder.requests[0].messages[1].text
    assert '- PROPERTY ont:worksFor "works for" domain ont:Person range ont:Organization' in prompt
    assert "- CLASS ont:Person" in prompt
    answer = Graph().parse(data=respond_with_ontology(recorder.requests[0]), format="turtle")
    assert (ONT.worksFor, None, None) not in answer  # reused, not redeclared
    assert (ALICE, ONT.worksFor, ACME) in result.typed
    assert (ONT.worksFor, RDFS.range, ONT.Organization) in result.ontology  # copied: used


def test_invalid_answer_is_retried_with_the_error_fed_back(extracted: Graph) -> None:
    def garbage_first(request: ChatCompletionRequest) -> str:
        if any(RETRY_MARKER in m.text for m in request.messages):
            return respond_with_ontology(request)
        return "Sure! Here is your ontology: ont:Person is a class {"

    recorder = Recorder(garbage_first)
    result = _induce(extracted, recorder.rules, SchemaConfig(max_attempts=3))
    assert not result.used_fallback
    assert len(recorder.requests) == 2
    retry = recorder.requests[1].messages
    assert [m.role for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[2].text.startswith("Sure! Here is your ontology")
    assert "not valid Turtle" in retry[3].text
    assert (ALICE, ONT.worksFor, ACME) in result.typed


def test_fallback_after_the_last_rejected_answer(extracted: Graph) -> None:
    outside = "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n<http://other.org/X> a owl:Class ."
    recorder = Recorder(lambda _request: outside)
    result = _induce(extracted, recorder.rules, SchemaConfig(max_attempts=2))
    assert len(recorder.requests) == 2
    assert result.used_fallback
    assert "outside the ontology namespace" in result.fallback_reasons[0]
    for cls in (ONT.Person, ONT.Organization, ONT.Geo):
        assert (cls, RDF.type, OWL.Class) in result.ontology
    assert (None, RDF.type, OWL.ObjectProperty) not in result.ontology
    assert (ALICE, FERAG.relatedTo, ACME) in result.typed  # relations keep the fallback
    assert (ALICE, RDF.type, ONT.Person) in result.typed


def test_unreachable_model_is_not_a_bad_answer(extracted: Graph) -> None:
    chat = OpenAILikeChat(endpoint(f"http://127.0.0.1:{free_port()}/v1"))
    with pytest.raises(LlmUnavailable):
        induce_schema(extracted, Graph(), chat, SchemaConfig(), iris=IRIS)


def _wide_graph(types: int, per_pair: int) -> Graph:
    """Entities of ``types`` types, ``per_pair`` relations for each ordered pair of types."""
    graph = Graph()
    for t in range(types):
        for n in range(per_pair):
            entity = IRIS.entity(f"t{t}-e{n}")
            graph.add((entity, RDF.type, FERAG.Entity))
            graph.add((entity, RDF.type, IRIS.ontology_term(f"Type{t}")))
            graph.add((entity, RDFS.label, Literal(f"Entity {t} {n}")))
    for s in range(types):
        for o in range(types):
            for n in range(per_pair):
                statement = IRIS.relation(f"r{s}-{o}-{n}")
                graph.add((statement, RDF.type, FERAG.Relation))
                graph.add((statement, RDF.subject, IRIS.entity(f"t{s}-e{n}")))
                graph.add((statement, RDF.predicate, FERAG.relatedTo))
                graph.add((statement, RDF.object, IRIS.entity(f"t{o}-e{n}")))
    return graph


def test_prompts_stay_bounded_as_the_graph_grows() -> None:
    recorder = Recorder(respond_with_ontology)
    config = SchemaConfig(max_pairs_per_batch=4, max_examples_per_pair=2, max_existing_terms=10)
    result = _induce(_wide_graph(types=5, per_pair=6), recorder.rules, config)
    assert result.batches == len(recorder.requests) == 7  # 25 type pairs, 4 per prompt
    for request in recorder.requests:
        prompt = request.messages[1].text
        assert prompt.count("- PAIR ") <= 4
        assert prompt.count("- EXAMPLE ") <= 4 * 2
        assert prompt.count("- CLASS ") + prompt.count("- PROPERTY ") <= 10
    assert not result.used_fallback


def test_graph_without_entities_needs_no_model(chat: OpenAILikeChat) -> None:
    result = induce_schema(Graph(), Graph(), chat, SchemaConfig())
    assert result.batches == 0 and len(result.ontology) == 0 and len(result.typed) == 0


def test_default_rules_put_the_schema_rule_first() -> None:
    assert SCHEMA_RULES[0].name == "schema-induction"


def test_a_russian_ontology_asks_for_russian_labels_and_tags_untagged_ones(
    extracted: Graph,
) -> None:
    untagged = (
        "ont:Person a owl:Class ; rdfs:label 'Персона' .\n"
        "ont:Organization a owl:Class ; rdfs:label 'Организация' , 'Organization'@en .\n"
        "ont:Geo a owl:Class ; rdfs:comment 'Место на карте' ."
    )
    recorder = Recorder(lambda _request: untagged)
    result = _induce(extracted, recorder.rules, SchemaConfig(output_language="ru"))
    prompt = recorder.requests[0].messages[1].text

    assert "Label language: ru\nFurther label languages: en (tag every rdfs:label" in prompt
    assert not result.used_fallback
    assert (ONT.Person, RDFS.label, Literal("Персона", lang="ru")) in result.ontology
    assert set(result.ontology.objects(ONT.Organization, RDFS.label)) == {
        Literal("Организация", lang="ru"),
        Literal("Organization", lang="en"),
    }
    assert (ONT.Geo, RDFS.comment, Literal("Место на карте", lang="ru")) in result.ontology


def test_an_english_prompt_names_no_further_label_language(extracted: Graph) -> None:
    recorder = Recorder(respond_with_ontology)
    _induce(extracted, recorder.rules, SchemaConfig())
    prompt = recorder.requests[0].messages[1].text

    assert "Label language: en\n\nEntity types" in prompt
    assert "Further label languages" not in prompt
