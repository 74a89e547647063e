"""Does create stay flat as the state grows? 20,000 creates per API, in-process, timed per thousand.

    python bench/creates.py [--count 20000] [--batch 1000]

Each API starts empty (no fixtures) and creates ``--count`` campaigns through the whole
request pipeline (ASGI, validation, unit of work), one at a time. It prints the rate of
the first and last batch and their ratio: a create whose cost grows with the number of
campaigns (say, scanning every name for a duplicate) shows as a ratio well below 1.
Goal (issue 9): the last thousand at least 0.8x the rate of the first thousand.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app

ENDS = 4102444800


def vinr_body(i: int) -> dict[str, Any]:
    return {"name": f"Campaign {i}", "type": "coupon", "ends_at": ENDS}


def voucherify_body(i: int) -> dict[str, Any]:
    return {
        "name": f"Campaign {i}",
        "campaign_type": "DISCOUNT_COUPONS",
        "vouchers_count": 1,
        "voucher": {
            "type": "DISCOUNT_VOUCHER",
            "discount": {"type": "PERCENT", "percent_off": 10},
            "code_config": {"length": 10},
        },
    }


APIS: dict[str, tuple[dict[str, str], Callable[[int], dict[str, Any]]]] = {
    "vinr": ({"Authorization": "Bearer sk_bench"}, vinr_body),
    "voucherify": ({"X-App-Id": "bench", "X-App-Token": "bench"}, voucherify_body),
}


def measure(api: str, count: int, batch: int) -> list[float]:
    """Creates per second of each batch."""
    headers, body = APIS[api]
    app = create_app([ApiOptions(api, no_fixtures=True)])
    rates = []
    with TestClient(app, headers=headers) as client:
        started = time.perf_counter()
        for i in range(count):
            response = client.post("/v1/campaigns", json=body(i))
            if response.status_code != 200:
                raise SystemExit(f"{api}: create {i} answered {response.status_code}: {response.text}")
            if (i + 1) % batch == 0:
                now = time.perf_counter()
                rates.append(batch / (now - started))
                started = now
    if app.mock.violations():
        raise SystemExit(f"{api}: contract violations: {app.mock.violations()}")
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000)
    args = parser.parse_args()
    print(f"{'api':<12}{'first /s':>10}{'last /s':>10}{'last/first':>12}  goal >= 0.8")
    failed = False
    for api in APIS:
        rates = measure(api, args.count, args.batch)
        ratio = rates[-1] / rates[0]
        failed |= ratio < 0.8
        print(f"{api:<12}{rates[0]:>10.0f}{rates[-1]:>10.0f}{ratio:>12.2f}  {'ok' if ratio >= 0.8 else 'BELOW'}")
        print(f"{'':<12}per batch: {' '.join(f'{r:.0f}' for r in rates)}")
    raise SystemExit(1 if failed else 0)


if __name__ == "__main__":
    main()
