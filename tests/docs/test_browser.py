"""A real browser on the generated site: Playwright driving Debian's chromium.

Opens the site from disk, searches, switches the samples' language (remembered across
pages), follows deep links (into collapsed attributes too), reads it at phone width and in
print, and runs a try-it call from the docs the live mock serves. No page may log a console
error. Screenshots go to ``build/docs-screenshots/`` for review.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.docs.build import Built, Target, build_target
from mockserver.docs.render import _single_href, search_index
from mockserver.docs.samples import samples

from .conftest import CHROMIUM, CHROMIUM_ARGS, OFFICIAL_SPEC, SCREENSHOTS, LiveMock

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        # never a downloaded browser: Debian's chromium, kept off the network
        chromium = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page whose console errors and uncaught exceptions are collected."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def shot(self, name: str, **options: Any) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **options)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"console errors: {self.errors}"


def test_the_site_from_disk_search_language_deep_links_phone_and_print(
    browser: Any, built_docs: tuple[Path, list[Built]]
) -> None:
    out, _ = built_docs
    site = (out / "vinr").as_uri()
    tab = Watched(browser, viewport={"width": 1400, "height": 900})
    page = tab.page
    page.goto(f"{site}/index.html")
    assert page.title() == "VINR Promotions API"
    tab.shot("01-overview")

    # search: results as you type, Enter follows the first
    page.fill("#q", "update campaign")
    first = page.locator("#results li a").first
    assert first.inner_text().startswith("Update a campaign")
    tab.shot("02-search")
    page.press("#q", "Enter")
    page.wait_for_url("**/campaigns.html#updateCampaign")
    assert page.locator("#updateCampaign").is_visible()

    # the language switcher: every sample follows, and the choice is remembered
    section = page.locator("#createCampaign")
    assert section.locator('pre.sample[data-lang="curl"]').is_visible()
    section.locator('.tabs button[data-lang="python"]').click()
    assert section.locator('pre.sample[data-lang="python"]').is_visible()
    assert not section.locator('pre.sample[data-lang="curl"]').is_visible()
    assert page.locator('#listCampaigns pre.sample[data-lang="python"]').is_visible()
    section.scroll_into_view_if_needed()
    tab.shot("03-python-samples")
    page.goto(f"{site}/offers.html")
    assert (
        page.locator('#createOffer pre.sample[data-lang="python"]')
        .inner_text()
        .startswith("import httpx")
    )

    # deep links: to an operation, and into an attribute folded inside another
    page.goto(f"{site}/offers.html#offers-object-criteria-minimum_amount")
    nested = page.locator("#offers-object-criteria-minimum_amount")
    assert nested.is_visible()
    page.wait_for_timeout(1600)  # let the :target highlight fade for the screenshot
    tab.shot("04-deep-link-nested-attribute")
    page.goto(f"{site}/campaigns.html#deleteCampaign")
    assert page.locator("#deleteCampaign h2").is_visible()
    assert (
        page.evaluate("() => document.getElementById('deleteCampaign').getBoundingClientRect().top")
        < 200
    )

    # print: no navigation, every sample and folded attribute shown
    page.emulate_media(media="print")
    assert not page.locator("#nav").is_visible()
    assert page.locator('#createCampaign pre.sample[data-lang="javascript"]').is_visible()
    page.emulate_media(media="screen")
    # offline: the pages load nothing but their own files
    assert tab.requests and all(url.startswith(("file:", "data:")) for url in tab.requests), (
        tab.requests
    )
    tab.close()

    # a phone-width screen: one column, navigation behind the menu button
    phone = Watched(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.page.goto(f"{site}/campaigns.html#retrieveCampaign")
    assert not phone.page.locator("#nav").is_visible() or phone.page.evaluate(
        "() => document.getElementById('nav').getBoundingClientRect().right <= 0"
    )
    assert phone.page.evaluate("() => document.documentElement.scrollWidth") <= 390
    phone.shot("05-phone")
    phone.page.click("button.menu")
    phone.page.wait_for_timeout(300)
    assert (
        phone.page.evaluate("() => document.getElementById('nav').getBoundingClientRect().left")
        >= 0
    )
    phone.shot("06-phone-menu")
    phone.close()


def test_try_it_calls_the_live_mock(browser: Any) -> None:
    with LiveMock(["vinr"]) as mock:
        tab = Watched(browser, viewport={"width": 1400, "height": 1000})
        page = tab.page
        page.goto(f"{mock.url}/docs/campaigns.html#listCampaigns", timeout=60_000)
        section = page.locator("#listCampaigns")
        section.locator("details.try > summary").click()
        form = section.locator("form.tf")
        assert form.locator('input[name="url"]').input_value() == f"{mock.url}/v1/campaigns?limit=3"
        form.locator("button[type=submit]").click()
        status = form.locator(".try-status")
        status.wait_for()
        assert status.inner_text().startswith("200")
        assert '"object": "list"' in form.locator("output pre").inner_text()
        form.scroll_into_view_if_needed()
        tab.shot("07-try-it")

        # a create from the console changes the live mock (and only the live mock)
        create = page.locator("#createCampaign")
        create.locator("details.try > summary").click()
        create.locator("form.tf button[type=submit]").click()
        create.locator(".try-status").wait_for()
        assert create.locator(".try-status").inner_text().startswith("200")
        tab.close()


#: Every operation's samples as the page shows them once docs.js has written them all (as it
#: does before printing): {section id: {language: text}}.
_SAMPLES_JS = """() => {
  window.dispatchEvent(new Event("beforeprint"));
  const found = {};
  document.querySelectorAll("section.op").forEach((section) => {
    found[section.id] = {};
    section.querySelectorAll("pre.sample").forEach((pre) => {
      found[section.id][pre.dataset.lang] = pre.textContent;
    });
  });
  return found;
}"""


def _expected_samples(built: Built) -> dict[str, dict[str, str]]:
    """What samples.py writes (the Markdown twins' text) for every operation of a site."""
    views = {v.op.name: v.anchor for page in built.site.pages for v in page.operations}
    return {
        views[call.operation.name]: {s.language: s.code for s in samples(call, built.site.base_url)}
        for call in built.site.calls
    }


def test_the_script_writes_the_samples_samples_py_writes(
    browser: Any, built_docs: tuple[Path, list[Built]]
) -> None:
    """The page carries curl; Python and JavaScript are written from it in the browser,
    character for character what the Markdown pages carry, for every operation."""
    out, results = built_docs
    for built in results:
        expected = _expected_samples(built)
        shown: dict[str, dict[str, str]] = {}
        tab = Watched(browser)
        for path in sorted((out / built.name).glob("*.html")):
            tab.page.goto(path.as_uri())
            shown.update(tab.page.evaluate(_SAMPLES_JS))
        tab.close()
        assert shown == expected


@pytest.mark.skipif(not OFFICIAL_SPEC.is_file(), reason=f"{OFFICIAL_SPEC} is not there")
def test_the_official_documents_samples_in_one_file(browser: Any, tmp_path: Path) -> None:
    """All 241 operations of the vendor's document (bodies with quotes, unicode, nesting)."""
    built = build_target(
        Target("voucherify", OFFICIAL_SPEC), single_file=True, execute=False, formats=("html",)
    )
    page = tmp_path / "voucherify.html"
    page.write_text(built.files["voucherify.html"], encoding="utf-8")
    tab = Watched(browser)
    tab.page.goto(page.as_uri())
    shown = tab.page.evaluate(_SAMPLES_JS)
    tab.close()
    expected = _expected_samples(built)
    assert len(expected) == 241
    for anchor, languages in expected.items():
        assert shown[anchor] == languages, anchor


def test_search_in_one_file_reads_its_index_from_the_page(browser: Any, tmp_path: Path) -> None:
    """The one-file build ships no index: the script reads the entries search_index lists
    (same titles, links and kinds, in the same order) from the page, and search finds them."""
    built = build_target(Target("vinr"), single_file=True, formats=("html",), execute=False)
    path = tmp_path / "vinr.html"
    path.write_text(built.files["vinr.html"], encoding="utf-8")
    assert "window.DOCS_INDEX=" not in built.files["vinr.html"]
    tab = Watched(browser, viewport={"width": 1400, "height": 900})
    tab.page.goto(path.as_uri())
    entries = tab.page.evaluate("() => window.docsIndex()")
    expected = search_index(built.site, _single_href)
    assert [e[:3] for e in entries] == [e[:3] for e in expected]
    assert all(bool(a[3]) == bool(b[3]) for a, b in zip(entries, expected, strict=True))
    tab.page.fill("#q", "redemption count")
    assert tab.page.locator("#results li a").first.inner_text().startswith("redemption_count")
    tab.page.press("#q", "Enter")
    tab.page.wait_for_url("**#campaigns-object-redemption_count")
    assert tab.page.locator("#campaigns-object-redemption_count").is_visible()
    tab.close()
