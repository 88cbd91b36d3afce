"""Failed logins are limited per account and per client address: 429 with Retry-After, the same
for an email that has no account, and a successful login does not buy an address more guesses.

Client addresses are set with X-Forwarded-For, which uvicorn trusts from 127.0.0.1 (its
FORWARDED_ALLOW_IPS default), so each test has addresses of its own.
"""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from ferag.settings import Settings
from ferag.stack.threaded import ThreadedServer
from tests.factories import PASSWORD, create_account, random_email

PER_ACCOUNT, PER_ADDRESS, WINDOW_S = 3, 5, 600


@pytest.fixture(scope="module")
def strict_api(settings: Settings) -> Iterator[str]:
    """An API with small failed-login limits."""
    from ferag.api.app import create_app

    strict = settings.model_copy(
        update={
            "login_failures_per_account": PER_ACCOUNT,
            "login_failures_per_address": PER_ADDRESS,
            "login_failure_window_s": WINDOW_S,
        }
    )
    with ThreadedServer(create_app(strict)) as server:
        yield server.url


def new_address() -> str:
    """An address no other test uses (in IPv6's documentation prefix, 2001:db8::/32)."""
    return str(ipaddress.IPv6Address((0x20010DB8 << 96) | uuid.uuid4().int >> 32))


def log_in(client: httpx.Client, email: str, password: str, address: str) -> httpx.Response:
    return client.post(
        "/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": address},
    )


def assert_limited(response: httpx.Response, window_s: int) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    assert 0 < int(response.headers["Retry-After"]) <= window_s
    error: dict[str, Any] = response.json()["error"]
    assert error["code"] == "too_many_failed_logins"
    assert f"retry in {response.headers['Retry-After']} s" in error["message"]
    return error


def without_request_id(response: httpx.Response) -> dict[str, Any]:
    """The error body but its request id, with numbers (seconds to wait) masked."""
    error: dict[str, Any] = response.json()["error"]
    return {
        key: re.sub(r"\d+", "N", str(value)) for key, value in error.items() if key != "request_id"
    }


def test_thirty_wrong_passwords_end_in_429_even_for_the_right_one(client: httpx.Client) -> None:
    """Defect 7: 30 wrong passwords never got a 429 (default limit: 10 per account)."""
    account = create_account(client)
    address = new_address()
    answers = [log_in(client, account.email, f"wrong-{n}", address) for n in range(30)]

    statuses = [answer.status_code for answer in answers]
    assert statuses == [401] * 10 + [429] * 20
    assert_limited(answers[-1], 900)
    # the right password is refused too while the account is limited, from any address
    assert_limited(log_in(client, account.email, PASSWORD, new_address()), 900)


def test_an_email_without_account_is_limited_alike(strict_api: str) -> None:
    """The answers do not tell which emails have accounts."""
    with httpx.Client(base_url=strict_api, timeout=30) as client:
        account = create_account(client)
        existing = [log_in(client, account.email, "wrong-pass", new_address()) for _ in range(4)]
        unknown_email = random_email()
        unknown = [log_in(client, unknown_email, "wrong-pass", new_address()) for _ in range(4)]

    expected = [401] * PER_ACCOUNT + [429]
    assert [r.status_code for r in existing] == [r.status_code for r in unknown] == expected
    for first, second in ((existing[0], unknown[0]), (existing[-1], unknown[-1])):
        assert without_request_id(first) == without_request_id(second)
    assert_limited(unknown[-1], WINDOW_S)


def test_the_address_limit_spans_emails_and_a_success_does_not_reset_it(strict_api: str) -> None:
    with httpx.Client(base_url=strict_api, timeout=30) as client:
        own = create_account(client)
        address = new_address()
        for _ in range(PER_ADDRESS - 1):  # one failure on each of many emails
            assert log_in(client, random_email(), "guess-guess", address).status_code == 401
        # logging in to one's own account from that address works, and resets nothing
        assert log_in(client, own.email, PASSWORD, address).status_code == 200
        assert log_in(client, random_email(), "guess-guess", address).status_code == 401

        limited = log_in(client, random_email(), "guess-guess", address)
        error = assert_limited(limited, WINDOW_S)
        assert "from your address" in error["message"]
        # the address is limited even for a right password; other addresses are not
        assert log_in(client, own.email, PASSWORD, address).status_code == 429
        assert log_in(client, own.email, PASSWORD, new_address()).status_code == 200


def test_a_successful_login_clears_its_own_accounts_count(strict_api: str) -> None:
    with httpx.Client(base_url=strict_api, timeout=30) as client:
        account = create_account(client)
        for _ in range(2):
            for _ in range(PER_ACCOUNT - 1):
                assert log_in(client, account.email, "typo-typo", new_address()).status_code == 401
            assert log_in(client, account.email, PASSWORD, new_address()).status_code == 200
