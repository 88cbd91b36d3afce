"""Accounts through the HTTP API: register, log in (JSON and OAuth2 form), me."""

from __future__ import annotations

import httpx

from tests.factories import PASSWORD, create_account, random_email


def test_register_login_and_me(client: httpx.Client) -> None:
    email = random_email()
    created = client.post(
        "/auth/register", json={"email": email.upper(), "password": PASSWORD, "full_name": "Ann"}
    )
    assert created.status_code == 201
    assert created.json()["email"] == email  # stored normalised
    assert "password" not in created.text and "hash" not in created.text

    token = client.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
    assert token["token_type"] == "bearer" and token["expires_in"] > 0
    me = client.get("/auth/me", headers={"Authorization": f"Bearer {token['access_token']}"})
    assert me.status_code == 200
    assert me.json()["email"] == email and me.json()["full_name"] == "Ann"


def test_login_accepts_the_oauth2_password_form(client: httpx.Client) -> None:
    account = create_account(client)
    response = client.post("/auth/login", data={"username": account.email, "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["access_token"]
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()["id"] == (
        account.id
    )


def test_wrong_password_and_unknown_email_look_the_same(client: httpx.Client) -> None:
    account = create_account(client)
    wrong = client.post("/auth/login", json={"email": account.email, "password": "nope-nope"})
    unknown = client.post("/auth/login", json={"email": random_email(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_credentials"
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_bad_tokens_are_refused(client: httpx.Client, settings: object) -> None:
    import jwt

    forged = jwt.encode({"sub": "1", "exp": 9999999999, "typ": "access"}, "wrong-secret")
    for header in ("Bearer not-a-jwt", f"Bearer {forged}", "Basic abc"):
        response = client.get("/auth/me", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.json()["error"]["code"] == "not_authenticated"


def test_expired_token_is_refused(client: httpx.Client, settings: object) -> None:
    from datetime import timedelta

    from ferag.security import create_access_token
    from ferag.settings import Settings

    assert isinstance(settings, Settings) and settings.jwt_secret is not None
    account = create_account(client)
    expired = create_access_token(
        account.id, settings.jwt_secret.get_secret_value(), timedelta(seconds=-1)
    )
    response = client.get("/auth/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert "expired" in response.json()["error"]["message"]
