"""PDF → text of its text layer with pdfminer.six; pages are separated by a blank line.

A scanned PDF has no text layer and comes out empty (the caller refuses it as ``EmptyDocument``
with a hint to run OCR); there is no OCR here.
"""

from __future__ import annotations

import io
import logging
import re

from pdfminer.high_level import extract_text as pdfminer_extract_text
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

from graphrag_lib.documents.dates import PartialDate
from graphrag_lib.documents.errors import UnreadableDocument
from graphrag_lib.documents.formats.extracted import Extracted
from graphrag_lib.documents.normalise import tidy_layout

logger = logging.getLogger(__name__)

# PDF date strings: D:YYYYMMDDHHmmSSOHH'mm', every part after the year optional
_PDF_DATE = re.compile(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?")
_INFO_DATES = ("CreationDate", "ModDate")  # preference order


def extract_pdf(path: str, data: bytes) -> Extracted:
    try:
        text = pdfminer_extract_text(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as err:
        raise UnreadableDocument(
            path, "the PDF is password-protected", "Save a copy without the password and upload it"
        ) from err
    except Exception as err:
        # pdfminer raises many unrelated types (PSEOF, KeyError, TypeError, ...) on damaged
        # files; all of them mean the same thing to the uploader.
        logger.info("pdfminer could not read %s: %r", path, err)
        raise UnreadableDocument(
            path, "the PDF is damaged and its text cannot be read", "Re-export it as PDF and retry"
        ) from err
    return Extracted(tidy_layout(text.replace("\f", "\n\n")), None, None)


def pdf_info_date(data: bytes) -> PartialDate | None:
    """The document information dictionary's ``/CreationDate``, else ``/ModDate``."""
    document = PDFDocument(PDFParser(io.BytesIO(data)))
    for info in document.info:
        for key in _INFO_DATES:
            if (date := _pdf_date(resolve1(info.get(key)))) is not None:
                return date
    return None


def _pdf_date(value: object) -> PartialDate | None:
    text = decode_text(value) if isinstance(value, bytes) else value
    match = _PDF_DATE.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        return PartialDate(year or 0, month, day) if year and year >= 1000 else None
    except ValueError:
        return None
