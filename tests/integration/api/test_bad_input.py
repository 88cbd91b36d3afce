"""Bad input gets a clear 4xx in one error shape, and nothing is written."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import PASSWORD, Account, add_member, create_account, create_rag, random_email


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"] and isinstance(error["details"], list)
    assert error["request_id"] == response.headers["x-request-id"]
    return dict(error)


def login_status(client: httpx.Client, email: str) -> int:
    return client.post("/auth/login", json={"email": email, "password": PASSWORD}).status_code


def test_malformed_json_is_400_and_registers_nobody(client: httpx.Client) -> None:
    email = random_email()
    body = f'{{"email": "{email}", "password": "{PASSWORD}"'  # missing brace
    response = client.post(
        "/auth/register", content=body, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")
    assert login_status(client, email) == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD, "is_admin": True}, "is_admin"),  # unknown field
        ({"password": ""}, "password"),  # empty password
        ({"password": "short"}, "password"),  # too short
        ({"password": PASSWORD, "email": "not-an-email"}, "email"),
    ],
)
def test_invalid_registration_is_422_naming_the_field(
    client: httpx.Client, body: dict[str, Any], field: str
) -> None:
    email = random_email()
    response = client.post("/auth/register", json={"email": email, **body})
    error = assert_error(response, 422, "validation_error")
    assert any(detail["loc"][-1] == field for detail in error["details"])
    assert field in error["message"]
    assert login_status(client, email) == 401


def test_duplicate_email_is_409_and_keeps_the_first_account(client: httpx.Client) -> None:
    account = create_account(client)
    again = client.post(
        "/auth/register", json={"email": account.email.upper(), "password": "another password"}
    )
    assert_error(again, 409, "email_taken")
    assert login_status(client, account.email) == 200


def members_of(client: httpx.Client, owner: Account, rag_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/rags/{rag_id}/members", headers=owner.headers)
    return list(response.json()["data"])


def test_unknown_member_email_is_404_and_adds_nobody(client: httpx.Client, owner: Account) -> None:
    rag_id = create_rag(client, owner)
    response = client.post(
        f"/rags/{rag_id}/members",
        headers=owner.headers,
        json={"email": random_email(), "role": "viewer"},
    )
    assert_error(response, 404, "user_not_found")
    assert len(members_of(client, owner, rag_id)) == 1


def test_role_outside_the_enum_is_422(client: httpx.Client, owner: Account) -> None:
    rag_id = create_rag(client, owner)
    other = create_account(client)
    response = client.post(
        f"/rags/{rag_id}/members",
        headers=owner.headers,
        json={"email": other.email, "role": "admin"},
    )
    error = assert_error(response, 422, "validation_error")
    assert error["details"][0]["loc"] == ["body", "role"]
    assert len(members_of(client, owner, rag_id)) == 1


def test_adding_a_member_twice_is_409(client: httpx.Client, owner: Account) -> None:
    rag_id = create_rag(client, owner)
    other = create_account(client)
    add_member(client, owner, rag_id, other, "viewer")
    again = client.post(
        f"/rags/{rag_id}/members",
        headers=owner.headers,
        json={"email": other.email, "role": "editor"},
    )
    assert_error(again, 409, "member_exists")
    roles = {m["email"]: m["role"] for m in members_of(client, owner, rag_id)}
    assert roles[other.email] == "viewer"


@pytest.mark.parametrize(
    ("method", "path", "status", "code"),
    [
        ("GET", "/rags/999999999", 404, "rag_not_found"),
        ("GET", "/rags/0", 422, "validation_error"),
        ("GET", "/rags/abc", 422, "validation_error"),
        ("PATCH", "/rags/{rag}/members/999999999", 404, "member_not_found"),
        ("DELETE", "/rags/{rag}/members/999999999", 404, "member_not_found"),
        ("GET", "/no/such/path", 404, "not_found"),
    ],
)
def test_ids_that_do_not_exist(
    client: httpx.Client, owner: Account, method: str, path: str, status: int, code: str
) -> None:
    rag_id = create_rag(client, owner)
    body = {"role": "viewer"} if method == "PATCH" else None
    response = client.request(method, path.format(rag=rag_id), json=body, headers=owner.headers)
    assert_error(response, status, code)
    assert len(members_of(client, owner, rag_id)) == 1


def test_invalid_rag_input_writes_nothing(client: httpx.Client, owner: Account) -> None:
    for body in ({"name": ""}, {"name": "   "}, {"name": "x" * 201}, {"name": "a", "owner": 1}, {}):
        assert_error(
            client.post("/rags", json=body, headers=owner.headers), 422, "validation_error"
        )
    assert client.get("/rags", headers=owner.headers).json()["count"] == 0

    rag_id = create_rag(client, owner, name="kept")
    bad = client.patch(
        f"/rags/{rag_id}", json={"name": "", "description": "new"}, headers=owner.headers
    )
    assert_error(bad, 422, "validation_error")
    rag = client.get(f"/rags/{rag_id}", headers=owner.headers).json()
    assert (rag["name"], rag["description"]) == ("kept", "")


def test_the_last_owner_cannot_leave_or_be_demoted(client: httpx.Client, owner: Account) -> None:
    rag_id = create_rag(client, owner)
    demote = client.patch(
        f"/rags/{rag_id}/members/{owner.id}", json={"role": "viewer"}, headers=owner.headers
    )
    assert_error(demote, 409, "last_owner")
    leave = client.delete(f"/rags/{rag_id}/members/{owner.id}", headers=owner.headers)
    assert_error(leave, 409, "last_owner")
    assert members_of(client, owner, rag_id)[0]["role"] == "owner"
