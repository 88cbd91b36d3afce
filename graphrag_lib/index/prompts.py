"""GraphRAG 3.3.0's indexing prompts with the output language written into them.

GraphRAG reads a prompt from the file its config names (``extract_graph.prompt``,
``summarize_descriptions.prompt``, ``community_reports.graph_prompt``) and fills it with
``str.format``, so the additions below contain no braces. Only the language sentences change;
the formats GraphRAG parses (tuple delimiters, report JSON) stay as GraphRAG wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from graphrag.prompts.index.community_report import COMMUNITY_REPORT_PROMPT
from graphrag.prompts.index.extract_graph import GRAPH_EXTRACTION_PROMPT
from graphrag.prompts.index.summarize_descriptions import SUMMARIZE_PROMPT

_EXTRACTION_LANGUAGE = "3. Return output in English as a single list"
_SUMMARY_DATA = "#######\n-Data-"
_REPORT_LIMIT = "Limit the total report length to {max_report_length} words."


@dataclass(frozen=True)
class PromptFiles:
    """Where the written prompts are."""

    extract_graph: Path
    summarize_descriptions: Path
    community_report: Path


def extraction_prompt(language: str) -> str:
    return _replace_once(
        GRAPH_EXTRACTION_PROMPT,
        _EXTRACTION_LANGUAGE,
        f"3. Write entity and relationship descriptions in {language}; keep entity names "
        f"as the text writes them. Return output in {language} as a single list",
    )


def summary_prompt(language: str) -> str:
    return _replace_once(
        SUMMARIZE_PROMPT, _SUMMARY_DATA, f"Write the description in {language}.\n{_SUMMARY_DATA}"
    )


def community_report_prompt(language: str) -> str:
    return COMMUNITY_REPORT_PROMPT.replace(
        _REPORT_LIMIT, f"Write the report in {language}. {_REPORT_LIMIT}"
    )


def write_prompts(folder: Path, language: str) -> PromptFiles:
    """The three prompts for ``language`` as UTF-8 files in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = PromptFiles(
        folder / "extract_graph.txt",
        folder / "summarize_descriptions.txt",
        folder / "community_report_graph.txt",
    )
    files.extract_graph.write_text(extraction_prompt(language), encoding="utf-8")
    files.summarize_descriptions.write_text(summary_prompt(language), encoding="utf-8")
    files.community_report.write_text(community_report_prompt(language), encoding="utf-8")
    return files


def _replace_once(prompt: str, anchor: str, replacement: str) -> str:
    if prompt.count(anchor) != 1:  # GraphRAG changed its prompt: fail loudly, not silently
        raise RuntimeError(f"GraphRAG prompt no longer contains {anchor!r} exactly once")
    return prompt.replace(anchor, replacement)
