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
