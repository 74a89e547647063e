"""Importing vouchers with given codes into a campaign: as JSON items or as a CSV file.

An import is an async action the mock completes at once: every item that can be imported
is, and each one that cannot (no code, a code taken or given twice, a value of another
campaign type, a CSV cell that does not parse) is reported in the action's
``result.failed`` with its reason, worded as the vendor words them
(``<field>: <problem> (actual value is '<value>')``), and, for a CSV, its row.
"""

from __future__ import annotations

import copy
import csv
import io
from collections.abc import Mapping
from typing import Any

from mockserver.store import transactional

from ..dates import normalize
from ..exceptions import InvalidPayload
from .async_actions import IMPORT, IMPORT_CSV, imported
from .base import CATEGORIES, VOUCHER_KINDS, VOUCHERS, Record
from .campaigns import Campaign
from .vouchers import VoucherRules

#: CSV headers the vendor documents (matched without regard to case); other columns are metadata.
_CSV_FIELDS = {
    "code": "code",
    "category": "category",
    "active": "active",
    "gift amount": "gift_amount",
    "redeemed amount": "redeemed_amount",
    "redeemed quantity": "redeemed_quantity",
    "loyalty points": "loyalty_points",
}
_VALUES = ("discount", "gift", "loyalty_card")


class _Failed(Exception):
    """One item that cannot be imported, and why."""


class ImportRules(VoucherRules):
    @transactional
    def import_vouchers(self, ident: str, items: list[Record]) -> Record:
        campaign = self.voucher_campaign(ident)
        seen: set[str] = set()
        failed: list[Record] = []
        count = 0
        for item in items:
            code = item.get("code")
            try:
                self._import_one(campaign, code, self._item_settings(campaign, item), seen)
                count += 1
            except _Failed as problem:
                failed.append({**({"code": code} if code else {}), "reason": str(problem)})
        self.save(campaign)
        return {"async_action_id": self.record_action(IMPORT, imported(count, failed))}

    @transactional
    def import_vouchers_csv(self, ident: str, form: Mapping[str, Any]) -> Record:
        campaign = self.voucher_campaign(ident)
        rows = _csv_rows(form.get("file"))
        seen: set[str] = set()
        failed: list[Record] = []
        count = 0
        for number, row in enumerate(rows, start=1):
            code = row.get("code") or None
            try:
                self._import_one(campaign, code, self._row_settings(campaign, row), seen)
                count += 1
            except _Failed as problem:
                failed.append({**({"code": code} if code else {}), "row": number, "reason": str(problem)})
        self.save(campaign)
        return {"async_action_id": self.record_action(IMPORT_CSV, imported(count, failed))}

    def _import_one(self, campaign: Campaign, code: Any, settings: Record, seen: set[str]) -> None:
        if not code:
            raise _Failed("code: property is required")
        if code in seen or self.unit.get(VOUCHERS, code) is not None:
            raise _Failed(f"code: a voucher with code {code} already exists")
        seen.add(code)
        self.new_voucher(campaign, code, settings, self.now())

    def _category(self, value: str) -> str:
        """A category by ID, else by name (created when none has it)."""
        if self.unit.get(CATEGORIES, value) is not None:
            return value
        return str(self.category_for({"category": value}))

    def _item_settings(self, campaign: Campaign, item: Record) -> Record:
        voucher_type, value_key = VOUCHER_KINDS[campaign.campaign_type]
        if item.get("type") not in (None, voucher_type):
            raise _Failed(f"type: must be equal to {voucher_type} (actual value is '{item['type']}')")
        for key in _VALUES:
            if item.get(key) is not None and key != value_key:
                raise _Failed(f"{key}: not allowed in a {campaign.campaign_type} campaign")
        settings: Record = {}
        if item.get("category") is not None:
            settings["category_id"] = self._category(item["category"])
        for name in ("metadata", "redemption", "additional_info", "active", "validity_timeframe", "validity_day_of_week"):
            if item.get(name) is not None:
                settings[name] = copy.deepcopy(item[name])
        for name in ("start_date", "expiration_date"):
            if isinstance(item.get(name), str):
                settings[name] = normalize(item[name])
        value = item.get(value_key)
        if value is not None:
            settings[value_key] = _value(value_key, value)
        return settings

    def _row_settings(self, campaign: Campaign, row: Mapping[str, str]) -> Record:
        settings: Record = {}
        metadata = {key: value for key, value in row.items() if key not in _CSV_FIELDS.values()}
        if metadata:
            settings["metadata"] = metadata
        if row.get("category"):
            settings["category_id"] = self._category(row["category"])
        if row.get("active"):
            flag = row["active"].strip().lower()
            if flag not in ("true", "false"):
                raise _Failed(f"Active: must be true or false (actual value is '{row['active']}')")
            settings["active"] = flag == "true"
        if row.get("redeemed_quantity"):
            settings["redeemed_quantity"] = _number(row, "redeemed_quantity", "Redeemed Quantity")
        kind = campaign.campaign_type
        if row.get("gift_amount") or row.get("redeemed_amount"):
            if kind != "GIFT_VOUCHERS":
                raise _Failed(f"Gift Amount: only in a GIFT_VOUCHERS campaign (this one is {kind})")
            gift = (campaign.voucher or {}).get("gift") or {}
            amount = _number(row, "gift_amount", "Gift Amount") if row.get("gift_amount") else int(gift.get("amount") or 0)
            spent = _number(row, "redeemed_amount", "Redeemed Amount") if row.get("redeemed_amount") else 0
            settings["gift"] = {"amount": amount, "balance": amount - spent}
        if row.get("loyalty_points"):
            if kind != "LOYALTY_PROGRAM":
                raise _Failed(f"Loyalty Points: only in a LOYALTY_PROGRAM campaign (this one is {kind})")
            points = _number(row, "loyalty_points", "Loyalty Points")
            settings["loyalty_card"] = {"points": points, "balance": points}
        return settings


def _value(key: str, value: Record) -> Record:
    """An import item's own value, as the voucher keeps it."""
    if key == "gift":
        amount = value.get("amount") or 0
        return {"amount": amount, "balance": value.get("balance", amount)}
    if key == "loyalty_card":
        points = value.get("points") or 0
        return {"points": points, "balance": value.get("balance", points)}
    return copy.deepcopy(value)


def _number(row: Mapping[str, str], key: str, header: str) -> int:
    text = row[key].strip()
    try:
        number = int(text)
    except ValueError:
        raise _Failed(f"{header}: must be a number (actual value is '{text}')") from None
    if number < 0:
        raise _Failed(f"{header}: must be >= 0 (actual value is '{text}')")
    return number


def _csv_rows(data: Any) -> list[dict[str, str]]:
    """The CSV file's rows, keyed by the mock's names for the vendor's headers."""
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, bytes) or not data.strip():
        raise InvalidPayload("file: property is required (a CSV file with a header line)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidPayload("file: must be a UTF-8 CSV file") from None
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        lines = [line for line in reader if any(cell.strip() for cell in line)]
    except csv.Error as exc:
        raise InvalidPayload(f"file: is not a valid CSV file ({exc})") from None
    names = [_CSV_FIELDS.get(cell.strip().lower(), cell.strip()) for cell in header]
    if "code" not in names:
        raise InvalidPayload("file: the CSV file needs a Code column (its first line holds the headers)")
    return [{name: cell for name, cell in zip(names, line, strict=False) if name} for line in lines]
