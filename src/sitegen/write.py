"""Write stage: output files in, a complete site folder out, atomically.

The new site is written into a sibling staging folder and swapped in with
two renames, so a reader (or a failed build) never sees a half-written
output folder. Refuses to replace a folder that sitegen did not make.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .render import OutputFile

MARKER = ".nojekyll"  # every sitegen build writes it


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


def write_site(output: Path, files: list[OutputFile]) -> int:
    """Replace `output` with exactly `files`; returns the number of files written."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = output.with_name(f".{output.name}.new-{os.getpid()}")
    old = output.with_name(f".{output.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        for item in files:
            target = staging / item.path
            target.parent.mkdir(parents=True, exist_ok=True)
            if item.source is not None:
                shutil.copyfile(item.source, target)
            else:
                target.write_bytes(item.data)
        if output.exists():
            output.rename(old)
        staging.rename(output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old.exists() and not output.exists():
            old.rename(output)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return len(files)


def sync_site(output: Path, files: list[OutputFile]) -> list[str]:
    """Make `output` hold exactly `files`, touching only what changed (for `serve`).

    Each file is replaced atomically (temporary name, then rename), so a server
    reading the folder never sees half a file. Returns the changed paths,
    removed ones included, sorted.
    """
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    wanted = {item.path for item in files}
    changed = [item.path for item in files if replace_if_changed(output / item.path, item)]
    for folder, dirs, names in os.walk(output, topdown=False):
        for name in names:
            rel = (Path(folder) / name).relative_to(output).as_posix()
            if rel not in wanted:
                (Path(folder) / name).unlink()
                changed.append(rel)
        if Path(folder) != output and not any(Path(folder).iterdir()):
            Path(folder).rmdir()
    return sorted(changed)


def replace_if_changed(target: Path, item: OutputFile) -> bool:
    data = item.data if item.data is not None else item.source.read_bytes()
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return False
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, target)
    return True
