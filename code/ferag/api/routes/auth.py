"""Accounts: register, log in (JSON or the OAuth2 password form), who am I."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from pydantic import ValidationError

from ferag.api.deps import CurrentUser, DbDep, SettingsDep
from ferag.api.openapi import raises
from ferag.api.schemas import LoginRequest, Token, UserCreate, UserPublic
from ferag.errors import BadRequest, InvalidInput
from ferag.security import create_access_token
from ferag.services import accounts

router = APIRouter(prefix="/auth", tags=["auth"])

_LOGIN_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": LoginRequest.model_json_schema()},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["username", "password"],
                    "properties": {
                        "username": {"type": "string", "description": "Your email."},
                        "password": {"type": "string", "format": "password"},
                    },
                }
            },
        },
    }
}


@raises(400, 422)
async def read_login_request(request: Request) -> LoginRequest:
    """JSON ``{email, password}`` or the OAuth2 form (``username`` = email), as one model."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        raw: Any = {"email": form.get("username"), "password": form.get("password")}
    else:
        try:
            raw = json.loads(await request.body() or b"null")
        except ValueError:
            raise BadRequest(
                'the body is not valid JSON; send {"email": …, "password": …}',
                code="malformed_json",
            ) from None
    try:
        return LoginRequest.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(
            "the login request is invalid; send email and password", details=_details(exc)
        ) from None


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": ["body", *err["loc"]], "msg": err["msg"], "type": err["type"]}
        for err in exc.errors()
    ]


@router.post("/register", status_code=status.HTTP_201_CREATED)
@raises(409)
def register(body: UserCreate, db: DbDep) -> UserPublic:
    user = accounts.register_user(db, body.email, body.password, body.full_name)
    return UserPublic.model_validate(user)


@router.post("/login", openapi_extra=_LOGIN_BODY)
@raises(401)
def login(
    credentials: Annotated[LoginRequest, Depends(read_login_request)],
    db: DbDep,
    settings: SettingsDep,
) -> Token:
    user = accounts.authenticate(db, credentials.email, credentials.password)
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    token = create_access_token(user.id, settings.jwt_secret.get_secret_value(), ttl)
    return Token(access_token=token, expires_in=int(ttl.total_seconds()))


@router.get("/me")
def read_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)
