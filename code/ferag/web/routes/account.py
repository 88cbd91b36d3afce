"""Signing in, registering and signing out, and the language switch: plain forms, so they work
before any script runs. Sign-in and registration call the same account services as
``POST /auth/login`` and ``POST /auth/register``, within the same failed-login limits."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from starlette.responses import RedirectResponse, Response

from ferag.api.deps import DbDep, JwtSecretDep, LoginLimitsDep, SettingsDep
from ferag.api.schemas import UserCreate
from ferag.db.models import User
from ferag.errors import FeragError
from ferag.security import SESSION_COOKIE, create_access_token
from ferag.services import accounts
from ferag.settings import Settings
from ferag.web import session as cookies
from ferag.web.deps import Page, PageDep, PageRoute
from ferag.web.i18n import LANGUAGES

router = APIRouter(prefix="/ui", route_class=PageRoute)

FormText = Annotated[str, Form()]
OptionalText = Annotated[str, Form()]


def _signed_in(request: Request, secret: str, settings: Settings, user: User, to: str) -> Response:
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    response = RedirectResponse(cookies.local_path(to), status_code=303)
    token = create_access_token(user.id, secret, ttl)
    cookies.set_cookie(request, response, SESSION_COOKIE, token, int(ttl.total_seconds()))
    return response


def _refused(page: Page, name: str, error: dict[str, str], values: dict[str, str]) -> Response:
    status = int(error.pop("status", "400"))
    return page.render(name, {"error": error, "values": values}, status)


@router.get("/login")
def login_page(page: PageDep, next: str = "/") -> Response:
    return page.render("login.html", {"error": None, "values": {"next": next}})


@router.post("/login")
def log_in(
    request: Request,
    page: PageDep,
    db: DbDep,
    limits: LoginLimitsDep,
    secret: JwtSecretDep,
    settings: SettingsDep,
    email: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "/",
) -> Response:
    values = {"email": email, "next": next}
    if not cookies.form_csrf_ok(secret, request, csrf_token):
        return _refused(page, "login.html", _csrf_error(), values)
    address = request.client.host if request.client else "unknown"
    try:
        user = accounts.log_in(db, limits, email, password, address)
    except FeragError as exc:
        return _refused(page, "login.html", _error(exc), values)
    return _signed_in(request, secret, settings, user, next)


@router.get("/register")
def register_page(page: PageDep) -> Response:
    return page.render("register.html", {"error": None, "values": {}})


@router.post("/register")
def register(
    request: Request,
    page: PageDep,
    db: DbDep,
    secret: JwtSecretDep,
    settings: SettingsDep,
    email: FormText = "",
    password: FormText = "",
    full_name: OptionalText = "",
    csrf_token: FormText = "",
) -> Response:
    values = {"email": email, "full_name": full_name}
    if not cookies.form_csrf_ok(secret, request, csrf_token):
        return _refused(page, "register.html", _csrf_error(), values)
    if not page.registration_open:
        error = {"code": "registration_closed", "message": "", "status": "403"}
        return _refused(page, "register.html", error, values)
    try:
        body = UserCreate(email=email, password=password, full_name=full_name or None)
        user = accounts.register_user(
            db, body.email, body.password, body.full_name,
            min_password_score=settings.password_min_score,
        )  # fmt: skip
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        error = {"code": f"invalid_{field}", "message": f"{field}: {first['msg']}", "status": "422"}
        return _refused(page, "register.html", error, values)
    except FeragError as exc:
        return _refused(page, "register.html", _error(exc), values)
    return _signed_in(request, secret, settings, user, "/")


@router.post("/logout")
def log_out(request: Request, secret: JwtSecretDep, csrf_token: FormText = "") -> Response:
    """Forget the session cookie. The token itself stays valid until it expires (tokens are
    stateless), but no page of this browser holds it any more."""
    response = RedirectResponse("/ui/login", status_code=303)
    if cookies.form_csrf_ok(secret, request, csrf_token):
        cookies.clear_cookie(request, response, SESSION_COOKIE)
    return response


@router.get("/lang/{language}")
def switch_language(request: Request, language: str, next: str = "/") -> Response:
    """Remember the language; changes nothing but this browser's choice, so a link does."""
    response = RedirectResponse(cookies.local_path(next), status_code=303)
    if language in LANGUAGES:
        cookies.set_cookie(request, response, cookies.LANG_COOKIE, language, cookies.YEAR_S)
    return response


def _error(exc: FeragError) -> dict[str, str]:
    return {"code": exc.code, "message": exc.message, "status": str(exc.status_code)}


def _csrf_error() -> dict[str, str]:
    return {"code": "csrf_failed", "message": "the form expired; send it again", "status": "403"}
