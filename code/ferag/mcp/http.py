"""The MCP server over streamable HTTP, for the API to mount at ``/mcp``.

Callers authenticate with a ferag API key as ``Authorization: Bearer frg_…``: the SDK's bearer
middleware asks ``ApiKeyVerifier``, answers 401 with ``WWW-Authenticate: Bearer`` without a
valid key, and puts the key where the tools read it (``get_access_token``). The transport is
stateless (every POST stands alone), so any API process can answer any request when the API
runs several workers. DNS-rebinding protection (Host/Origin checks) is off: it guards servers
that trust whoever reaches them, and this one trusts only the key, which a page on another site
cannot send.
"""

from __future__ import annotations

from collections.abc import Callable

import anyio.to_thread
from mcp.server.auth.middleware.auth_context import AuthContextMiddleware, get_access_token
from mcp.server.auth.middleware.bearer_auth import BearerAuthBackend, RequireAuthMiddleware
from mcp.server.auth.provider import AccessToken
from mcp.server.transport_security import TransportSecuritySettings
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ferag.errors import Unauthenticated
from ferag.mcp.server import FeragMcp, RuntimeSource, build_server
from ferag.services import api_keys

MCP_PATH = "/mcp"


class ApiKeyVerifier:
    """The SDK's ``TokenVerifier`` over ferag API keys (login tokens are not accepted)."""

    def __init__(self, session_factory: Callable[[], sessionmaker[Session]]) -> None:
        self.session_factory = session_factory

    async def verify_token(self, token: str) -> AccessToken | None:
        if not api_keys.is_api_key(token):
            return None
        return await anyio.to_thread.run_sync(self._verify, token)

    def _verify(self, token: str) -> AccessToken | None:
        with self.session_factory()() as db:
            try:
                user = api_keys.authenticate(db, token)
            except Unauthenticated:
                return None
        return AccessToken(token=token, client_id=f"user-{user.id}", scopes=[],
                           subject=str(user.id))  # fmt: skip


def request_key() -> str | None:
    """The API key of the HTTP request being served."""
    token = get_access_token()
    return None if token is None else token.token


def http_server(runtime: RuntimeSource) -> FeragMcp:
    return build_server(runtime, request_key)


def http_app(server: FeragMcp, verifier: ApiKeyVerifier) -> ASGIApp:
    """The ASGI app serving ``MCP_PATH``; its session manager must run in the host's lifespan
    (``server.session_manager.run()``)."""
    inner = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        json_response=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    guarded = AuthContextMiddleware(RequireAuthMiddleware(inner, required_scopes=[]))
    return OwnScope(AuthenticationMiddleware(guarded, backend=BearerAuthBackend(verifier)))


class OwnScope:
    """``app`` on a copy of the scope: the SDK's Starlette app writes itself into
    ``scope["app"]``, and the API's middleware reads the API's state from there afterwards.
    (A class, not a closure: Starlette's ``Route`` takes a plain function for an endpoint.)"""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(dict(scope), receive, send)
