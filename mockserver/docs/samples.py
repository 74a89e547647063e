"""Code samples (curl, Python with httpx, JavaScript with fetch) generated from one request.

Every sample is made from the same :class:`~mockserver.docs.calls.Call`, the request the
build ran against the mock, so the three languages always send the same thing and the
response shown beside them is the one that request got.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any

from mockserver.docs.calls import Call
from mockserver.docs.text import json_text, replace_literals
from mockserver.spec import MISSING

__all__ = ["LANGUAGES", "Sample", "samples"]

#: (key, label, Pygments lexer, Markdown fence) of each language, in the switcher's order.
LANGUAGES = (
    ("curl", "curl", "bash", "sh"),
    ("python", "Python", "python", "python"),
    ("javascript", "JavaScript", "javascript", "javascript"),
)


@dataclass(frozen=True)
class Sample:
    language: str
    label: str
    lexer: str
    fence: str
    #: (text, lexer) pieces: the code around a JSON body is lexed as the language, the
    #: body highlighted as JSON (one regular expression, fast on large bodies).
    parts: tuple[tuple[str, str], ...]

    @property
    def code(self) -> str:
        return "".join(text for text, _ in self.parts)


def samples(call: Call, base_url: str) -> list[Sample]:
    url = base_url.rstrip("/") + call.url_path
    parts = {
        "curl": curl(call, url),
        "python": python(call, url),
        "javascript": javascript(call, url),
    }
    return [
        Sample(key, label, lexer, fence, tuple(parts[key]))
        for key, label, lexer, fence in LANGUAGES
    ]


Parts = list[tuple[str, str]]

# Each sample is cut into the language's fixed pieces (the same in every sample, so highlighted
# once; curl's are plain text), quoted strings (URL, headers: always a string token) and the JSON
# body (text.json_html). The HTML pages show only the curl sample; docs.js writes the other two
# from it, as python() and javascript() below do (tests/docs/test_browser.py compares them).


def curl(call: Call, url: str) -> Parts:
    parts: Parts = [
        ("curl -X " + call.method.upper() + " " if call.method != "get" else "curl ", "text")
    ]
    parts.append((shlex.quote(url), "str"))
    for name, value in call.headers.items():
        parts += [(" \\\n  -H ", "text"), (shlex.quote(f"{name}: {value}"), "str")]
    if call.body is MISSING:
        return parts
    body = json_text(call.body)
    if "'" in body:  # rare: the shell's own quoting
        return [*parts, (" \\\n  -d ", "text"), (shlex.quote(body), "str")]
    return [*parts, (" \\\n  -d ", "text"), ("'", "text"), (body, "json"), ("'", "text")]


def _py(value: Any, indent: int) -> str:
    """A JSON value as a Python literal (``true`` -> ``True``), shifted right by ``indent``."""
    text = replace_literals(json_text(value), _PYTHON)
    return text.replace("\n", "\n" + " " * indent)


_PYTHON = {"true": "True", "false": "False", "null": "None"}


def python(call: Call, url: str) -> Parts:
    headers = {
        k: v for k, v in call.headers.items() if k.lower() != "content-type" or call.body is MISSING
    }
    parts: Parts = [
        ("import httpx\n\nresponse = httpx.request(\n    ", "python"),
        (json.dumps(call.method.upper()), "str"),
        (",\n    ", "python"),
        (json.dumps(url), "str"),
        (",\n", "python"),
    ]
    if headers:
        parts += [("    headers=", "python"), (_py(headers, 4), "pyjson+4"), (",\n", "python")]
    if call.body is not MISSING:
        parts += [("    json=", "python"), (_py(call.body, 4), "pyjson+4"), (",\n", "python")]
    return [*parts, (")\nprint(response.status_code, response.json())", "python")]


def javascript(call: Call, url: str) -> Parts:
    parts: Parts = [
        ("const response = await fetch(", "javascript"),
        (json.dumps(url), "str"),
        (", {\n  method: ", "javascript"),
        (json.dumps(call.method.upper()), "str"),
        (",\n", "javascript"),
    ]
    if call.headers:
        headers = json_text(call.headers).replace("\n", "\n  ")
        parts += [("  headers: ", "javascript"), (headers, "json+2"), (",\n", "javascript")]
    if call.body is not MISSING:
        body = json_text(call.body).replace("\n", "\n  ")
        parts += [
            ("  body: JSON.stringify(", "javascript"),
            (body, "json+2"),
            ("),\n", "javascript"),
        ]
    return [*parts, ("});\nconsole.log(response.status, await response.json());", "javascript")]
