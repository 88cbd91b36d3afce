"""Pages of one knowledge base: its overview (cycles), settings and members, versions, chat."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from ferag.api.deps import DbDep, SettingsDep, StoreDep, rag_iris
from ferag.services import chat_sessions, cycles, decisions, entity_index, members, versions
from ferag.services.cycles import current_version
from ferag.web.deps import PageRoute, RagOwnerPage, RagViewerPage

router = APIRouter(prefix="/ui/rags/{rag_id}", route_class=PageRoute)

CYCLES_SHOWN = 50
VERSIONS_SHOWN = 100
SESSIONS_SHOWN = 50
DECISIONS_SHOWN = 100
ENTITIES_FOUND = 20


@router.get("")
def rag_overview(access: RagViewerPage, db: DbDep) -> Response:
    rows = cycles.list_cycles(db, access.rag.id, 0, CYCLES_SHOWN)
    context = {"cycles": rows, "version": current_version(db, access.rag.id)}
    return access.render("rag.html", context)


@router.get("/settings")
def rag_settings(access: RagOwnerPage, db: DbDep) -> Response:
    """Name, language, members, the remembered resolution decisions, deletion."""
    rows = members.list_members(db, access.rag)
    decided, total = decisions.list_decisions(db, access.rag.id, 0, DECISIONS_SHOWN)
    iris = {iri for d in decided for iri in (d.a, d.b)}
    labels = entity_index.entity_labels(db, access.rag.id, iris)
    context = {"members": rows, "decisions": decided, "decisions_total": total, "labels": labels}
    return access.render("settings.html", context)


@router.get("/merge")
def merge_page(
    access: RagOwnerPage,
    db: DbDep,
    q: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    """An owner's merge of production entities: find them by name (several names at once),
    keep one, merge the others into it; ``POST /rags/{id}/merges`` opens the cycle to review."""
    query = q.strip()
    hits = entity_index.search_entities(db, access.rag.id, query, ENTITIES_FOUND) if query else []
    return access.render("merge.html", {"q": query, "hits": hits})


@router.get("/versions")
def rag_versions(
    access: RagViewerPage, db: DbDep, store: StoreDep, settings: SettingsDep
) -> Response:
    iris = rag_iris(settings, access.rag.id)
    rows, total, current = versions.list_versions(db, store, iris, access.rag.id, 0, VERSIONS_SHOWN)
    return access.render("versions.html", {"versions": rows, "total": total, "current": current})


@router.get("/chat")
def rag_chat(access: RagViewerPage, db: DbDep, session: uuid.UUID | None = None) -> Response:
    sessions, _total = chat_sessions.list_sessions(
        db, access.rag.id, access.user.id, 0, SESSIONS_SHOWN
    )
    history: list[dict[str, Any]] = []
    if session is not None:
        chat_sessions.get_session(db, access.rag.id, access.user.id, session)
        history = [_message(m) for m in chat_sessions.messages_of(db, session)]
    context = {"sessions": sessions, "current": session, "history": history}
    return access.render("chat.html", context)


def _message(message: Any) -> dict[str, Any]:
    """A stored turn as the page shows it: the answer's cited references, in order."""
    data = message.data or {}
    cited = set(data.get("citations", []))
    references = [r for r in data.get("references", []) if r.get("number") in cited]
    timings = data.get("timings_ms") or data.get("timings") or {}
    return {
        "role": message.role,
        "content": message.content,
        "created_at": message.created_at,
        "citations": references,
        "timings": timings,
        "time": data.get("time"),  # the time scope it answered for (older turns have none)
        "cached": bool(data.get("cached")),  # answered from the answer cache
    }
