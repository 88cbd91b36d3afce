"""Password hashing (Argon2 via pwdlib), JWT access tokens (PyJWT) and the secret that signs
them: ``FERAG_JWT_SECRET``, or in local mode without it a random secret generated once and kept
in ``FERAG_HOME/jwt_secret`` (mode 0600), which every process of the home shares."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
from pwdlib import PasswordHash

from ferag.errors import Unauthenticated
from ferag.settings import MIN_PRODUCTION_SECRET_LENGTH, Settings, SettingsError

logger = logging.getLogger(__name__)

ALGORITHM = "HS256"
SECRET_FILE = "jwt_secret"  # noqa: S105 - a file name
_hasher = PasswordHash.recommended()


def jwt_secret(settings: Settings) -> str:
    """The secret that signs access tokens: FERAG_JWT_SECRET if set (production requires it,
    Settings checks that), else the one kept in ``home`` (``local_jwt_secret``)."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    return local_jwt_secret(settings.home.expanduser())


def local_jwt_secret(home: Path) -> str:
    """The secret in ``home/jwt_secret``, generated on first use.

    The API processes of one ``ferag up`` start at once: the file is written aside and
    hard-linked into place, so it appears whole or not at all, and a process that loses the race
    reads the winner's secret.
    """
    path = home / SECRET_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        descriptor, draft = tempfile.mkstemp(dir=home, prefix=f".{SECRET_FILE}-")  # mode 0600
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48) + "\n")
            try:
                os.link(draft, path)
                logger.info("generated a JWT secret in %s", path)
            except FileExistsError:
                pass
        finally:
            os.unlink(draft)
    return _read_secret(path)


def _read_secret(path: Path) -> str:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        logger.warning("%s was readable by other users; made it private (0600)", path)
        path.chmod(0o600)
    secret = path.read_text().strip()
    if len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
        raise SettingsError(
            f"{path} holds no usable JWT secret (empty or shorter than "
            f"{MIN_PRODUCTION_SECRET_LENGTH} characters); delete it and a new one is generated "
            "(tokens signed with the old one stop working)"
        )
    return secret


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


# --- the web UI's cookie session (ferag.web) ---------------------------------------------------

SESSION_COOKIE = "ferag_session"  # the access token, HttpOnly, SameSite=Strict
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(secret: str, session: str) -> str:
    """The CSRF token of a cookie session: an HMAC of the session's value under the server's
    secret (OWASP's HMAC-based token pattern). It is bound to the session, so a cookie planted
    by a sibling site cannot come with a matching token, and it needs no server-side store."""
    return hmac.new(secret.encode(), b"csrf\0" + session.encode(), hashlib.sha256).hexdigest()


def csrf_matches(secret: str, session: str, token: str | None) -> bool:
    return token is not None and hmac.compare_digest(csrf_token(secret, session), token)
