"""Root-relative links in bodies: resolved once, checked like `.md` links, never given the base path twice.

The test site is served under `/showcase/` (conftest's SITE_YAML). An author
may write `/case-studies/cork/` (the site path) or paste `/showcase/case-studies/cork/`
from the preview's address bar; both must come out as one link under the base
path, and one to nothing must be a located error in `check` and `build` alike.
A warm build must notice when the page such a link names appears or goes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import ROOT, image_bytes, run_cli
from sitegen.build import pipeline
from sitegen.markup.convert import rooted_target
from sitegen.model.urls import Urls

def body_links(page: Path) -> list[str]:
    """The href and src values inside the page's article body."""
    html = page.read_text(encoding="utf-8")
    return re.findall(r'(?:href|src)="([^"]*)"', html[html.index("<article"):html.index("</article>")])


def write_linking_study(site, body: str) -> None:
    site.study("cork-learning-festival", title="Cork learns", city="Cork", country="IE",
               body="Cork holds a festival.\n\n## Context\n\nText.\n")
    site.write("img/photo.jpg", image_bytes("JPEG", (10, 8)))
    site.study("kashan-health-tv", body=body)


@pytest.mark.parametrize("written, expected", [
    ("/case-studies/cork-learning-festival/", "/showcase/case-studies/cork-learning-festival/"),
    ("/showcase/case-studies/cork-learning-festival/", "/showcase/case-studies/cork-learning-festival/"),
    ("/case-studies/cork-learning-festival", "/showcase/case-studies/cork-learning-festival/"),
    ("/showcase/case-studies/cork-learning-festival/index.html", "/showcase/case-studies/cork-learning-festival/"),
    ("/case-studies/cork-learning-festival/#results", "/showcase/case-studies/cork-learning-festival/#results"),
    ("/countries/ireland/", "/showcase/countries/ireland/"),
    ("/themes/", "/showcase/themes/"),
    ("/", "/showcase/"),
    ("/showcase/", "/showcase/"),
    ("/img/photo.jpg", re.compile(r"/showcase/media/photo-10\.[0-9a-f]{8}\.jpg")),  # a photo's file, made of it
])
def test_a_root_relative_link_gets_the_base_path_once(site, build, written, expected):
    write_linking_study(site, f"See [the other city]({written}).\n\n## Context\n\nText.\n")
    proc, out = build(site)
    assert proc.returncode == 0 and "error" not in proc.stderr, proc.stderr
    links = body_links(out / "case-studies" / "kashan-health-tv" / "index.html")
    assert any(expected.fullmatch(link) for link in links) if isinstance(expected, re.Pattern) else expected in links


@pytest.mark.parametrize("written", ["/case-studies/nowhere/", "/showcase/case-studies/nowhere/", "/other-project/",
                                     "/countries/atlantis/", "/img/missing.jpg"])
def test_a_root_relative_link_to_nothing_is_a_located_error_in_check_and_build(site, build, written):
    write_linking_study(site, f"Intro.\n\n## Context\n\nSee [this]({written}) for more.\n")
    checked = run_cli("check", "--content", site.root, "--format", "json", cwd=site.root.parent)
    assert checked.returncode == 1
    (problem,) = [p for p in json.loads(checked.stdout)["problems"] if p["severity"] == "error"]
    assert problem["message"] == f"link '{written}' leads to no page or file of this site"
    assert problem["path"].endswith("kashan-health-tv.md") and problem["line"] == 13
    assert problem["column"] == len("See [this](") + 1 and "full address" in problem["fix"]
    proc, out = build(site)
    assert proc.returncode == 1 and not out.exists()
    assert f"kashan-health-tv.md:13:{len('See [this](') + 1}: error: link '{written}'" in proc.stderr


def test_a_root_relative_image_to_nothing_is_a_located_error(site, build):
    write_linking_study(site, "Intro.\n\n![A crowd](/showcase/img/crowd.jpg)\n")
    proc, _ = build(site)
    assert proc.returncode == 1
    assert "image '/showcase/img/crowd.jpg' leads to no page or file of this site" in proc.stderr


def test_a_warm_build_notices_the_page_a_root_relative_link_names_come_and_go(site, tmp_path):
    """The link's page is rendered in the first build, deleted before the second (an error), and
    written again before the third: the warm builds must see each change, as a clean build would."""
    write_linking_study(site, "See [Cork](/case-studies/cork-learning-festival/).\n\n## Context\n\nText.\n")
    options = pipeline.BuildOptions(content=site.root, output=tmp_path / "out", templates=ROOT / "templates",
                                    cache_dir=tmp_path / "cache", jobs=1)
    assert pipeline.build(options).ok
    cork = site.root / "case-studies" / "cork-learning-festival.md"
    text = cork.read_text(encoding="utf-8")
    cork.unlink()
    failed = pipeline.build(options)
    assert not failed.ok
    assert any("'/case-studies/cork-learning-festival/' leads to no page" in d.message for d in failed.report.items)
    cork.write_text(text, encoding="utf-8")
    assert pipeline.build(options).ok


def test_a_serve_session_notices_a_new_country_page(site, tmp_path):
    """A link to a country page no case study makes yet is an error until one does."""
    site.study("kashan-health-tv", body="See [Ireland](/countries/ireland/).\n\n## Context\n\nText.\n")
    session = pipeline.Session(pipeline.BuildOptions(content=site.root, output=tmp_path / "out",
                                                     templates=ROOT / "templates", cache_dir=None, jobs=1))
    assert not session.rebuild().ok
    site.study("cork-learning-festival", title="Cork learns", city="Cork", country="IE")
    assert session.rebuild().ok
    page = tmp_path / "out" / "case-studies" / "kashan-health-tv" / "index.html"
    assert "/showcase/countries/ireland/" in body_links(page)


segments = st.lists(st.text(alphabet="abcdefghij-", min_size=1, max_size=6), min_size=0, max_size=3)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(page=segments, with_base=st.booleans(), slash=st.booleans(), index=st.booleans(),
       base=st.sampled_from(["/", "/showcase/", "/x/y/"]))
def test_every_page_is_found_under_every_spelling_and_linked_with_the_base_once(page, with_base, slash, index, base):
    """For any page and base path: the site path, or the path with the base path in front, with or
    without its last slash or index.html, finds the page; its link holds the base path once."""
    path = "".join(f"{segment}/" for segment in page)
    pages = frozenset({path, "", "themes/"})
    tail = path + "index.html" if index else path if slash or not path else path[:-1]
    found = rooted_target((base if with_base else "/") + tail, base, pages, frozenset())
    assert found == path
    link = Urls(f"https://example.org{base}").url(found)
    assert link == base + path and (base == "/" or not link.startswith(base + base[1:]))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(path=st.text(alphabet="abcx/.", max_size=12))
def test_only_the_pages_and_files_the_site_has_are_found(path):
    assert rooted_target("/" + path, "/showcase/", frozenset({"x/"}), frozenset({"img/y.jpg"})) in (None, "x/")
    assert rooted_target("/" + path, "/showcase/", frozenset(), frozenset()) is None
