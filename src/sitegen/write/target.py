"""Write stage: rendered bytes in, the output folder out, never half-written.

Two ways to land a build, both all-or-nothing for what the build changes:
- `Staged`: a fresh sibling folder, swapped in with two renames (a cold build);
- `InPlace`: only files whose bytes changed, each written under a temporary
  name and renamed into place at `commit()`, then files the site no longer
  has are removed (warm builds and `serve`).
Workers of the render stage write through a target; the parent commits it.
Refuses to replace a folder that sitegen did not make.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

MARKER = ".nojekyll"  # every sitegen build writes it
TEMP_SUFFIX = ".sitegen-tmp"


class UnsafeOutput(Exception):
    """The output folder holds something sitegen must not delete."""


def check_output_folder(output: Path, protected: list[Path]) -> None:
    output = output.resolve()
    for path in protected:
        path = path.resolve()
        if output == path or output in path.parents:
            raise UnsafeOutput(f"the output folder {output} would replace {path}")
    if output.exists() and (not output.is_dir() or (any(output.iterdir()) and not (output / MARKER).exists())):
        raise UnsafeOutput(f"{output} already holds files that sitegen did not write")


def digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class Staged:
    """Write everything into a staging folder; `commit` swaps it with the output folder."""

    output: Path
    root: Path = None  # the staging folder, chosen once by the parent process

    def __post_init__(self):
        if self.root is None:
            object.__setattr__(self, "root", self.output.with_name(f".{self.output.name}.new-{os.getpid()}"))

    def begin(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.root.mkdir(parents=True)

    def write(self, rel: str, data: bytes) -> None:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)

    def commit(self, keep: set[str], written=None, previous=None) -> list[str]:
        old = self.output.with_name(f".{self.output.name}.old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        if self.output.exists():
            self.output.rename(old)
        self.root.rename(self.output)
        shutil.rmtree(old, ignore_errors=True)
        return sorted(keep)

    def abort(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass(frozen=True)
class InPlace:
    """Write changed files beside their targets; `commit` renames them in and prunes the rest."""

    output: Path

    @property
    def root(self) -> Path:
        return self.output

    def begin(self) -> None:
        self.output.mkdir(parents=True, exist_ok=True)

    def _temporary(self, rel: str) -> Path:
        target = self.output / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        return target.with_name(target.name + TEMP_SUFFIX)

    def write(self, rel: str, data: bytes) -> None:
        self._temporary(rel).write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        shutil.copyfile(source, self._temporary(rel))

    def commit(self, keep: set[str], written: set[str] | None = None, previous: set[str] | None = None) -> list[str]:
        """Rename the temporary files into place and remove files not in `keep`; the changed paths.

        With `written` (what this build may have written) and `previous` (every file of
        the last build) it touches only those; without them it walks the whole folder.
        """
        if written is None or previous is None:
            return self._commit_walking(keep)
        changed = []
        for rel in sorted(written):
            temporary = self._temporary_path(rel)
            if temporary.exists():
                os.replace(temporary, self.output / rel)
                changed.append(rel)
        for rel in sorted(previous - keep):
            path = self.output / rel
            if path.is_file():
                path.unlink()
                changed.append(rel)
                self._prune(path.parent)
        return sorted(changed)

    def _temporary_path(self, rel: str) -> Path:
        target = self.output / rel
        return target.with_name(target.name + TEMP_SUFFIX)

    def _prune(self, folder: Path) -> None:
        while folder != self.output and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent

    def _commit_walking(self, keep: set[str]) -> list[str]:
        changed = []
        for folder, dirs, names in os.walk(self.output, topdown=False):
            base = Path(folder)
            for name in names:
                path = base / name
                if name.endswith(TEMP_SUFFIX):
                    final = path.with_name(name[: -len(TEMP_SUFFIX)])
                    os.replace(path, final)
                    changed.append(final.relative_to(self.output).as_posix())
                elif path.relative_to(self.output).as_posix() not in keep:
                    path.unlink()
                    changed.append(path.relative_to(self.output).as_posix())
            if base != self.output and not any(base.iterdir()):
                base.rmdir()
        return sorted(changed)

    def abort(self) -> None:
        for path in self.output.rglob("*" + TEMP_SUFFIX):
            path.unlink()
