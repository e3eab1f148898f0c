"""`sitegen deploy` against throw-away git repositories, with a local bare repository as the remote.

Each test writes a small content folder (one copies the bundled showcase)
and the project's templates/ into a new git repository (one commit on main,
`origin` pointing at a bare repository) and runs the real command line there. git's global and system configuration are
switched off so the machine's settings (signing, hooks, default branch)
cannot change the outcome.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from conftest import ROOT, SOURCES, SiteFolder, git, run_cli

from sitegen.write.target import MANIFEST

pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
              pytest.mark.usefixtures("git_identity")]


def small_content(folder: Path) -> None:
    """A content folder of two case studies, a home page and an About page: the git side of deploy
    does not depend on the size of the site (one test deploys the whole showcase)."""
    site = SiteFolder(folder)
    site.study("kashan-health-tv", sources=SOURCES)
    site.study("cork-lifelong-learning-festival", title="A festival of learning", city="Cork", country="IE",
               themes="[literacy]", date="2022-03-01", sources=SOURCES,
               body="Cork has held a festival of learning every spring.\n\n## Context\n\nSee [Kashan](kashan-health-tv.md).\n")
    site.write("home.md", "---\ntitle: Cities where everyone keeps learning\n---\n\nShort, sourced case studies.\n")
    site.write("pages/about.md", "---\ntitle: About\nsummary: Who makes the showcase.\nmenu: 1\n---\n\nAbout us.\n")


class Project:
    """A user's project: a git repository with a site's sources (a small site, or the bundled showcase
    with `showcase=True`), and its bare remote."""

    def __init__(self, root: Path, showcase: bool = False):
        self.remote = root / "remote.git"
        self.repo = root / "project"
        subprocess.run(["git", "init", "--quiet", "--bare", str(self.remote)], check=True)
        self.repo.mkdir()
        git(self.repo, "init", "--quiet", "--initial-branch=main")
        if showcase:
            shutil.copytree(ROOT / "content", self.repo / "content")
        else:
            small_content(self.repo / "content")
        shutil.copytree(ROOT / "templates", self.repo / "templates")
        (self.repo / ".gitignore").write_text("/output/\n", encoding="utf-8")
        git(self.repo, "add", "--all")
        git(self.repo, "commit", "--quiet", "-m", "Showcase sources")
        git(self.repo, "remote", "add", "origin", str(self.remote))

    @property
    def output(self) -> Path:
        return self.repo / "output"

    def deploy(self, *args: str) -> subprocess.CompletedProcess:
        return run_cli("deploy", "--content", "content", "--templates", "templates", "--output", "output",
                       *args, cwd=self.repo)

    def commit_all(self, message: str) -> None:
        git(self.repo, "add", "--all")
        git(self.repo, "commit", "--quiet", "-m", message)

    def tip(self, branch: str = "gh-pages", repo: Path | None = None) -> str | None:
        proc = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
                              cwd=repo or self.repo, capture_output=True, text=True)
        return proc.stdout.strip() if proc.returncode == 0 else None

    def branch_files(self, branch: str = "gh-pages") -> dict[str, bytes]:
        """Every file of the branch with its bytes (through git archive)."""
        data = subprocess.run(["git", "archive", "--format=tar", branch], cwd=self.repo,
                              capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}

    def user_state(self) -> dict:
        """What deploy must never change: HEAD, current branch, index, working tree (output aside)."""
        tree = {}
        for path in sorted(self.repo.rglob("*")):
            rel = path.relative_to(self.repo)
            if path.is_file() and rel.parts[0] not in (".git", "output"):
                tree[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
        return {
            "head": git(self.repo, "rev-parse", "HEAD"),
            "branch": git(self.repo, "symbolic-ref", "HEAD"),
            "index": git(self.repo, "ls-files", "--stage"),
            "staged": git(self.repo, "diff", "--cached", "--name-status"),
            "status": git(self.repo, "status", "--porcelain", "--untracked-files=all"),
            "files": tree,
        }


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def output_files(folder: Path) -> dict[str, bytes]:
    """The site's files in an output folder (sitegen's manifest of them is bookkeeping, not the site)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != MANIFEST}


def test_deploy_commits_exactly_the_built_site(tmp_path):
    project = Project(tmp_path, showcase=True)
    before = project.user_state()
    proc = project.deploy()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr

    built = output_files(project.output)
    assert ".nojekyll" in built and "index.html" in built and "404.html" in built
    names = git(project.repo, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert sorted(names) == sorted(built)  # the same list of files, .nojekyll included ...
    assert project.branch_files() == built  # ... with the same bytes
    assert not any(name.startswith(("content/", "templates/")) for name in names)

    # One commit, no history from the source branch, and the user's side untouched.
    assert git(project.repo, "rev-list", "--count", "gh-pages") == "1"
    assert git(project.repo, "merge-base", "gh-pages", "main", check=False) == ""
    assert project.user_state() == before
    assert "Committed" in proc.stdout and "gh-pages" in proc.stdout
    assert "Not pushed" in proc.stdout
    assert project.tip(repo=project.remote) is None  # never pushes without --push


def test_a_second_deploy_without_changes_makes_no_commit(project):
    first = project.deploy()
    assert first.returncode == 0, first.stderr
    tip = project.tip()
    second = project.deploy()
    assert second.returncode == 0, second.stderr
    assert project.tip() == tip
    assert "Nothing to commit" in second.stdout


def test_a_change_makes_exactly_one_new_commit(project):
    assert project.deploy().returncode == 0
    first = project.tip()
    home = project.repo / "content" / "home.md"
    home.write_text(home.read_text(encoding="utf-8") + "\nA new closing paragraph for the deploy test.\n",
                    encoding="utf-8")
    project.commit_all("Edit the home page")
    before = project.user_state()

    proc = project.deploy()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(project.repo, "rev-list", "--count", "gh-pages") == "2"
    assert git(project.repo, "rev-parse", "gh-pages^") == first
    assert b"A new closing paragraph for the deploy test." in project.branch_files()["index.html"]
    assert project.branch_files() == output_files(project.output)
    assert project.user_state() == before


def test_push_updates_the_remote_branch(project):
    assert project.deploy().returncode == 0
    assert project.tip(repo=project.remote) is None
    proc = project.deploy("--push")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Pushed gh-pages to origin" in proc.stdout
    assert project.tip(repo=project.remote) == project.tip()
    assert project.tip("main", repo=project.remote) is None  # only the site branch is pushed


def test_push_to_a_missing_remote_is_a_clear_error(project):
    proc = project.deploy("--push", "--remote", "upstream")
    assert proc.returncode == 1
    assert "no git remote called 'upstream'" in proc.stderr and "Traceback" not in proc.stderr
    assert project.tip() is None  # checked before building and committing


@pytest.mark.parametrize("change", ["modified", "untracked", "staged"])
def test_uncommitted_source_changes_are_refused_unless_forced(project, change):
    study = project.repo / "content" / "case-studies" / "kashan-health-tv.md"
    if change == "untracked":
        target = project.repo / "notes.txt"
        target.write_text("Ideas for the next case study.\n", encoding="utf-8")
    else:
        target = study
        study.write_text(study.read_text(encoding="utf-8") + "\nAn uncommitted sentence.\n", encoding="utf-8")
        if change == "staged":
            git(project.repo, "add", str(study))
    before = project.user_state()

    refused = project.deploy()
    assert refused.returncode == 1
    assert "uncommitted changes" in refused.stderr and "--force" in refused.stderr
    assert target.relative_to(project.repo).as_posix() in refused.stderr
    assert "Traceback" not in refused.stderr
    assert project.tip() is None and not project.output.exists()

    forced = project.deploy("--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert project.tip() is not None
    assert "uncommitted changes" in git(project.repo, "log", "-1", "--format=%s", "gh-pages")
    if change != "untracked":
        page = project.branch_files()["case-studies/kashan-health-tv/index.html"]
        assert b"An uncommitted sentence." in page
    assert project.user_state() == before  # --force still leaves the user's changes alone


def test_the_output_folder_does_not_count_as_a_change(project):
    """Without a .gitignore entry the build output is untracked; deploy must not refuse because of it."""
    (project.repo / ".gitignore").unlink()
    project.commit_all("Stop ignoring output")
    assert project.deploy().returncode == 0
    assert git(project.repo, "status", "--porcelain").startswith("?? output/")
    again = project.deploy()
    assert again.returncode == 0, again.stderr
    assert "Nothing to commit" in again.stdout


def test_cname_from_site_yaml_is_published(project):
    site = project.repo / "content" / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "cname: showcase.example.org\n", encoding="utf-8")
    project.commit_all("Custom domain")
    proc = project.deploy("--base-url", "https://showcase.example.org/")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    files = project.branch_files()
    assert files["CNAME"] == b"showcase.example.org\n"
    assert files[".nojekyll"] == b""
    assert b'href="https://showcase.example.org/"' in files["index.html"]


def test_cname_is_written_only_when_site_yaml_sets_it(site, build):
    proc, out = build(site)
    assert proc.returncode == 0, proc.stderr
    assert not (out / "CNAME").exists()
    site.write("site.yaml", (site.root / "site.yaml").read_text(encoding="utf-8") + "cname: showcase.example.org\n")
    proc, out = build(site)
    assert proc.returncode == 0, proc.stderr
    assert (out / "CNAME").read_text(encoding="utf-8") == "showcase.example.org\n"
    assert (out / ".nojekyll").exists()


def test_a_fresh_clone_continues_the_remote_branch(project, tmp_path):
    """On another machine the first deploy builds on origin/gh-pages, so the push fast-forwards."""
    assert project.deploy("--push").returncode == 0
    published = project.tip(repo=project.remote)
    clone = tmp_path / "clone"
    git(project.repo, "push", "--quiet", "origin", "main")
    subprocess.run(["git", "clone", "--quiet", "--branch", "main", str(project.remote), str(clone)], check=True)
    home = clone / "content" / "home.md"
    home.write_text(home.read_text(encoding="utf-8") + "\nWritten on the second machine.\n", encoding="utf-8")
    git(clone, "commit", "--quiet", "-am", "Second machine")

    proc = run_cli("deploy", "--push", cwd=clone)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert git(clone, "rev-parse", "gh-pages^") == published
    assert project.tip(repo=project.remote) == git(clone, "rev-parse", "gh-pages")


def test_build_errors_stop_the_deploy(project):
    (project.repo / "content" / "site.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    project.commit_all("Break site.yaml")
    proc = project.deploy()
    assert proc.returncode == 1
    assert "site.yaml" in proc.stderr and "build failed" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert project.tip() is None


def test_outside_a_git_repository(tmp_path):
    folder = tmp_path / "plain"
    shutil.copytree(ROOT / "content", folder / "content")
    proc = run_cli("deploy", "--templates", ROOT / "templates", cwd=folder)
    assert proc.returncode == 1
    assert "not inside a git repository" in proc.stderr and "Traceback" not in proc.stderr
    assert not (folder / "output").exists()


def test_without_git(project, monkeypatch, tmp_path):
    empty = tmp_path / "no-tools"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    proc = project.deploy()
    assert proc.returncode == 1
    assert "git was not found" in proc.stderr and "Traceback" not in proc.stderr


def test_refuses_to_move_a_checked_out_branch(project):
    git(project.repo, "switch", "--quiet", "--create", "gh-pages")
    proc = project.deploy()
    assert proc.returncode == 1
    assert "checked out" in proc.stderr and "Traceback" not in proc.stderr
    assert git(project.repo, "rev-parse", "gh-pages") == git(project.repo, "rev-parse", "main")
