"""Every page of the bundled showcase passes the W3C Nu HTML Checker (vnu.jar) with zero errors.

A single java run (a few seconds) checks every page and the stylesheet (as
CSS), together with a copy of each page and of the stylesheet broken on
purpose. Each broken copy must be reported: that proves the checker really
read every file and that these tests can fail.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import VNU_JAR

pytestmark = pytest.mark.vnu

# Inserted right after <body ...> in each broken copy: an image without the alt attribute it must have.
BREAKAGE = '<img src="sg-broken.png">'
CSS_BREAKAGE = "\n.sg-broken { colr: red; }\n"  # a misspelt property


# One short run: the JIT's quick tier alone takes half the time of the full one (same report). Its frames
# are larger, so the main thread gets a bigger stack (vnu needs 512k with the full JIT; 1m is too small here).
JAVA_OPTIONS = ["-XX:TieredStopAtLevel=1", "-Xss8m"]


def vnu(*paths: Path) -> list[dict]:
    """The checker's error messages for these files (it writes its JSON report to stderr)."""
    proc = subprocess.run(["java", *JAVA_OPTIONS, "-jar", str(VNU_JAR), "--errors-only", "--also-check-css",
                           "--format", "json", *map(str, paths)], capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(proc.stderr)
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar gave no JSON report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return report["messages"]


def file_of(message: dict) -> Path:
    url = message.get("url", "")
    assert url.startswith("file:"), message
    return Path(unquote(re.sub(r"^file:(//)?", "", url))).resolve()


def describe(messages: list[dict], root: Path) -> str:
    lines = []
    for m in messages:
        where = file_of(m)
        where = where.relative_to(root) if where.is_relative_to(root) else where
        lines.append(f"{where}:{m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}: "
                     f"{m.get('type')}: {m.get('message')}\n    {m.get('extract', '').strip()!r}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def checked(showcase: Path, tmp_path_factory):
    """(pages, broken copies, messages) from a single vnu run over the showcase and a broken copy of each page."""
    pages = sorted(p.resolve() for p in showcase.rglob("*.html"))
    broken_root = tmp_path_factory.mktemp("broken")
    broken = []
    for page in pages:
        copy = broken_root / page.relative_to(showcase.resolve())
        copy.parent.mkdir(parents=True, exist_ok=True)
        text, count = re.subn(r"(<body\b[^>]*>)", lambda m: m.group(1) + BREAKAGE, page.read_text(encoding="utf-8"),
                              count=1)
        assert count == 1, f"{page} has no <body> tag"
        copy.write_text(text, encoding="utf-8")
        broken.append(copy.resolve())
    css = (showcase / "static" / "style.css").resolve()
    broken_css = (broken_root / "broken.css").resolve()
    broken_css.write_text(css.read_text(encoding="utf-8") + CSS_BREAKAGE, encoding="utf-8")
    return pages + [css], broken + [broken_css], vnu(*pages, css, *broken, broken_css)


def test_every_page_is_valid_html(checked, showcase):
    files, broken, messages = checked
    assert len(files) > 10, f"expected the whole showcase, found only {len(files)} files"
    broken_set = set(broken)
    errors = [m for m in messages if file_of(m) not in broken_set]
    report = describe(errors, showcase.resolve())
    if errors:
        print(report)
    assert errors == [], f"{len(errors)} vnu errors over {len(files)} files:\n{report}"


def test_the_checker_read_every_page(checked):
    """A check that cannot fail proves nothing: each deliberately broken copy must be reported."""
    files, broken, messages = checked
    reported = {file_of(m) for m in messages if re.search(r"\balt\b|colr", m.get("message", ""))}
    missed = [str(p) for p in broken if p not in reported]
    assert not missed, f"vnu did not report the breakage in {len(missed)} of {len(broken)} files: {missed[:5]}"

