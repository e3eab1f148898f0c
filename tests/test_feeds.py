"""Atom feeds (RFC 4287): the whole site's, and each theme's, country's and region's, as built.

feedparser reads every feed as a feed reader would (and must find nothing
malformed); the elements RFC 4287 requires are checked in the XML itself;
bodies come whole, with every link made absolute; the same sources give the
same bytes (no build time anywhere); and author text cannot break the XML.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import feedparser
import pytest
from conftest import ROOT, image_bytes
from defusedxml import ElementTree

from sitegen.build import pipeline
from sitegen.render.outputs import FEED_ENTRIES

ATOM = "{http://www.w3.org/2005/Atom}"
SHOWCASE_URL = "https://example.github.io/learning-cities/"
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")


def feeds_of(folder: Path) -> list[Path]:
    return sorted(folder.rglob("feed.xml"))


def required_elements(path: Path) -> None:
    """What RFC 4287 requires of a feed and its entries (sections 4.1.1 and 4.1.2)."""
    root = ElementTree.fromstring(path.read_bytes())
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, f"{path}: one atom:{name}"
    assert RFC3339.fullmatch(root.findtext(f"{ATOM}updated"))
    feed_author = root.find(f"{ATOM}author") is not None
    assert [link.get("rel") for link in root.findall(f"{ATOM}link")].count("self") == 1
    ids = []
    for entry in root.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"{path}: each entry has one atom:{name}"
        assert RFC3339.fullmatch(entry.findtext(f"{ATOM}updated"))
        assert feed_author or entry.find(f"{ATOM}author") is not None
        assert any(link.get("rel") == "alternate" for link in entry.findall(f"{ATOM}link"))
        assert entry.find(f"{ATOM}content") is not None or entry.find(f"{ATOM}summary") is not None
        ids.append(entry.findtext(f"{ATOM}id"))
    assert len(ids) == len(set(ids)), f"{path}: entry ids are unique"


def test_every_feed_of_the_showcase_reads_and_has_what_rfc_4287_requires(showcase):
    feeds = feeds_of(showcase)
    themes = [p for p in feeds if p.parent.parent.name == "themes"]
    assert showcase / "feed.xml" in feeds and themes and len(feeds) > 20
    for path in feeds:
        required_elements(path)
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.version == "atom10"
        assert 1 <= len(parsed.entries) <= FEED_ENTRIES
        dates = [e.published_parsed for e in parsed.entries]
        assert dates == sorted(dates, reverse=True), "newest first"
        language = path.relative_to(showcase).parts[0]
        prefix = language + "/" if language in ("fr", "es", "ar") else ""
        assert parsed.feed.language == (language if prefix else "en")
        for entry in parsed.entries:
            assert entry.link.startswith(SHOWCASE_URL + prefix + "case-studies/") and entry.id.startswith("tag:")
            assert entry.id.endswith(":" + prefix + entry.link.rstrip("/").rsplit("/", 1)[-1])
            assert entry.summary and entry.content[0].type == "text/html"
            body = entry.content[0].value
            assert not re.search(r'(?:href|src)="(?!https?://|mailto:)', body), "every link is absolute"


def test_the_site_feed_carries_the_newest_case_studies_whole(showcase):
    parsed = feedparser.parse((showcase / "feed.xml").read_bytes())
    assert parsed.feed.title == "Learning Cities Showcase"
    assert parsed.feed.link == SHOWCASE_URL + "case-studies/"
    assert len(parsed.entries) == min(FEED_ENTRIES, len(list((ROOT / "content" / "case-studies").glob("*.md"))))
    kashan = feedparser.parse((showcase / "countries" / "iran" / "feed.xml").read_bytes())
    [entry] = [e for e in kashan.entries if e.link.endswith("/kashan-health-tv/")]
    assert entry.title.startswith("Every Home, A Health Base")
    assert entry.summary.startswith("Kashan, Iran: ")
    page = (showcase / "case-studies" / "kashan-health-tv" / "index.html").read_text(encoding="utf-8")
    first_paragraph = re.search(r'<div class="prose">\s*<p>(.*?)</p>', page, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", first_paragraph)[:60] in re.sub(r"<[^>]+>", "", entry.content[0].value)
    assert {t.term for t in entry.tags} == {"Health and well-being"}


def test_pages_announce_their_feed_and_link_to_it_visibly(showcase):
    home = (showcase / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="alternate" type="application/atom+xml" title="Learning Cities Showcase: new case studies" ' \
           f'href="{SHOWCASE_URL}feed.xml">' in home
    listing = (showcase / "case-studies" / "index.html").read_text(encoding="utf-8")
    assert 'class="subscribe"><a href="/learning-cities/feed.xml" type="application/atom+xml">' in listing
    literacy = (showcase / "themes" / "literacy" / "index.html").read_text(encoding="utf-8")
    assert f'href="{SHOWCASE_URL}themes/literacy/feed.xml">' in literacy
    assert '<a href="/learning-cities/themes/literacy/feed.xml" type="application/atom+xml">' \
           'Subscribe to new case studies in Literacy</a>' in literacy
    feed = feedparser.parse((showcase / "themes" / "literacy" / "feed.xml").read_bytes())
    listed = set(re.findall(r'href="/learning-cities/(case-studies/[^"/]+/)"', literacy))
    assert {e.link.removeprefix(SHOWCASE_URL) for e in feed.entries} <= listed


def options(site, output: Path) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(content=site.root, output=output, templates=ROOT / "templates", cache_dir=None,
                                 search=False)


def test_author_text_cannot_break_a_feed_and_links_are_made_absolute(site, tmp_path):
    title = 'Cats & <Dogs> ]]> "quoted" \u202e'
    site.study("kashan-health-tv", title=title,
               body="See [the other one](cork.md#context), [a part](#context) and ![a map](map.png).\n\n"
                    "## Context\n\nText with <b>bold</b> & an ampersand.\n")
    site.study("cork", title="Cork learns", city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
    site.write("case-studies/map.png", image_bytes())
    result = pipeline.build(options(site, tmp_path / "out"))
    assert result.ok, result.report.as_text()
    raw = (tmp_path / "out" / "feed.xml").read_bytes()
    required_elements(tmp_path / "out" / "feed.xml")
    parsed = feedparser.parse(raw)
    assert not parsed.bozo
    [entry] = [e for e in parsed.entries if "kashan" in e.link]
    assert entry.title == title
    body = entry.content[0].value
    base = "https://example.org/showcase/"
    assert f'href="{base}case-studies/cork/#context"' in body
    assert f'href="{base}case-studies/kashan-health-tv/#context"' in body
    assert re.search(rf'src="{base}media/map-4\.[0-9a-f]{{8}}\.png"', body)  # the image's file, not the original
    # (feedparser's own sanitizer drops <picture> and srcset: read them in the feed itself)
    assert re.search(rf'srcset="{base}media/map-4\.[0-9a-f]{{8}}\.png 4w"', html.unescape(raw.decode("utf-8")))
    assert "<script" not in raw.decode("utf-8")


def test_the_same_sources_give_the_same_feeds_and_an_entry_keeps_its_id(site, tmp_path):
    site.study("cork", title="Cork learns", city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
    assert pipeline.build(options(site, tmp_path / "one")).ok
    assert pipeline.build(options(site, tmp_path / "two")).ok
    one, two = feeds_of(tmp_path / "one"), feeds_of(tmp_path / "two")
    assert [p.relative_to(tmp_path / "one") for p in one] == [p.relative_to(tmp_path / "two") for p in two]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(one, two)), "no build time in a feed"
    before = {e.link: e.id for e in feedparser.parse((tmp_path / "one" / "feed.xml").read_bytes()).entries}
    site.study("cork", title="Cork learns more", city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
    assert pipeline.build(options(site, tmp_path / "three")).ok
    after = feedparser.parse((tmp_path / "three" / "feed.xml").read_bytes())
    assert {e.link: e.id for e in after.entries} == before, "a changed title keeps the entry's id"
    updated = ElementTree.fromstring((tmp_path / "three" / "feed.xml").read_bytes()).findtext(f"{ATOM}updated")
    assert updated == max(e.published for e in after.entries).replace("+00:00", "Z")


@pytest.mark.parametrize("count", [FEED_ENTRIES + 5])
def test_a_feed_carries_only_the_newest_entries(site, tmp_path, count):
    for n in range(count):
        site.study(f"s-{n:02d}", title=f"Study {n}", city=f"Town {n}", country="PL", themes="[literacy]",
                   date=f"2020-01-{n + 1:02d}")
    assert pipeline.build(options(site, tmp_path / "out")).ok
    parsed = feedparser.parse((tmp_path / "out" / "themes" / "literacy" / "feed.xml").read_bytes())
    assert len(parsed.entries) == FEED_ENTRIES
    assert parsed.entries[0].title == f"Study {count - 1}"
