"""Pages of update cycles: upload, a cycle's progress and event log, and the review of its
change set (read through ``ferag.services.diff``, one section page at a time)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from ferag.api.deps import DbDep, SettingsDep, StoreDep, rag_iris
from ferag.api.params import CycleId
from ferag.cycle import lifecycle
from ferag.db.models import Cycle, CycleKind, CycleStatus
from ferag.events import history
from ferag.services import cycles, diff, diff_graph
from ferag.services.diff_models import CycleDiffPublic, DiffSection
from ferag.web.deps import PageRoute, RagEditorPage, RagPage, RagViewerPage
from graphrag_lib.pipeline import STEP_NAMES

router = APIRouter(prefix="/ui/rags/{rag_id}", route_class=PageRoute)

EVENTS_SHOWN = 200
PAGE_SIZE = 50
ACTIVE = (CycleStatus.pending, CycleStatus.running)


@router.get("/upload")
def upload_page(access: RagEditorPage, settings: SettingsDep) -> Response:
    limits = {
        "files": settings.max_upload_files,
        "document": settings.max_document_bytes,
        "expanded": settings.max_archive_expanded_bytes,
        "request": settings.max_upload_bytes,
    }
    return access.render("upload.html", {"limits": limits})


@router.get("/cycles/{cycle_id}")
def cycle_page(cycle_id: CycleId, access: RagViewerPage, db: DbDep) -> Response:
    cycle = cycles.get_cycle(db, access.rag.id, cycle_id)
    task = cycles.cycle_task(db, cycle)
    last = history.last_seq(db, task.id)
    events = history.events_after(db, task.id, max(0, last - EVENTS_SHOWN), EVENTS_SHOWN)
    latest = {event.step: event for event in history.latest_per_step(db, task.id)}
    context = {
        "cycle": cycle,
        "task": task,
        "events": events,
        "last_seq": last,
        "latest": latest,
        "step_names": STEP_NAMES,
        "is_active": cycle.status in ACTIVE,
    }
    return access.render("cycle.html", context)


@router.get("/cycles/{cycle_id}/review")
def review_page(
    cycle_id: CycleId,
    access: RagViewerPage,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    section: DiffSection | None = None,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    cycle = cycles.get_cycle(db, access.rag.id, cycle_id)
    iris = rag_iris(settings, access.rag.id)
    shown: DiffSection = section or diff.SECTIONS[0]
    page = diff.cycle_diff(store, iris, cycle, shown, offset, PAGE_SIZE)
    if section is None and (wanted := _first_section(page.counts.model_dump())) != shown:
        # Open on the first tab that has something, the consistency findings if there are any
        # (the counts came with the first page).
        shown = wanted
        page = diff.cycle_diff(store, iris, cycle, shown, offset, PAGE_SIZE)
    context = {
        "cycle": cycle,
        "diff": page,
        "section": shown,
        "sections": TABS,
        "items": _items(page, shown),
        "page_size": PAGE_SIZE,
        "can_decide": _can_decide(access, cycle),
    }
    return access.render("review.html", context)


@router.get("/cycles/{cycle_id}/graph")
def graph_page(
    cycle_id: CycleId,
    access: RagViewerPage,
    db: DbDep,
    store: StoreDep,
    settings: SettingsDep,
    entity: Annotated[str, Query(min_length=1, max_length=2000)],
) -> Response:
    """The change set's relations around one entity, drawn by ``static/js/graph.js`` from the
    JSON block of the page (and listed as a table for screen readers and without scripts)."""
    cycle = cycles.get_cycle(db, access.rag.id, cycle_id)
    iris = rag_iris(settings, access.rag.id)
    around = diff_graph.neighbourhood(store, iris, cycle, entity)
    context = {"cycle": cycle, "graph": around, "graph_data": around.model_dump(mode="json")}
    return access.render("graph.html", context)


# The review's tabs: the consistency gate's findings first (they block approval; the tab shows
# only when there are some), then the diff's sections.
TABS: tuple[DiffSection, ...] = ("violations", *diff.SECTIONS)


def _first_section(counts: dict[str, int]) -> DiffSection:
    return next((name for name in TABS if counts.get(name)), diff.SECTIONS[0])


def _items(page: CycleDiffPublic, section: str) -> list[Any]:
    if section == "violations":
        return list(page.violations)
    group, change = section.split("_")
    items: list[Any] = getattr(getattr(page, group), change)
    return items


def _can_decide(access: RagPage, cycle: Cycle) -> bool:
    """Whether the reader may split or merge on this cycle: what ``POST …/decisions`` accepts
    (an editor; an upload cycle in review or stale)."""
    return (
        access.can("editor")
        and lifecycle.can(cycle, "rebase")
        and cycle.kind is not CycleKind.production_merge
    )
