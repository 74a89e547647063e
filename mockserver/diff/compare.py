"""Walk two documents of the spec model side by side and list the changes (:mod:`.checks`).

Operations are matched by method and path template, path parameters by position (renaming
``{id}`` to ``{campaignId}`` changes nothing for a client), other parameters by location and
name, responses by status, media types by name. Callbacks and webhooks are compared with the
roles turned round (the API sends their request bodies and reads their responses), and so are
the payloads of ``x-events``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from mockserver.diff.checks import CHECKS, Change
from mockserver.diff.schemas import SchemaComparer, Side, Unchanged
from mockserver.spec import Document, MediaType, Operation, Parameter, Requirement, Response

__all__ = ["diff_documents"]

_PARAM = re.compile(r"\{[^}/]*\}")


def _template_key(path: str) -> str:
    return _PARAM.sub("{}", path)


def _path_params(path: str) -> list[str]:
    return [p[1:-1] for p in _PARAM.findall(path)]


def _flip(side: Side) -> Side:
    return "response" if side == "request" else "request"


class _Diff:
    def __init__(self, old: Document, new: Document) -> None:
        self.old, self.new = old, new
        self.schemas = SchemaComparer(Unchanged(old.raw, new.raw))
        self.changes: list[Change] = []

    def emit(self, id_: str, subject: str, location: str, message: str, op: Operation | None = None) -> None:
        check = CHECKS[id_]
        self.changes.append(
            Change(id_, check.level, subject, location, message, op.id if op is not None else None)
        )

    # -- the document --------------------------------------------------------------------

    def run(self) -> list[Change]:
        old_ops = {(op.method, _template_key(op.path)): op for op in self.old.operations}
        new_ops = {(op.method, _template_key(op.path)): op for op in self.new.operations}
        new_paths = {_template_key(op.path) for op in self.new.operations}
        for key, op in old_ops.items():
            if key in new_ops:
                self.operation(op, new_ops[key])
            elif key[1] in new_paths:
                self.emit("operation-removed", op.label, "", f"{op.label} ({op.name}) removed", op)
            else:
                self.emit("path-removed", op.label, "", f"path {op.path} removed ({op.name})", op)
        for key, op in new_ops.items():
            if key not in old_ops:
                self.emit("operation-added", op.label, "", f"{op.label} ({op.name}) added", op)
        self.security_schemes()
        self.webhooks()
        self.events()
        return self.changes

    def operation(self, old: Operation, new: Operation, flipped: bool = False, subject: str | None = None) -> None:
        subject = subject or new.label
        if not flipped:
            if old.id and new.id and old.id != new.id:
                self.emit("operation-id-changed", subject, "operationId", f"operationId {old.id} became {new.id}", new)
            if new.deprecated and not old.deprecated:
                self.emit("operation-deprecated", subject, "", "deprecated", new)
            self.parameters(old, new, subject)
            self.security(old, new, subject)
            self.callbacks(old, new, subject)
            self.operation_events(old, new, subject)
        self.request_body(old, new, subject, flipped)
        self.responses(old, new, subject, flipped)

    # -- parameters ----------------------------------------------------------------------

    def parameters(self, old: Operation, new: Operation, subject: str) -> None:
        renamed = dict(zip(_path_params(old.path), _path_params(new.path), strict=False))

        def key(parameter: Parameter, names: Mapping[str, str]) -> tuple[str, str]:
            if parameter.location == "path":
                return "path", names.get(parameter.name, parameter.name)
            return parameter.key

        old_params = {key(p, renamed): p for p in old.parameters}
        new_params = {key(p, {}): p for p in new.parameters}
        for k, parameter in old_params.items():
            where = f"{parameter.location} parameter {parameter.name}"
            after = new_params.get(k)
            if after is None:
                self.emit("request-parameter-removed", subject, where, "parameter removed", new)
                continue
            if after.required and not parameter.required:
                self.emit("request-parameter-became-required", subject, where, "became required", new)
            elif parameter.required and not after.required:
                self.emit("request-parameter-became-optional", subject, where, "became optional", new)
            if (parameter.style, parameter.explode) != (after.style, after.explode):
                self.emit(
                    "request-parameter-style-changed", subject, where,
                    f"style/explode changed from {parameter.style}/{parameter.explode} to {after.style}/{after.explode}",
                    new,
                )
            if parameter.schema is not None and after.schema is not None:
                self.schema(parameter.schema, after.schema, "request", subject, where, new)
            self.examples(parameter.examples, after.examples, subject, where, new)
        for k, parameter in new_params.items():
            if k in old_params:
                continue
            where = f"{parameter.location} parameter {parameter.name}"
            if parameter.required:
                self.emit("new-required-request-parameter", subject, where, "new required parameter", new)
            else:
                self.emit("new-optional-request-parameter", subject, where, "new optional parameter", new)

    # -- bodies --------------------------------------------------------------------------

    def request_body(self, old: Operation, new: Operation, subject: str, flipped: bool) -> None:
        before, after = old.request_body, new.request_body
        side: Side = "response" if flipped else "request"
        if before is None and after is None:
            return
        if not flipped:
            if before is None and after is not None:
                id_ = "new-required-request-body" if after.required else "new-optional-request-body"
                self.emit(id_, subject, "request body", "request body added", new)
                return
            if after is None:
                self.emit("request-body-removed", subject, "request body", "request body removed", new)
                return
            assert before is not None
            if after.required and not before.required:
                self.emit("request-body-became-required", subject, "request body", "became required", new)
            elif before.required and not after.required:
                self.emit("request-body-became-optional", subject, "request body", "became optional", new)
        if before is None or after is None:
            return
        self.content(before.content, after.content, side, subject, "request body", new)

    def responses(self, old: Operation, new: Operation, subject: str, flipped: bool) -> None:
        side: Side = "request" if flipped else "response"
        for status, response in old.responses.items():
            after = new.responses.get(status)
            where = f"response {status}"
            if after is None:
                if not flipped:
                    id_ = "response-success-status-removed" if status.startswith("2") else "response-status-removed"
                    self.emit(id_, subject, where, f"response {status} removed", new)
                continue
            self.content(response.content, after.content, side, subject, where, new)
            if not flipped:
                self.headers(response, after, subject, where, new)
                self.links(response, after, subject, where, new)
        if flipped:
            return
        for status in new.responses:
            if status not in old.responses:
                id_ = "response-success-status-added" if status.startswith("2") else "response-status-added"
                self.emit(id_, subject, f"response {status}", f"response {status} added", new)

    def content(
        self,
        old: Mapping[str, MediaType],
        new: Mapping[str, MediaType],
        side: Side,
        subject: str,
        where: str,
        op: Operation | None,
    ) -> None:
        for name, media in old.items():
            after = new.get(name)
            if after is None:
                self.emit(f"{side}-media-type-removed", subject, where, f"{name} removed", op)
                continue
            located = f"{where} {name}"
            if media.schema is not None and after.schema is not None:
                self.schema(media.schema, after.schema, side, subject, located, op)
            self.examples(media.examples, after.examples, subject, located, op)
        for name in new:
            if name not in old:
                self.emit(f"{side}-media-type-added", subject, where, f"{name} added", op)

    def headers(self, old: Response, new: Response, subject: str, where: str, op: Operation) -> None:
        old_headers = {k.lower(): v for k, v in old.headers.items()}
        new_headers = {k.lower(): v for k, v in new.headers.items()}
        for name, header in old_headers.items():
            located = f"{where} header {header.name}"
            after = new_headers.get(name)
            if after is None:
                id_ = "response-required-header-removed" if header.required else "response-optional-header-removed"
                self.emit(id_, subject, located, "header removed", op)
                continue
            if header.required and not after.required:
                self.emit("response-header-became-optional", subject, located, "became optional", op)
            if header.schema is not None and after.schema is not None:
                self.schema(header.schema, after.schema, "response", subject, located, op)

    def links(self, old: Response, new: Response, subject: str, where: str, op: Operation) -> None:
        for name, link in old.links.items():
            if name not in new.links:
                target = link.operation_id or link.operation_ref or "?"
                self.emit("link-removed", subject, f"{where} link {name}", f"link to {target} removed", op)
        for name, link in new.links.items():
            if name not in old.links:
                target = link.operation_id or link.operation_ref or "?"
                self.emit("link-added", subject, f"{where} link {name}", f"link to {target} added", op)

    def schema(self, old: Any, new: Any, side: Side, subject: str, where: str, op: Operation | None) -> None:
        for id_, location, message in self.schemas.compare(old, new, side):
            self.emit(id_, subject, f"{where}: {location}" if location else where, message, op)

    def examples(
        self, old: Mapping[str, Any], new: Mapping[str, Any], subject: str, where: str, op: Operation | None
    ) -> None:
        for name in old:
            if name not in new:
                self.emit("example-removed", subject, where, f"example {name!r} removed", op)

    # -- security ------------------------------------------------------------------------

    def security(self, old: Operation, new: Operation, subject: str) -> None:
        before, after = _alternatives(old.security), _alternatives(new.security)
        if before == after:
            return
        old_public, new_public = frozenset() in before or not before, frozenset() in after or not after
        if old_public and not new_public:
            self.emit("security-added", subject, "security", f"now requires {_show_security(new.security)}", new)
            return
        if new_public and not old_public:
            self.emit("security-removed", subject, "security", "no longer requires credentials", new)
            return
        for names, scopes in before.items():
            if names not in after:
                self.emit("security-requirement-removed", subject, "security", f"{' + '.join(sorted(names)) or 'none'} no longer accepted", new)
            elif not after[names] <= scopes:
                added = sorted(after[names] - scopes)
                self.emit("security-scope-added", subject, "security", f"needs scope(s) {', '.join(added)}", new)
        for names in after:
            if names not in before:
                self.emit("security-requirement-added", subject, "security", f"{' + '.join(sorted(names))} now accepted", new)

    def security_schemes(self) -> None:
        new_schemes = self.new.security_schemes
        for name, scheme in self.old.security_schemes.items():
            subject = f"security scheme {name}"
            after = new_schemes.get(name)
            if after is None:
                self.emit("security-scheme-removed", subject, "components.securitySchemes", "removed")
                continue
            before_shape = (scheme.type, scheme.scheme.lower(), scheme.location, scheme.param_name)
            after_shape = (after.type, after.scheme.lower(), after.location, after.param_name)
            if before_shape != after_shape:
                self.emit("security-scheme-changed", subject, "components.securitySchemes",
                          f"{_describe_scheme(before_shape)} became {_describe_scheme(after_shape)}")

    # -- callbacks, webhooks, events -----------------------------------------------------

    def callbacks(self, old: Operation, new: Operation, subject: str) -> None:
        for name, operations in old.callbacks.items():
            if name not in new.callbacks:
                self.emit("callback-removed", subject, f"callback {name}", "callback removed", new)
                continue
            self.flipped_operations(operations, new.callbacks[name], subject, f"callback {name}", "callback-removed", new)
        for name in new.callbacks:
            if name not in old.callbacks:
                self.emit("callback-added", subject, f"callback {name}", "callback added", new)

    def flipped_operations(
        self,
        old: Iterable[Operation],
        new: Iterable[Operation],
        subject: str,
        where: str,
        removed_id: str,
        owner: Operation | None,
    ) -> None:
        after = {(op.method, op.path): op for op in new}
        for op in old:
            match = after.get((op.method, op.path))
            label = f"{where} {op.method.upper()} {op.path}"
            if match is None:
                self.emit(removed_id, subject, label, "operation removed", owner)
                continue
            before = len(self.changes)
            self.operation(op, match, flipped=True, subject=subject)
            for index in range(before, len(self.changes)):
                change = self.changes[index]
                self.changes[index] = Change(change.id, change.level, change.operation, f"{label}: {change.location}",
                                             change.message, change.operation_id or (owner.id if owner else None))

    def webhooks(self) -> None:
        for name, operations in self.old.webhooks.items():
            subject = f"webhook {name}"
            if name not in self.new.webhooks:
                self.emit("webhook-removed", subject, "webhooks", "webhook removed")
                continue
            self.flipped_operations(operations, self.new.webhooks[name], subject, "webhook", "webhook-removed", None)
        for name in self.new.webhooks:
            if name not in self.old.webhooks:
                self.emit("webhook-added", f"webhook {name}", "webhooks", "webhook added")

    def events(self) -> None:
        old_events = {n: e for n, e in self.old.events.items() if e.source == "x-events"}
        new_events = {n: e for n, e in self.new.events.items() if e.source == "x-events"}
        for name, event in old_events.items():
            subject = f"event {name}"
            after = new_events.get(name)
            if after is None:
                self.emit("event-removed", subject, "x-events", "event removed")
                continue
            for part in ("schema", "object"):
                before_schema, after_schema = getattr(event, part), getattr(after, part)
                if before_schema is not None and after_schema is not None:
                    where = "payload" if part == "schema" else "object"
                    self.schema(before_schema, after_schema, "response", subject, where, None)
            self.examples(event.examples, after.examples, subject, "x-events", None)
        for name in new_events:
            if name not in old_events:
                self.emit("event-added", f"event {name}", "x-events", "event added")

    def operation_events(self, old: Operation, new: Operation, subject: str) -> None:
        for name in old.events:
            if name not in new.events:
                self.emit("operation-event-removed", subject, "x-events", f"no longer emits {name}", new)
        for name in new.events:
            if name not in old.events:
                self.emit("operation-event-added", subject, "x-events", f"emits {name}", new)


def _alternatives(requirements: Iterable[Requirement]) -> dict[frozenset[str], frozenset[str]]:
    """Each way to authenticate (the set of schemes) -> the scopes it needs."""
    return {
        frozenset(requirement): frozenset(s for scopes in requirement.values() for s in scopes)
        for requirement in requirements
    }


def _show_security(requirements: Iterable[Requirement]) -> str:
    return " or ".join(" + ".join(sorted(r)) for r in requirements if r) or "credentials"


def _describe_scheme(shape: tuple[str, str, str, str]) -> str:
    kind, scheme, location, name = shape
    if kind == "apiKey":
        return f"apiKey {name} in {location}"
    return f"{kind} {scheme}".strip()


def diff_documents(old: Document, new: Document) -> list[Change]:
    """Every change from ``old`` to ``new``, in document order (operations first)."""
    return _Diff(old, new).run()
