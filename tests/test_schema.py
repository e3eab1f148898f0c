"""The published JSON Schema of case-study front matter: generated from `sitegen.schema`, never drifting.

Validation uses the `jsonschema` library (a test dependency). Front matter is
read with PyYAML's safe loader and dates turned back into text, which is what
an editor's YAML 1.2 parser hands to the schema.
"""

from __future__ import annotations

import json
import subprocess
import sys

import frontmatter
import jsonschema
import pytest
import yaml

from conftest import ROOT, case_study, image_bytes, originals
from sitegen.commands import json_schema
from sitegen import load
from sitegen.commands import new
from sitegen.model import schema
from sitegen.model.diagnostics import Report

PUBLISHED = ROOT / json_schema.PUBLISHED


def front_matter(text: str) -> dict:
    fm, _ = frontmatter.YAMLHandler().split(text.lstrip("\ufeff"))
    return json.loads(json.dumps(yaml.safe_load(fm) or {}, default=str))  # dates -> "YYYY-MM-DD"


def validator(definition=None):
    definition = definition or json.loads(PUBLISHED.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(definition, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def test_the_committed_schema_is_a_fresh_generation():
    """If this fails: python -m sitegen.commands.json_schema --output schema/case-study.schema.json"""
    assert PUBLISHED.read_text(encoding="utf-8") == json_schema.dumps(json_schema.case_study_schema())


def test_the_command_prints_the_same_schema():
    proc = subprocess.run([sys.executable, "-m", "sitegen.commands.json_schema"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == PUBLISHED.read_text(encoding="utf-8")


def test_it_is_a_valid_draft_2020_12_schema_with_every_field():
    definition = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(definition)
    assert definition["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(definition["properties"]) == [f.name for f in schema.CASE_STUDY_FIELDS]
    assert definition["required"] == [f.name for f in schema.CASE_STUDY_FIELDS if f.required]
    for f in schema.CASE_STUDY_FIELDS:
        assert definition["properties"][f.name]["description"] == f.description


ORIGINALS = originals(ROOT / "content" / "case-studies")  # translations hold only their own text


@pytest.mark.parametrize("path", ORIGINALS, ids=lambda p: p.name)
def test_it_accepts_the_bundled_case_studies(path):
    data = front_matter(path.read_text(encoding="utf-8"))
    errors = [e.message for e in validator().iter_errors(data)]
    assert errors == []


def test_it_accepts_what_sitegen_new_writes(site):
    path = new.create_case_study(site.root, city="Gdynia", country="PL", themes=["literacy", "health-wellbeing"])
    assert list(validator().iter_errors(front_matter(path.read_text(encoding="utf-8")))) == []


def test_it_accepts_the_optional_forms_the_loader_accepts(site):
    text = case_study(themes="literacy", summary="", draft="yes", region="Europe and North America",
                      coordinates="[54.52, 18.53]", image="img/a.jpg", image_alt="A pier", slug="gdynia-home",
                      city_native="Gdynia", city_native_lang="pl",
                      sources="[{title: A report, url: 'https://example.org/', publisher: , date: 2021-01-02}]")
    assert list(validator().iter_errors(front_matter(text))) == []
    site.write("case-studies/img/a.jpg", image_bytes("JPEG"))
    site.write("case-studies/gdynia.md", text.replace("country: IR", "country: PL"))
    report = Report()
    content = load.load_content(site.root, report)
    assert report.count("error") == 0, report.as_text()
    assert any(s.slug == "gdynia-home" for s in content.case_studies)


BROKEN = {
    "no title": {"title": None},
    "empty city": {"city": "   "},
    "date not YYYY-MM-DD": {"date": "17 August 2021"},
    "empty theme list": {"themes": "[]"},
    "latitude off the globe": {"coordinates": "[95, 10]"},
    "one coordinate": {"coordinates": "[33.9]"},
    "slug with capitals": {"slug": "Kashan-TV"},
    "ftp source": {"sources": "[{title: A, url: 'ftp://example.org/a'}]"},
    "source without url": {"sources": "[{title: A}]"},
    "image on the web": {"image": "https://example.org/a.jpg", "image_alt": "A"},
    "absolute image path": {"image": "/etc/passwd", "image_alt": "A"},
    "draft maybe": {"draft": "maybe"},
    "language code": {"city_native_lang": "Persian language"},
    "unknown key": {"summry": "A typo."},
    "control character": {"title": '"Ring\\a"'},
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_it_rejects_broken_front_matter_and_so_does_the_loader(name, site):
    text = case_study(**BROKEN[name])
    assert list(validator().iter_errors(front_matter(text))), f"the schema accepts: {name}"
    site.write("case-studies/broken.md", text)
    report = Report()
    load.load_content(site.root, report)
    assert [d for d in report.items if d.path.endswith("broken.md")], f"the loader accepts: {name}"


def test_a_site_specific_schema_closes_the_theme_list(site):
    proc = subprocess.run([sys.executable, "-m", "sitegen.commands.json_schema", "--content", str(site.root)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    definition = json.loads(proc.stdout)
    check = validator(definition)
    assert list(check.iter_errors(front_matter(case_study(themes="[Literacy, health-wellbeing]")))) == []
    assert list(check.iter_errors(front_matter(case_study(themes="[Numeracy]"))))
    assert "Equity and Inclusion" in definition["properties"]["themes"]["anyOf"][0]["enum"]
