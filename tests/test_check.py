"""`sitegen check`: every problem of a content folder, located, in one run, and nothing written.

The broken content folders under tests/data/check/ each list, below, every
problem check must report: file, line, column, severity and the start of the
message. Nothing more may be reported, so a rule that stops reporting or a
location that drifts fails here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from sitegen.commands import check as check_module
from sitegen.model.diagnostics import ERROR, HINT, WARNING

DATA = Path(__file__).parent / "data" / "check"

# folder -> every (file, line, column, severity, start of message) that check must report
EXPECTED = {
    "broken-front-matter": [
        ("case-studies/duplicate-key.md", 6, 1, ERROR, "key 'title' appears twice (first on line 2)"),
        ("case-studies/images-and-sources.md", 7, 1, ERROR, "the image has no image_alt"),
        ("case-studies/images-and-sources.md", 10, 10, ERROR, "source 1: url 'ftp://example.org/report.pdf' is not a web address"),
        ("case-studies/images-and-sources.md", 13, 5, WARNING, "unknown key 'pubisher' in source 2"),
        ("case-studies/missing-image.md", 7, 8, ERROR, "image file 'img/nowhere.jpg' does not exist"),
        ("case-studies/missing-keys.md", 1, None, ERROR, "'country' is missing"),
        ("case-studies/missing-keys.md", 1, None, ERROR, "'themes' is missing"),
        ("case-studies/missing-keys.md", 1, None, ERROR, "'title' is missing"),
        ("case-studies/missing-keys.md", 3, 6, ERROR, "'date' is empty"),
        ("case-studies/no-front-matter.md", 1, None, ERROR, "the file has no front matter"),
        ("case-studies/outside-image.md", 7, 8, ERROR, "image '../../../../../pyproject.toml' points outside the content folder"),
        ("case-studies/tags-and-aliases.md", 4, 10, ERROR, "YAML tag !!python/object/apply:os.system is not allowed"),
        ("case-studies/typos.md", 4, 10, ERROR, "unknown country 'Irland'"),
        ("case-studies/typos.md", 5, 10, ERROR, "unknown theme 'helth'"),
        ("case-studies/typos.md", 6, 7, ERROR, "'date' is '2021-13-01', which is not a real date"),
        ("case-studies/typos.md", 7, 1, WARNING, "unknown key 'summry'"),
        ("case-studies/typos.md", 8, 14, ERROR, "'coordinates' [200.0, 10.0] is off the globe"),
        ("case-studies/typos.md", 9, 7, ERROR, "'slug' is 'Cork_Festival'; a slug may only hold lowercase"),
        ("case-studies/yaml-syntax.md", 3, 12, ERROR, "YAML syntax error: mapping values are not allowed"),
        ("pages/menu.md", 3, 7, ERROR, "'menu' is 'first', not a whole number"),
        ("pages/themes.md", 3, 7, ERROR, "the page slug 'themes' is taken by the site's own pages"),
    ],
    "broken-bodies": [
        ("case-studies/draft.md", 11, 30, ERROR, "link to '../pages/missing.md', but there is no such case study or page"),
        ("case-studies/draft.md", 13, 1, ERROR, "heading 'Starts too deep' skips a level: it is level 3 (###) right after the page title"),
        ("case-studies/links.md", 13, 35, ERROR, "link to 'nowhere.md', but there is no such case study or page"),
        ("case-studies/links.md", 13, 61, ERROR, "link to 'draft.md', which is a draft"),
        ("case-studies/links.md", 15, 5, WARNING, "image '../img/present.gif' has no alt text"),
        ("case-studies/links.md", 15, 70, ERROR, "image '../img/missing.png' points to a file that does not exist"),
        ("case-studies/links.md", 17, 1, ERROR, "heading 'A second title' is a second h1"),
        ("case-studies/links.md", 21, 1, ERROR, "heading 'Too deep' skips a level: it is level 4 (####) right after a level-2 heading"),
        ("case-studies/links.md", 23, 14, WARNING, "the javascript: address 'javascript:alert(1)' is not allowed and is removed"),
        ("case-studies/links.md", 23, 46, ERROR, "link 'JaVaScRiPt&#58;alert(2)' points to a file that does not exist"),
        ("case-studies/links.md", 25, 1, WARNING, "HTML <script> is not allowed and is removed"),
        ("case-studies/links.md", 27, 75, ERROR, "link to '../pages/gone.md#top', but there is no such case study or page"),
        ("pages/about.md", 7, 1, ERROR, "heading 'Too deep for the first heading' skips a level"),
        ("pages/about.md", 11, 6, WARNING, "the attribute onclick= on <div> is not allowed"),
        ("pages/about.md", 11, 24, WARNING, "the attribute style= on <div> is not allowed"),
    ],
    "warnings": [
        ("case-studies/alone.md", 3, 7, HINT, "no coordinates are given, so Yeonsu-gu is not on the map"),
        ("case-studies/alone.md", 4, 10, HINT, "no other case study is from South Korea"),
        ("case-studies/alone.md", 6, 5, HINT, "no other case study has the theme 'Literacy'"),
        ("case-studies/dup-title.md", 3, 7, HINT, "no coordinates are given, so Kashan is not on the map"),
        ("case-studies/duplicate.md", 1, None, WARNING, "the case study lists no sources"),
        ("case-studies/duplicate.md", 2, 8, WARNING, "the title still holds the TODO placeholder"),
        ("case-studies/duplicate.md", 3, 7, HINT, "no coordinates are given, so Kashan is not on the map"),
        ("case-studies/duplicate.md", 9, 1, WARNING, "the text still holds 2 TODO placeholders"),
        ("case-studies/future.md", 2, 8, WARNING, "the title 'Same title' is also used by tests/data/check/warnings/case-studies/dup-title.md"),
        ("case-studies/future.md", 3, 7, HINT, "no coordinates are given, so Kashan is not on the map"),
        ("case-studies/future.md", 6, 7, WARNING, "date 2999-01-01 is in the future"),
        ("case-studies/future.md", 7, 10, WARNING, "the summary is 319 characters long, over 300"),
        ("case-studies/future.md", 11, 11, WARNING, "source 1: date 2998-05-01 is in the future"),
        ("pages/about.md", 2, 8, WARNING, "the title 'Same Title' is also used by tests/data/check/warnings/case-studies/dup-title.md"),
        ("site.yaml", 11, 5, HINT, "theme 'Equity and Inclusion' has no published case study yet"),
    ],
    "broken-site": [
        ("site.yaml", 2, 1, WARNING, "unknown key 'descripton'"),
        ("site.yaml", 3, 11, ERROR, "base_url 'example.org/showcase' is not an absolute http(s) address"),
        ("site.yaml", 7, None, ERROR, "theme id 'literacy' is used twice (also on line 6)"),
        ("site.yaml", 10, 9, ERROR, "theme 3: 'id' is 'Bad Id'"),
    ],
}


def check_json(content: Path, *extra: str):
    proc = run_cli("check", "--content", content, "--format", "json", *extra)
    return proc, json.loads(proc.stdout)


def located(problems: list[dict], content: Path) -> list[tuple]:
    """Each problem as (file relative to the content folder, line, column, severity, message)."""
    out = []
    for p in problems:
        path = Path(p["path"])
        path = path if path.is_absolute() else ROOT / path
        out.append((path.resolve().relative_to(content.resolve()).as_posix(), p["line"], p["column"],
                    p["severity"], p["message"]))
    return out


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_every_problem_of_a_broken_folder_is_reported_at_its_place_in_one_run(folder):
    content = DATA / folder
    proc, result = check_json(content)
    found = sorted(located(result["problems"], content), key=lambda p: (p[0], p[1] or 0, p[2] or 0, p[4]))
    expected = sorted(EXPECTED[folder], key=lambda p: (p[0], p[1] or 0, p[2] or 0, p[4]))
    assert [p[:4] for p in found] == [e[:4] for e in expected], "\n".join(map(str, found))
    for got, want in zip(found, expected):
        assert got[4].startswith(want[4]), (got, want)
    errors = sum(1 for e in expected if e[3] == ERROR)
    assert (result["errors"], result["warnings"]) == (errors, sum(1 for e in expected if e[3] == WARNING))
    assert proc.returncode == (1 if errors else 0), proc.stderr


def test_text_output_is_path_line_column_severity_message_and_ends_with_the_count():
    proc = run_cli("check", "--content", DATA / "broken-front-matter")
    lines = proc.stdout.splitlines()
    assert proc.returncode == 1
    assert ("tests/data/check/broken-front-matter/case-studies/typos.md:4:10: error: unknown country 'Irland' "
            "Fix: Did you mean 'Ireland' (IE)?") in lines
    assert "tests/data/check/broken-front-matter/case-studies/missing-keys.md:1: error: 'title' is missing" in proc.stdout
    assert lines[-1].startswith("Checked 11 files: 19 errors, 2 warnings, 0 hints")


def test_json_output_is_for_tools():
    proc, result = check_json(DATA / "warnings")
    assert set(result) >= {"problems", "errors", "warnings", "hints", "files", "seconds", "failed"}
    assert result["failed"] is False and proc.returncode == 0
    first = result["problems"][0]
    assert set(first) == {"path", "line", "column", "severity", "message", "fix"}


def test_warnings_fail_only_with_strict_and_hints_never(site):
    site.study("kashan-health-tv", date="2999-01-01", sources=None)
    assert run_cli("check", "--content", site.root).returncode == 0
    assert run_cli("check", "--content", site.root, "--strict").returncode == 1
    hints_only = DATA / "warnings"
    result = check_module.check(hints_only, ROOT / "templates")
    assert result.report.count(HINT) and not result.report.failed(strict=False)


def test_check_writes_nothing(tmp_path):
    """No output folder, no cache, no file touched in the content folder or the working folder."""
    work = tmp_path / "work"
    (work / "content").mkdir(parents=True)
    for path in (DATA / "broken-bodies").rglob("*"):
        target = work / "content" / path.relative_to(DATA / "broken-bodies")
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())

    def snapshot():
        return {p.relative_to(work).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
                for p in work.rglob("*")}

    before = snapshot()
    proc = run_cli("check", "--templates", ROOT / "templates", cwd=work)
    assert proc.returncode == 1 and "Checked 3 files" in proc.stdout
    assert snapshot() == before


def test_the_bundled_showcase_has_no_errors_or_warnings():
    started = time.perf_counter()
    proc, result = check_json(ROOT / "content", "--strict")
    elapsed = time.perf_counter() - started
    problems = [p for p in result["problems"] if p["severity"] != HINT]
    assert problems == [], json.dumps(problems, indent=2, ensure_ascii=False)
    assert proc.returncode == 0
    print(f"check on the showcase: {result['seconds']:.2f} s inside, {elapsed:.2f} s with Python start")


# ---------------------------------------------------------------- rules one by one, in-process

SOURCES = '[{title: A report, url: "https://example.org/report"}]'


def study(site, name, **fields):
    """A case study with one source (so 'lists no sources' stays out of the way); its body starts on line 10."""
    fields.setdefault("sources", SOURCES)
    return site.study(name, **fields)


def run_check(site, today=dt.date(2026, 1, 1)):
    result = check_module.check(site.root, ROOT / "templates", today=today)
    return [(Path(d.path).name, d.line, d.column, d.severity, d.message) for d in result.report.sorted()]


def messages(found, severity=None):
    return [f[4] for f in found if severity is None or f[3] == severity]


def test_a_published_study_linking_to_a_draft_is_an_error_and_drafts_are_checked_too(site):
    study(site, "draft-one", title="Draft one", draft="true",
               body="Intro.\n\n## Context\n\nSee [nothing](nothing.md).\n")
    study(site, "kashan-health-tv", body="See [the draft](draft-one.md).\n")
    found = run_check(site)
    assert ("kashan-health-tv.md", 10, 17, ERROR,
            "link to 'draft-one.md', which is a draft (draft: true), so it is not on the published site") in found
    assert any(f[0] == "draft-one.md" and "nothing.md" in f[4] and f[3] == ERROR for f in found)


def test_a_link_to_a_file_with_errors_says_so(site):
    study(site, "broken", country="Narnia")
    study(site, "kashan-health-tv", body="See [broken](broken.md).\n")
    found = run_check(site)
    assert any("link to 'broken.md', which is a file that has errors" in m for m in messages(found, ERROR))


def test_headings_setext_and_raw_html_count_too(site):
    study(site, "kashan-health-tv", body="Intro.\n\nTitle again\n===========\n\n<h4>Raw</h4>\n")
    found = run_check(site)
    assert ("kashan-health-tv.md", 12, 1, ERROR, "heading 'Title again' is a second h1: the page title is already the h1") in found
    assert any(f[1] == 15 and "heading 'Raw' skips a level" in f[4] for f in found)


def test_headings_in_code_blocks_are_not_headings(site):
    study(site, "kashan-health-tv", body="Intro.\n\n```\n# a comment\n#### not a heading\n```\n\n## Context\n\n### Detail\n")
    assert [f for f in run_check(site) if f[3] != HINT] == []


def test_the_first_of_two_identical_broken_links_does_not_hide_the_second(site):
    study(site, "kashan-health-tv", body="[a](gone.md)\n\nText.\n\n[b](gone.md)\n")
    lines = [f[1] for f in run_check(site) if "gone.md" in f[4]]
    assert lines == [10, 14]


def test_files_that_would_replace_pages_or_run_script_are_reported(site):
    site.write("index.html", "<p>mine</p>")
    site.write("case-studies/page.html", "<script>alert(1)</script>")
    site.write("img/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    site.write("img/clean.svg", '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>')
    site.write("static/style.css", "body{}")
    found = run_check(site)
    assert ("index.html", None, None, ERROR, "'index.html' would replace a file the site makes itself") in found
    assert ("style.css", None, None, ERROR, "'static/style.css' would replace a file the site makes itself") in found
    assert any(f[0] == "page.html" and f[3] == ERROR and "files of type .html are not published" in f[4] for f in found)
    assert any(f[0] == "logo.svg" and f[3] == ERROR and "holds script" in f[4] for f in found)
    assert not any(f[0] == "clean.svg" for f in found)


def test_a_template_override_with_a_syntax_error_is_reported_at_its_line(site):
    site.write("templates/page.html", "{% extends 'base.html' %}\n{% block main %}\n{{ page.title }\n{% endblock %}\n")
    found = run_check(site)
    assert any(f[0] == "page.html" and f[1] == 3 and f[4].startswith("template syntax error") for f in found)


def test_checks_in_one_process_compile_each_template_once_and_an_edited_one_again(site, compiles):
    """check keeps compiled templates in the process's store, as a build does (keyed on each source):
    a second check compiles nothing, and an override compiles when it is new and again once edited, alone."""

    def errors() -> int:
        return check_module.check(site.root, ROOT / "templates").report.count(ERROR)

    assert errors() == 0
    first = len(compiles)
    assert errors() == 0
    assert compiles[first:] == []
    override = "{% extends 'base.html' %}\n{% block main %}\n<h1>{{ item.study.title }}</h1>\n{% endblock %}\n"
    site.write("templates/case_study.html", override)
    assert errors() == 0
    assert "case_study.html" in compiles[first:]  # (and the theme's, for the sandbox an override brings)
    again = len(compiles)
    assert errors() == 0
    assert compiles[again:] == []
    site.write("templates/case_study.html", override.replace("<h1>{{ item.study.title }}", "<h1>{{ item.study.title }"))
    found = run_check(site)
    assert any(f[0] == "case_study.html" and f[1] == 3 and f[4].startswith("template syntax error") for f in found)
    broken = len(compiles)
    site.write("templates/case_study.html", override.replace("<h1>", '<h1 class="edited">'))
    assert errors() == 0
    assert compiles[broken:] == ["case_study.html"]


def test_names_that_differ_only_in_case_are_an_error(site):
    site.write("case-studies/Cork.md", site.root.joinpath("case-studies/kashan-health-tv.md").read_text()
               .replace("Every Home", "Cork one"))
    site.write("case-studies/cork.md", site.root.joinpath("case-studies/kashan-health-tv.md").read_text()
               .replace("Every Home", "Cork two"))
    site.write("img/Photo.jpg", b"x")
    site.write("img/photo.jpg", b"y")
    found = run_check(site)
    assert any(f[0] == "cork.md" and "'cork.md' and 'Cork.md' differ only in upper and lower case" in f[4] for f in found)
    assert any(f[0] == "photo.jpg" and "differ only in upper and lower case" in f[4] for f in found)


def test_future_dates_are_measured_against_today(site):
    study(site, "kashan-health-tv", date="2026-01-02")
    assert "date 2026-01-02 is in the future" in messages(run_check(site, today=dt.date(2026, 1, 1)))
    assert "date 2026-01-02 is in the future" not in messages(run_check(site, today=dt.date(2026, 1, 2)))


def test_summary_of_exactly_300_characters_is_fine(site):
    study(site, "kashan-health-tv", summary="x" * 300)
    assert not [m for m in messages(run_check(site)) if "summary" in m]
    study(site, "kashan-health-tv", summary="x" * 301)
    assert "the summary is 301 characters long, over 300" in messages(run_check(site), WARNING)


def test_drafts_may_hold_placeholders(site):
    study(site, "kashan-health-tv", title='"TODO: later"', draft="true", body="TODO: write it.\n")
    study(site, "other", title="Another")
    assert not [m for m in messages(run_check(site)) if "TODO" in m]


def test_check_is_quick_on_the_showcase():
    """Not a timing assertion: the time is printed for the report (pytest -s)."""
    result = check_module.check(ROOT / "content", ROOT / "templates")
    print(f"check on the showcase, in-process: {result.seconds:.3f} s for {result.files} files")
    assert result.files > 0


def test_byte_level_trouble_is_located(site):
    # BOM and CRLF: the unknown theme is still on line 5
    site.write("case-studies/bom.md", "\ufeff---\r\ntitle: A\r\ncity: B\r\ncountry: IE\r\nthemes: [nope]\r\n"
                                     "date: 2021-01-01\r\n---\r\n\r\nText.\r\n")
    # old Mac line ends (CR only), with a broken link on body line 3
    site.write("case-studies/cr.md", "---\rtitle: C\rcity: B\rcountry: IE\rthemes: [literacy]\rdate: 2021-01-01\r---\r\r"
                                    "Text.\r\r[x](gone.md)\r")
    site.write("case-studies/latin1.md", b"---\ntitle: Caf\xe9\ncity: B\n---\n")
    site.write("case-studies/bell.md", "---\ntitle: Ring\x07\ncity: B\ncountry: IE\nthemes: [literacy]\ndate: 2021-01-01\n---\n")
    site.write("case-studies/escape.md", '---\ntitle: "Ring\\a"\ncity: B\ncountry: IE\nthemes: [literacy]\ndate: 2021-01-01\n---\n')
    found = run_check(site)
    assert ("bom.md", 5, 10, ERROR, "unknown theme 'nope'") in found
    assert any(f[0] == "cr.md" and f[1] == 11 and "gone.md" in f[4] for f in found)
    assert ("latin1.md", 2, 11, ERROR, "the file is not UTF-8 text") in found
    assert ("bell.md", 2, 12, ERROR, "the front matter holds an invisible control character (U+0007)") in found
    assert ("escape.md", 2, 8, ERROR, "'title' holds an invisible control character (U+0007)") in found


def test_empty_optional_values_are_absent_with_the_c_yaml_parser_too(site):
    """Regression: libyaml marks a plain null with style '' (not None), so `summary:` became the text ''."""
    study(site, "kashan-health-tv", summary="", draft="~", region="null")
    found = [f for f in run_check(site) if f[3] != HINT]
    assert found == []


@pytest.mark.skipif(os.name == "nt", reason="symlinks")
def test_links_pointing_outside_the_content_folder_are_refused(site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret\ncity: X\ncountry: IE\nthemes: [literacy]\ndate: 2021-01-01\n---\nSecret.\n")
    (site.root / "case-studies" / "leak.md").symlink_to(secret)
    found = run_check(site)
    assert ("leak.md", None, None, ERROR, "this file is a link to something outside the content folder") in found
