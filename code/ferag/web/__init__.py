"""The web UI, served by the API process: Jinja2 pages at ``/`` and ``/ui/…``, small ES modules
of our own under ``/ui/static/`` (no Node.js, no CDN), English and Russian.

Pages read through the same service functions as the API and check the caller's role on a RAG
with ``ferag.services.members.membership``, so a page never offers what the API would refuse.
Actions (upload, approve, rollback, chat, …) are sent by the page's scripts to the JSON API
itself, authenticated by the session cookie plus its CSRF token (``ferag.api.deps``); signing
in, registering, signing out and the language switch are plain forms handled here.
See docs/ui.md.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ferag.web.deps import LoginRequired, PageError, login_redirect, page_error
from ferag.web.routes import account, cycles, keys, pages, rags
from ferag.web.templating import STATIC_DIR

STATIC_PATH = "/ui/static"


def install(app: FastAPI) -> None:
    """Add the UI's pages, static files and error pages to ``app``."""
    for router in (account.router, pages.router, rags.router, cycles.router, keys.router):
        app.include_router(router, include_in_schema=False)
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="ui-static")
    app.add_exception_handler(LoginRequired, login_redirect)
    app.add_exception_handler(PageError, page_error)
