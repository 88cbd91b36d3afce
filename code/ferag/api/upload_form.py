"""The multipart form of ``POST /rags/{id}/upload``, read by the route itself.

FastAPI reads declared form parameters before any dependency runs, so a stranger's upload would
be received and spooled before its token is even looked at. The upload route declares no body
parameter: its dependencies check the caller's role, the route checks the upload limits, and
only then is the body read here (``BodyLimit`` counting it). ``UPLOAD_OPENAPI`` describes the
body in the OpenAPI document as FastAPI would have.

File parts are spooled by starlette (in memory up to 1 MiB each, then in a temporary file
outside ``FERAG_HOME``) and closed when the form's context ends.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import TypeAdapter, ValidationError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from ferag.errors import BadRequest, InvalidInput, PayloadTooLarge

_DATE = TypeAdapter(date)
_DATES = TypeAdapter(dict[str, date])
_MAX_FIELDS = 10  # dates, date, and a little slack for clients that add their own

UPLOAD_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files"],
                    "properties": {
                        "files": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Documents, or zips of folder trees.",
                        },
                        "dates": {
                            "type": "string",
                            "description": 'JSON {"path": "YYYY-MM-DD"}',
                        },
                        "date": {
                            "type": "string",
                            "format": "date",
                            "description": "Date of every document.",
                        },
                    },
                }
            }
        },
    }
}


@dataclass(frozen=True)
class UploadForm:
    files: list[UploadFile]
    dates: dict[str, date]  # path → the document's date
    date: date | None  # the date of every other document


@asynccontextmanager
async def read_upload_form(request: Request, max_files: int) -> AsyncIterator[UploadForm]:
    """The form, its files open until the context ends; refuses more than ``max_files`` file
    parts (413), a malformed body (400) and invalid fields (422, naming the field)."""
    try:
        form = await request.form(max_files=max_files, max_fields=_MAX_FIELDS)
    except StarletteHTTPException as exc:
        raise _form_error(str(exc.detail), max_files) from exc
    try:
        files = [part for part in form.getlist("files") if isinstance(part, UploadFile)]
        if not files:
            raise _missing("files")
        yield UploadForm(files, _parse_dates(form.get("dates")), _parse_date(form.get("date")))
    finally:
        await form.close()


def _form_error(detail: str, max_files: int) -> Exception:
    if detail.startswith("Too many files"):
        return PayloadTooLarge(
            f"the upload holds more than {max_files} files (FERAG_MAX_UPLOAD_FILES): split it "
            "into several uploads",
            code="too_many_files",
        )
    return BadRequest(
        f"the multipart body cannot be read ({detail}); send the documents as multipart/form-data "
        "parts named `files`",
        code="malformed_multipart",
    )


def _missing(field: str) -> RequestValidationError:
    return RequestValidationError(
        [{"type": "missing", "loc": ("body", field), "msg": "Field required", "input": None}]
    )


def _parse_date(raw: object) -> date | None:
    if raw is None or raw == "":
        return None
    try:
        return _DATE.validate_python(raw)
    except ValidationError as exc:
        raise RequestValidationError(
            [{**err, "loc": ("body", "date", *err["loc"])} for err in exc.errors()]
        ) from None


def _parse_dates(raw: object) -> dict[str, date]:
    if not raw or not isinstance(raw, str):
        return {}
    try:
        return _DATES.validate_python(json.loads(raw))
    except (ValueError, ValidationError):
        raise InvalidInput(
            "`dates` must be a JSON object of path → ISO date, e.g. "
            '{"reports/q1.txt": "2024-03-31"}',
            code="invalid_dates",
        ) from None
