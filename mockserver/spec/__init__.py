"""One model of an OpenAPI document, shared by every reader of the spec.

>>> from mockserver.spec import load
>>> doc = load("mockserver/apis/vinr/openapi.yaml")           # or load(a_dict)
>>> op = doc.operation("createCampaign")
>>> op.label, op.tags, [p.name for p in op.parameters]
('POST /v1/campaigns', ('Campaigns',), ['Idempotency-Key'])
>>> body = op.request_body.json.schema                        # $ref resolved
>>> body.ref_name, body.required, body.properties["type"].enum
('CampaignCreateParams', ('name', 'type', 'ends_at'), ('coupon', 'offer'))
>>> op.responses["200"].links["RetrieveCampaign"].operation_id
'retrieveCampaign'
>>> [e.name for e in doc.events_for_tag("Campaigns")]        # declared with x-events
['campaign.created', 'campaign.updated', 'campaign.deleted', 'campaign.ended']

What it reads: operations (path-level parameters merged, security decided), parameters,
request bodies, responses by status with their headers, links and examples, callbacks,
schemas with every local ``$ref`` resolved lazily and cycle-safe (a named component is
one shared :class:`Schema`; ``Schema.ref_name`` tells a reader where it has been),
security schemes, tags, servers, OpenAPI 3.1 ``webhooks`` and the ``x-events``
extension. OpenAPI 3.0 and 3.1 read the same way (``Schema.types``, ``Schema.nullable``,
``Schema.exclusive_minimum``, ...).

``x-events`` declares the events an API emits, so readers (the docs' Events page, a
resource's "Related events") never hard-code them. On the document, a mapping of event
type to ``{summary, description, tags, schema, object, example}``; on a tag, a list of event
types (or the same mapping); on an operation, the list of types it emits.

The model never changes the raw document: ``raw`` on each object is the dict it was read
from. Openapi-core's own spec objects (``validation.py``, ``compiled.py``) are separate.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockserver.spec.document import (
    METHODS,
    Document,
    Event,
    Operation,
    Requirement,
    security_schemes,
)
from mockserver.spec.objects import (
    Example,
    Link,
    MediaType,
    Parameter,
    RequestBody,
    Response,
    SecurityScheme,
    Server,
    Tag,
    is_json_media_type,
)
from mockserver.spec.refs import MISSING, Missing, SpecError
from mockserver.spec.schema import Discriminator, Schema

__all__ = [
    "METHODS",
    "MISSING",
    "Discriminator",
    "Document",
    "Event",
    "Example",
    "Link",
    "MediaType",
    "Missing",
    "Operation",
    "Parameter",
    "RequestBody",
    "Requirement",
    "Response",
    "Schema",
    "SecurityScheme",
    "Server",
    "SpecError",
    "Tag",
    "is_json_media_type",
    "load",
    "security_schemes",
]


def load(source: Mapping[str, Any] | str | Path) -> Document:
    """A :class:`Document` from a loaded dict, or from a YAML/JSON file's path."""
    if isinstance(source, Mapping):
        return Document.from_dict(source)
    return Document.from_path(source)
