"""``mockserver serve --workers N``: N worker processes answering on one port.

uvicorn's process manager starts the workers (and restarts one that dies); they share the
listening socket, so the kernel spreads connections over them. Each worker is a separate
process that builds the same app from the command line's options: the parent hands them
over in the environment variable :data:`ENV` (an internal format, read only by
:func:`worker_app`), and uvicorn calls :func:`worker_app` in each worker.

Several workers need a state they can share (``--state sqlite:///PATH`` or
``--state redis://HOST:PORT/DB``): with ``memory`` each worker would hold its own copy, and a
client would see an object it created vanish whenever another worker answered.
:func:`refusal` says so. The parent builds the app once before starting the workers, so a
configuration error stops it with a message, and the state is seeded (fixtures loaded into an
empty store) before any worker answers; the workers then find it seeded and keep it.
"""

from __future__ import annotations

import base64
import os
import pickle
from collections.abc import Sequence
from typing import Any

from mockserver.limits import LimitedProtocol, ServerLimits

#: The environment variable carrying the app's options from the parent to its workers.
ENV = "MOCKSERVER_WORKER_OPTIONS"


def refusal(state: str, workers: int) -> str | None:
    """Why ``workers`` workers cannot serve ``state`` (``None``: they can)."""
    if workers > 1 and state.partition(":")[0] == "memory":
        return (
            f"--workers {workers} needs a state the workers can share: with --state memory each "
            "worker process would hold its own copy, and a client would see what it created "
            "vanish whenever another worker answered. Use --state sqlite:///PATH (one host) or "
            "--state redis://HOST:PORT/DB (several hosts), or run one worker."
        )
    return None


def serve(
    apis: Sequence[Any],
    app_options: dict[str, Any],
    limits: ServerLimits,
    *,
    workers: int,
    log_level: str,
    host: str,
    port: int,
) -> None:
    """Run ``workers`` processes, each serving ``create_app(apis, **app_options)``."""
    import uvicorn

    os.environ[ENV] = base64.b64encode(
        pickle.dumps((list(apis), app_options, limits, log_level))
    ).decode()
    options = limits.uvicorn_options()
    # the workers get the protocol by name (a class made here cannot be sent to them);
    # each sets its limits when it builds its app (worker_app)
    options["http"] = f"{LimitedProtocol.__module__}:{LimitedProtocol.__name__}"
    uvicorn.run(
        f"{__name__}:worker_app",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        **options,
    )


def worker_app() -> Any:
    """The app of one worker, built from the options its parent left in :data:`ENV`."""
    from mockserver import collector
    from mockserver.applications import create_app
    from mockserver.serve_cli import configure_logging

    encoded = os.environ.get(ENV)
    if not encoded:
        raise RuntimeError(f"{ENV} is not set: worker_app is started by 'mockserver serve'")
    apis, app_options, limits, log_level = pickle.loads(base64.b64decode(encoded))  # noqa: S301 (our own parent's)
    LimitedProtocol.limits = limits
    configure_logging(log_level)
    app = create_app(apis, **app_options)
    collector.install()
    return app
