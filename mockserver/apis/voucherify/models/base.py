"""What every Voucherify resource shares: the store's tables, the clock, ids and small helpers.

Every public method of the backend is a :func:`~mockserver.store.transactional` one: it runs
in the request's unit of work (or in one of its own when called directly). Entities are
read from the store, changed and written back; nothing is changed in place, so a request
that fails (any error response) leaves the store as it was.
"""

from __future__ import annotations

import dataclasses
import secrets
import string
from collections.abc import Iterable
from typing import Any

from mockserver.clock import Clock
from mockserver.store import Backend, Store, UnitOfWork

from ..dates import to_millis
from ..exceptions import InvalidPayload

Record = dict[str, Any]

#: Tables: campaigns by id; the unique index of campaign names (name -> id; a campaign in the
#: bin keeps its name taken); categories by id; vouchers by code (a code is unique in the
#: project); async actions and exports by id.
CAMPAIGNS = "campaigns"
NAMES = "campaign_names"
CATEGORIES = "categories"
VOUCHERS = "vouchers"
ASYNC_ACTIONS = "async_actions"
EXPORTS = "exports"

#: The campaign types, and for voucher campaigns the type of their vouchers and the property
#: holding their value.
VOUCHER_KINDS: dict[str, tuple[str, str]] = {
    "DISCOUNT_COUPONS": ("DISCOUNT_VOUCHER", "discount"),
    "REFERRAL_PROGRAM": ("DISCOUNT_VOUCHER", "discount"),
    "GIFT_VOUCHERS": ("GIFT_VOUCHER", "gift"),
    "LOYALTY_PROGRAM": ("LOYALTY_CARD", "loyalty_card"),
}
PROMOTION = "PROMOTION"
LOYALTY = "LOYALTY_PROGRAM"
REFERRAL = "REFERRAL_PROGRAM"
STANDALONE = "STANDALONE"
CAMPAIGN_TYPES = ("LOYALTY_PROGRAM", "GIFT_VOUCHERS", "DISCOUNT_COUPONS", "PROMOTION", "REFERRAL_PROGRAM")

#: The most vouchers one request may create (generation, adding, importing).
MAX_VOUCHERS_PER_REQUEST = 10_000

_ID_ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int) -> str:
    """A random id in the vendor's style (``camp_`` + 24 letters and digits)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def new_hex_id(prefix: str) -> str:
    """An id like the vendor's async actions and requests (``aa_0a875d56c805df6601``)."""
    return prefix + secrets.token_hex(9)


def optional(record: Record, key: str, value: Any) -> None:
    """Set ``key`` only when ``value`` is set (the vendor leaves unset properties out)."""
    if value is not None:
        record[key] = value


def as_row(entity: Any) -> Record:
    """An entity as a stored row (nested dataclasses become dicts)."""
    return dataclasses.asdict(entity)


def check_dates(start: str | None, end: str | None, *, end_name: str = "expiration_date") -> None:
    """``end`` must not come before ``start`` (400 naming ``end_name``)."""
    if start is None or end is None:
        return
    begins, ends = to_millis(start), to_millis(end)
    if begins is not None and ends is not None and ends < begins:
        raise InvalidPayload(f"{end_name}: must not be before start_date (actual value is '{end}')")


class BackendBase(Backend):
    """The store and the clock, and what the resources share."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    @property
    def unit(self) -> UnitOfWork:
        """The unit of work of the request being handled."""
        unit = self.store.current
        if unit is None:
            raise RuntimeError("Voucherify state is only reachable inside a unit of work")
        return unit

    def now(self) -> int:
        """The mock's clock, in Unix milliseconds."""
        return int(self.clock.now() * 1000)

    def rows(self, table: str) -> list[Record]:
        return self.unit.rows(table)

    @staticmethod
    def page(items: list[Any], limit: int, page: int) -> list[Any]:
        return items[(page - 1) * limit : page * limit]


def require(body: Record, names: Iterable[str], where: str = "") -> None:
    """The properties ``body`` must have (the mock's own schema says so; a served document
    that does not, such as the vendor's, lets such a body through to here)."""
    for name in names:
        if body.get(name) is None:
            raise InvalidPayload(f"Missing required param: {where}{name}.")
