"""GraphRAG's prompts with the output language written in, still fillable by GraphRAG."""

from __future__ import annotations

from pathlib import Path

from graphrag_lib.index.prompts import (
    community_report_prompt,
    extraction_prompt,
    summary_prompt,
    write_prompts,
)


def test_the_extraction_prompt_asks_for_the_language_and_keeps_names() -> None:
    prompt = extraction_prompt("Russian").format(entity_types="person", input_text="Текст.")

    assert "Write entity and relationship descriptions in Russian" in prompt
    assert "keep entity names as the text writes them" in prompt
    assert "Return output in Russian as a single list" in prompt
    assert "in English" not in prompt
    assert prompt.rstrip().endswith("Text: Текст.\n######################\nOutput:")


def test_the_summary_and_report_prompts_ask_for_the_language() -> None:
    summary = summary_prompt("Russian").format(
        entity_name='"A"', description_list="[]", max_length=10
    )
    report = community_report_prompt("Russian").format(input_text="", max_report_length=100)

    assert "Write the description in Russian.\n#######\n-Data-" in summary
    assert report.count("Write the report in Russian. Limit the total report length to 100") == 2


def test_prompts_are_written_as_utf8_files(tmp_path: Path) -> None:
    files = write_prompts(tmp_path / "prompts", "Русский")

    assert "Return output in Русский" in files.extract_graph.read_text(encoding="utf-8")
    assert files.summarize_descriptions.is_file()
    assert files.community_report.is_file()
