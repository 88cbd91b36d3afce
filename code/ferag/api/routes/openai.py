"""The OpenAI-compatible API: models, chat completions, completions and embeddings under ``/v1``.

One model per RAG the caller is a member of, ``rag-{id}``, so Open WebUI, the ``openai`` client,
LangChain or llama-index can ask a RAG. Callers authenticate with ``Authorization: Bearer`` and
an API key (or a login access token). A chat completion's last user message is the question
(a completion's prompt is); the answer text ends with a "Sources:" list of what it cites
(shapes in ``ferag.api.openai_render``). Background tasks of chat clients (a title, tags,
follow-ups, search queries) are answered by ``ferag.services.client_tasks`` without a
retrieval, a stored session or a charge to the rate limit. ``/v1/embeddings`` passes through
to the configured embedding model, within a rate limit of its own. Errors here take OpenAI's
shape (``ferag.api.openai_errors``), unknown ``/v1`` paths included.
"""

from __future__ import annotations

import time
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.orm import Session

from ferag.api import openai_render as render
from ferag.api.chat_deps import (
    AnswerCacheDep,
    ChatModelDep,
    EmbedderDep,
    OpenAIUser,
    SessionFactoryDep,
    count_chat_request,
)
from ferag.api.deps import DbDep, RedisDep, SettingsDep, StoreDep
from ferag.api.openai_errors import OpenAIRoute
from ferag.api.openai_schemas import (
    ChatCompletion,
    ChatCompletionRequest,
    CompletionRequest,
    EmbeddingRequest,
    ModelCard,
    ModelList,
    TextCompletion,
)
from ferag.api.openapi import raises
from ferag.api.params import bounded_id
from ferag.db.models import Rag, User
from ferag.errors import BadRequest, InvalidInput, NotFound
from ferag.services import chat, client_tasks, rags, rate_limit
from ferag.services.answer_cache import AnswerCache
from ferag.services.chat import PreparedTurn, SessionTarget
from ferag.services.members import membership
from ferag.settings import Settings
from ferag.store.client import TripleStore
from graphrag_lib.retrieve import Turn, strip_sources_footer

MODEL_PREFIX = "rag-"
SESSION_NAMESPACE = uuid.UUID("7f3c2a52-4a8e-4f53-9a2e-5d1f0c6b8e11")
# Headers that name a conversation: ours, and the one Open WebUI forwards per chat.
CONVERSATION_HEADERS = ("X-Ferag-Conversation", "X-OpenWebUI-Chat-Id")

DebugQuery = Annotated[
    bool,
    Query(
        description="Add the context to the response's `ferag` field (entities, statements, "
        "references, SPARQL, timings); also the body's `debug`."
    ),
]

router = APIRouter(prefix="/v1", tags=["openai"], route_class=OpenAIRoute)


def _card(rag: Rag) -> ModelCard:
    return ModelCard(
        id=f"{MODEL_PREFIX}{rag.id}", created=int(rag.created_at.timestamp()), name=rag.name
    )


def rag_of_model(db: Session, user: User, model: str) -> Rag:
    """The RAG behind model ``rag-{id}`` if the caller is a member of it."""
    rag_id = bounded_id(model.removeprefix(MODEL_PREFIX))
    found = None
    if model.startswith(MODEL_PREFIX) and rag_id is not None:
        found = membership(db, rag_id, user.id)
    if found is None:
        raise NotFound(
            f"the model `{model}` does not exist or you are not a member of its RAG; "
            "GET /v1/models lists yours",
            code="model_not_found",
        )
    return found[0]


@router.get("/models")
def list_models(user: OpenAIUser, db: DbDep) -> ModelList:
    """One model per RAG you are a member of."""
    rows, _ = rags.list_rags(db, user, 0, 10_000)
    return ModelList(data=[_card(rag) for rag, _role in rows])


@router.get("/models/{model}")
@raises(404)
def retrieve_model(model: str, user: OpenAIUser, db: DbDep) -> ModelCard:
    return _card(rag_of_model(db, user, model))


def _conversation(body: ChatCompletionRequest, turns: int) -> tuple[str, list[Turn]]:
    """The last user message, and the user/assistant messages before it (client system
    messages are ignored: ferag writes its own)."""
    spoken = [m for m in body.messages if m.role in ("user", "assistant")]
    if not spoken or spoken[-1].role != "user" or not spoken[-1].text.strip():
        raise InvalidInput("the last message must be a non-empty user message", code="no_question")
    earlier = [Turn(m.role, strip_sources_footer(m.text)) for m in spoken[:-1]]
    return spoken[-1].text.strip(), earlier[-2 * turns :] if turns else []


def _conversation_key(request: Request, body: ChatCompletionRequest) -> str | None:
    """What names the request's conversation, if anything does (docs/chat.md, "Sessions")."""
    for header in CONVERSATION_HEADERS:
        if value := request.headers.get(header, "").strip():
            return f"{header}:{value[:256]}"
    return f"user:{body.user}" if body.user else None


def _session_id(key: str | None, user: User, rag: Rag) -> uuid.UUID:
    """The caller's session of conversation ``key``; a new one when nothing names it: an OpenAI
    client sends the whole conversation with every request, and two conversations that begin
    alike are still two."""
    if key is None:
        return uuid.uuid4()
    return uuid.uuid5(SESSION_NAMESPACE, f"{user.id}:{rag.id}:{key}")


def _target(
    db: Session,
    user: User,
    rag: Rag,
    question: str,
    conversation: str | None,
    session_id: uuid.UUID | None,
) -> SessionTarget:
    """The session named by the extension ``session_id``, else the one of the conversation
    the request names (``_conversation_key``), else a new one."""
    if session_id is not None:
        return chat.session_target(db, rag.id, user.id, session_id, question)
    derived = _session_id(conversation, user, rag)
    return chat.conversation_target(db, rag.id, user.id, derived, question)


def _task_response(
    body: ChatCompletionRequest, task: client_tasks.ClientTask, prompt: str
) -> Response:
    answer = client_tasks.answer_task(task)
    if body.stream:
        writer = render.ChunkWriter(body.model, f"chatcmpl-ferag-task-{uuid.uuid4().hex[:12]}")
        chunks = render.task_chunks(writer, task.kind.value, answer)
        return StreamingResponse(chunks, media_type="text/event-stream")
    completion = render.task_completion(body.model, task.kind.value, prompt, answer)
    return JSONResponse(completion.model_dump(mode="json"))


@router.post("/chat/completions", response_model=ChatCompletion)
@raises(400, 404, 422, 429)
def create_chat_completion(
    body: ChatCompletionRequest,
    request: Request,
    user: OpenAIUser,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    redis: RedisDep,
    model: ChatModelDep,
    session_factory: SessionFactoryDep,
    cache: AnswerCacheDep,
    debug: DebugQuery = False,
) -> Response:
    """Ask a RAG (model `rag-{id}`); whole or streamed (`stream: true`) like OpenAI's API."""
    rag = rag_of_model(db, user, body.model)
    question, history = _conversation(body, settings.chat_history_turns)
    if (task := client_tasks.recognise_task(question)) is not None:
        return _task_response(body, task, question)
    body.refuse_unsupported()
    count_chat_request(redis, settings, user)
    conversation = _conversation_key(request, body)
    target = _target(db, user, rag, question, conversation, body.session_id)
    prepared = chat.prepare_turn(db, store, settings, target, question, history, body.as_of, cache)
    db.close()  # the model may take minutes: hold no connection meanwhile
    debug = debug or body.debug
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        events = chat.stream_turn(session_factory, model, prepared)
        writer = render.ChunkWriter(body.model, _stream_id("chatcmpl", prepared))
        chunks = render.chat_chunks(writer, events, include_usage, debug)
        return StreamingResponse(chunks, media_type="text/event-stream")
    result = chat.complete_turn(session_factory, model, prepared)
    return JSONResponse(render.chat_completion(body.model, result, debug).model_dump(mode="json"))


def _stream_id(kind: str, prepared: PreparedTurn) -> str:
    return f"{kind}-ferag-{prepared.target.session_id.hex[:12]}-{int(time.time() * 1000)}"


def _prompts(body: CompletionRequest) -> list[str]:
    body.refuse_unsupported()
    prompts = [prompt.strip() for prompt in body.prompts]
    if not all(prompts):
        raise BadRequest("every prompt must be a non-empty question", code="no_question")
    return prompts


def _prepare_prompt(
    db: Session,
    store: TripleStore,
    settings: Settings,
    user: User,
    rag: Rag,
    prompt: str,
    body: CompletionRequest,
    cache: AnswerCache | None,
) -> PreparedTurn:
    """A prompt is a question without history, recorded as a conversation of its own."""
    target = _target(db, user, rag, prompt, None, body.session_id)
    return chat.prepare_turn(db, store, settings, target, prompt, [], body.as_of, cache)


@router.post("/completions", response_model=TextCompletion)
@raises(400, 404, 429)
def create_completion(
    body: CompletionRequest,
    user: OpenAIUser,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    redis: RedisDep,
    model: ChatModelDep,
    session_factory: SessionFactoryDep,
    cache: AnswerCacheDep,
    debug: DebugQuery = False,
) -> Response:
    """Ask a RAG with OpenAI's (legacy) completions: each prompt is a question, answered in
    the choice of the same index; streamed (`stream: true`) for one prompt."""
    rag = rag_of_model(db, user, body.model)
    prompts = _prompts(body)
    for _prompt in prompts:  # each prompt is a question against the limit
        count_chat_request(redis, settings, user)
    prepared = [_prepare_prompt(db, store, settings, user, rag, p, body, cache) for p in prompts]
    db.close()  # the model may take minutes: hold no connection meanwhile
    if body.stream:
        include_usage = bool(body.stream_options and body.stream_options.include_usage)
        events = chat.stream_turn(session_factory, model, prepared[0])
        stream_id = _stream_id("cmpl", prepared[0])
        chunks = render.text_chunks(
            body.model, stream_id, prompts[0], events, body.echo, include_usage
        )
        return StreamingResponse(chunks, media_type="text/event-stream")
    results = [chat.complete_turn(session_factory, model, turn) for turn in prepared]
    completion = render.text_completion(
        body.model, prompts, results, body.echo, debug or body.debug
    )
    return JSONResponse(completion.model_dump(mode="json"))


def _check_embedding_model(db: Session, user: User, settings: Settings, model: str) -> None:
    """A member asks for embeddings: by a RAG's model, or by the embedding model's name."""
    if model != settings.embedding_model:
        rag_of_model(db, user, model)
        return
    rows, _ = rags.list_rags(db, user, 0, 1)
    if not rows:
        raise NotFound(
            f"the model `{model}` is for members of a RAG, and you are a member of none",
            code="model_not_found",
        )


@router.post("/embeddings", response_model=None)
@raises(400, 404, 429, 502, 503)
def create_embeddings(
    body: EmbeddingRequest,
    user: OpenAIUser,
    db: DbDep,
    redis: RedisDep,
    settings: SettingsDep,
    embedder: EmbedderDep,
) -> JSONResponse:
    """Embed texts with the configured embedding model (model `rag-{id}` or its own name)."""
    _check_embedding_model(db, user, settings, body.model)
    rate_limit.hit(
        redis,
        "embeddings",
        user.id,
        settings.embeddings_rate_limit,
        settings.embeddings_rate_window_s,
    )
    if not body.texts or not all(body.texts):
        raise BadRequest(
            "`input` must be a non-empty text or list of texts", code="invalid_request"
        )
    db.close()  # the endpoint may be slow: hold no connection meanwhile
    return JSONResponse(embedder.embed(body))
