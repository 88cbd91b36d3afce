"""Hypothesis strategies for requests to the operations of an OpenAPI document.

A compact stand-in for schemathesis. Each request follows the operation's parameter and body
schemas except in (at most) one place, the target, where it carries a hostile value: control
characters and lone surrogates in text, integers past every bound, wrong types, unknown fields,
a body that is not an object. Breaking one thing at a time gets the hostile value past the
other checks into the code behind them. ``known`` values (ids of rows that exist) are used for
path parameters of that name most of the time, so requests reach the rows owners' code paths.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from hypothesis import strategies as st

JsonSchema = dict[str, Any]

HOSTILE_TEXT = ["\u0000", "\ud800", "\u0007", "\u009b", "\n"]
HOSTILE_INTEGERS = [2**63, 2**31, 2**64, -1, 2**63 - 1, -(2**63) - 1]
_TEXT = st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from("\x00\ud800"), max_size=30)
_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=6,
)
WHOLE_BODY = "<body>"


@dataclass(frozen=True)
class Request:
    """One generated request, ready for ``httpx.Client.request``."""

    method: str
    url: str
    content: bytes | None = None
    data: dict[str, str] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        body = self.content[:300] if self.content else self.data
        return f"{self.method} {self.url} body={body!r}"


class Schemas:
    """Valid and hostile values for the JSON schemas of one OpenAPI document."""

    def __init__(self, document: JsonSchema) -> None:
        self.components: dict[str, JsonSchema] = document.get("components", {}).get("schemas", {})

    def resolve(self, schema: JsonSchema) -> JsonSchema:
        while "$ref" in schema:
            schema = self.components[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    def valid(self, schema: JsonSchema) -> st.SearchStrategy[Any]:
        """Values that satisfy ``schema`` (as far as these few keywords tell)."""
        schema = self.resolve(schema)
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        options = schema.get("anyOf", []) + schema.get("oneOf", [])
        if options:
            return st.one_of([self.valid(option) for option in options])
        if "allOf" in schema:
            return self.valid(schema["allOf"][0])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.valid({**schema, "type": k}) for k in kind])
        return self._typed(kind, schema)

    def _typed(self, kind: str | None, schema: JsonSchema) -> st.SearchStrategy[Any]:
        if kind == "string":
            return self._string(schema)
        if kind == "integer":
            return st.integers(schema.get("minimum"), schema.get("maximum"))
        if kind == "number":
            return st.floats(schema.get("minimum"), schema.get("maximum"), allow_nan=False)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        if kind == "array":
            top = min(schema.get("maxItems", 3), 3)
            low = min(schema.get("minItems", 0), top)
            return st.lists(self.valid(schema.get("items", {})), min_size=low, max_size=top)
        if kind == "object" or "properties" in schema:
            return self.object(schema)
        return _ANY_JSON

    def _string(self, schema: JsonSchema) -> st.SearchStrategy[Any]:
        formats: dict[str, st.SearchStrategy[Any]] = {
            "email": st.emails().map(str),
            "uuid": st.uuids().map(str),
            "date": st.dates().map(str),
            "date-time": st.datetimes().map(lambda d: d.isoformat()),
            "binary": st.binary(max_size=50),
        }
        if schema.get("format") in formats:
            return formats[schema["format"]]
        low, high = schema.get("minLength", 0), min(schema.get("maxLength", 40), 40)
        return st.text(min_size=min(low, high), max_size=high)

    def object(self, schema: JsonSchema, poison: str | None = None) -> st.SearchStrategy[Any]:
        """An object of ``schema``; the property ``poison``, if any, present and hostile."""
        properties: dict[str, JsonSchema] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        fixed = {name: self.valid(sub) for name, sub in properties.items() if name in required}
        if poison is not None:
            fixed[poison] = self.hostile(properties[poison])
        optional = {name: self.valid(sub) for name, sub in properties.items() if name not in fixed}
        return st.fixed_dictionaries(fixed, optional=optional)

    def hostile(self, schema: JsonSchema) -> st.SearchStrategy[Any]:
        """A value of about the right shape that ``schema`` (or what lies behind it) should
        refuse: hostile text, integers past the bounds, a poisoned item or property."""
        schema = self.resolve(schema)
        kinds = self.kinds(schema)
        choices: list[st.SearchStrategy[Any]] = []
        if "string" in kinds:
            text = self._string({**schema, "format": None, "minLength": 0})
            poisoned = st.tuples(text, st.sampled_from(HOSTILE_TEXT)).map("".join)
            choices += [st.sampled_from(HOSTILE_TEXT), poisoned]
        if "integer" in kinds:
            past = [schema["maximum"] + 1] if "maximum" in schema else []
            choices.append(st.sampled_from(HOSTILE_INTEGERS + past))
        for option in schema.get("anyOf", []) + schema.get("oneOf", []):
            if self.kinds(option) & {"array", "object"}:
                choices.append(self.hostile(option))
        if "array" in kinds:
            choices.append(st.lists(self.hostile(schema.get("items", {})), min_size=1, max_size=2))
        if "object" in kinds and schema.get("properties"):
            names = sorted(schema["properties"])
            choices.append(st.sampled_from(names).flatmap(lambda n: self.object(schema, n)))
        return st.one_of(choices) if choices else _ANY_JSON

    def kinds(self, schema: JsonSchema) -> set[str]:
        """The JSON types ``schema`` allows (through ``anyOf``/``oneOf``, enums as strings)."""
        schema = self.resolve(schema)
        found = {"string"} if "enum" in schema else set()
        if "properties" in schema:
            found.add("object")
        kind = schema.get("type")
        found |= set(kind) if isinstance(kind, list) else {kind} if kind else set()
        for option in schema.get("anyOf", []) + schema.get("oneOf", []):
            found |= self.kinds(option)
        return found


def requests_for(
    schemas: Schemas, path: str, method: str, operation: JsonSchema, known: dict[str, list[Any]]
) -> st.SearchStrategy[Request]:
    """Requests to one operation, hostile in at most one parameter or body property. File
    parts are never sent (a decoy part and the form's other fields only): what uploads do with
    files is the upload tests' business."""
    parameters: list[JsonSchema] = operation.get("parameters", [])
    body_content: dict[str, Any] = operation.get("requestBody", {}).get("content", {})
    targets: list[str | None] = [None, *(p["name"] for p in parameters)]
    if body_content:
        targets.append(WHOLE_BODY)
        for content in body_content.values():
            targets += sorted(schemas.resolve(content.get("schema", {})).get("properties", {}))

    @st.composite
    def build(draw: st.DrawFn) -> Request:
        target = draw(st.sampled_from(targets))
        url, query = path, []
        for parameter in parameters:
            name, schema = parameter["name"], parameter["schema"]
            value_of = schemas.hostile(schema) if name == target else schemas.valid(schema)
            if parameter["in"] == "path":
                if known.get(name) and name != target:
                    value_of = st.sampled_from(known[name])
                # An empty segment addresses another route (or a redirect), not this one.
                url = url.replace("{" + name + "}", _quoted(draw(value_of)) or "%20")
            elif parameter["in"] == "query" and (name == target or draw(st.booleans())):
                query.append(f"{_quoted(name)}={_quoted(draw(value_of))}")
        url += "?" + "&".join(query) if query else ""
        request = Request(method.upper(), url)
        return _with_body(draw, schemas, request, operation, target) if body_content else request

    return build()


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _quoted(value: Any) -> str:
    """Percent-encoded UTF-8, lone surrogates included (as bytes no decoder accepts)."""
    return quote(_plain(value).encode("utf-8", "surrogatepass"), safe="")


def _sendable(text: str) -> str:
    """``text`` with lone surrogates replaced: form encoders refuse them."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _with_body(
    draw: st.DrawFn, schemas: Schemas, request: Request, operation: JsonSchema, target: str | None
) -> Request:
    body = operation["requestBody"]
    media_type = draw(st.sampled_from(sorted(body["content"])))
    schema = schemas.resolve(body["content"][media_type].get("schema", {}))
    properties = schema.get("properties", {})
    if target == WHOLE_BODY:
        unknown = st.sampled_from(["is_admin", "\u0000", "id"])
        extra = st.tuples(schemas.object(schema), unknown, _ANY_JSON).map(
            lambda t: {**t[0], t[1]: t[2]}
        )
        value = draw(st.one_of(_ANY_JSON, extra) if properties else _ANY_JSON)
    elif target in properties:
        value = draw(schemas.object(schema, target))
    elif not body.get("required") and draw(st.booleans()):
        return request
    else:
        value = draw(schemas.valid(schema))
    if media_type == "application/json":
        # json.dumps escapes what UTF-8 cannot carry (lone surrogates) as a client would.
        return replace(
            request, content=json.dumps(value).encode(), headers={"Content-Type": media_type}
        )
    fields = value if isinstance(value, dict) else {"value": value}
    form = {
        _sendable(str(name)): _sendable(_plain(item))
        for name, item in fields.items()
        if "array" not in schemas.kinds(properties.get(name, {}))
    }
    files = [("decoy", ("decoy.txt", b"decoy", "text/plain"))]
    return replace(request, data=form, files=files if "multipart" in media_type else None)
