"""What only Fuseki has: one TDB2 dataset per RAG made through its admin API, and basic
authentication on every endpoint."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from ferag.stack.servers import Server, start_fuseki
from ferag.store.client import FusekiStore, SpaceMissing, StoreRequestError, TripleStore, make_store
from tests.integration.store.conftest import BASE_IRI


def _client(server: Server) -> TripleStore:
    env = server.env
    return make_store(
        "fuseki", server.url, BASE_IRI,
        user=env["FERAG_STORE_USER"], password=env["FERAG_STORE_PASSWORD"],
    )  # fmt: skip


@pytest.fixture()
def fuseki(fuseki_server: Server) -> TripleStore:
    return _client(fuseki_server)


@pytest.fixture()
def admin(fuseki_server: Server) -> httpx.Client:
    env = fuseki_server.env
    return httpx.Client(
        base_url=fuseki_server.url, auth=(env["FERAG_STORE_USER"], env["FERAG_STORE_PASSWORD"])
    )


def _datasets(admin: httpx.Client) -> dict[str, bool]:
    listed = admin.get("/$/datasets").raise_for_status().json()["datasets"]
    return {ds["ds.name"]: ds["ds.state"] for ds in listed}


def test_a_space_is_a_tdb2_dataset_made_and_removed_through_the_admin_api(
    fuseki: TripleStore, admin: httpx.Client
) -> None:
    store = fuseki
    name = f"/{FusekiStore.dataset_name(97_001)}"

    store.create_space(97_001)
    assert _datasets(admin).get(name) is True
    stats = admin.get(f"/$/datasets{name}").raise_for_status().json()
    assert stats["ds.name"] == name

    store.drop_space(97_001)
    assert name not in _datasets(admin)
    store.close()


def test_a_wrong_password_is_refused(fuseki_server: Server) -> None:
    store = make_store("fuseki", fuseki_server.url, BASE_IRI, user="admin", password="wrong")
    with pytest.raises(StoreRequestError) as error:
        store.create_space(97_002)
    assert error.value.status_code == 401
    store.close()


def test_a_space_never_made_is_named_as_missing_not_read_as_empty(fuseki: TripleStore) -> None:
    # Fuseki answers a dataset it does not have with 404 (GET) or 405 and an HTML page (POST,
    # from its static file handler); neither may pass for "no such graph" or a bad request.
    calls = (
        lambda: fuseki.select(97_003, "SELECT * WHERE { ?s ?p ?o }"),
        lambda: fuseki.ask(97_003, "ASK {}"),
        lambda: fuseki.construct(97_003, "CONSTRUCT WHERE { ?s ?p ?o }"),
        lambda: fuseki.update(97_003, "CLEAR SILENT DEFAULT"),
        lambda: fuseki.get_graph(97_003, "urn:ferag:g"),
        lambda: fuseki.put_graph(97_003, "urn:ferag:g", b"<urn:a> <urn:b> <urn:c> ."),
    )
    for call in calls:
        with pytest.raises(SpaceMissing) as error:
            call()
        assert error.value.status_code == 404
        assert FusekiStore.dataset_name(97_003) in str(error.value)
        assert "create_space" in str(error.value)


@pytest.mark.slow
def test_a_restarted_fuseki_keeps_its_datasets_and_password(
    fuseki_server: Server, tmp_path: Path
) -> None:
    # ``ferag up`` restarts the store on the same directory: datasets made through the admin
    # API and the generated password must both survive it.
    home, log = tmp_path / "fuseki", tmp_path / "fuseki.log"
    first = start_fuseki(home, log)
    try:
        store = _client(first)
        store.create_space(97_004)
        store.put_graph(97_004, "urn:ferag:g", b"<urn:a> <urn:b> <urn:c> .\n")
        store.close()
    finally:
        first.stop()

    second = start_fuseki(home, log)
    try:
        assert second.env["FERAG_STORE_PASSWORD"] == first.env["FERAG_STORE_PASSWORD"]
        store = _client(second)
        assert store.get_graph(97_004, "urn:ferag:g") == b"<urn:a> <urn:b> <urn:c> .\n"
        store.close()
    finally:
        second.stop()
