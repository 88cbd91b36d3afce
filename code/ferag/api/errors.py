"""The API's error boundary: every error leaves the API in one JSON shape,
``{"error": {"code", "message", "details", "request_id"}}``, through handlers registered once.

Services raise ``FeragError``s (``ferag.errors``) and let the errors of the layers below them
propagate; ``api_error`` is the one place those become an API error:

    StoreUnavailable        503  store_unavailable     retry when the store is back
    StoreRequestError       502  store_rejected        check the store's URL, credentials, log
    other StoreError        502  store_error           (production's version marker unreadable)
    LlmUnavailable          503  llm_unavailable       (the model client's message says what
    LlmRejected             502  llm_rejected           to check: endpoint, model name, key)
    OperationalError        503  database_unavailable  retry when the database is back

A store error's message names what the store was doing and what that means for the user when
the raiser said so (``ferag.store.client.store_errors``), e.g. "the triple store failed to
check the change set: …; production is unchanged; retry when the store is back". The
OpenAI-compatible routes render the same errors in OpenAI's shape (``routes.openai``), and chat
streams end with them as an ``error`` event; both call ``api_error``.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from ferag.errors import BadGateway, FeragError, ServiceUnavailable
from ferag.logs import accepted_request_id, request_id_var
from ferag.store.client import StoreError, StoreRequestError, StoreUnavailable
from graphrag_lib.llm import LlmError, LlmRejected

logger = logging.getLogger(__name__)

_HTTP_CODES = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    request_id: str | None = None,
) -> JSONResponse:
    body = {
        "error": {
            "code": code,
            "message": message,
            "details": details or [],
            "request_id": request_id or request_id_var.get(),
        }
    }
    return JSONResponse(body, status_code=status, headers=headers)


LOWER_LAYER_ERRORS = (StoreError, LlmError, OperationalError)
"""What the layers below the services raise; ``api_error`` translates them."""


def _store_error(exc: StoreError) -> FeragError:
    doing = f"the triple store failed to {exc.action}" if exc.action else "the triple store failed"
    said = f"{doing}: {exc}" + (f"; {exc.consequence}" if exc.consequence else "")
    if isinstance(exc, StoreUnavailable):
        return ServiceUnavailable(f"{said}; retry when the store is back", code="store_unavailable")
    if isinstance(exc, StoreRequestError):
        return BadGateway(
            f"{said}; the store refused the request: check FERAG_STORE_URL, the store's "
            "credentials and its log, and report it with the request id if they are right",
            code="store_rejected",
        )
    return BadGateway(
        f"{said}; check the store's data and log, and report it with the request id",
        code="store_error",
    )


def _llm_error(exc: LlmError) -> FeragError:
    # The model clients' messages already say what to check (endpoint, model name, key).
    if isinstance(exc, LlmRejected):
        return BadGateway(str(exc), code="llm_rejected")
    return ServiceUnavailable(str(exc), code="llm_unavailable")


def api_error(exc: Exception) -> FeragError:
    """The API's error for ``exc``: itself if it is one, else the translation of a lower
    layer's error (``LOWER_LAYER_ERRORS``), else a 500 ``internal_error``."""
    if isinstance(exc, FeragError):
        return exc
    if isinstance(exc, StoreError):
        return _store_error(exc)
    if isinstance(exc, LlmError):
        return _llm_error(exc)
    if isinstance(exc, OperationalError):
        return ServiceUnavailable(
            "the database is unavailable; retry when it is back (FERAG_DATABASE_URL)",
            code="database_unavailable",
        )
    return FeragError("an unexpected error occurred; the request id identifies it in the logs")


async def _ferag_error(request: Request, exc: Exception) -> JSONResponse:
    error = api_error(exc)
    if not isinstance(exc, FeragError):
        logger.warning("%s %s: %s: %s", request.method, request.url.path, error.code, exc)
    return error_response(
        error.status_code, error.code, error.message, error.details, error.headers or None
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(err.get("type") == "json_invalid" for err in errors):
        message = "the body is not valid JSON; check quotes, commas and brackets"
        return error_response(400, "malformed_json", message)
    details = [{"loc": list(err["loc"]), "msg": err["msg"], "type": err["type"]} for err in errors]
    summary = "; ".join(f"{'.'.join(str(p) for p in d['loc'])}: {d['msg']}" for d in details)
    return error_response(422, "validation_error", f"invalid request: {summary}", details)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "http_error")
    headers = dict(exc.headers) if exc.headers else None
    return error_response(exc.status_code, code, str(exc.detail), headers=headers)


def unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    """The 500 of a bug, logged with its traceback, with the request id in body and header
    (so a user's report finds the log lines)."""
    request_id = getattr(request.state, "request_id", None) or request_id_var.get()
    request_id = request_id or accepted_request_id(None)
    logger.error(
        "unhandled error on %s %s",
        request.method,
        request.url.path,
        exc_info=exc,
        extra={"request_id": request_id},
    )
    message = "an unexpected error occurred; the request id identifies it in the logs"
    response = error_response(500, "internal_error", message, request_id=request_id)
    response.headers["X-Request-ID"] = request_id
    return response


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Last resort, outside the request middleware (which answers a bug's 500 itself).
    return unexpected_error(request, exc)


def register_error_handlers(app: FastAPI) -> None:
    for error in (FeragError, *LOWER_LAYER_ERRORS):
        app.add_exception_handler(error, _ferag_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, _unexpected_error)
