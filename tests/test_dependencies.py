"""Every package sitegen and its tests import is declared in pyproject.toml, and pinned in constraints.txt.

Each `import` in src/sitegen (and in tests/) is read with `ast`; a top-level
module that is neither the standard library nor the project's own is mapped to
the distributions that install it (`importlib.metadata.packages_distributions`)
and must be one of `[project] dependencies` (for tests/: or of the `test`
extra). A package that only arrives as the dependency of another, or is merely
installed on this machine, fails: a fresh install would not have it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def distribution_name(requirement: str) -> str:
    """The normalised project name a PEP 508 requirement names (`PyYAML>=6.0` -> `pyyaml`)."""
    name = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)
    return re.sub(r"[-_.]+", "-", name).lower()


def declared(*extras: str) -> set[str]:
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {distribution_name(r) for r in requirements}


def imported_modules(folder: Path, base: Path = ROOT) -> dict[str, str]:
    """Top-level module -> `file:line` (relative to `base`) of its first absolute import under `folder`."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], f"{path.relative_to(base)}:{node.lineno}")
    return found


def undeclared(imports: dict[str, str], allowed: set[str], own: set[str]) -> list[str]:
    """`file:line: module` for each third-party module that no allowed distribution provides."""
    providers = importlib.metadata.packages_distributions()
    problems = []
    for module, where in sorted(imports.items()):
        if module in sys.stdlib_module_names or module in own or module == "__future__":
            continue
        dists = {distribution_name(d) for d in providers.get(module, [])}
        if not dists & allowed:
            why = f"installed by {', '.join(sorted(dists))}" if dists else "not installed"
            problems.append(f"{where}: {module} ({why}) is not declared in pyproject.toml: add the distribution "
                            "that provides it to [project] dependencies (test-only: the test extra)")
    return problems


def test_sitegen_imports_only_declared_dependencies():
    imports = imported_modules(ROOT / "src" / "sitegen")
    assert {"markdown", "jinja2", "yaml", "tornado", "watchdog"} <= set(imports)  # the reading works
    assert undeclared(imports, declared(), own={"sitegen"}) == []


def test_the_tests_import_only_declared_dependencies_and_test_tools():
    own = {"sitegen"} | {path.stem for path in (ROOT / "tests").glob("*.py")}  # conftest, linkcheck, ...
    own |= {path.stem for path in (ROOT / "benchmarks").glob("*.py")}  # put on sys.path by some tests
    imports = imported_modules(ROOT / "tests")
    assert {"pytest", "hypothesis"} <= set(imports)
    assert undeclared(imports, declared("test"), own) == []


@pytest.mark.parametrize("module, expected", [
    ("pygments", "installed by pygments"),  # installed, but only because rich needs it
    ("requests_nowhere_installed", "not installed"),
])
def test_an_undeclared_import_is_reported_where_it_is(tmp_path, module, expected):
    source = f"import os\nimport yaml\n\nfrom {module}.sub import thing\nfrom . import sibling\n"
    (tmp_path / "mod.py").write_text(source, encoding="utf-8")
    imports = imported_modules(tmp_path, base=tmp_path)
    assert set(imports) == {"os", "yaml", module}
    assert undeclared(imports, declared(), own=set()) == [
        f"mod.py:4: {module} ({expected}) is not declared in pyproject.toml: add the distribution that provides "
        "it to [project] dependencies (test-only: the test extra)"]


def test_constraints_pin_every_declared_dependency():
    """constraints.txt (what CI and the README install with) pins each package exactly, the declared ones too:
    a dependency added to pyproject.toml without regenerating it fails here."""
    lines = [line.strip() for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()]
    pins = [line for line in lines if line and not line.startswith("#")]
    malformed = [line for line in pins if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*==[0-9][A-Za-z0-9.+!-]*", line)]
    assert malformed == []
    pinned = {distribution_name(line) for line in pins}
    assert len(pinned) == len(pins), "a package is pinned twice"
    assert sorted(declared("test") - pinned) == [], "regenerate constraints.txt (see its header)"
    assert "sitegen" not in pinned  # the project itself is installed from the checkout
