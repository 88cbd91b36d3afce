"""Bounded path and query parameters shared by the routes.

Every integer a client sends has an upper bound, so an out-of-range number is a 422 naming the
parameter instead of a database error: ids and sequence numbers are PostgreSQL ``integer``
columns (at most 2**31 - 1), and an offset past ``MAX_OFFSET`` rows pages past any list ferag
keeps (PostgreSQL refused offsets beyond its ``bigint`` with a 500).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1
"""Largest id (and task event ``seq``): the database's ids are 32-bit integers."""
MAX_OFFSET = 100_000_000
"""Largest offset of any paged list (far beyond the rows any list holds)."""

RagId = Annotated[int, Path(ge=1, le=MAX_ID, description="RAG id")]
CycleId = Annotated[int, Path(ge=1, le=MAX_ID, description="Cycle id")]
UserId = Annotated[int, Path(ge=1, le=MAX_ID, description="User id")]
KeyId = Annotated[int, Path(ge=1, le=MAX_ID, description="API key id")]
VersionNumber = Annotated[
    int, Path(ge=0, le=MAX_ID, description="The version to return to (0: empty).")
]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Items to skip.")]
AfterSeq = Annotated[int, Query(ge=0, le=MAX_ID, description="Return events with a larger `seq`.")]


def bounded_id(text: str) -> int | None:
    """``text`` as an id if it is one (ASCII digits, within ``MAX_ID``), else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
