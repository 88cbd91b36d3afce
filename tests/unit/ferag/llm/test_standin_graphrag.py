"""The stand-in's GraphRAG rules on GraphRAG 3.3.0's own prompt templates, parsed by GraphRAG's
own parsers (graph extractor, report response model)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import openai
import pandas as pd
import pytest
from graphrag.index.operations.extract_graph.graph_extractor import GraphExtractor
from graphrag.index.operations.summarize_communities.community_reports_extractor import (
    CommunityReportResponse,
)
from graphrag.prompts.index.community_report import COMMUNITY_REPORT_PROMPT
from graphrag.prompts.index.extract_graph import (
    CONTINUE_PROMPT,
    GRAPH_EXTRACTION_PROMPT,
    LOOP_PROMPT,
)
from graphrag.prompts.index.summarize_descriptions import SUMMARIZE_PROMPT

from ferag.llm.standin import CHAT_MODEL, DEFAULT_RULES, ChatCompletionRequest, answer, create_app
from ferag.llm.standin.graphrag import GRAPHRAG_RULES
from ferag.llm.standin.graphrag.names import find_names
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.index.prompts import community_report_prompt, extraction_prompt

RULES = (*GRAPHRAG_RULES, *DEFAULT_RULES)
TYPES = "organization,person,geo,event"

ENGLISH = (
    "Acme Corp. signed a supply contract with Northwind Traders LLC in Berlin on Monday. "
    "John Smith, the chief executive of Acme Corp, met Maria Garcia in London. "
    "Smith said the contract doubles the output of the Berlin plant. "
    "The Global Energy Summit in Paris will host John Smith next month. "
    "Investors welcomed the news."
)
RUSSIAN = (
    "ООО «Ромашка» подписало договор с компанией «Вектор» в Москве. "
    "Иван Петрович Сидоров, генеральный директор «Ромашки», встретился с Анной Кузнецовой "
    "в Казани. Сидоров заявил, что «Ромашка» откроет завод в Новосибирске. "
    "Вчера Анна Кузнецова выступила на форуме «Иннопром». "
    "«Мы довольны результатами, — сказала она.»"
)


def _request(*messages: str, **options: object) -> ChatCompletionRequest:
    roles = ["user", "assistant"] * len(messages)
    turns = [{"role": role, "content": text} for role, text in zip(roles, messages, strict=False)]
    return ChatCompletionRequest.model_validate({"model": CHAT_MODEL, "messages": turns, **options})


def _extraction_prompt(text: str, types: str = TYPES) -> str:
    return GRAPH_EXTRACTION_PROMPT.format(entity_types=types, input_text=text)


def _parse(reply: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The reply as GraphRAG's extractor parses it."""
    extractor = GraphExtractor(model=None, prompt="", max_gleanings=0)  # type: ignore[arg-type]
    return extractor._process_result(reply, "unit-1", "<|>", "##")


def _types(entities: pd.DataFrame) -> dict[str, str]:
    return dict(zip(entities["title"], entities["type"], strict=True))


def test_extraction_of_english_text_parses_with_graphrags_parser() -> None:
    rule, reply = answer(_request(_extraction_prompt(ENGLISH)), RULES)
    entities, relationships = _parse(reply)

    assert rule.name == "graphrag-extract-graph"
    assert reply.endswith("##\n<|COMPLETE|>")
    assert _types(entities) == {
        "ACME CORP": "ORGANIZATION",
        "NORTHWIND TRADERS LLC": "ORGANIZATION",
        "BERLIN": "GEO",
        "JOHN SMITH": "PERSON",
        "MARIA GARCIA": "PERSON",
        "LONDON": "GEO",
        "GLOBAL ENERGY SUMMIT": "EVENT",
        "PARIS": "GEO",
    }
    smith = entities.set_index("title").loc["JOHN SMITH", "description"]
    assert smith.startswith("John Smith, the chief executive of Acme Corp, met Maria Garcia")
    pairs = relationships.set_index(["source", "target"])
    assert pairs.loc[("ACME CORP", "NORTHWIND TRADERS LLC"), "description"] == (
        "Acme Corp. signed a supply contract with Northwind Traders LLC in Berlin on Monday."
    )
    assert pairs.loc[("ACME CORP", "BERLIN"), "weight"] == 1.0
    assert pairs.loc[("BERLIN", "JOHN SMITH"), "weight"] == 1.0  # "Smith said ... Berlin plant"
    assert pairs.loc[("JOHN SMITH", "PARIS"), "weight"] == 1.0


def test_extraction_of_russian_text_groups_case_forms() -> None:
    _rule, reply = answer(_request(_extraction_prompt(RUSSIAN)), RULES)
    entities, relationships = _parse(reply)

    assert _types(entities) == {
        "РОМАШКА": "ORGANIZATION",
        "ВЕКТОР": "ORGANIZATION",
        "МОСКВА": "GEO",
        "ИВАН ПЕТРОВИЧ СИДОРОВ": "PERSON",
        "АННА КУЗНЕЦОВА": "PERSON",
        "КАЗАНЬ": "GEO",
        "НОВОСИБИРСК": "GEO",
        "ИННОПРОМ": "EVENT",
    }
    pairs = relationships.set_index(["source", "target"])
    # «Ромашки» and the lone surname «Сидоров» count as the same names: two shared sentences
    assert pairs.loc[("РОМАШКА", "ИВАН ПЕТРОВИЧ СИДОРОВ"), "weight"] == 2.0


def test_extraction_answers_with_the_requested_types() -> None:
    _rule, reply = answer(_request(_extraction_prompt(ENGLISH, "company,human,location")), RULES)
    entities, _relationships = _parse(reply)

    types = _types(entities)
    assert types["ACME CORP"] == "COMPANY"
    assert types["JOHN SMITH"] == "HUMAN"
    assert types["BERLIN"] == "LOCATION"
    assert types["GLOBAL ENERGY SUMMIT"] == "COMPANY"  # no event type asked for: the first type


def test_extraction_of_text_without_names_is_only_the_completion_delimiter() -> None:
    _rule, reply = answer(_request(_extraction_prompt("nothing here is named.")), RULES)

    assert reply == "<|COMPLETE|>"


def test_gleaning_adds_nothing_and_the_loop_check_says_no() -> None:
    prompt = _extraction_prompt(ENGLISH)
    _rule, first = answer(_request(prompt), RULES)

    glean_rule, glean = answer(_request(prompt, first, CONTINUE_PROMPT), RULES)
    loop_rule, loop = answer(_request(prompt, first, CONTINUE_PROMPT, glean, LOOP_PROMPT), RULES)

    assert (glean_rule.name, glean) == ("graphrag-glean-continue", "<|COMPLETE|>")
    assert (loop_rule.name, loop) == ("graphrag-glean-loop", "N")
    assert _parse(first + glean)[0].equals(_parse(first)[0])


@pytest.mark.parametrize(
    ("entity", "descriptions", "expected"),
    [
        (
            "ACME CORP",
            [
                "Acme Corp signed a contract. Acme Corp is based in Berlin.",
                "Acme Corp signed a contract.",
            ],
            "Acme Corp signed a contract. Acme Corp is based in Berlin.",
        ),
        (
            ["РОМАШКА", "МОСКВА"],
            ["ООО «Ромашка» подписало договор в Москве.", "«Ромашка» открыла офис в Москве."],
            "«Ромашка» открыла офис в Москве. ООО «Ромашка» подписало договор в Москве.",
        ),
    ],
)
def test_summary_merges_distinct_sentences(
    entity: str | list[str], descriptions: list[str], expected: str
) -> None:
    prompt = SUMMARIZE_PROMPT.format(
        entity_name=json.dumps(entity, ensure_ascii=False),
        description_list=json.dumps(sorted(descriptions), ensure_ascii=False),
        max_length=500,
    )
    rule, reply = answer(_request(prompt), RULES)

    assert rule.name == "graphrag-summarize-descriptions"
    assert reply == expected  # GraphRAG sends the descriptions sorted; their order is kept


def test_summary_keeps_to_the_word_limit() -> None:
    descriptions = [f"Sentence number {n} talks about Acme Corp." for n in range(4)]  # 7 words
    prompt = SUMMARIZE_PROMPT.format(
        entity_name='"ACME CORP"', description_list=json.dumps(descriptions), max_length=20
    )
    _rule, reply = answer(_request(prompt), RULES)

    assert reply == " ".join(descriptions[:2])


def _context() -> str:
    """A community context as GraphRAG writes it (pandas CSV under dashed headings)."""
    entities = pd.DataFrame(
        {
            "human_readable_id": [5, 3, 7],
            "title": ["LONDON", "JOHN SMITH", "ACME CORP"],
            "description": [
                "John Smith met Maria Garcia in London.",
                "John Smith leads Acme Corp. John Smith met Maria Garcia in London.",
                "Acme Corp, a supplier, works with Northwind.",
            ],
            "degree": [2, 5, 4],
        }
    )
    relationships = pd.DataFrame(
        {
            "human_readable_id": [11, 12],
            "source": ["JOHN SMITH", "JOHN SMITH"],
            "target": ["ACME CORP", "LONDON"],
            "description": [
                "John Smith leads Acme Corp.",
                "John Smith met Maria Garcia in London.",
            ],
            "combined_degree": [9, 7],
        }
    )
    return (
        f"-----Entities-----\n{entities.to_csv(index=False, sep=',')}\n\n"
        f"-----Relationships-----\n{relationships.to_csv(index=False, sep=',')}"
    )


def test_community_report_is_graphrags_report_json() -> None:
    prompt = COMMUNITY_REPORT_PROMPT.format(input_text=_context(), max_report_length=1500)
    request = _request(prompt, response_format={"type": "json_schema"})
    rule, reply = answer(request, RULES)
    report = CommunityReportResponse.model_validate_json(reply)

    assert rule.name == "graphrag-community-report"
    assert report.title == "JOHN SMITH and ACME CORP"
    assert report.summary.startswith("The community centres on JOHN SMITH and ACME CORP")
    assert 0 <= report.rating <= 10
    assert [f.summary for f in report.findings] == [
        "JOHN SMITH in the community",
        "ACME CORP in the community",
        "LONDON in the community",
    ]
    first = report.findings[0].explanation
    assert first == (
        "John Smith leads Acme Corp. John Smith met Maria Garcia in London. "
        "[Data: Entities (3); Relationships (11, 12)]"
    )


def test_community_report_speaks_russian_when_asked() -> None:
    prompt = community_report_prompt("Russian").format(
        input_text=_context(), max_report_length=1500
    )
    _rule, reply = answer(_request(prompt), RULES)
    report = CommunityReportResponse.model_validate_json(reply)

    assert report.title == "JOHN SMITH и ACME CORP"
    assert report.summary.startswith("Сообщество сосредоточено вокруг JOHN SMITH и ACME CORP")


def test_community_report_without_tables_is_still_valid() -> None:
    prompt = COMMUNITY_REPORT_PROMPT.format(input_text="", max_report_length=100)
    _rule, reply = answer(_request(prompt), RULES)

    assert CommunityReportResponse.model_validate_json(reply).findings == []


def test_answers_are_deterministic() -> None:
    request = _request(_extraction_prompt(RUSSIAN))

    assert answer(request, RULES)[1] == answer(request, RULES)[1]


def test_other_prompts_fall_through_to_the_generic_rule() -> None:
    rule, _reply = answer(_request("What is the capital of France?"), RULES)

    assert rule.name == "extractive"


@pytest.fixture(scope="module")
def client() -> Iterator[openai.OpenAI]:
    with ThreadedServer(create_app(embedding_dim=16, rules=RULES)) as server:
        yield openai.OpenAI(base_url=f"{server.url}/v1", api_key="unused", max_retries=0)


def test_the_rule_is_named_in_the_response_header(client: openai.OpenAI) -> None:
    raw = client.chat.completions.with_raw_response.create(
        model=CHAT_MODEL, messages=[{"role": "user", "content": _extraction_prompt(ENGLISH)}]
    )

    assert raw.headers["x-ferag-standin-rule"] == "graphrag-extract-graph"
    assert (
        raw.parse().choices[0].message.content
        == answer(_request(_extraction_prompt(ENGLISH)), RULES)[1]
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Investors welcomed Acme Corp. Analysts agreed.", ["Acme Corp"]),
        ("«Мы довольны», — сказал Иван Петров из Газпрома.", ["Иван Петров", "Газпрома"]),
        ("John\nSmith joined Acme Corp in\nMoscow.", ["John Smith", "Acme Corp", "Moscow"]),
        ("Газпром и «Газпрома» и Газпроме: Газпромом.", ["Газпром"]),
        ("In January the Bank of England met in London.", ["Bank of England", "London"]),
    ],
)
def test_names_found_in_sentences(text: str, expected: list[str]) -> None:
    _sentences, names = find_names(text)

    assert [name.title for name in names] == expected


MIXED = (
    "ACME opened a new plant in Berlin. ACME производит станки в Казани. "
    "Иван Петров руководит ACME с 2020 года."
)


def _russian_extraction(text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    prompt = extraction_prompt("Russian").format(entity_types=TYPES, input_text=text)
    _, reply = answer(_request(prompt), RULES)
    return _parse(reply)


def test_asked_for_russian_extraction_describes_with_russian_sentences() -> None:
    entities, relationships = _russian_extraction(MIXED)
    descriptions = dict(zip(entities["title"], entities["description"], strict=True))
    relations = {
        (s, t): d
        for s, t, d in zip(
            relationships["source"],
            relationships["target"],
            relationships["description"],
            strict=True,
        )
    }

    assert descriptions["ACME"] == (
        "ACME производит станки в Казани. Иван Петров руководит ACME с 2020 года."
    )
    assert descriptions["BERLIN"] == "Berlin упоминается в тексте."  # no Russian sentence
    assert relations[("BERLIN", "ACME")] == "Berlin и ACME упоминаются вместе."
    assert relations[("ACME", "ИВАН ПЕТРОВ")] == "Иван Петров руководит ACME с 2020 года."


def test_asked_for_english_extraction_quotes_the_first_sentences() -> None:
    prompt = extraction_prompt("English").format(entity_types=TYPES, input_text=MIXED)
    entities, _ = _parse(answer(_request(prompt), RULES)[1])
    descriptions = dict(zip(entities["title"], entities["description"], strict=True))

    assert descriptions["ACME"] == (
        "ACME opened a new plant in Berlin. ACME производит станки в Казани."
    )
