"""The built documentation site, opened in headless Chromium: every page renders, search finds
things, and no link is broken.

Run by ``nox -s docs`` after ``mkdocs build --strict`` (not by the test sessions: it needs the
built ``site/`` and Debian's ``chromium``). Playwright drives the system's Chromium
(``PAYCOMBAT_CHROMIUM``, default ``/usr/bin/chromium``); it never downloads a browser of its own.
The site is served from ``site/`` on a loopback port; nothing leaves the machine: external links
are only checked for being well formed.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import attrs
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
SITE = Path(os.environ.get("PAYCOMBAT_DOCS_SITE", ROOT / "site"))
DOCS = ROOT / "docs"
CHROMIUM = os.environ.get("PAYCOMBAT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCHEMES = {"http", "https", "mailto"}


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The built site, served on a free loopback port for the module's tests."""
    assert (SITE / "index.html").is_file(), f"build the site first (mkdocs build): {SITE}"
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE))
    )
    thread = threading.Thread(target=server.serve_forever, name="docs-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@attrs.frozen
class Visit:
    """What one page showed when Chromium opened it."""

    status: int
    title: str
    heading: str
    text: str
    api_objects: int
    ids: frozenset[str]
    links: tuple[str, ...]
    errors: tuple[str, ...]


def _visit(page: Page, url: str, errors: list[str]) -> Visit:
    errors.clear()
    response = page.goto(url)
    assert response is not None, url
    headings = page.locator("article h1")
    return Visit(
        status=response.status,
        title=page.title(),
        heading=headings.first.inner_text().strip() if headings.count() else "",
        text=page.locator("article").inner_text() if page.locator("article").count() else "",
        api_objects=page.locator("article .doc-object").count(),
        ids=frozenset(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)")),
        links=tuple(page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")),
        errors=tuple(errors),
    )


@pytest.fixture(scope="module")
def site(browser: Browser, base_url: str) -> dict[str, Visit]:
    """Every built page, opened once, by its path (``guides/batch/``)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        return {path: _visit(page, urljoin(base_url, path), errors) for path in _built_pages()}
    finally:
        page.close()


def _built_pages() -> list[str]:
    """Every page of the site, as a path relative to its root (``guides/batch/``)."""
    pages = []
    for html in sorted(SITE.rglob("index.html")):
        relative = html.parent.relative_to(SITE).as_posix()
        pages.append("" if relative == "." else relative + "/")
    return pages


def _source_pages() -> list[str]:
    """The page each Markdown file of docs/ becomes (``guides/batch.md`` -> ``guides/batch/``)."""
    pages = []
    for markdown in sorted(DOCS.rglob("*.md")):
        relative = markdown.relative_to(DOCS).with_suffix("").as_posix()
        pages.append("" if relative == "index" else relative.removesuffix("/index") + "/")
    return pages


def test_every_markdown_page_is_built_and_in_the_navigation(
    site: dict[str, Visit], base_url: str
) -> None:
    assert sorted(site) == sorted(_source_pages())
    home = site[""]
    in_nav = set(home.links)
    missing = [path for path in site if urljoin(base_url, path) not in in_nav]
    assert not missing, f"pages not linked from the home page's navigation: {missing}"


@pytest.mark.parametrize("path", _source_pages())
def test_the_page_renders(site: dict[str, Visit], path: str) -> None:
    visit = site[path]
    assert visit.status == 200
    assert not visit.errors, f"JavaScript errors: {visit.errors}"
    assert visit.heading
    assert "404" not in visit.heading
    assert visit.title.endswith("paycombat")
    assert len(visit.text) > 200, f"{path} is nearly empty"
    if path.startswith("reference/") and path != "reference/operations/":
        # mkdocstrings rendered the docstrings (an unresolved ::: would leave its text)
        assert visit.api_objects > 0
        assert ":::" not in visit.text
    if path == "reference/resources/":
        # the methods declared with endpoint(...) are documented (docs/declared_endpoints.py)
        assert "paycombat_async.resources.payouts.Payouts.create" in visit.ids
        assert "paycombat_async.resources.checkouts.Checkouts.bind_payin_method" in visit.ids


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("payout", "payouts/"),
        ("journal", "guides/batch/"),
        ("bind_payin_method", "checkout/"),
        ("gevent", "deployment/"),
    ],
)
def test_search_finds_pages(browser: Browser, base_url: str, query: str, expected: str) -> None:
    search = browser.new_page()
    try:
        search.goto(base_url)
        # the index is built in a web worker; a query typed before it is ready is lost
        meta = search.locator(".md-search-result__meta")
        expect(meta).to_have_text("Type to start searching", timeout=60_000)
        box = search.locator("input.md-search__input")
        box.focus()
        box.press_sequentially(query)  # keystrokes, as a reader types (fill() is not seen)
        about = urljoin(base_url, expected)
        found = search.locator(f'.md-search-result__item a[href^="{about}"]')
        expect(found.first).to_be_attached(timeout=60_000)
        links = search.eval_on_selector_all(
            ".md-search-result__item a[href]", "links => links.map(a => a.href)"
        )
        assert all(link.startswith(base_url) for link in links)
    finally:
        search.close()


def test_no_link_is_broken(site: dict[str, Visit], browser: Browser, base_url: str) -> None:
    """Every link of every page: one within the site leads to a page that exists, and to an
    element with its fragment's id; one outside it is a well-formed http(s) or mailto URL."""
    ids = {urljoin(base_url, path): visit.ids for path, visit in site.items()}
    links: dict[str, set[str]] = {}
    for path, visit in site.items():
        for href in visit.links:
            links.setdefault(href, set()).add(path)
    broken = []
    page = browser.new_page()
    try:
        for href, sources in sorted(links.items()):
            parts = urlsplit(href)
            if not href.startswith(base_url):
                if parts.scheme not in SCHEMES or not (parts.netloc or parts.scheme == "mailto"):
                    broken.append((href, "malformed", sorted(sources)))
                continue
            target, fragment = urldefrag(href)
            if target not in ids:  # not a page: an asset (a stylesheet, the sitemap)
                response = page.request.get(target)
                if response.status != 200:
                    broken.append((href, f"HTTP {response.status}", sorted(sources)))
                    continue
                ids[target] = frozenset()
            if fragment and fragment not in ids[target]:
                broken.append((href, "no such anchor", sorted(sources)))
    finally:
        page.close()
    assert not broken, "\n".join(f"{href}: {why} (on {where})" for href, why, where in broken)
    assert len(links) > 100  # the crawl saw the site, not an error page
