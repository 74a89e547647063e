"""pytest fixtures for client teams (loaded by pytest through the ``pytest11`` entry point).

``vinr_mock``, ``voucherify_mock``
    A real HTTP server of the API (any HTTP client works) on a free loopback port, started
    once per session (per xdist worker) in a background thread, reset to its fixtures (and
    real time) before every test that uses it. See :class:`~mockserver.testing.MockHandle`.
``mock_server_factory``
    ``mock_server_factory(api="vinr", fixtures=None, api_keys=None, no_fixtures=False)``: a
    server started with other settings, kept for the session (one per distinct setting) and
    reset before the test gets it.

Each fixture gives a :class:`~mockserver.testing.MockHandle`: besides ``url``, ``clock`` and
``reset()``, the admin API's mock control in process: ``requests(**filters)`` and
``count(**filters)`` (the request journal since the reset before the test), ``coverage()``
(the spec coverage report) and ``faults`` (``add(status=503, operation=..., times=1)``,
``list()``, ``remove(id)``, ``clear()``). A bad filter or fault field raises
:class:`~mockserver.testing.InvalidFilter` or :class:`~mockserver.testing.InvalidFault`
naming it, with the admin API's message.

A test after which a mock it used has recorded contract violations (responses that broke
the API's own spec: always a bug in the mock) fails, naming them, unless it is marked
``@pytest.mark.expects_violations``.

``--mockserver-coverage-report FILE`` writes, when the session ends, the spec coverage of
every mock server the session started, merged into one report (an operation's calls and
statuses added up over the servers of its API), as JSON, Markdown or JUnit XML by the file's
extension (:mod:`mockserver.pipeline.coverage_report`). Under pytest-xdist each worker sends
its servers' reports to the controller, which merges and writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from mockserver.quiet import third_party_imports
from mockserver.testing.handle import MockConfig, MockHandle, MockPool

#: The handles the running test uses, by configuration (each reset once, when first used).
_USED = pytest.StashKey[dict[MockConfig, MockHandle]]()

#: The session's pools (their servers' coverage goes into the report).
_POOLS = pytest.StashKey[list[MockPool]]()
#: Coverage reports received from pytest-xdist workers.
_RECEIVED = pytest.StashKey[list[dict[str, Any]]]()
#: Where the coverage report was written.
_WRITTEN = pytest.StashKey[Path]()

EXPECTS_VIOLATIONS = "expects_violations"
COVERAGE_OPTION = "--mockserver-coverage-report"
#: The key of a pytest-xdist worker's coverage in its ``workeroutput``.
WORKER_COVERAGE = "mockserver_coverage"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mockserver", "promotions mock server")
    group.addoption(
        COVERAGE_OPTION,
        metavar="FILE",
        default=None,
        help="write the spec coverage of the session's mock servers to FILE when it ends: "
        "JSON (.json), Markdown (.md) or JUnit XML (.xml)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{EXPECTS_VIOLATIONS}: the test makes the mock break its contract on purpose "
        "(mockserver does not fail it for the violations it records)",
    )
    path = _report_path(config)
    if path is not None:
        with third_party_imports():
            from mockserver.pipeline.coverage_report import check_path

        try:
            check_path(path)
        except ValueError as exc:
            raise pytest.UsageError(f"{COVERAGE_OPTION}: {exc}") from None


def _report_path(config: pytest.Config) -> Path | None:
    value = config.getoption(COVERAGE_OPTION, None)
    if not value:
        return None
    return config.invocation_params.dir / Path(value)


@pytest.fixture(scope="session")
def mockserver_pool(request: pytest.FixtureRequest) -> Iterator[MockPool]:
    """The session's running mock servers (one per configuration)."""
    pool = MockPool()
    request.config.stash.setdefault(_POOLS, []).append(pool)
    yield pool
    pool.close()


def _use(request: pytest.FixtureRequest, pool: MockPool, config: MockConfig) -> MockHandle:
    used: dict[MockConfig, MockHandle] = request.node.stash.setdefault(_USED, {})
    handle = used.get(config)
    if handle is None:
        handle = used[config] = pool.get(config)
        handle.reset()
    return handle


@pytest.fixture
def vinr_mock(request: pytest.FixtureRequest, mockserver_pool: MockPool) -> MockHandle:
    """A VINR mock with its fixtures, at ``vinr_mock.url``, accepting ``vinr_mock.api_key``."""
    return _use(request, mockserver_pool, MockConfig.build("vinr"))


@pytest.fixture
def voucherify_mock(request: pytest.FixtureRequest, mockserver_pool: MockPool) -> MockHandle:
    """A Voucherify mock with its fixtures, at ``voucherify_mock.url``; send
    ``voucherify_mock.api_key`` as ``X-App-Id`` and ``X-App-Token`` (or as a bearer token)."""
    return _use(request, mockserver_pool, MockConfig.build("voucherify"))


@pytest.fixture
def mock_server_factory(
    request: pytest.FixtureRequest, mockserver_pool: MockPool
) -> Callable[..., MockHandle]:
    """``mock_server_factory(api="vinr", fixtures=None, api_keys=None, no_fixtures=False)``.

    ``fixtures``: a directory of fixture files to seed from instead of the API's own;
    ``api_keys``: the only keys accepted (default ``[DEFAULT_API_KEY]``; ``[]``: any key);
    ``no_fixtures``: start empty. Within one test, the same arguments give the same handle.
    """

    def factory(
        api: str = "vinr",
        *,
        fixtures: str | Path | None = None,
        api_keys: Iterable[str] | None = None,
        no_fixtures: bool = False,
    ) -> MockHandle:
        config = MockConfig.build(
            api, fixtures=fixtures, api_keys=api_keys, no_fixtures=no_fixtures
        )
        return _use(request, mockserver_pool, config)

    return factory


def describe_violations(handle: MockHandle, violations: list[Any]) -> str:
    lines = [
        f"the {handle.api} mock at {handle.url} recorded {len(violations)} contract "
        "violation(s) during this test (responses that broke its own spec; the client got a 500 "
        "instead). This is a bug in the mock, not in your client:"
    ]
    for violation in violations:
        reasons = "; ".join(violation.reasons)
        lines.append(f"  {violation.operation_id} (its {violation.status} response): {reasons}")
    return "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    try:
        result = yield
    except Exception as exc:
        for report in _reports(item):
            exc.add_note(report)
        raise
    reports = _reports(item)
    if reports:
        pytest.fail("\n".join(reports), pytrace=False)
    return result


def _reports(item: pytest.Item) -> list[str]:
    if item.get_closest_marker(EXPECTS_VIOLATIONS):
        return []
    reports = []
    for handle in item.stash.get(_USED, {}).values():
        if handle.running:
            violations = handle.violations()
            if violations:
                reports.append(describe_violations(handle, violations))
    return reports


# -- the session's coverage report -----------------------------------------------------------


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """pytest-xdist's controller: a worker's coverage reports, to merge at the end."""
    reports = getattr(node, "workeroutput", {}).get(WORKER_COVERAGE)
    if reports:
        node.config.stash.setdefault(_RECEIVED, []).extend(reports)


# last: after the session's fixtures are torn down (the servers have stopped)
@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    path = _report_path(config)
    if path is None:
        return
    reports = [r for pool in config.stash.get(_POOLS, []) for r in pool.coverage_reports()]
    workeroutput = cast("dict[str, Any] | None", getattr(config, "workeroutput", None))
    if workeroutput is not None:  # a pytest-xdist worker: the controller writes the file
        workeroutput[WORKER_COVERAGE] = reports
        return
    with third_party_imports():
        from mockserver.pipeline import coverage_report
        from mockserver.pipeline.coverage import merge_reports

    merged = merge_reports([*reports, *config.stash.get(_RECEIVED, [])])
    path.parent.mkdir(parents=True, exist_ok=True)
    coverage_report.write(merged, path)
    config.stash[_WRITTEN] = path


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    path = config.stash.get(_WRITTEN, None)
    if path is not None:
        terminalreporter.write_line(f"mockserver: coverage report written to {path}")
