"""RAGs and members through the HTTP API, and what deleting a RAG removes."""

from __future__ import annotations

from typing import Any

import httpx
import sqlalchemy as sa

from ferag.settings import Settings
from ferag.store.client import make_store
from graphrag_lib.vocab import RagIris
from tests.factories import add_member, create_account, create_rag


def test_create_list_read_update(client: httpx.Client) -> None:
    owner, stranger = create_account(client), create_account(client)
    created = client.post(
        "/rags", json={"name": "  Handbook ", "description": "HR docs"}, headers=owner.headers
    )
    assert created.status_code == 201
    rag = created.json()
    assert (rag["name"], rag["description"], rag["role"]) == ("Handbook", "HR docs", "owner")

    create_rag(client, owner, name="second")
    listing = client.get("/rags", headers=owner.headers).json()
    assert listing["count"] == 2
    assert [r["name"] for r in listing["data"]] == ["second", "Handbook"]
    assert (
        client.get("/rags", params={"limit": 1, "offset": 1}, headers=owner.headers).json()["data"][
            0
        ]["name"]
        == "Handbook"
    )
    assert client.get("/rags", headers=stranger.headers).json() == {"data": [], "count": 0}

    updated = client.patch(
        f"/rags/{rag['id']}", json={"name": "Handbook 2"}, headers=owner.headers
    ).json()
    assert (updated["name"], updated["description"]) == ("Handbook 2", "HR docs")
    assert updated["updated_at"] >= rag["updated_at"]


def test_member_lifecycle(client: httpx.Client) -> None:
    owner, ann = create_account(client), create_account(client)
    rag_id = create_rag(client, owner)
    assert client.get(f"/rags/{rag_id}", headers=ann.headers).status_code == 404

    add_member(client, owner, rag_id, ann, "viewer")
    seen = client.get(f"/rags/{rag_id}", headers=ann.headers).json()
    assert seen["role"] == "viewer"
    assert [r["id"] for r in client.get("/rags", headers=ann.headers).json()["data"]] == [rag_id]

    promoted = client.patch(
        f"/rags/{rag_id}/members/{ann.id}", json={"role": "owner"}, headers=owner.headers
    )
    assert promoted.json()["role"] == "owner"
    # With two owners, the first may now step down and leave.
    assert (
        client.patch(
            f"/rags/{rag_id}/members/{owner.id}", json={"role": "editor"}, headers=owner.headers
        ).status_code
        == 200
    )
    assert (
        client.delete(f"/rags/{rag_id}/members/{owner.id}", headers=owner.headers).status_code
        == 204
    )
    assert client.get(f"/rags/{rag_id}", headers=owner.headers).status_code == 404
    members = client.get(f"/rags/{rag_id}/members", headers=ann.headers).json()
    assert [(m["email"], m["role"]) for m in members["data"]] == [(ann.email, "owner")]


def test_a_viewer_may_leave(client: httpx.Client) -> None:
    owner, ann = create_account(client), create_account(client)
    rag_id = create_rag(client, owner)
    add_member(client, owner, rag_id, ann, "viewer")
    assert client.delete(f"/rags/{rag_id}/members/{ann.id}", headers=ann.headers).status_code == 204
    assert client.get(f"/rags/{rag_id}", headers=ann.headers).status_code == 404


def graph(settings: Settings, rag_id: int, name: str) -> str:
    return str(RagIris(str(settings.base_iri), str(rag_id)).graph(name))


TABLES_WITH_RAG = ("members", "cycles", "tasks", "versions", "chat_sessions")


def seed_rows(engine: sa.Engine, rag_id: int, user_id: int) -> None:
    """Rows of every kind a RAG owns (their endpoints arrive with later issues)."""
    with engine.begin() as conn:
        cycle = conn.execute(
            sa.text("INSERT INTO cycles (rag_id, created_by) VALUES (:r, :u) RETURNING id"),
            {"r": rag_id, "u": user_id},
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO tasks (id, rag_id, cycle_id, kind) "
                "VALUES (gen_random_uuid(), :r, :c, 'pipeline')"
            ),
            {"r": rag_id, "c": cycle},
        )
        conn.execute(
            sa.text(
                "INSERT INTO task_events (task_id, seq, step, status) "
                "SELECT id, 1, 'pipeline', 'queued' FROM tasks WHERE rag_id = :r"
            ),
            {"r": rag_id},
        )
        conn.execute(
            sa.text(
                "INSERT INTO versions (rag_id, number, cycle_id, kind, created_by) "
                "VALUES (:r, 1, :c, 'approval', :u)"
            ),
            {"r": rag_id, "c": cycle, "u": user_id},
        )
        session = conn.execute(
            sa.text(
                "INSERT INTO chat_sessions (id, rag_id, user_id) "
                "VALUES (gen_random_uuid(), :r, :u) RETURNING id"
            ),
            {"r": rag_id, "u": user_id},
        ).scalar_one()
        conn.execute(
            sa.text(
                "INSERT INTO chat_messages (session_id, role, content) VALUES (:s, 'user', 'hi')"
            ),
            {"s": session},
        )


def count_rows(engine: sa.Engine, rag_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        counts = {
            t: conn.execute(
                sa.text(f"SELECT count(*) FROM {t} WHERE rag_id = :r"),  # noqa: S608
                {"r": rag_id},
            ).scalar_one()
            for t in TABLES_WITH_RAG
        }
        counts["task_events"] = conn.execute(
            sa.text(
                "SELECT count(*) FROM task_events e JOIN tasks t ON t.id = e.task_id "
                "WHERE t.rag_id = :r"
            ),
            {"r": rag_id},
        ).scalar_one()
        counts["rags"] = conn.execute(
            sa.text("SELECT count(*) FROM rags WHERE id = :r"), {"r": rag_id}
        ).scalar_one()
    return counts


def test_deleting_a_rag_removes_its_rows_and_store_data(
    client: httpx.Client, settings: Settings
) -> None:
    owner = create_account(client)
    doomed, kept = create_rag(client, owner, "doomed"), create_rag(client, owner, "kept")
    engine = sa.create_engine(settings.database_url or "")
    store = make_store("oxigraph", settings.store_url or "", str(settings.base_iri))
    for rag_id in (doomed, kept):
        seed_rows(engine, rag_id, owner.id)
        for name in ("prod", "cycle/1/add"):
            store.update(
                rag_id,
                f"INSERT DATA {{ GRAPH <{graph(settings, rag_id, name)}> "
                "{ <urn:a> <urn:b> <urn:c> } }",
            )
    assert all(n >= 1 for n in count_rows(engine, doomed).values())

    assert client.delete(f"/rags/{doomed}", headers=owner.headers).status_code == 204

    assert set(count_rows(engine, doomed).values()) == {0}
    assert all(n >= 1 for n in count_rows(engine, kept).values())
    graphs = {
        row["g"]["value"]
        for row in store.select(kept, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    }
    base = str(settings.base_iri)
    assert not any(g.startswith(f"{base.rstrip('/')}/rag/{doomed}/") for g in graphs)
    assert (
        str(RagIris(base, str(kept)).graph("prod")) in graphs
        and str(RagIris(base, str(kept)).graph("cycle/1/add")) in graphs
    )
    assert client.get(f"/rags/{doomed}", headers=owner.headers).status_code == 404
    engine.dispose()
    store.close()


def test_a_store_outage_keeps_the_rag(client: httpx.Client, settings: Settings) -> None:
    """If the triple store is down, deletion is refused with 503 and nothing is removed."""
    from ferag.api.app import create_app
    from ferag.stack.threaded import ThreadedServer

    owner = create_account(client)
    rag_id = create_rag(client, owner)
    broken = settings.model_copy(update={"store_url": "http://127.0.0.1:9"})
    with ThreadedServer(create_app(broken)) as server, httpx.Client(base_url=server.url) as http:
        response = http.delete(f"/rags/{rag_id}", headers=owner.headers)
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "store_unavailable"
    names = [r["name"] for r in client.get("/rags", headers=owner.headers).json()["data"]]
    assert names == ["docs"]


def test_a_rags_language_entity_types_and_chunking(client: httpx.Client) -> None:
    owner, editor = create_account(client), create_account(client)
    created = client.post(
        "/rags",
        json={
            "name": "Отчёты",
            "language": "ru",
            "entity_types": ["person", " организация "],
            "chunking": {"size": 600, "overlap": 60},
        },
        headers=owner.headers,
    )
    assert created.status_code == 201, created.text
    rag_id = created.json()["id"]
    read = client.get(f"/rags/{rag_id}", headers=owner.headers).json()
    assert read["language"] == "ru"
    assert read["entity_types"] == ["person", "организация"]
    assert read["chunking"] == {"size": 600, "overlap": 60}

    changed = client.patch(f"/rags/{rag_id}", json={"language": "auto"}, headers=owner.headers)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["language"], changed.json()["entity_types"]) == (
        "auto",
        ["person", "организация"],
    )
    reset = client.patch(
        f"/rags/{rag_id}", json={"entity_types": None, "chunking": None}, headers=owner.headers
    ).json()
    assert (reset["language"], reset["entity_types"], reset["chunking"]) == ("auto", None, None)

    add_member(client, owner, rag_id, editor, "editor")
    refused = client.patch(f"/rags/{rag_id}", json={"language": "en"}, headers=editor.headers)
    assert refused.status_code == 403
    plain = client.get(f"/rags/{create_rag(client, owner)}", headers=owner.headers).json()
    assert (plain["language"], plain["entity_types"], plain["chunking"]) == (None, None, None)


def test_bad_indexing_values_are_refused_naming_the_field(client: httpx.Client) -> None:
    owner = create_account(client)
    rag_id = create_rag(client, owner)
    bad: dict[str, tuple[dict[str, Any], str]] = {
        "language": ({"language": "de"}, "language"),
        "no types": ({"entity_types": []}, "entity_types"),
        "empty type": ({"entity_types": ["person", " "]}, "entity_types.1"),
        "long type": ({"entity_types": ["x" * 65]}, "entity_types.0"),
        "comma": ({"entity_types": ["person, place"]}, "entity_types.0"),
        "twice": ({"entity_types": ["Person", "person"]}, "entity_types"),
        "overlap": ({"chunking": {"size": 500, "overlap": 500}}, "chunking"),
        "tiny": ({"chunking": {"size": 10, "overlap": 0}}, "chunking.size"),
        "half": ({"chunking": {"size": 500}}, "chunking.overlap"),
    }
    for case, (body, field) in bad.items():
        for response in (
            client.patch(f"/rags/{rag_id}", json=body, headers=owner.headers),
            client.post("/rags", json={"name": "x", **body}, headers=owner.headers),
        ):
            assert response.status_code == 422, (case, response.text)
            error = response.json()["error"]
            assert error["code"] == "validation_error"
            assert [".".join(map(str, d["loc"])) for d in error["details"]] == [f"body.{field}"]
            assert f"body.{field}:" in error["message"], case
    unchanged = client.get(f"/rags/{rag_id}", headers=owner.headers).json()
    assert (unchanged["language"], unchanged["chunking"]) == (None, None)
