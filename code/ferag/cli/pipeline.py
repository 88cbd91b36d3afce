"""``ferag pipeline FOLDER OUT``: run a folder through every step into Turtle files, with a
progress bar per step. Uses the configured model endpoint, or the offline stand-in in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ferag.settings import RagLanguage, Settings
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.llm import LlmEndpoint


@contextmanager
def llm_endpoint(settings: Settings) -> Iterator[LlmEndpoint]:
    """The configured endpoint, or the offline stand-in served from this process."""

    def endpoint(base_url: str) -> LlmEndpoint:
        return LlmEndpoint(
            base_url=base_url,
            api_key=settings.llm_api_key,
            chat_model=settings.chat_model,
            embedding_model=settings.embedding_model,
            embedding_dim=settings.embedding_dim,
        )

    if settings.llm_base_url:
        yield endpoint(settings.llm_base_url)
        return
    from ferag.llm.standin import create_app

    typer.echo("LLM: the offline model stand-in (deterministic rules, not a model)", err=True)
    with ThreadedServer(create_app(settings.embedding_dim)) as server:
        yield endpoint(f"{server.url}/v1")


def folder_text_sample(folder: Path) -> str:
    """The text of the folder's documents, to detect an ``auto`` language from."""
    from graphrag_lib.documents import UploadLimits
    from graphrag_lib.pipeline import read_folder

    return "\n".join(document.text[:20_000] for document in read_folder(folder, UploadLimits()))


class StepBars:
    """One rich progress bar per pipeline step, fed by ``ProgressCallback`` calls."""

    def __init__(self, progress: Progress, steps: tuple[str, ...]) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {
            step: progress.add_task(step, total=None, start=False, note="") for step in steps
        }

    def __call__(self, step: str) -> Any:
        task = self.tasks[step]
        self.progress.start_task(task)

        def report(
            done: int, total: int | None, message: str = "", data: dict[str, Any] | None = None
        ) -> None:
            self.progress.update(task, completed=done, total=total, note=message[:60])

        return report


def pipeline(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Documents.")],
    out: Annotated[Path, typer.Argument(file_okay=False, help="Where the .ttl files go.")],
    rag: Annotated[str, typer.Option(help="RAG id used in the minted IRIs.")] = "local",
    language: Annotated[
        RagLanguage | None,
        typer.Option(
            help="Language of the documents, descriptions and ontology labels (auto: detect "
            "from the documents); default: FERAG_RAG_LANGUAGE."
        ),
    ] = None,
) -> None:
    """Run FOLDER through documents → index → to_rdf → schema → merge into OUT/*.ttl."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ferag.cli.main import _settings
    from ferag.cycle.configs import RagChoices, stage_configs
    from graphrag_lib.pipeline import STEPS, run_pipeline
    from graphrag_lib.vocab import RagIris

    settings = _settings(None)
    detect = (language or settings.rag_language) == "auto"
    sample = folder_text_sample(folder) if detect else None
    configs = stage_configs(settings, RagChoices(language=language), sample)
    typer.echo(f"language: {configs.language} ({configs.language_source})", err=True)
    columns = (
        TextColumn("{task.description:>9}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with llm_endpoint(settings) as endpoint, Progress(*columns) as progress:
        result = run_pipeline(
            folder,
            out,
            endpoint,
            RagIris(str(settings.base_iri), rag),
            StepBars(progress, STEPS),
            index_options=configs.index,
            schema_config=configs.schema,
            merge_config=configs.merge,
        )
    typer.echo(
        f"{result.documents} documents → "
        + ", ".join(f"{name} ({n} triples)" for name, n in result.triples.items())
    )
