"""Registering users and checking credentials."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ferag.db.models import User
from ferag.errors import Conflict, Unauthenticated
from ferag.security import hash_password, verify_password

# Verifying against a real hash when the user is unknown keeps response times alike, so login
# timing does not reveal which emails are registered.
_DUMMY_HASH = hash_password("not-a-real-password")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def register_user(db: Session, email: str, password: str, full_name: str | None) -> User:
    user = User(
        email=normalize_email(email),
        password_hash=hash_password(password),
        full_name=full_name or None,
    )
    db.add(user)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        raise Conflict(
            f"an account with email {user.email} already exists; log in instead", code="email_taken"
        ) from None
    return user


def find_user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == normalize_email(email)))


def authenticate(db: Session, email: str, password: str) -> User:
    user = find_user_by_email(db, email)
    if not verify_password(password, user.password_hash if user else _DUMMY_HASH) or user is None:
        raise Unauthenticated("wrong email or password", code="invalid_credentials")
    if not user.is_active:
        raise Unauthenticated("this account is disabled", code="account_disabled")
    return user
