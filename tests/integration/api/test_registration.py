"""Registration: weak passwords are refused with zxcvbn's reason, registration can be closed,
and then an administrator creates accounts with `ferag users create`."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.factories import PASSWORD, random_email
from tests.workers import settings_env


def log_in(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/auth/login", json={"email": email, "password": password})


@pytest.mark.parametrize(
    ("password", "full_name", "reason"),
    [
        ("password", None, "This is a top-10 common password."),  # defect 7
        ("qwertyuiop", None, "This is a top-100 common password."),
        ("Passw0rd!", None, "similar to a commonly used password"),
        ("aaaaaaaaaaaa", None, "Repeats like"),
        # the email and name count as guessable: strong on their own, weak for this user
        ("quorthwick2024", "Zebediah Quorthwick", "strength 1 of 4, at least 3 needed"),
    ],
)
def test_weak_passwords_are_refused_saying_why(
    client: httpx.Client, password: str, full_name: str | None, reason: str
) -> None:
    email = f"zebediah.quorthwick.{random_email()}"
    body = {"email": email, "password": password, "full_name": full_name}
    response = client.post("/auth/register", json=body)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "weak_password"
    assert error["message"].startswith("password: too weak")
    assert reason in error["message"]
    assert [detail["loc"] for detail in error["details"]] == [["body", "password"]]
    assert log_in(client, email, password).status_code == 401  # nobody registered


def test_a_strong_password_with_the_same_letters_is_accepted(client: httpx.Client) -> None:
    response = client.post(
        "/auth/register", json={"email": random_email(), "password": "quorthwick2024"}
    )
    assert response.status_code == 201, response.text


@pytest.fixture(scope="module")
def closed_api(settings: Settings) -> Iterator[str]:
    """An API whose registration is closed."""
    from ferag.api.app import create_app

    closed = settings.model_copy(update={"registration": "closed"})
    with ThreadedServer(create_app(closed)) as server:
        yield server.url


def ferag_users_create(
    settings: Settings, *args: str, stdin: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ferag.cli.main", "users", "create", *args],
        input=stdin,
        env=settings_env(settings),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_closed_registration_is_403_and_an_admin_creates_the_account(
    settings: Settings, closed_api: str
) -> None:
    email = random_email()
    with httpx.Client(base_url=closed_api, timeout=30) as client:
        refused = client.post("/auth/register", json={"email": email, "password": PASSWORD})
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "registration_closed"
        assert "ferag users create" in refused.json()["error"]["message"]
        assert log_in(client, email).status_code == 401

        created = ferag_users_create(
            settings, "--email", email, "--password-stdin", "--full-name", "Ann Lee",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        assert email in created.stdout

        token = log_in(client, email).json()["access_token"]
        me = client.get("/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
        assert (me["email"], me["full_name"]) == (email, "Ann Lee")


def test_ferag_users_create_refuses_weak_passwords_and_taken_emails(
    settings: Settings, client: httpx.Client
) -> None:
    email = random_email()
    weak = ferag_users_create(settings, "--email", email, "--password-stdin", stdin="password\n")
    assert weak.returncode == 1
    assert "too weak" in weak.stderr and "top-10 common password" in weak.stderr
    assert log_in(client, email, "password").status_code == 401

    assert (
        ferag_users_create(
            settings, "--email", email, "--password-stdin", stdin=PASSWORD
        ).returncode
        == 0
    )
    again = ferag_users_create(settings, "--email", email, "--password-stdin", stdin=PASSWORD)
    assert again.returncode == 1 and "already exists" in again.stderr
