"""One reader per format; ``extract`` picks it from the file's extension and checked content."""

from __future__ import annotations

from collections.abc import Callable

from graphrag_lib.documents.errors import EmptyDocument
from graphrag_lib.documents.formats.csv_text import extract_csv
from graphrag_lib.documents.formats.docx_text import extract_docx
from graphrag_lib.documents.formats.extracted import Extracted
from graphrag_lib.documents.formats.html_text import extract_html
from graphrag_lib.documents.formats.json_text import extract_json
from graphrag_lib.documents.formats.pdf_text import extract_pdf
from graphrag_lib.documents.formats.plain_text import extract_markdown, extract_plain_text
from graphrag_lib.documents.limits import UploadLimits
from graphrag_lib.documents.normalise import normalise_text
from graphrag_lib.documents.sniff import format_of

_READERS: dict[str, Callable[[str, bytes], Extracted]] = {
    "txt": extract_plain_text,
    "md": extract_markdown,
    "html": extract_html,
    "pdf": extract_pdf,
    "json": extract_json,
    "csv": extract_csv,
}
_NO_TEXT_FIX = {
    "pdf": "It looks like a scan without a text layer: run OCR on it (e.g. ocrmypdf) and upload "
    "the result",
}


def extract(path: str, data: bytes, limits: UploadLimits) -> tuple[str, Extracted]:
    """``(format, extracted)`` with the text normalised; refuses files without text."""
    fmt = format_of(path, data)
    if fmt == "docx":
        found = extract_docx(path, data, max_part_bytes=limits.max_file_bytes)
    else:
        found = _READERS[fmt](path, data)
    text = normalise_text(found.text)
    if not text:
        fix = _NO_TEXT_FIX.get(fmt, "Leave it out, or upload a version that contains text")
        raise EmptyDocument(path, "the file contains no extractable text", fix)
    return fmt, found._replace(text=text)


def extract_text(
    name: str, data: bytes, limits: UploadLimits | None = None
) -> tuple[str, str, str | None]:
    """``(format, text, encoding)`` of one file; ``encoding`` is None for pdf and docx.

    ``name`` only needs the right extension. Raises a ``DocumentError`` as ``read_upload`` would.
    """
    fmt, found = extract(name, data, limits or UploadLimits())
    return fmt, found.text, found.encoding
