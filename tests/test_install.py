"""An installed sitegen (`pip install .`, not editable) builds a content folder from any folder.

The theme ships inside the package (`sitegen.theme`), so no checkout of this
repository is needed at build time. The test installs a copy of the tracked
files into a fresh virtual environment; the libraries sitegen needs come from
the test environment (a path entry), so only sitegen itself is installed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import ROOT


def tracked_copy(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


def test_pip_install_then_build_from_another_folder(tmp_path):
    source = tracked_copy(tmp_path / "source")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "test-libraries.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", str(source)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr
    where = subprocess.run([str(python), "-c", "import sitegen, sitegen.theme; print(sitegen.__file__)"],
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(purelib)), where  # the installed copy, not this checkout
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.rmtree(source / "templates")  # nothing of the checkout is needed any more
    built = subprocess.run([str(venv / "bin" / "sitegen"), "build", "--content", str(source / "content"),
                            "--output", "site"], cwd=elsewhere, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    assert ": warning:" not in built.stdout + built.stderr, "the theme's catalogues are installed with it"
    site = elsewhere / "site"
    assert ">Études de cas<" in (site / "fr" / "index.html").read_text(), "the French interface, from the catalogue"
    assert "Kashan" in (site / "case-studies" / "kashan-health-tv" / "index.html").read_text()
    assert (site / "static" / "style.css").read_bytes() == (ROOT / "templates" / "static" / "style.css").read_bytes()
    assert not (site / "__init__.py").exists() and not (site / "static" / "__init__.py").exists()
