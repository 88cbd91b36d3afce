"""The UI's cookies: the session (the API's access token), the anonymous CSRF seed and the
language. All HttpOnly and SameSite=Strict, Secure over https.

- ``ferag_session``: the access token ``POST /auth/login`` would return, as long-lived as the
  token; scripts never read it (an injected script could not steal it);
- ``ferag_anon``: a random value for visitors not signed in, so that the sign-in and register
  forms carry a CSRF token too (no login CSRF);
- ``ferag_lang``: the language chosen with the switch.

The CSRF token of a page is ``ferag.security.csrf_token`` of the session (or the anonymous
value): pages put it in ``<meta name="csrf-token">`` and in their forms.
"""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from fastapi import Request
from starlette.responses import Response

from ferag.security import SESSION_COOKIE, csrf_matches, csrf_token

ANON_COOKIE = "ferag_anon"
LANG_COOKIE = "ferag_lang"
CSRF_FIELD = "csrf_token"
YEAR_S = 365 * 24 * 3600


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def clear_cookie(request: Request, response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )


def new_anon_value() -> str:
    return secrets.token_urlsafe(24)


def csrf_seed(request: Request, anon: str | None = None) -> str:
    """What the page's CSRF token is bound to: the session, else the anonymous value."""
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return session
    return "anon:" + (anon or request.cookies.get(ANON_COOKIE) or "")


def page_csrf(secret: str, request: Request, anon: str | None = None) -> str:
    return csrf_token(secret, csrf_seed(request, anon))


def form_csrf_ok(secret: str, request: Request, token: str | None) -> bool:
    """A form post's token matches its cookies, and the post comes from this origin when the
    browser says where it comes from."""
    seed = csrf_seed(request)
    if seed == "anon:" or not csrf_matches(secret, seed, token):
        return False
    origin = request.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == request.url.netloc


def local_path(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site (never ``//other.site`` or a URL): redirects
    after sign-in and the language switch go nowhere else."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
