"""The reader's API keys (create, list, revoke) and how to point an OpenAI client or Open WebUI
at ferag. The list is read through ``services.api_keys`` as ``GET /auth/api-keys`` reads it, so
a reader sees their own keys only; creating and revoking are sent by ``keys.js`` to the API."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from ferag.api.deps import DbDep
from ferag.api.routes.openai import MODEL_PREFIX
from ferag.services import api_keys, rags
from ferag.web.deps import PageRoute, SignedIn

router = APIRouter(prefix="/ui", route_class=PageRoute)

MODELS_SHOWN = 100  # the how-to lists the reader's models; GET /v1/models lists them all


@router.get("/keys")
def keys_page(page: SignedIn, db: DbDep) -> Response:
    assert page.user is not None
    keys = api_keys.list_keys(db, page.user)
    rows, _total = rags.list_rags(db, page.user, 0, MODELS_SHOWN)
    models = [(f"{MODEL_PREFIX}{rag.id}", rag.name) for rag, _role in rows]
    origin = str(page.request.base_url).rstrip("/")
    context = {
        "keys": sorted(keys, key=lambda k: (k.revoked_at is not None, -k.id)),
        "models": models,
        "base_url": f"{origin}/v1",
        "example_model": models[0][0] if models else f"{MODEL_PREFIX}1",
    }
    return page.render("keys.html", context)
