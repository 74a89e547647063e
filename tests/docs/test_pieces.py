"""The generator's pieces on small documents written here: types and rules in words, the
order samples run in, values from schemas, the three samples, highlighting, CommonMark,
and each named schema expanded once."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from markdown_it import MarkdownIt

from mockserver.docs.calls import Call, credentials, kind, plan_order, sample_value
from mockserver.docs.samples import samples
from mockserver.docs.schemas import SchemaIndex, limits_text, type_label
from mockserver.docs.text import (
    code_html,
    description,
    inline,
    markdown,
    parts_html,
    replace_literals,
)
from mockserver.spec import MISSING, Document, Schema, load


def _schema(raw: dict[str, Any], components: dict[str, Any] | None = None) -> Schema:
    document = load(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {"schemas": {"Root": raw, **(components or {})}},
        }
    )
    return document.schema("Root")


@pytest.mark.parametrize(
    ("raw", "label", "limits"),
    [
        ({"type": "integer", "minimum": 1, "maximum": 100}, "integer", ["1 to 100"]),
        (
            {"type": "integer", "minimum": 0, "exclusiveMinimum": True},
            "integer",
            ["greater than 0"],
        ),
        (
            {"type": "string", "maxLength": 64, "pattern": "^cmp_"},
            "string",
            ["at most 64 characters", "pattern ^cmp_"],
        ),
        ({"type": "string", "format": "date-time"}, "string (date-time)", []),
        ({"type": "string", "enum": ["a", "b"]}, "enum", []),
        (
            {"type": "array", "items": {"type": "string", "maxLength": 5}, "maxItems": 3},
            "array of strings",
            ["at most 3 items", "items: at most 5 characters"],
        ),
        (
            {
                "type": "object",
                "additionalProperties": {"type": "string", "maxLength": 500},
                "maxProperties": 50,
            },
            "map of string",
            ["at most 50 keys", "values: at most 500 characters"],
        ),
        ({"oneOf": [{"type": "string"}, {"type": "integer"}]}, "string or integer", []),
        (
            {"allOf": [{"type": "integer", "minimum": 0}], "description": "wrapped"},
            "integer",
            ["at least 0"],
        ),
    ],
)
def test_types_and_rules_in_words(raw: dict[str, Any], label: str, limits: list[str]) -> None:
    schema = _schema(raw)
    assert type_label(schema) == label
    assert limits_text(schema) == limits


def test_operations_run_creates_first_and_deletes_last() -> None:
    def op(summary: str) -> dict[str, Any]:
        return {
            "summary": summary,
            "operationId": summary,
            "tags": [summary.split("_")[1]],
            "responses": {"200": {"description": "ok"}},
        }

    document = load(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "tags": [{"name": "a"}, {"name": "b"}],
            "paths": {
                "/a/{id}": {"get": op("get_a"), "delete": op("delete_a"), "post": op("update_a")},
                "/a": {"get": op("list_a"), "post": op("create_a")},
                "/a/{id}/enable": {"post": op("enable_a")},
                "/b/{id}": {"delete": op("delete_b"), "put": op("update_b")},
                "/b": {"post": op("create_b")},
            },
        }
    )
    assert [kind(o) for o in document.operations] == [
        "retrieve",
        "update",
        "delete",
        "list",
        "create",
        "action",
        "update",
        "delete",
        "create",
    ]
    assert [o.id for o in plan_order(document)] == [
        "create_a",
        "list_a",
        "get_a",
        "update_a",
        "enable_a",
        "create_b",
        "update_b",
        "delete_b",
        "delete_a",
    ]


def test_values_from_schemas() -> None:
    schema = _schema(
        {
            "type": "object",
            "required": ["name", "kind", "count", "tags", "child", "id"],
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "name": {"type": "string", "example": "Rex"},
                "kind": {"type": "string", "enum": ["dog", "cat"]},
                "count": {"type": "integer", "minimum": 3},
                "tags": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "child": {"$ref": "#/components/schemas/Child"},
                "optional": {"type": "string"},
            },
        },
        {
            "Child": {
                "type": "object",
                "required": ["ok"],
                "properties": {"ok": {"type": "boolean", "default": False}},
            }
        },
    )
    assert sample_value(schema) == {
        "name": "Rex",
        "kind": "dog",
        "count": 3,
        "tags": ["string"],
        "child": {"ok": False},
    }


def _call(document: Document, body: Any = MISSING) -> Call:
    op = document.operations[0]
    headers, query = credentials(document, op)
    headers["Content-Type"] = "application/json"
    return Call(op, op.method, "/v1/things", [*query, ("limit", "3")], headers, body)


def test_the_three_samples_send_the_same_request() -> None:
    document = load(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "security": [{"app": [], "token": []}],
            "components": {
                "securitySchemes": {
                    "app": {"type": "apiKey", "in": "header", "name": "X-App-Id"},
                    "token": {"type": "apiKey", "in": "query", "name": "token"},
                }
            },
            "paths": {"/v1/things": {"post": {"responses": {"200": {"description": "ok"}}}}},
        }
    )
    call = _call(document, {"name": "it's", "ok": True, "none": None, "n": [1, 2.5]})
    curl, python, javascript = samples(call, "http://127.0.0.1:8000/")
    assert curl.code.startswith(
        "curl -X POST 'http://127.0.0.1:8000/v1/things?token=sk_test_docs&limit=3' \\\n  -H 'X-App-Id: sk_test_docs'"
    )
    assert '-d \'{\n  "name": "it\'"\'"\'s"' in curl.code  # the shell's own quoting for a quote
    assert (
        '"ok": True,' in python.code
        and '"none": None,' in python.code
        and "httpx.request(" in python.code
    )
    assert '"Content-Type"' not in python.code  # httpx sets it for json=
    assert "body: JSON.stringify({" in javascript.code and '"ok": true' in javascript.code
    for sample in (curl, python, javascript):
        rendered = str(parts_html(sample.parts))
        assert html.unescape(re.sub(r"<[^>]+>", "", rendered)) == sample.code
        assert '<span class="s">' in rendered


def test_highlighting_and_commonmark() -> None:
    code = str(code_html('x = {"a": 1}  # note', "python"))
    assert '<span class="c"># note</span>' in code and '<span class="m">1' in code
    assert (
        replace_literals('{"true": true, "s": "null"}', {"true": "True", "null": "None"})
        == '{"true": True, "s": "null"}'
    )
    table = str(markdown("| a | b |\n|---|---|\n| `x` | 1 |"))
    assert "<table>" in table and "<code>x</code>" in table
    fenced = str(markdown('```json\n{"a": true}\n```'))
    assert '<span class="k">true' in fenced
    assert str(markdown("a < b & c")) == "<p>a &lt; b &amp; c</p>\n"
    assert str(markdown("Plain, one line.")) == MarkdownIt("commonmark").render("Plain, one line.")
    assert str(description("One line.")) == '<p class="d">One line.</p>'
    assert str(description("One.\n\nTwo.")).startswith('<div class="d"><p>One.</p>')
    assert 'class="sl"' in str(markdown("[site](/elsewhere)"))
    assert "<script>" not in str(
        markdown("<script>alert(1)</script>")
    )  # raw HTML is not let through


def test_each_named_schema_is_expanded_once_and_linked_after() -> None:
    big = {
        "type": "object",
        "properties": {
            f"p{i}": {"type": "object", "properties": {"x": {"type": "string"}}} for i in range(6)
        },
    }
    document = load(
        {
            "openapi": "3.0.3",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {
                "schemas": {
                    "Root": {
                        "type": "object",
                        "properties": {
                            "a": {"$ref": "#/components/schemas/Big"},
                            "self": {"$ref": "#/components/schemas/Root"},
                        },
                    },
                    "Other": {
                        "type": "object",
                        "properties": {"b": {"$ref": "#/components/schemas/Big"}},
                    },
                    "Big": big,
                }
            },
        }
    )
    index = SchemaIndex()
    (a, recursive), _ = index.tree(document.schema("Root"), "page", "root")
    assert len(a.children) == 6 and a.link is None  # expanded where first shown
    assert recursive.link == (("page", "root"), "Root")  # a cycle links back, never loops
    (b,), _ = index.tree(document.schema("Other"), "other", "elsewhere")
    assert b.children == [] and b.link == (("page", "root-a"), "Big")  # shown once, linked after


def test_the_shortcut_for_simple_lines_renders_as_markdown_it_does() -> None:
    from mockserver.docs.text import _MD, _simple

    from .conftest import OFFICIAL_SPEC, ROOT

    texts: set[str] = {
        "a `b` c",
        "` x `",
        "snake_case and `co_de`",
        "_emph_",
        "x__y",
        "1. item",
        'it\'s "quoted" & <b>',
        "a **b** c",
        "**GET** `/v1`.",
        "a**b**c",
        "** x **",
        "(**a**)",
        "**a**b",
        "trailing  ",
    }

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary") and isinstance(value, str):
                    texts.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    specs = [
        ROOT / "mockserver" / "apis" / name / "openapi.yaml" for name in ("vinr", "voucherify")
    ]
    specs += [OFFICIAL_SPEC] if OFFICIAL_SPEC.is_file() else []
    for spec in specs:
        walk(load(spec).raw)
    shortcut = 0
    for text in texts:
        simple = _simple(text)
        if simple is not None:
            shortcut += 1
            assert f"<p>{simple}</p>\n" == _MD.render(text), text
    assert shortcut > len(texts) / 3


def test_descriptions_render_as_markdown_it_py_renders_them() -> None:
    """markdown-it.rs (what the pages use) against markdown-it-py, the reference, with links
    marked as the spec's own and raw HTML shown as text, on every description and summary of
    the specs at hand; code blocks compare by their text (ours highlight fenced code)."""
    from .conftest import OFFICIAL_SPEC, ROOT

    reference = MarkdownIt("commonmark", {"html": False}).enable("table")
    texts: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary") and isinstance(value, str):
                    texts.add(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    specs = [
        ROOT / "mockserver" / "apis" / name / "openapi.yaml" for name in ("vinr", "voucherify")
    ]
    specs += [OFFICIAL_SPEC] if OFFICIAL_SPEC.is_file() else []
    for spec in specs:
        walk(load(spec).raw)
    texts |= {"<script>alert(1)</script>", "[a](/b 'c') <https://x.y> ![i](/i.png)", "# H\n\n- a"}

    def code_text(found: re.Match[str]) -> str:
        return "<pre><code>" + html.unescape(re.sub(r"<[^>]+>", "", found.group(2))).rstrip("\n")

    def normal(rendered: str) -> str:
        rendered = rendered.replace(' class="sl"', "")
        return re.sub(
            r"<pre><code( class=\"[^\"]*\")?>(.*?)(?=</code></pre>)",
            code_text,
            rendered,
            flags=re.S,
        )

    links = 0
    for text in texts:
        ours = str(markdown(text))
        assert normal(ours) == normal(reference.render(text)), text
        links += ours.count('<a class="sl" href=')
        assert ours.count("<a ") == ours.count('<a class="sl" href=')
        if "```" not in text:  # a summary, inline: what markdown-it-py's renderInline writes
            expected = normal(reference.renderInline(text)).strip()
            assert normal(str(inline(text))).strip() == expected, text
    assert links > 50 and len(texts) > (3000 if OFFICIAL_SPEC.is_file() else 300)
