"""Jinja2 environments (one per language, autoescape on) and the one function that turns a
template into a response with the UI's security headers.

The Content-Security-Policy allows scripts, styles, images and connections from the API's own
origin only: no inline script or style, no other site, no framing.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from starlette.responses import Response

from ferag.web.i18n import (
    LANGUAGES,
    Translations,
    format_bytes,
    format_datetime,
    format_number,
)
from ferag.web.messages import JS_MESSAGES

HERE = Path(__file__).parent
TEMPLATE_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",  # pages hold private data
}


def short_name(value: str | None) -> str:
    """An IRI's last segment for a reader (``^…/ontology/directorOf`` → ``^directorOf``)."""
    if not value:
        return ""
    inverse = "^" if value.startswith("^") else ""
    return inverse + re.split(r"[/#]", value.rstrip("/#"))[-1]


def make_environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    translations = Translations(language)
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        translations.gettext, translations.ngettext, newstyle=True
    )
    env.filters["datetime"] = partial(format_datetime, language=language)
    env.filters["number"] = partial(format_number, language=language)
    env.filters["bytes"] = partial(format_bytes, language=language)
    env.globals["lang"] = language
    env.globals["short"] = short_name
    env.globals["error_text"] = translations.error_text
    js_messages = {key: translations.gettext(key) for key in JS_MESSAGES}
    env.globals["js_messages"] = js_messages | translations.known_errors()
    return env


TEMPLATES = {language: Jinja2Templates(env=make_environment(language)) for language in LANGUAGES}


def render(
    request: Any, language: str, name: str, context: dict[str, Any], status_code: int = 200
) -> Response:
    response = TEMPLATES[language].TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    return response
