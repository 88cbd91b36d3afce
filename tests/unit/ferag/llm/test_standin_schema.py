"""The stand-in's schema-induction rule: it reads ferag's prompt and answers acceptable Turtle."""

from __future__ import annotations

from rdflib import Graph, Literal
from rdflib.namespace import OWL, RDF, RDFS

from ferag.llm.standin import DEFAULT_RULES, ChatCompletionRequest, answer
from ferag.llm.standin.schema import SCHEMA_RULES, main_verb, read_prompt
from graphrag_lib.schema import SchemaConfig
from graphrag_lib.schema.prompts import build_messages
from graphrag_lib.schema.sample import PairSample, SchemaBatch, TypeSample
from graphrag_lib.schema.validate import check_ontology, parse_answer
from graphrag_lib.vocab import RagIris

IRIS = RagIris("https://kb.example.org/", "7")
ONT = IRIS.ontology
BATCH = SchemaBatch(
    types=(
        TypeSample(ONT.Organization, 2, ("Acme Corp",)),
        TypeSample(ONT.Person, 3, ("Alice Smith", "Иван Петров")),
    ),
    pairs=(
        PairSample(
            ONT.Person,
            ONT.Organization,
            3,
            ("Alice Smith works for Acme Corp", "Иван Петров работает в Ромашке", "Bob, Acme"),
        ),
    ),
)


def _request(known: Graph) -> ChatCompletionRequest:
    messages = build_messages(BATCH, known, IRIS, SchemaConfig())
    return ChatCompletionRequest.model_validate({"model": "m", "messages": messages})


def _answer(known: Graph) -> Graph:
    rule, text = answer(_request(known), (*SCHEMA_RULES, *DEFAULT_RULES))
    assert rule.name == "schema-induction"
    graph = parse_answer(text, IRIS)
    check_ontology(graph, known, [t.iri for t in BATCH.types], IRIS)  # raises if unacceptable
    return graph


def test_main_verb() -> None:
    assert main_verb("Alice Smith works for Acme Corp") == "works for"
    assert main_verb("Acme Corp is located in Berlin") == "located in"
    assert main_verb("Alice Smith leads a team") == "leads"
    assert main_verb("Иван Петров работает в Ромашке") == "работает в"
    assert main_verb("Bob, Acme") is None


def test_read_prompt() -> None:
    prompt = read_prompt(_request(Graph()).messages[1].text)
    assert prompt.namespace == str(ONT)
    assert prompt.types == ["Organization", "Person"]
    assert prompt.pairs[("Person", "Organization")][0] == "Alice Smith works for Acme Corp"


def test_answer_declares_classes_and_properties_from_the_prompt() -> None:
    graph = _answer(Graph())
    assert (ONT.Person, RDF.type, OWL.Class) in graph
    assert (ONT.worksFor, RDFS.domain, ONT.Person) in graph
    assert (ONT.worksFor, RDFS.range, ONT.Organization) in graph
    assert (ONT.worksFor, RDFS.label, Literal("works for", lang="en")) in graph
    assert (ONT.rabotaetV, RDFS.label, Literal("работает в", lang="ru")) in graph
    assert (ONT.relatedToOrganization, RDF.type, OWL.ObjectProperty) in graph  # no verb found


def test_answer_reuses_listed_terms() -> None:
    known = Graph()
    known.add((ONT.Person, RDF.type, OWL.Class))
    known.add((ONT.worksFor, RDF.type, OWL.ObjectProperty))
    known.add((ONT.worksFor, RDFS.domain, ONT.Person))
    known.add((ONT.worksFor, RDFS.range, ONT.Organization))
    graph = _answer(known)
    assert (ONT.Person, None, None) not in graph
    assert (ONT.worksFor, None, None) not in graph
    assert (ONT.Organization, RDF.type, OWL.Class) in graph


def test_a_taken_name_with_other_ends_gets_a_qualified_name() -> None:
    known = Graph()
    known.add((ONT.worksFor, RDF.type, OWL.ObjectProperty))
    known.add((ONT.worksFor, RDFS.domain, ONT.Robot))
    known.add((ONT.worksFor, RDFS.range, ONT.Organization))
    known.add((ONT.Robot, RDF.type, OWL.Class))
    graph = _answer(known)
    assert (ONT.personWorksFor, RDFS.domain, ONT.Person) in graph


def test_other_prompts_fall_through_to_the_default_rules() -> None:
    request = ChatCompletionRequest.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "Hello there. How are you?"}]}
    )
    rule, _ = answer(request, (*SCHEMA_RULES, *DEFAULT_RULES))
    assert rule.name == "extractive"


def test_a_russian_prompt_gets_russian_labels_and_english_ones_where_known() -> None:
    messages = build_messages(BATCH, Graph(), IRIS, SchemaConfig(output_language="ru"))
    request = ChatCompletionRequest.model_validate({"model": "m", "messages": messages})
    _, text = answer(request, (*SCHEMA_RULES, *DEFAULT_RULES))
    graph = parse_answer(text, IRIS)
    check_ontology(graph, Graph(), [t.iri for t in BATCH.types], IRIS)

    assert set(graph.objects(ONT.Person, RDFS.label)) == {
        Literal("Персона", lang="ru"),
        Literal("Person", lang="en"),
    }
    assert (ONT.rabotaetV, RDFS.label, Literal("работает в", lang="ru")) in graph
    assert (ONT.rabotaetV, RDFS.comment, Literal("Персона работает в Организация.", lang="ru")) in (
        graph
    )
    assert (ONT.worksFor, RDFS.label, Literal("works for", lang="en")) in graph  # not Russian
    unnamed = Literal("связан с Организация", lang="ru")
    assert (None, RDFS.label, unnamed) in graph


def test_without_further_languages_a_russian_prompt_gets_russian_class_labels_only() -> None:
    config = SchemaConfig(output_language="ru", label_languages=[])
    messages = build_messages(BATCH, Graph(), IRIS, config)
    assert "Further label languages" not in messages[1]["content"]
    request = ChatCompletionRequest.model_validate({"model": "m", "messages": messages})
    graph = parse_answer(answer(request, (*SCHEMA_RULES, *DEFAULT_RULES))[1], IRIS)

    assert set(graph.objects(ONT.Person, RDFS.label)) == {Literal("Персона", lang="ru")}


def test_leading_roles_are_inverse_functional_and_locations_functional() -> None:
    ends = (ONT.Person, ONT.Organization)
    examples = ("Alice Smith is director of Acme Corp", "Acme Corp is located in Oslo")
    batch = SchemaBatch(types=BATCH.types, pairs=(PairSample(*ends, 2, examples),))
    messages = build_messages(batch, Graph(), IRIS, SchemaConfig())
    request = ChatCompletionRequest.model_validate({"model": "m", "messages": messages})
    graph = parse_answer(answer(request, (*SCHEMA_RULES, *DEFAULT_RULES))[1], IRIS)
    check_ontology(graph, Graph(), [t.iri for t in batch.types], IRIS)
    assert (ONT.directorOf, RDF.type, OWL.InverseFunctionalProperty) in graph
    assert (ONT.locatedIn, RDF.type, OWL.FunctionalProperty) in graph
    assert (ONT.worksFor, RDF.type, OWL.FunctionalProperty) not in _answer(Graph())
