"""`sitegen deploy`: owns publishing a build to a branch (gh-pages) of the user's own git repository.

For people who publish from their own machine instead of the GitHub Actions
workflow. It builds the site (through `pipeline.build`, like `sitegen build`),
then commits exactly the files of the output folder, `.nojekyll` and `CNAME`
included, as one new commit on the branch, using plain git plumbing:
`hash-object` for the files, a temporary index (GIT_INDEX_FILE) for
`write-tree`, `commit-tree`, and `update-ref`. The user's working tree, index,
HEAD and current branch are never touched, and nothing goes over the network
unless `--push` is given (then `git push <remote> <branch>`).

Rules: it refuses to run when the repository has uncommitted changes (build
products aside: the output folder and the render cache) unless `--force`, so
that what is published matches a commit; a deploy whose tree equals the
branch's current tree makes no commit. Its build is a clean one, without the
render cache, and only the files that build made are committed (nothing else
that happens to be in the output folder).

What it refuses, always (git itself decides each one):
- a branch name that `git check-ref-format --branch` rejects or rewrites
  (`@{-1}`, `-`, `@{upstream}` name another branch), and `HEAD`, `@`, `refs/...`;
- a branch that holds the sources: one checked out in a working tree, or one
  that shares history with HEAD (its tip is HEAD or an ancestor of it, it
  contains HEAD, or they have any commit in common); the remote-tracking
  branch the first commit would build on is checked the same way;
- a content (or project templates) folder holding files git does not track,
  ignored or not, that the build would read and publish (`git ls-files
  --others [--ignored] --exclude-standard`); hidden files, which the build
  skips, aside. `--force` does not lift this: a file is published only once
  it is tracked (`git add`);
- a content folder outside the repository (nothing of it would match a commit).
Every failure is a one-paragraph message and exit status 1, never a traceback.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..build import pipeline
from ..model.diagnostics import visible
from ..write import target as write

SHOWN_CHANGES = 10  # uncommitted paths listed in the refusal message
SHOWN_UNTRACKED = 20  # untracked or ignored source files listed in the refusal message
NOT_BRANCH_NAMES = ("HEAD", "@")  # names git reads as the current commit, not as a branch


class DeployError(Exception):
    """A problem that stops the deploy: what went wrong, and what to do about it."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.message = message
        self.fix = fix


@dataclass(frozen=True)
class Git:
    """Runs git in one repository; every failure becomes a DeployError."""

    toplevel: Path
    executable: str

    def run(self, *args: str, input: bytes | None = None, env: dict | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
        try:
            proc = subprocess.run([self.executable, *args], cwd=self.toplevel, input=input, env=env,
                                  capture_output=True)
        except OSError as exc:
            raise DeployError(f"could not run git: {exc}", "Check that git is installed and on PATH.") from exc
        if check and proc.returncode != 0:
            detail = decode(proc.stderr).strip() or f"exit status {proc.returncode}"
            raise DeployError(f"git {args[0]} failed: {detail}")
        return proc

    def out(self, *args: str, **kwargs) -> str:
        return decode(self.run(*args, **kwargs).stdout).strip()

    def commit_of(self, ref: str) -> str | None:
        proc = self.run("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
        return decode(proc.stdout).strip() if proc.returncode == 0 else None


def decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


def run(args) -> int:
    """The `sitegen deploy` command; returns the exit status."""
    try:
        return deploy(args)
    except DeployError as exc:
        print(f"Deploy failed: {exc.message}", file=sys.stderr)
        if exc.fix:
            print(f"Fix: {exc.fix}", file=sys.stderr)
        return 1


def deploy(args) -> int:
    git = find_repository()
    branch = check_branch_name(git, args.branch)
    refuse_checked_out_branch(git, branch)
    ref = f"refs/heads/{branch}"
    refuse_source_history(git, site_base(git, args.remote, branch))
    if args.push:
        check_remote(git, args.remote, branch)
    output = Path(args.output)
    refuse_untracked_sources(git, args)
    dirty = uncommitted_changes(git, output)
    if dirty and not args.force:
        shown = "\n".join(f"  {visible(line)}" for line in dirty[:SHOWN_CHANGES])
        more = f"\n  ... and {len(dirty) - SHOWN_CHANGES} more" if len(dirty) > SHOWN_CHANGES else ""
        raise DeployError(
            f"the repository has uncommitted changes, so the site would not match any commit:\n{shown}{more}",
            "Commit (or stash) them first, or pass --force to deploy them anyway.")
    if dirty:
        print(f"Deploying with {len(dirty)} uncommitted change(s) (--force).")

    files = build_site(args)
    tree, count = tree_of_files(git, output, files)

    site = site_base(git, args.remote, branch)
    refuse_source_history(git, site)  # again: a branch may have moved during the build
    base = site.commit
    parent = base if site.name == branch else None  # the local branch's tip, when it exists
    if base is not None and git.out("rev-parse", f"{base}^{{tree}}") == tree:
        if parent is None:  # the remote-tracking branch already holds this build
            git.run("update-ref", "-m", "sitegen deploy", ref, base, "")
        print(f"Nothing to commit: {branch} already holds this build ({base[:7]}).")
    else:
        message = args.message or default_message(git, bool(dirty))
        commit = git.out("commit-tree", tree, *(["-p", base] if base else []), "-m", message)
        # The expected old value makes this fail instead of losing a commit made meanwhile.
        git.run("update-ref", "-m", "sitegen deploy", ref, commit, parent or "")
        print(f"Committed {commit[:7]} to {branch} ({count} files): {message.splitlines()[0]}")

    if args.push:
        push(git, args.remote, branch)
    else:
        print(f"Not pushed. To publish: git push {args.remote} {branch} (or run sitegen deploy --push).")
    return 0


def find_repository() -> Git:
    executable = shutil.which("git")
    if executable is None:
        raise DeployError("git was not found", "Install git (https://git-scm.com) and make sure it is on PATH.")
    try:
        proc = subprocess.run([executable, "rev-parse", "--show-toplevel"], capture_output=True)
    except OSError as exc:
        raise DeployError(f"could not run git ({executable}): {exc}", "Reinstall git.") from exc
    if proc.returncode != 0:
        raise DeployError(f"{Path.cwd()} is not inside a git repository",
                          "Run sitegen deploy from your project's git checkout (git init, then commit your content).")
    top = decode(proc.stdout).strip()
    if not top:
        raise DeployError("the current folder is inside a bare git repository or a .git folder",
                          "Run sitegen deploy from your project's working tree.")
    return Git(Path(top), executable)


def check_branch_name(git: Git, branch: str) -> str:
    """`branch` itself when it is a plain branch name; git's shorthands for other branches are refused.

    `git check-ref-format --branch` expands `@{-1}` (the branch checked out
    before) and `@{upstream}`; a name it rewrites is not the name of a site branch.
    """
    shown = visible(branch)
    fix = "Pass the site branch's own name, like --branch gh-pages."
    if not branch or branch.startswith("-") or branch in NOT_BRANCH_NAMES:
        raise DeployError(f"'{shown}' is not a valid branch name", fix)
    if branch.startswith("refs/"):
        raise DeployError(f"'{shown}' is a full ref name, not a branch name",
                          f"Pass the name alone, like --branch {visible(branch.rsplit('/', 1)[-1]) or 'gh-pages'}.")
    proc = git.run("check-ref-format", "--branch", branch, check=False)
    if proc.returncode != 0:
        raise DeployError(f"'{shown}' is not a valid branch name", fix)
    expanded = decode(proc.stdout).rstrip("\n")
    if expanded != branch:
        raise DeployError(f"'{shown}' is not a branch name: git reads it as another branch ('{visible(expanded)}'), "
                          "and deploy would commit the site onto it", fix)
    if git.run("check-ref-format", f"refs/heads/{branch}", check=False).returncode != 0:
        raise DeployError(f"'{shown}' is not a valid branch name", fix)
    return branch


def refuse_checked_out_branch(git: Git, branch: str) -> None:
    """Moving a branch that a working tree has checked out would change what that tree shows."""
    listing = git.out("worktree", "list", "--porcelain")
    current = git.run("symbolic-ref", "--quiet", "HEAD", check=False)
    checked_out = {line.removeprefix("branch ") for line in listing.splitlines() if line.startswith("branch ")}
    if current.returncode == 0:
        checked_out.add(decode(current.stdout).strip())
    if f"refs/heads/{branch}" in checked_out:
        raise DeployError(f"the branch {branch} is checked out in a working tree of this repository",
                          "Switch that working tree to your source branch (e.g. git switch main), then deploy, "
                          "or deploy to another branch (--branch gh-pages).")


@dataclass(frozen=True)
class Base:
    """What the next deploy commit builds on: the local branch, else the remote-tracking one."""

    name: str  # as the user knows it: "gh-pages" or "origin/gh-pages"
    commit: str | None  # None: neither exists, the deploy starts a new branch
    delete: str  # the command that deletes it


def site_base(git: Git, remote: str, branch: str) -> Base:
    local = git.commit_of(f"refs/heads/{branch}")
    if local is not None:
        return Base(branch, local, f"git branch -D {branch}")
    return Base(f"{remote}/{branch}", git.commit_of(f"refs/remotes/{remote}/{branch}"),
                f"git push {remote} --delete {branch}, then git fetch --prune {remote}")


def refuse_source_history(git: Git, base: Base) -> None:
    """A site branch holds only builds: committing onto a branch that shares history with HEAD
    would put the site on top of the sources (and publish the sources' history with it)."""
    branch, tip = base.name, base.commit
    head = git.commit_of("HEAD")
    if tip is None or head is None:  # a new branch, or a repository without commits yet
        return
    common = git.run("merge-base", tip, head, check=False)
    if common.returncode != 0 or not decode(common.stdout).strip():
        return  # no commit in common: a separate site branch
    if tip == head:
        how = "points at the commit you have checked out (HEAD)"
    elif git.run("merge-base", "--is-ancestor", tip, head, check=False).returncode == 0:
        how = "is part of the history of the commit you have checked out (HEAD)"
    elif git.run("merge-base", "--is-ancestor", head, tip, check=False).returncode == 0:
        how = "contains the commit you have checked out (HEAD)"
    else:
        how = f"shares history with the commit you have checked out (HEAD), from {decode(common.stdout).strip()[:7]} on"
    raise DeployError(f"the branch {branch} ({tip[:7]}) {how}: it holds your sources, not a built site, "
                      "and deploy would commit the site on top of them",
                      "Deploy to a branch of its own, e.g. --branch gh-pages (a new name is fine: deploy "
                      f"creates it). If {branch} was made from your sources by mistake and holds nothing "
                      f"else, delete it first ({base.delete}).")


def refuse_untracked_sources(git: Git, args) -> None:
    """Refuse when the content folder (or templates inside the repository) holds files git does not
    track, ignored ones included, that the build reads and would publish as they are.

    `git status` (the uncommitted-changes check) does not show ignored files, and
    `--force` only covers changes the user has seen; a file becomes publishable by
    being tracked (`git add`).
    """
    content = inside(Path(args.content), git.toplevel)
    if content is None:
        raise DeployError(f"the content folder {visible(str(args.content))} is outside the git repository "
                          f"{visible(str(git.toplevel))}, so the site would not match any commit",
                          "Move the content folder into the repository and commit it, "
                          "or run sitegen deploy from the repository that holds it.")
    folders = [(content, False)]
    templates = inside(Path(args.templates), git.toplevel)
    if templates is not None and templates != content:
        folders.append((templates, True))
    excluded = [inside(Path(args.output), git.toplevel)]
    cache = getattr(pipeline.BuildOptions, "cache_dir", None)
    excluded.append(inside(cache, git.toplevel) if cache else None)
    found: list[str] = []
    for folder, is_theme in folders:
        pathspec = [f":(literal){folder}" if folder else "."]
        pathspec += [f":(exclude,literal){other}" for other in excluded if other]
        ignored = set(ls_files(git, "--ignored", pathspec))
        for path in sorted(ignored | set(ls_files(git, None, pathspec))):
            if read_by_build(path, folder, is_theme):
                found.append(f"{path} ({'ignored by git' if path in ignored else 'not tracked by git'})")
    if found:
        shown = "\n".join(f"  {visible(line)}" for line in found[:SHOWN_UNTRACKED])
        more = f"\n  ... and {len(found) - SHOWN_UNTRACKED} more" if len(found) > SHOWN_UNTRACKED else ""
        raise DeployError(
            f"the site's sources hold {len(found)} file(s) that git does not track; the build would publish "
            f"them, but they are in no commit (or are kept out of git on purpose):\n{shown}{more}",
            "Move each file you do not want on the public site out of the content folder (or delete it). "
            "To publish one, track it and commit: git add FILE (git add -f FILE for an ignored one).")


def ls_files(git: Git, ignored: str | None, pathspec: list[str]) -> list[str]:
    """Untracked paths under `pathspec`: the ignored ones with `--ignored`, else the others."""
    flags = ["--others", "--exclude-standard", "-z", *([ignored] if ignored else [])]
    out = git.run("ls-files", *flags, "--", *pathspec).stdout
    return [os.fsdecode(name) for name in out.split(b"\0") if name]


def read_by_build(path: str, folder: str, is_theme: bool) -> bool:
    """Would the build read (and so possibly publish) the untracked file `path` of `folder`?

    The content loader skips hidden files and folders; in a theme, Python's
    byte-code caches are no templates. A nested repository shows as "dir/": listed.
    """
    parts = path[len(folder):].strip("/").split("/") if folder else path.split("/")
    if any(part.startswith(".") for part in parts):
        return False
    return not (is_theme and ("__pycache__" in parts or path.endswith(".pyc")))


def uncommitted_changes(git: Git, output: Path) -> list[str]:
    """`git status --porcelain` lines of the whole repository, leaving out build products.

    Build products are the output folder and, when the pipeline has one, the
    default render cache folder of `sitegen build` (.cache/).
    """
    pathspec = ["."]
    relative = inside(output, git.toplevel)
    if relative == "":
        raise DeployError("the output folder is the repository itself", "Pass --output output (a sub-folder).")
    cache = getattr(pipeline.BuildOptions, "cache_dir", None)
    for folder in (relative, inside(cache, git.toplevel) if cache else None):
        if folder:
            pathspec.append(f":(exclude,literal){folder}")
    proc = git.run("status", "--porcelain", "--untracked-files=all", "--", *pathspec)
    return [line for line in decode(proc.stdout).splitlines() if line.strip()]


def inside(path: Path, folder: Path) -> str | None:
    """`path` relative to `folder` (posix), or None when it is outside."""
    try:
        relative = Path(path).resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return None
    return "" if relative == "." else relative


def build_options(args) -> pipeline.BuildOptions:
    """A clean full build: no render cache, so what is published depends on the sources alone."""
    options = {"content": Path(args.content), "output": Path(args.output), "templates": Path(args.templates),
               "base_url": args.base_url}
    if "cache_dir" in {f.name for f in dataclasses.fields(pipeline.BuildOptions)}:
        options["cache_dir"] = None
    return pipeline.BuildOptions(**options)


def build_site(args) -> set[str]:
    """Build the site into the output folder; the set of files the build made (posix paths)."""
    try:
        result = pipeline.build(build_options(args))
    except OSError as exc:
        raise DeployError(f"could not write the site into {args.output}: {exc}",
                          "Check the folder's permissions and free space.") from exc
    report = result.report
    if report.items:
        print(report.as_text(), file=sys.stderr)
    if report.failed() or not result.files:
        raise DeployError(f"the build failed ({report.summary()}); nothing was committed",
                          "Fix the problems listed above (sitegen check shows them), then deploy again.")
    print(f"Built {result.pages()} pages ({len(result.files)} files) into {args.output}; {report.summary()}.")
    return set(result.files)


def tree_of_files(git: Git, folder: Path, built: set[str]) -> tuple[str, int]:
    """Store the files the build made (`built`, paths inside `folder`) byte for byte (no filters)
    and return (tree id, file count). Anything else in the folder is left out."""
    folder = Path(folder)
    files: list[tuple[str, Path]] = []
    for rel in sorted(built):
        path = folder / rel
        if "\n" in str(path.resolve()) or "\0" in rel or rel.startswith("/") or ".." in rel.split("/"):
            raise DeployError(f"the output file name {visible(repr(rel))} cannot be stored by sitegen deploy",
                              "Rename the source file that produced it.")
        if path.is_symlink() or not path.is_file():
            raise DeployError(f"the built file {visible(rel)} is missing from {folder} or is not a plain file",
                              "Something changed the output folder during the deploy: run it again.")
        files.append((rel, path))
    stdin = b"".join(os.fsencode(path.resolve()) + b"\n" for _, path in files)
    ids = git.out("hash-object", "-w", "--no-filters", "--stdin-paths", input=stdin).split() if files else []
    if len(ids) != len(files):
        raise DeployError("git hash-object did not store every file of the site")
    entries = dict(zip((rel for rel, _ in files), ids))
    if write.MARKER not in entries:  # every build writes it; keep Pages from running Jekyll regardless
        entries[write.MARKER] = git.out("hash-object", "-w", "--stdin", input=b"")
    records = b"".join(f"100644 {oid}\t".encode() + os.fsencode(rel) + b"\0" for rel, oid in sorted(entries.items()))
    with tempfile.TemporaryDirectory(prefix="sitegen-deploy-") as scratch:
        env = dict(os.environ, GIT_INDEX_FILE=str(Path(scratch) / "index"))
        git.run("update-index", "-z", "--add", "--index-info", input=records, env=env)
        tree = git.out("write-tree", env=env)
    return tree, len(entries)


def default_message(git: Git, dirty: bool) -> str:
    head = git.commit_of("HEAD")
    source = f"from {head[:7]}" if head else "before the first commit"
    branch = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if branch.returncode == 0:
        source += f" ({decode(branch.stdout).strip()})"
    if dirty:
        source += ", with uncommitted changes"
    return f"Deploy the site built by sitegen {__version__} {source}"


def check_remote(git: Git, remote: str, branch: str) -> None:
    if remote.startswith("-") or git.run("remote", "get-url", "--", remote, check=False).returncode != 0:
        raise DeployError(f"there is no git remote called '{visible(remote)}' to push {branch} to",
                          "Add one (git remote add origin URL) or pass --remote NAME.")


def push(git: Git, remote: str, branch: str) -> None:
    proc = git.run("push", remote, f"refs/heads/{branch}:refs/heads/{branch}", check=False)
    if proc.returncode != 0:
        raise DeployError(f"git push {remote} {branch} failed; the commit is on your local {branch} branch:\n"
                          f"{decode(proc.stderr).strip()}",
                          f"If the remote's {branch} has commits you do not have, run "
                          f"'git fetch {remote} {branch}:{branch}' and deploy again.")
    print(f"Pushed {branch} to {remote}.")
