"""The MCP server through the ``mcp`` SDK's own client, over streamable HTTP (``/mcp`` of the
test API) and over stdio (``ferag mcp`` as a subprocess): every tool, the entity resources, and
access: a viewer's key asks on its RAG and finds nothing of a RAG it is not a member of."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, TextResourceContents

from ferag.settings import Settings
from tests.integration.mcp.conftest import McpScene
from tests.workers import settings_env

TOOLS = {"list_rags", "search_entities", "get_entity", "ask", "sparql_query"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def run_client(main: Callable[[], Awaitable[None]]) -> None:
    """Run an async MCP client to the end. In a thread of its own: the browser tests' session
    fixture (Playwright's sync API) keeps an event loop running in the main thread, and anyio
    does not run one loop inside another."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(anyio.run, main).result()


@asynccontextmanager
async def http_client(api_url: str, key: str) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {key}"}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=60) as http,
        Client(streamable_http_client(f"{api_url}/mcp", http_client=http)) as client,
    ):
        yield client


def stdio_params(settings: Settings, key: str) -> StdioServerParameters:
    env = settings_env(settings, FERAG_API_KEY=key, FERAG_LOG_LEVEL="WARNING")
    env["PYTHONPATH"] = os.pathsep.join([f"{ROOT}/code", ROOT, env.get("PYTHONPATH", "")])
    return StdioServerParameters(
        command=sys.executable, args=["-m", "ferag.cli.main", "mcp"], env=env, cwd=ROOT
    )


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    return " ".join(getattr(part, "text", "") for part in result.content)


async def call_every_tool(client: Client, scene: McpScene) -> None:
    """Each tool once, on the scene's RAG, checking what a client would show."""
    assert {tool.name for tool in (await client.list_tools()).tools} == TOOLS
    rags = structured(await client.call_tool("list_rags", {}))["rags"]
    assert [(r["id"], r["role"]) for r in rags] == [(scene.rag_id, "viewer")]

    alice = scene.graph.entities["alice"]
    found = structured(
        await client.call_tool("search_entities", {"rag_id": scene.rag_id, "query": "A. Smith"})
    )["entities"]
    assert found[0]["iri"] == alice and found[0]["label"] == "Alice Smith"

    entity = structured(
        await client.call_tool("get_entity", {"rag_id": scene.rag_id, "iri": alice})
    )
    assert entity["label"] == "Alice Smith" and "A. Smith" in entity["aliases"]
    assert any(f["object"] == "Acme Corp" for f in entity["facts"])
    assert scene.graph.passages["alice"] in {s["iri"] for s in entity["sources"]}

    question = {"rag_id": scene.rag_id, "question": "Where does Alice Smith work?"}
    answer = structured(await client.call_tool("ask", question))
    assert "Acme Corp" in answer["answer"]
    assert answer["citations"][0]["iri"] == scene.graph.passages["alice"]

    query = "SELECT ?label WHERE { ?e rdfs:label ?label } ORDER BY ?label LIMIT 1"
    result = structured(
        await client.call_tool("sparql_query", {"rag_id": scene.rag_id, "query": query})
    )
    assert result["content_type"].startswith("application/sparql-results+json")
    assert json.loads(result["result"])["results"]["bindings"][0]["label"]["value"]


async def refuse_other_rag(client: Client, scene: McpScene) -> None:
    """Every tool on a RAG the caller is not a member of: not found, its existence unsaid."""
    other = scene.other_rag_id
    iri = scene.graph.entities["alice"].replace(f"/rag/{scene.rag_id}/", f"/rag/{other}/")
    calls = {
        "search_entities": {"query": "Alice"},
        "get_entity": {"iri": iri},
        "ask": {"question": "Where does Alice Smith work?"},
        "sparql_query": {"query": "ASK { ?s ?p ?o }"},
    }
    for name, arguments in calls.items():
        text = error_text(await client.call_tool(name, {"rag_id": other, **arguments}))
        assert f"RAG {other} does not exist or you are not a member of it" in text, name


def test_tools_over_http(api_url: str, scene: McpScene) -> None:
    async def run() -> None:
        async with http_client(api_url, scene.key) as client:
            await call_every_tool(client, scene)
            await refuse_other_rag(client, scene)

    run_client(run)


def test_tools_over_stdio(settings: Settings, scene: McpScene) -> None:
    async def run() -> None:
        async with Client(stdio_params(settings, scene.key)) as client:
            await call_every_tool(client, scene)
            await refuse_other_rag(client, scene)

    run_client(run)


def test_bad_input_is_a_tool_error(api_url: str, scene: McpScene) -> None:
    rag = scene.rag_id
    cases: dict[tuple[str, str], tuple[dict[str, Any], str]] = {
        ("search_entities", "query"): ({"rag_id": rag, "query": ""}, "query"),
        ("get_entity", "iri"): ({"rag_id": rag, "iri": "http://elsewhere/x"}, "not an entity IRI"),
        ("get_entity", "absent"): (
            {"rag_id": rag, "iri": str(scene.iris.entity("nobody"))},
            "has no entity",
        ),
        ("sparql_query", "update"): (
            {"rag_id": rag, "query": "DELETE WHERE { ?s ?p ?o }"},
            "read-only",
        ),
        ("sparql_query", "syntax"): ({"rag_id": rag, "query": "SELECT WHERE"}, "not valid"),
        ("ask", "rag_id"): ({"rag_id": "seven", "question": "hi"}, "rag_id"),
    }

    async def run() -> None:
        async with http_client(api_url, scene.key) as client:
            for (name, case), (arguments, expected) in cases.items():
                text = error_text(await client.call_tool(name, arguments))
                assert expected in text, (name, case, text)

    run_client(run)


def test_entity_resources(api_url: str, scene: McpScene) -> None:
    alice_key = scene.graph.entities["alice"].rsplit("/", 1)[1]
    uri = f"ferag://rags/{scene.rag_id}/entities/{alice_key}"

    async def run() -> None:
        async with http_client(api_url, scene.key) as client:
            listed = {str(r.uri): r.name for r in (await client.list_resources()).resources}
            assert listed[uri] == "Alice Smith"
            assert not any(f"rags/{scene.other_rag_id}/" in u for u in listed)
            templates = (await client.list_resource_templates()).resource_templates
            assert [t.uri_template for t in templates] == ["ferag://rags/{rag_id}/entities/{key}"]
            contents = (await client.read_resource(uri)).contents[0]
            assert isinstance(contents, TextResourceContents)
            assert json.loads(contents.text)["label"] == "Alice Smith"
            hidden = f"ferag://rags/{scene.other_rag_id}/entities/{alice_key}"
            with pytest.raises(MCPError, match="does not exist or you are not a member"):
                await client.read_resource(hidden)

    run_client(run)


@pytest.mark.parametrize("authorization", [None, "Bearer frg_not-a-key", "Bearer eyJ.a.b"])
def test_http_needs_an_api_key(api_url: str, authorization: str | None) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if authorization:
        headers["Authorization"] = authorization
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
    response = httpx.post(f"{api_url}/mcp", json=body, headers=headers, timeout=30)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_stdio_refuses_a_bad_key(settings: Settings) -> None:
    import subprocess

    params = stdio_params(settings, "frg_revoked-or-unknown")
    done = subprocess.run(
        [params.command, *params.args], env=params.env, cwd=params.cwd, capture_output=True,
        text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert done.returncode == 1
    assert "API key is unknown or revoked" in done.stderr
    assert done.stdout == ""
