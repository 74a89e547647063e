"""Unit tests of VINR's domain rules, without HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mockserver.apis.vinr import VinrAPI
from mockserver.apis.vinr.exceptions import VinrError
from mockserver.apis.vinr.models import (
    Campaign,
    Coupon,
    Offer,
    coupon_discount,
    offer_discount,
    unmet_criteria,
)
from mockserver.apis.vinr.models.base import merge_metadata
from mockserver.clock import Clock
from mockserver.exceptions import ConfigurationError


def make_offer(**kw: object) -> Offer:
    base: dict[str, object] = dict(
        id="ofr_1", name="o", type="fixed_discount", value=1000, currency="usd",
        criteria={"minimum_amount": None, "product_ids": [], "minimum_quantity": None},
        campaign=None, enabled=True, starts_at=0, ends_at=None, created=0,
    )
    base.update(kw)
    return Offer(**base)  # type: ignore[arg-type]


def order(amount: int = 1000, shipping: int = 0, items: list[dict] | None = None) -> dict:
    return {"amount": amount, "currency": "usd", "shipping": shipping, "items": items or []}


def test_campaign_status_precedence() -> None:
    campaign = Campaign("cmp_1", "c", "coupon", starts_at=100, ends_at=200, enabled=False, created=0)
    assert campaign.status(50) == "scheduled"
    assert campaign.status(150) == "deactivated"
    assert campaign.status(200) == "ended"
    campaign.enabled = True
    assert campaign.status(150) == "running"
    assert campaign.to_dict(150)["active"] is True
    assert campaign.to_dict(199)["active"] is True
    assert campaign.to_dict(200)["active"] is False


def test_coupon_discounts() -> None:
    percent = Coupon("cpn_1", "A", "cmp_1", 12.5, None, None, None, 0)
    assert coupon_discount(percent, order(999)) == 124
    # exact decimal arithmetic: 33.3 % of 1000 is 333, not 332 (33.3 is not exact in binary)
    assert coupon_discount(Coupon("cpn_3", "C", "cmp_1", 33.3, None, None, None, 0), order(1000)) == 333
    huge = 999_999_999_999
    assert coupon_discount(Coupon("cpn_4", "D", "cmp_1", 0.01, None, None, None, 0), order(huge)) == 99_999_999
    assert coupon_discount(Coupon("cpn_5", "E", "cmp_1", 100, None, None, None, 0), order(huge)) == huge
    amount = Coupon("cpn_2", "B", "cmp_1", None, 500, "usd", None, 0)
    assert coupon_discount(amount, order(300)) == 300
    assert coupon_discount(amount, order(3000)) == 500


def test_offer_discounts() -> None:
    assert offer_discount(make_offer(value=1000), order(600)) == 600
    assert offer_discount(make_offer(type="free_shipping", value=700), order(100, shipping=450)) == 450
    bogo = make_offer(type="bogo", value=None, currency=None,
                      criteria={"product_ids": ["a"], "minimum_amount": None, "minimum_quantity": None})
    items = [{"product_id": "a", "quantity": 3, "unit_amount": 200},
             {"product_id": "b", "quantity": 4, "unit_amount": 999}]
    assert offer_discount(bogo, order(10_000, items=items)) == 200


def test_unmet_criteria_reports_the_first_failure() -> None:
    offer = make_offer(criteria={"minimum_amount": 500, "product_ids": ["x"], "minimum_quantity": 2})
    assert unmet_criteria(offer, order(100))[0] == "order.amount"  # type: ignore[index]
    one_x = [{"product_id": "x", "quantity": 1, "unit_amount": 500}]
    assert unmet_criteria(offer, order(500, items=one_x))[0] == "order.items"  # type: ignore[index]
    two_x = [{"product_id": "x", "quantity": 2, "unit_amount": 250}]
    assert unmet_criteria(offer, order(500, items=two_x)) is None


def test_metadata_merge_removes_empty_values() -> None:
    assert merge_metadata({"a": "1", "b": "2"}, {"a": "", "c": "3"}) == {"b": "2", "c": "3"}


def test_default_fixtures_load_and_agree() -> None:
    api = VinrAPI(clock=Clock(), fixtures=VinrAPI.default_fixtures)
    api.reset()
    tables = api.store.dump()["tables"]
    campaigns = [Campaign.from_row(row) for row in tables["campaigns"].values()]
    offers = [Offer.from_row(row) for row in tables["offers"].values()]
    assert len(campaigns) >= 6
    statuses = {c.status(api.clock.timestamp()) for c in campaigns}
    assert statuses == {"running", "ended", "scheduled", "deactivated"}
    assert {c.type for c in campaigns} == {"coupon", "offer"}
    assert {o.type for o in offers} == {"bogo", "free_shipping", "fixed_discount"}


def copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "vinr"
    shutil.copytree(VinrAPI.default_fixtures, target)
    return target


def test_fixture_counters_must_agree(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    coupons = json.loads((fixtures / "coupons.json").read_text())
    coupons[0]["times_redeemed"] += 1
    (fixtures / "coupons.json").write_text(json.dumps(coupons))
    api = VinrAPI(clock=Clock(), fixtures=fixtures)
    with pytest.raises(ConfigurationError, match="times_redeemed"):
        api.reset()


def test_fixture_schema_violation_names_file_and_record(tmp_path: Path) -> None:
    fixtures = copy_fixtures(tmp_path)
    campaigns = json.loads((fixtures / "campaigns.json").read_text())
    campaigns[1]["type"] = "banana"
    (fixtures / "campaigns.json").write_text(json.dumps(campaigns))
    api = VinrAPI(clock=Clock(), fixtures=fixtures)
    with pytest.raises(ConfigurationError, match=rf"campaigns.json: record {campaigns[1]['id']} .*type"):
        api.reset()


def test_backend_errors_carry_vinr_codes() -> None:
    api = VinrAPI(clock=Clock())
    api.reset()
    with pytest.raises(VinrError) as caught:
        api.backend.retrieve_campaign("cmp_missing")
    assert caught.value.status == 404
    assert caught.value.body() == {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": "No such campaign: 'cmp_missing'",
            "param": "id",
        }
    }
