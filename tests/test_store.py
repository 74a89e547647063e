"""The state protocol: units of work commit all their writes or none, in isolation.

Written against the protocol, parametrised over the backends, so every backend keeps the
same promises.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.store import Conflict, MemoryStore, Store, UnitOfWork, open_store


@pytest.fixture(params=["memory"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    backend = open_store(request.param, "test")
    yield backend
    backend.close()


def test_reads_see_the_units_own_writes_and_commit_publishes_them(store: Store) -> None:
    unit = store.begin()
    unit.put("things", "a", {"id": "a", "n": 1})
    assert unit.get("things", "a") == {"id": "a", "n": 1}
    assert unit.count("things") == 1
    unit.commit()
    assert store.run(lambda u: u.get("things", "a")) == {"id": "a", "n": 1}


def test_a_row_read_is_a_copy(store: Store) -> None:
    store.run(lambda u: u.put("things", "a", {"id": "a", "tags": ["x"]}))

    def mutate(unit: UnitOfWork) -> None:
        row = unit.get("things", "a")
        assert row is not None
        row["tags"].append("y")

    store.run(mutate)
    assert store.run(lambda u: u.get("things", "a")) == {"id": "a", "tags": ["x"]}


def test_rollback_restores_everything_exactly(store: Store) -> None:
    def seed(unit: UnitOfWork) -> None:
        for key in "abcd":
            unit.put("things", key, {"id": key})
        unit.put("index", "A", {"id": "a"})
        unit.schedule("due", "thing:a", 10)
        unit.schedule("due", "thing:b", 20)

    store.run(seed)
    before = store.dump()
    unit = store.begin()
    unit.delete("things", "b")
    unit.put("things", "c", {"id": "c", "changed": True})
    unit.put("things", "e", {"id": "e"})
    unit.delete("index", "A")
    unit.schedule("due", "thing:e", 5)
    assert unit.pop_due("due", 15) == [(5, "thing:e"), (10, "thing:a")]
    unit.rollback()
    assert store.dump() == before
    # a deleted row that came back keeps its place in the order
    assert [row["id"] for row in store.run(lambda u: u.rows("things"))] == ["a", "b", "c", "d"]


def test_rows_keep_the_order_keys_were_first_stored(store: Store) -> None:
    def work(unit: UnitOfWork) -> None:
        unit.put("things", "z", {"id": "z"})
        unit.put("things", "a", {"id": "a"})
        unit.put("things", "z", {"id": "z", "again": True})

    store.run(work)
    assert store.run(lambda u: [r["id"] for r in u.rows("things")]) == ["z", "a"]


def test_add_refuses_a_taken_key(store: Store) -> None:
    store.run(lambda u: u.add("things", "a", {"id": "a"}))
    with pytest.raises(KeyError):
        store.run(lambda u: u.add("things", "a", {"id": "a"}))


def test_pop_due_takes_only_what_is_due_earliest_first(store: Store) -> None:
    def work(unit: UnitOfWork) -> None:
        unit.schedule("q", "late", 30)
        unit.schedule("q", "early", 10)
        unit.schedule("q", "middle", 20)

    store.run(work)
    assert store.run(lambda u: u.pop_due("q", 20)) == [(10, "early"), (20, "middle")]
    assert store.run(lambda u: u.pop_due("q", 25)) == []
    assert store.run(lambda u: u.pop_due("q", 99)) == [(30, "late")]


def test_a_row_that_is_not_json_fails_the_write_not_a_later_read(store: Store) -> None:
    with pytest.raises(ValueError):
        store.run(lambda u: u.put("things", "a", {"name": "\ud800"}))
    with pytest.raises(ValueError):
        store.run(lambda u: u.put("things", "c", {"when": object()}))
    assert store.dump()["tables"] == {}


def test_integers_beyond_64_bits_come_back_exact(store: Store) -> None:
    store.run(lambda u: u.put("things", "a", {"n": 2**70, "m": -(10**30)}))
    assert store.run(lambda u: u.get("things", "a")) == {"n": 2**70, "m": -(10**30)}


def test_run_joins_the_unit_open_in_this_context(store: Store) -> None:
    unit = store.begin()
    assert store.run(lambda inner: inner) is unit
    with store.unit() as inner:
        assert inner is unit
    unit.rollback()
    assert store.current is None


def test_an_exception_in_run_rolls_back(store: Store) -> None:
    def fail(unit: UnitOfWork) -> None:
        unit.put("things", "a", {"id": "a"})
        raise ValueError("boom")

    with pytest.raises(ValueError):
        store.run(fail)
    assert store.dump()["tables"] == {}
    assert store.current is None


def test_clear_empties_everything(store: Store) -> None:
    def work(unit: UnitOfWork) -> None:
        unit.put("things", "a", {"id": "a"})
        unit.schedule("q", "a", 1)

    store.run(work)
    store.clear()
    assert store.dump() == {"tables": {}, "queues": {}}


def test_concurrent_read_modify_writes_lose_nothing(store: Store) -> None:
    store.run(lambda u: u.put("counters", "c", {"n": 0}))

    def increment(unit: UnitOfWork) -> None:
        row = unit.get("counters", "c")
        assert row is not None
        unit.put("counters", "c", {"n": row["n"] + 1})

    def worker() -> None:
        for _ in range(300):
            store.run(increment)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert store.run(lambda u: u.get("counters", "c")) == {"n": 2400}


def test_run_retries_a_unit_that_conflicts() -> None:
    attempts: list[int] = []

    class Flaky(MemoryStore):
        def _open(self) -> UnitOfWork:
            unit = super()._open()
            commit = unit.commit

            def conflicting_commit() -> None:
                if len(attempts) < 3:
                    unit.rollback()
                    raise Conflict("changed meanwhile")
                commit()

            unit.commit = conflicting_commit  # type: ignore[method-assign]
            return unit

    store = Flaky()

    def work(unit: UnitOfWork) -> Any:
        attempts.append(1)
        unit.put("things", "a", {"id": "a", "attempt": len(attempts)})
        return len(attempts)

    assert store.run(work) == 3, "two conflicting attempts, then the third commits"
    assert store.run(lambda u: u.get("things", "a")) == {"id": "a", "attempt": 3}


def test_a_second_unit_in_the_same_context_is_refused(store: Store) -> None:
    unit = store.begin()
    with pytest.raises(RuntimeError, match="already open"):
        store.begin()
    unit.commit()


def test_unknown_backend_is_a_configuration_error() -> None:
    from mockserver.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="unknown state backend"):
        open_store("postgres://x", "test")
