"""A chat turn in OpenAI's response shapes: chat completions (whole and streamed chunks) and
text completions, plus ferag's extensions.

Citations reach three kinds of reader. The answer text ends with a plain "Sources:" footer
(``sources_footer``) for clients that show only text. ``citations`` lists the cited sources
for programs. ``sources`` gives the references in Open WebUI's source shape
(``{"source", "document", "metadata"}``): Open WebUI emits a streamed chunk's top-level
``event`` to the browser as it is, so each source comes as a chunk of its own with
``{"event": {"type": "source", "data": …}}``, and it renders ``[n]`` in the text as a link to
the n-th source it received. The sources are therefore every reference from 1 to the highest
cited number, in order, so that ``[n]`` lands on reference n.

``ferag`` carries the session and message of the turn and its time scope; the context
(entities, statements, references, SPARQL, timings) only with ``debug``, since it is most of a
response's size and of use to whoever tunes retrieval, not to a chat client.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from ferag.api.chat_schemas import CitationPublic, LinkedEntityPublic
from ferag.api.errors import api_error
from ferag.api.openai_schemas import (
    ChatCompletion,
    CompletionChoice,
    CompletionUsage,
    TextChoice,
    TextCompletion,
)
from ferag.services.chat import StreamEvent, TurnResult
from graphrag_lib.retrieve import Reference, estimate_tokens, sources_footer

DONE = "data: [DONE]\n\n"


def sse(payload: dict[str, Any]) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def stream_error(exc: Exception) -> str:
    """A model failure after the answer began: the stream's last event, in OpenAI's shape."""
    failure = api_error(exc)
    return sse(
        {"error": {"message": failure.message, "type": "server_error", "code": failure.code}}
    )


def citations(result: TurnResult) -> list[dict[str, Any]]:
    return [CitationPublic.of(r).model_dump() for r in result.citations]


def _webui_source(reference: Reference) -> dict[str, Any]:
    """One reference as Open WebUI shows a source: its name and the quoted text. The id is
    not the passage's IRI: Open WebUI turns an ``http`` id into a link, and IRIs resolve
    nowhere."""
    name = reference.location()
    source_id = f"[{reference.number}] {name}"
    return {
        "source": {"id": source_id, "name": name},
        "document": [reference.excerpt or name],
        "metadata": [{"source": source_id, "name": name}],
    }


def webui_sources(result: TurnResult) -> list[dict[str, Any]]:
    """References 1 … the highest cited number, in Open WebUI's source shape."""
    highest = max((r.number for r in result.citations), default=0)
    references = [Reference(**r) for r in result.telemetry["references"]]
    return [
        _webui_source(r) for r in sorted(references, key=lambda r: r.number) if r.number <= highest
    ]


def extras(result: TurnResult, debug: bool) -> dict[str, Any]:
    found: dict[str, Any] = {
        "session_id": str(result.session_id),
        "message_id": result.message_id,
        "time": result.telemetry["time"],
        "cached": result.cached,
    }
    if debug:
        telemetry = result.telemetry
        found |= {
            "entities": [LinkedEntityPublic.of(e).model_dump() for e in result.entities],
            "relations": telemetry["relations_in_context"],
            "references": telemetry["references"],
            "sparql": result.sparql,
            "timings_ms": telemetry["timings_ms"],
            "tokens": telemetry["tokens"],
        }
    return found


def usage_of(result: TurnResult) -> CompletionUsage:
    tokens = result.telemetry["tokens"]
    prompt, completion = int(tokens["prompt"]), int(tokens["completion"])
    return CompletionUsage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


def answer_text(result: TurnResult) -> str:
    return result.answer + sources_footer(result.citations)


def chat_completion(model: str, result: TurnResult, debug: bool) -> ChatCompletion:
    return ChatCompletion(
        id=f"chatcmpl-ferag-{result.message_id}",
        created=int(time.time()),
        model=model,
        choices=[CompletionChoice(message={"role": "assistant", "content": answer_text(result)})],
        usage=usage_of(result),
        citations=citations(result),
        sources=webui_sources(result),
        ferag=extras(result, debug),
    )


class ChunkWriter:
    """``chat.completion.chunk`` events of one response, sharing its id and time."""

    def __init__(self, model: str, response_id: str) -> None:
        self.base = {
            "id": response_id,
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }

    def delta(self, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
        return sse({**self.base, "choices": [choice], **extra})

    def bare(self, **extra: Any) -> str:
        """A chunk without a choice: the usage, or an event for Open WebUI."""
        return sse({**self.base, "choices": [], **extra})


def chat_chunks(
    writer: ChunkWriter, events: Iterator[StreamEvent], include_usage: bool, debug: bool
) -> Iterator[str]:
    """A streamed turn: the answer as written, one chunk per source (Open WebUI's event), the
    sources footer, the finish with ``citations`` and ``ferag``, the usage, ``[DONE]``."""
    yield writer.delta({"role": "assistant", "content": ""})
    for event in events:
        if event.kind == "token":
            yield writer.delta({"content": event.text})
        elif event.error is not None:
            yield stream_error(event.error)
            return
        elif event.result is not None:
            yield from _chat_ending(writer, event.result, include_usage, debug)
    yield DONE


def _chat_ending(
    writer: ChunkWriter, result: TurnResult, include_usage: bool, debug: bool
) -> Iterator[str]:
    for source in webui_sources(result):
        yield writer.bare(event={"type": "source", "data": source})
    if footer := sources_footer(result.citations):
        yield writer.delta({"content": footer})
    yield writer.delta({}, "stop", citations=citations(result), ferag=extras(result, debug))
    if include_usage:
        yield writer.bare(usage=usage_of(result).model_dump())


def text_choice(index: int, prompt: str, result: TurnResult, echo: bool) -> TextChoice:
    return TextChoice(index=index, text=(prompt if echo else "") + answer_text(result))


def text_completion(
    model: str, prompts: list[str], results: list[TurnResult], echo: bool, debug: bool
) -> TextCompletion:
    usages = [usage_of(r) for r in results]
    return TextCompletion(
        id=f"cmpl-ferag-{results[0].message_id}",
        created=int(time.time()),
        model=model,
        choices=[
            text_choice(i, p, r, echo)
            for i, (p, r) in enumerate(zip(prompts, results, strict=True))
        ],
        usage=CompletionUsage(
            prompt_tokens=sum(u.prompt_tokens for u in usages),
            completion_tokens=sum(u.completion_tokens for u in usages),
            total_tokens=sum(u.total_tokens for u in usages),
        ),
        citations=[citations(r) for r in results],
        ferag=[extras(r, debug) for r in results],
    )


def text_chunks(
    model: str,
    response_id: str,
    prompt: str,
    events: Iterator[StreamEvent],
    echo: bool,
    include_usage: bool,
) -> Iterator[str]:
    """A streamed text completion: ``text_completion`` chunks, then the usage and ``[DONE]``."""
    base = {"id": response_id, "object": "text_completion", "created": int(time.time())}

    def chunk(text: str, finish: str | None = None, **extra: Any) -> str:
        choice = {"index": 0, "text": text, "finish_reason": finish, "logprobs": None}
        return sse({**base, "model": model, "choices": [choice], **extra})

    if echo:
        yield chunk(prompt)
    for event in events:
        if event.kind == "token":
            yield chunk(event.text)
        elif event.error is not None:
            yield stream_error(event.error)
            return
        elif event.result is not None:
            result = event.result
            yield chunk(sources_footer(result.citations), "stop", citations=citations(result))
            if include_usage:
                usage = usage_of(result).model_dump()
                yield sse({**base, "model": model, "choices": [], "usage": usage})
    yield DONE


def task_usage(prompt: str, answer: str) -> CompletionUsage:
    prompt_tokens, completion_tokens = estimate_tokens(prompt), estimate_tokens(answer)
    return CompletionUsage(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        total_tokens=prompt_tokens + completion_tokens,
    )


def task_completion(model: str, kind: str, prompt: str, answer: str) -> ChatCompletion:
    """A client task's answer (``ferag.services.client_tasks``): no session, no sources."""
    return ChatCompletion(
        id=f"chatcmpl-ferag-task-{time.time_ns()}",
        created=int(time.time()),
        model=model,
        choices=[CompletionChoice(message={"role": "assistant", "content": answer})],
        usage=task_usage(prompt, answer),
        citations=[],
        sources=[],
        ferag={"task": kind},
    )


def task_chunks(writer: ChunkWriter, kind: str, answer: str) -> Iterator[str]:
    yield writer.delta({"role": "assistant", "content": answer})
    yield writer.delta({}, "stop", ferag={"task": kind})
    yield DONE
