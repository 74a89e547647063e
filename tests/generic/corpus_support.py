"""The corpus of public documents, and a round trip through every resource inferred from one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

from mockserver.generate import made_up
from mockserver.generic.inference import Resource
from mockserver.spec import Operation

CORPUS = Path(__file__).parent / "corpus"
NAMES = sorted(p.name for p in CORPUS.iterdir() if (p / "openapi.json").is_file())
OFFICIAL_VOUCHERIFY = Path(__file__).resolve().parents[3] / "shared" / "reference" / "voucherify-openapi.json"
KEY = "sk_test_corpus"


def spec_of(name: str) -> Path:
    return CORPUS / name / "openapi.json"


def policy_of(name: str) -> list[Path]:
    policy = CORPUS / name / "schemathesis.toml"
    return [policy] if policy.is_file() else []


@dataclass
class Trip:
    """What one round trip saw, for the assertions and their messages."""

    resource: str
    steps: list[tuple[str, int]]
    #: Why the trip could not start (a create body no value satisfies), else ``None``.
    unsatisfiable: str | None = None


#: A request body no value can satisfy (a `oneOf` whose variants all match the same values).
UNSATISFIABLE = object()


def request_body(op: Operation, seed: int) -> Any:
    body = op.request_body.json if op.request_body is not None else None
    if body is None or body.schema is None:
        return None
    for attempt in range(5):
        value, _, errors = made_up(body.schema, seed=seed + 100 * attempt, direction="request")
        if not errors:
            return value
    return UNSATISFIABLE


def fill(template: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        template = template.replace("{" + name + "}", quote(value, safe=""))
    return template


def round_trip(client: TestClient, base: str, resource: Resource, seed: int = 1) -> Trip:
    """create -> retrieve -> list -> update -> delete -> 404, as far as the resource allows."""
    ops = resource.operations
    trip = Trip(resource.name, [])
    scope = {name: f"s{index}" for index, name in enumerate(resource.scope_params)}
    for owner in (resource.parent, resource):
        create = owner.operations.get("create") if owner is not None else None
        if create is not None and request_body(create, seed) is UNSATISFIABLE:
            trip.unsatisfiable = f"{create.label}: no request body satisfies the document"
            return trip
    if resource.parent is not None and resource.parent.operations.get("create") is not None:
        parent_trip_values = _create(client, base, resource.parent, {}, seed, trip)
        if parent_trip_values is not None and resource.scope_params:
            scope[resource.scope_params[-1]] = parent_trip_values
    key = _create(client, base, resource, scope, seed, trip)
    if key is None and "create" not in ops and "replace" in ops:
        key = _put_new(client, base, resource, scope, seed, trip)
    assert key is not None, f"{resource.name}: create gave no id ({trip.steps})"
    item = {**scope, resource.id_param or "": key}
    retrieve = ops.get("retrieve")
    if retrieve is not None:
        got = client.get(base + fill(resource.item or "", item))
        trip.steps.append(("retrieve", got.status_code))
        assert got.status_code == _success(retrieve), (resource.name, got.text)
        if resource.id_field and isinstance(got.json(), dict) and resource.id_field in got.json():
            assert str(got.json()[resource.id_field]) == key
    listing = ops.get("list")
    if listing is not None and resource.envelope is not None:
        listed = client.get(base + fill(resource.collection or "", scope))
        trip.steps.append(("list", listed.status_code))
        assert listed.status_code == _success(listing), (resource.name, listed.text)
        body = listed.json()
        items = body if resource.envelope.items is None else body[resource.envelope.items]
        assert len(items) >= 1, (resource.name, body)
        if resource.id_field and resource.envelope.item_schema is not None:
            shown = [str(i.get(resource.id_field)) for i in items if isinstance(i, dict)]
            assert key in shown, (resource.name, shown, key)
    for action, method in (("replace", "put"), ("update", "patch")):
        op = ops.get(action)
        if op is None:
            continue
        sent = request_body(op, seed + 1)
        if sent is UNSATISFIABLE:
            trip.steps.append((f"{action}: no request body satisfies the document", 0))
            continue
        changed = client.request(method.upper(), base + fill(resource.item or "", item), json=sent)
        trip.steps.append((action, changed.status_code))
        assert changed.status_code == _success(op), (resource.name, action, changed.text)
    delete = ops.get("delete")
    if delete is not None:
        gone = client.delete(base + fill(resource.item or "", item))
        trip.steps.append(("delete", gone.status_code))
        assert gone.status_code == _success(delete), (resource.name, gone.text)
        if retrieve is not None and retrieve.response(404) is not None:
            after = client.get(base + fill(resource.item or "", item))
            trip.steps.append(("retrieve after delete", after.status_code))
            assert after.status_code == 404, (resource.name, after.text)
    return trip


def _create(client: TestClient, base: str, resource: Resource, scope: dict[str, str], seed: int, trip: Trip) -> str | None:
    create = resource.operations.get("create")
    if create is None:
        return None
    body = request_body(create, seed)
    assert body is not UNSATISFIABLE, f"{create.label}: no request body satisfies the document"
    if resource.client_ids and resource.id_field and isinstance(body, dict):
        body.pop(resource.id_field, None)  # let the server choose: it must give one back
    response = client.post(base + fill(resource.collection or "", scope), json=body)
    trip.steps.append((f"create {resource.name}", response.status_code))
    assert response.status_code == _success(create), (resource.name, response.text)
    data = response.json() if response.content else None
    if resource.id_field and isinstance(data, dict):
        found = data.get(resource.id_field)
        if found is None:
            found = next((v.get(resource.id_field) for v in data.values() if isinstance(v, dict)), None)
        return None if found is None else str(found)
    return _only_key(client, resource)


def _put_new(client: TestClient, base: str, resource: Resource, scope: dict[str, str], seed: int, trip: Trip) -> str:
    """Create through ``PUT`` on a new item (an upsert: the resource has no create)."""
    replace = resource.operations["replace"]
    parameter = replace.parameter(resource.id_param or "", "path")
    key = "1"
    if parameter is not None and parameter.schema is not None:
        value, _, _ = made_up(parameter.schema, seed=seed, direction="request")
        key = str(value)
    body = request_body(replace, seed)
    assert body is not UNSATISFIABLE, f"{replace.label}: no request body satisfies the document"
    response = client.put(base + fill(resource.item or "", {**scope, resource.id_param or "": key}), json=body)
    trip.steps.append((f"put new {resource.name}", response.status_code))
    assert response.status_code == _success(replace), (resource.name, response.text)
    return key


def _only_key(client: TestClient, resource: Resource) -> str | None:
    """The key the server stored (for ids that live in the URL only)."""
    app: Any = client.app
    store = app.mock.runtimes[0].api.store
    keys = [
        key
        for table, rows in store.dump()["tables"].items()
        if table.startswith(f"generic:{resource.name}")
        for key in rows
    ]
    return keys[-1] if keys else None


def _success(op: Operation) -> int:
    from mockserver.generate import choose_status

    return choose_status(op)[0]
