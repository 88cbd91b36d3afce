"""Whether the offline model stand-in answers instead of a model, for the banner every page
shows while it does. Asked of the LLM endpoint (its ``/models`` answer carries the stand-in's
header, as ``/health`` reads it) at most once a minute per API process."""

from __future__ import annotations

import threading
import time
from typing import Any

import httpx

from ferag.api.routes.operations import STANDIN_HEADER
from ferag.settings import Settings

CHECK_EVERY_S = 60.0
TIMEOUT_S = 2.0
_lock = threading.Lock()


def standin_answers(app: Any) -> bool:
    state = app.state
    cached = _cached(state)
    now = time.monotonic()
    if cached is not None and now - cached[0] < CHECK_EVERY_S:
        return cached[1]
    with _lock:
        answer = _probe(state.settings)
        state.web_standin = (now, answer)
    return answer


def _cached(state: Any) -> tuple[float, bool] | None:
    value: tuple[float, bool] | None = getattr(state, "web_standin", None)
    return value


def _probe(settings: Settings) -> bool:
    base_url: str | None = settings.llm_base_url
    if not base_url:
        return False
    key: str = settings.llm_api_key.get_secret_value()
    try:
        response = httpx.get(
            f"{base_url.rstrip('/')}/models",
            timeout=TIMEOUT_S,
            headers={"Authorization": f"Bearer {key}"},
        )
    except httpx.HTTPError:
        return False
    marker: str | None = response.headers.get(STANDIN_HEADER)
    return marker == "offline"
