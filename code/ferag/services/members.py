"""Membership of users in RAGs. A RAG always keeps at least one owner."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ferag.db.models import Member, Rag, Role, Task, User
from ferag.errors import Conflict, Forbidden, NotFound
from ferag.services.accounts import find_user_by_email


def membership(db: Session, rag_id: int, user_id: int) -> tuple[Rag, Role] | None:
    """The RAG and ``user_id``'s role on it; None if either does not exist or the user is not
    a member. Every access check on a RAG (routes, the OpenAI-compatible API, task events and
    their WebSocket) starts here."""
    row = db.execute(
        select(Rag, Member.role)
        .join(Member, Member.rag_id == Rag.id)
        .where(Rag.id == rag_id, Member.user_id == user_id)
    ).first()
    return None if row is None else (row[0], row[1])


def require_member(db: Session, rag_id: int, user_id: int, needed: Role) -> tuple[Rag, Role]:
    """The RAG and the caller's role on it, if that role allows ``needed``. A non-member gets
    ``NotFound`` (the RAG's existence is not revealed), a member whose role is too low
    ``Forbidden``. The API's ``require_role`` and the MCP server's tools check through it."""
    row = membership(db, rag_id, user_id)
    if row is None:
        raise NotFound(
            f"RAG {rag_id} does not exist or you are not a member of it", code="rag_not_found"
        )
    rag, role = row
    if not role.allows(needed):
        raise Forbidden(
            f"your role on RAG {rag_id} is {role.value}; this needs {needed.value} or above",
            code="insufficient_role",
        )
    return rag, role


def visible_task(db: Session, task_id: uuid.UUID, user_id: int) -> Task | None:
    """The task, if it exists and ``user_id`` is a member of its RAG (any role)."""
    task = db.get(Task, task_id)
    return task if task is not None and membership(db, task.rag_id, user_id) else None


def list_members(db: Session, rag: Rag) -> list[tuple[Member, User]]:
    rows = db.execute(
        select(Member, User)
        .join(User, User.id == Member.user_id)
        .where(Member.rag_id == rag.id)
        .order_by(Member.created_at, User.id)
    ).all()
    return [(member, user) for member, user in rows]


def add_member(db: Session, rag: Rag, email: str, role: Role) -> tuple[Member, User]:
    user = find_user_by_email(db, email)
    if user is None:
        raise NotFound(
            f"no account has the email {email}; ask them to register first", code="user_not_found"
        )
    if db.get(Member, (rag.id, user.id)) is not None:
        raise Conflict(
            f"{user.email} is already a member; change their role instead", code="member_exists"
        )
    member = Member(rag_id=rag.id, user_id=user.id, role=role)
    db.add(member)
    db.commit()
    db.refresh(member)
    return member, user


def get_member(db: Session, rag: Rag, user_id: int) -> Member:
    member = db.get(Member, (rag.id, user_id))
    if member is None:
        raise NotFound(f"user {user_id} is not a member of RAG {rag.id}", code="member_not_found")
    return member


def change_role(db: Session, rag: Rag, user_id: int, role: Role) -> tuple[Member, User]:
    member = _locked(db, rag, user_id)
    if member.role is Role.owner and role is not Role.owner:
        _ensure_another_owner(db, rag)
    member.role = role
    db.commit()
    return member, member.user


def remove_member(db: Session, rag: Rag, user_id: int) -> None:
    member = _locked(db, rag, user_id)
    if member.role is Role.owner:
        _ensure_another_owner(db, rag)
    db.delete(member)
    db.commit()


def _locked(db: Session, rag: Rag, user_id: int) -> Member:
    """Lock the RAG's owner rows so two concurrent demotions cannot remove the last owner."""
    db.execute(
        select(Member.user_id)
        .where(Member.rag_id == rag.id, Member.role == Role.owner)
        .with_for_update()
    ).all()
    return get_member(db, rag, user_id)


def _ensure_another_owner(db: Session, rag: Rag) -> None:
    owners = db.scalar(
        select(func.count()).where(Member.rag_id == rag.id, Member.role == Role.owner)
    )
    if (owners or 0) <= 1:
        raise Conflict(
            "a RAG needs at least one owner; make someone else owner first", code="last_owner"
        )
