"""``mockserver inspect FILE``: what the generic plug-in infers from a document, and why."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mockserver.exceptions import ConfigurationError
from mockserver.generic.inference import Inference, Resource, infer

__all__ = ["describe", "inspect_command"]

_ACTION_ORDER = ("create", "list", "retrieve", "replace", "update", "delete")


@click.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def inspect_command(spec: Path) -> None:
    """Print what `serve --spec SPEC` infers: resources, their operations, id fields, list
    envelopes, and every operation left to the document's examples, with the reason."""
    from mockserver.spec import load

    try:
        inference = infer(load(spec))
    except ConfigurationError as exc:
        click.echo(f"mockserver: cannot read {spec}: {exc}", err=True)
        sys.exit(2)
    click.echo(describe(inference))


def describe(inference: Inference) -> str:
    """The inference as text (what ``mockserver inspect`` prints)."""
    document = inference.document
    lines = [
        f"{document.title or 'untitled'} {document.version} (OpenAPI {document.openapi}): "
        f"{len(document.operations)} operations, {len(inference.resources)} resources "
        f"({len(inference.actions)} operations), {len(inference.left)} answered from examples",
    ]
    for resource in inference.resources:
        lines.append("")
        lines.extend(_resource(resource))
    if inference.left:
        lines.append("")
        lines.append("answered from the document's examples (else generated from the schema):")
        for op in document.operations:
            key = op.id or f"{op.method} {op.path}"
            if key in inference.left:
                lines.append(f"  {op.label}  ({key}): {inference.left[key]}")
    return "\n".join(lines)


def _resource(resource: Resource) -> list[str]:
    from mockserver.generic.lists import CURSORS, LIMITS, OFFSETS, PAGES  # Faker: only when run

    lines = [f"resource {resource.name}"]
    lines.append(f"  collection: {resource.collection or '-'}    item: {resource.item or '-'}")
    if resource.scope_params:
        parent = f"resource {resource.parent.name}" if resource.parent else "no inferred resource"
        lines.append(f"  scoped by: {', '.join(resource.scope_params)} in the path ({parent})")
    schema = resource.schema
    lines.append(f"  schema: {schema.ref_name or 'inline' if schema is not None else '-'}")
    lines.append(f"  id: {_id(resource)}")
    if resource.unique:
        lines.append(f"  unique: {', '.join(resource.unique)} (409 where the create documents it)")
    if resource.envelope is not None:
        listing = resource.operations["list"]
        query = [p.name for p in listing.parameters_in("query")]
        paging = [n for n in query if n in (*LIMITS, *PAGES, *OFFSETS, *CURSORS)]
        properties = resource.envelope.item_schema.object_properties()[0] if resource.envelope.item_schema else {}
        filters = [n for n in query if n not in paging and n in properties]
        lines.append(
            f"  list: {resource.envelope.describe()}; pagination: {', '.join(paging) or 'none'}; "
            f"filters: {', '.join(filters) or 'none'}"
        )
    for action in _ACTION_ORDER:
        op = resource.operations.get(action)
        if op is not None:
            lines.append(f"  {action:<8} {op.label}  ({op.id or '-'})")
    return lines


def _id(resource: Resource) -> str:
    schema = resource.id_schema
    where = f"property {resource.id_field!r}" if resource.id_field else "in the URL only"
    param = f"path {{{resource.id_param}}}" if resource.id_param else "no item path"
    if schema is None:
        kind = "string"
    elif schema.type in ("integer", "number"):
        kind = "integer sequence"
    elif schema.format == "uuid":
        kind = "uuid"
    elif schema.pattern:
        kind = f"string matching {schema.pattern}"
    else:
        kind = f"{schema.type or 'string'}{f' ({schema.format})' if schema.format else ''}"
    who = "the client's if it sends one, else " if resource.client_ids else ""
    return f"{where}, {param}: {who}{kind}"
