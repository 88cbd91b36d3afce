"""Registering users (strong passwords only) and logging in (within the failed-login limits)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ferag.db.models import User
from ferag.errors import Conflict, Unauthenticated
from ferag.security import hash_password, verify_password
from ferag.services.login_limits import LoginLimits
from ferag.services.passwords import check_password_strength

# Verifying against a real hash when the user is unknown keeps response times alike, so login
# timing does not reveal which emails are registered.
_DUMMY_HASH = hash_password("not-a-real-password")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def register_user(
    db: Session, email: str, password: str, full_name: str | None, *, min_password_score: int
) -> User:
    """A new account; InvalidInput if the password is weak, Conflict if the email is taken."""
    check_password_strength(password, min_score=min_password_score, user_inputs=(email, full_name))
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


def log_in(db: Session, limits: LoginLimits, email: str, password: str, address: str) -> User:
    """``authenticate`` within the failed-login limits of ``email`` and the client ``address``
    (RateLimited beyond them, before the password is checked)."""
    email = normalize_email(email)
    limits.check(email, address)
    try:
        user = authenticate(db, email, password)
    except Unauthenticated:
        limits.record_failure(email, address)
        raise
    limits.record_success(email)
    return user


def authenticate(db: Session, email: str, password: str) -> User:
    user = find_user_by_email(db, email)
    if not verify_password(password, user.password_hash if user else _DUMMY_HASH) or user is None:
        raise Unauthenticated("wrong email or password", code="invalid_credentials")
    if not user.is_active:
        raise Unauthenticated("this account is disabled", code="account_disabled")
    return user
