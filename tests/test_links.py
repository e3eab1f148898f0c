"""The built site works where GitHub Pages serves it: under a sub-path, and at a domain's root.

The bundled showcase is built with a base_url, served by a local static
server under that base_url's path (missing pages answered with 404.html, as
Pages does), and crawled from the home page and sitemap.xml by the stdlib
checker in `linkcheck`. Every page, stylesheet, icon, image and sitemap entry
must answer, every #fragment must exist, and every internal link must stay
under the base path. The checker itself is tested against a site with known
faults, so that these tests can fail.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import ROOT, run_cli
from linkcheck import SKIPPED_SCHEMES, Crawler, PageParser

SITES = {
    # base_url given to the build -> the path the server serves the site under
    "subpath": ("https://example.org/showcase/", "/showcase/"),
    "root": ("https://example.org/", "/"),
}


@pytest.fixture(scope="module", params=sorted(SITES))
def built(request, tmp_path_factory):
    """(output folder, base_url, prefix) of the bundled showcase built for one base_url."""
    base_url, prefix = SITES[request.param]
    out = tmp_path_factory.mktemp(f"site-{request.param}") / "output"
    proc = run_cli("build", "--content", ROOT / "content", "--templates", ROOT / "templates", "--output", out,
                   "--base-url", base_url, cwd=out.parent)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out, base_url, prefix


def describe(result) -> str:
    return result.summary() + "".join(f"\n  {problem}" for problem in result.problems)


def html_pages(out: Path) -> set[str]:
    """Site paths of every page in the output folder, as the server addresses them."""
    paths = set()
    for file in out.rglob("*.html"):
        rel = file.relative_to(out).as_posix()
        if rel.rsplit("/", 1)[-1] != "404.html":  # each language's 404 page: served, never linked
            paths.add(rel.removesuffix("index.html"))
    return paths


def test_crawl_finds_no_broken_link_fragment_or_escape(built, static_server):
    out, base_url, prefix = built
    root = static_server(out, prefix)
    result = Crawler(root, base_url).crawl()
    assert not result.problems, describe(result)
    # The crawl really covered the site: every page, the stylesheet and the icon.
    reached = {url[len(root):] for url in result.pages}
    assert reached == html_pages(out), sorted(html_pages(out) ^ reached)
    assert {root + "static/style.css", root + "static/favicon.svg", root + "sitemap.xml"} <= result.files
    assert result.links > 10 * len(result.pages)


def test_every_internal_link_is_written_under_the_base_path(built):
    """Read from the files too, so pages the crawl cannot reach (404.html) count as well."""
    out, base_url, prefix = built
    wrong = []
    for file in sorted(out.rglob("*.html")):
        parser = PageParser()
        parser.feed(file.read_text(encoding="utf-8"))
        for what, link in parser.links:
            scheme = urlsplit(link).scheme.lower()
            if link.startswith("#") or scheme in SKIPPED_SCHEMES or scheme in ("http", "https"):
                continue  # same-page fragment, mail, or an absolute address (external, or canonical)
            if link.startswith("//") or not link.startswith(prefix):
                wrong.append(f"{file.relative_to(out)}: {what}={link!r}")
    assert not wrong, "\n".join(wrong)


def test_404_page_works_for_a_missing_page_deep_in_the_tree(built, static_server):
    out, base_url, prefix = built
    root = static_server(out, prefix)
    crawler = Crawler(root, base_url)
    missing = root + "a/b/c/missing/"
    page, result = crawler.check_page(missing, status=404)
    assert page.status == 404
    assert b"Page not found" in page.body  # it is our 404.html, not the server's fallback
    assert not result.problems, describe(result)
    assert root + "static/style.css" in result.files
    assert root in result.files  # the link home
    assert result.links >= 5


def test_the_crawler_reports_broken_links_fragments_and_escapes(tmp_path, static_server):
    """A hand-made site with known faults: each is reported, and nothing else is."""
    site = tmp_path / "site"
    (site / "about").mkdir(parents=True)
    (site / "static").mkdir()
    (site / "index.html").write_text(
        '<!doctype html><html><head><link rel="stylesheet" href="/showcase/static/style.css">'
        '<link rel="icon" href="/showcase/static/missing-icon.svg"></head><body>'
        '<a href="#main">skip</a><a href="#nowhere">bad own fragment</a>'
        '<main id="main">'
        '<a href="/showcase/about/#team">good fragment</a>'
        '<a href="/showcase/about/#no-such-id">bad fragment</a>'
        '<a href="/showcase/missing-page/">missing page</a>'
        '<a href="/elsewhere/">escapes the prefix</a>'
        '<a href="about/">relative</a>'
        '<a href="https://other.example.net/x">external</a>'
        '<a href="mailto:someone@example.org">mail</a>'
        '<img src="/showcase/static/missing.png" alt=""'
        ' srcset="/showcase/static/ok.png 1x, /showcase/static/gone.png 2x">'
        '<a href="https://example.org/showcase/about/">public address of a page</a>'
        '</main></body></html>', encoding="utf-8")
    (site / "about" / "index.html").write_text(
        '<!doctype html><html><body><h2 id="team">Team</h2><a href="/showcase/">home</a></body></html>',
        encoding="utf-8")
    (site / "static" / "style.css").write_text("body { background: url(/showcase/static/bg.png); }",
                                               encoding="utf-8")
    (site / "static" / "ok.png").write_bytes(b"png")
    (site / "404.html").write_text('<!doctype html><html><body><p>Page not found</p>'
                                   '<a href="../index.html">relative home</a>'
                                   '<link rel="stylesheet" href="static/style.css"></body></html>',
                                   encoding="utf-8")
    root = static_server(site, "/showcase/")
    result = Crawler(root, "https://example.org/showcase/").crawl(root)

    assert sorted(p.link for p in result.of("broken")) == [
        "/showcase/missing-page/", "/showcase/static/bg.png", "/showcase/static/gone.png",
        "/showcase/static/missing-icon.svg", "/showcase/static/missing.png"], describe(result)
    assert sorted(p.link for p in result.of("fragment")) == ["#nowhere", "/showcase/about/#no-such-id"], \
        describe(result)
    assert sorted(p.link for p in result.of("escape")) == ["/elsewhere/", "about/"], describe(result)
    assert result.external == 1
    assert root + "about/" in result.pages

    # The same 404.html, served for a missing page deep in the tree: its relative links break.
    page, deep = Crawler(root).check_page(root + "a/b/c/missing/", status=404)
    assert page.status == 404 and b"Page not found" in page.body
    assert {p.kind for p in deep.problems} == {"broken", "escape"}, describe(deep)
    assert sorted(p.link for p in deep.of("broken")) == ["../index.html", "static/style.css"], describe(deep)

    # A page that answers 404 where 200 was expected is reported too.
    _, missing = Crawler(root).check_page(root + "not-here/")
    assert (missing.problems[0].kind, missing.problems[0].page) == ("broken", "(start)"), describe(missing)
