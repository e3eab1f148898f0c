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
render cache.
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
from ..write import target as write

SHOWN_CHANGES = 10  # uncommitted paths listed in the refusal message


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
    if args.push:
        check_remote(git, args.remote, branch)
    output = Path(args.output)
    dirty = uncommitted_changes(git, output)
    if dirty and not args.force:
        shown = "\n".join(f"  {line}" for line in dirty[:SHOWN_CHANGES])
        more = f"\n  ... and {len(dirty) - SHOWN_CHANGES} more" if len(dirty) > SHOWN_CHANGES else ""
        raise DeployError(
            f"the repository has uncommitted changes, so the site would not match any commit:\n{shown}{more}",
            "Commit (or stash) them first, or pass --force to deploy them anyway.")
    if dirty:
        print(f"Deploying with {len(dirty)} uncommitted change(s) (--force).")

    build_site(args)
    tree, count = tree_of_folder(git, output)

    ref = f"refs/heads/{branch}"
    parent = git.commit_of(ref)
    base = parent or git.commit_of(f"refs/remotes/{args.remote}/{branch}")
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
    proc = git.run("check-ref-format", "--branch", branch, check=False)
    if proc.returncode != 0 or branch.startswith("-"):
        raise DeployError(f"'{branch}' is not a valid branch name", "Pass a name like --branch gh-pages.")
    return decode(proc.stdout).strip()


def refuse_checked_out_branch(git: Git, branch: str) -> None:
    """Moving a branch that a working tree has checked out would change what that tree shows."""
    listing = git.out("worktree", "list", "--porcelain")
    for line in listing.splitlines():
        if line == f"branch refs/heads/{branch}":
            raise DeployError(f"the branch {branch} is checked out in a working tree of this repository",
                              "Switch that working tree to your source branch (e.g. git switch main), then deploy.")


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


def build_site(args) -> None:
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


def tree_of_folder(git: Git, folder: Path) -> tuple[str, int]:
    """Store every file of `folder` byte for byte (no filters) and return (tree id, file count)."""
    folder = Path(folder)
    files: list[tuple[str, Path]] = []
    for dirpath, dirs, names in os.walk(folder):
        dirs.sort()
        for name in sorted(names):
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if "\n" in str(path.resolve()) or "\0" in rel:
                raise DeployError(f"the output file name {rel!r} cannot be stored by sitegen deploy",
                                  "Rename the source file that produced it.")
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
    if git.run("remote", "get-url", remote, check=False).returncode != 0:
        raise DeployError(f"there is no git remote called '{remote}' to push {branch} to",
                          "Add one (git remote add origin URL) or pass --remote NAME.")


def push(git: Git, remote: str, branch: str) -> None:
    proc = git.run("push", remote, f"refs/heads/{branch}:refs/heads/{branch}", check=False)
    if proc.returncode != 0:
        raise DeployError(f"git push {remote} {branch} failed; the commit is on your local {branch} branch:\n"
                          f"{decode(proc.stderr).strip()}",
                          f"If the remote's {branch} has commits you do not have, run "
                          f"'git fetch {remote} {branch}:{branch}' and deploy again.")
    print(f"Pushed {branch} to {remote}.")
