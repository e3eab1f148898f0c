"""Files the site publishes as they are: fixed bytes and copied files, each written only when it changed.

`stamps` remembers each copied file's source, size and modification time from
the last build (the cache keeps it), so an unchanged asset is not copied again.
"""

from __future__ import annotations

from pathlib import Path


def copy_files(target, fixed: dict[str, bytes], copies: list[tuple[str, Path]],
               stamps: dict[str, tuple]) -> tuple[set[str], set[str], dict[str, tuple]]:
    """Write `fixed` and copy `copies` through `target`: (every path, the paths written, the new stamps)."""
    files, written, seen = set(), set(), {}
    for rel, data in fixed.items():
        files.add(rel)
        path = target.root / rel
        if not path.exists() or path.read_bytes() != data:
            target.write(rel, data)
            written.add(rel)
    for rel, source in copies:
        files.add(rel)
        stat = source.stat()
        seen[rel] = stamp = (str(source), stat.st_size, stat.st_mtime_ns)
        if stamps.get(rel) != stamp or not (target.root / rel).exists():
            target.copy(rel, source)
            written.add(rel)
    return files, written, seen
