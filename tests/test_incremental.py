"""The build cache never serves a stale page: after any edit, a warm build equals a clean one, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, SiteFolder, case_study, made_from_templates
from sitegen.build import pipeline
from sitegen.markup.convert import Converter
from sitegen.render.environment import CompiledTemplates


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Project:
    """A content folder, a copy of the templates, a cache and an output folder in a temporary directory."""

    def __init__(self, root: Path):
        self.root = root
        self.site = SiteFolder(root / "content")
        self.templates = root / "templates"
        shutil.copytree(ROOT / "templates", self.templates)
        self.output = root / "output"
        self.site.study("kashan-health-tv")
        self.site.study("gdynia", title="Learning at home", city="Gdynia", country="PL",
                        themes="[health-wellbeing, literacy]", date="2020-05-01",
                        body="Gdynia went online. See [Kashan](kashan-health-tv.md).\n\n## Context\n\nText.\n")
        self.site.study("cork", title="A festival", city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
        self.site.write("pages/about.md", "---\ntitle: About\nmenu: 1\n---\n\nRead about [Cork](../case-studies/cork.md).\n")

    def options(self, output: Path | None = None, **extra) -> pipeline.BuildOptions:
        extra.setdefault("jobs", 1)
        return pipeline.BuildOptions(content=self.site.root, output=output or self.output, templates=self.templates,
                                     cache_dir=self.root / ".cache", **extra)

    def build(self, **extra) -> pipeline.BuildResult:
        result = pipeline.build(self.options(**extra))
        assert result.ok, result.report.as_text()
        return result

    def assert_equals_clean_build(self, **extra) -> None:
        clean = self.root / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        result = pipeline.build(pipeline.BuildOptions(content=self.site.root, output=clean, templates=self.templates,
                                                      cache_dir=None, jobs=1, **extra))
        assert result.ok, result.report.as_text()
        assert tree(self.output) == tree(clean)


@pytest.fixture
def project(tmp_path) -> Project:
    p = Project(tmp_path)
    first = p.build()
    assert len(first.rendered) == len(made_from_templates(first.files))
    return p


def test_nothing_changed_renders_and_writes_nothing(project):
    before = {p: p.stat().st_mtime_ns for p in project.output.rglob("*") if p.is_file()}
    result = project.build()
    assert result.rendered == [] and result.changed == []
    assert {p: p.stat().st_mtime_ns for p in project.output.rglob("*") if p.is_file()} == before


def test_body_edit_renders_only_its_page(project):
    project.site.study("cork", title="A festival", city="Cork", country="IE", themes="[literacy]", date="2019-09-01",
                       body="Kashan put health lessons on local TV.\n\n## Context\n\nNew words here.\n")
    result = project.build()
    # its page, and the feeds that carry its whole body: the site's, its theme's, country's and region's
    assert result.rendered == ["case-studies/cork/index.html", "feed.xml", "themes/literacy/feed.xml",
                               "countries/ireland/feed.xml", "regions/europe-north-america/feed.xml"]
    assert "New words here." in (project.output / "case-studies/cork/index.html").read_text()
    assert "New words here." in (project.output / "countries/ireland/feed.xml").read_text()
    project.assert_equals_clean_build()


def conversions(monkeypatch, log: Path) -> Path:
    """Append the file of each body Python-Markdown converts, in this process or a render process
    forked from it, to `log` (one line each)."""
    real = Converter.convert

    def convert(self, text):
        with log.open("a", encoding="utf-8") as f:
            f.write(text.rel + "\n")
        return real(self, text)

    monkeypatch.setattr(Converter, "convert", convert)
    return log


def converted(log: Path) -> list[str]:
    return sorted(log.read_text(encoding="utf-8").split()) if log.exists() else []


def test_feeds_rendered_again_convert_only_the_body_that_changed(project, monkeypatch):
    log = conversions(monkeypatch, project.root / "converted.txt")
    project.site.study("cork", title="A festival", city="Cork", country="IE", themes="[literacy]", date="2019-09-01",
                       body="Cork opened its festival.\n\n## Context\n\nNew words here.\n")
    result = project.build()
    assert "feed.xml" in result.rendered  # which carries the other two bodies as well
    assert converted(log) == ["case-studies/cork.md"]  # the others' conversions come from the cache
    feed = (project.output / "feed.xml").read_text(encoding="utf-8")
    assert "New words here." in feed and "Gdynia went online." in feed
    project.assert_equals_clean_build()


def test_a_feed_converts_again_a_body_whose_link_now_leads_elsewhere(project, monkeypatch):
    log = conversions(monkeypatch, project.root / "converted.txt")
    kashan = project.site.root / "case-studies" / "kashan-health-tv.md"
    kashan.write_text(kashan.read_text(encoding="utf-8").replace("title:", "slug: kashan\ntitle:", 1), encoding="utf-8")
    project.build()
    assert "case-studies/gdynia.md" in converted(log)  # unchanged, but its link to Kashan's page moved
    feed = (project.output / "feed.xml").read_text(encoding="utf-8")
    assert "case-studies/kashan/&#34;&gt;Kashan" in feed or "case-studies/kashan/&quot;&gt;Kashan" in feed, feed
    project.assert_equals_clean_build()


def test_a_parallel_build_converts_each_body_once(tmp_path, monkeypatch):
    """The feeds render after every other page, from the conversions the render processes send back."""
    project = Project(tmp_path)
    extra = [f"case-studies/study-{i:02d}.md" for i in range(40)]  # batches enough for both render processes
    for i, rel in enumerate(extra):
        project.site.study(Path(rel).stem, title=f"Study {i}", city=f"City {i}", country=["IE", "PL", "KR"][i % 3],
                           themes="[literacy]", date=f"2021-01-{1 + i % 28:02d}")
    log = conversions(monkeypatch, tmp_path / "converted.txt")
    result = project.build(jobs=2, parallel_from=1)
    assert {"feed.xml", "countries/ireland/feed.xml"} <= set(result.rendered) and len(result.rendered) > 3 * 48
    bodies = ["case-studies/cork.md", "case-studies/gdynia.md", "case-studies/kashan-health-tv.md", *extra,
              "pages/about.md"]
    assert converted(log) == sorted(bodies)
    log.unlink()
    project.site.study("cork", title="A festival", city="Cork", country="IE", themes="[literacy]", date="2019-09-01",
                       body="Cork opened its festival.\n\n## Context\n\nNew words here.\n")
    project.build(jobs=2, parallel_from=1)
    assert converted(log) == ["case-studies/cork.md"]
    project.assert_equals_clean_build()


def test_title_edit_updates_every_page_that_shows_it(project):
    project.site.study("cork", title="The Cork festival of learning", city="Cork", country="IE", themes="[literacy]",
                       date="2019-09-01")
    result = project.build()
    for path in ("case-studies/cork/index.html", "case-studies/index.html", "index.html",
                 "countries/ireland/index.html", "themes/literacy/index.html", "regions/europe-north-america/index.html",
                 "data/case-studies.json", "data/case-studies.csv"):
        assert path in result.rendered
        assert "The Cork festival of learning" in (project.output / path).read_text(), path
    assert "case-studies/kashan-health-tv/index.html" not in result.rendered
    project.assert_equals_clean_build()


def test_summary_change_reaches_related_cards(project):
    project.site.study("kashan-health-tv", summary="A brand new summary sentence.")
    result = project.build()
    assert "case-studies/gdynia/index.html" in result.rendered  # shows Kashan as a related card
    assert "A brand new summary sentence." in (project.output / "case-studies/gdynia/index.html").read_text()
    project.assert_equals_clean_build()


def test_template_change_renders_only_pages_that_use_it(project):
    country = project.templates / "country.html"
    country.write_text(country.read_text().replace("{% block main %}", "{% block main %}<p>COUNTRY-MARK</p>", 1))
    result = project.build()
    assert result.rendered and all(p.startswith("countries/") and p != "countries/index.html" for p in result.rendered)
    assert "COUNTRY-MARK" in (project.output / "countries/poland/index.html").read_text()
    project.assert_equals_clean_build()


def test_partial_change_renders_pages_that_include_it(project):
    card = project.templates / "partials" / "card.html"
    card.write_text(card.read_text() + "\n<!-- card changed -->\n")
    result = project.build()
    assert "case-studies/index.html" in result.rendered and "themes/literacy/index.html" in result.rendered
    assert "404.html" not in result.rendered
    project.assert_equals_clean_build()


def test_css_change_copies_the_file_and_renders_no_page(project):
    css = project.templates / "static" / "style.css"
    css.write_text(css.read_text() + "\n/* changed */\n")
    result = project.build()
    assert result.rendered == []
    assert result.changed == ["static/style.css"]
    project.assert_equals_clean_build()


def test_site_yaml_change_renders_everything(project):
    site_yaml = project.site.root / "site.yaml"
    site_yaml.write_text(site_yaml.read_text().replace("title: Test Showcase", "title: Renamed Showcase"))
    result = project.build()
    assert len(result.rendered) == len(made_from_templates(result.files))
    assert "Renamed Showcase" in (project.output / "countries/iran/index.html").read_text()
    project.assert_equals_clean_build()


def test_add_and_delete_a_case_study(project):
    project.site.study("giza", title="Giza reads", city="Giza", country="EG", themes="[literacy]", date="2021-01-01")
    project.build()
    assert "Giza reads" in (project.output / "themes/literacy/index.html").read_text()
    assert (project.output / "countries/egypt/index.html").exists()
    project.assert_equals_clean_build()
    (project.site.root / "case-studies" / "giza.md").unlink()
    result = project.build()
    assert not (project.output / "case-studies/giza").exists()
    assert not (project.output / "countries/egypt").exists()
    assert "case-studies/giza/index.html" in result.changed
    assert "Giza reads" not in (project.output / "themes/literacy/index.html").read_text()
    project.assert_equals_clean_build()


def test_a_new_slug_for_a_link_target_rerenders_the_pages_linking_to_it(project):
    kashan = project.site.root / "case-studies" / "kashan-health-tv.md"
    text = kashan.read_text(encoding="utf-8")
    kashan.write_text(text.replace("title:", "slug: kashan\ntitle:", 1), encoding="utf-8")
    result = project.build()
    assert "case-studies/gdynia/index.html" in result.rendered  # its link now leads to /case-studies/kashan/
    assert 'href="/showcase/case-studies/kashan/"' in (project.output / "case-studies/gdynia/index.html").read_text()
    project.assert_equals_clean_build()
    kashan.write_text(text, encoding="utf-8")
    assert "case-studies/gdynia/index.html" in project.build().rendered
    project.assert_equals_clean_build()


def test_renaming_a_link_target_is_an_error_and_leaves_the_site_as_it_was(project):
    before = {p: p.read_bytes() for p in project.output.rglob("*") if p.is_file()}
    (project.site.root / "case-studies" / "kashan-health-tv.md").rename(project.site.root / "case-studies" / "kashan.md")
    failed = pipeline.build(project.options())
    assert not failed.ok and any("kashan-health-tv.md" in d.message for d in failed.report.items)
    assert {p: p.read_bytes() for p in project.output.rglob("*") if p.is_file()} == before
    (project.site.root / "case-studies" / "kashan.md").rename(project.site.root / "case-studies" / "kashan-health-tv.md")
    assert project.build().ok
    project.assert_equals_clean_build()


def test_warnings_are_reported_again_by_a_warm_build(project):
    project.site.study("cork", title="A festival", city="Cork", country="IE", themes="[literacy]", date="2019-09-01",
                       body="See <marquee>this</marquee>.\n")
    first = project.build()
    second = project.build()
    assert second.rendered == []
    assert [d.message for d in first.report.items] == [d.message for d in second.report.items]
    assert any("marquee" in d.message for d in second.report.items)
    assert not pipeline.build(project.options(strict=True)).ok


def test_pagination_moves_cards_between_pages(project):
    for i in range(30):
        project.site.study(f"extra-{i:02d}", title=f"Extra study {i}", date=f"2018-01-{i % 28 + 1:02d}")
    project.build()
    assert (project.output / "case-studies/page/2/index.html").exists()
    project.site.study("extra-05", title="Extra study 5", date="2025-01-01")  # moves to the front
    project.build()
    project.assert_equals_clean_build()
    for i in range(30):
        (project.site.root / "case-studies" / f"extra-{i:02d}.md").unlink()
    project.build()
    assert not (project.output / "case-studies/page").exists()
    project.assert_equals_clean_build()


def test_drafts_option_is_part_of_the_cache_key(project):
    project.site.study("secret", title="Secret draft", draft="true")
    project.build()
    assert not (project.output / "case-studies/secret").exists()
    project.build(drafts=True)
    assert (project.output / "case-studies/secret/index.html").exists()
    project.assert_equals_clean_build(drafts=True)


def test_a_new_sitegen_invalidates_the_cache(project, monkeypatch):
    monkeypatch.setattr(pipeline, "code_digest", lambda: "another-sitegen")
    result = project.build()
    assert len(result.rendered) > 10


def test_failed_warm_build_leaves_output_and_cache_usable(project):
    before = tree(project.output)
    project.site.write("case-studies/bad.md", case_study(date="2020-13-45"))
    assert not pipeline.build(project.options()).ok
    assert tree(project.output) == before
    broken = project.templates / "theme.html"
    good = broken.read_text()
    broken.write_text(good.replace("{% block main %}", "{% block main %}{{ no_such_variable.attribute }}", 1))
    (project.site.root / "case-studies" / "bad.md").unlink()
    failed = pipeline.build(project.options())
    assert not failed.ok and any("theme.html" in d.path for d in failed.report.items)
    assert tree(project.output) == before
    assert not list(project.output.rglob("*.sitegen-tmp"))
    broken.write_text(good)
    project.build()
    project.assert_equals_clean_build()


def test_session_follows_a_series_of_edits(project):
    serve_out = project.root / "served"
    session = pipeline.Session(project.options(output=serve_out))
    assert session.rebuild().ok
    project.site.study("cork", title="Cork, edited", city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
    assert session.rebuild().rendered
    project.site.study("oslo", title="Oslo learns", city="Oslo", country="NO", date="2022-02-02")
    assert "case-studies/oslo/index.html" in session.rebuild().rendered
    (project.site.root / "case-studies" / "gdynia.md").unlink()
    assert "case-studies/gdynia/index.html" in session.rebuild().changed
    css = project.templates / "static" / "style.css"
    css.write_text(css.read_text() + "\n/* x */\n")
    assert session.rebuild().changed == ["static/style.css"]
    shutil.rmtree(project.output)
    project.output = serve_out
    project.assert_equals_clean_build()


def test_a_session_hands_the_sitemap_and_the_cities_their_objects_of_the_last_build(project):
    """A session keeps a page's fingerprint undigested when its context holds the very objects of the last
    build (pages.page_jobs). The sitemap's entries and the A-Z index's cities are handed out again when they
    hold the same values: an edit that changes neither keeps both, and a title edit makes only its city new."""
    session = pipeline.Session(project.options(output=project.root / "served"))
    assert session.rebuild().ok
    contexts = session.caches.render.contexts

    def shown():
        letters = contexts["cities/"][1]["letters"]
        return contexts["sitemap.xml"][1]["entries"], letters, {c.name: c for _, group in letters for c in group}

    entries, letters, cities = shown()
    assert {"Kashan", "Gdynia", "Cork"} <= set(cities)
    fields = dict(city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
    project.site.study("cork", title="A festival", summary="A summary no index shows.", **fields)
    assert session.rebuild().rendered
    assert shown()[0] is entries and shown()[1] is letters
    project.site.study("cork", title="Cork, edited", summary="A summary no index shows.", **fields)
    assert session.rebuild().rendered
    now_entries, now_letters, now_cities = shown()
    assert now_entries is entries and now_letters is not letters
    assert now_cities["Cork"].studies[0][0] == "Cork, edited"
    assert [name for name in cities if now_cities[name] is not cities[name]] == ["Cork"]
    shutil.rmtree(project.output)
    project.output = project.root / "served"
    project.assert_equals_clean_build()


def test_session_compiles_each_template_once_and_again_after_an_edit(project, compiles):
    # a store of its own: the process's store may hold these templates from earlier tests
    session = pipeline.Session(project.options(output=project.root / "served", compiled=CompiledTemplates()))
    session.rebuild()
    assert "case_study.html" in compiles and "partials/card.html" in compiles
    first = len(compiles)
    project.site.study("cork", title="Cork, edited", city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
    assert session.rebuild().rendered
    assert len(compiles) == first  # a new environment (it holds the new site model), no compiling
    country = project.templates / "country.html"
    country.write_text(country.read_text() + "\n{# edited #}\n")
    session.rebuild()
    assert compiles[first:] == ["country.html"]
