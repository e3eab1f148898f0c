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
    """`digest(value)`: 16 bytes that change exactly when the value does."""

    def __init__(self, previous: "Digester | None" = None):
        self.memo: dict[int, tuple[object, bytes]] = {}  # id(value) -> (value, digest)
        self.old = previous.memo if previous is not None else {}
        self.fields: dict[type, tuple[str, ...]] = {} if previous is None else previous.fields

    def hexdigest(self, value) -> str:
        return self.digest(value).hex()

    def digest(self, value) -> bytes:
        return hashlib.blake2b(self.encode(value), digest_size=DIGEST_SIZE).digest()

    def encode(self, value) -> bytes:
        """The canonical bytes of `value`; containers hold their items' digests or inline scalars."""
        kind = type(value)
        if value is None:
            return b"N"
        if kind is bool:
            return b"T" if value else b"F"
        if isinstance(value, str):  # str and jinja2's Markup alike: the text is what a page shows
            data = value.encode("utf-8", "surrogatepass")
            return b"s%d:" % len(data) + data
        if kind is int:
            return b"i%d;" % value
        if kind is float:
            if math.isnan(value):
                return b"fnan;"
            return b"f" + value.hex().encode() + b";"
        if kind is dt.date:
            return b"d" + value.isoformat().encode() + b";"
        if kind is tuple or dataclasses.is_dataclass(value) and not isinstance(value, type):
            return b"h" + self._memoised(value) + b";"
        if kind is list:
            return self._sequence(b"l", value)
        if kind is dict:
            items = sorted((self.encode(k), self.encode(v)) for k, v in value.items())
            return b"m%d:" % len(items) + b"".join(k + v for k, v in items)
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
        known = self.memo.get(key)
        if known is not None and known[0] is value:
            return known[1]
        known = self.old.get(key)
        if known is None or known[0] is not value:
            if type(value) is tuple:
                data = self._sequence(b"u", value)
            else:
                data = self._dataclass(value)
            known = (value, hashlib.blake2b(data, digest_size=DIGEST_SIZE).digest())
        self.memo[key] = known
        return known[1]

    def _sequence(self, tag: bytes, items) -> bytes:
        return tag + b"%d:" % len(items) + b"".join(self.encode(item) for item in items)

    def _dataclass(self, value) -> bytes:
        kind = type(value)
        names = self.fields.get(kind)
        if names is None:
            names = self.fields[kind] = tuple(f.name for f in dataclasses.fields(kind)
                                              if f.metadata.get("digest", True))
        head = f"c{kind.__module__}.{kind.__qualname__}:".encode()
        return head + b"".join(self.encode(getattr(value, name)) for name in names)
