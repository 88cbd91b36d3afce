"""The date a document gives itself in its metadata: HTML ``<meta>`` (and ``<time pubdate>``),
DOCX core properties (``dcterms:created``, else ``modified``), PDF information dictionary
(``/CreationDate``, else ``/ModDate``). Text formats (txt, md, json, csv) carry none.

Best effort: a document whose metadata cannot be read has no metadata date; reading it never
refuses the document (its text was read, or refused, by ``formats.extract``).
"""

from __future__ import annotations

import logging

from graphrag_lib.documents.dates import PartialDate
from graphrag_lib.documents.formats.docx_text import docx_core_date
from graphrag_lib.documents.formats.html_text import html_meta_date
from graphrag_lib.documents.formats.pdf_text import pdf_info_date
from graphrag_lib.documents.limits import UploadLimits

logger = logging.getLogger(__name__)


def metadata_date(
    path: str, fmt: str, data: bytes, limits: UploadLimits | None = None
) -> PartialDate | None:
    """The metadata date of the document ``path`` (format ``fmt``, original bytes ``data``)."""
    try:
        if fmt == "html":
            return html_meta_date(path, data)
        if fmt == "docx":
            return docx_core_date(path, data, (limits or UploadLimits()).max_file_bytes)
        if fmt == "pdf":
            return pdf_info_date(data)
    except Exception as err:  # any reader failure means "no metadata date"
        logger.info("no metadata date for %s: %r", path, err)
    return None
