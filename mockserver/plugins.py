"""How an API plugs into the engine.

An API is a subclass of :class:`MockAPI` that names its spec, its default
fixtures and its handlers, and knows how to render the engine's
:class:`~mockserver.exceptions.Problem` objects in its own error format. Each API
is a self-contained package carrying its spec, fixtures and contract-check policy
as package data, and is registered under the ``mockserver.apis`` entry-point group,
so another distribution can ship an API of its own::

    [project.entry-points."mockserver.apis"]
    myapi = "my_package:MyAPI"

The engine finds APIs by name through :func:`available_apis` and never imports an
API module directly.
"""

from __future__ import annotations

import abc
import functools
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from mockserver.clock import Clock
from mockserver.documents import load_document
from mockserver.exceptions import ConfigurationError, MockError, Problem
from mockserver.store import MemoryStore, Store, UnitOfWork

if TYPE_CHECKING:
    from mockserver.generic.behaviour import GenericBehaviour

__all__ = ["ENTRY_POINT_GROUP", "MockAPI", "api_class", "available_apis", "load_document"]

#: The entry-point group APIs register under (``name = "module:Class"``).
ENTRY_POINT_GROUP = "mockserver.apis"
#: The table of each API's store where the engine notes that the fixtures were loaded.
STATE_TABLE = "__state__"


class MockAPI(abc.ABC):
    """One API served by the mock: its contract, its state and its rules."""

    #: Short name, used on the command line (``--api NAME``) and as the path prefix.
    name: ClassVar[str]
    #: Default OpenAPI document (package data of the API's package).
    spec_path: ClassVar[Path]
    #: Default fixtures directory (``None``: starts empty).
    default_fixtures: ClassVar[Path | None] = None
    #: Contract-check policy: a ``schemathesis.toml`` whose ``[[project]]`` matches the spec's
    #: title (``None``: Schemathesis' defaults, every check as it comes).
    contract_policy: ClassVar[Path | None] = None
    #: Fixture file stem -> name of the component schema each record must satisfy.
    fixture_schemas: ClassVar[Mapping[str, str]] = {}
    #: Request header carrying an idempotency key on create operations (``None``: not supported).
    idempotency_header: ClassVar[str | None] = None
    #: Operations (operationIds) that honour the idempotency header.
    idempotent_operations: ClassVar[frozenset[str]] = frozenset()
    #: Answer a query parameter the operation does not declare with a 400 (Stripe style)
    #: instead of ignoring it.
    reject_unknown_query: ClassVar[bool] = False
    #: Refuse JSON integers beyond int64 in a body (400); ``False`` keeps them, exactly, for
    #: an API whose real server takes any integer literal (see :mod:`mockserver.decoding`).
    int64_only: ClassVar[bool] = True
    #: Decode the form bodies (multipart/form-data, x-www-form-urlencoded) the document
    #: declares and validate them; ``False``: a form body is a 415. openapi-core's form decoder
    #: drops parts its schema does not name, so ``additionalProperties: false`` cannot be
    #: enforced on a form: an API turns this on where its handlers need forms (a CSV upload).
    form_bodies: ClassVar[bool] = False
    #: Operations without a handler get the generic behaviour inferred from the document
    #: (``False``: they answer 501 not_implemented).
    generic_fallback: ClassVar[bool] = True

    def __init__(
        self,
        *,
        clock: Clock,
        fixtures: Path | None = None,
        api_keys: Sequence[str] = (),
        spec_path: Path | None = None,
        store: Store | None = None,
    ) -> None:
        self.clock = clock
        #: Every piece of the API's state (see :mod:`mockserver.store`).
        self.store: Store = store if store is not None else MemoryStore(self.name)
        self.api_keys = frozenset(api_keys)
        self.fixtures_dir = fixtures
        self.mount_path = ""
        #: The document actually served (``spec_path`` unless overridden).
        self.spec_file: Path = spec_path or type(self).spec_path
        self.spec: dict[str, Any] = load_document(self.spec_file)
        #: Seed of everything the generic behaviour makes up (``--seed``): same seed, same bodies.
        self.seed = 0

    # -- what each API provides ------------------------------------------------------------

    @abc.abstractmethod
    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        """operationId -> handler callable (Connexion calls it with the request's parameters)."""

    @abc.abstractmethod
    def error_for(self, problem: Problem) -> MockError:
        """Render an engine-detected problem as this API's error."""

    @abc.abstractmethod
    def load_records(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        """Fill the freshly cleared store from validated fixture records (``{}`` starts empty).

        Runs in a unit of work (``self.store.current``). Enforce the API's own invariants
        here (counters that agree, references that exist): raise ``ConfigurationError``.
        """

    def mounted_at(self, path: str) -> None:
        """Called once with the path prefix the API is served under (``""`` at the root)."""
        self.mount_path = path

    def default_prefix(self) -> str:
        """The path the API is served under when alone (``""``: the root)."""
        return ""

    def error_headers(self) -> dict[str, str]:
        """Extra headers for error responses (none by default)."""
        return {}

    # -- shared behaviour --------------------------------------------------------------------

    @functools.cached_property
    def generic(self) -> GenericBehaviour:
        """How every operation without a handler behaves: inferred from the document
        (CRUD on this API's store, else the document's examples; :mod:`mockserver.generic`)."""
        from mockserver.generic.behaviour import GenericBehaviour

        return GenericBehaviour(self)

    def reset(self) -> None:
        """Back to the fixtures: empty the store and load them again, in one unit of work."""
        records = self._fixture_records()
        self.store.run(lambda unit: self._seed(unit, records))

    def start(self) -> bool:
        """Load the fixtures unless the store already holds this API's state; ``True`` if loaded.

        A store that outlives the process (SQLite, Redis) keeps what it holds: a restart, or
        a second worker starting beside the first, must not wipe it. Only an empty store (one
        never seeded, or whose seeding never committed) is seeded, in the same unit of work
        that checks it, so two workers starting at once seed it once.
        """
        records = self._fixture_records()

        def work(unit: UnitOfWork) -> bool:
            if unit.get(STATE_TABLE, "seeded") is not None:
                return False
            self._seed(unit, records)
            return True

        return self.store.run(work)

    def _fixture_records(self) -> dict[str, list[dict[str, Any]]]:
        from mockserver.fixtures import read_fixtures

        return read_fixtures(self, self.fixtures_dir) if self.fixtures_dir is not None else {}

    def _seed(self, unit: UnitOfWork, records: Mapping[str, list[dict[str, Any]]]) -> None:
        unit.clear()
        self.load_records(records)
        unit.put(STATE_TABLE, "seeded", {"fixtures": sorted(records)})


@functools.cache
def available_apis() -> dict[str, str]:
    """API name -> ``"module:Class"``, from every installed distribution's entry points."""
    from importlib.metadata import entry_points

    return {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}


def api_class(name: str) -> type[MockAPI]:
    """The :class:`MockAPI` subclass registered as ``name``."""
    from importlib.metadata import entry_points

    found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not found:
        known = ", ".join(sorted(available_apis())) or "none (is the package installed?)"
        raise ConfigurationError(f"unknown API {name!r}; available: {known}")
    try:
        cls = found[0].load()
    except (ImportError, AttributeError) as exc:
        raise ConfigurationError(f"API {name!r} ({found[0].value}) cannot be loaded: {exc}") from exc
    if not (isinstance(cls, type) and issubclass(cls, MockAPI)):
        raise ConfigurationError(f"{found[0].value} is not a MockAPI subclass")
    return cls
