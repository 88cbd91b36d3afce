"""The UI's cookie session against the real API: signing in sets an HttpOnly, SameSite=Strict
cookie holding an access token; the JSON API accepts that cookie, but on requests that change
something only with the page's CSRF token; sign-in forms carry a token too; pages answer in
the language the browser asks for, with the UI's Content-Security-Policy."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from tests.factories import PASSWORD, create_account

CSRF = re.compile(r'name="csrf-token" content="([0-9a-f]+)"')


@pytest.fixture()
def browser(api_url: str) -> Iterator[httpx.Client]:
    """A cookie-keeping client, like a browser without scripts."""
    with httpx.Client(base_url=api_url, timeout=30) as http:
        yield http


def page_token(http: httpx.Client, path: str) -> str:
    page = http.get(path)
    assert page.status_code == 200, page.text
    match = CSRF.search(page.text)
    assert match is not None
    return match.group(1)


def sign_in(http: httpx.Client, email: str) -> httpx.Response:
    token = page_token(http, "/ui/login")
    return http.post(
        "/ui/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
    )


def test_the_session_cookie_works_the_api_only_with_its_csrf_token(
    browser: httpx.Client, client: httpx.Client
) -> None:
    account = create_account(client)
    signed_in = sign_in(browser, account.email)
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/"
    cookie = signed_in.headers["set-cookie"]
    assert "ferag_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert browser.get("/auth/me").json()["email"] == account.email

    refused = browser.post("/rags", json={"name": "no token"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    forged = browser.post("/rags", json={"name": "forged"}, headers={"X-CSRF-Token": "0" * 64})
    assert forged.json()["error"]["code"] == "csrf_failed"
    token = page_token(browser, "/")
    created = browser.post("/rags", json={"name": "with token"}, headers={"X-CSRF-Token": token})
    assert created.status_code == 201, created.text
    home = browser.get("/")
    assert "with token" in home.text and "no token" not in home.text

    signed_out = browser.post("/ui/logout", data={"csrf_token": token})
    assert signed_out.status_code == 303
    assert browser.get("/auth/me").status_code == 401
    assert browser.get("/").headers["location"] == "/ui/login?next=/"


def test_a_sign_in_form_without_its_token_is_refused(
    browser: httpx.Client, client: httpx.Client
) -> None:
    account = create_account(client)
    page_token(browser, "/ui/login")  # the anonymous cookie, but not the form's token
    refused = browser.post("/ui/login", data={"email": account.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert "The form expired" in refused.text
    assert "ferag_session" not in browser.cookies
    wrong = sign_in(browser, "nobody@example.com")
    assert wrong.status_code == 401
    assert "wrong email or password" in wrong.text


def test_pages_speak_the_browsers_language_and_forbid_inline_scripts(
    browser: httpx.Client,
) -> None:
    russian = browser.get("/ui/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.8"})
    assert '<html lang="ru">' in russian.text
    assert "Войти" in russian.text
    policy = russian.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script>" not in russian.text  # only module files and a JSON data block
    switched = browser.get("/ui/lang/en", params={"next": "//evil.example/"})
    assert switched.headers["location"] == "/"
    english = browser.get("/ui/login", headers={"Accept-Language": "ru"})
    assert '<html lang="en">' in english.text  # the remembered choice wins
