"""A small API written for these tests: credentials in the query and in a cookie, named
examples, a response with a schema and no example."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mockserver.exceptions import MockError, Problem
from mockserver.plugins import MockAPI

ITEM = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "name", "created"],
    "properties": {
        "id": {"type": "string", "pattern": "^itm_[a-z0-9]+$"},
        "name": {"type": "string", "minLength": 1},
        "created": {"type": "string", "format": "date-time"},
        "email": {"type": "string", "format": "email"},
    },
}
ERROR = {
    "type": "object",
    "additionalProperties": False,
    "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Shop", "version": "1"},
    "security": [{"queryKey": []}, {"sessionCookie": []}],
    "components": {
        "securitySchemes": {
            "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": {"Item": ITEM, "Error": ERROR},
    },
    "paths": {
        "/items/{id}": {
            "get": {
                "operationId": "getItem",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {"name": "api_key", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {
                        "description": "the item",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Item"},
                                "examples": {
                                    "lamp": {"value": {"id": "itm_lamp", "name": "Lamp", "created": "2026-01-01T00:00:00Z"}},
                                    "chair": {"value": {"id": "itm_chair", "name": "Chair", "created": "2026-02-01T00:00:00Z"}},
                                },
                            }
                        },
                    },
                    "404": {
                        "description": "no such item",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                    "429": {
                        "description": "slow down",
                        "headers": {"Retry-After": {"required": True, "schema": {"type": "integer", "minimum": 1}, "example": 30}},
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Error"},
                                "example": {"code": "rate_limited", "message": "Too many requests."},
                            }
                        },
                    },
                    "default": {
                        "description": "error",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                },
            }
        }
    },
}


class ShopError(MockError):
    def __init__(self, status: int, code: str, message: str) -> None:
        self.status = status
        self.code = code
        super().__init__(message)

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


class ShopAPI(MockAPI):
    name = "shop"

    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        def getItem(id: str) -> Any:
            if id != "itm_lamp":
                raise ShopError(404, "not_found", f"No item {id}.")
            return {"id": "itm_lamp", "name": "Lamp", "created": "2026-01-01T00:00:00Z"}

        return {"getItem": getItem}

    def error_for(self, problem: Problem) -> MockError:
        return ShopError(problem.status, problem.kind.value, problem.message)

    def load_records(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        """Nothing to load: the shop has one item, in its handler."""


def spec_file(directory: Path) -> Path:
    path = directory / "shop.yaml"
    path.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    return path
