"""Errors of the OpenAI-compatible API (``/v1``) in OpenAI's shape,
``{"error": {"message", "type", "param", "code"}}``, because OpenAI clients read that one.

``OpenAIRoute`` renders the errors of the ``/v1`` routes; ``http_error`` is the app's handler of
Starlette's HTTP errors, which answers a path under ``/v1`` that no route serves (or a method a
route does not take) in OpenAI's shape too, and every other path in ferag's
(``ferag.api.errors``). The error codes are ferag's (``model_not_found``, ``rate_limited``, …).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any, ClassVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from ferag.api import errors
from ferag.api.errors import LOWER_LAYER_ERRORS, api_error
from ferag.api.openai_schemas import OpenAIError
from ferag.errors import FeragError
from ferag.logs import request_id_var

logger = logging.getLogger(__name__)

PREFIX = "/v1"
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "invalid_request_error",
    405: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def openai_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    kind = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")
    body = {"error": {"message": message, "type": kind, "param": None, "code": code}}
    response = JSONResponse(body, status_code=status, headers=headers)
    response.headers["X-Request-ID"] = request_id_var.get() or ""
    return response


def ferag_error(exc: Exception) -> JSONResponse:
    """A ferag or lower-layer error (``ferag.api.errors.api_error``) in OpenAI's shape."""
    error = api_error(exc)
    return openai_error(error.status_code, error.code, error.message, error.headers)


def is_openai_path(path: str) -> bool:
    return path == PREFIX or path.startswith(f"{PREFIX}/")


def _validation_message(exc: RequestValidationError) -> str:
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
    )
    return f"invalid request: {problems}"


class OpenAIRoute(APIRoute):
    """Renders errors of these routes in OpenAI's shape instead of ferag's (and says so to
    ``ferag.api.openapi``: ``error_model``, validation errors as 400)."""

    error_model: ClassVar[type[BaseModel]] = OpenAIError
    validation_status: ClassVar[int] = 400

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except (FeragError, *LOWER_LAYER_ERRORS) as exc:
                return ferag_error(exc)
            except RequestValidationError as exc:
                return openai_error(400, "invalid_request", _validation_message(exc))
            except StarletteHTTPException as exc:
                return openai_error(exc.status_code, f"http_{exc.status_code}", str(exc.detail))
            except Exception as exc:  # a bug: OpenAI's shape too, logged like every 500
                logger.error(
                    "unhandled error on %s %s", request.method, request.url.path, exc_info=exc
                )
                message = "an unexpected error occurred; the request id identifies it in the logs"
                return openai_error(500, "internal_error", message)

        return route


def _unknown_path(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """OpenAI answers an unknown URL with a 404 naming it; clients show that message."""
    where = f"{request.method} {request.url.path}"
    if exc.status_code == 405:
        allowed = exc.headers.get("Allow", "") if exc.headers else ""
        message = f"{where} is not served: this path takes {allowed or 'other methods'}"
        return openai_error(405, "method_not_allowed", message, dict(exc.headers or {}))
    message = (
        f"unknown URL ({where}); ferag's OpenAI-compatible API serves GET /v1/models, "
        "POST /v1/chat/completions, POST /v1/completions and POST /v1/embeddings"
    )
    return openai_error(404, "unknown_url", message)


async def http_error(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's HTTP errors (no route, wrong method): OpenAI's shape under ``/v1``."""
    assert isinstance(exc, StarletteHTTPException)
    if is_openai_path(request.url.path) and exc.status_code in (404, 405):
        return _unknown_path(request, exc)
    return await errors.http_error(request, exc)
