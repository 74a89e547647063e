"""The ``Prefer`` header, as Prism reads it: answer from the document, not the handler.

``Prefer: code=404``         that documented status, with its example (or a body made from
                             its schema);
``Prefer: example=NAME``     that named example (of the status given with ``code``, else of
                             the success response);
``Prefer: dynamic=true``     a body generated from the schema (Faker for formatted strings),
                             a reproducible sequence with ``--seed``.

Preferences combine (``Prefer: code=400, example=missing``; commas or semicolons); others
(``return=minimal``...) are ignored, as RFC 7240 asks. It is read once the request passed
security and validation; the handler never runs and no unit of work is opened, so the
answer changes no state. An undocumented ``code`` or an unknown ``example`` is a 400 in the
API's own format naming the ``Prefer`` header and what the document has. The answer is
validated against the contract like every other response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockserver import generate
from mockserver.exceptions import Problem, ProblemKind
from mockserver.pipeline import generated

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime
    from mockserver.validation import OperationValidator

KNOWN = ("code", "example", "dynamic")


@dataclass(frozen=True)
class Choice:
    """What a ``Prefer`` header asked for, and the answer (or the problem with it)."""

    #: The preferences applied, as ``code=404, example=NAME``.
    label: str
    response: generated.Response | None = None
    problem: Problem | None = None


def parse(header: str) -> dict[str, str]:
    """The preferences of a ``Prefer`` header this module knows (names lower-cased)."""
    found: dict[str, str] = {}
    for part in header.replace(";", ",").split(","):
        name, _, value = part.strip().partition("=")
        name = name.strip().lower()
        if name in KNOWN and name not in found:
            found[name] = value.strip().strip('"')
    return found


def answer(
    runtime: ApiRuntime,
    op: OperationValidator,
    header: str,
    seed: int,
    next_seed: Callable[[], int],
) -> Choice | None:
    """The answer ``header`` asks for (``None``: it asks nothing this module knows).

    ``seed`` makes the static answers (examples, bodies made from a schema's examples and
    defaults); ``next_seed`` gives each dynamic answer its own.
    """
    wanted = parse(header)
    if not wanted:
        return None
    label = ", ".join(f"{name}={value}" for name, value in wanted.items())
    spec_op = generated.operation(runtime, op)
    code: int | None = None
    if "code" in wanted:
        text = wanted["code"]
        documented = list(spec_op.responses)
        if not (text.isdigit() and len(text) == 3 and spec_op.response(int(text)) is not None):
            return Choice(
                label,
                problem=_problem(
                    f"Prefer: code={text} is not a status {op.operation_id} documents; "
                    f"it documents {', '.join(documented) or 'none'}."
                ),
            )
        code = int(text)
    dynamic = wanted.get("dynamic", "false").lower() == "true"
    example = wanted.get("example") or None
    try:
        result = generate.respond(
            spec_op,
            code,
            example=example,
            dynamic=dynamic,
            seed=next_seed() if dynamic else seed,
            now=generated.now(runtime),
        )
    except generate.NoResponse as exc:
        return Choice(label, problem=_problem(f"Prefer: {label}: {exc}."))
    return Choice(label, response=generated.rendered(result))


def _problem(message: str) -> Problem:
    return Problem(ProblemKind.INVALID_PARAMETER, message, "Prefer", "header")
