"""The build cache on disk: what a build remembers for the next one.

Owns where the cache lives, how it is written and read back, and when it is
thrown away (another sitegen, a damaged file).
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from pathlib import Path

CACHE_FORMAT = 3


@functools.cache
def code_digest() -> str:
    """A digest of sitegen's own source and data: any change to sitegen invalidates every cache."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def cache_path(options: BuildOptions) -> Path | None:
    if options.cache_dir is None:
        return None
    where = "\0".join(str(p.resolve()) for p in (options.content, options.output, options.templates))
    where += f"\0{options.base_url}\0{options.drafts}"
    return options.cache_dir / "sitegen" / (hashlib.blake2b(where.encode(), digest_size=12).hexdigest() + ".pickle")


def read_cache(path: Path | None) -> Caches | None:
    """The cache of the last build, or None when there is none or it belongs to another sitegen."""
    if path is None or not path.exists():
        return None
    try:
        with path.open("rb") as f:
            stored = pickle.load(f)
    except Exception:  # noqa: BLE001 - a damaged cache is no cache
        return None
    if not isinstance(stored, dict) or stored.get("format") != CACHE_FORMAT or stored.get("code") != code_digest():
        return None
    caches = stored.get("caches")
    caches.changed = False
    return caches


def forget(cache: RenderCache) -> None:
    """After an aborted write the cache no longer describes the output: start over."""
    cache.pages.clear()
    cache.copies.clear()


def save_cache(path: Path, caches: Caches) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    with temporary.open("wb") as f:
        pickle.dump({"format": CACHE_FORMAT, "code": code_digest(), "caches": caches}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    temporary.replace(path)
