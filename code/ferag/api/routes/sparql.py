"""``/rags/{id}/sparql``: the SPARQL 1.1 Protocol's query operation over the RAG's production.

GET with ``query=…``, or POST with a form (``query=…``) or a ``application/sparql-query`` body;
the result in the format the ``Accept`` header asks for. Read-only, for viewers and up; what is
refused and why is in ``ferag.services.sparql_endpoint``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ferag.api.deps import RagViewer, SettingsDep, StoreDep
from ferag.api.openapi import raises
from ferag.errors import BadRequest, InvalidInput, UnsupportedMediaType
from ferag.services.sparql_endpoint import GRAPH_TYPES, RESULT_TYPES, run_query, update_refused
from ferag.store.client import QueryResult

router = APIRouter(prefix="/rags/{rag_id}/sparql", tags=["sparql"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
# The Protocol lets a client name the dataset; here the dataset is the RAG's production.
DATASET_PARAMETERS = ("default-graph-uri", "named-graph-uri", "using-graph-uri")

_RESULTS: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The result: SELECT and ASK as SPARQL results (JSON by default), "
        "CONSTRUCT and DESCRIBE as RDF (Turtle by default).",
        "content": {media_type: {} for media_type in (*RESULT_TYPES, *GRAPH_TYPES)},
    }
}
_POST_BODY = {
    "requestBody": {
        "content": {
            FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
            SPARQL_QUERY: {"schema": {"type": "string"}},
        }
    }
}
AcceptHeader = Annotated[str | None, Header(description="The result format wanted.")]


@router.get("", responses=_RESULTS)
@raises(400, 406, 422)
def query_get(
    access: RagViewer,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    query: Annotated[str, Query(min_length=1, max_length=100_000, description="SPARQL query.")],
    accept: AcceptHeader = None,
) -> Response:
    """Run a read-only SPARQL query over the RAG's current production graph."""
    _refuse_dataset(request.query_params.keys())
    return _answer(run_query(store, settings, access.rag.id, query, accept))


@router.post("", responses=_RESULTS, openapi_extra=_POST_BODY)
@raises(400, 406, 415, 422)
async def query_post(
    access: RagViewer,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    accept: AcceptHeader = None,
) -> Response:
    """Run a read-only SPARQL query sent as a form (`query=`) or as an
    `application/sparql-query` body."""
    text = await _query_of(request)
    # The store call blocks: off the event loop, as FastAPI runs a ``def`` route.
    result = await run_in_threadpool(run_query, store, settings, access.rag.id, text, accept)
    return _answer(result)


async def _query_of(request: Request) -> str:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    _refuse_dataset(request.query_params.keys())
    if media_type == SPARQL_QUERY:
        text = (await request.body()).decode("utf-8", errors="replace")
    elif media_type == FORM:
        form = await request.form()
        _refuse_dataset(form.keys())
        if "update" in form:
            raise update_refused()
        value = form.get("query")
        text = value if isinstance(value, str) else ""
    elif media_type == SPARQL_UPDATE:
        raise update_refused()
    else:
        raise UnsupportedMediaType(
            f"send the query as {FORM} (query=…) or as {SPARQL_QUERY}, not "
            f"{media_type or 'a body without Content-Type'}"
        )
    if not text.strip():
        raise InvalidInput("the query is empty: send a SPARQL query", code="sparql_empty")
    return text


def _refuse_dataset(names: Iterable[str]) -> None:
    named = sorted(set(names) & set(DATASET_PARAMETERS))
    if named:
        raise BadRequest(
            f"{', '.join(named)} cannot be set: this endpoint's dataset is the RAG's current "
            "production graph; leave them out",
            code="sparql_refused",
        )


def _answer(result: QueryResult) -> Response:
    return Response(content=result.body, media_type=result.content_type)
