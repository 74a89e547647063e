"""The access log: one line per request, in one format for every request (API, admin,
unmatched), on the ``mockserver.access`` logger at INFO::

    GET /v1/campaigns?limit=3 listCampaigns 200 1.2ms
    POST /v1/campaigns createCampaign 400 parameter_missing 0.8ms
    GET /v1/nope - 404 resource_missing 0.3ms
    POST /__admin/clock moveClock 200 0.4ms
    POST /v1/redemptions createRedemption 503 api_error 0.6ms fault=flt_1
    GET /v1/campaigns listCampaigns - 800.9ms dropped fault=flt_2

Fields: method, path with its query string (credentials a security scheme reads from the
query are redacted), operationId (``-`` when none matched), status, the error code of an
error response (4xx and 5xx), the time to answer, then what was unusual: a fault, a
``Prefer`` answer, a dropped connection, a client that left before its request was whole.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlencode

from mockserver.pipeline.journal import REDACTED, secret_names
from mockserver.pipeline.outcome import Outcome

logger = logging.getLogger("mockserver.access")


class AccessLog:
    """Writes :func:`line` for each request when ``mockserver.access`` logs INFO."""

    def __init__(self, log: logging.Logger = logger) -> None:
        self.log = log

    def observe(self, outcome: Outcome) -> None:
        if self.log.isEnabledFor(logging.INFO):
            self.log.info("%s", line(outcome))


def line(outcome: Outcome) -> str:
    parts = [outcome.method, _target(outcome), outcome.operation_id or "-"]
    if outcome.abandoned:
        parts.append("abandoned by the client")
        return " ".join(parts)
    parts.append(str(outcome.status) if outcome.status else "-")
    code = outcome.error_code
    if code:
        parts.append(code)
    parts.append(f"{outcome.duration_ms:.1f}ms")
    if outcome.dropped:
        parts.append("dropped")
    if outcome.fault is not None:
        parts.append(f"fault={outcome.fault.id}")
    if outcome.prefer:
        parts.append(f"prefer={outcome.prefer}")
    return " ".join(parts)


def _target(outcome: Outcome) -> str:
    raw = outcome.raw_query
    if not raw:
        return outcome.path
    query = raw.decode("latin-1")
    secret = secret_names(outcome.runtime)[1]
    if secret:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(name in secret for name, _ in pairs):
            query = urlencode([(n, REDACTED if n in secret else v) for n, v in pairs])
    return f"{outcome.path}?{query}"
