"""The model behind the chat service: the configured endpoint, or in-process extraction.

``EndpointChatModel`` is ``graphrag_lib.llm.OpenAILikeChat`` over ``FERAG_LLM_BASE_URL`` with the
chat settings (``FERAG_CHAT_TIMEOUT_S``, ``FERAG_CHAT_MAX_ANSWER_TOKENS``, no retries: chat is
interactive) that also notes whether the endpoint is the offline stand-in (its
``X-Ferag-Standin`` header), so answers can be labelled, and counts each call in the LLM
metrics (step ``chat``). ``ExtractiveChatModel`` answers
in-process when no endpoint is configured, with the same extractive composer as the stand-in.
Errors are ``graphrag_lib.llm``'s: ``LlmUnavailable`` and ``LlmRejected``.
"""

from __future__ import annotations

import logging
import re
from functools import partial

import httpx

from ferag import metrics
from ferag.settings import Settings
from graphrag_lib.llm import LlmEndpoint, Messages, OpenAILikeChat, Reply, ReplyStream
from graphrag_lib.retrieve import compose_answer, dont_know, read_context_message

logger = logging.getLogger(__name__)

STANDIN_HEADER = "x-ferag-standin"


class EndpointChatModel(OpenAILikeChat):
    """The configured model endpoint."""

    def __init__(self, endpoint: LlmEndpoint, max_tokens: int) -> None:
        import openai

        self.is_standin = False
        # the SDK's own httpx client (its connection limits), watched for the stand-in's header
        http_client = openai.DefaultHttpxClient(event_hooks={"response": [self._note_server]})
        super().__init__(
            endpoint,
            max_tokens=max_tokens,
            http_client=http_client,
            observer=partial(metrics.observe_llm_call, step="chat"),
        )

    def _note_server(self, response: httpx.Response) -> None:
        self.is_standin = response.headers.get(STANDIN_HEADER) == "offline"


class ExtractiveChatModel:
    """No model endpoint: the stand-in's extractive answer, composed in-process."""

    model = "ferag-extractive"
    is_standin = True

    def close(self) -> None:
        """Nothing to close."""

    def reply(self, messages: Messages) -> Reply:
        context = read_context_message(messages[-1]["content"])
        if context is None:
            return Reply(dont_know(messages[-1]["content"]))
        return Reply(compose_answer(context.question, context.facts))

    def stream(self, messages: Messages) -> ReplyStream:
        return ReplyStream.of_texts(re.findall(r"\S+\s*", self.reply(messages).text))


AnswerModel = EndpointChatModel | ExtractiveChatModel


def chat_model_from_settings(settings: Settings) -> AnswerModel:
    if settings.llm_base_url is None:
        logger.warning("no FERAG_LLM_BASE_URL: chat answers are extractive (no model)")
        return ExtractiveChatModel()
    endpoint = LlmEndpoint(
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        chat_model=settings.chat_model,
        embedding_model=settings.embedding_model,
        embedding_dim=settings.embedding_dim,
        request_timeout_s=settings.chat_timeout_s,
        max_retries=0,
    )
    return EndpointChatModel(endpoint, settings.chat_max_answer_tokens)
