"""HTML → readable text: headings and paragraphs on their own lines, list items as ``- item``,
table rows as ``cell | cell``; scripts, styles, navigation and comments dropped.

The page's own ``<meta charset>`` (or XML declaration) is honoured when its bytes agree with it.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString
from bs4.filter import SoupStrainer

from graphrag_lib.documents.dates import PartialDate
from graphrag_lib.documents.encodings import decode_text
from graphrag_lib.documents.formats.extracted import Extracted
from graphrag_lib.documents.normalise import tidy_layout

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)"""
    rb"""|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_DROPPED = ["script", "style", "nav", "noscript", "template", "head", "svg", "iframe", "object"]
_BLOCKS = [
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "main", "ol", "p", "pre", "section", "summary", "table", "ul",
]  # fmt: skip
_WHITESPACE = re.compile(r"\s+")
# <meta name|property|itemprop=…> naming the publication date, in preference order. A bare
# <time datetime> is left out: in a page body it dates whatever the sentence talks about (an
# event, a comment), not the page; only <time pubdate> / itemprop=datePublished date the page.
_META_DATES = (
    "article:published_time", "dcterms.date", "dc.date", "date", "dcterms.issued",
    "dcterms.created", "datepublished", "og:published_time",
)  # fmt: skip


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in its first 4 KiB, as written."""
    match = _DECLARED_CHARSET.search(data[:4096])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def extract_html(path: str, data: bytes) -> Extracted:
    markup, encoding = decode_text(path, data, declared=declared_charset(data))
    soup = BeautifulSoup(markup, "html.parser")
    title = _title(soup)
    for tag in soup.find_all(_DROPPED):
        tag.decompose()
    _collapse_whitespace(soup)
    _mark_structure(soup)
    return Extracted(tidy_layout(soup.get_text()), encoding, title)


def _title(soup: BeautifulSoup) -> str | None:
    for tag in (soup.title, soup.find("h1")):
        if isinstance(tag, Tag) and (text := tag.get_text(" ", strip=True)):
            return _WHITESPACE.sub(" ", text)
    return None


def _collapse_whitespace(soup: BeautifulSoup) -> None:
    """Source line breaks inside a paragraph are spaces, as a browser renders them."""
    for string in soup.find_all(string=True):
        if type(string) is NavigableString and string.find_parent("pre") is None:
            string.replace_with(_WHITESPACE.sub(" ", str(string)))


def _mark_structure(soup: BeautifulSoup) -> None:
    for row in soup.find_all("tr"):
        cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["td", "th"])]
        row.replace_with(" | ".join(cell for cell in cells if cell) + "\n")
    for item in soup.find_all("li"):
        item.insert_before("\n- ")
    for line_break in soup.find_all("br"):
        line_break.replace_with("\n")
    for block in soup.find_all(_BLOCKS):
        block.insert_before("\n\n")
        block.insert_after("\n\n")


def html_meta_date(path: str, data: bytes) -> PartialDate | None:
    """The date a page gives itself: ``<meta name="date|dcterms.date|…" content>`` or
    ``<meta property="article:published_time">``, else ``<time pubdate>`` /
    ``<time itemprop="datePublished">``."""
    markup, _ = decode_text(path, data, declared=declared_charset(data))
    soup = BeautifulSoup(markup, "html.parser", parse_only=SoupStrainer(["meta", "time"]))
    named: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = meta.get("name") or meta.get("property") or meta.get("itemprop")
        if isinstance(key, str) and isinstance(content := meta.get("content"), str):
            named.setdefault(key.strip().lower(), content)
    for key in _META_DATES:
        if key in named and (date := PartialDate.parse(named[key])) is not None:
            return date
    for time in soup.find_all("time"):
        if time.has_attr("pubdate") or time.get("itemprop") == "datePublished":
            value = time.get("datetime")
            if isinstance(value, str) and (date := PartialDate.parse(value)) is not None:
                return date
    return None
