"""ferag as an MCP server (the official ``mcp`` SDK): tools to list RAGs, find entities, read one
entity with its current facts and sources, ask a question (answer + citations) and run a
read-only SPARQL query, plus one resource per entity.

Two transports share one server: streamable HTTP mounted in the API at ``/mcp``
(``ferag.mcp.http``) and stdio for a local client (``ferag mcp``, ``ferag.mcp.stdio``). Either
way the caller is a ferag API key, and each call applies the key's user's roles through the
same services as the API. Imports the services and the API's error translation, never routes.
"""
