"""The generator end to end: content folders built by the real CLI, HTML read back."""

from __future__ import annotations

import filecmp
import gc
import html.parser
import re
from pathlib import Path

import pytest

from conftest import ROOT, SiteFolder, case_study, image_bytes, run_cli, without_json_ld


class Links(html.parser.HTMLParser):
    """Collects href/src values, ids and text of a page."""

    def __init__(self, text: str):
        super().__init__()
        self.refs: list[str] = []
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        for key in ("href", "src"):
            if attrs.get(key):
                self.refs.append(attrs[key])
        if attrs.get("id"):
            self.ids.append(attrs["id"])

    def handle_data(self, data):
        self.text.append(data)


def page(out: Path, path: str) -> str:
    return (out / path / "index.html").read_text(encoding="utf-8")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def ok(proc) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr


# --------------------------------------------------------------------------- pages and links

def write_rich_site(site: SiteFolder) -> SiteFolder:
    """Add to a one-study site: two more case studies, an about page and a home page."""
    site.study("gdynia-at-home", title="The Learning City at Home", city="Gdynia", country="PL",
               themes="[health-wellbeing, Equity and Inclusion]", date="2020-05-01",
               body="Gdynia moved centres online. See [Kashan](kashan-health-tv.md#context).\n\n## Context\n\nMore.\n")
    site.study("cork-festival", title="A festival of learning", city="Cork", country="Ireland",
               themes="[literacy]", date="2019-09-01", body="Cork's festival.\n\n## Results\n\nGood.\n")
    site.write("pages/about.md", "---\ntitle: About\nmenu: 1\n---\n\nWho we are.\n")
    site.write("home.md", "---\ntitle: Learning cities\n---\n\nA learning city helps everyone learn.\n")
    return site


@pytest.fixture
def rich_site(site: SiteFolder) -> SiteFolder:
    return write_rich_site(site)


@pytest.fixture(scope="module")
def rich_built(tmp_path_factory):
    """(process, output folder) of rich_site built once, as the `build` fixture does, for the tests that only read it."""
    root = tmp_path_factory.mktemp("rich")
    site = SiteFolder(root / "content")
    site.study("kashan-health-tv")
    write_rich_site(site)
    out = root / "output"
    return run_cli("build", "--content", site.root, "--output", out, "--templates", ROOT / "templates", cwd=root), out


def test_every_page_kind_is_written(rich_built):
    proc, out = rich_built
    ok(proc)
    for path in ["", "case-studies/", "case-studies/kashan-health-tv/", "case-studies/gdynia-at-home/",
                 "countries/", "countries/iran/", "countries/poland/", "countries/ireland/",
                 "themes/", "themes/health-wellbeing/", "themes/literacy/", "themes/equity-inclusion/", "regions/", "regions/asia-pacific/", "regions/europe-north-america/",
                 "about/"]:
        assert (out / path / "index.html").is_file(), path
    for name in ("404.html", "sitemap.xml", "robots.txt", ".nojekyll", "static/style.css"):
        assert (out / name).is_file(), name
    html_files = list(out.rglob("*.html"))
    assert f"Built {len(html_files)} pages" in proc.stdout
    assert len(html_files) == 24  # home, list, 3 studies, 1+3 countries, 1+3 themes, 1+5 regions, about, map, cities,
    # search, 404


def test_case_study_page_shows_its_facts_and_links(rich_built):
    proc, out = rich_built
    ok(proc)
    html_text = page(out, "case-studies/gdynia-at-home")
    links = Links(html_text)
    assert "The Learning City at Home" in html_text
    assert "Gdynia" in html_text and "Poland" in html_text and "Europe and North America" in html_text
    assert "/showcase/countries/poland/" in links.refs
    assert "/showcase/themes/health-wellbeing/" in links.refs
    assert "/showcase/themes/equity-inclusion/" in links.refs
    assert "/showcase/regions/europe-north-america/" in links.refs
    assert '<time datetime="2020-05-01">1 May 2020</time>' in html_text


def test_lists_are_newest_first_and_indexes_count(rich_built):
    proc, out = rich_built
    ok(proc)
    listing = page(out, "case-studies")
    order = [listing.index(t) for t in ("Every Home, A Health Base", "The Learning City at Home", "A festival of learning")]
    assert order == sorted(order)
    themes = Links(page(out, "themes")).refs
    assert "/showcase/themes/literacy/" in themes
    theme_page = page(out, "themes/health-wellbeing")
    assert "Every Home" in theme_page and "The Learning City at Home" in theme_page and "festival" not in theme_page


def test_related_case_studies_share_a_theme_or_country(rich_built):
    proc, out = rich_built
    ok(proc)
    refs = Links(page(out, "case-studies/kashan-health-tv")).refs
    assert "/showcase/case-studies/gdynia-at-home/" in refs  # shares health-wellbeing
    assert "/showcase/case-studies/cork-festival/" not in refs  # shares nothing


def test_home_page_has_intro_totals_and_latest(rich_built):
    proc, out = rich_built
    ok(proc)
    home = (out / "index.html").read_text()
    assert "A learning city helps everyone learn." in home
    assert "Every Home, A Health Base" in home
    text = " ".join(" ".join(Links(home).text).split())
    assert re.search(r"\b3 case studies\b", text), text
    assert re.search(r"\b3 countries\b", text), text


def test_country_aliases_share_one_page(site, build):
    for i, name in enumerate(["Iran", "IRN", "Iran, Islamic Republic of", "ir"]):
        site.study(f"iran-{i}", title=f"Iranian study {i}", country=f'"{name}"')
    proc, out = build(site)
    ok(proc)
    country = page(out, "countries/iran")
    for i in range(4):
        assert f"Iranian study {i}" in country
    assert sorted(p.name for p in (out / "countries").iterdir()) == ["index.html", "iran"]


def test_norway_is_not_false_and_korea_is_south(site, build):
    site.study("oslo", city="Oslo", country="NO")
    site.study("suwon", city="Suwon", country="Republic of Korea")
    proc, out = build(site)
    ok(proc)
    assert "Norway" in page(out, "countries/norway")
    assert "Suwon" in page(out, "countries/south-korea")


def test_region_is_derived_or_given(site, build):
    site.study("giza", city="Giza", country="EG")
    site.study("cairo", city="Cairo", country="EG", region='"Africa"')
    proc, out = build(site)
    ok(proc)
    assert "Giza" in page(out, "regions/arab-states") and "Cairo" not in page(out, "regions/arab-states")
    assert "Cairo" in page(out, "regions/africa")


def test_drafts_are_left_out_unless_asked(site, build, tmp_path):
    site.study("secret", title="Work in progress", draft="true")
    proc, out = build(site)
    ok(proc)
    assert not (out / "case-studies/secret").exists()
    assert "Work in progress" not in (out / "index.html").read_text()
    assert "Work in progress" not in (out / "sitemap.xml").read_text()
    proc, out = build(site, "--drafts", output=tmp_path / "with-drafts")
    ok(proc)
    assert "Work in progress" in page(out, "case-studies/secret")


def test_slug_from_non_ascii_file_name_and_override(site, build):
    site.write("case-studies/medellín-back-to-school.md", case_study(city="Medellín", country="CO"))
    site.study("anything", slug="chosen-name")
    proc, out = build(site)
    ok(proc)
    assert (out / "case-studies/medellin-back-to-school/index.html").is_file()
    assert (out / "case-studies/chosen-name/index.html").is_file()


def test_md_links_keep_fragments_and_images_are_published(site, build):
    site.write("case-studies/img/classroom.png", image_bytes("PNG", (600, 400)))
    site.write("pages/about.md", "---\ntitle: About\n---\n\nRead [Kashan](../case-studies/kashan-health-tv.md).\n")
    site.study("cork", title="Cork learns", city="Cork", country="IE", image="img/classroom.png",
               image_alt="Adults in a classroom",
               body="See [Kashan](kashan-health-tv.md#context) and [about](../pages/about.md).\n\n"
                    "![A class](img/classroom.png)\n\n## Context\n\nText.\n")
    proc, out = build(site)
    assert "error" not in proc.stderr and "links" not in proc.stderr, proc.stderr
    ok(proc)
    refs = Links(page(out, "case-studies/cork")).refs
    assert "/showcase/case-studies/kashan-health-tv/#context" in refs
    assert "/showcase/about/" in refs
    # a photo or bitmap is published resized (tests/test_images.py), never as it is
    made = sorted(p.name for p in (out / "media").iterdir())
    assert [re.sub(r"\.[0-9a-f]{8}\.", ".", name) for name in made] == [
        "classroom-480.png", "classroom-480.webp", "classroom-600.png", "classroom-600.webp"]
    assert f"/showcase/media/{made[2]}" in refs  # classroom-600.png: the widest, as <img src>
    assert not (out / "case-studies/img/classroom.png").exists()
    assert "/showcase/case-studies/kashan-health-tv/" in Links(page(out, "about")).refs


def test_broken_internal_link_is_an_error_as_in_check(site, build):
    """build and check give a rule the same severity: a link to no case study stops both."""
    site.study("cork", city="Cork", country="IE", body="Intro.\n\nSee [nowhere](missing-city.md).\n")
    proc, out = build(site)
    assert proc.returncode == 1 and not out.exists()
    assert "case-studies/cork.md:11:15: error: link to 'missing-city.md'" in proc.stderr
    checked = run_cli("check", "--content", site.root, cwd=site.root.parent)
    assert checked.returncode == 1
    assert "case-studies/cork.md:11:15: error: link to 'missing-city.md'" in checked.stdout + checked.stderr


def test_summary_defaults_to_first_paragraph(site, build):
    site.study("cork", city="Cork", country="IE", body="Cork holds a *festival* each year.\n\n## More\n\nText.\n")
    proc, out = build(site)
    ok(proc)
    html_text = page(out, "case-studies/cork")
    assert '<meta name="description" content="Cork holds a festival each year.">' in html_text


def test_raw_html_is_sanitized(site, build):
    site.study("evil", body='Hello <script>alert(1)</script> <img src=x onerror="alert(2)">\n\n'
                            '[click](javascript:alert(3))\n\nParagraph\n{: onclick="alert(4)" }\n')
    proc, out = build(site)
    ok(proc)
    html_text = without_json_ld(page(out, "case-studies/evil"))
    assert "alert(1)" not in html_text and "<script" not in html_text
    assert "onerror" not in html_text and "onclick" not in html_text
    assert "javascript:" not in html_text


def test_front_matter_values_are_escaped(site, build):
    site.study("kashan-health-tv", title="'<b>Bold</b> & \"quoted\"'", city="'<i>City</i>'")
    proc, out = build(site)
    ok(proc)
    html_text = page(out, "case-studies/kashan-health-tv")
    assert "<b>Bold</b>" not in html_text and "<i>City</i>" not in html_text
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &#34;quoted&#34;" in html_text


def test_markdown_extensions(site, build):
    site.study("rich", body='He said "hello" -- twice.[^1]\n\n## Data {#data-table}\n\n| a | b |\n|---|--:|\n| 1 | 2 |\n\n'
                            '```python\nprint("x")\n```\n\n[^1]: A note.\n')
    proc, out = build(site)
    ok(proc)
    html_text = page(out, "case-studies/rich")
    assert "&ldquo;hello&rdquo;" in html_text or "“hello”" in html_text
    assert '<h2 id="data-table">' in html_text
    assert "<table>" in html_text and 'style="text-align:right"' in html_text
    assert 'class="language-python"' in html_text
    assert 'class="footnote"' in html_text


def test_bom_and_crlf_files_load(site, build):
    text = case_study(city="Gdynia", country="PL").replace("\n", "\r\n")
    site.write("case-studies/gdynia.md", b"\xef\xbb\xbf" + text.encode("utf-8"))
    proc, out = build(site)
    ok(proc)
    assert "Gdynia" in page(out, "case-studies/gdynia")


# --------------------------------------------------------------------------- URLs

def test_base_url_path_is_kept_by_every_link(rich_built):
    proc, out = rich_built
    ok(proc)
    for file in out.rglob("*.html"):
        for ref in Links(file.read_text()).refs:
            if ref.startswith("/"):
                assert ref.startswith("/showcase/"), (file, ref)
            else:
                assert ref.startswith(("https://", "http://", "#", "mailto:")), (file, ref)
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://example.org/showcase/case-studies/kashan-health-tv/</loc>" in sitemap
    assert "Sitemap: https://example.org/showcase/sitemap.xml" in (out / "robots.txt").read_text()


def test_base_url_option_overrides_site_yaml(site, build):
    proc, out = build(site, "--base-url", "https://cities.example.net")
    ok(proc)
    assert '<link rel="stylesheet" href="/static/style.css">' in (out / "index.html").read_text()
    assert "https://cities.example.net/countries/iran/" in (out / "sitemap.xml").read_text()


def test_404_links_work_at_any_depth(site, build):
    proc, out = build(site)
    ok(proc)
    refs = Links((out / "404.html").read_text()).refs
    assert refs and all(r.startswith("/showcase/") for r in refs if not r.startswith(("#", "http")))


# --------------------------------------------------------------------------- errors

def run_errors(site, build, *args):
    proc, out = build(site, *args)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stderr


@pytest.mark.parametrize("front, line, message", [
    ("title: x\ncity: Kashan\ncountry: IR\nthemes: [literacy]\n", 1, "'date' is missing"),
    ("title: x\ncity: Kashan\ncountry: IR\nthemes: [literacy]\ndate: 2020-13-45\n", 6, "not a real date"),
    ("title: x\ncity: Kashan\ncountry: IR\nthemes: {a: 1}\ndate: 2020-01-01\n", 5, "'themes' must be a list"),
    ("title: [a, b]\ncity: Kashan\ncountry: IR\nthemes: [literacy]\ndate: 2020-01-01\n", 2, "'title' must be text"),
    ("title: x\ncity: Kashan\ncountry: Iarn\nthemes: [literacy]\ndate: 2020-01-01\n", 4, "Did you mean 'Iran' (IR)?"),
    ("title: x\ncity: Kashan\ncountry: IR\nthemes: [literacyy]\ndate: 2020-01-01\n", 5, "Did you mean 'Literacy'?"),
    ("title: x\ncity: Kashan\ncountry: IR\nthemes: [literacy]\ndate: 2020-01-01\ncoordinates: [100, 0]\n", 7, "off the globe"),
    ("title: x\ncity: Kashan\ncountry: IR\nthemes: [literacy]\ndate: 2020-01-01\nimage: pic.jpg\n", 7, "no image_alt"),
    ("title: x\ncity: Kashan\ncountry: IR\nthemes: [literacy]\ndate: 2020-01-01\nsources:\n  - title: A\n    url: ftp://x\n",
     9, "not a web address"),
    ("title: x\ncity: Kashan: the city\ncountry: IR\n", 3, "YAML syntax error"),
    ("- a list\n- not a mapping\n", 2, "must be 'key: value' lines"),
])
def test_front_matter_errors_are_located(site, build, front, line, message):
    site.write("case-studies/bad.md", "---\n" + front + "---\n\nBody.\n")
    stderr = run_errors(site, build)
    location = f"case-studies/bad.md:{line}:" if line else "case-studies/bad.md: error"
    matching = [entry for entry in stderr.splitlines() if location in entry and message in entry]
    assert matching, stderr


def test_file_level_errors(site, build):
    site.write("case-studies/latin1.md", case_study().replace("Kashan", "Kash\u00e1n").encode("latin-1"))
    site.write("case-studies/plain.md", "Just text, no front matter.\n")
    site.write("case-studies/open.md", "---\ntitle: never closed\n")
    stderr = run_errors(site, build)
    assert re.search(r"case-studies/latin1\.md:\d+(:\d+)?: error: the file is not UTF-8", stderr)
    assert "case-studies/plain.md:1: error: the file has no front matter" in stderr
    assert "case-studies/open.md:1: error: the front matter is not closed" in stderr


def test_duplicate_slugs_name_both_files(site, build):
    site.study("other", slug="kashan-health-tv")
    stderr = run_errors(site, build)
    assert "case-studies/other.md" in stderr and "case-studies/kashan-health-tv.md" in stderr


def test_all_problems_of_a_run_are_reported_at_once(site, build):
    site.study("a", country="Atlantis")
    site.study("b", date="2021-02-30")
    site.study("c", themes="[unknown-theme]")
    stderr = run_errors(site, build)
    assert "case-studies/a.md:4:" in stderr and "case-studies/b.md:6:" in stderr and "case-studies/c.md:5:" in stderr
    assert "3 errors" in stderr


def test_unknown_key_warns_with_a_hint_and_strict_fails(site, build):
    site.study("cork", city="Cork", country="IE", summray="typo")
    proc, _ = build(site)
    ok(proc)
    assert re.search(r"case-studies/cork\.md:7(:1)?: warning: unknown key 'summray' Fix: Did you mean 'summary'\?",
                     proc.stderr)
    assert run_errors(site, build, "--strict")


def test_site_yaml_errors(site, build):
    site.write("site.yaml", "title: T\nbase_url: not-a-url\nthemes:\n  - name: A\n  - name: A\n")
    stderr = run_errors(site, build)
    assert re.search(r"site\.yaml:2(:\d+)?: error: base_url 'not-a-url'", stderr)
    assert re.search(r"site\.yaml:5(:\d+)?: error: theme id 'a' is used twice", stderr)


def test_failed_build_leaves_output_untouched(site, build):
    proc, out = build(site)
    ok(proc)
    before = tree(out)
    site.study("broken", date="not a date")
    run_errors(site, build)
    assert tree(out) == before


def test_refuses_to_replace_a_folder_it_did_not_make(site, build, tmp_path):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.txt").write_text("do not delete")
    proc, _ = build(site, output=precious)
    assert proc.returncode == 1 and "refusing to write there" in proc.stderr
    assert (precious / "thesis.txt").read_text() == "do not delete"


def test_same_input_gives_byte_identical_output(rich_site, build, tmp_path):
    ok(build(rich_site, output=tmp_path / "one")[0])
    ok(build(rich_site, output=tmp_path / "two")[0])
    one, two = tree(tmp_path / "one"), tree(tmp_path / "two")
    assert one == two and len(one) > 15
    compare = filecmp.dircmp(tmp_path / "one", tmp_path / "two")
    assert not compare.diff_files


def test_bundled_showcase_builds_strictly(showcase):
    assert (showcase / "case-studies/kashan-health-tv/index.html").is_file()
    assert (showcase / "case-studies/gdynia-learning-city-at-home/index.html").is_file()


def test_build_py_without_arguments_builds_content_into_output(tmp_path):
    """`python build.py` from a project folder: the README's first command."""
    project = tmp_path / "project"
    project.mkdir()
    SiteFolder(project / "content").study("kashan-health-tv")
    (project / "templates").symlink_to(ROOT / "templates")
    proc = run_cli(cwd=project)
    ok(proc)
    assert (project / "output/case-studies/kashan-health-tv/index.html").is_file()
    assert re.search(r"Built \d+ pages", proc.stdout)


def _collector_on(_) -> bool:
    return gc.isenabled()


def test_render_workers_collect_cyclic_garbage_while_the_build_pauses_it():
    """A build pauses the cyclic collector; its forked workers must not inherit the pause, or each keeps
    every page it renders (a page's template context is a cycle)."""
    from sitegen.build import parallel

    gc.disable()
    try:
        assert parallel.parallel_map(_collector_on, list(range(8)), jobs=2, threshold=1) == [True] * 8
    finally:
        gc.enable()
