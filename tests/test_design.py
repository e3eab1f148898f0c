"""The theme's contract, checked without a browser.

Templates make every link with url(); the stylesheet uses logical properties
only, carries a print style and loads nothing from elsewhere; every built
page has one <h1>, one <main> and no id used twice (template ids never clash
with the heading ids of a Markdown body); native city names carry their
language; drafts, images and credits show up; sitemap.xml and robots.txt
stay valid. Pages come from the bundled showcase and from a small sample
site written here to reach what the showcase lacks (a draft, an image, body
headings named like the template's own sections).
"""

from __future__ import annotations

import gzip
import html.parser
import re
import struct
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import ROOT, SITE_YAML, SiteFolder, case_study, run_cli

TEMPLATES = ROOT / "templates"
CSS = TEMPLATES / "static" / "style.css"
SAMPLE_BASE = "/showcase/"  # the path of base_url in conftest's SITE_YAML
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
RTL = {"ar", "fa", "he", "ur"}


# ---------- reading built pages ----------

@dataclass
class Page:
    """What the checks need from one HTML page."""

    path: Path
    h1: int = 0
    main: int = 0
    html_lang: str | None = None
    ids: list[tuple[str, bool]] = field(default_factory=list)  # (id, inside a Markdown body)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    native: list[dict] = field(default_factory=list)  # attributes of each native-name span
    imgs: list[dict] = field(default_factory=list)
    h1_text: str = ""
    text: str = ""


class PageParser(html.parser.HTMLParser):
    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[tuple[str, set[str]]] = []  # open elements with their classes

    def inside(self, cls: str) -> bool:
        return any(cls in classes for _, classes in self.stack)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        classes = set(a.get("class", "").split())
        p = self.page
        if tag == "html":
            p.html_lang = a.get("lang")
        if tag == "h1":
            p.h1 += 1
        if tag == "main":
            p.main += 1
        if "id" in a:
            p.ids.append((a["id"], self.inside("prose")))
        for attr in ("href", "src", "srcset", "action", "poster", "data"):
            if attr in a:
                p.links.append((tag, attr, a[attr]))
        if tag == "span" and self.stack and "native" in self.stack[-1][1]:
            p.native.append(a)
        if tag == "img":
            p.imgs.append(a)
        if tag not in VOID:
            self.stack.append((tag, classes))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        self.page.text += data
        if any(t == "h1" for t, _ in self.stack):
            self.page.h1_text += data


def read(path: Path) -> Page:
    page = Page(path)
    PageParser(page).feed(path.read_text(encoding="utf-8"))
    return page


def pages_of(site: Path) -> dict[str, Page]:
    return {p.relative_to(site).as_posix(): read(p) for p in sorted(site.rglob("*.html"))}


# ---------- the sample site ----------

def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = zlib.compress(b"\x00\x1d\x4e\x5f")  # one teal pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", raw) + chunk(b"IEND", b"")


# Body headings that slugify to the section names the templates use: template ids must never clash with them.
CLASHING_BODY = """Kashan put health lessons on local TV.[^1]

## Sources

Text.

## Related case studies

## Main

## Latest case studies

## At a glance

## Countries

## Case studies

## Totals

[^1]: A footnote.
"""


def build_sample(root: Path, language: str = "en") -> Path:
    """Write and build (with --drafts) a small site: a draft with an image, RTL and CJK native names,
    body headings that clash with the template's section names. Returns the output folder."""
    folder = SiteFolder(root / "content")
    folder.write("site.yaml", SITE_YAML.replace("language: en", f"language: {language}"))
    folder.write("case-studies/img/tv.png", tiny_png())
    folder.write("case-studies/kashan-health-tv.md", case_study(
        city_native="کاشان", city_native_lang="fa", draft="true", image="img/tv.png",
        image_alt="A television studio with two presenters", image_credit='"Photo: Kashan city, CC BY 4.0"',
        summary="Daily health lessons on local television.", body=CLASHING_BODY,
        sources="\n  - title: A source\n    url: https://example.org/a\n    publisher: Someone\n    date: 2021-08-17"))
    folder.study("shanghai-culture", title="Learning and culture", city="Shanghai", city_native="上海",
                 city_native_lang="zh", country="CN", themes="[literacy]", date="2022-03-01")
    folder.study("tehran-libraries", title="Libraries for all", city="Tehran", country="IR",
                 themes="[literacy, health-wellbeing]", date="2020-01-05")
    folder.write("pages/about.md", "---\ntitle: About\nmenu: 1\n---\n\n## Sources\n\nText.\n\n## Main\n")
    folder.write("home.md", "---\ntitle: Welcome\n---\n\nIntro.\n\n## Latest case studies\n\n## Browse by theme\n")
    out = root / "output"
    proc = run_cli("build", "--content", folder.root, "--output", out, "--templates", TEMPLATES, "--drafts", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


# `sample` (build_sample's site, built once per run) is a fixture in conftest.py: test_accessibility reads it too.


@pytest.fixture(scope="module", params=["showcase", "sample"])
def built(request) -> tuple[Path, str]:
    """Each built site with its base path."""
    if request.param == "showcase":
        return request.getfixturevalue("showcase"), "/learning-cities/"
    return request.getfixturevalue("sample"), SAMPLE_BASE


# ---------- templates ----------

def template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and "static" not in p.relative_to(TEMPLATES).parts)


ATTR = re.compile(r"""\b(href|src|srcset|action|poster)\s*=\s*(["'])(.*?)\2""", re.S)
# url() and abs_url() for the site's own addresses (a srcset comes from picture.html's `srcset` macro, which
# makes each address with url()); a source's and site.yaml's external ones, each checked to be an absolute
# http(s) address when it is loaded (load/studies.py, load/config.py)
ALLOWED_VALUE = re.compile(r"""^(\{\{\s*(url|abs_url|srcset)\(.*\)\s*\}\}|#sg-[\w-]+"""
                           r"""|\{\{\s*(src\.url|site\.license\.url|site\.repository|site\.edit_url\([\w.]+\))\s*\}\})$""", re.S)


def test_templates_exist_with_their_contract():
    names = {p.relative_to(TEMPLATES).as_posix() for p in template_files()}
    for name in ("base.html", "home.html", "case_studies.html", "case_study.html", "countries.html", "country.html",
                 "themes.html", "theme.html", "regions.html", "region.html", "page.html", "404.html",
                 "sitemap.xml", "robots.txt", "partials/card.html", "partials/chips.html", "partials/city.html",
                 "partials/breadcrumbs.html"):
        assert name in names, f"templates/{name} is missing"


def test_template_links_all_come_from_url():
    """No hard-coded, root-absolute or relative address: only url(...), abs_url(...), #sg- fragments, a source's
    URL or the licence's."""
    bad = []
    for path in template_files():
        for m in ATTR.finditer(path.read_text(encoding="utf-8")):
            if not ALLOWED_VALUE.match(m.group(3).strip()):
                bad.append(f"{path.relative_to(ROOT)}: {m.group(1)}={m.group(2)}{m.group(3)}{m.group(2)}")
    assert not bad, "links not made by url():\n" + "\n".join(bad)


def test_the_link_check_can_fail():
    for value in ("/static/style.css", "static/style.css", "//cdn.example.com/x.css", "https://fonts.example/x",
                  "{{ item.path }}", "#main"):
        assert not ALLOWED_VALUE.match(value), value
    for value in ("{{ url('') }}", "{{ url(g.path) }}", "{{ abs_url(path) }}", "#sg-main", "{{ src.url }}",
                  "{{ site.repository }}", "{{ site.edit_url(s.body.rel) }}"):
        assert ALLOWED_VALUE.match(value), value


def test_base_template_rules():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert "</head>" in base, "the live-reload server inserts its script before a lower-case </head>"
    assert 'href="#sg-main"' in base and 'id="sg-main"' in base, "skip link and its target"
    for path in template_files():
        text = path.read_text(encoding="utf-8")
        # JSON-LD is data, not script: no browser runs it
        scripts = [tag for tag in re.findall(r"<script[^>]*>", text, re.I) if tag != '<script type="application/ld+json">']
        if path.name == "search.html":  # the one page that asks for script: the search index is read in the browser
            # (and its messages, in the page's language, for that script: data written with tojson)
            assert scripts == ['<script type="module" src="{{ url(\'static/search.js\') }}">',
                               '<script type="application/json" id="sg-search-text">'], scripts
        else:
            assert not scripts, f"{path.name}: every page but the search page works with no JavaScript at all"
        for m in re.finditer(r'\bid="([^"]*)"', text):
            assert m.group(1).startswith("sg-"), f"{path.name}: template id {m.group(1)!r} must start with sg-"


# ---------- stylesheet ----------

PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right)(?:-\w+)?"
    r"|border-(?:top|bottom)-(?:left|right)-radius|left|right)\s*:"
    r"|(?:float|clear|text-align|caption-side)\s*:\s*(?:left|right)\b"
    r"|(?<![\w-])inset\s*:")


def css_rules_text() -> str:
    return re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)


def test_css_uses_logical_properties_only():
    found = [m.group(0) for m in PHYSICAL.finditer(css_rules_text())]
    assert not found, f"physical left/right properties break right-to-left pages: {found}"


def test_the_physical_property_check_can_fail():
    for rule in ("a { margin-left: 1px }", "a{padding-right:0}", "a { left: 0 }", "a { float: right }",
                 "a { text-align: left }", "a { border-top-left-radius: 2px }", "a { inset: 0 }"):
        assert PHYSICAL.search(rule), rule
    for rule in ("a { margin-inline-start: 1px }", "a { inset-inline-start: 0 }", "a { text-align: start }",
                 "a { border-left-color: red }".replace("left", "inline-start")):
        assert not PHYSICAL.search(rule), rule


def test_css_is_one_small_self_contained_file():
    text = css_rules_text()
    sent = len(gzip.compress(CSS.read_bytes()))  # as a server sends it: within the first round trip (14 KB)
    assert sent < 14 * 1024 and CSS.stat().st_size < 24 * 1024, f"style.css is {CSS.stat().st_size} bytes, {sent} gzipped"
    assert "@media print" in text
    assert "@import" not in text and "@font-face" not in text, "system fonts only, nothing loaded from elsewhere"
    assert not re.search(r"url\(", text), "the stylesheet loads nothing"
    assert len(list((TEMPLATES / "static").glob("*.css"))) == 1


# ---------- built pages ----------

PAGE_WEIGHT = 60 * 1024  # bytes of HTML and CSS a page may weigh, images (inline SVG maps included) aside


def test_every_page_weighs_under_60_kb_of_html_and_css_images_aside(showcase):
    css = (showcase / "static" / "style.css").stat().st_size
    weights = {p.relative_to(showcase).as_posix(): len(re.sub(rb"<svg\b.*?</svg>", b"", p.read_bytes(), flags=re.S)) + css
               for p in showcase.rglob("*.html")}
    assert len(weights) > 60 and weights["map/index.html"] > 0
    heavy = {page: weight for page, weight in weights.items() if weight >= PAGE_WEIGHT}
    assert not heavy, heavy


def test_every_page_has_one_h1_and_one_main(built):
    site, _ = built
    pages = pages_of(site)
    assert len(pages) > 5
    wrong = {name: (p.h1, p.main) for name, p in pages.items() if (p.h1, p.main) != (1, 1)}
    assert not wrong, f"pages without exactly one <h1> and one <main> (h1, main): {wrong}"


def test_no_id_is_used_twice_and_template_ids_are_prefixed(built):
    site, _ = built
    for name, page in pages_of(site).items():
        ids = [i for i, _ in page.ids]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        assert not twice, f"{name}: ids used twice: {twice}"
        theirs = [i for i, in_body in page.ids if not in_body and not i.startswith("sg-")]
        assert not theirs, f"{name}: ids made by templates must start with sg-: {theirs}"


def test_body_headings_named_like_template_sections_keep_their_ids(sample):
    page = read(sample / "case-studies" / "kashan-health-tv" / "index.html")
    body_ids = {i for i, in_body in page.ids if in_body}
    assert {"sources", "main", "related-case-studies", "countries"} <= body_ids
    assert {"sg-main", "sg-sources"} <= {i for i, in_body in page.ids if not in_body}


def test_links_stay_under_the_base_path(built):
    """Pages load nothing from another host, and every site link starts with the base path (404.html works anywhere)."""
    site, base = built
    for name, page in pages_of(site).items():
        for tag, attr, value in page.links:
            if tag == "a" and attr == "href" and re.match(r"(https?:|mailto:)", value):
                continue  # a link the reader may follow, to a source
            ok = value.startswith(base) or (tag == "a" and value.startswith("#")) \
                or (tag == "link" and re.match(r"https://[^/]+" + re.escape(base), value))  # canonical
            assert ok, f"{name}: <{tag} {attr}={value!r}> is not under {base}"


def test_html_lang_and_native_names(built):
    site, _ = built
    pages = pages_of(site)
    natives = 0
    for name, page in pages.items():
        assert page.html_lang, f"{name}: <html> has no lang"
        for span in page.native:
            natives += 1
            lang = span.get("lang", "")
            assert lang, f"{name}: a native city name without lang"
            if lang.split("-")[0] in RTL:
                assert span.get("dir") == "rtl", f"{name}: {lang} name without dir=rtl"
        for img in page.imgs:
            assert "alt" in img, f"{name}: <img src={img.get('src')!r}> has no alt"
    assert natives > 0, "no native city name found: the check would prove nothing"


def test_drafts_images_and_credits_show(sample):
    study = (sample / "case-studies" / "kashan-health-tv" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<h1>[^<]*<span class=\"badge\">Draft</span></h1>", study), "draft badge in the title"
    assert re.search(r'<figure class="study-figure">\s*<picture>\s*<source type="image/webp" '
                     r'srcset="/showcase/media/tv-1\.[0-9a-f]{8}\.webp 1w"[^>]*>\s*<img src="/showcase/media/tv-1\.'
                     r'[0-9a-f]{8}\.png" [^>]*alt="A television studio with two presenters"', study)
    assert "<figcaption>Photo: Kashan city, CC BY 4.0</figcaption>" in study
    assert 'lang="fa" dir="rtl">کاشان</span>' in study
    cards = (sample / "case-studies" / "index.html").read_text(encoding="utf-8")
    assert cards.count('<span class="badge">Draft</span>') == 1, "the draft card carries the badge, the others not"
    home = read(sample / "index.html")
    assert "Welcome" in home.h1_text


def test_home_totals_come_from_the_content(sample):
    text = re.sub(r"\s+", " ", read(sample / "index.html").text)
    for figure in ("3 case studies", "2 countries", "1 UNESCO region", "2 themes"):
        assert figure in text, figure


def test_index_pages_count_what_they_list(sample):
    countries = re.sub(r"\s+", " ", read(sample / "countries" / "index.html").text)
    assert "Iran 2 case studies" in countries and "China 1 case study" in countries
    themes = re.sub(r"\s+", " ", read(sample / "themes" / "index.html").text)
    assert "Reading and writing for all. 2 case studies" in themes
    region = re.sub(r"\s+", " ", read(sample / "regions" / "asia-pacific" / "index.html").text)
    assert "3 case studies from 2 countries" in region and "Iran" in region and "Libraries for all" in region


def test_sitemap_and_robots(built):
    site, base = built
    tree = ET.parse(site / "sitemap.xml")
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    assert tree.getroot().tag == ns + "urlset"
    locs = [e.text for e in tree.getroot().iter(ns + "loc")]
    assert locs and all(loc.startswith("https://") and base in loc for loc in locs)
    robots = (site / "robots.txt").read_text(encoding="utf-8")
    assert re.search(r"^Sitemap: https://\S+/sitemap\.xml$", robots, re.M)
