"""Accounts: register (unless registration is closed), log in (JSON or the OAuth2 password
form, within the failed-login limits), who am I."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, status
from pydantic import ValidationError

from ferag.api.deps import CurrentUser, DbDep, JwtSecretDep, LoginLimitsDep, SettingsDep
from ferag.api.openapi import raises
from ferag.api.schemas import LoginRequest, Token, UserCreate, UserPublic
from ferag.errors import BadRequest, Forbidden, InvalidInput
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


@raises(403)
def registration_open(settings: SettingsDep) -> None:
    if settings.registration == "closed":
        raise Forbidden(
            "registration is closed on this server; ask an administrator to create your "
            "account (`ferag users create --email …`)",
            code="registration_closed",
        )


@router.post(
    "/register", status_code=status.HTTP_201_CREATED, dependencies=[Depends(registration_open)]
)
@raises(409)
def register(body: UserCreate, db: DbDep, settings: SettingsDep) -> UserPublic:
    user = accounts.register_user(
        db,
        body.email,
        body.password,
        body.full_name,
        min_password_score=settings.password_min_score,
    )
    return UserPublic.model_validate(user)


@router.post("/login", openapi_extra=_LOGIN_BODY)
@raises(401, 429)
def login(
    credentials: Annotated[LoginRequest, Depends(read_login_request)],
    request: Request,
    db: DbDep,
    limits: LoginLimitsDep,
    secret: JwtSecretDep,
    settings: SettingsDep,
) -> Token:
    # Behind a proxy, uvicorn takes the client from X-Forwarded-For when the proxy's address is
    # in FORWARDED_ALLOW_IPS (docs/operations.md, "Logins").
    address = request.client.host if request.client else "unknown"
    user = accounts.log_in(db, limits, credentials.email, credentials.password, address)
    ttl = timedelta(minutes=settings.jwt_ttl_minutes)
    token = create_access_token(user.id, secret, ttl)
    return Token(access_token=token, expires_in=int(ttl.total_seconds()))


@router.get("/me")
def read_me(user: CurrentUser) -> UserPublic:
    return UserPublic.model_validate(user)
