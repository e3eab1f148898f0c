"""Files too large to read safely are located errors, never a long wait; the limits are site.yaml's to set.

A Markdown file (case study, page, home) over `limits: file_size_mb` (8 MB
by default), an SVG over the same limit and any other published file over
`limits: media_size_mb` (25 MB by default) are refused with
`path:1: error: the file is N MB (B bytes), over the L MB limit for ...` and
a fix that names the setting, exit status 1, by `build` and `check`; a file
just under its limit is read. site.yaml itself is always read with the
default limit. A new limit checks every file again: the case-study memo kept
between builds (the cache folder, a `serve` session) is keyed by it. A
derandomized hypothesis property checks that for any limit and file size a
file is refused exactly when it is larger than its limit. The preview's
error page shows control characters from the sources as visible escapes.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SITE_YAML, SiteFolder, case_study, image_bytes, run_cli
from sitegen import load
from sitegen.build import pipeline
from sitegen.commands.devserver import problem_item
from sitegen.load import filetypes
from sitegen.load.config import load_settings
from sitegen.load.files import MAX_MEDIA_BYTES, MAX_TEXT_BYTES, MB
from sitegen.model.diagnostics import Diagnostic, Report

TEMPLATES = ROOT / "templates"
PROPERTY = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
TEXT_FIX = "Split it into several case studies or pages, or raise limits: file_size_mb in site.yaml."
PNG = image_bytes("PNG", (1, 1))  # a real image: one padded with a hole of zeros still reads


def with_limits(**values) -> str:
    """conftest's SITE_YAML with a `limits:` block (values as written in the file)."""
    return SITE_YAML + "limits:\n" + "".join(f"  {key}: {value}\n" for key, value in values.items())


def sized(text: str, size: int) -> str:
    """`text` padded with words (and a last short line) to exactly `size` bytes of UTF-8."""
    missing = size - len(text.encode("utf-8"))
    assert missing >= 0, (size, len(text))
    words = "word " * (missing // 5)
    return text + words + "\n" * (missing - len(words))


def sparse(path: Path, size: int, head: bytes = PNG) -> Path:
    """A file of `size` bytes that takes no disk space: `head`, then a hole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(head)
    os.truncate(path, size)
    return path


def load_errors(root: Path) -> tuple[object, list[Diagnostic]]:
    report = Report()
    content = load.load_content(root, report)
    return content, [d for d in report.items if d.severity == "error"]


# ---------------------------------------------------------------- the default limits, through the CLI

@pytest.mark.parametrize("command", ["build", "check"])
def test_a_markdown_file_over_the_limit_is_refused_and_one_under_it_is_read(tmp_path, command):
    site = SiteFolder(tmp_path / "content")
    head = case_study(title="Long", city="Cork", country="IE")
    site.write("case-studies/long.md", sized(head, MAX_TEXT_BYTES))
    site.write("case-studies/huge.md", sized(head, MAX_TEXT_BYTES + 1))
    args = ["--output", tmp_path / "out", "--templates", TEMPLATES] if command == "build" else []
    proc = run_cli(command, "--content", site.root, *args, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    text = proc.stderr + proc.stdout
    assert (f"case-studies/huge.md:1: error: the file is 8.1 MB ({MAX_TEXT_BYTES + 1:,} bytes), over the 8 MB "
            f"limit for a Markdown file Fix: {TEXT_FIX}") in text
    assert "long.md:1: error" not in text  # read (check may still warn that it lists no sources)


def test_an_svg_over_the_limit_is_refused(tmp_path):
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv")
    rect = '<rect width="1" height="1"/>\n'
    site.write("case-studies/big.svg", '<svg xmlns="http://www.w3.org/2000/svg">\n'
               + rect * (filetypes.MAX_XML_BYTES // len(rect) + 1) + "</svg>\n")
    proc = run_cli("build", "--content", site.root, "--output", tmp_path / "out", "--templates", TEMPLATES,
                   cwd=tmp_path, timeout=300)
    assert proc.returncode == 1
    assert re.search(r"big\.svg:1: error: the file is 8\.1 MB \([\d,]+ bytes\), over the 8 MB limit for an SVG "
                     r"drawing Fix: .*raise limits: file_size_mb in site\.yaml", proc.stderr), proc.stderr
    assert not (tmp_path / "out").exists()


def test_an_image_over_the_media_limit_is_refused_with_its_size(tmp_path):
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv")
    sparse(site.root / "case-studies" / "video-still.png", MAX_MEDIA_BYTES + 1)
    sparse(site.root / "case-studies" / "report.pdf", MAX_MEDIA_BYTES, b"%PDF-1.7\n")  # exactly the limit: fine
    proc = run_cli("check", "--content", site.root, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    found = re.findall(r"^(\S+):1: error: (.*)$", proc.stdout + proc.stderr, re.M)
    assert [(Path(p).name, m) for p, m in found] == [(
        "video-still.png", f"the file is 25.1 MB ({MAX_MEDIA_BYTES + 1:,} bytes), over the 25 MB limit for an image "
        "or other file the site publishes Fix: Make the file smaller (a photo 2,000 pixels wide is plenty on a web "
        "page; the site makes the smaller sizes itself), or link to it where it is published elsewhere, or raise "
        "limits: media_size_mb in site.yaml (up to 100). Readers on slow connections wait for every megabyte.")]


# ---------------------------------------------------------------- limits set in site.yaml

def test_a_lower_limit_refuses_case_studies_pages_home_and_drawings_each_at_line_1(tmp_path):
    site = SiteFolder(tmp_path / "content")
    site.write("site.yaml", with_limits(file_size_mb="0.01", media_size_mb="0.02"))  # 10,485 and 20,971 bytes
    site.study("kashan-health-tv")
    site.write("case-studies/long.md", sized(case_study(title="Long", city="Cork", country="IE"), 10_486))
    site.write("case-studies/fits.md", sized(case_study(title="Fits", city="Cork", country="IE"), 10_485))
    site.write("pages/about.md", sized("---\ntitle: About\n---\n\n", 12_000))
    site.write("home.md", sized("Welcome.\n\n", 11_000))
    site.write("case-studies/map.svg", sized('<svg xmlns="http://www.w3.org/2000/svg"/>\n<!-- ', 10_597) + "-->")
    sparse(site.root / "case-studies" / "photo.jpg", 20_972, b"\xff\xd8\xff")
    sparse(site.root / "case-studies" / "table.csv", 20_971, b"a,b\n")
    content, errors = load_errors(site.root)
    assert content is not None and [s.slug for s in content.case_studies] == ["fits", "kashan-health-tv"]
    assert [a.rel for a in content.assets] == ["case-studies/table.csv"]
    by_file = {Path(d.path).name: d for d in errors}
    assert sorted(by_file) == ["about.md", "home.md", "long.md", "map.svg", "photo.jpg"] and len(errors) == 5
    assert all(d.line == 1 for d in errors)
    assert by_file["long.md"].message == ("the file is 0.1 MB (10,486 bytes), over the 0.01 MB limit for a "
                                          "Markdown file")
    assert by_file["long.md"].fix == by_file["about.md"].fix == by_file["home.md"].fix == TEXT_FIX
    assert "(12,000 bytes), over the 0.01 MB limit" in by_file["about.md"].message
    assert "(10,600 bytes), over the 0.01 MB limit for an SVG drawing" in by_file["map.svg"].message
    assert "(20,972 bytes), over the 0.02 MB limit for an image" in by_file["photo.jpg"].message
    assert "raise limits: media_size_mb in site.yaml" in by_file["photo.jpg"].fix


def test_a_higher_limit_reads_a_larger_file_and_its_body_again(tmp_path):
    site = SiteFolder(tmp_path / "content")
    site.write("site.yaml", with_limits(file_size_mb="8.5", media_size_mb="30"))
    text = sized(case_study(title="Long", city="Cork", country="IE"), MAX_TEXT_BYTES + 100_000)
    site.write("case-studies/long.md", text)
    sparse(site.root / "case-studies" / "poster.png", MAX_MEDIA_BYTES + 1)
    content, errors = load_errors(site.root)
    assert errors == [] and [a.rel for a in content.assets] == ["case-studies/poster.png"]
    [study] = content.case_studies
    # a record the cache kept without its body reads it again, whole, from the file
    again = load.body_text(site.root, study.body.without_body())
    assert again == study.body.markdown and len(again) > MAX_TEXT_BYTES


def test_site_yaml_is_read_with_the_default_limit_whatever_it_says(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    padding = "# a comment to make the file long\n" * 400  # 13,600 bytes, over the 0.01 MB it sets
    (folder / "site.yaml").write_text(with_limits(file_size_mb="0.01") + padding, encoding="utf-8")
    report = Report()
    found = load_settings(folder, report, None)
    assert report.items == [] and found.limits.text == int(Decimal("0.01") * MB)
    (folder / "site.yaml").write_text(with_limits(file_size_mb="50") + "#" * MAX_TEXT_BYTES, encoding="utf-8")
    assert load_settings(folder, report, None) is None
    [problem] = report.items
    assert (problem.path.endswith("site.yaml"), problem.line) == (True, 1)
    assert "over the 8 MB limit for site.yaml" in problem.message and "file_size_mb" not in problem.fix


# ---------------------------------------------------------------- a new limit checks every file again

def options(site: SiteFolder, tmp_path: Path, **extra) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(content=site.root, output=tmp_path / "out", templates=TEMPLATES, jobs=1, **extra)


def limit_site(tmp_path: Path) -> SiteFolder:
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv")
    site.write("case-studies/long.md", sized(case_study(title="Long", city="Cork", country="IE"), 30_000))
    return site


def assert_refused(result: pipeline.BuildResult) -> None:
    assert not result.ok
    [problem] = [d for d in result.report.items if d.severity == "error"]
    assert problem.path.endswith("case-studies/long.md") and problem.line == 1
    assert problem.message == "the file is 0.1 MB (30,000 bytes), over the 0.02 MB limit for a Markdown file"


def test_a_warm_build_checks_every_file_again_under_a_new_limit(tmp_path):
    site = limit_site(tmp_path)
    opts = options(site, tmp_path, cache_dir=tmp_path / ".cache")
    assert pipeline.build(opts).ok
    assert list((tmp_path / ".cache").iterdir())  # the memo of loaded case studies is kept on disk
    site.write("site.yaml", with_limits(file_size_mb="0.02"))  # 20,971 bytes: long.md (unchanged) is over it
    assert_refused(pipeline.build(opts))
    assert (tmp_path / "out" / "case-studies" / "long" / "index.html").exists()  # the last good site stays
    site.write("site.yaml", with_limits(file_size_mb="0.03"))
    assert pipeline.build(opts).ok


def test_a_serve_session_checks_every_file_again_under_a_new_limit(tmp_path):
    site = limit_site(tmp_path)
    session = pipeline.Session(options(site, tmp_path, cache_dir=None))
    assert session.rebuild().ok
    site.write("site.yaml", with_limits(file_size_mb="0.02"))
    assert_refused(session.rebuild())
    site.write("site.yaml", SITE_YAML)
    assert session.rebuild().ok


def test_the_case_study_loader_key_holds_the_limits(tmp_path):
    site = limit_site(tmp_path)
    keys = []
    for text in (SITE_YAML, with_limits(file_size_mb="8"), with_limits(file_size_mb="0.5"),
                 with_limits(media_size_mb="3")):
        site.write("site.yaml", text)
        seen = []
        load.load_content(site.root, Report(), mapper=lambda loader, paths: seen.append(loader.key) or
                          [loader(p) for p in paths])
        keys.append(seen[0])
    assert keys[0] == keys[1] and len(set(keys)) == 3  # "8" is the default; each other limit is a new key


# ---------------------------------------------------------------- the rule, for any limit and size

limits_mb = st.integers(min_value=60, max_value=4_000).map(lambda n: Decimal(n).scaleb(-5))  # 629 to 41,943 bytes


@settings(max_examples=60, **PROPERTY)
@given(limits_mb, limits_mb, st.data())
def test_a_file_is_refused_exactly_when_it_is_over_its_limit(tmp_path_factory, text_mb, media_mb, data):
    text_limit, media_limit = int(text_mb * MB), int(media_mb * MB)
    near = lambda limit: st.one_of(st.integers(limit - 3, limit + 3),  # noqa: E731
                                   st.integers(300, 2 * limit))
    sizes = {"case-studies/cork.md": data.draw(near(text_limit)), "pages/about.md": data.draw(near(text_limit)),
             "case-studies/photo.webp": data.draw(near(media_limit))}
    site = SiteFolder(tmp_path_factory.mktemp("limits") / "content")
    site.write("site.yaml", with_limits(file_size_mb=f"{text_mb:f}", media_size_mb=f"{media_mb:f}"))
    site.write("case-studies/cork.md", sized(case_study(city="Cork", country="IE"), sizes["case-studies/cork.md"]))
    site.write("pages/about.md", sized("---\ntitle: About\n---\n\n", sizes["pages/about.md"]))
    sparse(site.root / "case-studies" / "photo.webp", sizes["case-studies/photo.webp"], image_bytes("WEBP", (1, 1)))
    content, errors = load_errors(site.root)
    refused = {rel: d for d in errors for rel in sizes if d.path.endswith("content/" + rel)}
    assert len(refused) == len(errors), errors
    limit_of = {"case-studies/cork.md": text_limit, "pages/about.md": text_limit,
                "case-studies/photo.webp": media_limit}
    assert sorted(refused) == sorted(rel for rel, size in sizes.items() if size > limit_of[rel])
    for rel, problem in refused.items():
        limit = text_mb if rel.endswith(".md") else media_mb
        assert problem.line == 1
        assert f"({sizes[rel]:,} bytes), over the {limit.normalize():f} MB limit for " in problem.message
        assert ("raise limits: file_size_mb" if rel.endswith(".md") else "raise limits: media_size_mb") in problem.fix
    assert content is not None


# ---------------------------------------------------------------- the preview's error page

def test_the_preview_error_page_escapes_control_characters():
    item = problem_item(Diagnostic("case-studies/a\u202e.md", 3, 1, "error", "title \x1b[2J\u202egnp.exe", "fix \x07"))
    assert not any(ch in item for ch in "\x1b\u202e\x07")
    assert "\\x1b[2J" in item and "\\u202e" in item
