"""Files too large to read safely are located errors, never a long wait; echoed text is escaped in the preview too.

A Markdown file over the text limit and an SVG over the drawing limit are
refused with `path: message` and exit status 1, by `build` and `check`;
a file just under the limit is read. The preview's error page shows control
characters from the sources as visible escapes.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, SiteFolder, case_study, run_cli

from sitegen.commands.devserver import problem_item
from sitegen.load import filetypes
from sitegen.load.files import MAX_TEXT_BYTES
from sitegen.model.diagnostics import Diagnostic

TEMPLATES = ROOT / "templates"


@pytest.mark.parametrize("command", ["build", "check"])
def test_a_markdown_file_over_the_limit_is_refused_and_one_under_it_is_read(tmp_path, command):
    site = SiteFolder(tmp_path / "content")
    head = case_study(title="Long", city="Cork", country="IE")
    site.write("case-studies/long.md", head + "word " * ((MAX_TEXT_BYTES - len(head)) // 5 - 10))
    site.write("case-studies/huge.md", head + "word " * (MAX_TEXT_BYTES // 5 + 10))
    args = ["--output", tmp_path / "out", "--templates", TEMPLATES] if command == "build" else []
    proc = run_cli(command, "--content", site.root, *args, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr + proc.stdout
    text = proc.stderr + proc.stdout
    assert "case-studies/huge.md: error: the file is over 8 MB" in text
    assert "long.md: error" not in text  # read (check may still warn that it lists no sources)


def test_an_svg_over_the_limit_is_refused(tmp_path):
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv")
    rect = '<rect width="1" height="1"/>\n'
    site.write("case-studies/big.svg", '<svg xmlns="http://www.w3.org/2000/svg">\n'
               + rect * (filetypes.MAX_XML_BYTES // len(rect) + 1) + "</svg>\n")
    proc = run_cli("build", "--content", site.root, "--output", tmp_path / "out", "--templates", TEMPLATES,
                   cwd=tmp_path, timeout=300)
    assert proc.returncode == 1 and "big.svg: error: the file is over 8 MB" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_the_preview_error_page_escapes_control_characters():
    item = problem_item(Diagnostic("case-studies/a\u202e.md", 3, 1, "error", "title \x1b[2J\u202egnp.exe", "fix \x07"))
    assert not any(ch in item for ch in "\x1b\u202e\x07")
    assert "\\x1b[2J" in item and "\\u202e" in item
