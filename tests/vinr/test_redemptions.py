"""Redemptions: the discount arithmetic, then every rejection with its code."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import DAY, assert_error, new_campaign, new_coupon, new_offer, order


def redeem(client: TestClient, **body: object) -> object:
    return client.post("/v1/redemptions", json=body)


def test_coupon_redemption_counts_and_discount(client: TestClient, clock: Clock) -> None:
    campaign = new_campaign(client, clock.timestamp())
    coupon = new_coupon(client, campaign["id"], code="TENPCT", percent_off=10)
    response = redeem(client, coupon="tenpct", order=order(4999, shipping=500), metadata={"order_id": "o1"})
    assert response.status_code == 200, response.text
    redemption = response.json()
    assert redemption["id"].startswith("red_")
    assert (redemption["coupon"], redemption["campaign"], redemption["offer"]) == (
        coupon["id"],
        campaign["id"],
        None,
    )
    assert redemption["amount_discounted"] == 499
    assert redemption["amount_total"] == 4999 + 500 - 499
    assert redemption["order"] == {"amount": 4999, "currency": "usd", "shipping": 500, "items": []}
    assert client.get(f"/v1/redemptions/{redemption['id']}").json() == redemption
    assert client.get(f"/v1/coupons/{coupon['id']}").json()["times_redeemed"] == 1
    assert client.get(f"/v1/campaigns/{campaign['id']}").json()["redemption_count"] == 1
    listed = client.get("/v1/redemptions", params={"coupon": coupon["id"]}).json()["data"]
    assert [r["id"] for r in listed] == [redemption["id"]]


def test_amount_off_is_capped_and_currency_checked(client: TestClient, clock: Clock) -> None:
    campaign = new_campaign(client, clock.timestamp())
    new_coupon(client, campaign["id"], code="FIVEUSD", percent_off=None, amount_off=500, currency="usd")
    assert redeem(client, coupon="FIVEUSD", order=order(300)).json()["amount_discounted"] == 300
    assert_error(redeem(client, coupon="FIVEUSD", order=order(3000, "eur")), 400, "currency_mismatch", "order.currency")


def test_offer_discounts(client: TestClient) -> None:
    fixed = new_offer(client, value=1000, criteria={"minimum_amount": 2000})
    assert redeem(client, offer=fixed["id"], order=order(2500)).json()["amount_discounted"] == 1000
    shipping = new_offer(client, type="free_shipping", value=700)
    assert redeem(client, offer=shipping["id"], order=order(2500, shipping=500)).json()["amount_discounted"] == 500
    bogo = new_offer(
        client, type="bogo", value=None, currency=None, criteria={"product_ids": ["sock"]}
    )
    items = [
        {"product_id": "sock", "quantity": 5, "unit_amount": 300},
        {"product_id": "hat", "quantity": 2, "unit_amount": 900},
    ]
    result = redeem(client, offer=bogo["id"], order=order(3300, items=items)).json()
    assert result["amount_discounted"] == 600  # two free socks, hats do not qualify
    assert result["campaign"] is None


def test_criteria_not_met(client: TestClient) -> None:
    fixed = new_offer(client, value=1000, criteria={"minimum_amount": 2000})
    assert_error(redeem(client, offer=fixed["id"], order=order(1999)), 400, "criteria_not_met", "order.amount")
    products = new_offer(client, criteria={"product_ids": ["p1"]})
    items = [{"product_id": "p2", "quantity": 1, "unit_amount": 100}]
    assert_error(redeem(client, offer=products["id"], order=order(100, items=items)), 400, "criteria_not_met", "order.items")
    quantity = new_offer(client, criteria={"minimum_quantity": 3})
    assert_error(redeem(client, offer=quantity["id"], order=order(100, items=items)), 400, "criteria_not_met", "order.items")
    bogo = new_offer(client, type="bogo", value=None, currency=None)
    assert_error(redeem(client, offer=bogo["id"], order=order(100, items=items)), 400, "criteria_not_met", "order.items")


def test_rejected_after_the_campaign_ends(client: TestClient, clock: Clock) -> None:
    clock.freeze()
    campaign = new_campaign(client, clock.timestamp(), ends_at=clock.timestamp() + DAY)
    new_coupon(client, campaign["id"], code="SOON")
    assert redeem(client, coupon="SOON", order=order()).status_code == 200
    clock.advance(DAY)
    assert_error(redeem(client, coupon="SOON", order=order()), 400, "campaign_ended", "campaign")
    assert client.get(f"/v1/campaigns/{campaign['id']}").json()["redemption_count"] == 1


def test_rejected_before_start_when_deactivated_and_after_delete(client: TestClient, clock: Clock) -> None:
    now = clock.timestamp()
    future = new_campaign(client, now, starts_at=now + DAY, ends_at=now + 2 * DAY)
    new_coupon(client, future["id"], code="LATER")
    assert_error(redeem(client, coupon="LATER", order=order()), 400, "campaign_not_started")

    paused = new_campaign(client, now)
    new_coupon(client, paused["id"], code="PAUSED")
    client.post(f"/v1/campaigns/{paused['id']}", json={"active": False})
    assert_error(redeem(client, coupon="PAUSED", order=order()), 400, "campaign_inactive")

    doomed = new_campaign(client, now)
    new_coupon(client, doomed["id"], code="DOOMED")
    kept = redeem(client, coupon="DOOMED", order=order()).json()
    client.delete(f"/v1/campaigns/{doomed['id']}")
    assert_error(redeem(client, coupon="DOOMED", order=order()), 400, "campaign_deleted", "campaign")
    assert client.get(f"/v1/redemptions/{kept['id']}").status_code == 200, "existing redemptions are kept"


def test_exhausted_coupon(client: TestClient, clock: Clock) -> None:
    campaign = new_campaign(client, clock.timestamp())
    coupon = new_coupon(client, campaign["id"], code="ONCE", max_redemptions=1)
    assert redeem(client, coupon="ONCE", order=order()).status_code == 200
    assert_error(redeem(client, coupon="ONCE", order=order()), 400, "coupon_exhausted", "coupon")
    assert client.get(f"/v1/coupons/{coupon['id']}").json()["valid"] is False


def test_offer_state_rejections(client: TestClient, clock: Clock) -> None:
    clock.freeze()
    now = clock.timestamp()
    off = new_offer(client, active=False)
    assert_error(redeem(client, offer=off["id"], order=order()), 400, "offer_inactive", "offer")
    future = new_offer(client, starts_at=now + DAY)
    assert_error(redeem(client, offer=future["id"], order=order()), 400, "offer_not_started", "offer")
    ending = new_offer(client, ends_at=now + 10)
    clock.advance(10)
    assert_error(redeem(client, offer=ending["id"], order=order()), 400, "offer_ended", "offer")
    campaign = new_campaign(client, now, type="offer", active=False)
    grouped = new_offer(client, campaign=campaign["id"])
    assert_error(redeem(client, offer=grouped["id"], order=order()), 400, "campaign_inactive", "campaign")


def test_request_shape_errors(client: TestClient) -> None:
    assert_error(redeem(client, order=order()), 400, "parameter_missing", "coupon")
    assert_error(redeem(client, coupon="WELCOME10", offer="ofr_3Fj7tNFreeShip", order=order()), 400, "parameter_invalid", "offer")
    assert_error(redeem(client, coupon="NOPE", order=order()), 400, "resource_missing", "coupon")
    assert_error(redeem(client, offer="ofr_nope", order=order()), 400, "resource_missing", "offer")
    assert_error(redeem(client, coupon="WELCOME10"), 400, "parameter_missing", "order")
    assert_error(redeem(client, coupon="WELCOME10", order={"amount": -1, "currency": "usd"}), 400, "parameter_invalid", "order.amount")
    assert_error(redeem(client, coupon="WELCOME10", order={"amount": 1, "currency": "USD!"}), 400, "parameter_invalid", "order.currency")


def test_fixture_rules_hold(client: TestClient) -> None:
    assert_error(redeem(client, coupon="FIVE-OFF", order=order()), 400, "coupon_exhausted")
    assert_error(redeem(client, coupon="BF2025", order=order()), 400, "campaign_ended")
    assert_error(redeem(client, coupon="SPRING29", order=order(currency="eur")), 400, "campaign_not_started")
    assert_error(redeem(client, coupon="THANKYOU", order=order()), 400, "campaign_inactive")
    assert redeem(client, coupon="WELCOME10", order=order()).status_code == 200
