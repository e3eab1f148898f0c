"""Sharing, citing and finding: link previews, JSON-LD, the sitemap's dates, citations and provenance.

Every page of the bundled showcase is read back as a crawler would: its Open
Graph and Twitter tags, its meta description (distinct per page), and each
JSON-LD block parsed and checked for what schema.org and Google's Article
and Breadcrumb rich results ask for. Author text cannot end a script element
(a property test and a build with payloads); the citation files are read
with the tools reference managers use (json, pybtex).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT, SITE_YAML, case_study
from defusedxml import ElementTree
from hypothesis import example, given
from hypothesis import strategies as st
from pybtex.database import parse_string

from sitegen.build import pipeline
from sitegen.model.countries import region_by_id, resolve_country
from sitegen.model.records import CaseStudy, SiteConfig, Text
from sitegen.model.urls import Urls
from sitegen.render import citations, linked_data
from sitegen.render.environment import make_environment
from sitegen.render.outputs import routes

SHOWCASE_URL = "https://example.github.io/learning-cities/"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class HeadReader(HTMLParser):
    """The meta tags, canonical link and JSON-LD blocks of a page, as a crawler reads them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, list[str]] = {}
        self.canonical = None
        self.blocks: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "meta" and ("property" in a or "name" in a):
            self.meta.setdefault(a.get("property") or a["name"], []).append(a.get("content", ""))
        elif tag == "link" and a.get("rel") == "canonical":
            self.canonical = a["href"]
        elif tag == "script" and a.get("type") == "application/ld+json":
            self._in_ld = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False

    def handle_data(self, data):
        if self._in_ld:
            self.blocks[-1] += data

    def one(self, name: str) -> str:
        [value] = self.meta[name]
        return value

    def ld(self) -> list[dict]:
        return [json.loads(block) for block in self.blocks]


def read(path: Path) -> HeadReader:
    reader = HeadReader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def pages_of(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


def by_type(blocks: list[dict], kind: str) -> list[dict]:
    return [b for b in blocks if b.get("@type") == kind]


# --------------------------------------------------------------------------- the showcase, read back

SITE_NAMES = {"en": "Learning Cities Showcase", "fr": "Vitrine des villes apprenantes",
              "es": "Escaparate de las ciudades del aprendizaje", "ar": "معرض مدن التعلّم"}  # site.yaml's title
LOCALES = {"en": "en_US", "fr": "fr_FR", "es": "es_ES", "ar": "ar_EG"}  # CLDR's likely subtags


def test_every_page_has_a_link_preview_and_its_own_description(showcase):
    descriptions: dict[str, Path] = {}
    pages = pages_of(showcase)
    assert len(pages) > 60
    for path in pages:
        head = read(path)
        for name in ("og:site_name", "og:locale", "og:type", "og:title", "og:description", "og:url", "twitter:card"):
            assert head.one(name), f"{path}: {name}"
        language = path.relative_to(showcase).parts[0] if path.relative_to(showcase).parts[0] in SITE_NAMES else "en"
        assert head.one("og:site_name") == SITE_NAMES[language]
        assert head.one("og:locale") == LOCALES[language]
        assert head.one("og:description") == head.one("description")
        if path.name != "404.html":
            assert head.one("og:url") == head.canonical
            assert head.canonical.startswith(SHOWCASE_URL)
            other = descriptions.setdefault((language, head.one("description")), path)
            assert other == path, f"{path} and {other} share their meta description"
        assert head.one("og:image").startswith(SHOWCASE_URL) and head.one("og:image:alt")
        assert int(head.one("og:image:width")) >= 200 and head.one("og:image:type") in ("image/png", "image/jpeg",
                                                                                         "image/webp")
        assert head.one("twitter:card") == "summary_large_image"


def test_a_case_study_is_an_article_about_its_city_citing_its_sources(showcase):
    path = showcase / "case-studies" / "kashan-health-tv" / "index.html"
    head = read(path)
    assert head.one("og:type") == "article"
    assert head.one("article:published_time") == "2021-08-17"
    [article] = by_type(head.ld(), "Article")
    assert article["@context"] == "https://schema.org"
    assert article["headline"].startswith("Every Home, A Health Base") and len(article["headline"]) <= 110
    assert article["url"] == article["mainEntityOfPage"] == SHOWCASE_URL + "case-studies/kashan-health-tv/"
    assert dt.date.fromisoformat(article["datePublished"]) <= dt.date.fromisoformat(article["dateModified"])
    assert article["author"] == article["publisher"] == {
        "@type": "Organization", "name": "Learning Cities Showcase editors", "url": SHOWCASE_URL}
    assert article["license"] == "https://creativecommons.org/licenses/by-sa/4.0/"
    assert article["about"] == {
        "@type": "Place", "name": "Kashan", "alternateName": "کاشان",
        "address": {"@type": "PostalAddress", "addressLocality": "Kashan", "addressCountry": "IR"},
        "geo": {"@type": "GeoCoordinates", "latitude": 33.99, "longitude": 51.44}}
    section = path.read_text(encoding="utf-8").split('id="sg-sources"')[1].split("</section>")[0]
    sources = re.findall(r'<li><a href="(https?://[^"]+)">', section)
    assert [c["url"] for c in article["citation"]] == sources and sources
    assert all(c["@type"] == "CreativeWork" and c["name"] for c in article["citation"])


def test_detail_pages_carry_their_breadcrumbs_and_the_home_page_the_site_search(showcase):
    details = [showcase / "case-studies" / "kashan-health-tv" / "index.html",
               showcase / "countries" / "iran" / "index.html", showcase / "themes" / "literacy" / "index.html"]
    for path in details:
        [trail] = by_type(read(path).ld(), "BreadcrumbList")
        items = trail["itemListElement"]
        assert [i["position"] for i in items] == list(range(1, len(items) + 1)) and len(items) == 3
        assert all(i["@type"] == "ListItem" and i["name"] and i["item"].startswith(SHOWCASE_URL) for i in items)
        assert items[0]["item"] == SHOWCASE_URL
        assert items[-1]["item"] == SHOWCASE_URL + path.parent.relative_to(showcase).as_posix() + "/"
    [site] = by_type(read(showcase / "index.html").ld(), "WebSite")
    action = site["potentialAction"]
    assert action["@type"] == "SearchAction"
    assert action["target"]["urlTemplate"] == SHOWCASE_URL + "search/?q={search_term_string}"
    assert action["query-input"] == "required name=search_term_string"
    assert site["url"] == SHOWCASE_URL and site["publisher"]["name"] == "Learning Cities Showcase editors"


def test_the_sitemap_dates_each_page_from_its_content(showcase):
    root = ElementTree.fromstring((showcase / "sitemap.xml").read_bytes())
    dated = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    assert dated[SHOWCASE_URL + "case-studies/kashan-health-tv/"] == "2021-08-17"
    assert dated[SHOWCASE_URL + "about/"] is None, "a free page has no date of its own"
    newest = max(d for loc, d in dated.items() if d and "/case-studies/" in loc)
    assert dated[SHOWCASE_URL] == newest
    assert all(d is None or dt.date.fromisoformat(d) for d in dated.values())


def test_a_case_study_offers_its_citation_and_a_way_to_correct_it(showcase):
    folder = showcase / "case-studies" / "kashan-health-tv"
    page = (folder / "index.html").read_text(encoding="utf-8")
    assert ("Learning Cities Showcase editors (2021). <cite>Every Home, A Health Base" in page
            and f'<span class="cite-url">{SHOWCASE_URL}case-studies/kashan-health-tv/</span>' in page)
    assert 'href="/learning-cities/case-studies/kashan-health-tv/citation.json"' in page
    assert 'href="/learning-cities/case-studies/kashan-health-tv/citation.bib"' in page
    assert ('href="https://github.com/example/learning-cities/edit/main/content/case-studies/kashan-health-tv.md"'
            in page)
    [item] = json.loads((folder / "citation.json").read_text(encoding="utf-8"))
    assert item["type"] == "webpage" and item["id"] == "kashan-health-tv"
    assert item["title"].startswith("Every Home, A Health Base") and item["URL"] == SHOWCASE_URL + \
        "case-studies/kashan-health-tv/"
    assert item["issued"] == {"date-parts": [[2021, 8, 17]]}
    assert item["container-title"] == "Learning Cities Showcase"
    entry = parse_string((folder / "citation.bib").read_text(encoding="utf-8"), "bibtex").entries["kashan-health-tv"]
    assert entry.type == "online" and entry.fields["url"] == item["URL"] and entry.fields["date"] == "2021-08-17"
    footer = page.split('<footer class="site-footer">')[1]
    assert '<a rel="license" href="https://creativecommons.org/licenses/by-sa/4.0/">CC BY-SA 4.0</a>' in footer
    assert 'href="https://github.com/example/learning-cities"' in footer


# --------------------------------------------------------------------------- author text

def hostile_site(site, **extra):
    site.write("site.yaml", SITE_YAML + "publisher: Editors </script> & Co\nrepository: https://example.org/repo\n")
    site.study("kashan-health-tv", **extra)
    return site


PAYLOAD = '</script><script>alert(1)</script> <!-- "\' & </SCRIPT >'


def test_author_text_cannot_end_a_json_ld_block(site, tmp_path):
    hostile_site(site, title=json.dumps(PAYLOAD), city=json.dumps("Kashan </script>"), summary=json.dumps(PAYLOAD),
                 updated="2022-01-02")
    result = pipeline.build(pipeline.BuildOptions(content=site.root, output=tmp_path / "out",
                                                  templates=ROOT / "templates", cache_dir=None, search=False))
    assert result.ok, result.report.as_text()
    html = (tmp_path / "out" / "case-studies" / "kashan-health-tv" / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    head = read(tmp_path / "out" / "case-studies" / "kashan-health-tv" / "index.html")
    assert head.one("article:modified_time") == "2022-01-02"
    [article] = by_type(head.ld(), "Article")
    assert article["headline"] == article["description"] == PAYLOAD
    assert article["about"]["name"] == "Kashan </script>"
    assert article["publisher"]["name"] == "Editors </script> & Co"
    [trail] = by_type(head.ld(), "BreadcrumbList")
    assert trail["itemListElement"][-1]["name"] == "Kashan </script>"
    bib = (tmp_path / "out" / "case-studies" / "kashan-health-tv" / "citation.bib").read_text(encoding="utf-8")
    assert parse_string(bib, "bibtex").entries["kashan-health-tv"].fields["date"] == "2022-01-02"


def test_an_odd_file_name_gets_a_working_edit_link_and_a_free_text_date_no_structured_date(site, tmp_path):
    hostile_site(site)
    site.write("case-studies/Café de Paris #2.md", case_study(
        title="Paris", city="Paris", country="FR", sources="\n  - title: A report\n    url: https://example.org/r\n"
                                                             "    date: March 2021\n  - title: Another\n"
                                                             "    url: https://example.org/s\n    date: 2021-03"))
    result = pipeline.build(pipeline.BuildOptions(content=site.root, output=tmp_path / "out",
                                                  templates=ROOT / "templates", cache_dir=None, search=False))
    assert result.ok, result.report.as_text()
    [page] = (tmp_path / "out" / "case-studies").glob("*paris*/index.html")
    assert 'href="https://example.org/repo/edit/main/content/case-studies/Caf%C3%A9%20de%20Paris%20%232.md"' \
        in page.read_text(encoding="utf-8")
    [article] = by_type(read(page).ld(), "Article")
    assert [c.get("datePublished") for c in article["citation"]] == [None, "2021-03"]


def test_an_update_before_the_date_is_a_located_error(site, build):
    path = hostile_site(site, updated="2020-01-01").root / "case-studies" / "kashan-health-tv.md"
    proc, _ = build(site)
    assert proc.returncode == 1
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.startswith("updated:"))
    assert f"kashan-health-tv.md:{line}:" in proc.stderr and "'updated' (2020-01-01) is before 'date'" in proc.stderr


@pytest.mark.parametrize("yaml, message", [
    ("license: CC BY\n", "license must be 'key: value' lines"),
    ("license:\n  name: CC BY 4.0\n  url: creativecommons.org/licenses/by/4.0/\n", "is not an absolute http(s)"),
    ("license:\n  name: CC BY 4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n  id: CC BY\n",
     "not an SPDX licence identifier"),
    ("repository: github.com/org/repo\n", "Write it like https://github.com/org/repo"),
    ("edit_uri: ../../elsewhere/\n", "is not a path inside the repository's address"),
])
def test_bad_provenance_settings_are_located_errors(site, build, yaml, message):
    site.write("site.yaml", SITE_YAML + yaml)
    proc, _ = build(site)
    assert proc.returncode == 1 and "site.yaml:" in proc.stderr and message in proc.stderr, proc.stderr


# --------------------------------------------------------------------------- for every text

CONFIG = SiteConfig("Site", "About it", "https://example.org/s/", "en", (), publisher="Us")
ENVIRONMENT = make_environment([ROOT / "templates"], Urls("https://example.org/s/"), routes())
EMBED = ENVIRONMENT.from_string('<script type="application/ld+json">{{ ld_article(s, "p/", s.title, site) | tojson }}'
                                '</script><script type="application/ld+json">{{ ld_breadcrumbs([(s.city, "p/")]) '
                                '| tojson }}</script>')
texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)


def study(title: str, city: str) -> CaseStudy:
    country = resolve_country("IR")
    return CaseStudy("s", title, city, None, None, country, (), dt.date(2021, 1, 2), None,
                     region_by_id(country.region_id), (1.0, 2.0), None, (), False, Text("x.md", "", 1), "en")


@given(title=texts, city=texts)
def test_no_text_can_leave_its_json_ld_block(title, city):
    reader = HeadReader()
    reader.feed(EMBED.render(s=study(title, city), site=CONFIG))
    article, trail = reader.ld()
    assert article["headline"] == title and article["about"]["name"] == city
    assert trail["itemListElement"][0]["name"] == city


@given(text=texts)
def test_the_writer_encodes_each_text_as_pybtex_does_however_often_it_is_asked(text):
    """citations.BibtexWriter keeps each field's LaTeX once made (the publisher is on every case study):
    the text is pybtex's own writer's, the first time and the next."""
    from pybtex.database.output.bibtex import Writer

    expected = Writer(encoding="UTF-8")._encode(text)
    assert citations.BibtexWriter(encoding="UTF-8")._encode(text) == expected
    assert citations.BibtexWriter(encoding="UTF-8")._encode(text) == expected


@given(title=texts, publisher=texts)
@example(title="50% {off", publisher="Editors and Friends")
@example(title="~{&", publisher="{&")
def test_every_title_makes_a_bibtex_entry_latex_reads_as_plain_text(title, publisher):
    config = SiteConfig("Site", "", "https://example.org/s/", "en", (), publisher=publisher)
    url = "https://example.org/s/p_1%20/"
    entry = parse_string(citations.bibtex(study(title, "c"), config, url), "bibtex").entries["s"]
    assert entry.fields["url"] == url, "a verbatim field stays as it is"
    [author] = entry.persons["author"]  # one corporate author, never split at an "and"
    for value in (entry.fields["title"], str(author).removeprefix("{").removesuffix("}")):
        unescaped = re.sub(r"\\[A-Za-z]+(?:\{\})?(?:\\ )?|\\.", "", value)  # each command or escaped character
        assert not set(unescaped) & set("%&#$_^~{}\\"), value
    assert [item["title"] for item in json.loads(citations.csl_json(study(title, "c"), config, url))] == [title]
    assert linked_data.article(study(title, "c"), "p/", "", CONFIG, abs_url=str)["headline"] == title
