"""The MCP server: ferag's tools and entity resources over ``ferag.mcp.tools``.

``build_server(runtime, caller_key)`` takes where the clients come from (the API's lifespan
creates them after the server is built, so it is a callable) and where the caller's API key
comes from (the HTTP request's bearer token, or the key ``ferag mcp`` was started with). Tools
run their blocking work in a thread. A ``FeragError`` (or a store, model or database failure,
translated as the API translates it) becomes a tool error whose text says what to do; anything
else is a bug, which the SDK reports as a bare "Error executing tool".
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, ParamSpec, TypeVar

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError
from mcp.types import Resource as McpResource
from mcp.types import ToolAnnotations
from pydantic import Field, StringConstraints

from ferag.api.errors import api_error
from ferag.errors import FeragError, NotFound
from ferag.mcp import tools
from ferag.mcp.schemas import Answer, EntitiesFound, EntityDetail, RagList, SparqlResult
from ferag.mcp.tools import McpRuntime

P = ParamSpec("P")
T = TypeVar("T")

RuntimeSource = Callable[[], McpRuntime]
KeySource = Callable[[], str | None]

ENTITY_URI = "ferag://rags/{rag_id}/entities/{key}"
LISTED_ENTITIES = 100  # resources/list is a browsing aid; search_entities finds the rest

INSTRUCTIONS = """ferag answers questions over reviewed knowledge graphs ("RAGs"). Start with
list_rags; find entities with search_entities, read one with get_entity (current facts and the
passages they come from), ask questions with ask (the answer cites [n] sources), and query a
RAG's production graph with sparql_query (read-only SPARQL 1.1)."""

RagIdArg = Annotated[int, Field(ge=1, description="A RAG id from list_rags.")]
SearchText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
EntityIriArg = Annotated[
    str, Field(min_length=1, max_length=2000, description="An entity IRI from search_entities.")
]
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)


def failure_text(exc: Exception) -> str | None:
    """What a tool error says for ``exc``; None for a bug (the SDK hides its details)."""
    error = api_error(exc)
    if error.status_code == 500:
        return None
    return f"{error.message} ({error.code})"


async def in_thread(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a tool's blocking work off the event loop, its errors made tool errors."""
    try:
        return await anyio.to_thread.run_sync(functools.partial(work, *args, **kwargs))
    except Exception as exc:
        text = failure_text(exc)
        if text is None:
            raise
        raise ToolError(text) from exc


class FeragMcp(MCPServer[Any]):
    """MCPServer whose resource list holds the caller's entities (the SDK lists only fixed
    resources; entity resources depend on who asks)."""

    def __init__(self, runtime: RuntimeSource, caller_key: KeySource) -> None:
        super().__init__("ferag", instructions=INSTRUCTIONS)
        self.runtime = runtime
        self.caller_key = caller_key

    async def list_resources(self) -> list[McpResource]:
        entries = await in_thread(
            tools.list_entity_entries, self.runtime(), self.caller_key(), LISTED_ENTITIES
        )
        return [
            McpResource(
                uri=ENTITY_URI.format(rag_id=e.rag_id, key=e.key),
                name=e.label,
                description=f"Entity of RAG {e.rag_id}",
                mime_type="application/json",
            )
            for e in entries
        ] + await super().list_resources()


def build_server(runtime: RuntimeSource, caller_key: KeySource) -> FeragMcp:
    server = FeragMcp(runtime, caller_key)

    @server.tool(annotations=READ_ONLY)
    async def list_rags() -> RagList:
        """The RAGs (knowledge bases) you are a member of, with your role on each."""
        return await in_thread(tools.list_rags, runtime(), caller_key())

    @server.tool(annotations=READ_ONLY)
    async def search_entities(
        rag_id: RagIdArg,
        query: SearchText,
        limit: Annotated[int, Field(ge=1, le=50)] = 10,
    ) -> EntitiesFound:
        """Entities of the RAG's approved graph named by `query` (label, alias, spellings,
        Russian case forms, transliteration), best first."""
        return await in_thread(tools.find_entities, runtime(), caller_key(), rag_id, query, limit)

    @server.tool(annotations=READ_ONLY)
    async def get_entity(
        rag_id: RagIdArg,
        iri: EntityIriArg,
    ) -> EntityDetail:
        """One entity of the RAG's approved graph: its classes, description, current facts
        (relation statements) and the passages they were read from."""
        return await in_thread(tools.read_entity, runtime(), caller_key(), rag_id, iri)

    @server.tool(annotations=ToolAnnotations(open_world_hint=False))
    async def ask(
        rag_id: RagIdArg,
        question: Question,
        session_id: Annotated[
            uuid.UUID | None, Field(description="Continue this session (from an earlier answer).")
        ] = None,
        as_of: Annotated[
            date | None, Field(description="Answer from the facts that held on this date.")
        ] = None,
    ) -> Answer:
        """Answer a question from the RAG's approved graph, citing its sources as [n]. The
        turn is kept in your chat sessions (pass session_id back for a follow-up)."""
        return await in_thread(
            tools.ask, runtime(), caller_key(), rag_id, question, session_id, as_of
        )

    @server.tool(annotations=READ_ONLY)
    async def sparql_query(
        rag_id: RagIdArg,
        query: Annotated[str, Field(min_length=1, max_length=100_000)],
    ) -> SparqlResult:
        """Run a read-only SPARQL 1.1 query over the RAG's current production graph (the
        default graph; prefixes rdf, rdfs, owl, xsd, skos, dcterms, prov, ferag and ont are
        declared). SELECT and ASK answer as SPARQL JSON results, CONSTRUCT and DESCRIBE as
        Turtle."""
        return await in_thread(tools.sparql_query, runtime(), caller_key(), rag_id, query)

    @server.resource(ENTITY_URI, mime_type="application/json")
    async def entity(rag_id: str, key: str) -> str:
        """An entity with its current facts and sources (as get_entity returns it)."""
        return await read_entity_resource(runtime(), caller_key(), rag_id, key)

    return server


async def read_entity_resource(
    runtime: McpRuntime, key: str | None, rag_id: str, entity_key: str
) -> str:
    """The entity resource's JSON; a resource error (not found, or what went wrong) else."""
    if not rag_id.isdigit():
        raise ResourceNotFoundError(f"no RAG {rag_id!r}: RAG ids are numbers")
    try:
        iri = tools.entity_iri(runtime, int(rag_id), entity_key)
        detail = await in_thread(tools.read_entity, runtime, key, int(rag_id), iri)
    except FeragError as exc:
        raise ResourceNotFoundError(exc.message) from exc
    except ToolError as exc:
        if isinstance(exc.__cause__, NotFound):
            raise ResourceNotFoundError(str(exc)) from exc
        raise ResourceError(str(exc)) from exc
    return detail.model_dump_json()
