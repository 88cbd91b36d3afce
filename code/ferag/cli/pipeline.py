"""``ferag pipeline FOLDER OUT``: run a folder through every step of the update cycle into Turtle
files, with a progress bar per step, then apply the change set to ``OUT/production.ttl`` (the
command line's approval). Runs the same steps as the worker (``graphrag_lib.pipeline.STEPS``)
on a folder instead of the service's storage. Uses the configured model endpoint, or the offline
stand-in in-process."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from ferag.cli.options import cli_settings
from ferag.settings import RagLanguage, Settings
from ferag.stack.threaded import ThreadedServer
from graphrag_lib.llm import LlmEndpoint
from graphrag_lib.progress import ProgressCallback


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


class StepBars:
    """One rich progress bar per pipeline step, fed by ``ProgressCallback`` calls."""

    def __init__(self, progress: Progress, steps: tuple[str, ...]) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {
            step: progress.add_task(step, total=None, start=False, note="") for step in steps
        }

    def __call__(self, step: str) -> ProgressCallback:
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
    """Run FOLDER through every step of the update cycle into OUT/*.ttl and merge the change set
    into OUT/production.ttl."""
    os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from ferag.cycle.configs import SAMPLE_CHARS_PER_DOCUMENT, RagChoices, stage_configs
    from graphrag_lib.documents import UploadLimits
    from graphrag_lib.folder import FolderStorage, read_folder
    from graphrag_lib.llm import OpenAILikeChat
    from graphrag_lib.pipeline import STEP_NAMES, CycleRun, run_steps
    from graphrag_lib.vocab import RagIris

    settings = cli_settings(None)
    iris = RagIris(str(settings.base_iri), rag)
    documents = read_folder(folder, UploadLimits())
    typer.echo(f"{len(documents)} documents", err=True)
    sample = "\n".join(d.text[:SAMPLE_CHARS_PER_DOCUMENT] for d in documents)
    configs = stage_configs(settings, RagChoices(language=language), sample)
    typer.echo(f"language: {configs.language} ({configs.language_source})", err=True)
    storage = FolderStorage(documents, out, iris)
    columns = (
        TextColumn("{task.description:>9}"),
        BarColumn(),
        TextColumn("{task.completed}"),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with llm_endpoint(settings) as endpoint, Progress(*columns) as progress:

        def make_run(
            report: ProgressCallback, earlier: Mapping[str, Mapping[str, Any]]
        ) -> CycleRun:
            return CycleRun(
                storage=storage,
                iris=iris,
                index=configs.index_config(endpoint, out / "cache"),
                schema=configs.schema,
                merge=configs.merge,
                chat=lambda: OpenAILikeChat(endpoint),
                progress=report,
                earlier=earlier,
            )

        outcomes = run_steps(make_run, StepBars(progress, STEP_NAMES))
    for name, outcome in outcomes.items():
        counts = ", ".join(f"{key} {value}" for key, value in outcome.stats.items())
        typer.echo(f"{name}: {counts}", err=True)
        for warning in outcome.warnings:
            typer.echo(f"{name}: warning: {warning}", err=True)
    written = storage.approve()
    typer.echo(
        f"{len(documents)} documents → "
        + ", ".join(f"{name} ({n} triples)" for name, n in written.items())
    )
