"""Attribute trees as HTML, written directly (the hottest part of a large document's pages).

The markup is the same the templates would write (``macros.html.j2`` calls these), built with
plain string joins: a 241-operation document has thousands of attributes, and a recursive
Jinja loop over them costs several times as much.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from mockserver.docs.schemas import Attribute, Place, Variant
from mockserver.docs.text import description

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
    return ", ".join(f"<code>{escape(v)}</code>" for v in values)


def _attributes(items: list[Attribute], href: Href, out: list[str]) -> None:
    out.append('<ul class="attrs">')
    for a in items:
        if a.kind == "includes" and a.link is not None:
            out.append(
                f'<li class="inc">Every attribute of <a class="ref" href="{escape(href(a.link[0]))}">'
                f"{escape(a.link[1])}</a>, and:</li>"
            )
            continue
        out.append(
            f'<li id="{escape(a.anchor)}"><div class="an"><b>{escape(a.name)}</b> <i>{escape(a.type)}</i>'
        )
        if a.flags:
            out.append(f" <small>{', '.join(a.flags)}</small>")
        if a.link is not None:
            place, name = a.link
            if place:
                out.append(f' <a class="ref" href="{escape(href(place))}">{escape(name)}</a>')
            else:
                out.append(f' <span class="ref">{escape(name)}</span>')
        out.append("</div>")
        if a.description:
            out.append(description(a.description))
        if a.enum:
            out.append(f'<div class="en">One of: {_codes(a.enum)}</div>')
        if a.default is not None:
            out.append(f'<div class="df">Default: <code>{escape(a.default)}</code></div>')
        if a.example is not None:
            out.append(f'<div class="df">Example: <code>{escape(a.example)}</code></div>')
        if a.limits:
            out.append(
                '<div class="lm">'
                + "".join(f"<span>{escape(x)}</span>" for x in a.limits)
                + "</div>"
            )
        if a.children:
            out.append(
                f"<details><summary>{len(a.children)} attributes of {escape(a.name)}</summary>"
            )
            _attributes(a.children, href, out)
            out.append("</details>")
        if a.variants:
            out.append(
                f"<details><summary>{len(a.variants)} alternatives for {escape(a.name)}</summary>"
            )
            _variants(a.variants, href, out)
            out.append("</details>")
        out.append("</li>")
    out.append("</ul>")


def _variants(items: list[Variant], href: Href, out: list[str]) -> None:
    out.append('<ol class="variants">')
    for v in items:
        out.append(f'<li id="{escape(v.anchor)}">' if v.anchor else "<li>")
        out.append(f'<div class="an"><b>{escape(v.title)}</b> <i>{escape(v.type)}</i>')
        if v.link:
            out.append(f' <a class="ref" href="{escape(href(v.link))}">{escape(v.title)}</a>')
        out.append("</div>")
        if v.description:
            out.append(description(v.description))
        if v.attributes:
            _attributes(v.attributes, href, out)
        out.append("</li>")
    out.append("</ol>")
