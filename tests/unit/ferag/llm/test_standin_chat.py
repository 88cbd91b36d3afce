"""The stand-in's chat rule: it recognises ferag's chat prompt and answers extractively."""

from __future__ import annotations

from ferag.llm.standin import ChatCompletionRequest, answer, prompt_rules
from graphrag_lib.retrieve import RetrievedContext, build_messages
from graphrag_lib.retrieve.facts import EntityFact, Reference, RelationFact


def request(messages: list[dict[str, str]]) -> ChatCompletionRequest:
    return ChatCompletionRequest.model_validate(
        {"model": "ferag-standin-chat", "messages": messages}
    )


CONTEXT = RetrievedContext(
    entities=[EntityFact("urn:e:1", "Alice Smith", ("Person",), "An engineer.", (1,))],
    relations=[
        RelationFact(
            "urn:r:1", "Alice Smith", "works for", "Acme Corp", "urn:e:1", "urn:e:2",
            "Alice Smith works for Acme Corp", refs=(1,),
        )
    ],
    references=[
        Reference(1, "passage", "urn:p:1", "Staff report", path="hr/staff.txt",
                  excerpt="Alice Smith works for Acme Corp in Berlin."),
    ],
)  # fmt: skip


def test_the_chat_prompt_gets_an_extractive_answer_with_citations() -> None:
    rule, text = answer(request(build_messages("Where does Alice work?", CONTEXT)), prompt_rules())
    assert rule.name == "ferag-chat"
    assert text.startswith("Alice Smith works for Acme Corp [1].")


def test_an_empty_context_gets_i_dont_know() -> None:
    messages = build_messages("Где Зорбакс?", RetrievedContext())
    rule, text = answer(request(messages), prompt_rules())
    assert rule.name == "ferag-chat" and text.startswith("Не знаю")


def test_other_prompts_are_left_to_other_rules() -> None:
    rule, _ = answer(request([{"role": "user", "content": "Hello there."}]), prompt_rules())
    assert rule.name == "extractive"
