"""Local mode without FERAG_JWT_SECRET: the API signs with a random secret generated once and
kept in FERAG_HOME, never with the published default (defect 6)."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.factories import create_account

PUBLISHED_DEFAULT = "change-me-local-only"  # the secret every install used to accept


@pytest.fixture()
def local_settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test stack's servers, in local mode without a JWT secret, on a fresh home."""
    return settings.model_copy(update={"jwt_secret": None, "home": tmp_path / "home"})


def serve(settings: Settings) -> ThreadedServer:
    from ferag.api.app import create_app

    return ThreadedServer(create_app(settings))


@pytest.fixture()
def local_api(local_settings: Settings) -> Iterator[str]:
    with serve(local_settings) as server:
        yield server.url


def test_a_token_signed_with_the_published_default_is_refused(local_api: str) -> None:
    with httpx.Client(base_url=local_api, timeout=30) as client:
        account = create_account(client)
        claims = {"sub": str(account.id), "exp": 9_999_999_999, "typ": "access"}
        forged = jwt.encode(claims, PUBLISHED_DEFAULT, algorithm="HS256")

        response = client.get("/auth/me", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401
        assert client.get("/auth/me", headers=account.headers).status_code == 200


def test_the_generated_secret_is_private_and_reused_on_the_next_start(
    local_settings: Settings,
) -> None:
    with serve(local_settings) as first, httpx.Client(base_url=first.url, timeout=30) as client:
        account = create_account(client)
    secret_file = local_settings.home / "jwt_secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert len(secret_file.read_text().strip()) >= 32
    jwt.decode(account.token, secret_file.read_text().strip(), algorithms=["HS256"])

    with serve(local_settings) as second:  # a restart: the token still works
        me = httpx.get(f"{second.url}/auth/me", headers=account.headers, timeout=30)
        assert me.status_code == 200 and me.json()["id"] == account.id
