"""`mockserver docs`: the pages carry the seed pages' content, every operation has its section,
every link resolves, every example ran, and a sample that answers other than documented fails
the build naming its operation."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag

import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from mockserver.applications import create_app
from mockserver.docs.build import Built, Target, build_target
from mockserver.docs.cli import docs_command
from mockserver.spec import load

from .conftest import OFFICIAL_SPEC, ROOT

VINR_SPEC = ROOT / "mockserver" / "apis" / "vinr" / "openapi.yaml"


class _Links(HTMLParser):
    """Every ``id`` and every ``href`` of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        #: Links the spec's descriptions carry (``class="sl"``): their author's, not ours.
        self.authored: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "a" and found.get("href"):
            (self.authored if found.get("class") == "sl" else self.hrefs).append(str(found["href"]))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, anchor: str) -> str:
    match = re.search(
        rf'<section class="[^"]*" id="{re.escape(anchor)}">(.*?)</section>', html, re.S
    )
    assert match, f"no section #{anchor}"
    return match.group(1)


# -- the seed pages ---------------------------------------------------------------------------


SEED_PAGES = {
    # page: (summary line, object attributes, operations, update params, list params,
    #        immutable fields, events) as seeds 000 and 003 name them
    "campaigns": (
        "Create, retrieve, update, delete, and list marketing campaigns.",
        ["id", "name", "type", "starts_at", "ends_at", "active", "redemption_count", "created"],
        [
            "Create a campaign",
            "Retrieve a campaign",
            "Update a campaign",
            "Delete a campaign",
            "List campaigns",
        ],
        ("updateCampaign", ["name", "ends_at", "active"]),
        "listCampaigns",
        ["type"],
        ["campaign.created", "campaign.updated", "campaign.ended"],
    ),
    "offers": (
        "Create, retrieve, update, delete, and list targeted promotional offers.",
        ["id", "name", "type", "value", "criteria", "active", "starts_at", "ends_at", "created"],
        [
            "Create an offer",
            "Retrieve an offer",
            "Update an offer",
            "Delete an offer",
            "List offers",
        ],
        ("updateOffer", ["active", "ends_at"]),
        "listOffers",
        ["type", "value", "criteria"],
        ["offer.created", "offer.updated", "offer.ended"],
    ),
}


@pytest.mark.parametrize("page", sorted(SEED_PAGES))
def test_resource_pages_carry_everything_the_seed_pages_name(
    built_docs: tuple[Path, list[Built]], page: str
) -> None:
    out, _ = built_docs
    summary, attributes, operations, (update, update_params), listing, immutable, events = (
        SEED_PAGES[page]
    )
    html = (out / "vinr" / f"{page}.html").read_text(encoding="utf-8")
    markdown = (out / "vinr" / f"{page}.md").read_text(encoding="utf-8")
    text = _text(html)
    assert summary in text and summary in markdown
    for attribute in attributes:
        assert f'id="{page}-object-{attribute}"' in html, attribute
        assert f"`{attribute}`" in markdown
    for title in operations:
        assert f">{title}</a></h2>" in html and f"## {title}" in markdown
    for name in update_params:
        assert f'id="{update}-body-{name}"' in html, name
    # list: `active` and `limit` (default 10, max 100)
    listing_html = _section(html, listing)
    limit = re.search(rf'<tr id="{listing}-query-limit">(.*?)</tr>', listing_html, re.S)
    assert limit and "Default: <code>10</code>" in limit.group(1) and "1 to 100" in limit.group(1)
    assert f'id="{listing}-query-active"' in listing_html
    assert re.search(r"\| `limit` \| query \| integer \| no \| `10` \| 1 to 100 \|", markdown)
    # the immutable fields are named in the update's description, as a rule
    update_text = _text(_section(html, update))
    assert "immutable" in update_text or "cannot change" in update_text
    for field in immutable:
        assert f"{field}" in update_text
    # related events, declared in the spec (x-events), each linking the Event types page
    related = _section(html, f"{page}-events")
    for event in events:
        assert f'href="event-types.html#event-{event.replace(".", "-")}"' in related, event
        assert f"`{event}`" in markdown
    # seed 003: an offer's value is null for bogo and in the smallest currency unit
    if page == "offers":
        value = _text(re.search(r'<li id="offers-object-value">(.*?)</li>', html, re.S).group(1))  # type: ignore[union-attr]
        assert "nullable" in value and "bogo" in value and "smallest currency unit" in value
        ends_at = _text(
            re.search(r'<li id="offers-object-ends_at">(.*?)</li>', html, re.S).group(1)
        )  # type: ignore[union-attr]
        assert "nullable" in ends_at and "open-ended" in ends_at


def test_every_operation_has_its_section_anchor_samples_and_executed_response(
    built_docs: tuple[Path, list[Built]],
) -> None:
    out, results = built_docs
    for built in results:
        site = built.site
        # not executed: only what the spec says the mock does not serve (x-not-served, its
        # 501 documented) and bodies the samples cannot send (multipart forms), each said why
        skipped = {c.operation.id: c.note for c in site.calls if not c.executed}
        not_served = {op.id for op in site.document.operations if op.raw.get("x-not-served")}
        assert {i for i, note in skipped.items() if "does not implement" in note} == not_served
        assert all(
            "does not implement" in note or "multipart/form-data" in note for note in skipped.values()
        ), skipped
        assert site.counts["executed"] == len(site.document.operations) - len(skipped) > 0
        pages = {page.slug: page for page in site.pages}
        for op in site.document.operations:
            if op.id in skipped:
                continue
            assert op.id
            [page] = [p for p in pages.values() if any(v.op is op for v in p.operations)]
            html = (out / built.name / f"{page.slug}.html").read_text(encoding="utf-8")
            section = _section(html, op.id)
            assert f"<code>{op.path}</code>" in section
            assert section.count('class="sample') == 3  # curl, Python, JavaScript
            assert ">executed</span>" in section
            markdown = (out / built.name / f"{page.slug}.md").read_text(encoding="utf-8")
            assert f'<a id="{op.id}"></a>' in markdown
        manifest = json.loads((out / built.name / "examples.json").read_text(encoding="utf-8"))
        ran = [m["order"] for m in manifest if m["executed"]]
        assert ran == sorted(ran)
        assert all(200 <= m["status"] < 300 for m in manifest if m["executed"])


def test_samples_run_in_an_order_that_makes_ids_exist(built_docs: tuple[Path, list[Built]]) -> None:
    _, results = built_docs
    calls = {c.operation.id: c for c in results[0].site.calls}
    order = {name: call.order for name, call in calls.items()}
    assert order["createCampaign"] < order["retrieveCampaign"] < order["deleteCampaign"]
    assert max(order[n] for n in order if not n.startswith("delete")) < min(
        order[n] for n in order if n.startswith("delete")
    )
    # ids that exist in the fixtures; events exist once something happened
    assert calls["retrieveCampaign"].path == "/v1/campaigns/cmp_6Eg4rSWelcome"
    assert calls["retrieveEvent"].path.startswith("/v1/events/evt_")
    assert calls["retrieveCampaign"].response["id"] == "cmp_6Eg4rSWelcome"


def test_every_internal_link_and_anchor_resolves(built_docs: tuple[Path, list[Built]]) -> None:
    out, _ = built_docs
    pages = {path: _parse(path) for path in out.rglob("*.html")}
    checked = 0
    for path, parsed in pages.items():
        for href in parsed.hrefs:
            if href.startswith(("http:", "https:", "mailto:")):
                continue
            target, fragment = urldefrag(href)
            target_path = (path.parent / unquote(target)).resolve() if target else path
            assert target_path in pages, f"{path.name}: link to missing page {href}"
            if fragment:
                assert unquote(fragment) in pages[target_path].ids, (
                    f"{path.name}: no #{fragment} in {target}"
                )
            checked += 1
    assert checked > 500
    markdown = {path: path.read_text(encoding="utf-8") for path in out.rglob("*.md")}
    anchors = {
        path: set(re.findall(r'<a id="([^"]+)"></a>', text)) for path, text in markdown.items()
    }
    for path, text in markdown.items():
        for target, fragment in re.findall(r"\]\(([^)#\s]*\.md)?(?:#([^)\s]+))?\)", text):
            target_path = (path.parent / target).resolve() if target else path
            assert target_path in markdown, f"{path.name}: link to missing {target}"
            if fragment:
                assert fragment in anchors[target_path], f"{path.name}: no #{fragment} in {target}"


def test_markdown_twins_llms_txt_events_and_errors(built_docs: tuple[Path, list[Built]]) -> None:
    out, _ = built_docs
    vinr = out / "vinr"
    for html in vinr.glob("*.html"):
        assert html.with_suffix(".md").is_file(), html.name
    llms = (vinr / "llms.txt").read_text(encoding="utf-8")
    assert llms.startswith("# VINR Promotions API\n") and "- [Campaigns](campaigns.md)" in llms
    assert "[Create a campaign](campaigns.md#createCampaign)" in llms
    events = (vinr / "event-types.html").read_text(encoding="utf-8")
    spec = load(VINR_SPEC)
    for name in spec.events:
        assert f'id="event-{name.replace(".", "-")}"' in events
    assert 'href="campaigns.html#createCampaign"' in events  # emitted by
    # a real payload of the type, emitted by the mock while the samples ran
    created = events[
        events.index('id="event-campaign-created"') : events.index('id="event-campaign-updated"')
    ]
    assert "Emitted by the mock while these pages were built" in created
    assert '"type": "campaign.created"' in created
    errors = _text((vinr / "errors.html").read_text(encoding="utf-8"))
    for word in (
        "invalid_request_error",
        "authentication_error",
        "parameter_missing",
        "campaign_ended",
        "404",
    ):
        assert word in errors
    # descriptions are CommonMark: the spec's tables and code spans render as HTML
    index = (vinr / "index.html").read_text(encoding="utf-8")
    assert "<table>" in index and "<code>cmp_</code>" in index


def test_a_sample_answering_other_than_documented_fails_the_build(tmp_path: Path) -> None:
    spec = yaml.safe_load(VINR_SPEC.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["CampaignUpdateParams"]["example"]["ends_at"] = (
        1  # before starts_at
    )
    broken = tmp_path / "vinr.yaml"
    broken.write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = CliRunner().invoke(
        docs_command,
        [
            "--api",
            "vinr",
            "--spec",
            str(broken),
            "--out",
            str(tmp_path / "out"),
            "--format",
            "markdown",
        ],
    )
    assert result.exit_code == 1, result.output
    assert (
        "updateCampaign (POST /v1/campaigns/cmp_6Eg4rSWelcome): the sample answered 400"
        in result.output
    )
    assert "parameter_invalid" in result.output
    # --keep-going shows it on the page instead
    result = CliRunner().invoke(
        docs_command,
        [
            "--api",
            "vinr",
            "--spec",
            str(broken),
            "--out",
            str(tmp_path / "kept"),
            "--format",
            "markdown",
            "--keep-going",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 samples answered other than documented" in result.output
    assert "the sample answered 400" in (tmp_path / "kept" / "campaigns.md").read_text(
        encoding="utf-8"
    )


def test_a_spec_without_an_api_shows_its_own_examples(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        docs_command,
        ["--spec", str(VINR_SPEC), "--out", str(tmp_path), "--single-file", "--format", "html"],
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "vinr-promotions-api.html").read_text(encoding="utf-8")
    assert "not executed" in html and 'id="createCampaign"' in html
    assert '<link rel="stylesheet"' not in html and "<script src" not in html  # self-contained


@pytest.mark.skipif(not OFFICIAL_SPEC.is_file(), reason=f"{OFFICIAL_SPEC} is not there")
def test_the_official_voucherify_document_renders_completely() -> None:
    built = build_target(
        Target("voucherify", OFFICIAL_SPEC),
        single_file=True,
        keep_going=True,
        formats=("html", "markdown"),
    )
    document = built.site.document
    assert len(document.operations) == 241
    html = built.files["voucherify.html"]
    parsed = _Links()
    parsed.feed(html)
    for op in document.operations:
        assert op.id in parsed.ids, op.id
    for href in parsed.hrefs:
        assert href.startswith("#") and href[1:] in parsed.ids, href
    assert parsed.authored  # the vendor's links to its own site, kept as written
    counts = built.site.counts
    # the seven campaign operations the mock implements ran; the others show the vendor's example
    assert counts["executed"] >= 6 and counts["not_executed"] == 241 - counts["executed"]
    assert html.count(">not executed</span>") == counts["not_executed"]
    for call in built.site.calls:
        if call.problem:  # the vendor's own example, rejected by its own schema (400) or
            # naming an object the mock's fixtures do not hold (404)
            assert call.problem.startswith(call.operation.name), call.problem
            assert re.search(r"answered 40[04]", call.problem), call.problem
    assert len([f for f in built.files if f.endswith(".md")]) == len(built.site.pages)


def test_the_running_mock_serves_the_docs() -> None:
    app = create_app(["vinr"])
    with TestClient(app) as client:
        assert client.get("/docs", follow_redirects=False).headers["location"] == "/docs/"
        page = client.get("/docs/campaigns.html")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'curl -X POST <span class="s">http://testserver/v1/campaigns</span>' in page.text
        assert client.get("/docs/campaigns.md").headers["content-type"].startswith("text/markdown")
        assert client.get("/docs/assets/docs.js").status_code == 200
        assert client.get("/docs/nope.html").status_code == 404
        assert client.post("/docs/").status_code == 405
        # building ran the samples against another mock: this one's state is untouched
        listing = client.get("/v1/campaigns", headers={"Authorization": "Bearer sk_test_1"}).json()
        assert {c["id"] for c in listing["data"]} >= {"cmp_6Eg4rSWelcome"}
        assert not any(c["name"] == "Summer Sale 2026" for c in listing["data"])


def test_changelog_from_an_earlier_version(tmp_path: Path) -> None:
    """``--changelog-from OLD``: a Changelog page (HTML, Markdown, in the navigation) with what
    ``mockserver diff`` finds between OLD and the document rendered."""
    from mockserver.plugins import api_class

    old = yaml.safe_load(Path(api_class("vinr").spec_path).read_text(encoding="utf-8"))
    del old["paths"]["/v1/events/{id}"]  # the current version adds it
    old["paths"]["/v1/legacy"] = {  # and removes this one: a breaking change
        "get": {"operationId": "listLegacy", "responses": {"200": {"description": "OK"}}}
    }
    old["info"]["version"] = "0.9.0"
    old_file = tmp_path / "old.yaml"
    old_file.write_text(yaml.safe_dump(old), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        docs_command, ["--api", "vinr", "--out", str(out), "--changelog-from", str(old_file)]
    )
    assert result.exit_code == 0, result.output
    html = (out / "changelog.html").read_text(encoding="utf-8")
    breaking, _, other = html.partition("Other changes")
    assert "GET /v1/legacy" in breaking and "path-removed" in breaking
    assert "GET /v1/events/{id}" in other and "operation-added" in other
    assert html.count("<h1>") == 1 and "0.9.0 to" in html
    assert 'href="changelog.html"' in (out / "index.html").read_text(encoding="utf-8")
    markdown = (out / "changelog.md").read_text(encoding="utf-8")
    assert markdown.startswith("# Changelog") and "(path-removed)" in markdown

    unreadable = CliRunner().invoke(
        docs_command,
        ["--api", "vinr", "--out", str(out), "--changelog-from", "git:no-such-rev:openapi.yaml"],
    )
    assert unreadable.exit_code == 2 and "no-such-rev" in unreadable.output
    several = CliRunner().invoke(
        docs_command,
        ["--api", "vinr", "--api", "voucherify", "--out", str(out), "--changelog-from", str(old_file)],
    )
    assert several.exit_code == 2 and "one API" in several.output
