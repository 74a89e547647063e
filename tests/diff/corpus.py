"""The diff corpus: for every check, a minimal pair of documents that triggers it, and a near
pair (a similar change) that must not.

Every pair starts from :data:`BASE`, a small document with each kind of thing a check looks at
(parameters, bodies, responses and headers, security, callbacks, webhooks, ``x-events``); an
``Edit`` changes a deep copy of it. ``pair(case)`` gives (old, new), ``near(case)`` the other.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Doc = dict[str, Any]
Edit = Callable[[Doc], None]


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: Any, **extra: Any) -> dict[str, Any]:
    return {"application/json": {"schema": schema, **extra}}


BASE: Doc = {
    "openapi": "3.0.3",
    "info": {"title": "Corpus", "version": "1"},
    "security": [{"bearer": []}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                     "examples": {"ten": {"value": 10}}},
                    {"name": "tag", "in": "query", "required": True, "schema": {"type": "string"}},
                ],
                "responses": {"200": {"description": "ok", "content": _json({"type": "array", "items": _ref("Item")})}},
            },
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "required": True,
                    "content": _json(_ref("ItemCreate"), examples={"basic": {"value": {"name": "x"}}}),
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "headers": {
                            "Location": {"required": True, "schema": {"type": "string"}},
                            "X-Trace": {"schema": {"type": "string"}},
                        },
                        "content": _json(_ref("Item")),
                        "links": {"GetItem": {"operationId": "getItem", "parameters": {"id": "$response.body#/id"}}},
                    },
                    "400": {"description": "bad request"},
                },
                "callbacks": {
                    "onDone": {
                        "{$request.body#/callback}": {
                            "post": {
                                "requestBody": {"content": _json(_ref("Event"))},
                                "responses": {"200": {"description": "ok", "content": _json(_ref("Ack"))}},
                            }
                        }
                    }
                },
                "x-events": ["item.created"],
            },
        },
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getItem",
                "responses": {"200": {"description": "ok", "content": _json(_ref("Item"))}},
            },
            "delete": {
                "operationId": "deleteItem",
                "security": [{"bearer": []}, {"oauth": ["write"]}],
                "responses": {"204": {"description": "deleted"}},
            },
        },
        "/health": {"get": {"operationId": "health", "security": [], "responses": {"200": {"description": "ok"}}}},
    },
    "components": {
        "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "oauth": {
                "type": "oauth2",
                "flows": {"clientCredentials": {"tokenUrl": "https://a.test/token", "scopes": {"read": "r", "write": "w"}}},
            },
        },
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["id", "name", "status"],
                "properties": {
                    "id": {"type": "string", "pattern": "^it_"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 50},
                    "status": {"type": "string", "enum": ["on", "off"]},
                    "count": {"type": "integer", "minimum": 0, "maximum": 100},
                    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5},
                    "when": {"type": "string", "format": "date"},
                    "note": {"type": "string"},
                    "shape": {"oneOf": [_ref("Circle"), _ref("Square")]},
                    "base": {"allOf": [_ref("Circle")]},
                },
            },
            "ItemCreate": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "minLength": 1, "maxLength": 50},
                    "status": {"type": "string", "enum": ["on", "off"], "default": "on"},
                    "count": {"type": "integer", "minimum": 0, "maximum": 100},
                    "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 5},
                    "code": {"type": "string"},
                    "when": {"type": "string"},
                    "note": {"type": "string"},
                    "shape": {"oneOf": [_ref("Circle"), _ref("Square")]},
                    "base": {"allOf": [_ref("Circle")]},
                },
            },
            "Circle": {"type": "object", "properties": {"radius": {"type": "number"}}},
            "Square": {"type": "object", "properties": {"side": {"type": "number"}}},
            "Triangle": {"type": "object", "properties": {"base": {"type": "number"}}},
            "Event": {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"type": "string"}, "id": {"type": "string"}},
            },
            "Ack": {"type": "object", "properties": {"ok": {"type": "boolean"}}},
        },
    },
    "x-events": {"item.created": {"summary": "An item was created.", "schema": _ref("Event")}},
    "x-webhooks": {
        "itemChanged": {
            "post": {
                "requestBody": {"content": _json(_ref("Event"))},
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


# -- where things are ---------------------------------------------------------------------


def op(d: Doc, path: str, method: str) -> dict[str, Any]:
    return d["paths"][path][method]


def schema(d: Doc, name: str) -> dict[str, Any]:
    return d["components"]["schemas"][name]


def item(d: Doc, prop: str | None = None) -> dict[str, Any]:
    props = schema(d, "Item")["properties"]
    return props if prop is None else props[prop]


def create(d: Doc, prop: str | None = None) -> dict[str, Any]:
    props = schema(d, "ItemCreate")["properties"]
    return props if prop is None else props[prop]


def param(d: Doc, name: str) -> dict[str, Any]:
    return next(p for p in op(d, "/items", "get")["parameters"] if p["name"] == name)


def callback(d: Doc) -> dict[str, Any]:
    return op(d, "/items", "post")["callbacks"]["onDone"]["{$request.body#/callback}"]["post"]


def nothing(d: Doc) -> None:
    return None


def do(*edits: Edit) -> Edit:
    def run(d: Doc) -> None:
        for edit in edits:
            edit(d)

    return run


def setitem(get: Callable[[Doc], Any], key: Any, value: Any) -> Edit:
    return lambda d: get(d).__setitem__(key, copy.deepcopy(value))


def delitem(get: Callable[[Doc], Any], key: Any) -> Edit:
    return lambda d: get(d).__delitem__(key)


def append(get: Callable[[Doc], Any], value: Any) -> Edit:
    return lambda d: get(d).append(copy.deepcopy(value))


@dataclass(frozen=True)
class Case:
    """``new`` turns BASE into the triggering document (``old``: into the old one, if not BASE);
    ``near_new``/``near_old`` likewise for the near pair, which must not trigger the check."""

    check: str
    new: Edit
    near_new: Edit
    old: Edit = nothing
    near_old: Edit = nothing


def _doc(edit: Edit) -> Doc:
    d = copy.deepcopy(BASE)
    edit(d)
    return d


def pair(case: Case) -> tuple[Doc, Doc]:
    return _doc(case.old), _doc(case.new)


def near(case: Case) -> tuple[Doc, Doc]:
    return _doc(case.near_old), _doc(case.near_new)


P, G = "/items", "get"
ITEMS_GET = lambda d: op(d, P, G)  # noqa: E731
ITEMS_POST = lambda d: op(d, P, "post")  # noqa: E731
ITEM_PATH = lambda d: d["paths"]["/items/{id}"]  # noqa: E731
PARAMS = lambda d: op(d, P, G)["parameters"]  # noqa: E731
BODY = lambda d: op(d, P, "post")["requestBody"]  # noqa: E731
RESPONSES = lambda d: op(d, P, "post")["responses"]  # noqa: E731
CREATED = lambda d: op(d, P, "post")["responses"]["201"]  # noqa: E731
SCHEMES = lambda d: d["components"]["securitySchemes"]  # noqa: E731
NEW_PARAM = {"name": "sort", "in": "query", "schema": {"type": "string"}}

CASES: list[Case] = [
    # paths and operations
    Case("path-removed", delitem(lambda d: d["paths"], "/health"), delitem(ITEM_PATH, "delete")),
    Case("operation-removed", delitem(ITEM_PATH, "delete"), delitem(lambda d: d["paths"], "/health")),
    Case("operation-added", setitem(lambda d: d["paths"]["/health"], "post", {"responses": {"200": {"description": "x"}}}),
         setitem(lambda d: d["paths"]["/health"]["get"], "summary", "Health")),
    Case("operation-id-changed", setitem(ITEMS_GET, "operationId", "itemsList"), setitem(ITEMS_GET, "summary", "List")),
    Case("operation-deprecated", setitem(ITEMS_GET, "deprecated", True), setitem(ITEMS_GET, "deprecated", False)),
    # parameters
    Case("new-required-request-parameter", append(PARAMS, {**NEW_PARAM, "required": True}), append(PARAMS, NEW_PARAM)),
    Case("new-optional-request-parameter", append(PARAMS, NEW_PARAM), append(PARAMS, {**NEW_PARAM, "required": True})),
    Case("request-parameter-removed", lambda d: PARAMS(d).pop(0),
         # renaming a path parameter removes nothing
         lambda d: d["paths"].__setitem__("/items/{itemId}", {**d["paths"].pop("/items/{id}"), "parameters": [
             {"name": "itemId", "in": "path", "required": True, "schema": {"type": "string"}}]})),
    Case("request-parameter-became-required", setitem(lambda d: param(d, "limit"), "required", True),
         setitem(lambda d: param(d, "tag"), "required", False)),
    Case("request-parameter-became-optional", setitem(lambda d: param(d, "tag"), "required", False),
         setitem(lambda d: param(d, "limit"), "required", True)),
    Case("request-parameter-style-changed", setitem(lambda d: param(d, "tag"), "style", "spaceDelimited"),
         setitem(lambda d: param(d, "tag"), "description", "A tag")),
    # request bodies
    Case("new-required-request-body", setitem(ITEMS_GET, "requestBody", {"required": True, "content": _json({"type": "object"})}),
         setitem(ITEMS_GET, "requestBody", {"content": _json({"type": "object"})})),
    Case("new-optional-request-body", setitem(ITEMS_GET, "requestBody", {"content": _json({"type": "object"})}),
         setitem(ITEMS_GET, "requestBody", {"required": True, "content": _json({"type": "object"})})),
    Case("request-body-became-required", setitem(BODY, "required", True), setitem(BODY, "required", False),
         old=setitem(BODY, "required", False), near_old=setitem(BODY, "required", True)),
    Case("request-body-became-optional", setitem(BODY, "required", False), setitem(BODY, "description", "An item")),
    Case("request-body-removed", delitem(ITEMS_POST, "requestBody"), setitem(BODY, "required", False)),
    Case("request-media-type-removed",
         lambda d: BODY(d).__setitem__("content", {"text/plain": {"schema": {"type": "string"}}}),
         lambda d: BODY(d)["content"].__setitem__("text/plain", {"schema": {"type": "string"}})),
    Case("request-media-type-added", lambda d: BODY(d)["content"].__setitem__("text/plain", {"schema": {"type": "string"}}),
         lambda d: CREATED(d)["content"].__setitem__("text/plain", {"schema": {"type": "string"}})),
    # what clients send
    Case("new-required-request-property", do(setitem(create, "size", {"type": "integer"}),
                                             append(lambda d: schema(d, "ItemCreate")["required"], "size")),
         setitem(create, "size", {"type": "integer"})),
    Case("new-optional-request-property", setitem(create, "size", {"type": "integer"}),
         setitem(item, "size", {"type": "integer"})),
    Case("request-property-removed", delitem(create, "code"), delitem(item, "note")),
    Case("request-property-became-required", append(lambda d: schema(d, "ItemCreate")["required"], "code"),
         append(lambda d: schema(d, "Item")["required"], "note")),
    Case("request-property-became-optional", setitem(lambda d: schema(d, "ItemCreate"), "required", ["code"]),
         append(lambda d: schema(d, "ItemCreate")["required"], "code"),
         old=append(lambda d: schema(d, "ItemCreate")["required"], "code")),
    Case("request-type-changed", setitem(lambda d: create(d, "code"), "type", "integer"),
         setitem(lambda d: create(d, "count"), "type", "number")),  # integer -> number widens
    Case("request-format-changed", setitem(lambda d: create(d, "when"), "format", "date"),
         delitem(lambda d: item(d, "when"), "format")),
    Case("request-became-not-nullable", setitem(lambda d: create(d, "note"), "nullable", False),
         setitem(lambda d: create(d, "note"), "nullable", True),
         old=setitem(lambda d: create(d, "note"), "nullable", True)),
    Case("request-became-nullable", setitem(lambda d: create(d, "note"), "nullable", True),
         setitem(lambda d: item(d, "note"), "nullable", True)),
    Case("request-enum-value-removed", setitem(lambda d: create(d, "status"), "enum", ["on"]),
         setitem(lambda d: create(d, "status"), "enum", ["on", "off", "auto"])),
    Case("request-enum-value-added", setitem(lambda d: create(d, "status"), "enum", ["on", "off", "auto"]),
         setitem(lambda d: create(d, "status"), "enum", ["on"])),
    Case("request-max-decreased", setitem(lambda d: param(d, "limit")["schema"], "maximum", 50),
         setitem(lambda d: param(d, "limit")["schema"], "maximum", 500)),
    Case("request-min-increased", setitem(lambda d: create(d, "count"), "minimum", 1),
         setitem(lambda d: item(d, "count"), "minimum", 1)),
    Case("request-max-length-decreased", setitem(lambda d: create(d, "name"), "maxLength", 20),
         setitem(lambda d: item(d, "name"), "maxLength", 20)),
    Case("request-min-length-increased", setitem(lambda d: create(d, "name"), "minLength", 3),
         setitem(lambda d: create(d, "name"), "minLength", 0)),
    Case("request-max-items-decreased", setitem(lambda d: create(d, "tags"), "maxItems", 2),
         setitem(lambda d: create(d, "tags"), "maxItems", 10)),
    Case("request-min-items-increased", setitem(lambda d: create(d, "tags"), "minItems", 2),
         setitem(lambda d: create(d, "tags"), "minItems", 0)),
    Case("request-pattern-added", setitem(lambda d: create(d, "code"), "pattern", "^[A-Z]+$"),
         setitem(lambda d: item(d, "note"), "pattern", "^[A-Z]+$")),
    Case("request-pattern-changed", setitem(lambda d: create(d, "code"), "pattern", "^[a-z]+$"),
         nothing,
         old=setitem(lambda d: create(d, "code"), "pattern", "^[A-Z]+$"),
         near_old=setitem(lambda d: create(d, "code"), "pattern", "^[A-Z]+$")),
    Case("request-limit-relaxed", setitem(lambda d: create(d, "name"), "maxLength", 100),
         setitem(lambda d: create(d, "name"), "maxLength", 10)),
    Case("request-additional-properties-closed", setitem(lambda d: schema(d, "ItemCreate"), "additionalProperties", False),
         setitem(lambda d: schema(d, "Item"), "additionalProperties", False)),
    Case("request-default-changed", setitem(lambda d: create(d, "status"), "default", "off"),
         setitem(lambda d: create(d, "status"), "description", "On or off")),
    Case("request-variant-removed", setitem(lambda d: create(d, "shape"), "oneOf", [_ref("Circle")]),
         setitem(lambda d: item(d, "shape"), "oneOf", [_ref("Circle")])),
    Case("request-variant-added", append(lambda d: create(d, "shape")["oneOf"], _ref("Triangle")),
         append(lambda d: item(d, "shape")["oneOf"], _ref("Triangle"))),
    Case("request-all-of-changed", append(lambda d: create(d, "base")["allOf"], _ref("Square")),
         append(lambda d: item(d, "base")["allOf"], _ref("Square"))),
    # responses
    Case("response-success-status-removed", lambda d: RESPONSES(d).pop("201"),
         lambda d: RESPONSES(d).pop("400")),
    Case("response-status-removed", lambda d: RESPONSES(d).pop("400"), lambda d: RESPONSES(d).pop("201")),
    Case("response-success-status-added", setitem(RESPONSES, "202", {"description": "accepted"}),
         setitem(RESPONSES, "409", {"description": "conflict"})),
    Case("response-status-added", setitem(RESPONSES, "409", {"description": "conflict"}),
         setitem(RESPONSES, "202", {"description": "accepted"})),
    Case("response-media-type-removed", lambda d: CREATED(d).__setitem__("content", {"text/plain": {"schema": {"type": "string"}}}),
         lambda d: CREATED(d)["content"].__setitem__("text/plain", {"schema": {"type": "string"}})),
    Case("response-media-type-added", lambda d: CREATED(d)["content"].__setitem__("text/plain", {"schema": {"type": "string"}}),
         lambda d: BODY(d)["content"].__setitem__("text/plain", {"schema": {"type": "string"}})),
    Case("response-required-header-removed", delitem(lambda d: CREATED(d)["headers"], "Location"),
         delitem(lambda d: CREATED(d)["headers"], "X-Trace")),
    Case("response-optional-header-removed", delitem(lambda d: CREATED(d)["headers"], "X-Trace"),
         delitem(lambda d: CREATED(d)["headers"], "Location")),
    Case("response-header-became-optional", setitem(lambda d: CREATED(d)["headers"]["Location"], "required", False),
         setitem(lambda d: CREATED(d)["headers"]["X-Trace"], "required", True)),
    # what clients read
    Case("response-required-property-removed", do(delitem(item, "name"), lambda d: schema(d, "Item")["required"].remove("name")),
         delitem(create, "name")),
    Case("response-optional-property-removed", delitem(item, "note"), delitem(item, "name")),
    Case("response-property-added", setitem(item, "size", {"type": "integer"}), setitem(create, "size", {"type": "integer"})),
    Case("response-property-became-optional", lambda d: schema(d, "Item")["required"].remove("status"),
         lambda d: schema(d, "ItemCreate")["required"].remove("name")),
    Case("response-property-became-required", append(lambda d: schema(d, "Item")["required"], "note"),
         append(lambda d: schema(d, "ItemCreate")["required"], "note")),
    Case("response-type-changed", setitem(lambda d: item(d, "count"), "type", "number"),
         setitem(lambda d: create(d, "count"), "type", "number")),
    Case("response-format-changed", setitem(lambda d: item(d, "when"), "format", "date-time"),
         setitem(lambda d: item(d, "note"), "format", "email")),  # a format added narrows a response
    Case("response-became-nullable", setitem(lambda d: item(d, "note"), "nullable", True),
         setitem(lambda d: create(d, "note"), "nullable", True)),
    Case("response-became-not-nullable", setitem(lambda d: item(d, "note"), "nullable", False),
         setitem(lambda d: item(d, "note"), "nullable", True),
         old=setitem(lambda d: item(d, "note"), "nullable", True)),
    Case("response-enum-value-added", setitem(lambda d: item(d, "status"), "enum", ["on", "off", "auto"]),
         setitem(lambda d: create(d, "status"), "enum", ["on", "off", "auto"])),
    Case("response-enum-value-removed", setitem(lambda d: item(d, "status"), "enum", ["on"]),
         setitem(lambda d: item(d, "status"), "enum", ["on", "off", "auto"])),
    Case("response-max-increased", setitem(lambda d: item(d, "count"), "maximum", 1000),
         setitem(lambda d: item(d, "count"), "maximum", 10)),
    Case("response-min-decreased", delitem(lambda d: item(d, "count"), "minimum"),
         setitem(lambda d: item(d, "count"), "minimum", 5)),
    Case("response-max-length-increased", setitem(lambda d: item(d, "name"), "maxLength", 100),
         setitem(lambda d: create(d, "name"), "maxLength", 100)),
    Case("response-min-length-decreased", setitem(lambda d: item(d, "name"), "minLength", 0),
         setitem(lambda d: item(d, "name"), "minLength", 2)),
    Case("response-max-items-increased", delitem(lambda d: item(d, "tags"), "maxItems"),
         setitem(lambda d: item(d, "tags"), "maxItems", 3)),
    Case("response-min-items-decreased", setitem(lambda d: item(d, "tags"), "minItems", 0),
         setitem(lambda d: item(d, "tags"), "minItems", 2)),
    Case("response-pattern-changed", setitem(lambda d: item(d, "id"), "pattern", "^item_"),
         setitem(lambda d: item(d, "note"), "pattern", "^x")),
    Case("response-variant-added", append(lambda d: item(d, "shape")["oneOf"], _ref("Triangle")),
         append(lambda d: create(d, "shape")["oneOf"], _ref("Triangle"))),
    Case("response-variant-removed", setitem(lambda d: item(d, "shape"), "oneOf", [_ref("Circle")]),
         setitem(lambda d: create(d, "shape"), "oneOf", [_ref("Circle")])),
    Case("response-all-of-changed", append(lambda d: item(d, "base")["allOf"], _ref("Square")),
         append(lambda d: create(d, "base")["allOf"], _ref("Square"))),
    # security
    Case("security-added", setitem(lambda d: d["paths"]["/health"]["get"], "security", [{"key": []}]),
         setitem(ITEMS_GET, "security", [{"bearer": []}, {"key": []}])),
    Case("security-requirement-removed", setitem(ITEMS_GET, "security", [{"key": []}]),
         setitem(ITEMS_GET, "security", [{"bearer": []}, {"key": []}])),
    Case("security-requirement-added", setitem(ITEMS_GET, "security", [{"bearer": []}, {"key": []}]),
         setitem(lambda d: ITEM_PATH(d)["delete"], "security", [{"bearer": []}])),
    Case("security-scope-added", setitem(lambda d: ITEM_PATH(d)["delete"], "security", [{"bearer": []}, {"oauth": ["write", "read"]}]),
         setitem(lambda d: ITEM_PATH(d)["delete"], "security", [{"bearer": []}, {"oauth": []}])),
    Case("security-removed", setitem(ITEMS_GET, "security", []), setitem(ITEMS_GET, "security", [{"bearer": []}, {"key": []}])),
    Case("security-scheme-changed", setitem(lambda d: SCHEMES(d)["key"], "name", "X-Api-Key"),
         setitem(lambda d: SCHEMES(d)["key"], "description", "The key")),
    Case("security-scheme-removed", delitem(SCHEMES, "key"), setitem(SCHEMES, "basic", {"type": "http", "scheme": "basic"})),
    # links
    Case("link-removed", delitem(lambda d: CREATED(d)["links"], "GetItem"),
         setitem(lambda d: CREATED(d)["links"], "DeleteItem", {"operationId": "deleteItem"})),
    Case("link-added", setitem(lambda d: CREATED(d)["links"], "DeleteItem", {"operationId": "deleteItem"}),
         delitem(lambda d: CREATED(d)["links"], "GetItem")),
    # examples
    Case("example-removed", delitem(lambda d: BODY(d)["content"]["application/json"], "examples"),
         setitem(lambda d: BODY(d)["content"]["application/json"]["examples"], "more", {"value": {"name": "y"}})),
    # callbacks, webhooks, events
    Case("callback-removed", delitem(ITEMS_POST, "callbacks"),
         setitem(lambda d: ITEMS_POST(d)["callbacks"], "onFail", {"{$request.body#/fail}": {"post": {"responses": {"200": {"description": "ok"}}}}})),
    Case("callback-added",
         setitem(lambda d: ITEMS_POST(d)["callbacks"], "onFail", {"{$request.body#/fail}": {"post": {"responses": {"200": {"description": "ok"}}}}}),
         delitem(ITEMS_POST, "callbacks")),
    Case("webhook-removed", delitem(lambda d: d, "x-webhooks"),
         setitem(lambda d: d["x-webhooks"], "itemDeleted", {"post": {"responses": {"200": {"description": "ok"}}}})),
    Case("webhook-added", setitem(lambda d: d["x-webhooks"], "itemDeleted", {"post": {"responses": {"200": {"description": "ok"}}}}),
         delitem(lambda d: d, "x-webhooks")),
    Case("event-removed", delitem(lambda d: d["x-events"], "item.created"),
         setitem(lambda d: d["x-events"], "item.deleted", {"schema": _ref("Event")})),
    Case("event-added", setitem(lambda d: d["x-events"], "item.deleted", {"schema": _ref("Event")}),
         delitem(lambda d: d["x-events"], "item.created")),
    Case("operation-event-removed", setitem(ITEMS_POST, "x-events", []),
         setitem(ITEMS_POST, "x-events", ["item.created", "item.updated"])),
    Case("operation-event-added", setitem(ITEMS_POST, "x-events", ["item.created", "item.updated"]),
         setitem(ITEMS_POST, "x-events", [])),
]

#: Checks of changes inside callbacks, webhooks and events (oasdiff checks none of these):
#: (check, what changes, where the change is reported).
INSIDE: list[tuple[str, Edit, str]] = [
    # the API sends the callback's body: a property removed breaks the subscriber reading it
    ("response-required-property-removed",
     setitem(lambda d: callback(d)["requestBody"]["content"]["application/json"], "schema",
             {"type": "object", "properties": {"id": {"type": "string"}}}),
     "callback onDone POST {$request.body#/callback}: request body application/json: type"),
    # the subscriber's answer is read by the API: a new required property breaks subscribers
    ("new-required-request-property",
     setitem(lambda d: callback(d)["responses"]["200"]["content"]["application/json"], "schema",
             {"type": "object", "required": ["ok", "id"], "properties": {"ok": {"type": "boolean"}, "id": {"type": "string"}}}),
     "callback onDone POST {$request.body#/callback}: response 200 application/json: id"),
    ("response-type-changed", setitem(lambda d: schema(d, "Event")["properties"]["id"], "type", "integer"),
     "payload: id"),
]
