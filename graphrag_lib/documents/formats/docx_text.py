"""DOCX → its paragraphs and table rows (``cell | cell``), in document order, with the stdlib.

Only the main document part is read (no headers, footers, comments or footnotes); deleted
revisions and field codes are left out. A .docx is a zip: its parts are read with a size cap, and
the XML is parsed with defusedxml, which refuses entity declarations (billion-laughs) and external
references.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from graphrag_lib.documents.dates import PartialDate
from graphrag_lib.documents.errors import ArchiveTooLarge, UnreadableDocument
from graphrag_lib.documents.formats.extracted import Extracted
from graphrag_lib.documents.normalise import tidy_layout
from graphrag_lib.documents.zipsafe import ZIP_READ_ERRORS, read_capped

_MAIN_PART = "word/document.xml"
_RESAVE = "Open it in Word, save it again as .docx and upload the new file"
_CORE_DATES = ("created", "modified")  # preference order
_SKIPPED = frozenset({"pPr", "rPr", "sectPr", "tblPr", "tblGrid", "trPr", "tcPr"})


def extract_docx(path: str, data: bytes, max_part_bytes: int) -> Extracted:
    """``max_part_bytes`` caps how far one XML part may expand."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            main_name = _main_part_name(path, package, max_part_bytes)
            main = _read_xml(path, package, main_name, max_part_bytes)
            title = _core_title(path, package, max_part_bytes)
        text = "\n\n".join(block for block in _blocks(main) if block.strip())
    except RecursionError as err:  # before ZIP_READ_ERRORS, which holds its base RuntimeError
        raise UnreadableDocument(path, "the .docx is nested too deeply to read", _RESAVE) from err
    except ZIP_READ_ERRORS as err:
        raise UnreadableDocument(path, "the .docx package is damaged", _RESAVE) from err
    return Extracted(tidy_layout(text), None, title)


def _main_part_name(path: str, package: zipfile.ZipFile, cap: int) -> str:
    """The part ``_rels/.rels`` names as the office document (``word/document.xml`` normally)."""
    if "_rels/.rels" in package.namelist():
        for rel in _read_xml(path, package, "_rels/.rels", cap).iter():
            if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith(
                "/officeDocument"
            ):
                return str(rel.get("Target", _MAIN_PART)).lstrip("/")
    return _MAIN_PART


def docx_core_date(path: str, data: bytes, max_part_bytes: int) -> PartialDate | None:
    """The package's ``dcterms:created`` date, else ``dcterms:modified`` (core properties)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        if "docProps/core.xml" not in package.namelist():
            return None
        core = _read_xml(path, package, "docProps/core.xml", max_part_bytes)
    found = {_local(e.tag): (e.text or "") for e in core.iter() if _local(e.tag) in _CORE_DATES}
    for name in _CORE_DATES:
        if (date := PartialDate.parse(found.get(name, ""))) is not None:
            return date
    return None


def _core_title(path: str, package: zipfile.ZipFile, cap: int) -> str | None:
    if "docProps/core.xml" not in package.namelist():
        return None
    for element in _read_xml(path, package, "docProps/core.xml", cap).iter():
        if _local(element.tag) == "title" and element.text and element.text.strip():
            return str(element.text).strip()
    return None


def _read_xml(path: str, package: zipfile.ZipFile, name: str, cap: int) -> Any:
    try:
        info = package.getinfo(name)
    except KeyError as err:
        raise UnreadableDocument(path, f"the .docx has no {name} part", _RESAVE) from err
    data = read_capped(package, info, cap) if info.file_size <= cap else None
    if data is None:
        raise ArchiveTooLarge(
            path, f"the .docx part {name} expands beyond {cap} bytes", "Split the document"
        )
    try:
        return SafeET.fromstring(data)
    except DefusedXmlException as err:
        raise UnreadableDocument(
            path,
            f"the .docx part {name} declares XML entities, which are refused for safety",
            _RESAVE,
        ) from err
    except SafeET.ParseError as err:
        raise UnreadableDocument(path, f"the .docx part {name} is not valid XML", _RESAVE) from err


def _local(tag: Any) -> str:
    """Tag name without its namespace, so Transitional and Strict OOXML read alike."""
    return str(tag).rsplit("}", 1)[-1]


def _blocks(element: Any) -> Iterator[str]:
    for child in element:
        name = _local(child.tag)
        if name == "p":
            yield "".join(_run_text(child))
        elif name == "tbl":
            yield "\n".join(_table_rows(child))
        elif name not in _SKIPPED:
            yield from _blocks(child)


def _table_rows(table: Any) -> Iterator[str]:
    for row in table:
        if _local(row.tag) == "tr":
            cells = (" ".join(_blocks(cell)) for cell in row if _local(cell.tag) == "tc")
            yield " | ".join(" ".join(cell.split()) for cell in cells if cell.strip())


def _run_text(element: Any) -> Iterator[str]:
    for child in element:
        name = _local(child.tag)
        if name == "t":
            yield child.text or ""
        elif name == "tab":
            yield "\t"
        elif name in ("br", "cr"):
            yield "\n"
        elif name not in _SKIPPED:
            yield from _run_text(child)
