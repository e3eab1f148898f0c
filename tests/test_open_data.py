"""The open data (data/case-studies.json, .csv, .geojson, the JSON Schema and datapackage.json), as built.

One build of the bundled showcase plus a few crafted case studies (a hostile
title, accents, a city without coordinates, a draft) is read back: the JSON
against the JSON Schema the site publishes, the CSV through the csv module,
the GeoJSON against RFC 7946's structure and the front matter's coordinates,
the data package with the frictionless library (which also checks every CSV
cell against the package's Table Schema). A second clean build gives the same
bytes, and a build under a base path passes the link crawl. A property test
runs arbitrary text through the CSV and JSON writers and reads it back.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from pathlib import Path

import frictionless
import frontmatter
import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SOURCES, case_study
from linkcheck import Crawler, PageParser
from sitegen.build import pipeline
from sitegen.commands.devserver import content_type
from sitegen.render import open_data
from sitegen.render.open_data import NAMES, PublicCaseStudy, Source

SHOWCASE_URL = "https://example.github.io/learning-cities/"
SUB_URL = "https://example.org/sub/"
HOSTILE = '</script><b>&"quoted", commas; and semicolons'
DATA_FILES = ("case-studies.json", "case-studies.csv", "case-studies.geojson", "case-studies.schema.json",
              "datapackage.json")
PROPERTY = dict(deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow])


def crafted_content(folder: Path) -> Path:
    """The bundled showcase with three more case studies: hostile text, no coordinates, a draft."""
    shutil.copytree(ROOT / "content", folder)

    def write(name: str, **fields) -> None:
        (folder / "case-studies" / f"{name}.md").write_text(case_study(**fields), encoding="utf-8")

    write("hostile", title=f"'{HOSTILE}'", city="Łódź", city_native="Łódź", city_native_lang="pl", country="PL",
          themes="[literacy, planning-me]", date="2023-05-04", updated="2024-01-02", coordinates="[51.76, 19.46]",
          summary="'Quotes \" and commas, semicolons; ampersands & <tags> in a summary.'",
          sources='[{title: "A; report, \\"quoted\\"", url: "https://example.org/a?x=1&y=2", publisher: Łódź}]')
    write("nowhere", title="A city without coordinates", city="São João da Madeira", country="PT",
          themes="[literacy]", date="2022-02-02", summary="No coordinates here.", sources=SOURCES)
    write("secret", title="A draft nobody sees", city="Gdynia", country="PL", themes="[literacy]", date="2023-03-03",
          draft="true", coordinates="[54.52, 18.53]", sources=SOURCES)
    return folder


def build(content: Path, output: Path, base_url: str | None = None) -> pipeline.BuildResult:
    result = pipeline.build(pipeline.BuildOptions(content=content, output=output, templates=ROOT / "templates",
                                                  base_url=base_url, cache_dir=None, search=False, strict=True))
    assert result.ok, result.report.as_text()
    return result


class Built:
    """The crafted site built three times: twice as it is (`out`, `again`), once under a base path (`sub`)."""

    def __init__(self, root: Path):
        self.content = crafted_content(root / "content")
        self.out, self.again, self.sub = root / "one", root / "two", root / "sub"
        self.result = build(self.content, self.out)
        self.data = self.out / "data"
        build(self.content, self.again)
        build(self.content, self.sub, base_url=SUB_URL)

    def text(self, name: str) -> str:
        return (self.data / name).read_text(encoding="utf-8")

    def json(self, name: str = "case-studies.json"):
        return json.loads(self.text(name))

    def by_id(self) -> dict[str, dict]:
        return {r["id"]: r for r in self.json()["case_studies"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    return Built(tmp_path_factory.mktemp("open-data"))


def front_matter(content: Path) -> dict[str, dict]:
    """slug (the file name here) -> front matter, read with python-frontmatter, apart from sitegen's loader."""
    return {p.stem: frontmatter.load(p).metadata for p in sorted((content / "case-studies").glob("*.md"))}


# --------------------------------------------------------------------------- each file

def test_the_json_validates_against_the_json_schema_the_site_publishes(built):
    schema = built.json("case-studies.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SHOWCASE_URL + "data/case-studies.schema.json"
    data = built.json()
    assert data["$schema"] == schema["$id"] and data["schema_version"] == open_data.SCHEMA_VERSION
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(data)] == []
    assert schema["$defs"]["case_study"]["required"] == list(NAMES)
    assert set(schema["$defs"]["case_study"]["properties"]) == set(NAMES)
    broken = json.loads(json.dumps(data))
    broken["case_studies"][0]["latitude"] = 91  # the schema can fail
    broken["case_studies"][1]["date"] = "2021-02-30"
    del broken["case_studies"][2]["themes"]
    assert len(list(validator.iter_errors(broken))) == 3


def test_every_published_case_study_is_there_once_in_the_site_order_and_no_draft(built):
    published = [s.slug for s in built.result.model.studies]
    assert "secret" not in published and {"hostile", "nowhere"} <= set(published)
    assert [r["id"] for r in built.json()["case_studies"]] == published
    rows = list(csv.DictReader(io.StringIO(built.text("case-studies.csv").removeprefix("\ufeff"))))
    assert [row["id"] for row in rows] == published
    for name in DATA_FILES:
        text = built.text(name)
        assert "secret" not in text and "A draft nobody sees" not in text, name


def test_author_text_comes_out_exactly_as_written_in_every_format(built):
    record = built.by_id()["hostile"]
    assert record["title"] == HOSTILE and record["city"] == "Łódź" and record["city_native_lang"] == "pl"
    assert record["summary"] == 'Quotes " and commas, semicolons; ampersands & <tags> in a summary.'
    assert record["sources"] == [{"title": 'A; report, "quoted"', "url": "https://example.org/a?x=1&y=2",
                                  "publisher": "Łódź", "date": None}]
    [row] = [r for r in csv.DictReader(io.StringIO(built.text("case-studies.csv").removeprefix("\ufeff")))
             if r["id"] == "hostile"]
    assert row["title"] == HOSTILE and row["summary"] == record["summary"] and row["city"] == "Łódź"
    [feature] = [f for f in built.json("case-studies.geojson")["features"] if f["id"] == "hostile"]
    assert feature["properties"]["title"] == HOSTILE
    for name in DATA_FILES:  # nothing was escaped for HTML on the way
        assert not re.search(r"&(?:amp|lt|gt|quot|#3?4);", built.text(name)), name


def test_the_csv_is_rfc_4180_with_a_byte_order_mark_and_reads_back_as_the_json(built):
    raw = (built.data / "case-studies.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,url,title,")
    assert raw.endswith(b"\r\n") and raw.count(b"\n") == raw.count(b"\r\n"), "every line ends with CRLF"
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    assert reader.fieldnames == list(NAMES)
    records = built.json()["case_studies"]
    assert len(rows) == len(records) > 30
    for row, record in zip(rows, records):
        for name in NAMES:
            value = record[name]
            if name == "sources":
                assert row[name] == "; ".join(s["url"] for s in value)
            elif isinstance(value, list):
                assert row[name] == "; ".join(value) and row[name].split("; ") == value
            elif isinstance(value, float):
                assert float(row[name]) == value
            else:
                assert row[name] == ("" if value is None else value), (record["id"], name)
    assert built.by_id()["hostile"]["themes"] == ["Literacy", "Educational planning, monitoring and evaluation"]


def test_the_geojson_places_each_case_study_with_coordinates_longitude_first(built):
    data = built.json("case-studies.geojson")
    assert data["type"] == "FeatureCollection" and set(data) == {"type", "features"}
    written = front_matter(built.content)
    placed = [s.slug for s in built.result.model.studies if "coordinates" in written[s.slug]]
    assert [f["id"] for f in data["features"]] == placed and "nowhere" not in placed
    records = built.by_id()
    for feature in data["features"]:
        assert feature["type"] == "Feature" and set(feature) == {"type", "id", "geometry", "properties"}
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert [lat, lon] == written[feature["id"]]["coordinates"]
        assert feature["properties"] == {k: v for k, v in records[feature["id"]].items()
                                         if k not in ("latitude", "longitude")}
    assert len(data["features"]) < len(records)


def test_the_data_package_describes_the_files_and_frictionless_finds_them_valid(built):
    report = frictionless.validate(str(built.data / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    assert [task.name for task in report.tasks] == ["case-studies", "case-studies-json", "case-studies-geojson"]
    assert report.tasks[0].stats["rows"] == len(built.result.model.studies)
    package = built.json("datapackage.json")
    assert package["version"] == open_data.SCHEMA_VERSION and package["homepage"] == SHOWCASE_URL
    assert package["licenses"] == [{"name": "CC-BY-SA-4.0", "path": "https://creativecommons.org/licenses/by-sa/4.0/",
                                    "title": "CC BY-SA 4.0"}]
    assert package["contributors"] == [{"title": "Learning Cities Showcase editors", "role": "publisher"}]
    assert package["sources"] == [{"title": "Learning Cities Showcase", "path": SHOWCASE_URL}]
    assert all((built.data / r["path"]).is_file() for r in package["resources"])
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == list(NAMES)


def test_frictionless_can_fail(built, tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(built.data, copy)
    csv_file = copy / "case-studies.csv"
    csv_file.write_bytes(csv_file.read_bytes().replace(b",2024-12-03,", b",2024-12-33,", 1))
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid and [e[0] for e in report.flatten(["type"])] == ["type-error"]


# --------------------------------------------------------------------------- on the site

def data_links(page: Path, prefix: str) -> set[str]:
    parser = PageParser()
    parser.feed(page.read_text(encoding="utf-8"))
    return {link.removeprefix(prefix) for _, link in parser.links if link.startswith(prefix + "data/")}


def test_the_about_page_and_the_list_offer_every_file(built):
    expected = {f"data/{name}" for name in DATA_FILES}
    for page in ("about/index.html", "case-studies/index.html"):
        assert data_links(built.out / page, "/learning-cities/") == expected, page
        assert data_links(built.sub / page, "/sub/") == expected, page
        html = (built.out / page).read_text(encoding="utf-8")
        assert '<h2 id="sg-downloads">Download the data</h2>' in html
        assert '<a href="https://creativecommons.org/licenses/by-sa/4.0/" rel="license">CC BY-SA 4.0</a>' in html
    assert "sg-downloads" not in (built.out / "contribute" / "index.html").read_text(encoding="utf-8")
    assert "sg-downloads" not in (built.out / "case-studies/page/2/index.html").read_text(encoding="utf-8")


def test_two_clean_builds_give_the_same_bytes(built):
    def tree(folder: Path) -> dict[str, bytes]:
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    assert tree(built.out) == tree(built.again)


def test_under_a_base_path_every_address_has_it_and_the_crawl_reaches_the_files(built, static_server):
    data = json.loads((built.sub / "data" / "case-studies.json").read_text(encoding="utf-8"))
    assert data["$schema"] == SUB_URL + "data/case-studies.schema.json"
    assert all(r["url"] == f"{SUB_URL}case-studies/{r['id']}/" for r in data["case_studies"])
    package = json.loads((built.sub / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["homepage"] == SUB_URL
    root = static_server(built.sub, "/sub/")
    result = Crawler(root, SUB_URL).crawl()
    assert not result.problems, "\n".join(map(str, result.problems))
    assert {root + f"data/{name}" for name in DATA_FILES} <= result.files


def test_the_preview_serves_each_file_with_its_type():
    assert content_type(Path("case-studies.geojson")) == "application/geo+json; charset=utf-8"
    assert content_type(Path("case-studies.csv")) == "text/csv; charset=utf-8"
    assert content_type(Path("datapackage.json")) == "application/json; charset=utf-8"


def test_a_page_or_a_file_cannot_take_the_data_folder_s_names(site, tmp_path):
    site.write("pages/our-data.md", "---\ntitle: Our data\nslug: data\n---\n\nText.\n")
    site.write("data/case-studies.csv", "id\r\nmine\r\n")
    site.write("data/case-studies.geojson/map.png", b"\x89PNG\r\n\x1a\n")  # a folder in a data file's place
    site.write("data/notes.csv", "a\r\n1\r\n")  # beside the data files: published as it is
    result = pipeline.build(pipeline.BuildOptions(content=site.root, output=tmp_path / "out",
                                                  templates=ROOT / "templates", cache_dir=None, search=False))
    assert not result.ok and not (tmp_path / "out").exists()
    errors = sorted(f"{d.location()}: {d.message}" for d in result.report.items if d.severity == "error")
    assert errors == [  # (paths as given: the content folder is content/ in the working folder)
        "content/data/case-studies.csv: 'data/case-studies.csv' would replace a file the site makes itself",
        "content/data/case-studies.geojson/map.png: 'data/case-studies.geojson/map.png' would replace a file the "
        "site makes itself",
        "content/pages/our-data.md:3:7: the page slug 'data' is taken by the site's own pages"]


TYPE_LABELS = {"text": "text", "url": "web address", "date": "date", "number": "number", "list": "list of text",
               "sources": "list of sources"}


def test_the_readme_lists_every_field_as_the_schema_has_it():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Open data"):readme.index("### Search and maps")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    fields = [row for row in rows if not row.startswith("| `/data/")]
    assert fields == [f"| `{f.name}` | {TYPE_LABELS[f.kind]}{' or null' if f.nullable else ''} | {f.description} |"
                      for f in open_data.FIELDS]
    assert {row.split("`")[1] for row in rows if row.startswith("| `/data/")} == {f"/data/{n}" for n in DATA_FILES}


# --------------------------------------------------------------------------- every text

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1).filter(str.strip)
HARD = st.sampled_from(['"', ",", ";", "; ", "\n", "\r\n", "\r", "\ufeff", "\u202e", "مرحبا", "שלום", "=1+2", " ",
                        "=HYPERLINK(\"http://x\")", "+1", "-2", "@SUM(A1)", "\t", "'"])


def cell(text: str) -> str:
    """A CSV cell's text as the author wrote it (one leading apostrophe off)."""
    return text.removeprefix("'")


@settings(max_examples=300, **PROPERTY)
@given(title=st.one_of(TEXT, st.lists(HARD | TEXT, min_size=1).map("".join)), city=TEXT,
       summary=st.none() | st.lists(HARD | TEXT, min_size=1).map("".join))
def test_any_text_reads_back_the_same_from_the_csv_and_the_json(title, city, summary):
    """...with one leading apostrophe taken off a CSV cell: none can start a spreadsheet formula."""
    record = PublicCaseStudy(
        id="x", url="https://example.org/case-studies/x/", title=title, summary=summary, city=city,
        city_native=city, city_native_lang="ar", country_code="EG", country="Egypt", region="Arab States",
        themes=("Literacy",), theme_ids=("literacy",), date="2020-01-02", updated=None, latitude=30.04,
        longitude=31.24, sources=(Source(title, "https://example.org/", city, None),), language="en")
    other = dataclasses.replace(record, id="y", title="After")
    text = open_data.case_studies_csv((record, other))
    assert text.startswith("\ufeffid,")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
    assert [(cell(r["title"]), cell(r["city"]), cell(r["summary"])) for r in rows] == \
        [(title, city, summary or ""), ("After", city, summary or "")]
    data = json.loads(open_data.case_studies_json((record,), "https://example.org/s.json"))
    [parsed] = data["case_studies"]
    assert (parsed["title"], parsed["city"], parsed["summary"]) == (title, city, summary)
    assert parsed["sources"] == [{"title": title, "url": "https://example.org/", "publisher": city, "date": None}]
