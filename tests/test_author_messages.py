"""What an author is told about the mistakes an editor makes: located, in their terms, never a traceback or a hang.

Each test writes the mistake into a real content folder and reads what the
loader, `build`, `check` or `serve` say about it: a date written without
its zeros, a title in a word processor's curly quotes, a tab in the
indentation, two files with one URL, and files that are not files (a
dangling link, a named pipe, a folder called `x.md`, a file deleted while
the build runs, a link out of the content folder). Where a rule holds for
every input (every date written without zeros, every title in curly
quotes) a derandomized hypothesis property checks it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT, SiteFolder, case_study, run_cli
from sitegen import load
from sitegen.build import pipeline
from sitegen.commands import check
from sitegen.load import content as load_content_module
from sitegen.load import yamltext
from sitegen.model.diagnostics import ERROR, Report, display_path

PROPERTY = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

pytestmark = pytest.mark.spread  # independent tests: xdist deals them out one by one (see conftest.py)


def loaded(site: SiteFolder, mapper=None) -> tuple[Report, object]:
    report = Report()
    return report, load.load_content(site.root, report, rules=pipeline.load_rules(), mapper=mapper)


def problems(report: Report, name: str) -> list[tuple]:
    """(line, column, message, fix) of each problem about the file called `name`."""
    return [(d.line, d.column, d.message, d.fix) for d in report.sorted() if Path(d.path).name == name]


def write_over(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- dates written without their zeros

def test_a_date_without_its_zeros_is_told_the_authors_own_date_padded(site):
    site.study("kashan-health-tv", date="2021-3-5")
    report, content = loaded(site)
    assert problems(report, "kashan-health-tv.md") == [
        (6, 7, "'date' is '2021-3-5', not a date in the form YYYY-MM-DD",
         "Write it as date: 2021-03-05 (two digits for the month and for the day).")]
    assert content.case_studies == ()


@pytest.mark.parametrize("written, padded", [("2021-3-05", "2021-03-05"), ("2021-03-5", "2021-03-05"),
                                             ("2021/3/5", "2021-03-05"), ("2021.12.1", "2021-12-01")])
def test_other_year_first_forms_are_told_their_padded_date(site, written, padded):
    site.study("kashan-health-tv", date=written)
    report, _ = loaded(site)
    [(line, _, message, fix)] = problems(report, "kashan-health-tv.md")
    assert line == 6 and f"'{written}'" in message and fix.startswith(f"Write it as date: {padded} ")


@pytest.mark.parametrize("written, message, fix", [
    ("2021-02-30", "'date' is '2021-02-30', which is not a real date: February 2021 has 28 days",
     "Check the day: February 2021 has days 01 to 28."),
    ("2020-2-30", "'date' is '2020-2-30', which is not a real date: February 2020 has 29 days",
     "Check the day: February 2020 has days 01 to 29."),
    ("2021-04-31", "'date' is '2021-04-31', which is not a real date: April 2021 has 30 days",
     "Check the day: April 2021 has days 01 to 30."),
    ("2021-13-01", "'date' is '2021-13-01', which is not a real date: there is no month 13",
     "Check the month: months are 01 (January) to 12 (December)."),
    ("2021-0-10", "'date' is '2021-0-10', which is not a real date: there is no month 0",
     "Check the month: months are 01 (January) to 12 (December)."),
    ("2021-01-00", "'date' is '2021-01-00', which is not a real date: there is no day 0",
     "Check the day: January 2021 has days 01 to 31."),
])
def test_an_impossible_date_says_what_is_impossible_and_suggests_no_other_date(site, written, message, fix):
    site.study("kashan-health-tv", date=written)
    report, _ = loaded(site)
    assert problems(report, "kashan-health-tv.md") == [(6, 7, message, fix)]


@pytest.fixture(scope="module")
def date_site(tmp_path_factory) -> SiteFolder:
    return SiteFolder(tmp_path_factory.mktemp("dates") / "content")


@st.composite
def unpadded(draw, dates=st.dates(min_value=dt.date(1000, 1, 1))):
    """A real date written with its month or its day (or both) without the leading zero, as YYYY-M-D."""
    date = draw(dates)
    month, day = draw(st.sampled_from([("{:d}", "{:d}"), ("{:d}", "{:02d}"), ("{:02d}", "{:d}")]))
    return date, f"{date.year}-{month.format(date.month)}-{day.format(date.day)}"


@settings(max_examples=300, **PROPERTY)
@given(case=unpadded())
def test_every_real_date_written_without_zeros_is_told_as_itself_padded(date_site, case):
    date, written = case
    if written == date.isoformat():  # month and day of two digits already: nothing to pad
        return
    write_over(date_site.root / "case-studies" / "dated.md", case_study(date=written))
    report, _ = loaded(date_site)
    [(line, column, message, fix)] = problems(report, "dated.md")
    assert (line, column) == (6, 7) and message == f"'date' is '{written}', not a date in the form YYYY-MM-DD"
    assert fix == f"Write it as date: {date.isoformat()} (two digits for the month and for the day)."
    write_over(date_site.root / "case-studies" / "dated.md", case_study(date=date.isoformat()))  # the fix works
    report, content = loaded(date_site)
    assert report.count(ERROR) == 0 and content.case_studies[0].date == date


@settings(max_examples=300, **PROPERTY)
@given(year=st.integers(1000, 9999), month=st.integers(0, 99), day=st.integers(0, 99), pad=st.booleans())
def test_an_impossible_date_is_never_told_to_be_written_as_another_date(date_site, year, month, day, pad):
    try:
        dt.date(year, month, day)
        return
    except ValueError:
        pass
    written = f"{year}-{month:02d}-{day:02d}" if pad else f"{year}-{month}-{day}"
    write_over(date_site.root / "case-studies" / "dated.md", case_study(date=written))
    report, _ = loaded(date_site)
    [(line, column, message, fix)] = problems(report, "dated.md")
    assert (line, column) == (6, 7) and "Write it as" not in fix
    assert message.startswith(f"'date' is '{written}', which is not a real date: ")


# ---------------------------------------------------------------- titles in a word processor's quotes

QUOTES = [("“", "”"), ("‘", "’"), ("„", "“"), ("«", "»"), ("‚", "‘"), ("”", "”"), ("「", "」")]


@pytest.mark.parametrize("opening, closing", QUOTES)
def test_a_title_in_typographic_quotes_is_kept_as_written(site, opening, closing):
    site.study("kashan-health-tv", title=f"{opening}Learning at home{closing}")
    report, content = loaded(site)
    assert report.count(ERROR) == 0, report.as_text()
    assert content.case_studies[0].title == f"{opening}Learning at home{closing}"


@pytest.mark.parametrize("opening, closing", QUOTES)
def test_typographic_quotes_that_break_the_front_matter_are_explained_with_the_fixed_line(site, opening, closing):
    site.study("kashan-health-tv", title=f"{opening}Learning: at home{closing}")
    report, _ = loaded(site)
    [(line, column, message, fix)] = problems(report, "kashan-health-tv.md")
    assert (line, column) == (2, 8)
    assert message == (f"the value of 'title' starts with a typographic quote ({opening}), which is not a YAML "
                       f"quote, so its ': ' breaks the front matter")
    assert fix == (f'Wrap the whole value in straight quotes (the " key): title: "{opening}Learning: at home{closing}"'
                   f" (the {opening} {closing} then show on the page; leave them out to show none).")


def test_the_fixed_line_uses_single_quotes_when_the_value_holds_a_double_quote(site):
    site.study("kashan-health-tv", title='“Learning: at "home"”')
    report, _ = loaded(site)
    [(_, _, _, fix)] = problems(report, "kashan-health-tv.md")
    assert "title: '“Learning: at \"home\"”'" in fix


def test_typographic_quotes_in_a_source_and_a_list_item_are_explained_too(site):
    site.study("kashan-health-tv", sources="\n  - title: “Report: the first year”\n    url: https://example.org/")
    site.study("second", themes="\n  - „Literacy: reading“")
    report, _ = loaded(site)
    [(line, column, message, fix)] = problems(report, "kashan-health-tv.md")
    assert (line, column) == (8, 12) and "starts with a typographic quote (“)" in message
    assert 'title: "“Report: the first year”"' in fix
    [(line, column, message, fix)] = problems(report, "second.md")
    assert (line, column) == (6, 5) and message.startswith("a value starts with a typographic quote („)")
    assert '- "„Literacy: reading“"' in fix


def test_a_typographic_quote_cut_short_by_a_comment_is_an_error_not_a_shorter_title(site):
    site.study("kashan-health-tv", title="“Learning #1 at home”")
    report, content = loaded(site)
    [(line, column, message, fix)] = problems(report, "kashan-health-tv.md")
    assert (line, column) == (2, 8) and content.case_studies == ()
    assert message == ("the value of 'title' starts with a typographic quote (“), which is not a YAML quote, "
                       "so YAML reads everything from ' #' on as a comment and drops it")
    assert 'title: "“Learning #1 at home”"' in fix


def test_a_straight_quote_closed_by_a_typographic_one_is_explained(site):
    site.study("kashan-health-tv", title='"Learning at home”')
    report, _ = loaded(site)
    [(line, column, message, fix)] = problems(report, "kashan-health-tv.md")
    assert (line, column) == (2, 8)
    assert message == ("the value of 'title' opens with a straight quote (\") but ends with a typographic one (”), "
                       "so the quote is never closed")
    assert fix == 'End it with the same straight quote: title: "Learning at home"'


def test_an_unclosed_quote_points_at_where_it_opens(site):
    site.study("kashan-health-tv", summary='"Learning at home')
    report, _ = loaded(site)
    [(line, column, message, fix)] = problems(report, "kashan-health-tv.md")
    assert (line, column) == (7, 10)
    assert message == "the quote (\") that opens the value of 'summary' is never closed"
    assert fix == "Add the same quote at the end of the value: summary: \"Learning at home\""


def test_a_straight_quote_inside_straight_quotes_is_explained_with_the_other_kind(site):
    site.study("kashan-health-tv", title="'Kashan's programme'")
    site.study("second", title='"The "best" city"')
    report, _ = loaded(site)
    assert problems(report, "kashan-health-tv.md") == [
        (2, 15, "the value of 'title' is in single quotes (') and holds an apostrophe (') that ends it early",
         "Quote it with the other kind of quote: title: \"Kashan's programme\"")]
    assert problems(report, "second.md") == [
        (2, 13, "the value of 'title' is in double quotes (\") and holds a double quote (\") that ends it early",
         "Quote it with the other kind of quote: title: 'The \"best\" city'")]


def test_a_backslash_in_double_quotes_is_explained_with_single_quotes(site):
    site.study("kashan-health-tv", title='"Learning\\Home"')
    report, _ = loaded(site)
    assert problems(report, "kashan-health-tv.md") == [
        (2, 17, "the value of 'title' is in double quotes (\"), where a backslash (\\) starts a special character",
         "Use single quotes, where a backslash is just a backslash: title: 'Learning\\Home'")]


def test_a_comment_after_a_closed_typographic_quote_stays_a_comment(site):
    site.study("kashan-health-tv", title="“Learning at home” # Kashan’s own words")
    report, content = loaded(site)
    assert report.count(ERROR) == 0 and content.case_studies[0].title == "“Learning at home”"


INNER = st.lists(st.sampled_from(list("abc xyz:#,'\"\\-[]{}&*!|>%@`’‘“”") + ["Kashan", ": ", " #"]),
                 max_size=12).map("".join)
CLOSED_THEN_COMMENT = re.compile(r"[“”„‟‘’‚‛«»‹›「」『』][ ]+#")


def fixed_line(fix: str, key: str) -> str:
    """The `key: "..."` line a fix shows."""
    found = re.search(rf"{key}: (\"|').*\1(?= \(the |$)", fix)
    assert found, fix
    return found.group(0)


@pytest.mark.parametrize("parser", ["C", "Python"])
@settings(max_examples=400, **PROPERTY)
@given(quotes=st.sampled_from(QUOTES), inner=INNER, key=st.sampled_from(["title", "summary", "city"]))
def test_a_value_in_typographic_quotes_loads_as_written_or_gets_a_fixed_line_that_does(monkeypatch, parser, quotes,
                                                                                        inner, key):
    """Never a silently shorter value: the text as written, or a message whose fixed line gives it.

    (Except a closing typographic quote followed by ' #': that may be a real comment, and stays one.)
    """
    if parser == "Python":
        monkeypatch.setattr(yamltext, "_Loader", yamltext.yaml.SafeLoader)
    written = f"{quotes[0]}{inner}{quotes[1]}"
    if CLOSED_THEN_COMMENT.search(written):
        return
    doc, problem = yamltext.parse(f"{key}: {written}\nother: x\n", line_offset=1, name="the front matter")
    if problem is None:
        assert doc.value[key] == written, (written, doc.value)
        return
    assert problem.mark.line == 2 and "typographic quote" in problem.message, problem
    doc, again = yamltext.parse(fixed_line(problem.fix, key) + "\n", name="the front matter")
    assert again is None and doc.value[key] == written, (problem.fix, again)


@pytest.mark.parametrize("parser", ["C", "Python"])
@settings(max_examples=400, **PROPERTY)
@given(quote=st.sampled_from(["'", '"']), inner=st.lists(st.sampled_from(list("abc :,'\"’“")), max_size=12).map("".join))
def test_a_quote_inside_straight_quotes_loads_or_gets_a_fixed_line_that_gives_the_text(monkeypatch, parser, quote,
                                                                                        inner):
    """`title: 'Kashan's programme'`: the text as written, or a message whose fixed line gives it."""
    if parser == "Python":
        monkeypatch.setattr(yamltext, "_Loader", yamltext.yaml.SafeLoader)
    if quote * 2 in inner:
        return  # '' is YAML's own way to write ' inside single quotes: the author may mean either
    doc, problem = yamltext.parse(f"title: {quote}{inner}{quote}\nother: x\n", line_offset=1)
    if problem is None:
        assert doc.value["title"] == inner
        return
    assert problem.mark.line == 2 and ("ends it early" in problem.message or "never closed" in problem.message), problem
    doc, again = yamltext.parse(fixed_line(problem.fix, "title") + "\n")
    assert again is None and doc.value["title"] == inner, (problem.fix, again)


# ---------------------------------------------------------------- tabs

TAB_FIX = ("Indent with spaces: replace the tab with spaces, as many as the lines around it use (most editors "
           "can do this for you: 'Convert indentation to spaces').")


@pytest.mark.parametrize("front, line, column", [
    ("title: A\ncity: B\ncountry: IE\nthemes:\n\t- literacy\ndate: 2021-01-01\n", 6, 1),
    ("\ttitle: A\ncity: B\n", 2, 1),
    ("title: A\nsources:\n  - title: x\n\turl: https://example.org/\n", 5, 1),
    ("title: A\nsources:\n  - title: x\n  \turl: https://example.org/\n", 5, 3),
    ("title: A\nsources:\n\t- title: x\n\t  url: https://example.org/\n", 4, 1),
    ("summary: first\n\tsecond\ntitle: A\n", 3, 1),
])
@pytest.mark.parametrize("parser", ["C", "Python"])
def test_a_tab_in_the_indentation_is_named_with_its_place(site, monkeypatch, front, line, column, parser):
    if parser == "Python":
        monkeypatch.setattr(yamltext, "_Loader", yamltext.yaml.SafeLoader)
    else:  # the pinned PyYAML wheels carry libyaml: the C parser is the one builds use
        assert yamltext._Loader is yamltext.yaml.CSafeLoader
    site.write("case-studies/tabbed.md", "---\n" + front + "---\n\nText.\n")
    report, _ = loaded(site)
    assert problems(report, "tabbed.md") == [
        (line, column, "the front matter uses a tab for indentation", TAB_FIX)]


def test_a_tab_in_site_yaml_is_named_too(site):
    site.write("site.yaml", (site.root / "site.yaml").read_text().replace("  - name: Literacy", "\t- name: Literacy"))
    report = Report()
    assert load.load_content(site.root, report) is None
    [d] = report.items
    assert (Path(d.path).name, d.line, d.column) == ("site.yaml", 9, 1)
    assert "uses a tab for indentation" in d.message and d.fix.startswith("Indent with spaces")


def test_build_and_check_say_tab_and_never_parser_words(site, build):
    site.write("case-studies/tabbed.md", "---\ntitle: A\ncity: B\ncountry: IE\nthemes:\n\t- literacy\n"
                                         "date: 2021-01-01\n---\n\nText.\n")
    for proc in (build(site)[0], run_cli("check", "--content", site.root, cwd=site.root.parent)):
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        out = proc.stdout + proc.stderr
        assert re.search(r"case-studies/tabbed\.md:6:1: error: the front matter uses a tab for indentation "
                         r"Fix: Indent with spaces", out), out
        assert "token" not in out and "YAML syntax error" not in out


# ---------------------------------------------------------------- two files, one URL

def test_a_duplicate_slug_names_both_files_each_at_its_slug_line(site, build):
    site.study("second", slug="kashan-health-tv")  # slug: on line 7; the first takes its URL from its name
    site.study("third", slug="shared")
    site.study("fourth", slug="shared")
    first, other = (display_path(site.root / "case-studies" / n) for n in ("kashan-health-tv.md", "fourth.md"))
    expected = [  # files are read in name order: fourth.md before third.md
        f"case-studies/third.md:7:7: error: case study URL 'shared' is also used by {other}:7, which sets it "
        f"with 'slug:' Fix: Give one of the two a different 'slug:'.",
        f"case-studies/second.md:7:7: error: case study URL 'kashan-health-tv' is also used by {first}:1, which "
        f"takes it from its file name Fix: Give one of the two a different 'slug:', or rename one of the files.",
    ]
    for proc in (build(site)[0], run_cli("check", "--content", site.root, cwd=site.root.parent)):
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        out = proc.stdout + proc.stderr
        for line in expected:
            assert line in out, out


def test_a_duplicate_slug_from_two_file_names_is_at_line_one_of_each(site):
    site.write("pages/about.md", "---\ntitle: About\n---\n\nText.\n")
    site.write("pages/other.md", "---\ntitle: Other\nslug: about\n---\n\nText.\n")
    site.write("case-studies/Kashan Health TV.md", case_study(title="Another"))
    report, _ = loaded(site)
    shown = display_path(site.root / "pages" / "about.md")
    assert problems(report, "other.md") == [
        (3, 7, f"page URL 'about' is also used by {shown}:1, which takes it from its file name",
         "Give one of the two a different 'slug:', or rename one of the files.")]
    shown = display_path(site.root / "case-studies" / "Kashan Health TV.md")
    assert problems(report, "kashan-health-tv.md") == [
        (1, None, f"case study URL 'kashan-health-tv' is also used by {shown}:1, which takes it from its file name",
         "Give one of the two a different 'slug:', or rename one of the files.")]


# ---------------------------------------------------------------- files that are not files

needs_links = pytest.mark.skipif(os.name == "nt", reason="symbolic links and named pipes")

NOT_FILES = {
    "case-studies/gone.md": ("this file is a link that leads nowhere",
                             "Replace the link with the file itself, or delete it."),
    "pages/gone.md": ("this file is a link that leads nowhere", "Replace the link with the file itself, or delete it."),
    "case-studies/pipe.md": ("this is a named pipe, not a file sitegen can read",
                             "Delete it, or move it out of the content folder: sitegen reads only ordinary files."),
    "pages/pipe.md": ("this is a named pipe, not a file sitegen can read",
                      "Delete it, or move it out of the content folder: sitegen reads only ordinary files."),
    "case-studies/folder.md": ("this is a folder whose name ends in .md, not a Markdown file",
                               "Rename the folder so that its name does not end in .md."),
    "case-studies/leak.md": ("this file is a link to something outside the content folder",
                             "Copy the file into the content folder instead of linking to it."),
    "pages/leak.md": ("this file is a link to something outside the content folder",
                      "Copy the file into the content folder instead of linking to it."),
}


def not_files(site: SiteFolder) -> SiteFolder:
    """The site with every kind of .md that is not a readable file inside the folder (NOT_FILES)."""
    outside = site.root.parent / "outside.md"
    outside.write_text(case_study(title="Secret"), encoding="utf-8")
    for rel in NOT_FILES:
        path = site.root / rel
        if "gone" in rel:
            path.symlink_to("nothing-here.md")
        elif "pipe" in rel:
            os.mkfifo(path)
        elif "folder" in rel:
            path.mkdir()
        else:
            path.symlink_to(outside)
    return site


@pytest.fixture
def no_hang():
    """Fail (rather than hang the run) if the loader ever blocks on a named pipe: a guard, not a timing."""
    def blocked(signum, frame):
        pytest.fail("the loader blocked: it opened a named pipe")

    previous = signal.signal(signal.SIGALRM, blocked)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def said(text: str, site: SiteFolder) -> set[tuple[str, str]]:
    """(file relative to the content folder, message and fix) of every error line in a command's output."""
    found = set()
    for line in text.splitlines():
        match = re.match(r"^(.+?): error: (.*)$", line)
        if match and match.group(1).startswith(display_path(site.root) + "/"):
            found.add((match.group(1)[len(display_path(site.root)) + 1:], match.group(2)))
    return found


def expected_lines() -> set[tuple[str, str]]:
    return {(rel, f"{message} Fix: {fix}") for rel, (message, fix) in NOT_FILES.items()}


@needs_links
def test_md_names_that_are_not_readable_files_are_located_errors(site, no_hang):
    report, content = loaded(not_files(site))
    found = {(Path(d.path).relative_to(display_path(site.root)).as_posix(), d.message, d.fix) for d in report.items}
    assert found == {(rel, message, fix) for rel, (message, fix) in NOT_FILES.items()}
    assert [s.slug for s in content.case_studies] == ["kashan-health-tv"] and content.pages == ()


@needs_links
@pytest.mark.parametrize("command", ["build", "check"])
def test_build_and_check_report_them_without_a_traceback_or_a_hang(site, tmp_path, command):
    not_files(site)
    args = ("--output", tmp_path / "output") if command == "build" else ()
    proc = run_cli(command, "--content", site.root, *args, cwd=site.root.parent, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert said(proc.stdout + proc.stderr, site) == expected_lines()
    assert not (tmp_path / "output").exists()


@needs_links
def test_serves_first_build_reports_them_on_the_error_page(site, tmp_path):
    from test_serve import BASE, Preview, fetch

    server = Preview(not_files(site).root, ROOT / "templates", (), tmp_path)
    try:
        status, _, body = fetch(server.port, BASE)
        assert status == 500, body
        page = body.decode()
        for rel, (message, _) in NOT_FILES.items():
            assert f"{rel}</code>" in page and message in page, (rel, page)
    finally:
        code = server.stop(signal.SIGINT)
    out, err = server.output()
    assert code == 0 and "Traceback" not in err, out + err
    assert said(err, site) == expected_lines()


@needs_links
def test_a_named_pipe_called_home_md_is_reported_not_opened(site, no_hang):
    os.mkfifo(site.root / "home.md")
    report, content = loaded(site)
    assert problems(report, "home.md") == [(None, None, "this is a named pipe, not a file sitegen can read",
                                            NOT_FILES["pages/pipe.md"][1])]


@needs_links
def test_a_link_loop_reaches_neither_the_load_memo_nor_a_traceback(site, tmp_path):
    (site.root / "case-studies" / "loop.md").symlink_to("loop.md")
    proc = run_cli("build", "--content", site.root, "--output", tmp_path / "output", cwd=site.root.parent)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert said(proc.stderr, site) == {("case-studies/loop.md", "this file is a link that leads nowhere Fix: "
                                        "Replace the link with the file itself, or delete it.")}


def test_an_image_name_too_long_for_the_system_is_a_located_error(site):
    """Regression: the check for the image file raised OSError (file name too long) out of the loader."""
    site.study("kashan-health-tv", image="x" * 300 + ".jpg", image_alt="A")
    report, _ = loaded(site)
    [(line, column, message, fix)] = problems(report, "kashan-health-tv.md")
    assert (line, column) == (7, 8) and message.endswith("cannot be opened: File name too long")


# ---------------------------------------------------------------- a file deleted while the build runs

VANISHED = ("the file was deleted or renamed while sitegen was reading the folder",
            "If you removed it on purpose, run the build again; otherwise put the file back.")


def deleting_after_listing(monkeypatch, victim: str) -> None:
    """Delete `victim` (a file name) just after the load stage has listed its folder."""
    listed = load_content_module.markdown_files

    def listing(folder, report):
        files = listed(folder, report)
        for path in files:
            if path.name == victim:
                path.unlink()
        return files

    monkeypatch.setattr(load_content_module, "markdown_files", listing)


@pytest.mark.parametrize("victim", ["second.md", "about.md"])
def test_a_file_deleted_after_listing_is_reported_by_build_check_and_serve(site, tmp_path, monkeypatch, victim):
    site.study("second", title="Second")
    site.write("pages/about.md", "---\ntitle: About\n---\n\nText.\n")
    deleting_after_listing(monkeypatch, victim)
    options = pipeline.BuildOptions(content=site.root, output=tmp_path / "out", templates=ROOT / "templates",
                                    cache_dir=None, jobs=1)
    for run in (lambda: pipeline.build(options).report, lambda: check.check(site.root).report,
                lambda: pipeline.Session(options).rebuild().report):
        site.study("second", title="Second")  # back for the next command
        site.write("pages/about.md", "---\ntitle: About\n---\n\nText.\n")
        report = run()
        assert problems(report, victim) == [(None, None, *VANISHED)], report.as_text()


def test_a_file_deleted_before_the_load_memo_stats_it_is_reported(site):
    site.study("second", title="Second")

    def deleting_memo(loader, paths):
        (site.root / "case-studies" / "second.md").unlink(missing_ok=True)
        return pipeline.MemoMapper(pipeline.LoadMemo(), jobs=1)(loader, paths)

    report, content = loaded(site, mapper=deleting_memo)
    assert problems(report, "second.md") == [(None, None, *VANISHED)]
    assert [s.slug for s in content.case_studies] == ["kashan-health-tv"]


def test_a_file_deleted_just_before_it_is_read_is_reported(site):
    site.study("second", title="Second")

    def deleting_loader(loader, paths):
        (site.root / "case-studies" / "second.md").unlink()
        return [loader(path) for path in paths]

    report, content = loaded(site, mapper=deleting_loader)
    assert problems(report, "second.md") == [(None, None, *VANISHED)]
    assert [s.slug for s in content.case_studies] == ["kashan-health-tv"]


def test_a_file_deleted_as_it_is_opened_is_reported(site, monkeypatch):
    from sitegen.load import documents

    site.study("second", title="Second")
    read = documents.read_text

    def deleting_read(path, report, *limit):
        if path.name == "second.md":
            path.unlink()
        return read(path, report, *limit)

    monkeypatch.setattr(documents, "read_text", deleting_read)
    report, content = loaded(site)
    assert problems(report, "second.md") == [(None, None, *VANISHED)]
    assert [s.slug for s in content.case_studies] == ["kashan-health-tv"]

