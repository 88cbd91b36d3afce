"""Dependencies of the UI's pages: who is reading (or nobody), in which language, with which
CSRF token; and the RAG a page is about, with the reader's role checked by the same
``membership`` the API uses (a non-member gets 404, a lower role 403, as from the API).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ferag.api.deps import DbDep, JwtSecretDep
from ferag.api.params import RagId
from ferag.db.models import Rag, Role, User
from ferag.errors import FeragError, Unauthenticated
from ferag.security import SESSION_COOKIE, read_access_token
from ferag.services.members import membership
from ferag.web import session as cookies
from ferag.web import standin
from ferag.web.i18n import LANGUAGES, choose_language
from ferag.web.templating import render


class LoginRequired(Exception):
    """The page needs a signed-in reader: answered with a redirect to the sign-in page."""


class PageError(Exception):
    """A page that cannot be shown (no such RAG, role too low): answered with an error page."""

    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message


@dataclass
class Page:
    """Everything every page's layout needs."""

    request: Request
    language: str
    user: User | None
    csrf: str
    standin: bool
    registration_open: bool
    new_anon: str | None = None  # set on the response: the visitor had none
    drop_session: bool = False  # the session cookie's token expired or is invalid

    def render(self, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        other = next(lang for lang in LANGUAGES if lang != self.language)
        base = {
            "page": self,
            "user": self.user,
            "csrf": self.csrf,
            "other_lang": other,
            "here": self.request.url.path
            + (f"?{self.request.url.query}" if self.request.url.query else ""),
        }
        response = render(self.request, self.language, name, base | context, status_code)
        if self.new_anon:
            cookies.set_cookie(
                self.request, response, cookies.ANON_COOKIE, self.new_anon, cookies.YEAR_S
            )
        if self.drop_session:
            cookies.clear_cookie(self.request, response, SESSION_COOKIE)
        return response


def _session_user(db: Session, secret: str, token: str | None) -> tuple[User | None, bool]:
    """The session's user, and whether the cookie should be dropped (expired, invalid)."""
    if not token:
        return None, False
    try:
        user = db.get(User, read_access_token(token, secret))
    except Unauthenticated:
        return None, True
    if user is None or not user.is_active:
        return None, True
    return user, False


def get_page(request: Request, db: DbDep, secret: JwtSecretDep) -> Page:
    user, drop = _session_user(db, secret, request.cookies.get(SESSION_COOKIE))
    anon = None
    if user is None and not request.cookies.get(cookies.ANON_COOKIE):
        anon = cookies.new_anon_value()
    if drop:
        request.cookies.pop(SESSION_COOKIE, None)  # the CSRF token binds to the anonymous value
    settings = request.app.state.settings
    return Page(
        request=request,
        language=choose_language(
            request.cookies.get(cookies.LANG_COOKIE), request.headers.get("accept-language")
        ),
        user=user,
        csrf=cookies.page_csrf(secret, request, anon),
        standin=standin.standin_answers(request.app),
        registration_open=settings.registration == "open",
        new_anon=anon,
        drop_session=drop,
    )


PageDep = Annotated[Page, Depends(get_page)]


def get_signed_in(page: PageDep) -> Page:
    if page.user is None:
        raise LoginRequired(page.request.url.path)
    return page


SignedIn = Annotated[Page, Depends(get_signed_in)]


TABS = {"upload.html": "upload", "versions.html": "versions", "chat.html": "chat"}
TABS |= {"settings.html": "settings", "merge.html": "settings"}


@dataclass
class RagPage:
    """A RAG page: the page, the RAG and the reader's role on it."""

    page: Page
    rag: Rag
    role: Role
    user: User = field(init=False)

    def __post_init__(self) -> None:
        assert self.page.user is not None
        self.user = self.page.user

    def can(self, role: str) -> bool:
        return self.role.allows(Role(role))

    def render(self, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
        tab = TABS.get(name, "cycles")
        own = {"rag": self.rag, "role": self.role, "access": self, "tab": tab}
        return self.page.render(name, own | context, status_code)


def rag_page(needed: Role) -> Callable[..., RagPage]:
    def dependency(rag_id: RagId, page: SignedIn, db: DbDep) -> RagPage:
        row = membership(db, rag_id, page.user.id if page.user else 0)
        if row is None:
            raise PageError(404, "rag_not_found")
        rag, role = row
        if not role.allows(needed):
            raise PageError(403, "insufficient_role")
        return RagPage(page, rag, role)

    return dependency


RagViewerPage = Annotated[RagPage, Depends(rag_page(Role.viewer))]
RagEditorPage = Annotated[RagPage, Depends(rag_page(Role.editor))]
RagOwnerPage = Annotated[RagPage, Depends(rag_page(Role.owner))]


async def login_redirect(request: Request, exc: Exception) -> Response:
    target = quote(cookies.local_path(str(exc)), safe="/")
    return RedirectResponse(f"/ui/login?next={target}", status_code=303)


async def page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    language = choose_language(
        request.cookies.get(cookies.LANG_COOKIE), request.headers.get("accept-language")
    )
    context = {"code": exc.message, "status": exc.status_code, "user": None}
    context |= {"page": None, "csrf": "", "other_lang": language, "here": "/"}
    return render(request, language, "error.html", context, exc.status_code)


class PageRoute(APIRoute):
    """A page's route: a ``FeragError`` of the services it calls (a chat session that is not
    the reader's, a cycle that does not exist) becomes the error page, not the API's JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except FeragError as exc:
                raise PageError(exc.status_code, exc.code) from exc

        return page_handler
