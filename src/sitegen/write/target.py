"""Write stage: rendered bytes in, the output folder out, never half-written, never a foreign file lost.

An output folder is sitegen's only when it holds sitegen's manifest
(`.sitegen-manifest.json`): the list of every file the last build wrote
there. sitegen refuses a non-empty folder without one, a folder holding
`.git`, the content or templates folder, a folder above either, and any
folder inside the content folder (`check_output_folder`); and it deletes
only files its manifest lists.

Every file of a build is first written into a staging folder beside the
output (`.<name>.sitegen-stage`), so an error or an exception before the
commit changes nothing in the output folder (`abort` removes the stage and
nothing else). Two ways to commit:
- `Staged`: the output folder does not exist or is empty: the stage becomes it.
- `InPlace`: the output folder is sitegen's: each changed file is renamed
  from the stage into place, then files the site no longer has are
  removed. The manifest is written first as *incomplete*, listing the
  old files and the new, and rewritten as complete at the end; when the
  build only gives files the manifest lists new bytes (a typical edit),
  an empty `.sitegen-committing` file marks it incomplete instead, and
  the manifest is not rewritten. A build killed in between leaves every
  file with its old or its new bytes (renames are atomic) and an
  incomplete manifest, so the next build trusts no cache and rewrites
  what differs.
Workers of the render stage write through a target; the parent commits it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".nojekyll"  # every build writes it: GitHub Pages then publishes the folder as it is
MANIFEST = ".sitegen-manifest.json"
MANIFEST_FORMAT = 1
COMMITTING = ".sitegen-committing"  # present: the manifest is incomplete (files it lists are being replaced)
STAGE_MARK = ".sitegen-stage"  # inside a staging folder: it is sitegen's to remove


class UnsafeOutput(Exception):
    """The output folder holds something sitegen must not delete."""


@dataclass(frozen=True)
class Manifest:
    files: frozenset[str]  # site paths ("a/index.html") of every file sitegen wrote there
    complete: bool  # False: a build was committing when it stopped


def check_output_folder(output: Path, content: Path, protected: list[Path]) -> None:
    """Raise UnsafeOutput unless `output` is a folder sitegen may write (see the module docstring).

    `protected`: folders the output must not be or contain (the templates, the working folder).
    """
    output = output.resolve()
    content = content.resolve()
    for path in [content, *protected]:
        path = path.resolve()
        if output == path or output in path.parents:
            raise UnsafeOutput(f"the output folder {output} would replace {path}")
    if content in output.parents:
        raise UnsafeOutput(f"the output folder {output} is inside the content folder {content}")
    if not os.path.lexists(output):
        return
    if not output.is_dir():
        raise UnsafeOutput(f"{output} is a file, not a folder")
    if os.path.lexists(output / ".git"):
        raise UnsafeOutput(f"{output} holds a git repository (.git)")
    if any(output.iterdir()) and read_manifest(output) is None:
        raise UnsafeOutput(f"{output} already holds files that sitegen did not write (it has no {MANIFEST})")


def read_manifest(output: Path) -> Manifest | None:
    """The manifest of an output folder; None when there is none, or it is not one sitegen wrote."""
    try:
        data = json.loads((output / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if (not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT
            or not isinstance(data.get("complete"), bool) or not isinstance(data.get("files"), list)
            or not all(isinstance(f, str) and safe_path(f) for f in data["files"])):
        return None
    return Manifest(frozenset(data["files"]), data["complete"] and not os.path.lexists(output / COMMITTING))


def safe_path(rel: str) -> bool:
    """A relative path in its plain form ("a/b.html") that stays inside the folder and names no git
    or sitegen bookkeeping."""
    return ("\\" not in rel and "\x00" not in rel and rel not in (MANIFEST, COMMITTING)
            and not any(part in ("", ".", "..", ".git") for part in rel.split("/")))


def write_manifest(output: Path, files, complete: bool) -> None:
    data = json.dumps({"format": MANIFEST_FORMAT, "complete": complete, "files": sorted(files)},
                      separators=(",\n", ": "))  # a file per line, still by json's fast encoder
    temporary = output / (MANIFEST + ".tmp")
    temporary.write_text(data + "\n", encoding="utf-8")
    os.replace(temporary, output / MANIFEST)


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def stage_folder(output: Path) -> Path:
    return output.with_name(f".{output.name}.sitegen-stage")


@dataclass(frozen=True)
class _Target:
    """What both targets share: the staging folder that every file is written into first."""

    output: Path
    # folders of the stage made so far by this process (each render worker keeps its own): a
    # site of 10,000 pages would otherwise ask the file system for a folder it has 10,000 times
    made: set = field(default_factory=set, compare=False, repr=False)

    @property
    def root(self) -> Path:
        """Where the files of the last build are (to compare against)."""
        return self.output

    @property
    def stage(self) -> Path:
        return stage_folder(self.output)

    def begin(self) -> None:
        stage = self.stage
        if os.path.lexists(stage):
            if not (stage / STAGE_MARK).is_file() or stage.is_symlink():
                raise UnsafeOutput(f"{stage} is in the way and was not made by sitegen")
            remove_stage(stage)  # left by a build that was stopped
        (self.output / STAGE_MARK).unlink(missing_ok=True)  # left by a Staged commit that was stopped
        stage.mkdir(parents=True)
        self.made.clear()
        (stage / STAGE_MARK).write_bytes(b"")

    def _staged(self, rel: str) -> Path:
        """Where `rel` goes in the stage, its folder made."""
        target = self.stage / rel
        folder = rel.rpartition("/")[0]
        if folder not in self.made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self.made.add(folder)
        return target

    def write(self, rel: str, data: bytes) -> None:
        self._staged(rel).write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        shutil.copyfile(source, self._staged(rel))  # a link's file, never the link (the load stage checked where it leads)

    def abort(self) -> None:
        """Forget everything written since `begin`; the output folder is as it was."""
        if (self.stage / STAGE_MARK).is_file():
            remove_stage(self.stage)


def remove_stage(stage: Path) -> None:
    """Remove a staging folder, its mark last: stopped at any moment, what is left is still known as sitegen's."""
    for entry in os.scandir(stage):
        if entry.name != STAGE_MARK:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
    os.unlink(stage / STAGE_MARK)
    stage.rmdir()


class Staged(_Target):
    """A new or empty output folder: the staging folder becomes it."""

    def commit(self, keep: set[str], written=None, previous=None) -> list[str]:
        if os.path.lexists(self.output):
            self.output.rmdir()  # empty (check_output_folder): rmdir refuses anything else
        write_manifest(self.stage, keep, complete=True)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.stage.rename(self.output)
        (self.output / STAGE_MARK).unlink()  # stopped before this, the next build removes it
        return sorted(keep)


class InPlace(_Target):
    """An output folder sitegen made: changed files renamed into place, files it no longer has removed."""

    def commit(self, keep: set[str], written: set[str] = frozenset(), previous: set[str] | None = None) -> list[str]:
        """Move the files written into place and remove those of the last build not in `keep`.

        `previous`: the files of the last build as the caller knows them, used only when the
        folder has no manifest yet (a `serve` session's first build). Returns the changed paths.
        """
        self.output.mkdir(parents=True, exist_ok=True)
        manifest = read_manifest(self.output)
        before = set(manifest.files) if manifest is not None else set(previous or ())
        moved = sorted(rel for rel in written if (self.stage / rel).is_file())
        listing = not before.issuperset(moved) or bool(before - set(keep))  # the list of files changes
        if listing:
            write_manifest(self.output, before | set(moved), complete=False)
        elif moved:
            (self.output / COMMITTING).write_bytes(b"")
        for rel in moved:
            final = self.output / rel
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.stage / rel, final)
        removed = []
        for rel in sorted(before - set(keep)):
            path = self.output / rel
            if path.is_file() or path.is_symlink():
                path.unlink()
                removed.append(rel)
                self._prune(path.parent)
        if listing or manifest is None or not manifest.complete or manifest.files != frozenset(keep):
            write_manifest(self.output, keep, complete=True)
        (self.output / COMMITTING).unlink(missing_ok=True)  # only now: the manifest is complete
        remove_stage(self.stage)
        return sorted(moved + removed)

    def _prune(self, folder: Path) -> None:
        """Remove folders the removal of a file left empty (never the output folder itself)."""
        while folder != self.output and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent


@dataclass(frozen=True)
class Nowhere:
    """A target that keeps nothing (`sitegen check`: a build that writes no file)."""

    output: Path

    @property
    def root(self) -> Path:
        return self.output

    def begin(self) -> None:
        pass

    def write(self, rel: str, data: bytes) -> None:
        pass

    def copy(self, rel: str, source: Path) -> None:
        pass

    def abort(self) -> None:
        pass

    def commit(self, keep: set[str], written=None, previous=None) -> list[str]:
        return []
