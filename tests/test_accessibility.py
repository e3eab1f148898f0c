"""Accessibility of the real pages in headless Chromium.

axe-core (WCAG 2.0/2.1 A and AA, plus best practices) must report zero
violations on the home page, a case study, a country, a theme, a region and
the 404 page, and Arabic (right-to-left) pages, at phone and desktop widths and in the dark colour scheme.
The browser also checks what axe does not: one <h1>, a working skip link,
a visible focus ring, languages on native names, alt text, tap target sizes,
no horizontal scrolling at 320 px, and no request leaving 127.0.0.1.
The showcase is served under its real base path, /learning-cities/.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from conftest import AXE_SCRIPT

pytestmark = pytest.mark.spread  # one browser and one showcase per worker: xdist may deal these tests out one by one

BASE = "/learning-cities/"  # the path of base_url in the bundled content/site.yaml
PAGES = {
    "home": "",
    "list": "case-studies/",  # with "Download the data", like the About page
    "page": "about/",
    "case-study": "case-studies/kashan-health-tv/",
    "country": "countries/iran/",
    "theme": "themes/health-wellbeing/",
    "region": "regions/asia-pacific/",
    "map": "map/",
    "cities": "cities/",
    "search": "search/",
    "404": "no/such/page/",  # missing: the server answers with 404.html
    # right to left: the showcase in Arabic (a translated case study, lists, the map and search)
    "ar-home": "ar/",
    "ar-list": "ar/case-studies/",
    "ar-case-study": "ar/case-studies/al-wakra-sustainability-plan/",
    "ar-untranslated": "ar/case-studies/kashan-health-tv/",
    "ar-region": "ar/regions/arab-states/",
    "ar-map": "ar/map/",
    "ar-search": "ar/search/",
}
WIDTHS = (375, 1280)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


@pytest.fixture
def site_url(showcase, static_server) -> str:
    for name, path in PAGES.items():
        if name != "404":
            assert (showcase / path / "index.html").exists(), f"the showcase has no page {path}"
    return static_server(showcase, BASE)


def open_page(page, url: str, expect_status: int = 200):
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == expect_status, f"{url}: HTTP {response and response.status}"


def status_for(name: str) -> int:
    return 404 if name == "404" else 200


AXE_RUN = "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(AXE_RUN, AXE_TAGS)["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').splitlines()[-1:]}")
    return "\n".join(lines)


# ---------- axe-core ----------

@pytest.mark.axe
@pytest.mark.parametrize("name", list(PAGES))
def test_axe_finds_no_violation(page, site_url, name):
    """At each width in the light scheme, then at the widest in the dark scheme (switched on the loaded
    page, as a reader's system setting switches it)."""
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        open_page(page, site_url + PAGES[name], status_for(name))
        found[f"{width}px"] = axe_violations(page)
    page.emulate_media(color_scheme="dark")
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    found["dark"] = page.evaluate(AXE_RUN, AXE_TAGS)["violations"]  # axe is already on the page
    assert all(v == [] for v in found.values()), "\n".join(f"{name} at {k}:\n{describe(v)}" for k, v in found.items() if v)


@pytest.mark.axe
def test_axe_on_a_draft_with_an_image(page, sample, static_server):
    """The showcase has no draft: check a sample case study that has one, with an image."""
    url = static_server(sample, "/showcase/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        open_page(page, url + "case-studies/kashan-health-tv/")
        assert page.locator("h1 .badge").inner_text().strip().lower() == "draft"
        assert page.locator("figure img").get_attribute("alt")
        violations = axe_violations(page)
        assert violations == [], f"sample case study at {width}px:\n{describe(violations)}"


@pytest.mark.axe
def test_axe_can_fail(page, site_url):
    """A check that cannot fail proves nothing: break a page in the browser and axe must say so."""
    open_page(page, site_url)
    page.evaluate("""() => {
        document.querySelector('img').removeAttribute('alt');
        document.querySelector('main p').style.color = '#ccc';
    }""")
    found = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast"} <= found, found


# ---------- what the browser checks besides axe ----------

@pytest.mark.browser
@pytest.mark.parametrize("name", list(PAGES))
def test_page_structure(page, site_url, name):
    open_page(page, site_url + PAGES[name], status_for(name))
    facts = page.evaluate("""() => ({
        h1: document.querySelectorAll('h1').length,
        main: document.querySelectorAll('main').length,
        lang: document.documentElement.lang,
        natives: [...document.querySelectorAll('.native > span')].map(s => [s.lang, s.dir, s.textContent]),
        imgs: [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.src),
        title: document.title,
    })""")
    assert facts["h1"] == 1 and facts["main"] == 1, facts
    assert facts["lang"], "<html> has no lang"
    assert facts["title"].strip()
    for lang, direction, text in facts["natives"]:
        assert lang, f"native name {text!r} has no lang"
        if lang.split("-")[0] in ("ar", "fa", "he", "ur"):
            assert direction == "rtl", f"{text!r} ({lang}) is not marked right-to-left"
    assert facts["imgs"] == [], f"images without alt: {facts['imgs']}"
    if name == "case-study":
        assert facts["natives"], "the Kashan case study shows its Persian name"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["home", "case-study", "404"])
def test_skip_link_moves_focus_to_main(page, site_url, name):
    open_page(page, site_url + PAGES[name], status_for(name))
    page.keyboard.press("Tab")
    first = page.evaluate("""() => {
        const a = document.activeElement, box = a.getBoundingClientRect();
        return {cls: a.className, top: box.top, height: box.height, text: a.textContent};
    }""")
    assert first["cls"] == "skip-link", f"the first Tab should reach the skip link, got {first}"
    assert first["top"] >= 0 and first["height"] > 0, f"the focused skip link must be on screen: {first}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "sg-main"
    assert page.evaluate("document.activeElement.tagName") == "MAIN"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["home", "case-study"])
def test_focused_links_show_a_visible_ring(page, site_url, name):
    open_page(page, site_url + PAGES[name])
    checked = 0
    for _ in range(12):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => {
            const a = document.activeElement, s = getComputedStyle(a);
            return {tag: a.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor,
                    text: a.textContent.trim().slice(0, 40)};
        }""")
        if ring["tag"] != "A":
            continue
        checked += 1
        assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, f"no visible focus ring: {ring}"
        assert ring["color"] not in ("transparent", "rgba(0, 0, 0, 0)"), ring
    assert checked >= 8, f"only {checked} links reached by Tab"


@pytest.mark.browser
@pytest.mark.parametrize("name", ["home", "case-study", "country"])
def test_tap_targets_are_at_least_24px(page, site_url, name):
    page.set_viewport_size({"width": 375, "height": 800})
    open_page(page, site_url + PAGES[name])
    small = page.evaluate("""() => [...document.querySelectorAll(
            '.site-nav a, .brand, .breadcrumbs a, .chip, .site-footer-links a, .section-head > a, .stats a')]
        .filter(a => a.getClientRects().length > 0)  // not shown at this width (the footer has it)
        .map(a => ({text: a.textContent.trim(), box: a.getBoundingClientRect()}))
        .filter(t => t.box.height < 24 || t.box.width < 24)
        .map(t => `${t.text}: ${Math.round(t.box.width)}x${Math.round(t.box.height)}`)""")
    assert small == [], f"tap targets smaller than 24 px: {small}"


@pytest.mark.browser
@pytest.mark.parametrize("width,height", [(1280, 800), (375, 812), (320, 640)])
def test_the_first_screen_of_the_home_page_shows_the_showcase(page, site_url, width, height):
    """Search, the way to the map and the first case-study cards, without scrolling; one row of menu."""
    page.set_viewport_size({"width": width, "height": height})
    open_page(page, site_url)
    seen = page.evaluate("""() => {
        const bottom = s => { const e = document.querySelector(s); return e && e.getBoundingClientRect().bottom; };
        const rows = new Set([...document.querySelectorAll('.site-nav li')].filter(li => li.getClientRects().length)
            .map(li => Math.round(li.getBoundingClientRect().top)));
        return {search: bottom('#sg-site-q'), map: bottom('.home-ways a[href$="/map/"]'),
                card: document.querySelector('.card').getBoundingClientRect().top, rows: rows.size};
    }""")
    if width >= 375:
        assert seen["search"] <= height and seen["map"] <= height and seen["card"] < height - 40, seen
    assert seen["rows"] == 1, seen
    hidden = page.eval_on_selector_all(".site-nav a", "as => as.filter(a => !a.getClientRects().length)"
                                       ".map(a => a.getAttribute('href'))")
    footer = page.eval_on_selector_all(".site-footer-links a", "as => as.map(a => a.getAttribute('href'))")
    assert set(hidden) - {BASE} <= set(footer), "what the phone menu leaves out, the footer has"


LANGUAGES = ("", "fr/", "es/", "ar/")  # the showcase's own language at the root, the others under their code
PHONE = (320, 640)
AT_ONCE = 12  # pages loaded side by side, each in a frame the size of the phone's screen
# Loads each address in a frame as wide as a phone (its own viewport: the page's media queries see 320 px),
# waits for every frame's load event, and answers how wide each page's content is.
FRAMES_JS = """async ([addresses, width, height]) => {
    document.body.replaceChildren();
    const frames = addresses.map(address => {
        const frame = document.createElement('iframe');
        frame.style.cssText = `display: block; border: 0; width: ${width}px; height: ${height}px`;
        const loaded = new Promise(done => frame.addEventListener('load', done, {once: true}));
        frame.src = address;
        document.body.append(frame);
        return loaded.then(() => frame.contentDocument.scrollingElement.scrollWidth);
    });
    return Promise.all(frames);
}"""


def content_widths(page, addresses: list[str]) -> list[int]:
    """How wide each page's content is on a phone's screen (PHONE), a few pages at a time."""
    widths: list[int] = []
    for start in range(0, len(addresses), AT_ONCE):
        widths += page.evaluate(FRAMES_JS, [addresses[start:start + AT_ONCE], *PHONE])
    return widths


@pytest.mark.browser
@pytest.mark.parametrize("prefix", LANGUAGES, ids=lambda prefix: prefix.rstrip("/") or "root")
def test_no_page_scrolls_sideways_at_320px(page, showcase, static_server, prefix):
    """Every page of the showcase, not only those above, fits a 320 px wide phone (a language at a time).
    The pages load in frames of the phone's size, side by side, in a page of the same site."""
    url = static_server(showcase, BASE)
    paths = sorted(p.parent.relative_to(showcase).as_posix() + "/" for p in showcase.rglob("index.html"))
    paths = [("" if p == "./" else p) for p in paths]
    others = tuple(code for code in LANGUAGES if code and code != prefix)  # the root's part takes every page
    paths = [p for p in paths if p.startswith(prefix) and not p.startswith(others)]  # not in another's
    paths += [PAGES["404"]] if not prefix else []
    open_page(page, url + "robots.txt")  # a page of the same origin, whose frames' documents it may read
    widths = content_widths(page, [url + path for path in paths])
    wide = [f"{path or '/'}: {width}px" for path, width in zip(paths, widths, strict=True) if width > PHONE[0]]
    assert len(paths) > 10
    assert wide == [], f"pages wider than 320 px: {wide}"


@pytest.mark.browser
def test_the_phone_frames_see_what_a_phone_sized_window_sees(page, showcase, static_server):
    """The frames above measure what a window of the phone's size does, wide pages included: a page made
    wider than the phone by a long unbreakable word is found, at the width a window would give."""
    url = static_server(showcase, BASE)
    paths = ["", PAGES["case-study"], PAGES["map"], PAGES["ar-home"], "robots.txt"]
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    in_window = []
    for path in paths:
        open_page(page, url + path)
        in_window.append(page.evaluate("document.scrollingElement.scrollWidth"))
    page.route("**/too-wide/", lambda route: route.fulfill(
        content_type="text/html", body="<!DOCTYPE html><title>Wide</title><p>" + "w" * 300 + "</p>"))
    page.goto(url + "robots.txt")
    framed = content_widths(page, [url + path for path in [*paths, "too-wide/"]])
    page.goto(url + "too-wide/")
    in_window.append(page.evaluate("document.scrollingElement.scrollWidth"))
    assert framed == in_window
    assert framed[-1] > PHONE[0]


@pytest.mark.browser
def test_no_request_leaves_the_machine(page, site_url):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for name, path in PAGES.items():
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            open_page(page, site_url + path, status_for(name))
    assert requests, "no request recorded: the check would prove nothing"
    outside = sorted({u for u in requests if urlsplit(u).scheme not in ("data", "blob")
                      and urlsplit(u).hostname != "127.0.0.1"})
    assert outside == [], f"requests to other hosts: {outside}"
    assert any(u.endswith("static/style.css") for u in requests), "the stylesheet was requested locally"


@pytest.mark.axe
def test_right_to_left_site_mirrors(page, tmp_path, static_server):
    """A site in Arabic: the page runs right to left, the brand sits at the right, nothing scrolls sideways."""
    from test_design import build_sample

    url = static_server(build_sample(tmp_path, language="ar"), "/showcase/")
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        open_page(page, url + "case-studies/kashan-health-tv/")
        layout = page.evaluate("""() => ({
            dir: document.documentElement.dir,
            brandRight: document.querySelector('.brand').getBoundingClientRect().right,
            h1Right: document.querySelector('h1').getBoundingClientRect().right,
            width: document.scrollingElement.scrollWidth,
        })""")
        assert layout["dir"] == "rtl", layout
        assert layout["width"] <= width, layout
        assert layout["brandRight"] > width * 0.85 and layout["h1Right"] > width * 0.85, layout
        violations = axe_violations(page)
        assert violations == [], f"right-to-left case study at {width}px:\n{describe(violations)}"
