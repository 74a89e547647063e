"""Attribute trees as HTML, written directly (the hottest part of a large document's pages).

The markup is the same the templates would write (``macros.html.j2`` calls these), built with
plain string joins: a 241-operation document has thousands of attributes, and a recursive
Jinja loop over them costs several times as much.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from mockserver.docs.schemas import Attribute, Place, Variant
from mockserver.docs.text import description, escape_text

__all__ = ["attributes_html", "variants_html"]

Href = Callable[[Place], str]


def attributes_html(items: list[Attribute], href: Href) -> Markup:
    out: list[str] = []
    _attributes(items, href, out)
    return Markup("".join(out))


def variants_html(items: list[Variant], href: Href) -> Markup:
    out: list[str] = []
    _variants(items, href, out)
    return Markup("".join(out))


def _codes(values: list[str]) -> str:
    return ", ".join(f"<code>{escape_text(v)}</code>" for v in values)


def _attributes(items: list[Attribute], href: Href, out: list[str]) -> None:
    # an attribute's line is <b>name</b> <i>type</i> <small>flags</small> right in its <li>
    # (styled as .attrs>li>b...): thousands of attributes, no wrapper element for each
    out.append('<ul class="attrs">')
    for a in items:
        if a.kind == "includes" and a.link is not None:
            out.append(
                f'<li class="inc">Every attribute of <a class="ref" href="{escape(href(a.link[0]))}">'
                f"{escape_text(a.link[1])}</a>, and:</li>"
            )
            continue
        out.append(
            f'<li id="{escape(a.anchor)}"><b>{escape_text(a.name)}</b> <i>{escape_text(a.type)}</i>'
        )
        if a.flags:
            out.append(f" <small>{', '.join(a.flags)}</small>")
        if a.link is not None:
            place, name = a.link
            if place:
                out.append(f' <a class="ref" href="{escape(href(place))}">{escape_text(name)}</a>')
            else:
                out.append(f' <span class="ref">{escape_text(name)}</span>')
        if a.description:
            out.append(description(a.description, bare=True))
        if a.enum:
            out.append(f'<div class="en">One of: {_codes(a.enum)}</div>')
        if a.default is not None:
            out.append(f'<div class="df">Default: <code>{escape_text(a.default)}</code></div>')
        if a.example is not None:
            out.append(f'<div class="df">Example: <code>{escape_text(a.example)}</code></div>')
        if a.limits:
            out.append(
                '<div class="lm">'
                + "".join(f"<span>{escape_text(x)}</span>" for x in a.limits)
                + "</div>"
            )
        if a.children:
            out.append(
                f"<details><summary>{len(a.children)} attributes of {escape_text(a.name)}</summary>"
            )
            _attributes(a.children, href, out)
            out.append("</details>")
        if a.variants:
            out.append(
                f"<details><summary>{len(a.variants)} alternatives for {escape_text(a.name)}</summary>"
            )
            _variants(a.variants, href, out)
            out.append("</details>")
        out.append("</li>")
    out.append("</ul>")


def _variants(items: list[Variant], href: Href, out: list[str]) -> None:
    out.append('<ol class="variants">')
    for v in items:
        out.append(f'<li id="{escape(v.anchor)}">' if v.anchor else "<li>")
        out.append(f"<b>{escape_text(v.title)}</b> <i>{escape_text(v.type)}</i>")
        if v.link:
            out.append(f' <a class="ref" href="{escape(href(v.link))}">{escape_text(v.title)}</a>')
        if v.description:
            out.append(description(v.description, bare=True))
        if v.attributes:
            _attributes(v.attributes, href, out)
        out.append("</li>")
    out.append("</ol>")
