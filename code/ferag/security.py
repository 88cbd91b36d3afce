"""Password hashing (Argon2 via pwdlib) and JWT access tokens (PyJWT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
from pwdlib import PasswordHash

from ferag.errors import Unauthenticated

ALGORITHM = "HS256"
_hasher = PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher.verify(password, password_hash)


def create_access_token(user_id: int, secret: str, ttl: timedelta) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(user_id), "iat": now, "exp": now + ttl, "typ": "access"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def read_access_token(token: str, secret: str) -> int:
    """The user id in a valid access token; Unauthenticated otherwise."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], options={"require": ["exp"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("the access token has expired; log in again") from None
    except jwt.InvalidTokenError:
        raise Unauthenticated("the access token is invalid; log in again") from None
    if claims.get("typ") != "access" or not str(claims.get("sub", "")).isdigit():
        raise Unauthenticated("the token is not an access token; log in again")
    return int(claims["sub"])
