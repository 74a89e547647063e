"""The admin API's own OpenAPI document: served, valid, complete, and what the engine enforces."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from starlette.testclient import TestClient

from mockserver.admin.errors import CODES
from mockserver.exceptions import ProblemKind

from .conftest import ADMIN_SPEC, check_admin_response

OPERATIONS = {
    ("get", "/health"): "getHealth",
    ("post", "/reset"): "resetState",
    ("get", "/clock"): "getClock",
    ("post", "/clock"): "moveClock",
    ("get", "/violations"): "listViolations",
}
#: Endpoints added with the request journal, coverage and faults (tests/control/).
CONTROL_OPERATIONS = {
    ("get", "/requests"): "listRequests",
    ("delete", "/requests"): "clearRequests",
    ("post", "/requests/count"): "countRequests",
    ("get", "/requests/unmatched"): "listNearMisses",
    ("get", "/coverage"): "getCoverage",
    ("delete", "/coverage"): "clearCoverage",
    ("get", "/faults"): "listFaults",
    ("post", "/faults"): "createFault",
    ("delete", "/faults"): "clearFaults",
    ("get", "/faults/{faultId}"): "getFault",
    ("delete", "/faults/{faultId}"): "deleteFault",
}


def test_the_document_is_valid_openapi_and_lists_every_endpoint() -> None:
    validate(ADMIN_SPEC)
    found = {
        (method, path): operation["operationId"]
        for path, item in ADMIN_SPEC["paths"].items()
        for method, operation in item.items()
    }
    assert found == {**OPERATIONS, **CONTROL_OPERATIONS}
    assert ADMIN_SPEC["security"] == [{"adminToken": []}]
    assert ADMIN_SPEC["components"]["securitySchemes"]["adminToken"] == {
        **ADMIN_SPEC["components"]["securitySchemes"]["adminToken"],
        "type": "http",
        "scheme": "bearer",
    }


def test_the_error_codes_documented_are_the_codes_used() -> None:
    documented = ADMIN_SPEC["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"]
    assert set(documented) == CODES
    assert len(documented) == len(set(documented))
    # every problem the engine can report has an admin code
    from mockserver.admin.errors import error_for
    from mockserver.exceptions import Problem

    for kind in ProblemKind:
        assert error_for(Problem(kind, "m")).code in CODES


def test_the_document_is_served(admin: TestClient) -> None:
    served = admin.get("/__admin/openapi.json")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("application/json")
    document = served.json()
    assert document["info"]["title"] == ADMIN_SPEC["info"]["title"]
    assert document["paths"].keys() == ADMIN_SPEC["paths"].keys()
    assert admin.get("/__admin/ui/").status_code == 200


def test_every_endpoint_answers_as_documented(admin: TestClient) -> None:
    # each response goes through check_admin_response (the client's hook)
    for (method, path), _ in OPERATIONS.items():
        body: dict[str, Any] | None = {"advance": 1} if (method, path) == ("post", "/clock") else None
        response = admin.request(method.upper(), f"/__admin{path}", json=body)
        assert response.status_code == 200, (path, response.text)
    health = admin.get("/__admin/health").json()
    assert health["status"] == "ok"
    assert [a["api"] for a in health["apis"]] == ["vinr"]
    assert admin.get("/__admin/violations").json() == {"violations": []}


def test_unknown_paths_and_methods_answer_in_the_admin_format(admin: TestClient) -> None:
    missing = admin.get("/__admin/nothing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = admin.put("/__admin/clock", json={"advance": 1})
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"
    assert set(wrong.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_the_response_check_bites() -> None:
    request = httpx.Request("GET", "http://127.0.0.1/__admin/clock")
    wrong = httpx.Response(200, json={"now": "soon", "frozen": False, "real_time": True}, request=request)
    with pytest.raises(Exception, match="'soon' is not of type 'integer'"):
        check_admin_response(wrong)
    request = httpx.Request("OPTIONS", "http://127.0.0.1/__admin/clock")
    not_error = httpx.Response(403, json={"detail": "no"}, request=request)
    with pytest.raises(AssertionError):
        check_admin_response(not_error)
