#!/usr/bin/env python3
"""Python-Markdown's own test suite, run with sitegen's speed-ups: `python scripts/markdown_upstream_tests.py`.

Python-Markdown ships its tests in its source distribution on PyPI, not in the
wheel pip installs. This script downloads the sdist of the installed version
with pip into a temporary folder, takes only its `tests/` folder (so the tests
import the installed `markdown`, not the copy in the sdist), makes every
`markdown.Markdown` the tests create install the speed-ups as
`sitegen.markup.convert` does (`speedups.install(md)` once the extensions are
loaded), and runs the suite with unittest.

It exits 0 only when every test passes and the speed-ups were on in every
Markdown instance the tests made. `--stock` runs the same suite without them:
a test that fails both ways is Python-Markdown's, not sitegen's. `--sdist FILE`
uses a downloaded `markdown-X.Y.Z.tar.gz` instead of asking PyPI.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import subprocess
import sys
import tarfile
import tempfile
import unittest
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import markdown

from sitegen.markup import speedups


@dataclass
class Instances:
    """How many Markdown instances the tests made, and in how many the speed-ups went on."""

    made: int = 0
    sped_up: int = 0


def download_sdist(version: str, folder: Path) -> Path:
    """The sdist of Markdown `version`, downloaded from PyPI with pip into `folder`."""
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-binary", ":all:", "--no-deps",
               f"markdown=={version}", "--dest", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True)
    archives = sorted(folder.glob("[mM]arkdown-*.tar.gz"))
    if done.returncode != 0 or len(archives) != 1:
        raise SystemExit(f"markdown_upstream_tests: could not download the sdist of Markdown {version}: "
                         f"{' '.join(command)} said:\n{done.stdout}{done.stderr}\n"
                         "Check the connection to PyPI, or pass a downloaded one with --sdist FILE.")
    return archives[0]


def extract_tests(archive: Path, folder: Path) -> Path:
    """Write the sdist's `tests/` folder under `folder`; return the folder that holds `tests/`."""
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if len(PurePosixPath(m.name).parts) > 2
                   and PurePosixPath(m.name).parts[1] == "tests"]
        for member in members:
            path = PurePosixPath(member.name)
            if path.is_absolute() or ".." in path.parts or not (member.isfile() or member.isdir()):
                raise SystemExit(f"markdown_upstream_tests: {archive.name}: unexpected entry {member.name!r}")
            target = folder.joinpath(*path.parts)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(tar.extractfile(member).read())
    roots = {PurePosixPath(m.name).parts[0] for m in members}
    if len(roots) != 1:
        raise SystemExit(f"markdown_upstream_tests: {archive.name} holds no tests/ folder")
    return folder / roots.pop()


@contextlib.contextmanager
def speedups_in_every_markdown(instances: Instances):
    """While inside, each new `markdown.Markdown` gets the speed-ups right after its own setup."""
    stock_init = markdown.Markdown.__init__

    def init(self, *args, **kwargs):
        stock_init(self, *args, **kwargs)
        instances.made += 1
        instances.sped_up += bool(speedups.install(self))

    markdown.Markdown.__init__ = init
    try:
        yield instances
    finally:
        markdown.Markdown.__init__ = stock_init


def run_suite(root: Path) -> unittest.TestResult:
    suite = unittest.TestLoader().discover(start_dir=str(root / "tests"), top_level_dir=str(root))
    return unittest.TextTestRunner(verbosity=1).run(suite)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stock", action="store_true", help="run the suite without the speed-ups")
    parser.add_argument("--sdist", type=Path, help="a downloaded markdown-X.Y.Z.tar.gz to take the tests from")
    args = parser.parse_args(argv)
    version = importlib.metadata.version("markdown")
    mode = "stock Python-Markdown" if args.stock else "sitegen's speed-ups"
    with tempfile.TemporaryDirectory(prefix="markdown-upstream-") as temp:
        if args.sdist and not args.sdist.is_file():
            raise SystemExit(f"markdown_upstream_tests: {args.sdist}: no such file; leave out --sdist to download it")
        archive = args.sdist or download_sdist(version, Path(temp))
        root = extract_tests(archive, Path(temp) / "sdist")
        print(f"Python-Markdown {version} ({markdown.__file__}), its tests from {archive.name}, with {mode}",
              flush=True)
        instances = Instances()
        with contextlib.nullcontext() if args.stock else speedups_in_every_markdown(instances):
            result = run_suite(root)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped) - len(result.expectedFailures)
    problems = []
    if result.testsRun == 0:
        problems.append("no test ran")
    if not args.stock and (instances.made == 0 or instances.sped_up != instances.made):
        (low, high) = (".".join(map(str, v)) for v in speedups.SUPPORTED)
        problems.append(f"the speed-ups went on in {instances.sped_up} of the {instances.made} Markdown instances "
                        f"the tests made: they support Python-Markdown {low}.x up to {high} (not included), "
                        f"this is {version}; install the version pyproject.toml pins (-c constraints.txt)")
    for problem in problems:
        print(f"markdown_upstream_tests: {problem}", file=sys.stderr)
    if not args.stock:
        print(f"speed-ups on in {instances.sped_up} of {instances.made} Markdown instances")
    print(f"upstream: {passed} passed, {failed} failed, {len(result.skipped)} skipped")
    return 0 if result.wasSuccessful() and not problems else 1


if __name__ == "__main__":
    sys.exit(main())
