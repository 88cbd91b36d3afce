"""GraphRAG's LLM cache keys at a fraction of their cost, byte for byte the same keys.

GraphRAG 3.3.0 keys every cached model request by ``sha256(yaml.dump(request, sort_keys=True))``
(``graphrag_common.hasher.hash_data``, called from ``graphrag_cache.cache_key``). PyYAML's
pure-Python emitter walks the request one character at a time, twice (``analyze_scalar``, then
``write_double_quoted``): ≈15 ms for a 28k-character extraction prompt, most of the worker's
CPU on a cached or instant-model run. Its C emitter (``yaml.CDumper``) is 40 times faster but folds
long double-quoted lines differently, so its keys differ and every existing cache would miss.

``FastDumper`` is PyYAML's own ``Dumper`` with those two methods rewritten to work on runs of
characters (regular expressions, ``str.find``, ``str.translate``) instead of single characters,
producing identical output; so every key stays what it was and existing caches stay valid with
no migration. The other scalar writers are PyYAML's.

GraphRAG has no setting for the key function (its index workflows pass their own
``cache_key_creator`` to ``create_completion``), so ``install()`` replaces the one function they
all end in, ``graphrag_cache.cache_key.hash_data``; ``graphrag_lib.index`` calls it on import.
``legacy_cache_keys()`` puts GraphRAG's own back for a block (tests compare the two).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import graphrag_cache.cache_key
import numpy as np
import yaml
from graphrag_common.hasher import hash_data as graphrag_hash_data
from graphrag_common.hasher import make_yaml_serializable, sha256_hasher

# The namespace GraphRAG's cache keys look ``hash_data`` up in, on every key.
_KEY_MODULE = vars(graphrag_cache.cache_key)
# The rewrite reproduces this PyYAML's emitter; another version keeps GraphRAG's own hasher.
VERIFIED_PYYAML = "6.0.3"

_WHITESPACE = "\0 \t\r\n\x85\u2028\u2029"
_BREAKS = "\n\x85\u2028\u2029"
_LEADING_INDICATORS = "#,[]{}&*!|>'\"%@`"
# Indicators that matter anywhere after the first character (analyze_scalar's loop, as runs).
_FLOW_INDICATOR = re.compile(r"[,?\[\]{}:]")
_BLOCK_COLON = re.compile("\\:(?=[\\0 \\t\\r\\n\\x85\\u2028\\u2029]|\\Z)")
_COMMENT = re.compile("[\\0 \\t\\r\\n\\x85\\u2028\\u2029]#")
_LINE_BREAK = re.compile("[\\n\\x85\\u2028\\u2029]")
_SPECIAL = re.compile("[^\\n\\x20-\\x7e]")
_SPECIAL_WITH_UNICODE = re.compile(
    "[^\\n\\x20-\\x7e\\x85\\xa0-\\ud7ff\\ue000-\\ufffd\\U00010000-\\U0010fffe]|\\ufeff"
)
_BREAK_SPACE = re.compile("[\\n\\x85\\u2028\\u2029] ")
_SPACE_BREAK = re.compile(" [\\n\\x85\\u2028\\u2029]")
_BREAK_RUN = re.compile("[\\n\\x85\\u2028\\u2029]+")
_LONE_SPACE = re.compile("(?<! ) (?! )")


class _Escapes(dict[int, str]):
    """str.translate table: a code point → itself or its escape in a double-quoted scalar
    (allow_unicode off: every character outside printable ASCII is escaped), memoised; the
    escape starts with ``marker`` (a backslash, or NUL where escape starts must be found)."""

    def __init__(self, marker: str) -> None:
        super().__init__({c: chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"\\'})
        self.marker = marker

    def __missing__(self, code: int) -> str:
        char = chr(code)
        short = yaml.emitter.Emitter.ESCAPE_REPLACEMENTS.get(char)
        if short is not None:
            escape = short
        elif code <= 0xFF:
            escape = f"x{code:02X}"
        elif code <= 0xFFFF:
            escape = f"u{code:04X}"
        else:
            escape = f"U{code:08X}"
        self[code] = self.marker + escape
        return self[code]


_MARKER = "\0"  # escaped itself, so in escaped text it marks where escapes start
_MARKED = _Escapes(_MARKER)
_OTHER_CONTROLS = re.compile("[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]")
# Non-ASCII characters and what upper() leaves alone between them: one backslashreplace each.
_NON_ASCII_RUN = re.compile('[^\\x00-\\x7f][^A-Za-z\\x00-\\x1f\\x7f"\\\\]*')
_UNUSUAL = re.compile("[\\x85\\xa0\\u2028\\u2029\\U00010000-\\U0010ffff]")


def _escape_marked(text: str) -> str:
    """``text`` as a double-quoted scalar writes it (allow_unicode off), each escape starting
    with ``_MARKER`` instead of a backslash; C string operations, not a loop a character."""
    if _OTHER_CONTROLS.search(text):
        return text.translate(_MARKED)
    marked = text.replace("\\", _MARKER + "\\").replace('"', _MARKER + '"')
    marked = marked.replace("\n", _MARKER + "n").replace("\t", _MARKER + "t")
    marked = marked.replace("\r", _MARKER + "r")
    if not marked.isascii():
        marked = _NON_ASCII_RUN.sub(_escape_run, marked)
    return marked


def _escape_run(match: re.Match[str]) -> str:
    run = match.group()
    if _UNUSUAL.search(run):
        return run.translate(_MARKED)
    # \\xab, \\u043f → \\xAB, \\u043F: the run holds no ASCII letter of its own
    escaped = run.encode("ascii", "backslashreplace").decode("ascii").upper()
    return escaped.replace("\\X", _MARKER + "x").replace("\\U", _MARKER + "u")


class FastDumper(yaml.Dumper):  # type: ignore[misc]  # PyYAML ships no type hints
    """``yaml.Dumper`` with output identical to it, scanning runs of characters, not each one."""

    # PyYAML's emitter state that these methods write (the emitter has no type hints)
    column: int
    line: int
    whitespace: bool
    indention: bool
    open_ended: bool

    def analyze_scalar(self, scalar: str) -> Any:
        """PyYAML's ``Emitter.analyze_scalar``: the same flags, from regular expressions."""
        if not scalar:
            return super().analyze_scalar(scalar)
        first = scalar[0]
        followed_by_space = len(scalar) == 1 or scalar[1] in _WHITESPACE
        flow = block = scalar.startswith(("---", "..."))
        if first in _LEADING_INDICATORS or (first == "-" and followed_by_space):
            flow = block = True
        elif first in "?:":
            flow = True
            block = block or followed_by_space
        if _COMMENT.search(scalar):
            flow = block = True
        flow = flow or _FLOW_INDICATOR.search(scalar, 1) is not None
        block = block or _BLOCK_COLON.search(scalar, 1) is not None
        special = (_SPECIAL_WITH_UNICODE if self.allow_unicode else _SPECIAL).search(scalar)
        # a space before a break, or a special character: double quotes only
        double_only = special is not None or _SPACE_BREAK.search(scalar) is not None
        # a space after a break: block scalars or double quotes
        break_space = _BREAK_SPACE.search(scalar) is not None
        line_breaks = _LINE_BREAK.search(scalar) is not None
        edge_space = first == " " or scalar[-1] == " "
        edge_break = first in _BREAKS or scalar[-1] in _BREAKS
        plain = not (edge_space or edge_break or double_only or break_space or line_breaks)
        return yaml.emitter.ScalarAnalysis(
            scalar=scalar,
            empty=False,
            multiline=line_breaks,
            allow_flow_plain=plain and not flow,
            allow_block_plain=plain and not block,
            allow_single_quoted=not (double_only or break_space),
            allow_double_quoted=True,
            allow_block=not double_only and scalar[-1] != " ",
        )

    def write_double_quoted(self, text: str, split: bool = True) -> None:
        """PyYAML's ``Emitter.write_double_quoted``: the same escapes and the same folds."""
        indent = self.indent or 0
        if self.encoding or self.allow_unicode or 2 * indent + 2 >= self.best_width:
            super().write_double_quoted(text, split)
            return
        self.write_indicator('"', True)
        fold = "\\" + self.best_line_break + " " * indent
        output, self.column, lines = _double_quoted(
            text, self.column, self.best_width, indent, fold, split
        )
        self.line += lines
        self.stream.write(output)
        self.write_indicator('"', False)

    def write_single_quoted(self, text: str, split: bool = True) -> None:
        """PyYAML's ``Emitter.write_single_quoted``: quotes doubled, the same folds."""
        indent = self.indent or 0
        if self.encoding or 2 * indent + 2 >= self.best_width:
            super().write_single_quoted(text, split)
            return
        self.write_indicator("'", True)
        quoted = text.replace("'", "''")
        parts: list[str] = []
        column, line_start = self.column, 0
        for run in _BREAK_RUN.finditer(quoted):
            at, end = run.span()
            column = self._fold_at_spaces(quoted, line_start, at, column, split, parts)
            breaks = run.group()
            parts.append(self.best_line_break if breaks[0] == "\n" else "")
            parts.append("".join(self.best_line_break if b == "\n" else b for b in breaks))
            parts.append(" " * indent)
            self.line += len(breaks) + (breaks[0] == "\n")
            column, line_start = indent, end
        column = self._fold_at_spaces(quoted, line_start, len(quoted), column, split, parts)
        self.column = column
        self.stream.write("".join(parts))
        self.write_indicator("'", False)

    def write_plain(self, text: str, split: bool = True) -> None:
        """PyYAML's ``Emitter.write_plain`` for one-line scalars (the only kind it emits)."""
        if self.encoding or not text or _LINE_BREAK.search(text):
            super().write_plain(text, split)
            return
        if self.root_context:
            self.open_ended = True
        if not self.whitespace:
            self.stream.write(" ")
            self.column += 1
        self.whitespace = self.indention = False
        parts: list[str] = []
        self.column = self._fold_at_spaces(text, 0, len(text), self.column, split, parts, True)
        self.stream.write("".join(parts))

    def _fold_at_spaces(
        self,
        text: str,
        start: int,
        end: int,
        column: int,
        split: bool,
        parts: list[str],
        plain: bool = False,
    ) -> int:
        """Append text[start:end] (no line breaks in it) to ``parts``, a line break in place of
        each lone space PyYAML folds at: the first one once the line is past ``best_width``
        (never the first or the last character of a quoted scalar). The column after it."""
        indent = self.indent or 0
        newline = self.best_line_break + " " * indent
        last = len(text) - 1
        while split:
            first = max(start + self.best_width - column + 1, start, 0 if plain else 1)
            space = _LONE_SPACE.search(text, first, end)
            if space is None or (not plain and space.start() == last):
                break
            parts.append(text[start : space.start()])
            parts.append(newline)
            self.line += 1
            column, start = indent, space.end()
        parts.append(text[start:end])
        return column + end - start


def _double_quoted(
    text: str, column: int, width: int, indent: int, fold: str, split: bool
) -> tuple[str, int, int]:
    """``text`` escaped and folded as PyYAML writes it from ``column``: (output, column after
    it, line breaks in it).

    PyYAML decides after every character whether to fold the line: at a space, or at the
    character after an escape, once the line is past ``width`` before it; at an escaped
    character once the line is past ``width`` + 1 after it; never at the first or the last
    character. Each such place gets one value (where it would push the line past the width),
    increasing along the text, so each fold is one binary search.
    """
    marked = _escape_marked(text)
    if not split or column + len(marked) - 1 <= width:
        return marked.replace(_MARKER, "\\"), column + len(marked), 0
    values, resumes = _fold_candidates(marked)
    parts: list[str] = []
    base = lines = index = 0  # marked[:base] is in parts
    while True:
        index = bisect.bisect_right(values, width - column + base, index)
        if index == len(values):
            break
        resume = resumes[index]  # where the next line starts
        parts.append(marked[base:resume])
        parts.append(fold)
        lines += 1
        column, base, index = indent, resume, index + 1
        if marked[resume] == " ":
            parts.append("\\")
            column += 1
    parts.append(marked[base:])
    return "".join(parts).replace(_MARKER, "\\"), column + len(marked) - base, lines


def _fold_candidates(marked: str) -> tuple[list[int], list[int]]:
    """Where PyYAML may fold an escaped text: the values (a fold there once the line's offset
    in ``marked`` passes it) and, for each, where the next line starts; sorted by value."""
    data = np.frombuffer(marked.encode("ascii"), dtype=np.uint8)
    size = len(data)
    starts = np.flatnonzero(data == 0)
    kinds = data[np.minimum(starts + 1, size - 1)]
    ends = starts + np.where(kinds == 0x78, 4, np.where(kinds == 0x75, 6, 2))  # \\x, \\u
    ends = np.where(kinds == 0x55, starts + 10, ends)  # \\U
    last = starts[-1] if len(starts) and ends[-1] == size else size - 1  # the last character
    spaces = np.flatnonzero(data == 0x20)
    spaces = spaces[(spaces != 0) & (spaces != last)]
    inside = (starts != 0) & (ends != size)
    escapes, escape_ends = ends[inside] - 1, ends[inside]
    after = ends[ends < size]
    after = after[(data[after] != 0) & (after != last)]
    values = np.concatenate((spaces, escapes, after))
    resumes = np.concatenate((spaces, escape_ends, after))
    order = np.argsort(values, kind="stable")
    return values[order].tolist(), resumes[order].tolist()


def fast_hash_data(data: Any, *, hasher: Callable[[str], str] | None = None) -> str:
    """``graphrag_common.hasher.hash_data`` with ``FastDumper``: the same key, sooner."""
    hasher = hasher or sha256_hasher
    try:
        return hasher(yaml.dump(data, sort_keys=True, Dumper=FastDumper))
    except TypeError:
        serializable = make_yaml_serializable(data)
        return hasher(yaml.dump(serializable, sort_keys=True, Dumper=FastDumper))


def install() -> bool:
    """Make GraphRAG's cache keys with ``fast_hash_data``; False (and nothing changed) when
    PyYAML is not the version the rewrite reproduces."""
    if yaml.__version__ != VERIFIED_PYYAML:
        return False
    _KEY_MODULE["hash_data"] = fast_hash_data
    return True


def installed_hasher() -> Callable[..., str]:
    """The function GraphRAG's cache keys are made with now."""
    hasher: Callable[..., str] = _KEY_MODULE["hash_data"]
    return hasher


@contextmanager
def legacy_cache_keys() -> Iterator[None]:
    """GraphRAG's own (slow) cache keys inside the block."""
    current = _KEY_MODULE["hash_data"]
    _KEY_MODULE["hash_data"] = graphrag_hash_data
    try:
        yield
    finally:
        _KEY_MODULE["hash_data"] = current
