"""The output folder: sitegen writes only where it may, deletes only what it wrote, and never half-lands a build.

A folder is sitegen's when it holds sitegen's manifest; anything else that is
not empty is refused, and so are folders holding `.git`, the content or
templates folders and their ancestors, and folders inside the content
folder. A failed build leaves the output byte for byte as it was (no new
empty folders either); a build killed with SIGKILL at any moment leaves each
file with its old or its new bytes, and the next build repairs the rest.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SiteFolder, case_study, run_cli

from sitegen.write import target as write

TEMPLATES = ROOT / "templates"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (the manifest left out) and every folder, by relative path."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if rel != write.MANIFEST:
            found[rel] = path.read_bytes() if path.is_file() else b"<folder>"
    return found


def cli_build(cwd: Path, content: Path, output: Path, *args: str):
    return run_cli("build", "--content", content, "--output", output, "--templates", TEMPLATES, *args, cwd=cwd)


def small_site(root: Path, count: int = 3) -> SiteFolder:
    site = SiteFolder(root)
    for n in range(count):
        site.study(f"study-{n:03d}", title=f"Study {n}", city=f"City {n}", date=f"20{10 + n % 10}-0{1 + n % 9}-15")
    return site


# --------------------------------------------------------------------------- where sitegen may write

@pytest.mark.parametrize("prepare", [
    lambda out: (out / ".nojekyll").write_bytes(b""),  # every GitHub Pages checkout has one
    lambda out: (out / "notes.txt").write_text("mine"),
    lambda out: (out / ".git").mkdir(),
    lambda out: (out / write.MANIFEST).write_text('{"format": 1, "complete": true, "files": ["../../x"]}'),
    lambda out: (out / write.MANIFEST).write_text("not json"),
], ids=["nojekyll", "a-file", "git", "manifest-escaping", "manifest-damaged"])
def test_a_folder_sitegen_did_not_make_is_refused_and_kept(tmp_path, prepare):
    site = small_site(tmp_path / "content")
    out = tmp_path / "site"
    out.mkdir()
    (out / "precious.html").write_text("an author's work")
    prepare(out)
    before = snapshot(out)
    proc = cli_build(tmp_path, site.root, out)
    assert proc.returncode == 1 and "refusing to write there" in proc.stderr and "Traceback" not in proc.stderr
    assert snapshot(out) == before


def test_a_sitegen_folder_holding_git_is_refused(tmp_path):
    site = small_site(tmp_path / "content")
    out = tmp_path / "site"
    assert cli_build(tmp_path, site.root, out).returncode == 0
    (out / ".git").mkdir()
    (out / ".git" / "config").write_text("[core]\n")
    before = snapshot(out)
    proc = cli_build(tmp_path, site.root, out, "--no-cache")
    assert proc.returncode == 1 and ".git" in proc.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize("where", ["content", "content/sub", "templates-parent", "content-parent", "cwd"])
def test_the_sources_and_their_ancestors_are_never_the_output(tmp_path, where):
    site = small_site(tmp_path / "project" / "content")
    output = {"content": site.root, "content/sub": site.root / "sub", "content-parent": site.root.parent,
              "templates-parent": TEMPLATES.parent, "cwd": tmp_path}[where]
    before = snapshot(site.root)
    proc = cli_build(tmp_path, site.root, output)
    assert proc.returncode == 1 and "refusing to write there" in proc.stderr
    assert snapshot(site.root) == before


def test_only_files_in_the_manifest_are_deleted(tmp_path):
    site = small_site(tmp_path / "content")
    out = tmp_path / "site"
    assert cli_build(tmp_path, site.root, out).returncode == 0
    (out / "case-studies" / "study-000" / "notes.txt").write_text("added by hand")
    (out / "extra.html").write_text("added by hand")
    (site.root / "case-studies" / "study-000.md").unlink()
    for args in ([], ["--no-cache"]):
        proc = cli_build(tmp_path, site.root, out, *args)
        assert proc.returncode == 0, proc.stderr
        assert not (out / "case-studies" / "study-000" / "index.html").exists()
        assert (out / "case-studies" / "study-000" / "notes.txt").read_text() == "added by hand"
        assert (out / "extra.html").read_text() == "added by hand"
    manifest = write.read_manifest(out)
    assert manifest.complete and "extra.html" not in manifest.files and "index.html" in manifest.files


# --------------------------------------------------------------------------- a failed build changes nothing

def test_a_failed_build_leaves_the_output_exactly_as_it_was(tmp_path):
    site = small_site(tmp_path / "content", 4)
    out = tmp_path / "site"
    assert cli_build(tmp_path, site.root, out).returncode == 0
    before = snapshot(out)
    site.write("case-studies/study-001.md", case_study(title="A new title", summary="A new summary"))
    site.write("case-studies/brand-new.md", case_study(title="New", city="Elsewhere"))
    site.write("images/photo.png", b"\x89PNG\r\n\x1a\n")
    site.write("case-studies/broken.md", "---\ntitle: [unclosed\n---\n")
    (site.root / "case-studies" / "study-002.md").unlink()
    for args in ([], ["--no-cache"]):
        proc = cli_build(tmp_path, site.root, out, *args)
        assert proc.returncode == 1
        assert snapshot(out) == before  # no page changed, no new empty folder, nothing deleted
        assert not write.stage_folder(out).exists()


def test_an_exception_while_rendering_changes_nothing(tmp_path):
    site = small_site(tmp_path / "content", 4)
    out = tmp_path / "site"
    assert cli_build(tmp_path, site.root, out).returncode == 0
    before = snapshot(out)
    overrides = site.root / "templates"
    overrides.mkdir()
    (overrides / "case_study.html").write_text("{{ item.no_such_field.deeper }}")
    site.write("case-studies/brand-new.md", case_study(title="New", city="Elsewhere"))
    proc = cli_build(tmp_path, site.root, out)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert snapshot(out) == before


# --------------------------------------------------------------------------- killed at any moment

def kill_at(cwd: Path, content: Path, out: Path, delay: float) -> None:
    proc = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", "--content", str(content),
                             "--output", str(out), "--templates", str(TEMPLATES), "--quiet"],
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(delay)
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its render workers
    except ProcessLookupError:
        pass
    proc.wait()


@pytest.mark.spread
def test_a_build_killed_at_random_moments_leaves_old_or_new_bytes_and_the_next_build_repairs(tmp_path):
    """Above the parallel threshold, with pages that change, appear and disappear between the two versions."""
    count = 160
    old_site = small_site(tmp_path / "old", count)
    new_site = small_site(tmp_path / "new", count)
    for n in range(0, count, 3):
        new_site.study(f"study-{n:03d}", title=f"Changed {n}", city=f"Town {n}", country="PL", date="2022-02-02")
    for n in range(1, count, 7):
        (new_site.root / "case-studies" / f"study-{n:03d}.md").unlink()
    for n in range(20):
        new_site.study(f"extra-{n:02d}", title=f"Extra {n}", city=f"Port {n}", country="KE", date="2023-03-03")
    clean_old, clean_new = tmp_path / "clean-old", tmp_path / "clean-new"
    assert cli_build(tmp_path, old_site.root, clean_old).returncode == 0
    assert cli_build(tmp_path, new_site.root, clean_new).returncode == 0
    old, new = snapshot(clean_old), snapshot(clean_new)
    content = tmp_path / "content"
    chooser = random.Random(20261130)
    for attempt in range(6):
        out = tmp_path / f"site-{attempt}"
        if content.exists():
            subprocess.run(["rm", "-rf", str(content)], check=True)
        subprocess.run(["cp", "-r", str(old_site.root), str(content)], check=True)
        assert cli_build(tmp_path, content, out).returncode == 0
        subprocess.run(["rm", "-rf", str(content)], check=True)
        subprocess.run(["cp", "-r", str(new_site.root), str(content)], check=True)
        kill_at(tmp_path, content, out, chooser.uniform(0.2, 3.0))
        after = snapshot(out)
        for rel, data in after.items():
            assert data in (old.get(rel), new.get(rel)), f"attempt {attempt}: {rel} is neither old nor new"
        proc = cli_build(tmp_path, content, out)
        assert proc.returncode == 0, proc.stderr
        assert snapshot(out) == new, f"attempt {attempt}: the next build did not repair the output"
        assert write.read_manifest(out).complete


def test_an_edit_that_only_changes_bytes_leaves_the_manifest_and_a_stopped_one_is_not_trusted(tmp_path):
    """A build that gives listed files new bytes marks the commit with `.sitegen-committing` instead of
    writing the manifest twice; a build stopped with that mark left is read as incomplete, so the next
    build trusts no cache, and the mark goes once a build completes."""
    from sitegen.build import pipeline

    site = small_site(tmp_path / "content")
    # no search index: its files are named after their bytes, so an edit of a text renames some of them
    options = pipeline.BuildOptions(content=site.root, output=tmp_path / "out", templates=ROOT / "templates",
                                    cache_dir=tmp_path / "cache", jobs=1, search=False)
    cold = pipeline.build(options)
    assert cold.ok
    manifest = tmp_path / "out" / write.MANIFEST
    before = (manifest.stat().st_ino, manifest.stat().st_mtime_ns, manifest.read_bytes())
    study = site.root / "case-studies" / "study-001.md"
    study.write_text(study.read_text(encoding="utf-8").replace("Text.", "Other text."), encoding="utf-8")
    result = pipeline.build(options)
    assert result.ok and result.changed
    assert (manifest.stat().st_ino, manifest.stat().st_mtime_ns, manifest.read_bytes()) == before
    assert not (tmp_path / "out" / write.COMMITTING).exists()
    assert write.read_manifest(tmp_path / "out").complete
    (tmp_path / "out" / write.COMMITTING).write_bytes(b"")  # as a build killed while renaming leaves it
    assert not write.read_manifest(tmp_path / "out").complete
    repaired = pipeline.build(options)
    assert repaired.ok and sorted(repaired.rendered) == sorted(cold.rendered)  # nothing trusted: all rendered
    assert write.read_manifest(tmp_path / "out").complete and not (tmp_path / "out" / write.COMMITTING).exists()
