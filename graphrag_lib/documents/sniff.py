"""A file's format: its extension names it, its first bytes must not contradict it."""

from __future__ import annotations

from graphrag_lib.documents.errors import EmptyDocument, UnsupportedFormat
from graphrag_lib.documents.paths import extension

FORMATS = {
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md", ".html": "html",
    ".htm": "html", ".pdf": "pdf", ".docx": "docx", ".json": "json", ".csv": "csv", ".tsv": "csv",
}  # fmt: skip
TEXT_FORMATS = frozenset({"txt", "md", "html", "json", "csv"})
ARCHIVE_EXTENSIONS = frozenset({".zip"})
SUPPORTED = "txt, md, html, pdf, docx, json and csv files, or a zip of them"

# (magic bytes, what the content is, the extension it would have if we read it)
_MAGIC: tuple[tuple[bytes, str, str | None], ...] = (
    (b"%PDF-", "PDF document", ".pdf"),
    (b"PK\x03\x04", "ZIP archive or Office document", None),
    (b"PK\x05\x06", "ZIP archive", ".zip"),
    (b"\x7fELF", "Linux executable", None),
    (b"\xcf\xfa\xed\xfe", "macOS executable", None),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "legacy Office document (.doc, .xls, .ppt)", None),
    (b"\x89PNG\r\n\x1a\n", "PNG image", None),
    (b"\xff\xd8\xff", "JPEG image", None),
    (b"GIF87a", "GIF image", None),
    (b"GIF89a", "GIF image", None),
    (b"\x1f\x8b\x08", "gzip archive", None),
    (b"Rar!\x1a\x07", "RAR archive", None),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive", None),
    (b"{\\rtf", "RTF document", None),
)
_CONVERT_HINTS = {
    ".doc": "Open it in Word and save it as .docx",
    ".rtf": "Open it in Word and save it as .docx",
    ".odt": "Save it as .docx",
    ".xls": "Save each sheet as .csv",
    ".xlsx": "Save each sheet as .csv",
    ".pptx": "Export it as PDF",
    ".rar": "Re-pack it as a .zip",
    ".7z": "Re-pack it as a .zip",
    ".gz": "Unpack it, or re-pack it as a .zip",
}


def sniff(data: bytes) -> tuple[str, str | None] | None:
    """What the content's leading bytes say it is, and its extension if we support it."""
    if data.startswith(b"MZ") and b"\x00" in data[:64]:
        return "Windows executable", None
    for magic, kind, ext in _MAGIC:
        if data.startswith(magic):
            return kind, ext
    if b"%PDF-" in data[:1024]:  # the PDF spec lets a few bytes of junk precede the header
        return "PDF document", ".pdf"
    return None


def format_of(path: str, data: bytes) -> str:
    """The document's format (``txt``, ``md``, ``html``, ``pdf``, ``docx``, ``json``, ``csv``)."""
    ext = extension(path)
    fmt = FORMATS.get(ext)
    if fmt is None:
        what = f"'{ext}' files are" if ext else "files without an extension are"
        fix = _CONVERT_HINTS.get(ext, "Convert it to one of those or leave it out")
        raise UnsupportedFormat(path, f"{what} not supported (supported: {SUPPORTED})", fix)
    if not data:
        raise EmptyDocument(path, "the file is empty (0 bytes)", "Leave it out or upload it again")
    found = sniff(data)
    expected = {"pdf": "PDF document", "docx": "ZIP archive or Office document"}.get(fmt)
    if (found[0] if found else None) != expected:
        raise _mismatch(path, ext, found)
    return fmt


def _mismatch(path: str, ext: str, found: tuple[str, str | None] | None) -> UnsupportedFormat:
    if found is None:
        return UnsupportedFormat(
            path,
            f"the file is named {ext} but its content is not a {ext} file",
            "Upload the original file, or give it the extension of what it really is",
        )
    kind, real_ext = found
    fix = (
        f"Rename it to {real_ext}"
        if real_ext
        else "Leave it out or convert it to a supported format"
    )
    if kind.startswith("legacy Office") and ext == ".docx":
        fix = _CONVERT_HINTS[".doc"]
    return UnsupportedFormat(path, f"the file is named {ext} but its content is a {kind}", fix)
