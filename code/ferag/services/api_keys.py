"""Per-user API keys for the OpenAI-compatible API (Open WebUI, the ``openai`` client).

A key is ``frg_`` + 43 URL-safe characters (256 random bits). Only its SHA-256 is stored, so a
key is shown once, at creation; its first characters (``prefix``) identify it in listings.
A revoked key is refused from then on; its row stays so listings show when it was revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ferag.db.models import ApiKey, User
from ferag.errors import NotFound, Unauthenticated

KEY_PREFIX = "frg_"
SHOWN_PREFIX_LENGTH = 12


def is_api_key(token: str) -> bool:
    """Whether a bearer token is an API key (rather than a login access token)."""
    return token.startswith(KEY_PREFIX)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(db: Session, user: User, name: str) -> tuple[ApiKey, str]:
    """A new key for ``user``: the stored row and the key itself (never stored)."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        user_id=user.id, name=name, prefix=key[:SHOWN_PREFIX_LENGTH], key_hash=hash_key(key)
    )
    db.add(row)
    db.commit()
    db.refresh(row)
    return row, key


def list_keys(db: Session, user: User) -> list[ApiKey]:
    return list(db.scalars(select(ApiKey).where(ApiKey.user_id == user.id).order_by(ApiKey.id)))


def revoke_key(db: Session, user: User, key_id: int) -> ApiKey:
    """Revoke one of the caller's keys (revoking twice keeps the first time)."""
    row = db.get(ApiKey, key_id)
    if row is None or row.user_id != user.id:
        raise NotFound(f"API key {key_id} does not exist or is not yours", code="api_key_not_found")
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
        db.commit()
        db.refresh(row)
    return row


def authenticate(db: Session, key: str) -> User:
    """The active user a valid, unrevoked key belongs to; Unauthenticated otherwise."""
    row = db.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated(
            "the API key is unknown or revoked; create one with POST /auth/api-keys",
            code="invalid_api_key",
        )
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        raise Unauthenticated("the account of this API key is disabled", code="invalid_api_key")
    db.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=datetime.now(UTC)))
    db.commit()
    return user
