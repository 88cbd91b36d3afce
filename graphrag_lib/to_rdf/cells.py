"""Reading GraphRAG table cells, which arrive as lists, numpy arrays, CSV strings or NaN."""

from __future__ import annotations

import math
from typing import Any

from graphrag.data_model.dfs import split_list_column


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_text(value: object) -> str:
    """The cell as stripped text; ``""`` when missing."""
    return "" if is_missing(value) else str(value).strip()


def as_list(value: object) -> list[Any]:
    """A list cell: Python list, numpy array (parquet) or CSV-encoded string."""
    if is_missing(value):
        return []
    if isinstance(value, str):
        return list(split_list_column(value)) if value else []
    if isinstance(value, list | tuple):
        return list(value)
    tolist = getattr(value, "tolist", None)
    return list(tolist()) if callable(tolist) else []


def as_int(value: object, default: int = -1) -> int:
    try:
        return default if is_missing(value) else int(float(str(value)))
    except ValueError:
        return default


def as_float(value: object, default: float = 0.0) -> float:
    try:
        result = default if is_missing(value) else float(str(value))
    except ValueError:
        return default
    return default if math.isnan(result) else result
