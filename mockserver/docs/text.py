"""Text for the pages: CommonMark descriptions, highlighted code, JSON, anchors.

Descriptions in the spec are CommonMark (with GitHub-style tables, which API references
use) rendered by markdown-it (its Rust port); JSON is highlighted by one regular expression, other code
(in descriptions) by Pygments, loaded only when such code appears. The same description
often appears many times in a large document, so renderings are memoised.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Sequence
from typing import Any

import markdown_it_pyrs
import orjson
from markupsafe import Markup

__all__ = [
    "code_html",
    "description",
    "escape_text",
    "inline",
    "json_html",
    "json_text",
    "markdown",
    "markdown_section",
    "parts_html",
    "plain",
    "replace_literals",
    "slug",
    "text_html",
]

# One line of prose whose only markup is `code spans`, **strong words** and underscores inside
# words: its CommonMark rendering is known without parsing (most descriptions of a large
# document are such lines; tests/docs/test_pieces.py checks the shortcut against markdown-it
# on every description of the specs at hand).
_STRONG = r"(?:(?<=^)|(?<= ))\*\*[A-Za-z0-9](?:[A-Za-z0-9 ]*[A-Za-z0-9])?\*\*(?=$|[ .,;:)])"
_SIMPLE = re.compile(
    r"(?:[^`*_\[\]<>&#|\\\n!~]|`[^`\n]+`|(?<=[A-Za-z0-9])_(?=[A-Za-z0-9])|" + _STRONG + ")*"
)
_PIECES = re.compile(r"(`[^`\n]+`|" + _STRONG + ")")


def _escape_html(text: str) -> str:
    """As markdown-it escapes text: ``&``, ``<``, ``>`` and ``"``."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def _simple(text: str) -> str | None:
    """The inline HTML of a simple line (see ``_SIMPLE``), or ``None`` when it is not one."""
    text = text.rstrip(" ")  # a paragraph's final spaces are dropped before inline parsing
    if (
        text != text.strip()
        or not _SIMPLE.fullmatch(text)
        or text[:1] in "-+=>"
        or text[:1].isdigit()
    ):
        return None
    out = []
    for part in _PIECES.split(text):
        if len(part) > 1 and part[0] == part[-1] == "`":
            code = part[1:-1]
            if code.startswith(" ") and code.endswith(" ") and code.strip():
                code = code[1:-1]
            out.append(f"<code>{_escape_html(code)}</code>")
        elif len(part) > 4 and part.startswith("**") and part.endswith("**"):
            out.append(f"<strong>{_escape_html(part[2:-2])}</strong>")
        else:
            out.append(_escape_html(part))
    return "".join(out)


#: CommonMark (the markdown-it rules) with GitHub's tables, by markdown-it.rs: the same
#: output as markdown-it-py (tests/docs/test_pieces.py compares the two on every description
#: of the specs at hand) at a tenth of the time. The raw-HTML rules are off: HTML written in a
#: description is shown as text, never let through.
_RULES = [
    "blockquote",
    "code",
    "fence",
    "heading",
    "hr",
    "lheading",
    "list",
    "paragraph",
    "reference",
    "autolink",
    "backticks",
    "emphasis",
    "entity",
    "escape",
    "image",
    "link",
    "newline",
    "table",
]
_MD = markdown_it_pyrs.MarkdownIt("zero")
_MD.enable_many(_RULES)  # type: ignore[arg-type]  # the stub lists the names as Literals
_FENCE = re.compile(r'<pre><code class="language-([^"]*)">(.*?)</code></pre>', re.S)


def _highlight_fence(match: re.Match[str]) -> str:
    """Fenced JSON is highlighted; other languages are shown as written (descriptions hold
    few, and a lexer per language costs more to load than it adds)."""
    if match.group(1).lower() != "json":
        return match.group(0)
    code = json_html(html.unescape(match.group(2)).rstrip("\n"))
    return f'<pre><code class="language-{match.group(1)}">{code}</code></pre>'


#: A summary read as one line of text: only the paragraph and inline rules (what
#: markdown-it's ``renderInline`` applies).
_INLINE = markdown_it_pyrs.MarkdownIt("zero")
_INLINE.enable_many(
    [
        "paragraph",
        "autolink",
        "backticks",
        "emphasis",
        "entity",
        "escape",
        "image",
        "link",
        "newline",
    ]
)


def _render(text: str) -> str:
    """CommonMark to HTML. Links written in the spec's descriptions carry ``class="sl"``: they
    point wherever their author meant (often the vendor's own site), not into these pages;
    fenced code with a language is highlighted."""
    out: str = _MD.render(text)
    if "<a " in out:  # every <a> here is a Markdown link: raw HTML is never let through
        out = out.replace("<a href=", '<a class="sl" href=')
    if '<pre><code class="language-' in out:
        out = _FENCE.sub(_highlight_fence, out)
    return out


@functools.lru_cache(maxsize=8192)
def markdown(text: str) -> Markup:
    """A CommonMark description as HTML (blocks: paragraphs, lists, tables, code)."""
    if not text:
        return Markup("")
    simple = _simple(text)
    if simple is not None:
        return Markup(f"<p>{simple}</p>\n")
    return Markup(_render(text))


@functools.lru_cache(maxsize=8192)
def description(text: str, bare: bool = False) -> Markup:
    """A description block: ``<p class="d">`` for one paragraph, else a ``<div class="d">``.

    ``bare``: a single paragraph as a plain ``<p>`` (attribute lists style theirs by place).
    """
    out = str(markdown(text)).strip()
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        return Markup(out if bare else f'<p class="d">{out[3:]}')
    return Markup(f'<div class="d">{out}</div>')


@functools.lru_cache(maxsize=8192)
def inline(text: str) -> Markup:
    """A short CommonMark text (a summary) as inline HTML, without the paragraph."""
    if not text:
        return Markup("")
    simple = _simple(text)
    if simple is not None:
        return Markup(simple)
    if "\n\n" not in text.strip():
        out: str = _INLINE.render(text)
        if out.startswith("<p>") and out.endswith("</p>\n"):
            if "<a " in out:
                out = out.replace("<a href=", '<a class="sl" href=')
            return Markup(out[3:-5])
    return Markup(_inline_md().renderInline(text))  # paragraphs: read as one line of text


@functools.cache
def _inline_md() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})

    def mark_links(state: Any) -> None:
        for token in state.tokens:
            for child in token.children or ():
                if child.type == "link_open":
                    child.attrSet("class", "sl")

    md.core.ruler.push("mark_links", mark_links)
    return md


def plain(text: str) -> str:
    """Markdown reduced to plain text (search index, page descriptions)."""
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_#>|]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_LEXERS = {"curl": "bash", "shell": "bash", "sh": "bash", "js": "javascript", "py": "python"}
#: Punctuation that stays inside the span before it (``"a": 1,`` is two spans, not six).
_JOINERS = frozenset({",", ":", ";", "(", ")", "{", "}", "[", "]", "=", ": ", "\\"})


def code_html(code: str, lang: str) -> Markup:
    """``code`` highlighted as compact ``<span>``s (JSON by :func:`json_html`, the rest by
    Pygments' lexer for ``lang``).

    Only keywords, strings, numbers, comments and names get a class (``k``, ``s``, ``m``,
    ``c``, ``n``); whitespace and punctuation join the span they follow, so the markup stays
    a small multiple of the code (documents with large request bodies render big samples).
    """
    if lang == "json":
        return json_html(code.rstrip("\n"))
    return Markup(_highlight(code, lang).rstrip("\n"))


def parts_html(parts: Sequence[tuple[str, str]]) -> Markup:
    """Code made of parts: the language's fixed pieces (highlighted once, then cached),
    ``str`` (a quoted string, shown as one string token) and JSON bodies.

    ``json+N`` is a JSON text indented by N more spaces, ``pyjson+N`` the same as a Python
    literal (``True``); both are highlighted by :func:`json_html`.
    """
    out = []
    for text, lang in parts:
        if lang == "str":
            out.append(_span("s", text))
        elif lang.startswith(("json", "pyjson")):
            out.append(json_html(text))
        else:
            out.append(_fixed(text, lang))
    return Markup("".join(out))


#: A JSON (or Python literal) text's tokens: a string (a key when a colon follows), a
#: number, a literal. Everything else (punctuation, white space) is left as it is.
_JSON_TOKEN = re.compile(
    r'("(?:[^"\\\n]|\\.)*")(?=\s*:)|("(?:[^"\\\n]|\\.)*")'
    r"|((?<![\w.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null|True|False|None)\b"
)
_JSON_CLASS = ("", "n", "s", "m", "k")


def _json_token(match: re.Match[str]) -> str:
    index = match.lastindex or 0
    return f'<span class="{_JSON_CLASS[index]}">{match.group(index)}</span>'


def json_html(text: str) -> Markup:
    """A JSON text (or a Python literal written like one) highlighted: keys ``n``, strings
    ``s``, numbers ``m``, ``true``/``false``/``null`` ``k``. One regular expression over the
    text: many times faster than a lexer on the large bodies of some documents."""
    return Markup(_JSON_TOKEN.sub(_json_token, _escape_text(text)))


@functools.lru_cache(maxsize=1024)
def _fixed(text: str, lang: str) -> str:
    return _highlight(text, lang)


def _highlight(code: str, lang: str) -> str:
    if lang == "text":
        return _escape_text(code)
    from pygments.util import ClassNotFound  # Pygments loads only for code that needs it

    try:
        lexer = _lexer(_LEXERS.get(lang, lang))
    except ClassNotFound:
        return _escape_text(code)
    out: list[str] = []
    current = ""
    buffer: list[str] = []
    for token, value in lexer.get_tokens(code):
        css = _css_class(token)
        if css and css != current:
            if buffer:
                out.append(_span(current, "".join(buffer)))
            current, buffer = css, []
        elif not css and current and value.strip() and value.strip() not in _JOINERS:
            out.append(_span(current, "".join(buffer)))
            current, buffer = "", []
        buffer.append(value)
    if buffer:
        out.append(_span(current, "".join(buffer)))
    return "".join(out)


@functools.cache
def _lexer(name: str) -> Any:
    from pygments.lexers import get_lexer_by_name

    return get_lexer_by_name(name, stripnl=False, ensurenl=False)


_CACHE: dict[Any, str] = {}


def _css_class(token: Any) -> str:
    try:
        return _CACHE[token]
    except KeyError:
        pass
    from pygments.token import Comment, Keyword, Name, Number, String

    classes = (
        (Comment, "c"),
        (String, "s"),
        (Number, "m"),
        (Keyword, "k"),
        (Name.Builtin, "k"),
        (Name.Tag, "n"),
        (Name.Variable, "n"),
        (Name.Attribute, "n"),
    )
    css = next((c for kind, c in classes if token in kind), "")
    _CACHE[token] = css
    return css


def _span(css: str, text: str) -> str:
    escaped = _escape_text(text)
    return f'<span class="{css}">{escaped}</span>' if css else escaped


def escape_text(text: str) -> str:
    """Escaped for an element's content: quotes need no escaping there (JSON is full of them)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_escape_text = escape_text


def text_html(text: str) -> Markup:
    """Plain text (a JSON example) for an element's content."""
    return Markup(escape_text(text))


def replace_literals(text: str, mapping: dict[str, str]) -> str:
    """Replace bare words (JSON's ``true``, Python's ``True``...) outside strings."""
    pattern = _literal_pattern(tuple(mapping))
    return pattern.sub(
        lambda m: mapping.get(m.group(1), m.group(0)) if m.group(1) else m.group(0), text
    )


@functools.cache
def _literal_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r'"(?:[^"\\]|\\.)*"|\b(' + "|".join(map(re.escape, words)) + r")\b")


def json_text(value: Any) -> str:
    """Pretty JSON for examples and samples (two-space indent, non-ASCII kept)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except TypeError:  # what orjson refuses (integers beyond 64 bits, non-string keys)
        return json.dumps(value, indent=2, ensure_ascii=False)


def slug(text: str) -> str:
    """A file- and anchor-safe name: ``Campaign Codes`` -> ``campaign-codes``."""
    value = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return value or "section"


def markdown_section(text: str, word: str) -> str:
    """The section of a Markdown text whose heading mentions ``word`` (up to the next heading)."""
    lines = text.splitlines()
    out: list[str] = []
    level = 0
    for line in lines:
        heading = re.match(r"^(#{1,6})\s+(.*)", line)
        if heading:
            if out and len(heading.group(1)) <= level:
                break
            if not out and word in heading.group(2).lower():
                level = len(heading.group(1))
                continue
        if level:
            out.append(line)
    return "\n".join(out).strip()
