"""The chat service's model: the configured endpoint (labelled when it is the offline stand-in),
or the in-process extractive answer when no endpoint is configured."""

from __future__ import annotations

from pathlib import Path

from ferag.llm.chat_model import EndpointChatModel, ExtractiveChatModel, chat_model_from_settings
from ferag.llm.standin import create_app as create_standin
from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.retrieve import RetrievedContext, build_messages
from tests.fixtures.scripted_model import Answer, ScriptedModel
from tests.unit.ferag.llm.test_standin_chat import CONTEXT

QUESTION = build_messages("Where does Alice work?", CONTEXT)


def model_at(url: str, tmp_path: Path) -> EndpointChatModel:
    model = chat_model_from_settings(
        Settings(home=tmp_path, llm_base_url=f"{url}/v1", chat_max_answer_tokens=64)
    )
    assert isinstance(model, EndpointChatModel)
    return model


def test_the_standin_is_recognised_by_its_header(tmp_path: Path) -> None:
    with ThreadedServer(create_standin()) as server:
        model = model_at(server.url, tmp_path)
        assert not model.is_standin  # nothing heard from it yet
        reply = model.reply(QUESTION)
        model.close()
    assert model.is_standin
    assert reply.text.startswith("Alice Smith works for Acme Corp [1].")
    assert reply.usage is not None


def test_another_server_is_not_the_standin(tmp_path: Path) -> None:
    scripted = ScriptedModel(Answer("Alice works for Acme [1]."))
    with ThreadedServer(scripted.app) as server:
        model = model_at(server.url, tmp_path)
        assert "".join(model.stream(QUESTION)) == "Alice works for Acme [1]."
        model.close()
    assert not model.is_standin
    (sent,) = scripted.requests
    assert sent["max_tokens"] == 64 and sent["temperature"] == 0
    assert sent["stream_options"] == {"include_usage": True}


def test_without_an_endpoint_answers_are_extracted_in_process(tmp_path: Path) -> None:
    model = chat_model_from_settings(Settings(home=tmp_path, llm_base_url=None))
    assert isinstance(model, ExtractiveChatModel) and model.is_standin
    whole = model.reply(QUESTION)
    assert whole.text.startswith("Alice Smith works for Acme Corp [1].")
    assert "".join(model.stream(QUESTION)) == whole.text
    empty = model.reply(build_messages("Where is Zorbax?", RetrievedContext()))
    assert empty.text.startswith("I don't know")
