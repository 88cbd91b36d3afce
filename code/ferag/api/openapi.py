"""Every error an operation can answer, in the OpenAPI document, so generated clients know them.

Errors are declared where they are raised, with ``raises``: on a dependency (``get_current_user``
raises 401, ``require_role`` 403 and 404, ``get_db`` 503, …) or on a route function for what
its services raise (409 ``email_taken``, 404 ``cycle_not_found``, …). ``document_errors`` walks
each route's dependency tree once, when the document is first built (FastAPI's documented
"extending OpenAPI" hook), and adds to the operation:

- the statuses its route function and all its dependencies declare;
- 422 when the operation takes parameters or a body, 400 when it takes a JSON body (malformed
  JSON), and 500 for a bug (with the request id to report);

each in the route's one error shape: ``ErrorResponse`` (``{"error": {code, message, details,
request_id}}``), or OpenAI's (``OpenAIError``) on the OpenAI-compatible routes, whose route
class says so with ``error_model`` and renders validation errors as 400
(``validation_status``). A response a route documents itself (``/health``'s 503 body) is kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from fastapi import APIRouter, FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from ferag.api.schemas import ErrorResponse

F = TypeVar("F", bound=Callable[..., Any])

_RAISES: dict[Callable[..., Any], frozenset[int]] = {}

DESCRIPTIONS = {
    400: "Bad request: malformed JSON or an unreadable body.",
    401: "Not authenticated: no, an invalid or an expired token or API key.",
    403: "Forbidden: your role on the RAG does not allow this.",
    404: "Not found, or not visible to you (a RAG you are not a member of).",
    406: "Not acceptable: no format in `Accept` can carry the answer (the message lists them).",
    409: "Conflict with the current state (the error's code says which).",
    413: "Payload too large: an upload over a size or count limit.",
    415: "Unsupported media type: a file or body type ferag does not read.",
    422: "Invalid input; `details` names each field and what is wrong.",
    429: "Too many requests; retry after `Retry-After` seconds.",
    500: "Unexpected error; report it with the request id.",
    502: "A component (triple store, LLM) refused what ferag asked of it.",
    503: "A component (database, Redis, triple store, LLM) is unavailable; retry later.",
}


def raises(*statuses: int) -> Callable[[F], F]:
    """Declare the error statuses ``function`` (a route or a dependency) can answer."""

    def declare(function: F) -> F:
        _RAISES[function] = _RAISES.get(function, frozenset()) | frozenset(statuses)
        return function

    return declare


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def route_errors(route: APIRoute) -> set[int]:
    """The error statuses declared by ``route``'s function and its dependencies, at any depth."""
    found: set[int] = set()
    for dependant in _dependants(route.dependant):
        if dependant.call is not None:
            found |= _RAISES.get(dependant.call, frozenset())
    return found


def _schema_ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _operations(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for path_item in document["paths"].values():
        yield from path_item.values()


def _add_errors(routes: dict[str, APIRoute], document: dict[str, Any]) -> None:
    components = document.setdefault("components", {}).setdefault("schemas", {})
    refs: dict[type[BaseModel], dict[str, str]] = {}
    for operation in _operations(document):
        route = routes[operation["operationId"]]
        model: type[BaseModel] = getattr(route, "error_model", ErrorResponse)
        if model not in refs:
            refs[model] = _schema_ref(model, components)
        statuses = route_errors(route) | {500}
        if operation.get("parameters") or "requestBody" in operation:
            statuses.add(getattr(route, "validation_status", 422))
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            statuses.add(400)
        responses = operation["responses"]
        _drop_fastapi_validation_error(responses)
        for status in sorted(statuses):
            responses.setdefault(
                str(status),
                {
                    "description": DESCRIPTIONS[status],
                    "content": {"application/json": {"schema": refs[model]}},
                },
            )
    _drop_unused(document, components, ("HTTPValidationError", "ValidationError"))


def _drop_fastapi_validation_error(responses: dict[str, Any]) -> None:
    """FastAPI documents 422 as its own ``HTTPValidationError``; ferag answers its own shape."""
    schema = responses.get("422", {}).get("content", {}).get("application/json", {})
    if schema.get("schema", {}).get("$ref", "").endswith("/HTTPValidationError"):
        del responses["422"]


def _drop_unused(
    document: dict[str, Any], components: dict[str, Any], names: tuple[str, ...]
) -> None:
    """Remove the schemas ``names`` (in order) that nothing refers to any more."""
    for name in names:
        schema = components.pop(name, None)
        if schema is not None and f'"#/components/schemas/{name}"' in json.dumps(document):
            components[name] = schema


def document_errors(app: FastAPI, routers: Iterable[APIRouter]) -> None:
    """Build ``app``'s OpenAPI document with every operation's errors (once, then cached).

    ``routers`` are the routers ``app`` includes; operation ids are route function names
    (``ferag.api.app.operation_id``)."""
    routes = {
        route.name: route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
    }
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            _add_errors(routes, generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented extension hook
