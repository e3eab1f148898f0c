"""The package shows its design: the import contract holds, and breaking it is caught.

`.importlinter` states the pipeline's layers (commands, build, render, then
index, markup and write side by side, load, model); import-linter checks every
import of the package against it.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "src" / "sitegen"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(package_parent: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"), "--no-cache"],
                          cwd=package_parent, capture_output=True, text=True,
                          env={"PYTHONPATH": str(package_parent), "PATH": "/usr/bin:/bin", "PYTHONSAFEPATH": "1"})


def test_the_import_contract_holds():
    result = lint(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


def test_an_import_upstream_breaks_the_contract(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "sitegen", ignore=shutil.ignore_patterns("__pycache__"))
    files = copy / "sitegen" / "load" / "files.py"
    files.write_text(files.read_text() + "\nfrom ..markup import convert  # a load module reaching downstream\n")
    result = lint(copy)
    assert result.returncode != 0
    assert "sitegen.load is not allowed to import sitegen.markup" in result.stdout


def test_every_module_says_what_it_owns():
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        assert ast.get_docstring(tree), f"{path.relative_to(ROOT)} has no docstring"


def test_the_folders_read_as_the_pipeline():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == {"model", "load", "markup", "index", "render", "write", "build", "commands"}
