"""PDF → text of its text layer with pdfminer.six; pages are separated by a blank line.

A scanned PDF has no text layer and comes out empty (the caller refuses it as ``EmptyDocument``
with a hint to run OCR); there is no OCR here.
"""

from __future__ import annotations

import io
import logging

from pdfminer.high_level import extract_text as pdfminer_extract_text
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from graphrag_lib.documents.errors import UnreadableDocument
from graphrag_lib.documents.formats.extracted import Extracted
from graphrag_lib.documents.normalise import tidy_layout

logger = logging.getLogger(__name__)


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
