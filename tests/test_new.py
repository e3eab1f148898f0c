"""`sitegen new case-study`: a valid file to start from, or a clear refusal that writes nothing."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SITE_YAML, run_cli
from sitegen.commands import check
from sitegen import load
from sitegen.commands import new
from sitegen.model import schema
from sitegen.model.diagnostics import ERROR, Report


def new_cli(content: Path, *args: str):
    return run_cli("new", "case-study", "--content", content, *args)


def files(content: Path) -> list[str]:
    return sorted(p.name for p in (content / "case-studies").glob("*.md"))


def test_new_writes_a_case_study_that_loads_checks_and_builds(site, build):
    proc = new_cli(site.root, "--city", "Gdynia", "--country", "PL", "--theme", "Health and well-being")
    assert proc.returncode == 0, proc.stderr
    path = site.root / "case-studies" / "gdynia-health-wellbeing.md"
    assert "gdynia-health-wellbeing.md" in proc.stdout and path.is_file()

    report = Report()
    content = load.load_content(site.root, report)
    assert report.count(ERROR) == 0, report.as_text()
    study = next(s for s in content.case_studies if s.slug == "gdynia-health-wellbeing")
    assert (study.city, study.country.code, [t.id for t in study.themes]) == ("Gdynia", "PL", ["health-wellbeing"])
    assert study.date == dt.date.today() and study.sources == () and not study.draft
    assert study.title.startswith("TODO") and study.summary.startswith("TODO")

    result = check.check(site.root, ROOT / "templates")
    assert result.report.count(ERROR) == 0, result.report.as_text()
    warned = {d.message for d in result.report.items if d.path.endswith("gdynia-health-wellbeing.md")}
    assert "the title still holds the TODO placeholder" in warned  # the author is reminded, CI --strict fails

    proc, out = build(site)
    assert proc.returncode == 0, proc.stderr
    assert (out / "case-studies" / "gdynia-health-wellbeing" / "index.html").is_file()


def test_the_front_matter_lists_every_field_of_the_schema_in_order(site):
    path = new.create_case_study(site.root, city="Gdynia", country="PL", themes=["literacy"])
    text = path.read_text(encoding="utf-8")
    front = text.split("\n---\n", 1)[0]
    keys = re.findall(r"^(?:# )?([a-z_]+):", front, re.M)
    names = [f.name for f in schema.CASE_STUDY_FIELDS]
    assert [k for k in keys if k in names] == names
    for f in schema.CASE_STUDY_FIELDS:
        if f.required:
            assert re.search(rf"^{f.name}: \S", front, re.M), f.name  # required keys are filled in
    assert "sources: []" in front


def test_the_body_has_the_sections_to_write(site):
    path = new.create_case_study(site.root, city="Gdynia", country="PL", themes=["literacy"])
    body = path.read_text(encoding="utf-8").split("\n---\n", 1)[1]
    assert re.findall(r"^## (.+)$", body, re.M) == ["Context", "What was done", "Results"]
    assert "Sources:" in body and "sources:" in body  # the Sources section points to the front matter


def test_themes_by_name_or_id_and_country_by_name(site):
    path = new.create_case_study(site.root, city="Gdynia", country="poland",
                                 themes=["literacy", "Equity and Inclusion", "LITERACY"])
    front = path.read_text(encoding="utf-8")
    assert "country: PL  # Poland" in front
    assert "themes: [literacy, equity-inclusion]" in front


def test_a_title_names_the_file_and_replaces_the_placeholder(site):
    proc = new_cli(site.root, "--city", "Gdynia", "--country", "PL", "--theme", "literacy",
                   "--title", "Gdynia learns at home: a city of 250,000 online")
    assert proc.returncode == 0, proc.stderr
    path = site.root / "case-studies" / "gdynia-learns-at-home-a-city-of-250000-online.md"
    assert 'title: "Gdynia learns at home: a city of 250,000 online"' in path.read_text(encoding="utf-8")


def test_refuses_to_overwrite(site):
    args = ("--city", "Gdynia", "--country", "PL", "--theme", "literacy")
    assert new_cli(site.root, *args).returncode == 0
    path = site.root / "case-studies" / "gdynia-literacy.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMy own words.\n", encoding="utf-8")
    before = path.read_bytes()
    proc = new_cli(site.root, *args)
    assert proc.returncode == 1
    assert "this case study already exists; it was not changed" in proc.stderr
    assert "Nothing was written." in proc.stderr
    assert path.read_bytes() == before


def test_refuses_a_name_that_differs_only_in_case(site):
    site.write("case-studies/Gdynia-Literacy.md", (site.root / "case-studies/kashan-health-tv.md").read_text())
    proc = new_cli(site.root, "--city", "Gdynia", "--country", "PL", "--theme", "literacy")
    assert proc.returncode == 1 and "already exists" in proc.stderr
    assert files(site.root) == ["Gdynia-Literacy.md", "kashan-health-tv.md"]


def test_refuses_a_url_name_another_file_already_uses(site):
    site.study("older", slug="gdynia-literacy")
    proc = new_cli(site.root, "--city", "Gdynia", "--country", "PL", "--theme", "literacy")
    assert proc.returncode == 1
    assert "already uses the URL name 'gdynia-literacy'" in proc.stderr


@pytest.mark.parametrize("args, message", [
    (("--country", "Polnad", "--theme", "literacy"), "--country: error: unknown country 'Polnad' Fix: Did you mean 'Poland' (--country PL)?"),
    (("--country", "PL", "--theme", "Helth"), "--theme: error: unknown theme 'Helth' Fix: Did you mean 'Health and well-being'?"),
    (("--country", "Korea", "--theme", "literacy"), "unknown country 'Korea'"),
    (("--country", "PL", "--theme", "literacy", "--slug", "Gdynia Home"), "--slug: error: --slug is 'Gdynia Home'; a slug may only hold"),
    (("--country", "PL", "--theme", "literacy", "--title", "   "), "--title is empty"),
])
def test_wrong_arguments_are_explained_and_nothing_is_written(site, args, message):
    proc = new_cli(site.root, "--city", "Gdynia", *args)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert files(site.root) == ["kashan-health-tv.md"]


def test_a_broken_site_yaml_is_reported_first(site):
    site.write("site.yaml", "title: x\nthemes: []\n")
    proc = new_cli(site.root, "--city", "Gdynia", "--country", "PL", "--theme", "literacy")
    assert proc.returncode == 1 and "site.yaml" in proc.stderr
    assert files(site.root) == ["kashan-health-tv.md"]


def test_a_city_without_latin_letters_still_gets_a_url_name(site):
    path = new.create_case_study(site.root, city="کاشان", country="IR", themes=["literacy"])
    assert re.fullmatch(r"[a-z]+-literacy\.md", path.name)
    assert 'city: "کاشان"' in path.read_text(encoding="utf-8")


@settings(max_examples=300, deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=st.text(min_size=1, max_size=40), title=st.none() | st.text(max_size=60))
def test_any_city_or_title_gives_a_file_that_loads_or_a_clean_refusal(city, title):
    """Whatever an author types, `new` never crashes and never writes a file the loader refuses."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "content"
        (root / "case-studies").mkdir(parents=True)
        (root / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        try:
            new.create_case_study(root, city=city, country="PL", themes=["literacy"], title=title)
        except new.Refused as exc:
            assert exc.message and str(exc.where)
            assert list((root / "case-studies").iterdir()) == []
            return
        report = Report()
        content = load.load_content(root, report)
        assert report.count(ERROR) == 0, report.as_text()
        (study,) = content.case_studies
        assert study.city == " ".join(city.split())
        if title is not None:
            assert study.title == " ".join(title.split())
        shutil.rmtree(root)
