"""`sitegen deploy` refuses what would publish the wrong thing, in throw-away git repositories.

A branch name git reads as another branch (`@{-1}`, `-`, `@{upstream}`),
a branch that holds the sources (checked out, or sharing history with HEAD,
locally or as the remote-tracking branch the first commit builds on), and
source files git does not track (ignored or not) are each refused with a
message and exit status 1, before anything is built or committed. What a
deploy commits is the files its own build made, nothing else. git's global
and system configuration are switched off, as in test_deploy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, SITE_YAML, case_study, git, image_bytes, run_cli
from sitegen.commands import deploy

pytestmark = [pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
              pytest.mark.usefixtures("git_identity")]


class Project:
    """A small site in a git repository (two commits on main), with a bare repository as origin.

    The theme is sitegen's own, outside the repository, unless `own_theme`."""

    def __init__(self, root: Path, own_theme: bool = False):
        self.remote = root / "remote.git"
        self.repo = root / "project"
        subprocess.run(["git", "init", "--quiet", "--bare", str(self.remote)], check=True)
        content = self.repo / "content"
        (content / "case-studies").mkdir(parents=True)
        (content / "pages").mkdir()
        (content / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
        (content / "case-studies" / "kashan-health-tv.md").write_text(case_study(), encoding="utf-8")
        (content / "case-studies" / "cork-festival.md").write_text(
            case_study(title="A festival", city="Cork", country="IE", draft="true"), encoding="utf-8")
        self.templates = ROOT / "templates"
        if own_theme:
            self.templates = self.repo / "templates"
            shutil.copytree(ROOT / "templates", self.templates, ignore=shutil.ignore_patterns("__pycache__"))
        (self.repo / ".gitignore").write_text("/output/\n", encoding="utf-8")
        git(self.repo, "init", "--quiet", "--initial-branch=main")
        git(self.repo, "remote", "add", "origin", str(self.remote))
        self.commit_all("Showcase sources")
        (self.repo / "NOTES.txt").write_text("What to write next.\n", encoding="utf-8")
        self.commit_all("Notes")

    @property
    def output(self) -> Path:
        return self.repo / "output"

    def deploy(self, *args: str) -> subprocess.CompletedProcess:
        return run_cli("deploy", "--content", "content", "--templates", self.templates, "--output", "output",
                       *args, cwd=self.repo)

    def commit_all(self, message: str) -> None:
        git(self.repo, "add", "--all")
        git(self.repo, "commit", "--quiet", "-m", message)

    def refs(self) -> str:
        """Every ref with its commit, and HEAD: what a refused deploy must leave as it was."""
        return git(self.repo, "for-each-ref", "--format=%(refname) %(objectname)") + "\n" + \
            git(self.repo, "rev-parse", "HEAD") + " " + git(self.repo, "symbolic-ref", "-q", "HEAD", check=False)

    def state(self) -> tuple:
        return self.refs(), git(self.repo, "status", "--porcelain", "--untracked-files=all", "--ignored")

    def branch_names(self, branch: str = "gh-pages") -> list[str]:
        return sorted(git(self.repo, "ls-tree", "-r", "--name-only", branch).splitlines())


@pytest.fixture
def project(tmp_path) -> Project:
    return Project(tmp_path)


def assert_refused(project: Project, proc: subprocess.CompletedProcess, before: tuple, *words: str) -> None:
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Deploy failed: " in proc.stderr and "Fix: " in proc.stderr
    for word in words:
        assert word in proc.stderr, proc.stderr
    assert "Committed" not in proc.stdout
    assert not project.output.exists()  # refused before building
    assert project.state() == before


# ---------------------------------------------------------------- branch names git reads as other branches

@pytest.mark.parametrize("name", ["@{-1}", "-", "@", "HEAD", "@{upstream}", "@{u}", "main@{1}", "refs/heads/gh-pages",
                                  "--force", "gh..pages", "", "gh-pages.lock", "feature/"])
def test_a_name_that_is_not_a_plain_branch_name_is_refused(project, name):
    """`@{-1}` is the branch checked out before (here: main, the sources); the old deploy committed onto it."""
    git(project.repo, "push", "--quiet", "--set-upstream", "origin", "main")
    git(project.repo, "switch", "--quiet", "--create", "feature")
    git(project.repo, "branch", "--quiet", "--set-upstream-to=origin/main")
    assert git(project.repo, "check-ref-format", "--branch", "@{-1}") == "main"
    before = project.state()
    proc = project.deploy(f"--branch={name}")
    assert_refused(project, proc, before, "branch name", "--branch gh-pages")


def test_a_shorthand_is_told_which_branch_git_would_have_used(project):
    git(project.repo, "switch", "--quiet", "--create", "feature")
    proc = project.deploy("--branch", "@{-1}")
    assert "git reads it as another branch ('main')" in proc.stderr


# ---------------------------------------------------------------- branches that hold the sources

def make_branch(project: Project, case: str) -> tuple[str, str]:
    """Make the branch of `case`; (its name, what the refusal says about it)."""
    repo = project.repo
    if case == "same commit":
        git(repo, "branch", "site")
        return "site", "points at the commit you have checked out"
    if case == "behind":
        git(repo, "branch", "site", "main~1")
        return "site", "is part of the history of the commit you have checked out"
    if case == "ahead":
        git(repo, "switch", "--quiet", "--create", "site")
        git(repo, "commit", "--quiet", "--allow-empty", "-m", "On top of the sources")
        git(repo, "switch", "--quiet", "main")
        return "site", "contains the commit you have checked out"
    if case == "forked":
        git(repo, "switch", "--quiet", "--create", "site", "main~1")
        git(repo, "commit", "--quiet", "--allow-empty", "-m", "A fork of the sources")
        git(repo, "switch", "--quiet", "main")
        return "site", "shares history with the commit you have checked out"
    if case == "source branch":  # on a feature branch, deploying to main
        git(repo, "switch", "--quiet", "--create", "feature")
        git(repo, "commit", "--quiet", "--allow-empty", "-m", "Feature work")
        return "main", "is part of the history of the commit you have checked out"
    if case == "detached on it":
        git(repo, "switch", "--quiet", "--detach", "main")
        return "main", "points at the commit you have checked out"
    raise AssertionError(case)


@pytest.mark.parametrize("case", ["same commit", "behind", "ahead", "forked", "source branch", "detached on it"])
def test_a_branch_that_shares_history_with_the_sources_is_refused_even_with_force(project, case):
    branch, how = make_branch(project, case)
    before = project.state()
    proc = project.deploy("--branch", branch, "--force")
    assert_refused(project, proc, before, f"the branch {branch} (", how, "holds your sources", "--branch gh-pages")


def test_the_checked_out_branch_is_refused(project):
    before = project.state()
    proc = project.deploy("--branch", "main")
    assert_refused(project, proc, before, "the branch main is checked out")


def test_a_remote_branch_that_holds_the_sources_is_refused(project):
    """Without a local gh-pages, the first commit would build on origin/gh-pages: here, the sources."""
    git(project.repo, "push", "--quiet", "origin", "main:gh-pages")
    git(project.repo, "fetch", "--quiet", "origin")
    before = project.state()
    proc = project.deploy()
    assert_refused(project, proc, before, "the branch origin/gh-pages (", "holds your sources")


def test_a_separate_site_branch_is_accepted_from_anywhere(project):
    first = project.deploy("--branch", "site/pages")
    assert first.returncode == 0, first.stdout + first.stderr
    assert git(project.repo, "merge-base", "site/pages", "main", check=False) == ""
    git(project.repo, "switch", "--quiet", "--detach", "main~1")  # an older source commit, detached
    (project.repo / "content" / "case-studies" / "kashan-health-tv.md").write_text(
        case_study(body="An older text.\n"), encoding="utf-8")
    git(project.repo, "commit", "--quiet", "-am", "Detached work")
    again = project.deploy("--branch", "site/pages")
    assert again.returncode == 0, again.stdout + again.stderr
    assert git(project.repo, "rev-list", "--count", "site/pages") == "2"
    assert git(project.repo, "merge-base", "site/pages", "HEAD", check=False) == ""


# ---------------------------------------------------------------- source files git does not track

def test_ignored_and_untracked_content_files_are_refused_until_tracked(project):
    repo, content = project.repo, project.repo / "content"
    (repo / ".gitignore").write_text("/output/\n*.pdf\nprivate/\n.DS_Store\n*.swp\n/content/case-studies/secret.md\n",
                                     encoding="utf-8")
    project.commit_all("Ignore rules")
    (content / "notes.pdf").write_bytes(b"%PDF-1.4 board minutes")
    (content / "private").mkdir()
    (content / "private" / "salaries.csv").write_text("name,salary\n", encoding="utf-8")
    (content / "case-studies" / "secret.md").write_text(case_study(city="Secret"), encoding="utf-8")
    (content / "case-studies" / "photo.png").write_bytes(image_bytes())  # untracked, not ignored
    (content / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden: the build skips these
    (content / "case-studies" / ".kashan-health-tv.md.swp").write_bytes(b"b0VIM")
    before = project.state()

    for args in ((), ("--force",)):  # --force does not publish files that are in no commit
        proc = project.deploy(*args)
        assert_refused(project, proc, before, "4 file(s) that git does not track",
                       "content/notes.pdf (ignored by git)", "content/private/salaries.csv (ignored by git)",
                       "content/case-studies/secret.md (ignored by git)",
                       "content/case-studies/photo.png (not tracked by git)", "git add -f FILE")
        assert ".DS_Store" not in proc.stderr and ".swp" not in proc.stderr

    # Tracking a file makes it publishable; moving the others away clears the way.
    git(repo, "add", "--force", "content/notes.pdf", "content/case-studies/photo.png")
    git(repo, "commit", "--quiet", "-m", "Publish the minutes and the photo")
    shutil.move(content / "private", repo / "private")
    (content / "case-studies" / "secret.md").unlink()
    proc = project.deploy()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = project.branch_names()
    assert "notes.pdf" in names and any(name.startswith("media/photo-4.") for name in names)  # published resized
    assert not any("salaries" in name or "secret" in name or name.startswith("private") for name in names)


def test_untracked_files_of_a_theme_inside_the_repository_are_refused(tmp_path):
    project = Project(tmp_path, own_theme=True)
    (project.repo / ".gitignore").write_text("/output/\n*.bak\n__pycache__/\n", encoding="utf-8")
    project.commit_all("Ignore backups")
    (project.templates / "static" / "style.css.bak").write_text("body { color: red }\n", encoding="utf-8")
    (project.templates / "__pycache__").mkdir()
    (project.templates / "__pycache__" / "__init__.cpython-311.pyc").write_bytes(b"\0")
    before = project.state()
    proc = project.deploy()
    assert_refused(project, proc, before, "templates/static/style.css.bak (ignored by git)")
    assert "__pycache__" not in proc.stderr
    (project.templates / "static" / "style.css.bak").unlink()
    proc = project.deploy()
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_content_folder_outside_the_repository_is_refused(project, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project.repo / "content", elsewhere / "content")
    before = project.state()
    proc = run_cli("deploy", "--content", elsewhere / "content", "--templates", project.templates,
                   "--output", "output", cwd=project.repo)
    assert_refused(project, proc, before, "is outside the git repository")


# ---------------------------------------------------------------- only the built files

def test_only_what_this_build_makes_is_committed(project):
    """An earlier `build --drafts` left a draft page in output/: the deploy's own clean build drops it."""
    proc = run_cli("build", "--drafts", "--content", "content", "--templates", project.templates,
                   "--output", "output", cwd=project.repo)
    assert proc.returncode == 0, proc.stderr
    assert (project.output / "case-studies" / "cork-festival" / "index.html").exists()
    proc = project.deploy()
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = project.branch_names()
    assert "case-studies/kashan-health-tv/index.html" in names
    assert not any("cork-festival" in name for name in names)


def test_tree_of_files_stores_the_listed_files_alone(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    site = repo / "output"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_bytes(b"<p>home</p>")
    (site / "a" / "page.html").write_bytes(b"<p>a</p>")
    (site / "stray.txt").write_bytes(b"left by someone else")
    (site / "key").symlink_to(tmp_path / "secret")
    (tmp_path / "secret").write_bytes(b"private key")
    runner = deploy.Git(repo, shutil.which("git"))
    tree, count = deploy.tree_of_files(runner, site, {"index.html", "a/page.html"})
    listed = git(repo, "ls-tree", "-r", "--name-only", tree).splitlines()
    assert sorted(listed) == [".nojekyll", "a/page.html", "index.html"] and count == 3
    assert git(repo, "cat-file", "-p", f"{tree}:a/page.html") == "<p>a</p>"
    for bad in ({"key"}, {"missing.html"}, {"../secret"}):
        with pytest.raises(deploy.DeployError):
            deploy.tree_of_files(runner, site, bad)


def test_a_remote_name_that_looks_like_an_option_is_refused(project, tmp_path):
    marker = tmp_path / "ran"
    before = project.state()
    proc = project.deploy("--push", f"--remote=--upload-pack=touch {marker}")
    assert_refused(project, proc, before, "no git remote called")
    assert not marker.exists()
    assert os.listdir(project.remote / "refs" / "heads") == []
