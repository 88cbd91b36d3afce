"""The bounded fuzz test: requests generated from the API's own OpenAPI document, by an owner
of a RAG, a viewer, anonymous callers and callers with garbage tokens, never get a 5xx, and
every status they get is documented for their operation (issue #10).

``tests.openapi_requests`` turns each operation's parameter and body schemas into hypothesis
strategies, mostly valid, often hostile. The run is derandomized (the same requests every run,
so CI is stable) and bounded: ``FERAG_FUZZ_EXAMPLES`` requests per operation (default 40,
about a minute and a half on 2 cores; ``FERAG_FUZZ_ONLY`` = an operation id probes only that
one). Uploads are probed without files (their validation, not their
heavy path). ``/health`` is left out: its 503 reports a component that is down.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import hypothesis
import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st

from ferag.settings import Settings
from tests.factories import (
    Account,
    add_member,
    create_account,
    create_api_key,
    create_chat_session,
    create_rag,
    create_task,
)
from tests.openapi_requests import Request, Schemas, requests_for

pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("FERAG_FUZZ_EXAMPLES", "40"))
ONLY = os.environ.get("FERAG_FUZZ_ONLY")  # an operation id: probe only that one (debugging)
# Health reports answer 503 by design when a component is down; they take no input anyway.
LEFT_OUT = {
    ("get", "/health"),
    ("get", "/health/ready"),
    ("get", "/health/live"),
    ("get", "/metrics"),
}


@dataclass
class World:
    """The rows requests may name: a RAG of ``owner`` with a ``viewer``, a task, a session."""

    owner: Account
    viewer: Account
    known: dict[str, list[Any]]


def make_world(http: httpx.Client, settings: Settings) -> World:
    owner, viewer = create_account(http), create_account(http)
    rag_id = create_rag(http, owner, name="fuzzed")
    add_member(http, owner, rag_id, viewer, "viewer")
    known: dict[str, list[Any]] = {
        "rag_id": [rag_id],
        "user_id": [owner.id, viewer.id],
        "task_id": [str(create_task(settings.require("database_url"), rag_id))],
        "session_id": [str(create_chat_session(settings, rag_id, owner.id))],
        "key_id": [create_api_key(http, owner)],
        "model": [f"rag-{rag_id}"],
        "number": [0, 1],
    }
    return World(owner, viewer, known)


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if (method, path) not in LEFT_OUT and ONLY in (None, operation["operationId"]):
                yield path, method, operation


def callers(world: World) -> st.SearchStrategy[dict[str, str]]:
    printable = st.characters(min_codepoint=32, max_codepoint=126)
    # Header values as HTTP allows them (no surrounding blanks): the API's side of it is tested.
    token = st.text(printable, min_size=1, max_size=60).map(str.strip).filter(bool)
    garbage = (token | token.map("Bearer {}".format)).map(lambda t: {"Authorization": t})
    request_id = token.map(lambda rid: {"X-Request-ID": rid})
    # Mostly the owner, so most requests get past authentication to the code behind it.
    member = st.sampled_from([world.owner.headers] * 6 + [world.viewer.headers, {}])
    who = st.integers(0, 4).flatmap(lambda n: garbage if n == 4 else member)
    return st.tuples(who, st.just({}) | request_id).map(lambda p: {**p[0], **p[1]})


def send(http: httpx.Client, request: Request, headers: dict[str, str]) -> httpx.Response:
    return http.request(
        request.method,
        request.url,
        content=request.content,
        data=request.data,
        files=request.files,
        headers={**headers, **request.headers},
    )


@dataclass
class Findings:
    server_errors: list[str]
    undocumented: set[str]


def probe_operation(
    http: httpx.Client,
    operation: dict[str, Any],
    strategy: st.SearchStrategy[tuple[Request, dict[str, str]]],
    findings: Findings,
) -> None:
    """Send ``EXAMPLES`` generated requests; record the first 5xx and every status the
    operation does not document."""

    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        # No shrinking: against a server it costs minutes, and the failing request is shown.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
    )
    @given(strategy)
    def probe(drawn: tuple[Request, dict[str, str]]) -> None:
        request, headers = drawn
        response = send(http, request, headers)
        status = response.status_code

        if str(status) not in operation["responses"]:
            findings.undocumented.add(f"{operation['operationId']}: {status}")
        assert status < 500, f"{request.describe()} -> {status} {response.text[:300]}"

    try:
        probe()
    except AssertionError as exc:
        findings.server_errors.append(str(exc).splitlines()[0])


@pytest.mark.timeout(600)
def test_no_operation_answers_5xx_and_every_status_is_documented(
    api_url: str, settings: Settings
) -> None:
    with httpx.Client(base_url=api_url, timeout=60) as http:
        document = http.get("/openapi.json").json()
        schemas = Schemas(document)
        findings = Findings([], set())
        readers = make_world(http, settings)
        for path, method, operation in operations(document):
            # An operation that may change rows (remove the owner, delete the RAG) gets rows
            # of its own, so every operation starts from the same world.
            world = readers if method == "get" else make_world(http, settings)
            requests = requests_for(schemas, path, method, operation, world.known)
            probe_operation(http, operation, st.tuples(requests, callers(world)), findings)
    assert findings.server_errors == [], "\n".join(findings.server_errors)
    assert findings.undocumented == set(), "document these (ferag.api.openapi.raises)"
