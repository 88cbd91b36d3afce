"""The service's error tree. Each error carries a stable code, an HTTP status and a message
that says how to fix the problem; the API renders every one of them in one JSON shape.

    FeragError
     ├── BadRequest          400  the request cannot be read (malformed JSON, bad multipart)
     ├── Unauthenticated     401  no or invalid credentials
     ├── Forbidden           403  a member whose role does not allow the operation
     ├── NotFound            404  no such resource, or not visible to the caller
     ├── Conflict            409  the request clashes with the current state
     ├── PayloadTooLarge     413  an upload over a size or count limit
     ├── InvalidInput        422  well-formed but invalid values
     └── ServiceUnavailable  503  a component (database, Redis, store, LLM) is down
"""

from __future__ import annotations

from typing import Any, ClassVar


class FeragError(Exception):
    status_code: ClassVar[int] = 500
    default_code: ClassVar[str] = "internal_error"

    def __init__(
        self, message: str, *, code: str | None = None, details: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details or []

    @staticmethod
    def from_status(status_code: int, message: str, *, code: str | None = None) -> FeragError:
        """The error class that answers with ``status_code`` (for errors of lower layers that
        carry a status hint, such as document errors)."""
        for cls in FeragError.__subclasses__():
            if cls.status_code == status_code:
                return cls(message, code=code)
        return InvalidInput(message, code=code)


class BadRequest(FeragError):
    status_code = 400
    default_code = "bad_request"


class Unauthenticated(FeragError):
    status_code = 401
    default_code = "not_authenticated"


class Forbidden(FeragError):
    status_code = 403
    default_code = "forbidden"


class NotFound(FeragError):
    status_code = 404
    default_code = "not_found"


class Conflict(FeragError):
    status_code = 409
    default_code = "conflict"


class PayloadTooLarge(FeragError):
    status_code = 413
    default_code = "payload_too_large"


class InvalidInput(FeragError):
    status_code = 422
    default_code = "validation_error"


class ServiceUnavailable(FeragError):
    status_code = 503
    default_code = "service_unavailable"
