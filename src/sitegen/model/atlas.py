"""The world's countries as geography: outlines in longitude and latitude, and the Equal Earth projection.

Owns the reading of the vendored Natural Earth 1:110m country shapes
(data/countries-110m.json, TopoJSON from the npm package world-atlas 2.0.2;
see data/world-atlas-LICENSE.txt), their decoding into `CountryOutline`
records keyed by ISO 3166-1 alpha-2 code, the cutting of rings that cross the
antimeridian (Fiji, Russia's Chukotka) or go round a pole (Antarctica) so
that every ring lies within longitude -180..180, and the Equal Earth
projection (Šavrič, Patterson and Jenny, 2018). Drawing is left to
`sitegen.render.worldmap`.

Rings are tuples of (longitude, latitude) points in degrees, closed (the
last point repeats the first). A country's rings are its outer boundaries
and its holes together, to be filled with the even-odd rule. Edges are
straight in longitude and latitude, and those that run along the
antimeridian are split into steps of at most one degree so that they follow
the curved edge of the projected globe.

The decoded atlas is read once, on first use, and is read-only.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise

import pycountry

Point = tuple[float, float]
Ring = tuple[Point, ...]

ATLAS_FILE = "countries-110m.json"

# Equal Earth (Šavrič, Patterson, Jenny 2018), forward formulas on the unit sphere.
A1 = 1.340264
A2 = -0.081106
A3 = 0.000893
A4 = 0.003796
M = math.sqrt(3) / 2

SEAM_STEP = 1.0  # degrees of latitude between points along a cut at the antimeridian


@dataclass(frozen=True)
class CountryOutline:
    """One country's land as Natural Earth draws it at 1:110m."""

    code: str | None  # ISO 3166-1 alpha-2, or None (N. Cyprus, Somaliland, Kosovo have no ISO numeric id)
    name: str  # Natural Earth's short name ("Iran", "N. Cyprus")
    rings: tuple[Ring, ...]  # outer boundaries and holes, lon/lat degrees, even-odd fill


# ---------------------------------------------------------------- projection


def equal_earth(lon: float, lat: float) -> Point:
    """Project (longitude, latitude) in degrees to Equal Earth (x, y) on the unit sphere; y grows northwards."""
    lam = math.radians(lon)
    theta = math.asin(M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return (x, y)


def globe_bounds() -> tuple[float, float, float, float]:
    """(min_x, min_y, max_x, max_y) of the whole projected globe: (±180, 0) and the poles are its extremes."""
    half_width = equal_earth(180.0, 0.0)[0]
    half_height = equal_earth(0.0, 90.0)[1]
    return (-half_width, -half_height, half_width, half_height)


def globe_ring(step: float = SEAM_STEP) -> Ring:
    """The edge of the globe in lon/lat: down the meridian 180°E, along the South Pole, up 180°W, along the North Pole."""
    count = max(1, math.ceil(180.0 / step))
    down = [(180.0, 90.0 - 180.0 * i / count) for i in range(count + 1)]
    up = [(-180.0, -90.0 + 180.0 * i / count) for i in range(count + 1)]
    return tuple(down + up + [down[0]])


# ---------------------------------------------------------------- the packaged atlas


@cache
def country_outlines() -> tuple[CountryOutline, ...]:
    """Every country of the packaged atlas, in the file's order (read and decoded once)."""
    resource = files("sitegen.model") / "data" / ATLAS_FILE
    return decode_topology(json.loads(resource.read_text(encoding="utf-8")))


def outline_by_code(code: str) -> CountryOutline | None:
    """The outline of the country with this alpha-2 code, or None when the atlas has no shape for it."""
    wanted = code.upper()
    return next((c for c in country_outlines() if c.code == wanted), None)


def alpha2_of(numeric: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code for an ISO numeric code ("364" -> "IR"), or None."""
    if not numeric:
        return None
    country = pycountry.countries.get(numeric=str(numeric).zfill(3))
    return country.alpha_2 if country is not None else None


# ---------------------------------------------------------------- TopoJSON


def decode_topology(topology: Mapping, object_name: str = "countries") -> tuple[CountryOutline, ...]:
    """The Polygon and MultiPolygon geometries of one TopoJSON object as outlines, cut at the antimeridian."""
    arcs = decode_arcs(topology["arcs"], topology.get("transform"))
    outlines = []
    for geometry in topology["objects"][object_name]["geometries"]:
        polygons = _polygons_of(geometry)
        if polygons is None:
            continue
        rings = tuple(
            piece
            for polygon in polygons
            for arc_indexes in polygon
            for piece in cut_at_antimeridian(join_arcs(arcs, arc_indexes))
        )
        identifier = geometry.get("id")
        name = (geometry.get("properties") or {}).get("name") or ""
        outlines.append(CountryOutline(code=alpha2_of(identifier), name=str(name), rings=rings))
    return tuple(outlines)


def _polygons_of(geometry: Mapping) -> list | None:
    """A geometry's polygons as lists of rings of arc indexes; None for types that hold no area."""
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["arcs"])
    return None


def decode_arcs(arcs: Sequence[Sequence[Sequence[float]]], transform: Mapping | None) -> tuple[tuple[Point, ...], ...]:
    """Absolute (lon, lat) points of every arc; quantized arcs are delta-encoded and scaled by `transform`."""
    if transform is None:
        return tuple(tuple((float(p[0]), float(p[1])) for p in arc) for arc in arcs)
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    decoded = []
    for arc in arcs:
        x = y = 0
        points = []
        for position in arc:
            x += position[0]
            y += position[1]
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        decoded.append(tuple(points))
    return tuple(decoded)


def join_arcs(arcs: Sequence[Sequence[Point]], indexes: Iterable[int]) -> Ring:
    """One ring from arc indexes: a negative index ~i is arc i reversed; arcs share their end points."""
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return tuple(points)


# ---------------------------------------------------------------- the antimeridian


def cut_at_antimeridian(ring: Ring) -> tuple[Ring, ...]:
    """A ring as pieces that each lie within longitude -180..180, with no edge jumping across the map.

    The ring is unwrapped (each step taken the short way round, so a step
    from 179°E to 179°W is two degrees east, not 358 west). A ring that then
    lies within -180..180 is kept whole. One that goes round
    the world (Antarctica) is started where it meets the antimeridian and
    closed along the pole it encloses. Whatever lies beyond ±180 is cut off
    and drawn again 360° to the other side.
    """
    if len(ring) < 4:
        return ()
    unwrapped = _unwrap(tuple((_snap(lon), lat) for lon, lat in ring))
    turn = unwrapped[-1][0] - unwrapped[0][0]
    if abs(turn) > 180:
        unwrapped = _round_the_pole(unwrapped, turn)
    else:
        unwrapped = (*unwrapped[:-1], unwrapped[0])
    low = min(lon for lon, _ in unwrapped)
    high = max(lon for lon, _ in unwrapped)
    if low >= -180 and high <= 180:
        return (_densify_seams(unwrapped),)
    pieces = []
    for turns in (-1, 0, 1):
        shift = 360.0 * turns
        if high + shift <= -180 or low + shift >= 180:
            continue
        shifted = [(lon + shift, lat) for lon, lat in unwrapped]
        clipped = _clip_longitude(_clip_longitude(shifted, 180.0, keep_below=True), -180.0, keep_below=False)
        if len(clipped) >= 3 and _area(clipped) > 1e-9:
            pieces.append(_densify_seams(tuple(clipped) + (clipped[0],)))
    return tuple(pieces)


def _snap(lon: float) -> float:
    """±180 exactly for a longitude that quantization left a hair away from it."""
    return math.copysign(180.0, lon) if abs(abs(lon) - 180.0) < 1e-9 else lon


def _wrap(step: float) -> float:
    """A difference of longitudes taken the short way round, in [-180, 180)."""
    return (step + 180.0) % 360.0 - 180.0


def _unwrap(ring: Ring) -> Ring:
    """The ring with longitudes made continuous: each step the short way round."""
    lon, lat = ring[0]
    points = [(lon, lat)]
    for (before, _), (after, after_lat) in pairwise(ring):
        lon += _wrap(after - before)
        points.append((lon, after_lat))
    return tuple(points)


def _round_the_pole(unwrapped: Ring, turn: float) -> Ring:
    """A ring that circles a pole, restarted where it meets the antimeridian and closed along that pole.

    The result runs from longitude -180 to 180 (or 180 to -180) and back along the pole, so its only
    straight edges that are not the coast lie on the edge of the projected globe.
    """
    open_ring = list(unwrapped[:-1])
    count = len(open_ring)
    for index in range(count):
        (lon_a, lat_a) = open_ring[index]
        (lon_b, lat_b) = unwrapped[index + 1]
        boundary = _antimeridian_between(lon_a, lon_b)
        if boundary is None:
            continue
        share = 0.0 if lon_a == lon_b else (boundary - lon_a) / (lon_b - lon_a)
        start = (boundary, lat_a + share * (lat_b - lat_a))
        middle = list(unwrapped[index + 1 :]) + [(lon + turn, lat) for lon, lat in open_ring[1 : index + 1]]
        end = (boundary + turn, start[1])
        shift = (-180.0 if turn > 0 else 180.0) - boundary
        pole = -90.0 if sum(lat for _, lat in open_ring) < 0 else 90.0
        points = [start, *middle, end, (end[0], pole), (start[0], pole), start]
        return tuple((lon + shift, lat) for lon, lat in points)
    return unwrapped  # not reached: a ring that turns 360° meets an odd multiple of 180° on the way


def _antimeridian_between(lon_a: float, lon_b: float) -> float | None:
    """An odd multiple of 180 lying between two unwrapped longitudes (inclusive), or None."""
    low, high = min(lon_a, lon_b), max(lon_a, lon_b)
    boundary = math.ceil((low - 180.0) / 360.0) * 360.0 + 180.0
    return boundary if boundary <= high else None


def _clip_longitude(points: Sequence[Point], limit: float, keep_below: bool) -> list[Point]:
    """Sutherland-Hodgman: the part of an open ring on one side of the meridian `limit`."""
    if not points:
        return []

    def inside(point: Point) -> bool:
        return point[0] <= limit if keep_below else point[0] >= limit

    kept: list[Point] = []
    previous = points[-1]
    for current in points:
        if inside(current):
            if not inside(previous):
                kept.append(_crossing(previous, current, limit))
            kept.append(current)
        elif inside(previous):
            kept.append(_crossing(previous, current, limit))
        previous = current
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    return kept


def _crossing(a: Point, b: Point, limit: float) -> Point:
    share = (limit - a[0]) / (b[0] - a[0])
    return (limit, a[1] + share * (b[1] - a[1]))


def _area(points: Sequence[Point]) -> float:
    """Unsigned shoelace area in square degrees."""
    twice = sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, [*points[1:], points[0]]))
    return abs(twice) / 2


def _densify_seams(ring: Ring) -> Ring:
    """Split edges that run along ±180° into steps of at most SEAM_STEP degrees of latitude."""
    points = [ring[0]]
    for (lon_a, lat_a), (lon_b, lat_b) in pairwise(ring):
        if abs(lon_a) == 180.0 and lon_a == lon_b and abs(lat_b - lat_a) > SEAM_STEP:
            steps = math.ceil(abs(lat_b - lat_a) / SEAM_STEP)
            points.extend((lon_a, lat_a + (lat_b - lat_a) * i / steps) for i in range(1, steps))
        points.append((lon_b, lat_b))
    return tuple(points)
