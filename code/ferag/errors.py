"""The service's error tree. Each error carries a stable code, an HTTP status, a message that
says how to fix the problem, and the HTTP headers that go with it; the API renders every one of
them in one JSON shape (``ferag.api.errors``).

    FeragError
     ├── BadRequest          400  the request cannot be read (malformed JSON, bad multipart)
     ├── Unauthenticated     401  no or invalid credentials (``WWW-Authenticate: Bearer``)
     ├── Forbidden           403  a member whose role does not allow the operation
     ├── NotFound            404  no such resource, or not visible to the caller
     ├── NotAcceptable       406  no media type the caller accepts can carry the answer
     ├── Conflict            409  the request clashes with the current state
     ├── PayloadTooLarge     413  an upload over a size or count limit
     ├── UnsupportedMediaType 415 a body in a format the endpoint does not read
     ├── InvalidInput        422  well-formed but invalid values
     ├── RateLimited         429  too many requests in the window (``Retry-After``)
     ├── BadGateway          502  a component (store, LLM) refused what ferag asked of it
     └── ServiceUnavailable  503  a component (database, Redis, store, LLM) is down

Errors of the layers below (``StoreError``, ``LlmError``, SQLAlchemy's ``OperationalError``) are
not caught and re-raised as these by services: the API translates them at its boundary.
"""

from __future__ import annotations

from typing import Any, ClassVar


class FeragError(Exception):
    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"
    default_headers: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details or []
        self.headers = {**self.default_headers, **(headers or {})}

    @staticmethod
    def from_status(status_code: int, message: str, *, code: str | None = None) -> FeragError:
        """The error class that answers with ``status_code`` (for errors of lower layers that
        carry a status hint, such as document errors)."""
        for cls in FeragError.__subclasses__():
            if cls.status_code == status_code and cls is not RateLimited:  # needs a retry time
                return cls(message, code=code)
        return InvalidInput(message, code=code)


class BadRequest(FeragError):
    status_code = 400
    default_code = "bad_request"


class Unauthenticated(FeragError):
    status_code = 401
    default_code = "not_authenticated"
    default_headers = {"WWW-Authenticate": "Bearer"}


class Forbidden(FeragError):
    status_code = 403
    default_code = "forbidden"


class NotFound(FeragError):
    status_code = 404
    default_code = "not_found"


class NotAcceptable(FeragError):
    status_code = 406
    default_code = "not_acceptable"


class Conflict(FeragError):
    status_code = 409
    default_code = "conflict"


class PayloadTooLarge(FeragError):
    status_code = 413
    default_code = "payload_too_large"


class UnsupportedMediaType(FeragError):
    status_code = 415
    default_code = "unsupported_media_type"


class InvalidInput(FeragError):
    status_code = 422
    default_code = "validation_error"


class RateLimited(FeragError):
    """Too many requests in the current window; retry after ``retry_after_s`` seconds."""

    status_code = 429
    default_code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: int, code: str | None = None) -> None:
        super().__init__(message, code=code, headers={"Retry-After": str(retry_after_s)})
        self.retry_after_s = retry_after_s


class BadGateway(FeragError):
    status_code = 502
    default_code = "bad_gateway"


class ServiceUnavailable(FeragError):
    status_code = 503
    default_code = "service_unavailable"
