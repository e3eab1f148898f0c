"""Which files the site makes of each raster image: its widths, its formats, their paths.

Owns the image policy: the widths a page may choose among (`WIDTHS`, never
wider than the original: an image narrower than the widest gets its own
width as the last one), the formats (the original's, JPEG or PNG, for
`<img src>`, and WebP beside it; a WebP original is WebP only; an AVIF one
is published as JPEG, or PNG with transparency), the encoders' quality, and
each file's site path: the registry's image route with a name made of the
original's name, the width and the first characters of the original's
digest (`media/harbour-800.1a2b3c4d.webp`), so a changed photo gets new
addresses and an unchanged one keeps them build after build. Pure: the same
`Raster` always gives an equal `ProcessedImage`, and within a process the
same object (so an unchanged page keeps its fingerprint undigested).
"""

from __future__ import annotations

import posixpath
from functools import lru_cache

from slugify import slugify

from ..model.records import ProcessedImage, Raster, Variant

WIDTHS = (480, 800, 1200)  # CSS pixels x density a phone, a tablet and a desktop column want
QUALITY = {"jpeg": 82, "webp": 80, "png": 0}  # 0: lossless
HASH_CHARS = 8  # of the original's digest, in each file name


def widths_for(width: int, widths: tuple[int, ...] = WIDTHS) -> tuple[int, ...]:
    """The widths made of an image `width` pixels wide: those of `widths` it reaches, and its own when it is
    narrower than the widest (never wider than the original, each once, narrowest first)."""
    chosen = {w for w in widths if w <= width}
    if width < max(widths):
        chosen.add(width)
    return tuple(sorted(chosen))


def fallback_format(raster: Raster) -> str:
    """The format of `<img src>`: the original's when it is JPEG, PNG or WebP; else PNG with transparency, JPEG
    without."""
    if raster.format in ("jpeg", "png", "webp"):
        return raster.format
    return "png" if raster.alpha else "jpeg"


EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}


@lru_cache(maxsize=65536)  # pure; asked for every image on every build
def plan(raster: Raster, route: str, widths: tuple[int, ...] = WIDTHS) -> ProcessedImage:
    """The files made of `raster`; `route` is the registry's path scheme for them ("media/{slug}")."""
    fallback = fallback_format(raster)
    formats = (fallback,) if fallback == "webp" else (fallback, "webp")
    stem = slugify(posixpath.splitext(posixpath.basename(raster.rel))[0], max_length=60) or "image"
    variants = []
    for format in formats:
        for width in widths_for(raster.width, widths):
            height = max(1, round(raster.height * width / raster.width))
            name = f"{stem}-{width}.{raster.digest[:HASH_CHARS]}.{EXTENSIONS[format]}"
            variants.append(Variant(route.format(slug=name), width, height, format, QUALITY[format]))
    return ProcessedImage(raster.rel, raster.digest, raster.width, raster.height, fallback, tuple(variants))


def plan_all(rasters: tuple[Raster, ...], route: str) -> dict[str, ProcessedImage]:
    """rel -> its processed image, for every raster image of the content folder."""
    return {raster.rel: plan(raster, route) for raster in rasters}
