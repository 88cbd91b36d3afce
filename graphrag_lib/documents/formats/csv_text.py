"""CSV → one record per row, each cell as a ``header: value`` line, rows apart by a blank line.

The delimiter (``,``, ``;``, tab or ``|``) is the one that splits the first rows into the same
number of columns most consistently; Russian Excel writes ``;``. Empty cells are left out.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator

from graphrag_lib.documents.encodings import decode_text
from graphrag_lib.documents.errors import UnreadableDocument
from graphrag_lib.documents.formats.extracted import Extracted

DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_LINES = 50


def extract_csv(path: str, data: bytes) -> Extracted:
    text, encoding = decode_text(path, data)
    try:
        rows = [
            row
            for row in csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
            if any(row)
        ]
    except csv.Error as err:
        raise UnreadableDocument(
            path, f"the CSV cannot be parsed ({err})", "Check its quoting, or save it again as CSV"
        ) from err
    if not rows:
        return Extracted("", encoding, None)
    header, body = rows[0], rows[1:]
    records = ("\n".join(_cells(header, row)) for row in body)
    return Extracted("\n\n".join(record for record in records if record), encoding, None)


def sniff_delimiter(text: str) -> str:
    """The delimiter giving the most consistent column count (>1) over the first rows."""
    sample = "\n".join(text.splitlines()[:_SAMPLE_LINES])
    best, best_key = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            counts = [
                len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter) if row
            ]
        except csv.Error:
            continue
        if not counts:
            continue
        columns, rows = Counter(counts).most_common(1)[0]
        key = (rows / len(counts), columns)
        if columns > 1 and key > best_key:
            best, best_key = delimiter, key
    return best


def _cells(header: list[str], row: list[str]) -> Iterator[str]:
    for index, cell in enumerate(row):
        if value := " ".join(cell.split()):
            name = header[index].strip() if index < len(header) else ""
            yield f"{name or f'column {index + 1}'}: {value}"
