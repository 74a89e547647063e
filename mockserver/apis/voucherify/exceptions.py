"""Voucherify's errors: ``{"code", "key", "message", "details", "request_id"}``.

Every error the mock sends for this API is a :class:`VoucherifyError`, rendered
in the vendor's format (404s also name the resource with ``resource_id`` and
``resource_type``). The engine's own findings (:class:`Problem`) are mapped by
:func:`error_for`.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from mockserver.exceptions import MockError, Problem, ProblemKind


def new_request_id() -> str:
    """A request id like the vendor's, e.g. ``v-0a885062c80375740f``."""
    return "v-" + secrets.token_hex(9)


class VoucherifyError(MockError):
    """An error response in Voucherify's format."""

    status = 400
    key = "invalid_payload"
    summary = "Invalid payload"

    def __init__(
        self,
        details: str,
        *,
        status: int | None = None,
        key: str | None = None,
        summary: str | None = None,
        resource_id: str | None = None,
        resource_type: str | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        if key is not None:
            self.key = key
        if summary is not None:
            self.summary = summary
        self.details = details
        self.resource_id = resource_id
        self.resource_type = resource_type
        self.request_id = new_request_id()
        super().__init__(self.summary)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.status,
            "key": self.key,
            "message": self.summary,
            "details": self.details,
            "request_id": self.request_id,
        }
        if self.resource_id is not None:
            body["resource_id"] = self.resource_id
        if self.resource_type is not None:
            body["resource_type"] = self.resource_type
        return body


class InvalidPayload(VoucherifyError):
    """400: the request body is malformed or breaks a rule."""


class InvalidQueryParams(VoucherifyError):
    """400: a query (or path) parameter is invalid."""

    key = "invalid_query_params"
    summary = "Invalid query params"


class NotFound(VoucherifyError):
    """404: no ``resource_type`` with this id (or name)."""

    status = 404
    key = "not_found"
    summary = "Resource not found"

    def __init__(self, resource_type: str, resource_id: str) -> None:
        super().__init__(
            f"Cannot find {resource_type} with id {resource_id}",
            resource_id=resource_id,
            resource_type=resource_type,
        )


class DuplicateFound(VoucherifyError):
    """409: a resource with the same unique key already exists."""

    status = 409
    key = "duplicate_found"
    summary = "Duplicated resource found"


#: ProblemKind -> (status, key, message). Query/path problems are told apart from body
#: problems by :func:`_is_parameter_problem`.
_PROBLEMS: dict[ProblemKind, tuple[int, str, str]] = {
    ProblemKind.MISSING_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.INVALID_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.UNKNOWN_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.IMMUTABLE_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.MISSING_BODY: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.MALFORMED_JSON: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.IDEMPOTENCY_MISMATCH: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.UNSUPPORTED_MEDIA_TYPE: (415, "unsupported_media_type", "Unsupported Media Type"),
    ProblemKind.BODY_TOO_LARGE: (413, "query_too_large", "Request too large"),
    ProblemKind.AUTHENTICATION_REQUIRED: (401, "unauthorized", "Unauthorized"),
    ProblemKind.INVALID_API_KEY: (401, "unauthorized", "Unauthorized"),
    ProblemKind.ROUTE_NOT_FOUND: (404, "not_found", "Resource not found"),
    ProblemKind.METHOD_NOT_ALLOWED: (405, "method_not_allowed", "HTTP Method Not Allowed"),
    ProblemKind.RESPONSE_INVALID: (500, "internal_error", "Internal Server Error"),
    ProblemKind.NOT_IMPLEMENTED: (501, "not_implemented", "Not Implemented"),
    ProblemKind.INTERNAL: (500, "internal_error", "Internal Server Error"),
}

def _is_parameter_problem(problem: Problem) -> bool:
    return problem.location in ("query", "path", "header", "cookie")


def error_for(problem: Problem) -> VoucherifyError:
    """The vendor-format error for a problem the engine found."""
    status, key, summary = _PROBLEMS[problem.kind]
    if status == 400 and problem.location == "path":
        # A path that no campaign id or name can match names no resource: the vendor
        # answers 404 there (and documents no 400 for the operations that take an id).
        status, key, summary = _PROBLEMS[ProblemKind.ROUTE_NOT_FOUND]
    elif status == 400 and _is_parameter_problem(problem):
        key, summary = InvalidQueryParams.key, InvalidQueryParams.summary
    return VoucherifyError(_clarify(problem), status=status, key=key, summary=summary)


# -- clearer wording for the create body's oneOf --------------------------------------------
#
# The create body is a oneOf of one schema per campaign type. When it matches none, the
# engine reports the deepest error among all branches, which is often another type's
# `campaign_type` enum ("'GIFT_VOUCHERS' is not one of ['DISCOUNT_COUPONS']"). That
# message is replaced by what the body's own type needs.

CAMPAIGN_TYPES = (
    "LOYALTY_PROGRAM",
    "GIFT_VOUCHERS",
    "DISCOUNT_COUPONS",
    "PROMOTION",
    "REFERRAL_PROGRAM",
)
_NEEDS = {
    "DISCOUNT_COUPONS": "`voucher` with a `discount`",
    "REFERRAL_PROGRAM": "`voucher` with a `discount`",
    "GIFT_VOUCHERS": "`voucher` with a `gift`",
    "LOYALTY_PROGRAM": "`voucher` with a `loyalty_card` (and takes no `validation_rules`)",
    "PROMOTION": "no `voucher` (its discounts are in `promotion.tiers`)",
}
_BRANCH_ENUM = re.compile(
    r"^Invalid value for campaign_type: '([^']*)' is not one of \['[A-Z_]+'\]\.$"
)
_DISCOUNT_ONE_OF = re.compile(
    r"^Invalid value for ((?:[\w\[\]]+\.)*discount): .* is not valid under any of the given schemas\.$",
    re.DOTALL,
)


def _clarify(problem: Problem) -> str:
    message = problem.message
    if problem.param == "campaign_type" and (match := _BRANCH_ENUM.match(message)):
        kind = match.group(1)
        if kind not in _NEEDS:
            return f"Invalid value for campaign_type: {kind!r} is not one of {', '.join(CAMPAIGN_TYPES)}."
        return (
            f"Invalid payload for a {kind} campaign: it needs `name` and {_NEEDS[kind]}, and takes "
            f"only the properties documented for {kind} campaigns (check for a missing `voucher`, "
            "a property of another campaign type or a misspelt property)."
        )
    if match := _DISCOUNT_ONE_OF.match(message):
        return (
            f"Invalid value for {match.group(1)}: a discount needs a `type` (AMOUNT, PERCENT, FIXED "
            "or UNIT, which also needs `effect`) and takes only that type's properties, each of "
            "the documented type."
        )
    return message
