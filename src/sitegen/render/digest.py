"""Canonical digests of template contexts: the fingerprint of what a page is handed.

A page's fingerprint is the digest of the context its template receives, so
a page can only be stale if its context is unchanged, which by construction
means it would render the same bytes. The encoding is canonical: the same
values give the same digest in every process, whatever the hash seed (dict
keys and sets are sorted by their encoding; no `repr`, no `id`, no `hash`).
It knows a fixed set of types, and refuses anything else with a TypeError
that names the type, so a context can never hold a value whose digest says
less than the value does.

Frozen dataclasses and tuples are immutable, so their digests are memoised
by identity (the object is kept alive with its digest): a case study that
appears on a hundred pages is encoded once per build, and once per `serve`
session while the record stays the same object.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import math
from pathlib import PurePath

DIGEST_SIZE = 16


class Digester:
    """`digest(value)`: 16 bytes that change exactly when the value does.

    `previous`: the digester of the last build in this process, whose memo is
    reused for values still alive. `known`: (value, digest) pairs computed
    earlier, e.g. by the build stage when it loaded a record (a warm build then
    digests no unchanged record again).
    """

    def __init__(self, previous: "Digester | None" = None, known=()):
        self.memo: dict[int, tuple[object, bytes]] = {}  # id(value) -> (value, digest)
        self.old = dict(previous.memo) if previous is not None else {}
        self.old.update((id(value), (value, digest)) for value, digest in known)
        self.fields: dict[type, tuple[str, ...]] = {} if previous is None else previous.fields
        self.strings: dict[str, bytes] = {}
        self.tuples: dict[tuple, tuple[tuple, bytes]] = {}  # ids of the items -> (the items, digest)
        self.old_tuples = previous.tuples if previous is not None else {}

    def hexdigest(self, value) -> str:
        return self.digest(value).hex()

    def alone(self, value) -> str:
        """`hexdigest(value)`, remembering nothing of it: for values met once, such as records as
        they are loaded (a memo would only keep each of their parts alive)."""
        try:
            return self.hexdigest(value)
        finally:
            self.memo.clear()
            self.tuples.clear()

    def digest(self, value) -> bytes:
        return hashlib.blake2b(self.encode(value), digest_size=DIGEST_SIZE).digest()

    def derive(self, value, source, known: dict[str, str] | None = None, kept: dict[str, str] | None = None) -> None:
        """Digest `value`, made from `source` by code alone, at most once for each `source`.

        Without `known`, `value` shows all of `source` and gets its digest (the code that makes
        one from the other is in every key). With `known`, a map from a source's digest to
        the digest of what was made from it in an earlier build (the cache keeps it), `value`
        is digested itself the first time only; what this build used goes into `kept`.
        """
        if known is None:
            head = f"{type(value).__module__}.{type(value).__qualname__}:".encode()
            self.memo[id(value)] = (value, hashlib.blake2b(head + self.encode(source), digest_size=DIGEST_SIZE).digest())
            return
        key = self.hexdigest(source)
        made = known.get(key)
        digest = bytes.fromhex(made) if made else self.digest(value)
        self.memo[id(value)] = (value, digest)
        kept[key] = made or digest.hex()

    def encode(self, value) -> bytes:
        """The canonical bytes of `value`; containers hold their items' digests or inline scalars."""
        kind = type(value)
        if kind is str:
            known = self.strings.get(value)
            if known is None:
                data = value.encode("utf-8", "surrogatepass")
                known = b"s%d:" % len(data) + data
                if len(value) < 40:  # names of context entries, paths, slugs: met again and again
                    self.strings[value] = known
            return known
        known = self.memo.get(id(value))
        if known is not None and known[0] is value:
            return b"h" + known[1] + b";"
        if value is None:
            return b"N"
        if kind is bool:
            return b"T" if value else b"F"
        if kind is int:
            return b"i%d;" % value
        if kind is tuple or kind in self.fields or dataclasses.is_dataclass(value) and not isinstance(value, type):
            return b"h" + self._memoised(value) + b";"
        if kind is list:
            return self._sequence(b"l", value)
        if kind is dict:
            if all(type(k) is str for k in value):  # a context: sorted by its names
                return b"m%d:" % len(value) + b"".join([self.encode(k) + self.encode(value[k]) for k in sorted(value)])
            items = sorted((self.encode(k), self.encode(v)) for k, v in value.items())
            return b"m%d:" % len(items) + b"".join(k + v for k, v in items)
        if isinstance(value, str):  # jinja2's Markup: the text is what a page shows
            return self.encode(str(value))
        if kind is float:
            return b"fnan;" if math.isnan(value) else b"f" + value.hex().encode() + b";"
        if kind is dt.date:
            return b"d" + value.isoformat().encode() + b";"
        if kind in (set, frozenset):
            items = sorted(self.encode(item) for item in value)
            return b"e%d:" % len(items) + b"".join(items)
        if isinstance(value, PurePath):
            return b"p" + self.encode(value.as_posix())
        if kind is dt.datetime:
            return b"t" + value.isoformat().encode() + b";"
        raise TypeError(f"a template context cannot hold a {kind.__module__}.{kind.__qualname__}: "
                        "add it to sitegen.render.digest or pass plainer values")

    def _memoised(self, value) -> bytes:
        key = id(value)
        known = self.old.get(key)
        if known is None or known[0] is not value:
            if type(value) is tuple:
                known = (value, self._tuple(value))
            else:
                known = (value, hashlib.blake2b(self._dataclass(value), digest_size=DIGEST_SIZE).digest())
        self.memo[key] = known
        return known[1]

    def _tuple(self, value: tuple) -> bytes:
        """A tuple's digest; a new tuple of the very objects of one digested before reuses its digest.

        Lists of cards are made anew for every page and build, of the same card objects: their
        elements' identities (kept alive with the digest, so never reused) stand for them.
        """
        key = tuple(map(id, value))
        known = self.tuples.get(key)
        if known is None:
            known = self.old_tuples.get(key)
            if known is None:
                known = (value, hashlib.blake2b(self._sequence(b"u", value), digest_size=DIGEST_SIZE).digest())
        self.tuples[key] = known
        return known[1]

    def _sequence(self, tag: bytes, items) -> bytes:
        return tag + b"%d:" % len(items) + b"".join([self.encode(item) for item in items])

    def _dataclass(self, value) -> bytes:
        kind = type(value)
        names = self.fields.get(kind)
        if names is None:
            names = self.fields[kind] = tuple(f.name for f in dataclasses.fields(kind)
                                              if f.metadata.get("digest", True))
        head = f"c{kind.__module__}.{kind.__qualname__}:".encode()
        return head + b"".join([self.encode(getattr(value, name)) for name in names])
