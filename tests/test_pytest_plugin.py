"""The pytest plugin client teams use: its fixtures, here, and a client suite run by pytester.

The client suite runs in a subprocess, as a client's own ``pytest -W error`` would: it uses
the plugin only through its ``pytest11`` entry point (no import, no conftest).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.testing import DEFAULT_API_KEY, MockHandle, start_mock

pytest_plugins = ["pytester"]


def test_vinr_mock_is_a_real_server_with_the_fixtures(vinr_mock: MockHandle) -> None:
    assert vinr_mock.url.startswith("http://127.0.0.1:")
    assert vinr_mock.api == "vinr" and vinr_mock.api_key == DEFAULT_API_KEY
    auth = {"Authorization": f"Bearer {vinr_mock.api_key}"}
    welcome = httpx.get(f"{vinr_mock.url}/v1/coupons/cpn_WELCOME10", headers=auth)
    assert welcome.status_code == 200 and welcome.json()["code"] == "WELCOME10"
    # only its own key: a client that sends another one is told so
    wrong = httpx.get(f"{vinr_mock.url}/v1/coupons/cpn_WELCOME10", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 401
    assert httpx.get(f"{vinr_mock.url}/ui/").status_code == 200


def test_the_clock_attribute_is_the_clock_the_admin_api_moves(vinr_mock: MockHandle) -> None:
    admin = {"Authorization": f"Bearer {vinr_mock.admin_token}"}
    vinr_mock.clock.set(1893456000)
    vinr_mock.clock.freeze()
    seen = httpx.get(f"{vinr_mock.url}/__admin/clock", headers=admin).json()
    assert seen == {"now": 1893456000, "frozen": True, "real_time": False}
    moved = httpx.post(f"{vinr_mock.url}/__admin/clock", headers=admin, json={"advance": 60})
    assert moved.status_code == 200
    assert vinr_mock.clock.timestamp() == 1893456060
    vinr_mock.reset()
    assert vinr_mock.clock.real_time
    # the admin API takes the handle's token only
    refused = httpx.get(f"{vinr_mock.url}/__admin/clock", headers={"Authorization": "Bearer other"})
    assert refused.status_code == 401


def test_voucherify_mock_and_the_factory(
    voucherify_mock: MockHandle, mock_server_factory: Any
) -> None:
    keys = {"X-App-Id": voucherify_mock.api_key, "X-App-Token": voucherify_mock.api_key}
    listed = httpx.get(f"{voucherify_mock.url}/v1/campaigns", headers=keys)
    assert listed.status_code == 200 and listed.json()["total"] == 6
    empty = mock_server_factory("vinr", no_fixtures=True, api_keys=[])
    assert empty.url != voucherify_mock.url
    assert mock_server_factory("vinr", no_fixtures=True, api_keys=[]) is empty
    # api_keys=[]: any non-empty key
    campaigns = httpx.get(f"{empty.url}/v1/campaigns", headers={"Authorization": "Bearer anything"})
    assert campaigns.status_code == 200 and campaigns.json()["data"] == []


def test_start_mock_outside_pytest_and_a_taken_port() -> None:
    from mockserver.serving import BindError

    with start_mock("vinr", api_keys=["sk_mine"]) as mock:
        port = int(mock.url.rsplit(":", 1)[1])
        auth = {"Authorization": "Bearer sk_mine"}
        assert httpx.get(f"{mock.url}/v1/campaigns", headers=auth).status_code == 200
        with pytest.raises(BindError, match=f"port {port} is already in use.*--port"):
            start_mock("vinr", port=port)
    assert not mock.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{mock.url}/v1/campaigns", timeout=2)


CLIENT_SUITE = textwrap.dedent(
    """
    import httpx
    import pytest

    from mockserver.apis.vinr.models import campaigns


    def auth(mock):
        return {"Authorization": f"Bearer {mock.api_key}"}


    def test_1_changes_state_and_time(vinr_mock):
        made = httpx.post(
            vinr_mock.url + "/v1/coupons",
            headers=auth(vinr_mock),
            json={"code": "CLIENT1", "campaign": "cmp_6Eg4rSWelcome", "percent_off": 5},
        )
        assert made.status_code == 200, made.text
        vinr_mock.clock.advance(86400 * 400)
        vinr_mock.clock.freeze()


    def test_2_starts_from_the_fixtures_at_real_time(vinr_mock):
        found = httpx.get(vinr_mock.url + "/v1/coupons?code=CLIENT1", headers=auth(vinr_mock))
        assert found.json()["data"] == []
        assert vinr_mock.clock.real_time and not vinr_mock.clock.frozen


    def _break_campaigns(monkeypatch):
        original = campaigns.Campaign.to_dict
        monkeypatch.setattr(
            campaigns.Campaign, "to_dict", lambda self, now: {**original(self, now), "status": "on fire"}
        )


    def test_3_violation_fails_the_test(vinr_mock, monkeypatch):
        _break_campaigns(monkeypatch)
        got = httpx.get(vinr_mock.url + "/v1/campaigns/cmp_6Eg4rSWelcome", headers=auth(vinr_mock))
        assert got.status_code == 500


    @pytest.mark.expects_violations
    def test_4_violation_expected(vinr_mock, monkeypatch):
        _break_campaigns(monkeypatch)
        got = httpx.get(vinr_mock.url + "/v1/campaigns/cmp_6Eg4rSWelcome", headers=auth(vinr_mock))
        assert got.status_code == 500
        assert [v.operation_id for v in vinr_mock.violations()] == ["retrieveCampaign"]


    def test_5_after_a_violation_the_next_test_is_clean(vinr_mock):
        assert vinr_mock.violations() == []
    """
)


def readme_client_test() -> str:
    """The complete client test the README shows (the ``python`` block of ``test_checkout.py``)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index("```python\n# test_checkout.py")
    return readme[start + len("```python\n") : readme.index("```", start + 3)]


def test_a_client_suite_gets_fresh_mocks_and_fails_on_violations(pytester: pytest.Pytester) -> None:
    # with the README's client test: it passes as shown
    pytester.makepyfile(test_client=CLIENT_SUITE, test_checkout=readme_client_test())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-W", "error", "-v")
    result.assert_outcomes(passed=8, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_checkout.py::test_welcome10_takes_ten_percent_off PASSED*",
            "*test_3_violation_fails_the_test FAILED*",
            "the vinr mock at http://127.0.0.1:* recorded 1 contract violation(s) during this "
            "test (responses that broke its own spec; the client got a 500 instead)*",
            "  retrieveCampaign (its 200 response): status: 'on fire' is not one of *",
        ],
        consecutive=False,
    )
