"""The catalogue of changes ``mockserver diff`` detects, each with an id, a level and a line.

Levels: ``ERR`` breaks existing clients, ``WARN`` may break some, ``INFO`` breaks nobody.
Changes are judged with the direction the data flows: what a client *sends* (parameters,
request bodies) breaks when it is narrowed, what it *reads* (responses) breaks when it is
widened. The ``response-*`` checks also judge what the API sends to its subscribers (callback
and webhook request bodies, ``x-events`` payloads), and the ``request-*`` checks what it
expects back from them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

__all__ = ["CHECKS", "Change", "Check", "Level", "check"]


class Level(enum.IntEnum):
    INFO = 0
    WARN = 1
    ERR = 2


@dataclass(frozen=True)
class Check:
    id: str
    level: Level
    summary: str


@dataclass(frozen=True)
class Change:
    """One detected change: which check, where, and what it is in one sentence."""

    id: str
    level: Level
    #: ``"GET /v1/campaigns/{id}"`` (the new document's template), or a document-level subject
    #: (``"event campaign.created"``, ``"webhook newPet"``, ``"security scheme bearerAuth"``).
    operation: str
    location: str
    message: str
    #: The operationId, when the change is an operation's (for ignore files and reports).
    operation_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": self.level.name,
            "operation": self.operation,
            "location": self.location,
            "message": self.message,
        }


ERR, WARN, INFO = Level.ERR, Level.WARN, Level.INFO

_CATALOGUE = [
    # paths and operations
    ("path-removed", ERR, "A path and every operation on it were removed."),
    ("operation-removed", ERR, "An operation was removed from a path that still exists."),
    ("operation-added", INFO, "A new operation."),
    ("operation-id-changed", WARN, "An operationId changed (generated clients rename the method)."),
    ("operation-deprecated", INFO, "An operation was marked deprecated."),
    # parameters
    ("new-required-request-parameter", ERR, "A new required parameter (query, header, path, cookie)."),
    ("new-optional-request-parameter", INFO, "A new optional parameter."),
    ("request-parameter-removed", WARN, "A parameter was removed (servers that reject unknown ones break clients)."),
    ("request-parameter-became-required", ERR, "An optional parameter became required."),
    ("request-parameter-became-optional", INFO, "A required parameter became optional."),
    ("request-parameter-style-changed", WARN, "A parameter's style or explode changed (its serialisation)."),
    # request bodies
    ("new-required-request-body", ERR, "A request body is now required where there was none."),
    ("new-optional-request-body", INFO, "An optional request body where there was none."),
    ("request-body-became-required", ERR, "An optional request body became required."),
    ("request-body-became-optional", INFO, "A required request body became optional."),
    ("request-body-removed", WARN, "The request body was removed."),
    ("request-media-type-removed", ERR, "A request content type is no longer accepted."),
    ("request-media-type-added", INFO, "A new request content type is accepted."),
    # what clients send (request schemas, parameters included)
    ("new-required-request-property", ERR, "A new required property in a request body."),
    ("new-optional-request-property", INFO, "A new optional property in a request body."),
    ("request-property-removed", WARN, "A request property was removed (a client still sending it may be refused)."),
    ("request-property-became-required", ERR, "An optional request property became required."),
    ("request-property-became-optional", INFO, "A required request property became optional."),
    ("request-type-changed", ERR, "A request value's type changed to one that does not accept the old values."),
    ("request-format-changed", ERR, "A request value's format was added or changed."),
    ("request-became-not-nullable", ERR, "A request value no longer accepts null."),
    ("request-became-nullable", INFO, "A request value now accepts null."),
    ("request-enum-value-removed", ERR, "An enum value clients could send was removed."),
    ("request-enum-value-added", INFO, "An enum value clients can send was added."),
    ("request-max-decreased", ERR, "A request maximum (or exclusive maximum) was lowered or added."),
    ("request-min-increased", ERR, "A request minimum (or exclusive minimum) was raised or added."),
    ("request-max-length-decreased", ERR, "A request maxLength was lowered or added."),
    ("request-min-length-increased", ERR, "A request minLength was raised or added."),
    ("request-max-items-decreased", ERR, "A request maxItems was lowered or added."),
    ("request-min-items-increased", ERR, "A request minItems was raised or added."),
    ("request-pattern-added", ERR, "A request value must now match a pattern."),
    ("request-pattern-changed", WARN, "A request pattern changed (it may refuse values it accepted)."),
    ("request-limit-relaxed", INFO, "A request limit was relaxed or removed."),
    ("request-additional-properties-closed", WARN, "A request object no longer accepts undeclared properties."),
    ("request-default-changed", WARN, "The default of an omitted request value changed."),
    ("request-variant-removed", ERR, "A oneOf/anyOf alternative clients could send was removed."),
    ("request-variant-added", INFO, "A oneOf/anyOf alternative clients can send was added."),
    ("request-all-of-changed", WARN, "An allOf member of a request schema was added or removed."),
    # responses
    ("response-success-status-removed", ERR, "A documented 2xx response was removed."),
    ("response-status-removed", WARN, "A documented non-2xx response was removed."),
    ("response-success-status-added", WARN, "A new 2xx response (clients may not handle it)."),
    ("response-status-added", INFO, "A new non-2xx response."),
    ("response-media-type-removed", ERR, "A response content type is no longer sent."),
    ("response-media-type-added", INFO, "A new response content type."),
    ("response-required-header-removed", ERR, "A required response header was removed."),
    ("response-optional-header-removed", WARN, "An optional response header was removed."),
    ("response-header-became-optional", ERR, "A required response header became optional."),
    # what clients read (response schemas, response headers included)
    ("response-required-property-removed", ERR, "A required response property was removed."),
    ("response-optional-property-removed", WARN, "An optional response property was removed."),
    ("response-property-added", INFO, "A new response property."),
    ("response-property-became-optional", ERR, "A required response property became optional."),
    ("response-property-became-required", INFO, "An optional response property became required."),
    ("response-type-changed", ERR, "A response value's type changed to one old clients do not expect."),
    ("response-format-changed", ERR, "A response value's format changed or was removed."),
    ("response-became-nullable", ERR, "A response value may now be null."),
    ("response-became-not-nullable", INFO, "A response value is no longer null."),
    ("response-enum-value-added", WARN, "A response may carry an enum value clients do not know."),
    ("response-enum-value-removed", INFO, "A response enum value is no longer sent."),
    ("response-max-increased", ERR, "A response maximum was raised or removed."),
    ("response-min-decreased", ERR, "A response minimum was lowered or removed."),
    ("response-max-length-increased", ERR, "A response maxLength was raised or removed."),
    ("response-min-length-decreased", ERR, "A response minLength was lowered or removed."),
    ("response-max-items-increased", ERR, "A response maxItems was raised or removed."),
    ("response-min-items-decreased", ERR, "A response minItems was lowered or removed."),
    ("response-pattern-changed", WARN, "A response pattern changed or was removed."),
    ("response-variant-added", WARN, "A response may match a new oneOf/anyOf alternative."),
    ("response-variant-removed", INFO, "A response oneOf/anyOf alternative is no longer sent."),
    ("response-all-of-changed", INFO, "An allOf member of a response schema was added or removed."),
    # security
    ("security-added", ERR, "An operation that needed no credentials now needs them."),
    ("security-requirement-removed", ERR, "A way to authenticate an operation is no longer accepted."),
    ("security-requirement-added", INFO, "A new way to authenticate an operation."),
    ("security-scope-added", ERR, "A security requirement needs a new OAuth scope."),
    ("security-removed", INFO, "An operation no longer needs credentials."),
    ("security-scheme-changed", ERR, "A security scheme's type, location or name changed."),
    ("security-scheme-removed", ERR, "A security scheme was removed."),
    # links
    ("link-removed", WARN, "A response link was removed (clients and tools following it break)."),
    ("link-added", INFO, "A new response link."),
    # examples
    ("example-removed", INFO, "A named example was removed."),
    # callbacks, webhooks and events
    ("callback-removed", ERR, "A callback (or one of its operations) was removed."),
    ("callback-added", INFO, "A new callback."),
    ("webhook-removed", ERR, "A webhook was removed."),
    ("webhook-added", INFO, "A new webhook."),
    ("event-removed", ERR, "An event type declared with x-events was removed."),
    ("event-added", INFO, "A new event type declared with x-events."),
    ("operation-event-removed", WARN, "An operation no longer declares that it emits an event."),
    ("operation-event-added", INFO, "An operation declares a new event it emits."),
]

CHECKS: dict[str, Check] = {id_: Check(id_, level, summary) for id_, level, summary in _CATALOGUE}


def check(id_: str) -> Check:
    return CHECKS[id_]
