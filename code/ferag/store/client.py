"""Triple store client: SPARQL 1.1 Query/Update over HTTP, one "space" per RAG.

Oxigraph (local) keeps every RAG in one dataset, its graphs named under ``{base}rag/{id}/``.
Fuseki (production) gives each RAG its own TDB2 dataset ``ferag-{id:05d}``, created and deleted
through the Fuseki admin API; the graph names are the same in both, so everything above this
module is store-agnostic.

Exceptions::

    StoreError
     ├── StoreUnavailable   connection refused, timeout, 5xx: retry later
     │    └── StoreTimeout  a request ran longer than its timeout
     ├── StoreRequestError  the store refused the request (4xx): a bug or bad SPARQL
     │    └── SpaceMissing  the RAG's space (Fuseki dataset) does not exist
     └── VersionMarkerError (``ferag.store.versions``) production's version marker is unreadable

A caller says what the store was doing for it, and what a failure means for the user, with
``store_errors(action, consequence)``; the error keeps both and travels on unchanged, so the
worker can still retry a ``StoreUnavailable`` and the API (``ferag.api.errors``) renders the
message once for every route.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, Self

import httpx

from ferag.settings import Settings
from graphrag_lib.sparql_terms import iri, literal
from graphrag_lib.vocab import RagIris

logger = logging.getLogger(__name__)

SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


class StoreError(Exception):
    """Base of triple store errors; ``action`` and ``consequence`` are what the caller was
    doing and what the failure means for the user (``store_errors``), when it said so."""

    action: str | None = None
    consequence: str | None = None

    def during(self, action: str, consequence: str | None = None) -> Self:
        """Record what failed and what it means, unless an inner caller already did."""
        if self.action is None:
            self.action, self.consequence = action, consequence
        return self


@contextmanager
def store_errors(
    action: str, consequence: str | None = "production is unchanged"
) -> Iterator[None]:
    """Name what the store failed to do (and what that means) on any ``StoreError`` raised in
    the block; the error itself propagates."""
    try:
        yield
    except StoreError as exc:
        exc.during(action, consequence)
        raise


class StoreUnavailable(StoreError):
    """The store cannot be reached or failed on its side; the request may be retried."""


class StoreTimeout(StoreUnavailable):
    """The store did not answer within the request's timeout."""


class ResultTooLarge(StoreError):
    """A query's result is larger than the caller accepts."""


@dataclass(frozen=True)
class QueryResult:
    """A query's result as the store serialised it."""

    content_type: str
    body: bytes


class StoreRequestError(StoreError):
    """The store rejected the request."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.status_code = status_code


class SpaceMissing(StoreRequestError):
    """The RAG has no space in the store (a Fuseki dataset never created, or dropped)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 404)


class TripleStore(Protocol):
    kind: str

    def ping(self) -> float: ...
    def server_version(self) -> str | None: ...
    def create_space(self, rag_id: int) -> None: ...
    def drop_space(self, rag_id: int) -> None: ...
    def select(self, rag_id: int, query: str) -> list[dict[str, Any]]: ...
    def ask(self, rag_id: int, query: str) -> bool: ...
    def update(self, rag_id: int, update: str) -> None: ...
    def construct(self, rag_id: int, query: str) -> bytes: ...
    def put_graph(self, rag_id: int, graph: str, ntriples: bytes) -> None: ...
    def post_graph(self, rag_id: int, graph: str, ntriples: bytes) -> None: ...
    def get_graph(self, rag_id: int, graph: str) -> bytes: ...
    def query_graph(
        self,
        rag_id: int,
        query: str,
        graph: str,
        *,
        accept: str,
        timeout: float,
        max_bytes: int,
    ) -> QueryResult: ...
    def close(self) -> None: ...


class _HttpStore:
    """Shared HTTP plumbing: one pooled client, error translation at this boundary."""

    kind = "sparql"

    def __init__(
        self,
        base_url: str,
        base_iri: str,
        *,
        timeout: float = 30.0,
        auth: tuple[str, str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.base_iri = base_iri
        self._http = httpx.Client(timeout=timeout, auth=auth)

    def close(self) -> None:
        self._http.close()

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise StoreTimeout(f"triple store at {self.base_url} timed out: {exc}") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"triple store at {self.base_url} unreachable: {exc}") from exc
        return self._checked(url, response)

    def _checked(self, url: str, response: httpx.Response) -> httpx.Response:
        """The response, or the error it means (``url``: what the request was sent to)."""
        if response.status_code >= 500:
            raise StoreUnavailable(
                f"triple store error {response.status_code}: {response.text[:300]}"
            )
        if response.status_code >= 400:
            raise StoreRequestError(
                f"triple store refused the request ({response.status_code}): {response.text[:300]}",
                response.status_code,
            )
        return response

    def _endpoint(self, rag_id: int, kind: str) -> str:
        raise NotImplementedError

    def select(self, rag_id: int, query: str) -> list[dict[str, Any]]:
        response = self._request(
            "POST",
            self._endpoint(rag_id, "query"),
            data={"query": query},
            headers={"Accept": SPARQL_JSON},
        )
        bindings: list[dict[str, Any]] = response.json()["results"]["bindings"]
        return bindings

    def ask(self, rag_id: int, query: str) -> bool:
        response = self._request(
            "POST",
            self._endpoint(rag_id, "query"),
            data={"query": query},
            headers={"Accept": SPARQL_JSON},
        )
        return bool(response.json()["boolean"])

    def update(self, rag_id: int, update: str) -> None:
        self._request("POST", self._endpoint(rag_id, "update"), data={"update": update})

    def construct(self, rag_id: int, query: str) -> bytes:
        """Run a CONSTRUCT query; the result as N-Triples."""
        response = self._request(
            "POST",
            self._endpoint(rag_id, "query"),
            data={"query": query},
            headers={"Accept": N_TRIPLES},
        )
        return response.content

    def put_graph(self, rag_id: int, graph: str, ntriples: bytes) -> None:
        """Replace named graph ``graph`` with ``ntriples`` (Graph Store Protocol PUT): one
        request, so a re-run writes the same graph again instead of appending."""
        self._request(
            "PUT",
            self._graph_store(rag_id),
            params={"graph": graph},
            content=ntriples,
            headers={"Content-Type": N_TRIPLES},
        )

    def post_graph(self, rag_id: int, graph: str, ntriples: bytes) -> None:
        """Add ``ntriples`` to named graph ``graph`` (Graph Store Protocol POST): how a large
        graph is loaded in chunks, each chunk one transaction."""
        self._request(
            "POST",
            self._graph_store(rag_id),
            params={"graph": graph},
            content=ntriples,
            headers={"Content-Type": N_TRIPLES},
        )

    def get_graph(self, rag_id: int, graph: str) -> bytes:
        """Named graph ``graph`` as N-Triples; empty if it does not exist."""
        try:
            response = self._request(
                "GET",
                self._graph_store(rag_id),
                params={"graph": graph},
                headers={"Accept": N_TRIPLES},
            )
        except StoreRequestError as exc:
            if exc.status_code == 404 and not isinstance(exc, SpaceMissing):
                return b""
            raise
        return response.content

    def _graph_store(self, rag_id: int) -> str:
        return self._endpoint(rag_id, "data")

    def query_graph(
        self,
        rag_id: int,
        query: str,
        graph: str,
        *,
        accept: str,
        timeout: float,
        max_bytes: int,
    ) -> QueryResult:
        """Run a query whose default graph is ``graph`` and which sees no named graphs (the
        Protocol's ``default-graph-uri``, which both stores put before the query's own FROM),
        read as ``accept``. Raises ``StoreTimeout`` past ``timeout`` seconds and
        ``ResultTooLarge`` once the result exceeds ``max_bytes``, which it never holds whole."""
        url = self._endpoint(rag_id, "query")
        data = {"query": query, "default-graph-uri": graph}
        try:
            with self._http.stream(
                "POST", url, data=data, headers={"Accept": accept}, timeout=timeout
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    self._checked(url, response)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > max_bytes:
                        raise ResultTooLarge(f"the result is larger than {max_bytes} bytes")
        except httpx.TimeoutException as exc:
            raise StoreTimeout(f"the query ran longer than {timeout:g} s") from exc
        except httpx.TransportError as exc:
            raise StoreUnavailable(f"triple store at {self.base_url} unreachable: {exc}") from exc
        content_type = response.headers.get("content-type", accept).split(";")[0].strip()
        return QueryResult(content_type, bytes(body))


class OxigraphStore(_HttpStore):
    """Oxigraph server: one dataset, RAGs separated by graph names."""

    kind = "oxigraph"

    def _endpoint(self, rag_id: int, kind: str) -> str:
        # Oxigraph names its Graph Store endpoint /store; Fuseki's is /{dataset}/data.
        return f"{self.base_url}/{'store' if kind == 'data' else kind}"

    def ping(self) -> float:
        started = time.perf_counter()
        self._ask_nothing()
        return time.perf_counter() - started

    def server_version(self) -> str | None:
        """The version in the ``Server: Oxigraph/0.5.13`` header every answer carries."""
        product, _, version = self._ask_nothing().headers.get("server", "").partition("/")
        return version if product == "Oxigraph" and version else None

    def _ask_nothing(self) -> httpx.Response:
        return self._request(
            "GET",
            f"{self.base_url}/query",
            params={"query": "ASK {}"},
            headers={"Accept": SPARQL_JSON},
        )

    def create_space(self, rag_id: int) -> None:
        """Nothing to create: graphs come into being with their first triple."""

    def drop_space(self, rag_id: int) -> None:
        prefix = RagIris(self.base_iri, str(rag_id)).prefix
        rows = self.select(
            rag_id,
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(STRSTARTS(STR(?g), {literal(prefix)})) }}",
        )
        graphs = [row["g"]["value"] for row in rows]
        if graphs:
            # One request, so the drop is one transaction.
            self.update(rag_id, " ;\n".join(f"DROP SILENT GRAPH {iri(g)}" for g in graphs))
        logger.info("dropped %d graphs of rag %s", len(graphs), rag_id)


class FusekiStore(_HttpStore):
    """Apache Jena Fuseki: one TDB2 dataset per RAG, managed through the admin API."""

    kind = "fuseki"

    @staticmethod
    def dataset_name(rag_id: int) -> str:
        return f"ferag-{rag_id:05d}"

    def _endpoint(self, rag_id: int, kind: str) -> str:
        return f"{self.base_url}/{self.dataset_name(rag_id)}/{kind}"

    def _checked(self, url: str, response: httpx.Response) -> httpx.Response:
        try:
            return super()._checked(url, response)
        except StoreRequestError as exc:
            self._raise_if_space_missing(url, exc)
            raise

    def _raise_if_space_missing(self, url: str, exc: StoreRequestError) -> None:
        # A dataset Fuseki does not have answers 404 (GET) or 405 with an HTML page (POST,
        # from its static file handler): ask the admin API which it is, so a missing space is
        # neither read as an empty graph nor reported as a bad request.
        name = self._dataset_in(url)
        if exc.status_code in (404, 405) and name and not self._has_dataset(name):
            raise SpaceMissing(
                f"the triple store has no dataset {name}: the RAG's space was never made "
                "or was dropped; create it with create_space (made with the RAG)"
            ) from exc

    def _dataset_in(self, url: str) -> str | None:
        """The dataset a per-dataset endpoint URL names (None for the admin API)."""
        path = url.removeprefix(f"{self.base_url}/")
        name = path.split("/", 1)[0]
        return None if path == url or name == "$" else name

    def _has_dataset(self, name: str) -> bool:
        try:
            self._request("GET", f"{self.base_url}/$/datasets/{name}")
        except StoreRequestError as exc:
            if exc.status_code == 404:
                return False
            raise
        return True

    def ping(self) -> float:
        started = time.perf_counter()
        self._request("GET", f"{self.base_url}/$/ping")
        return time.perf_counter() - started

    def server_version(self) -> str | None:
        """The version ``/$/server`` reports; that answer also lists every dataset, so it is
        for a person's health check, not a probe that runs every few seconds."""
        version = self._request("GET", f"{self.base_url}/$/server").json().get("version")
        return str(version) if version else None

    def create_space(self, rag_id: int) -> None:
        name = self.dataset_name(rag_id)
        try:
            self._request(
                "POST", f"{self.base_url}/$/datasets", data={"dbName": name, "dbType": "tdb2"}
            )
        except StoreRequestError as exc:
            if exc.status_code != 409:  # already exists: creation is idempotent
                raise

    def drop_space(self, rag_id: int) -> None:
        try:
            self._request("DELETE", f"{self.base_url}/$/datasets/{self.dataset_name(rag_id)}")
        except StoreRequestError as exc:
            if exc.status_code != 404:  # already gone
                raise


def make_store(
    kind: str,
    base_url: str,
    base_iri: str,
    *,
    timeout: float = 30.0,
    user: str | None = None,
    password: str | None = None,
) -> TripleStore:
    auth = (user, password or "") if user else None
    cls = FusekiStore if kind == "fuseki" else OxigraphStore
    return cls(base_url, base_iri, timeout=timeout, auth=auth)


def store_from_settings(settings: Settings) -> TripleStore:
    password = settings.store_password
    return make_store(
        settings.store_kind,
        settings.require("store_url"),
        str(settings.base_iri),
        timeout=settings.store_timeout_s,
        user=settings.store_user,
        password=password.get_secret_value() if password else None,
    )
