"""The build cache on disk: what a build remembers for the next one.

Owns where the cache lives (one file per output folder, in
`<cache_dir>/sitegen/`), its format, how it is written and read back, and
when it is thrown away: another sitegen or library version, other sources,
a damaged or foreign file, an output folder that is gone.

Reading a cache file can never run code. A file is

    sitegen-cache <CACHE_FORMAT>\\n     the first line, exactly
    {header}\\n                         JSON: the key the cache was written under
    <size>\\n<section> ...               the body: sections of gzip-compressed JSON, each after its
                                       size in bytes; parsed only when the header is the expected key

The first section holds everything but the three maps that grow with the
site (a loaded record per case study, an entry per page, the conversion of
each body a feed carries); each of those is spread over SHARDS sections by a
digest of its keys. A build that changed a few entries encodes only the
sections they are in again, and writes the others' bytes as it read them:
saving costs what changed, not what the site holds.

The header names sitegen's code digest, the versions of Python and of the
libraries that shape output, and the resolved content, templates and output
folders, base_url and drafts flag. Each section is JSON in a tagged encoding
(see `encode`) that `decode` turns back into values by constructing
only built-in types and dataclasses that sitegen itself defines, looked up
by name in a registry of the classes already loaded (nothing is imported
by a name read from a file). Anything unexpected - a wrong first line,
another key, an unknown tag or class, a field list that differs, a
truncated or corrupt body - makes the file count as no cache: the build
is a clean one, never a traceback.

Fields declared with `dataclasses.field(metadata={"persist": False})` are
not written; reading restores their default.

`cache_path(options)` gives a `CacheFile` (the path and the key it must
match) that `read_cache` and `save_cache` take; saving also prunes the
cache folder (old formats, output folders that are gone).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import gzip
import hashlib
import importlib.metadata
import json
import operator
import os
import platform
import sys
import zlib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..render.pages import RenderCache
    from .pipeline import BuildOptions, Caches

CACHE_FORMAT = 6
FIRST_LINE = f"sitegen-cache {CACHE_FORMAT}\n".encode("ascii")
SUFFIX = ".cache"  # cache files: <digest of the output folder>.cache
OLD_SUFFIXES = (".pickle", ".tmp")  # files of earlier formats (pickle, up to format 3), removed on save
HEADER_LIMIT = 1 << 16  # longest header line read
SHARDS = 16  # sections of each bulky map (see `bulky`)
COMPRESS_LEVEL = 1  # gzip level of the body: 4x smaller than the JSON; level 6 is 15% smaller but 3x slower

# The libraries whose versions can change what a page looks like (as distributions are named).
SHAPING_LIBRARIES = ("jinja2", "markupsafe", "markdown", "nh3", "pycountry", "python-frontmatter", "pyyaml",
                     "python-slugify", "pillow")

PACKAGE = __name__.split(".")[0]  # "sitegen": only its dataclasses go into a cache


@functools.cache
def code_digest() -> str:
    """A digest of sitegen's own source and data: any change to sitegen invalidates every cache."""
    package = Path(__file__).resolve().parent.parent
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


@functools.cache
def library_versions() -> tuple[tuple[str, str], ...]:
    """Python's version and those of SHAPING_LIBRARIES: (("python", "cpython 3.11.7"), ("jinja2", "3.1.6"), ...)."""
    found = [("python", f"{sys.implementation.name} {platform.python_version()}")]
    for name in SHAPING_LIBRARIES:
        try:
            found.append((name, importlib.metadata.version(name)))
        except importlib.metadata.PackageNotFoundError:
            found.append((name, "missing"))
    return tuple(found)


# --------------------------------------------------------------------------- where, and under which key

@dataclasses.dataclass(frozen=True)
class CacheFile:
    """One output folder's cache file, and the key (header) it must have been written under."""

    path: Path
    key: Mapping = dataclasses.field(hash=False)  # JSON-able: what `header` of a matching file must equal

    @property
    def folder(self) -> Path:
        return self.path.parent


def cache_path(options: BuildOptions) -> CacheFile | None:
    """Where the cache of `options.output` lives and the key it needs; None when the build keeps no cache."""
    if options.cache_dir is None:
        return None
    output = str(Path(options.output).resolve())
    name = hashlib.blake2b(output.encode("utf-8", "surrogateescape"), digest_size=12).hexdigest() + SUFFIX
    key = {
        "format": CACHE_FORMAT,
        "code": code_digest(),
        "libraries": dict(library_versions()),
        "content": str(Path(options.content).resolve()),
        "templates": str(Path(options.templates).resolve()),
        "output": output,
        "base_url": options.base_url,
        "drafts": bool(options.drafts),
    }
    return CacheFile(Path(options.cache_dir) / PACKAGE / name, key)


def header_bytes(key: Mapping) -> bytes:
    return FIRST_LINE + json.dumps(key, sort_keys=True, ensure_ascii=True).encode("ascii") + b"\n"


def read_header(f) -> dict | None:
    """The header of an open cache file (positioned after it), or None when it is not one of this format."""
    if f.readline(len(FIRST_LINE) + 1) != FIRST_LINE:
        return None
    line = f.readline(HEADER_LIMIT)
    if not line.endswith(b"\n"):
        return None
    header = json.loads(line)
    return header if isinstance(header, dict) else None


# --------------------------------------------------------------------------- reading and writing

def read_cache(where: CacheFile | None) -> Caches | None:
    """The `Caches` of the last build into this output folder, or None when there is none that fits.

    The body is read only when the header is exactly the expected key; a file
    that is damaged, foreign, of another format or written under another key
    is no cache.
    """
    if where is None:
        return None
    from .pipeline import Caches, LoadMemo  # here: pipeline imports this module
    from ..render.pages import RenderCache
    try:
        with where.path.open("rb") as f:
            if read_header(f) != where.key:
                return None
            sections = split_sections(f.read())
        if len(sections) != 1 + SHARDS * len(BULKY):
            return None
        classes = registry()
        with collector_paused():
            caches = decode(gzip.decompress(sections[0]), classes)
            if type(caches) is not Caches or type(caches.load) is not LoadMemo or type(caches.render) is not RenderCache:
                return None
            maps = {name: {} for name in BULKY}
            for (name, shard), section in zip(section_names(), sections[1:]):
                part = decode(gzip.decompress(section), classes)
                if type(part) is not dict or any(type(k) is not str or shard_of(k) != shard for k in part):
                    return None
                maps[name].update(part)
                caches.sections[name, shard] = (part, section)
    except Exception:  # noqa: BLE001 - a damaged or foreign cache is no cache (missing, unreadable, corrupt)
        return None
    caches.load.entries, caches.render.pages, caches.render.bodies = maps["load"], maps["pages"], maps["bodies"]
    caches.changed = False
    return caches


def save_cache(where: CacheFile, caches: Caches) -> None:
    """Write `caches` under `where.key`, replacing the file at once; then prune the cache folder.

    A value the format cannot hold raises TypeError (a sitegen bug); a cache
    folder that cannot be written is left as it is (the cache only saves time).
    """
    with collector_paused():
        sections = encode_sections(caches, registry())
    temporary = where.path.with_name(f".{where.path.name}.{os.getpid()}.tmp")
    try:
        where.folder.mkdir(parents=True, exist_ok=True)
        with temporary.open("wb") as f:
            f.write(header_bytes(where.key))
            for section in sections:
                f.write(b"%d\n" % len(section))
                f.write(section)
        temporary.replace(where.path)
    except OSError:
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass
        return
    prune(where)


# --------------------------------------------------------------------------- sections

BULKY = ("load", "pages", "bodies")  # the maps written in shards, as `bulky` finds them


def bulky(caches: Caches) -> dict[str, dict]:
    """The maps that grow with the site: loaded records by file, page entries by output path, the
    conversions of the bodies feeds carry."""
    return {"load": caches.load.entries, "pages": caches.render.pages, "bodies": caches.render.bodies}


def section_names() -> list[tuple[str, int]]:
    """(map, shard) of each section after the first, in file order."""
    return [(name, shard) for name in BULKY for shard in range(SHARDS)]


def shard_of(key: str) -> int:
    return zlib.crc32(key.encode("utf-8", "surrogatepass")) % SHARDS


def encode_sections(caches: Caches, classes: dict[str, type]) -> list[bytes]:
    """The compressed sections of `caches`; a shard whose entries are the very objects it held
    when read or last written is not encoded again. `caches.sections` is updated."""
    maps = bulky(caches)
    rest = dataclasses.replace(caches, load=dataclasses.replace(caches.load, entries={}),
                               render=dataclasses.replace(caches.render, pages={}, bodies={}))
    sections = [gzip.compress(encode(rest, classes), COMPRESS_LEVEL, mtime=0)]
    parts: dict[tuple[str, int], dict] = {name: {} for name in section_names()}
    for name, entries in maps.items():
        for key, value in entries.items():
            parts[name, shard_of(key)][key] = value
    kept = {}
    for name, part in parts.items():
        known = caches.sections.get(name)
        if known is None or not same_entries(known[0], part):
            known = (part, gzip.compress(encode(part, classes), COMPRESS_LEVEL, mtime=0))
        kept[name] = known
        sections.append(known[1])
    caches.sections = kept
    return sections


def same_entries(old: dict, new: dict) -> bool:
    return old.keys() == new.keys() and all(value is old[key] for key, value in new.items())


def split_sections(body: bytes) -> list[bytes]:
    """The sections of a body: each is its size in ASCII digits, a newline, then that many bytes."""
    sections, at = [], 0
    while at < len(body):
        end = body.index(b"\n", at, at + 20)
        size = body[at:end]
        if not size.isdigit():
            raise Invalid("a section without its size")
        at = end + 1 + int(size)
        if at > len(body):
            raise Invalid("a section cut short")
        sections.append(body[end + 1:at])
    return sections


def prune(where: CacheFile) -> list[Path]:
    """Remove the cache files beside `where` that can no longer serve: an earlier format, damaged,
    or written for an output folder that no longer exists. Returns what was removed."""
    removed = []
    try:
        entries = list(where.folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        if path == where.path or path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix in OLD_SUFFIXES or path.suffix == SUFFIX and not still_useful(path):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed


def still_useful(path: Path) -> bool:
    """Is this cache file of the current format, for an output folder that still exists?"""
    try:
        with path.open("rb") as f:
            header = read_header(f)
    except Exception:  # noqa: BLE001 - unreadable or damaged: of no use
        return False
    output = header.get("output") if header else None
    return isinstance(output, str) and Path(output).is_dir()


@contextlib.contextmanager
def collector_paused():
    """Encoding and decoding make ~10^5 objects and no cycles: the cyclic garbage collector
    rescanning them (and the build's) would cost more than the work itself."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def forget(cache: RenderCache) -> None:
    """After an aborted write the cache no longer describes the output: start over."""
    cache.pages.clear()
    cache.copies.clear()
    cache.images.clear()


# --------------------------------------------------------------------------- the codec

def registry() -> dict[str, type]:
    """The classes a cache may hold: every dataclass defined at the top of a loaded sitegen module,
    by "module:QualName". Nothing is imported here for a name read from a file."""
    from . import pipeline  # noqa: F401 - loads the modules whose records a build caches
    found = {}
    for name, module in list(sys.modules.items()):
        if name != PACKAGE and not name.startswith(PACKAGE + "."):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and dataclasses.is_dataclass(value) and value.__module__ == name:
                found[f"{name}:{value.__qualname__}"] = value
    return found


@dataclasses.dataclass(frozen=True)
class Plan:
    """How one dataclass is written and built again."""

    cls: type
    stored: tuple[str, ...]  # the fields written, in order
    positional: bool  # can `cls(*values)` build it (the stored fields are the first init fields)?
    plain: bool  # can it be filled in without its __init__ (every field stored, nothing computed, no slots)?


def plan_for(cls: type) -> Plan:
    """The fields of `cls` a cache stores: those set by __init__ and not marked persist False.
    Every field left out must have a default, or the class could not be built again."""
    fields = dataclasses.fields(cls)
    init = [f for f in fields if f.init]
    stored = tuple(f.name for f in init if f.metadata.get("persist", True))
    for f in init:
        if f.name not in stored and f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise TypeError(f"{cls.__module__}.{cls.__qualname__}.{f.name} is not persisted but has no default")
    positional = stored == tuple(f.name for f in init[:len(stored)]) and not any(f.kw_only for f in init)
    plain = (len(stored) == len(fields) == len(cls.__dataclass_fields__) and cls.__dataclass_params__.init
             and not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__"))
    return Plan(cls, stored, positional, plain)


ATOMS = frozenset({str, int, float, bool, type(None)})
PATH_TYPE = type(Path())
TAG = "$"  # the first character of every tag; a dict with a key starting with it is written as pairs


def encode(value, classes: dict[str, type]) -> bytes:
    """`value` as the body of a cache file (before compression): two JSON lines, the type table
    [["module:QualName", [stored field names]], ...] and the value in the tagged encoding:

    - str, int, float, bool, None: themselves; a list: a JSON array;
    - a dict whose keys are all str, none starting with "$": a JSON object;
    - every other value: a JSON object of one item whose key, starting with "$", says what it is:
      {"$t": [...]} tuple, {"$s": [...]} set, {"$f": [...]} frozenset, {"$d": [key, value, ...]} other dict,
      {"$D": "2021-08-17"} datetime.date, {"$P": "a/b"} pathlib.Path,
      {"$3": [...]} a dataclass of type 3 in the type table, with its stored fields,
      {"$r": 5} the dataclass instance numbered 5, written once and shared, as it was in memory
      (instances are numbered in the order they are completed, which is the order a JSON parser
      finishes their objects).

    A value of any other type raises TypeError.
    """
    names = {cls: name for name, cls in classes.items()}
    types: dict[type, tuple] = {}  # dataclass -> (its tag, a getter of its stored fields)
    table: list[list] = []
    seen: dict[int, int] = {}  # id(dataclass instance) -> its number
    alive: list = []  # the instances numbered, so that no id is reused while encoding
    atoms = ATOMS

    def enc(value):
        t = type(value)
        if t is tuple:
            return {"$t": [v if type(v) in atoms else enc(v) for v in value]}
        known = types.get(t)
        if known is not None:
            number = seen.get(id(value))
            if number is not None:
                return {"$r": number}
            tag, fields = known
            encoded = {tag: [v if type(v) in atoms else enc(v) for v in fields(value)]}
            seen[id(value)] = len(alive)
            alive.append(value)
            return encoded
        if t is list:
            return [v if type(v) in atoms else enc(v) for v in value]
        if t is dict:
            if all(type(k) is str and k[:1] != TAG for k in value):
                return {k: v if type(v) in atoms else enc(v) for k, v in value.items()}
            return {"$d": [enc(x) for item in value.items() for x in item]}
        if t in atoms:
            return value
        if t is set or t is frozenset:
            return {"$s" if t is set else "$f": [enc(v) for v in value]}
        if t is dt.date:
            return {"$D": value.isoformat()}
        if t is PATH_TYPE:
            return {"$P": str(value)}
        if dataclasses.is_dataclass(t) and not isinstance(value, type):
            new_type(t)
            return enc(value)
        raise TypeError(f"the build cache cannot hold a {t.__module__}.{t.__qualname__}: only built-in values, "
                        f"dates, paths and {PACKAGE}'s own dataclasses")

    def new_type(t: type) -> None:
        name = names.get(t)
        if name is None:
            raise TypeError(f"the build cache cannot hold a {t.__module__}.{t.__qualname__}: "
                            f"not a dataclass defined at the top of a {PACKAGE} module")
        stored = plan_for(t).stored
        if len(stored) > 1:
            fields = operator.attrgetter(*stored)
        elif stored:
            fields = functools.partial(lambda get, obj: (get(obj),), operator.attrgetter(stored[0]))
        else:
            fields = lambda obj: ()
        types[t] = (f"{TAG}{len(table)}", fields)
        table.append([name, list(stored)])

    encoded = enc(value)
    return b"\n".join(json.dumps(part, separators=(",", ":"), check_circular=False).encode("ascii")
                      for part in (table, encoded))


class Invalid(ValueError):
    """The data is not a cache this sitegen wrote."""


def decode(body: bytes, classes: dict[str, type]):
    """The value `encode` was given, from its body; Invalid (or another ValueError, TypeError...) for
    anything else. Only the types of `classes` and built-in ones are constructed."""
    table, _, text = body.partition(b"\n")
    instances: list = []
    of_list = {"$t": tuple, "$s": set, "$f": frozenset, "$d": pairs}  # tags whose value is a JSON array
    for n, entry in enumerate(json.loads(table)):
        if type(entry) is not list or len(entry) != 2 or type(entry[0]) is not str:
            raise Invalid("a type entry is not [name, fields]")
        cls = classes.get(entry[0])
        if cls is None:
            raise Invalid(f"unknown type {entry[0]!r}")
        plan = plan_for(cls)
        if entry[1] != list(plan.stored):
            raise Invalid(f"{entry[0]} has other fields")
        of_list[f"{TAG}{n}"] = constructor(plan, instances.append)

    def reference(number):
        if type(number) is not int or not 0 <= number < len(instances):
            raise Invalid("a reference to no instance")
        return instances[number]

    others = {"$D": dt.date.fromisoformat, "$P": Path, "$r": reference}  # each refuses a value of another type

    def tagged(items: list[tuple]):
        if len(items) == 1:
            key, value = items[0]
            handler = of_list.get(key)
            if handler is not None:
                if type(value) is not list:
                    raise Invalid(f"{key} of a {type(value).__name__}")
                return handler(value)
            handler = others.get(key)
            if handler is not None:
                return handler(value)
            if key[:1] == TAG:
                raise Invalid(f"unknown tag {key!r}")
        return dict(items)

    return json.loads(text.decode("ascii"), object_pairs_hook=tagged)


def constructor(plan: Plan, keep):
    """Builds one dataclass from its stored fields and numbers it (by `keep`) for later references.

    A plain dataclass (every field stored, no __post_init__, no slots) is filled in directly, as
    pickle would, which is twice as fast as its __init__; any other is built by its __init__.
    """
    cls, stored, count = plan.cls, plan.stored, len(plan.stored)
    if plan.plain:
        new = object.__new__

        def build(values: list):
            if len(values) != count:
                raise Invalid(f"{cls.__qualname__} of another shape")
            obj = new(cls)
            obj.__dict__.update(zip(stored, values))
            keep(obj)
            return obj
    else:
        def build(values: list):
            if len(values) != count:
                raise Invalid(f"{cls.__qualname__} of another shape")
            obj = cls(*values) if plan.positional else cls(**dict(zip(stored, values)))
            keep(obj)
            return obj
    return build


def pairs(items: list) -> dict:
    if len(items) % 2:
        raise Invalid("a dict with an odd number of items")
    return {items[i]: items[i + 1] for i in range(0, len(items), 2)}
