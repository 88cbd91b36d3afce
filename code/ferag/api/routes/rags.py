"""Knowledge bases ("RAGs") and their members."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from ferag.api.deps import CeleryDep, CurrentUser, DbDep, RagOwner, RagViewer, StoreDep
from ferag.api.openapi import raises
from ferag.api.params import Offset, UserId
from ferag.api.schemas import (
    Chunking,
    MemberCreate,
    MemberPublic,
    MembersPublic,
    MemberUpdate,
    RagCreate,
    RagPublic,
    RagsPublic,
    RagUpdate,
)
from ferag.db.models import Member, Rag, Role, User
from ferag.errors import Forbidden
from ferag.services import members, rags

router = APIRouter(prefix="/rags", tags=["rags"])


def _rag_public(rag: Rag, role: Role) -> RagPublic:
    return RagPublic(
        id=rag.id,
        name=rag.name,
        description=rag.description,
        role=role,
        language=rag.language,
        entity_types=rag.entity_types,
        chunking=_chunking(rag),
        created_at=rag.created_at,
        updated_at=rag.updated_at,
    )


def _chunking(rag: Rag) -> Chunking | None:
    if rag.chunk_size is None or rag.chunk_overlap is None:
        return None
    return Chunking(size=rag.chunk_size, overlap=rag.chunk_overlap)


def _member_public(member: Member, user: User) -> MemberPublic:
    return MemberPublic(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        role=member.role,
        created_at=member.created_at,
    )


@router.post("", status_code=status.HTTP_201_CREATED)
def create_rag(body: RagCreate, user: CurrentUser, db: DbDep, store: StoreDep) -> RagPublic:
    rag = rags.create_rag(db, store, user, body.name, body.description, body.indexing_columns())
    return _rag_public(rag, Role.owner)


@router.get("")
def list_rags(
    user: CurrentUser,
    db: DbDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RagsPublic:
    rows, total = rags.list_rags(db, user, offset, limit)
    return RagsPublic(data=[_rag_public(rag, role) for rag, role in rows], count=total)


@router.get("/{rag_id}")
def read_rag(access: RagViewer) -> RagPublic:
    return _rag_public(access.rag, access.role)


@router.patch("/{rag_id}")
def update_rag(body: RagUpdate, access: RagOwner, db: DbDep) -> RagPublic:
    """Rename or describe the RAG, or change how its next cycles index (a cycle in flight
    keeps the settings it started with)."""
    rag = rags.update_rag(db, access.rag, body.name, body.description, body.indexing_columns())
    return _rag_public(rag, access.role)


@router.delete("/{rag_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_rag(access: RagOwner, db: DbDep, store: StoreDep, celery: CeleryDep) -> Response:
    """Delete the RAG with its data; cycles in flight are cancelled first."""
    rags.delete_rag(db, store, access.rag, celery)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{rag_id}/members")
def list_members(access: RagViewer, db: DbDep) -> MembersPublic:
    rows = members.list_members(db, access.rag)
    return MembersPublic(data=[_member_public(m, u) for m, u in rows], count=len(rows))


@router.post("/{rag_id}/members", status_code=status.HTTP_201_CREATED)
@raises(404, 409)
def add_member(body: MemberCreate, access: RagOwner, db: DbDep) -> MemberPublic:
    member, user = members.add_member(db, access.rag, body.email, body.role)
    return _member_public(member, user)


@router.patch("/{rag_id}/members/{user_id}")
@raises(404, 409)
def change_member_role(
    user_id: UserId, body: MemberUpdate, access: RagOwner, db: DbDep
) -> MemberPublic:
    member, user = members.change_role(db, access.rag, user_id, body.role)
    return _member_public(member, user)


@router.delete("/{rag_id}/members/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
@raises(403, 404, 409)
def remove_member(user_id: UserId, access: RagViewer, db: DbDep) -> Response:
    """Owners remove anyone; any member may remove themselves (leave the RAG)."""
    if access.role is not Role.owner and user_id != access.user.id:
        raise Forbidden(
            "only owners remove other members; you may remove yourself", code="insufficient_role"
        )
    members.remove_member(db, access.rag, user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
