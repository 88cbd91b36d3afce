"""GraphRAG cells arrive as lists, numpy arrays (parquet), CSV strings or NaN."""

from __future__ import annotations

import math

import numpy as np

from graphrag_lib.to_rdf.cells import as_float, as_int, as_list, as_text


def test_as_list() -> None:
    assert as_list(["a", "b"]) == ["a", "b"]
    assert as_list(np.array(["a", "b"], dtype=object)) == ["a", "b"]
    assert as_list("['a', 'b']") == ["a", "b"]
    assert as_list(None) == [] and as_list(math.nan) == [] and as_list("") == []


def test_scalars() -> None:
    assert as_text(math.nan) == "" and as_text(" x ") == "x"
    assert as_int("3") == 3 and as_int(np.int64(4)) == 4 and as_int(None) == -1
    assert as_float("2.5") == 2.5 and as_float(math.nan) == 0.0 and as_float("x", 1.0) == 1.0
