"""The home page (the reader's knowledge bases) and the status page."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from ferag.api.deps import DbDep
from ferag.services import rags
from ferag.web.deps import PageDep, PageRoute, SignedIn

router = APIRouter(route_class=PageRoute)

HOME_LIMIT = 500  # a reader with more knowledge bases than this pages through the API


@router.get("/")
def home(page: SignedIn, db: DbDep) -> Response:
    assert page.user is not None
    rows, total = rags.list_rags(db, page.user, 0, HOME_LIMIT)
    return page.render("home.html", {"rags": rows, "total": total})


@router.get("/ui/status")
def status(page: PageDep) -> Response:
    """Filled by status.js from ``GET /health`` (public), which checks every component."""
    return page.render("status.html", {})
