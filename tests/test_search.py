"""Search: the Pagefind index a build writes, and the search page in headless Chromium.

The index is made from the pages as built (write/search.py) inside the build's
transaction; the search page (templates/search.html, static/search.js) asks it.
The browser tests type a city and a native-script city name, follow a result,
filter by theme with the keyboard alone, and run axe with results open. Served
under the showcase's base path, so result links must carry it.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from conftest import AXE_SCRIPT, ROOT, originals, run_cli

from sitegen.build import pipeline
from sitegen.write import search

BASE = "/learning-cities/"


def options(content: Path, output: Path, **extra) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(**{"content": content, "output": output, "templates": ROOT / "templates",
                                    "cache_dir": None, **extra})


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def index_files(folder: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in tree(folder).items() if rel.startswith(search.BUNDLE + "/")}


# ---------- the index a build writes ----------

def test_the_showcase_has_an_index_of_its_case_studies_and_pages(showcase):
    entry = json.loads((showcase / "pagefind" / "pagefind-entry.json").read_text())
    indexed = sum(language["page_count"] for language in entry["languages"].values())
    pages = [p for folder in ("case-studies", "pages") for p in originals(ROOT / "content" / folder)]
    languages = len(entry["languages"])  # (translations are the same pages in a language)
    assert languages == 4, "English, French, Spanish and Arabic each have an index of their own"
    assert indexed == languages * len(pages), "every case study and free page in every language, no list page"
    assert (showcase / "pagefind" / "pagefind.js").is_file()


def test_case_study_pages_carry_what_results_show_and_filter_by(showcase):
    html = (showcase / "case-studies" / "kashan-health-tv" / "index.html").read_text()
    assert html.count("data-pagefind-body") == 1
    assert '<span data-pagefind-meta="city">Kashan</span>' in html
    assert '<span data-pagefind-filter="country">Iran</span>' in html
    assert '<span data-pagefind-filter="year">2021</span>' in html
    assert re.search(r'<span data-pagefind-filter="theme">Health and well-being</span>', html)
    for listing in ("case-studies/index.html", "themes/index.html", "index.html", "search/index.html"):
        assert "data-pagefind-body" not in (showcase / listing).read_text(), listing


def test_every_page_has_a_search_form_that_works_without_script(showcase):
    for rel in ("index.html", "case-studies/kashan-health-tv/index.html", "themes/index.html", "404.html"):
        html = (showcase / rel).read_text()
        form = re.search(r'<form class="site-search" role="search" action="([^"]+)" method="get">', html)
        assert form and form.group(1) == BASE + "search/", rel
        assert 'name="q"' in html and 'for="sg-site-q"' in html, rel
    page = (showcase / "search" / "index.html").read_text()
    assert 'class="site-search"' not in page, "the search page has its own form, not a second one"
    assert "needs JavaScript" in page
    for index in ("case-studies/", "themes/", "countries/", "regions/"):
        assert f'href="{BASE}{index}"' in page


def test_the_filters_list_what_the_case_studies_have(site, tmp_path):
    site.study("a", city="Giza", country="EG", themes="[literacy]", date="2019-05-01")
    out = tmp_path / "out"
    assert pipeline.build(options(site.root, out)).ok
    html = (out / "search" / "index.html").read_text()
    selects = dict(re.findall(r'<select id="sg-filter-(\w+)" name="\w+">(.*?)</select>', html, re.S))
    options_of = {name: re.findall(r"<option>([^<]*)</option>", body) for name, body in selects.items()}
    assert options_of["country"] == ["Egypt", "Iran"]
    assert options_of["year"] == ["2021", "2019"]
    assert set(options_of["theme"]) == {"Literacy", "Health and well-being"}
    assert options_of["region"] == sorted(options_of["region"], key=["Africa", "Arab States", "Asia and the Pacific",
                                                                      "Europe and North America",
                                                                      "Latin America and the Caribbean"].index)


def test_a_warm_build_keeps_the_index_and_an_edit_makes_it_again_as_a_clean_build_would(site, tmp_path):
    out, clean = tmp_path / "out", tmp_path / "clean"
    cache = tmp_path / "cache"
    assert pipeline.build(options(site.root, out, cache_dir=cache)).ok
    before = {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()}
    again = pipeline.build(options(site.root, out, cache_dir=cache))
    assert again.ok and not [c for c in again.changed if c.startswith("pagefind/")]
    assert {p: p.stat().st_mtime_ns for p in (out / "pagefind").rglob("*") if p.is_file()} == before

    site.study("kashan-health-tv", body="Kashan put health lessons on local TV; a zebra appears.\n")
    edited = pipeline.build(options(site.root, out, cache_dir=cache))
    assert edited.ok and [c for c in edited.changed if c.startswith("pagefind/")]
    assert pipeline.build(options(site.root, clean)).ok
    assert index_files(out) == index_files(clean), "the warm index is byte for byte the clean one"
    assert tree(out).keys() == tree(clean).keys(), "no file of the old index is left behind"


def test_a_failed_index_fails_the_build_and_leaves_the_output_as_it_was(site, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert pipeline.build(options(site.root, out)).ok
    before = tree(out)
    site.study("kashan-health-tv", title="A new title")
    monkeypatch.setattr(search, "executable", lambda: Path("/bin/false"))
    result = pipeline.build(options(site.root, out))
    assert not result.ok
    [error] = [d for d in result.report.items if d.severity == "error"]
    assert str(error.path) == "pagefind" and "search indexer stopped with status 1" in error.message
    assert tree(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith((".sitegen-search-", ".out.sitegen-stage"))]


def test_no_search_builds_without_the_index_and_removes_the_one_sitegen_made(site, tmp_path):
    out = tmp_path / "out"
    proc = run_cli("build", "--content", site.root, "--output", out, "--no-search")
    assert proc.returncode == 0, proc.stderr
    assert not (out / "pagefind").exists() and (out / "search" / "index.html").is_file()
    assert run_cli("build", "--content", site.root, "--output", out).returncode == 0
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert run_cli("build", "--content", site.root, "--output", out, "--no-search").returncode == 0
    assert not (out / "pagefind").exists(), "the index sitegen wrote goes with the next build that makes none"
    assert "--no-search" in run_cli("build", "--help").stdout


def test_check_writes_no_index(site, tmp_path, monkeypatch):
    monkeypatch.setattr(search, "executable", lambda: pytest.fail("check must not run the indexer"))
    assert pipeline.dry_run(options(site.root, tmp_path / "out")).ok


# ---------- the search page in a browser ----------


@pytest.fixture
def search_url(showcase, static_server) -> str:
    return static_server(showcase, BASE) + "search/"


def results_of(page) -> list[str]:
    page.wait_for_function("() => { const s = document.getElementById('sg-search-status').textContent;"
                           " return s && !s.startsWith('Searching'); }")
    return [a.get_attribute("href") for a in page.query_selector_all(".search-result-title a")]


@pytest.mark.spread
@pytest.mark.parametrize("words", ["Kashan", "کاشان"])
def test_typing_a_city_finds_its_case_study_and_opens_it(page, search_url, words):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(search_url)
    page.fill("#sg-q", words)
    found = results_of(page)
    assert found and found[0] == BASE + "case-studies/kashan-health-tv/"
    assert re.fullmatch(r"\d+ results? for “.+”\.", page.text_content("#sg-search-status"))
    assert page.text_content(".search-result-place") == "Kashan, Iran"
    assert f"q={words}" in page.evaluate("decodeURIComponent(location.search)"), "the address can be shared"
    page.click(".search-result-title a")
    page.wait_for_url("**/case-studies/kashan-health-tv/")
    assert "Kashan" in page.text_content("h1")
    assert all(url.startswith(search_url.split(BASE)[0]) for url in requests), "no request leaves the site"


@pytest.mark.spread
def test_a_theme_filter_chosen_with_the_keyboard_alone(page, search_url, showcase):
    page.goto(search_url)
    page.focus("#sg-q")
    page.keyboard.press("Tab")  # the search button
    page.keyboard.press("Tab")  # the theme filter
    assert page.evaluate("document.activeElement.id") == "sg-filter-theme"
    labels = page.eval_on_selector_all("#sg-filter-theme option", "os => os.map(o => o.textContent)")
    steps = labels.index("Literacy")
    for _ in range(steps):
        page.keyboard.press("ArrowDown")
    assert page.input_value("#sg-filter-theme") == "Literacy"
    found = results_of(page)
    literacy = (showcase / "themes" / "literacy" / "index.html").read_text()
    listed = {m for m in re.findall(r'href="(' + BASE + r'case-studies/[^"/]+/)"', literacy)}
    assert found and set(found) <= listed
    assert "theme=Literacy" in page.evaluate("location.search")
    page.keyboard.press("Tab")  # on to the next filter: the first result stays reachable by keyboard
    page.focus(".search-result-title a")
    assert page.evaluate("document.activeElement.closest('.search-result') !== null")


@pytest.mark.spread
@pytest.mark.axe
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [375, 1280])
def test_axe_finds_nothing_with_results_open(page, search_url, width, scheme):
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(search_url + "?q=learning")
    assert len(results_of(page)) >= 2
    page.add_script_tag(path=str(AXE_SCRIPT))
    violations = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', "
                               "'wcag21aa', 'best-practice']}, resultTypes: ['violations']})")["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "no sideways scrolling"


@pytest.mark.spread
def test_without_script_the_search_page_points_to_the_indexes(browser, search_url):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(search_url + "?q=Kashan")
        assert page.is_visible("text=Search runs in your browser and needs JavaScript.")
        page.click("text=Themes >> nth=-1")
        page.wait_for_url("**/themes/")
    finally:
        context.close()


def test_the_preview_builds_no_index_so_a_save_is_not_held_back(site, tmp_path):
    from argparse import Namespace

    from sitegen.commands import serve

    options = serve.build_options(Namespace(content=site.root, templates=ROOT / "templates", base_url=None,
                                            no_drafts=False), tmp_path / "preview")
    session = pipeline.Session(options)
    assert session.rebuild().ok
    assert not (tmp_path / "preview" / search.BUNDLE).exists()
    assert (tmp_path / "preview" / "search" / "index.html").is_file()


def wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "waited too long"
        time.sleep(0.05)


def test_the_preview_indexes_after_each_rebuild_and_a_save_or_a_stop_cuts_it_short(site, tmp_path, monkeypatch):
    from sitegen.commands.preview_index import PreviewIndex

    built = tmp_path / "site"
    assert pipeline.build(options(site.root, built, search=False)).ok
    said: list[str] = []
    index = PreviewIndex(built, tmp_path, say=said.append, quiet=0)
    index.poll()
    assert index.running is None, "nothing to index before a rebuild has said which language"

    index.resume("en-GB", ["index.html"])
    index.poll()  # starts Pagefind
    assert index.running is not None and index.language == "en"
    wait_for(index.running.done)
    index.poll()  # installs its bundle
    assert (built / "pagefind" / "pagefind-entry.json").is_file() and said[-1].startswith("Search index made in")
    entry = (built / "pagefind" / "pagefind-entry.json").read_bytes()
    index.resume("en", ["static/style.css"])
    index.poll()
    assert index.running is None, "no page changed: the index stands"

    index.resume("en", ["case-studies/kashan-health-tv/index.html"])
    index.poll()
    bundle = index.running.bundle
    index.pause()  # a save: Pagefind is stopped and its half-made bundle goes
    assert index.running is None and not bundle.exists()
    assert (built / "pagefind" / "pagefind-entry.json").read_bytes() == entry, "the last index stays until replaced"
    index.poll()
    assert index.running is not None, "the index that was cut short is made again"
    index.kill()  # serve stops
    wait_for(index.running.done)
    index.poll()
    index.close()
    assert index.running is None and said[-1].startswith("Search index made in") and len(said) == 1
    wait_for(lambda: not [p for p in tmp_path.iterdir() if p.name.startswith("search-index-")])

    waiting = PreviewIndex(built, tmp_path, say=said.append, quiet=30)
    waiting.resume("en", ["index.html"])
    waiting.poll()
    assert waiting.running is None, "no index starts until the rebuilds have paused"

    monkeypatch.setattr(search, "executable", lambda: Path("/bin/false"))
    failing = PreviewIndex(built, tmp_path, say=said.append, quiet=0)
    failing.resume("en", ["index.html"])
    failing.poll()
    wait_for(failing.running.done)
    failing.poll()
    assert "search index could not be made" in said[-1] and "status 1" in said[-1]
    failing.poll()
    assert failing.running is None, "a failed index is not tried again until a page changes"
