"""The generic behaviour: any operation of a document answered statefully, or from the document.

An inferred CRUD operation (:mod:`mockserver.generic.inference`) works on the API's store
(``generic:<resource>`` tables, in the request's unit of work); every other operation answers
from the document's examples, else a body generated from its schema
(:func:`mockserver.generate.respond`), honouring ``Prefer: code=, example=, dynamic=true`` as
Prism does. Errors come in the document's own shape (:mod:`mockserver.generic.errors`); an
error the operation does not document (a 404 where only 200 is) is never invented: the
operation answers from its examples instead, as Prism would.

The engine reaches it through :attr:`MockAPI.generic` for every operation the API has no
handler for: a hand-written plug-in overrides the operations it implements, the rest fall
back here.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

from mockserver.dispatch import Dispatcher, Reply, current_scope, dumps
from mockserver.exceptions import MockError
from mockserver.fake import schema_errors
from mockserver.generate import NoResponse, choose_status, respond
from mockserver.generic import lists, objects
from mockserver.generic.errors import DocumentError, operation_error
from mockserver.generic.inference import Action, Inference, Resource, infer, operation_key
from mockserver.spec import MISSING, Document, Operation
from mockserver.store import UnitOfWork

if TYPE_CHECKING:
    from mockserver.plugins import MockAPI

__all__ = ["GenericBehaviour", "GenericDispatcher"]

_MERGE_PATCH = "application/merge-patch+json"


class GenericDispatcher(Dispatcher):
    """Calls the generic behaviour for one operation (the engine's :class:`Dispatcher` API)."""

    def __init__(self, behaviour: GenericBehaviour, op: Operation) -> None:
        self.behaviour = behaviour
        self.op = op
        self.handler = behaviour.handle
        self.is_async = False
        self.arguments = []
        self.pass_body = True

    async def __call__(self, values: dict[str, dict[str, Any]], body: Any) -> Reply:
        return self.behaviour.handle(self.op, values, body)


class GenericBehaviour:
    """Inference of one document, and the handlers it implies, on one API's store."""

    def __init__(self, api: MockAPI, document: Document | None = None) -> None:
        from mockserver.spec import Document as _Document

        self.api = api
        self.document = document or _Document.from_dict(api.spec)
        self.inference: Inference = infer(self.document)
        self.operations = {operation_key(op): op for op in self.document.operations}

    def dispatcher(self, operation_key: str) -> GenericDispatcher:
        return GenericDispatcher(self, self.operations[operation_key])

    @property
    def seed(self) -> int:
        return int(getattr(self.api, "seed", 0))

    # -- one request -----------------------------------------------------------------------------

    def handle(self, op: Operation, values: dict[str, dict[str, Any]], body: Any) -> Reply:
        prefer = _prefer()
        action = self.inference.actions.get(operation_key(op))
        try:
            if action is not None and not prefer:
                unit = self.api.store.current
                if unit is None:
                    return self.api.store.run(lambda u: self._crud(u, action, op, values, body))
                return self._crud(unit, action, op, values, body)
            return self._from_document(op, prefer)
        except DocumentError as error:
            return _error_reply(error)

    def _from_document(self, op: Operation, prefer: dict[str, str]) -> Reply:
        code = prefer.get("code")
        try:
            generated = respond(
                op,
                int(code) if code and code.isdigit() else None,
                example=prefer.get("example"),
                dynamic=prefer.get("dynamic") == "true",
                seed=self.seed,
                now=self._now(),
            )
        except NoResponse:
            generated = respond(op, seed=self.seed, now=self._now())
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in generated.headers.items()]
        if not generated.has_body:
            return Reply(generated.status, headers, b"")
        media = generated.media_type or "application/json"
        headers.append((b"content-type", media.encode("latin-1")))
        return Reply(generated.status, headers, _encode(generated.body, media))

    def _now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.api.clock.timestamp(), dt.UTC)

    # -- CRUD ------------------------------------------------------------------------------------

    def _crud(
        self, unit: UnitOfWork, action: Action, op: Operation, values: dict[str, dict[str, Any]], body: Any
    ) -> Reply:
        resource = action.resource
        path = values.get("path", {})
        scope = tuple(str(path.get(name, "")) for name in resource.scope_params)
        if resource.parent is not None and not self._parent_exists(unit, resource.parent, scope):
            missing = self._not_found(op, f"No {resource.parent.name} with id {scope[-1]!r}.")
            if missing is not None:
                return missing
        table = resource.table(scope)
        key = str(path[resource.id_param]) if resource.id_param and resource.id_param in path else None
        if action.action == "list":
            return self._list(unit, resource, op, table, values.get("query", {}))
        if action.action == "create":
            return self._create(unit, resource, op, table, body, scope)
        assert key is not None
        row = unit.get(table, key)
        if row is None:
            if action.action == "replace" and isinstance(body, dict):
                return self._create(unit, resource, op, table, body, scope, key=key)
            missing = self._not_found(op, f"No {resource.name} with id {key!r}.")
            return missing if missing is not None else self._from_document(op, {})
        stored: dict[str, Any] = row["object"]
        if action.action == "retrieve":
            return self._reply(op, resource, stored)
        if action.action == "delete":
            unit.delete(table, key)
            return self._reply(op, resource, stored)
        if action.action == "replace":
            changed = dict(body) if isinstance(body, dict) else {}
        else:
            content_type = _content_type()
            if content_type == _MERGE_PATCH or isinstance(body, dict):
                changed = objects.merge_patch(stored, body if isinstance(body, dict) else {})
            else:
                changed = dict(stored)
        updated = self._build(resource, changed, key, previous=stored)
        conflict = self._duplicate(unit, resource, op, table, updated, key)
        if conflict is not None:
            return conflict
        unit.put(table, key, {"key": key, "object": updated})
        return self._reply(op, resource, updated)

    def _create(
        self,
        unit: UnitOfWork,
        resource: Resource,
        op: Operation,
        table: str,
        body: Any,
        scope: tuple[str, ...],
        key: str | None = None,
    ) -> Reply:
        sent = dict(body) if isinstance(body, dict) else {}
        chosen = self._client_id(resource, op, sent) if key is None else MISSING
        if chosen is not MISSING:
            key = str(chosen)
            if unit.get(table, key) is not None:
                conflict = operation_error(op, 409, f"A {resource.name} with id {key!r} already exists.", "duplicate")
                if conflict is not None and _declares(op, 409):
                    raise conflict
        identifier: Any = key if chosen is MISSING else chosen
        if key is None:
            identifier = objects.new_id(resource, unit, table, self.seed, _route_schema(resource))
            key = str(identifier)
        elif resource.id_schema is not None and resource.id_schema.type == "integer" and key.lstrip("-").isdigit():
            identifier = int(key)
        if resource.id_field is not None:
            sent[resource.id_field] = identifier
        created = self._build(resource, sent, key, identifier=identifier)
        duplicate = self._duplicate(unit, resource, op, table, created, key)
        if duplicate is not None:
            return duplicate
        unit.put(table, key, {"key": key, "object": created})
        return self._reply(op, resource, created)

    def _client_id(self, resource: Resource, op: Operation, sent: dict[str, Any]) -> Any:
        """The id the client sent, if it may choose one and the item path would accept it."""
        if not resource.client_ids or resource.id_field not in sent:
            return MISSING
        value = objects.integral(resource.id_schema, sent[resource.id_field])
        route = _route_schema(resource)
        if route is not None and schema_errors(route, value):
            return MISSING  # an id no URL can name: the server chooses one instead
        return value

    def _build(
        self,
        resource: Resource,
        sent: dict[str, Any],
        key: str,
        *,
        previous: dict[str, Any] | None = None,
        identifier: Any = MISSING,
    ) -> dict[str, Any]:
        """The stored object: the request, server-owned fields over it, valid for the schema."""
        now = self.api.clock.timestamp()
        owned = objects.server_fields(resource, now, created=previous is None, previous=previous)
        merged = {**(objects.defaults(resource) if previous is None else {}), **sent, **owned}
        if resource.id_field is not None:
            if previous is not None and resource.id_field in previous:
                merged[resource.id_field] = previous[resource.id_field]
            elif identifier is not MISSING:
                merged[resource.id_field] = identifier
        if resource.schema is None:
            return merged
        merged = objects.integral(resource.schema, merged)
        keep = tuple(k for k in (resource.id_field, *owned) if k)
        result = objects.fit(resource.schema, merged, seed=self.seed, keep=keep)
        return dict(result) if isinstance(result, dict) else merged

    def _duplicate(
        self, unit: UnitOfWork, resource: Resource, op: Operation, table: str, obj: dict[str, Any], key: str
    ) -> Reply | None:
        for name in resource.unique:
            if name not in obj:
                continue
            for row in unit.rows(table):
                if row["key"] != key and row["object"].get(name) == obj[name]:
                    conflict = operation_error(
                        op, 409, f"A {resource.name} with {name} {obj[name]!r} already exists.", "duplicate"
                    )
                    if conflict is not None and _declares(op, 409):
                        return _error_reply(conflict)
        return None

    def _list(
        self, unit: UnitOfWork, resource: Resource, op: Operation, table: str, query: dict[str, Any]
    ) -> Reply:
        envelope = resource.envelope
        assert envelope is not None
        rows = [(row["key"], row["object"]) for row in unit.rows(table)]
        properties = envelope.item_schema.object_properties()[0] if envelope.item_schema else {}
        found = lists.page(op, rows, query, properties)
        body = lists.render(
            envelope,
            found,
            functools.partial(objects.view, resource.schema),
            seed=self.seed,
            stored=resource.schema,
        )
        status, response = choose_status(op)
        media = response.json
        return Reply(status, [(b"content-type", (media.name if media else "application/json").encode())], dumps(body))

    def _reply(self, op: Operation, resource: Resource, obj: dict[str, Any]) -> Reply:
        """The success response of ``op`` showing ``obj`` (as far as its schema holds it)."""
        status, response = choose_status(op)
        media = response.json
        if media is None or not response.content:
            return Reply(status, [], b"")
        shown = objects.view(resource.schema, obj)
        schema = media.schema
        body: Any = shown
        if schema is not None and schema is not resource.schema:  # stored objects match theirs
            body = _wrapped(schema, shown, self.seed)
        return Reply(status, [(b"content-type", media.name.encode("latin-1"))], dumps(body))

    def _parent_exists(self, unit: UnitOfWork, parent: Resource, scope: tuple[str, ...]) -> bool:
        if not scope or parent.item is None:
            return True
        return unit.get(parent.table(scope[:-1]), scope[-1]) is not None

    @staticmethod
    def _not_found(op: Operation, message: str) -> Reply | None:
        error = operation_error(op, 404, message, "not_found")  # 404, 4XX or default
        return _error_reply(error) if error is not None else None


def _route_schema(resource: Resource) -> Any:
    """The schema of the item path's id parameter (the read's, where several differ)."""
    for action in ("retrieve", "replace", "update", "delete"):
        op = resource.operations.get(action)
        parameter = op.parameter(resource.id_param or "", "path") if op is not None else None
        if parameter is not None and parameter.schema is not None:
            return parameter.schema
    return None


def _declares(op: Operation, status: int) -> bool:
    """The operation documents ``status`` itself (or its range), not only through ``default``."""
    return str(status) in op.responses or f"{str(status)[0]}XX" in op.responses


def _wrapped(schema: Any, shown: dict[str, Any], seed: int) -> Any:
    """``shown`` as the response schema wants it: itself, inside a one-object wrapper, or fitted."""
    if not schema_errors(schema, shown):
        return shown
    for name, prop in schema.object_properties()[0].items():
        if prop.type in ("object", None) and not schema_errors(prop, shown):
            wrapper = objects.fit(schema, {name: shown}, seed=seed, keep=(name,))
            if isinstance(wrapper, dict) and wrapper.get(name) == shown:
                return wrapper
    return objects.fit(schema, shown, seed=seed)


def _error_reply(error: MockError) -> Reply:
    body = error.body()
    media = error.headers.get("Content-Type", "application/json")
    if body is MISSING:
        return Reply(error.status, [], b"")
    return Reply(error.status, [(b"content-type", media.encode("latin-1"))], dumps(body))


def _encode(body: Any, media: str) -> bytes:
    if isinstance(body, str) and not (media.endswith("json")):
        return body.encode()
    return dumps(body)


def _headers() -> list[tuple[bytes, bytes]]:
    try:
        return list(current_scope.get().get("headers", []))
    except LookupError:
        return []


def _content_type() -> str:
    for name, value in _headers():
        if name == b"content-type":
            return value.decode("latin-1").split(";")[0].strip().lower()
    return ""


def _prefer() -> dict[str, str]:
    """``Prefer: code=404, example=name, dynamic=true`` (Prism's preferences), lower-cased keys."""
    found: dict[str, str] = {}
    for name, value in _headers():
        if name != b"prefer":
            continue
        for part in value.decode("latin-1").replace(";", ",").split(","):
            key, _, setting = part.strip().partition("=")
            if key.strip().lower() in ("code", "example", "dynamic"):
                found[key.strip().lower()] = setting.strip().strip('"')
    return found
