"""Citations: the ``[n]`` markers of an answer, resolved to the context's references."""

from __future__ import annotations

import re

from graphrag_lib.retrieve.facts import Reference, RetrievedContext

_CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
FOOTER_HEADING = "Sources:"


def cited_numbers(answer: str) -> list[int]:
    """Numbers cited as ``[1]``, ``[2][3]`` or ``[2, 3]``, in order of first citation."""
    numbers: dict[int, None] = {}
    for group in _CITATION.findall(answer):
        for number in re.findall(r"\d+", group):
            numbers.setdefault(int(number))
    return list(numbers)


def resolve_citations(answer: str, context: RetrievedContext) -> tuple[list[Reference], list[int]]:
    """The references the answer cites, and the cited numbers that resolve to none."""
    resolved, unknown = [], []
    for number in cited_numbers(answer):
        reference = context.reference(number)
        if reference is None:
            unknown.append(number)
        else:
            resolved.append(reference)
    return resolved, unknown


def sources_footer(references: list[Reference]) -> str:
    """A plain-text list of cited sources, for clients that show only the message text."""
    if not references:
        return ""
    lines = [f"[{r.number}] {r.location()}" for r in references]
    return f"\n\n{FOOTER_HEADING}\n" + "\n".join(lines)


def strip_sources_footer(text: str) -> str:
    """``text`` without a footer added by ``sources_footer`` (when it comes back as history)."""
    head, separator, _ = text.partition(f"\n\n{FOOTER_HEADING}\n")
    return head if separator else text
