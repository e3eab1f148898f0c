"""Inline SVG world maps of the showcase's cities: the /map/ page, the home page, locator and country maps.

Owns the drawing of `sitegen.model.atlas` (Natural Earth country outlines in
the Equal Earth projection) as one `<svg>` element: the globe, every country
(those in `shaded` with an extra class) and each city as a link around a dot
whose size grows gently with its number of case studies. The SVG needs no
script, no tiles and no other host, and is styled only through classes:

    svg.map (.map--world | .map--focus, .map--full | .map--small | .map--locator)
    path.map-sphere                        the sea: the whole globe's outline
    g.map-land > path.map-country          every country
                 path.map-country--has     ... also on countries in `shaded`
    g.map-cities > a > circle.map-city     each city, a link with an accessible name

Map units: the whole world is 1000 units wide. Coordinates are rounded to
a grid that suits the view (a tenth of a unit for the full world map) and
written as integers of that grid, so the same input gives the same bytes in
every process. Outlines are relative path commands with points that round
to the same place dropped; a focus map keeps only the land near its view.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise
from typing import Literal

from markupsafe import Markup, escape

from ..model import atlas

WIDTH = 1000.0  # map units across the whole world's viewBox
MARGIN = 3.0  # map units between the globe and the edge of the world's viewBox

MIN_FOCUS_WIDTH = 120.0  # a focus map shows at least this much (about 45° of longitude near the equator)
FOCUS_ASPECT = (1.0, 2.0)  # narrowest and widest width:height of a focus map
FOCUS_PAD = 0.1  # share of the focus box's larger side added round it
MIN_FOCUS_PAD = 4.0  # map units
CLIP_MARGIN = 0.02  # share of a focus view's width that land is kept beyond its edges

Size = Literal["full", "small", "locator"]
# Per size: the grid is the view's width divided by `grain` (rounded to a power of ten), and a dot of
# one case study has radius 4 when the view is `dot_scale` units wide (so dots look the same on screen
# as on a full world map drawn that many pixels wide).
_GRAIN = {"full": 5000.0, "small": 1000.0, "locator": 100.0}
_DOT_SCALE = {"full": 1000.0, "small": 400.0, "locator": 160.0}
MAX_DOT_COUNT = 100  # dots stop growing at this many case studies

Box = tuple[float, float, float, float]  # (min_lon, min_lat, max_lon, max_lat) in degrees

# Characters XML 1.0 does not allow (C0 controls but tab and line breaks, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class CityMark:
    """A city on the map: where it is, what its dot says and where its link goes."""

    name: str
    country: str  # display name
    count: int  # case studies of the city
    href: str
    lat: float
    lon: float
    said: str = ""  # its accessible name in the page's language (`label` says it in English when empty)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lat) and math.isfinite(self.lon)
                and -90 <= self.lat <= 90 and -180 <= self.lon <= 180):
            raise ValueError(f"{self.name}: [{self.lat}, {self.lon}] is off the globe")
        if self.count < 0:
            raise ValueError(f"{self.name}: a count of case studies cannot be negative ({self.count})")

    @property
    def label(self) -> str:
        """Its accessible name: "Kashan, Iran: 2 case studies"."""
        if self.said:
            return self.said
        place = f"{self.name}, {self.country}" if self.country else self.name
        return f"{place}: {self.count} case stud{'y' if self.count == 1 else 'ies'}"


@dataclass(frozen=True)
class _View:
    """The part of the map an SVG shows, on its grid of 10**-decimals map units."""

    x: int  # viewBox, in grid steps
    y: int
    width: int
    height: int
    decimals: int
    dot_unit: float  # map units per "pixel" of dot radius
    focused: bool


@dataclass(frozen=True)
class _Shape:
    """A country's outline in map units, with its bounding box."""

    code: str | None
    rings: tuple[tuple[tuple[float, float], ...], ...]
    box: tuple[float, float, float, float]  # min_x, min_y, max_x, max_y


# ---------------------------------------------------------------- public


def world_map(
    cities: Iterable[CityMark],
    shaded: Collection[str],
    *,
    label: str,
    focus: Box | None = None,
    size: Size = "full",
) -> Markup:
    """One `<svg>` map: the world, or the `focus` box of it, with a link for each city.

    `shaded` holds alpha-2 codes of the countries to mark. `label` is the map's
    accessible name. `focus` is (min_lon, min_lat, max_lon, max_lat); a focus
    map is padded, at least MIN_FOCUS_WIDTH units wide, kept within the world
    and shows only the cities inside it. `size="small"` draws coarser outlines
    and larger dots for maps shown a few hundred pixels wide.
    """
    return map_record(cities, shaded, label=label, focus=focus, size=size).__html__()


@dataclass(frozen=True)
class WorldMap:
    """A map as a page's context holds it: what `world_map` draws it from (cities sorted as `world_map`
    sorts them, shaded countries in capitals), cheap to digest on every build; the SVG is drawn only when
    the page renders (`__html__`, which Jinja calls), once per process for the same map."""

    cities: tuple[CityMark, ...]
    shaded: frozenset[str]
    label: str
    focus: Box | None = None
    size: Size = "full"

    def __html__(self) -> Markup:
        return _drawn(self.cities, self.shaded, self.label, self.focus, self.size)


def map_record(cities: Iterable[CityMark], shaded: Collection[str], *, label: str, focus: Box | None = None,
               size: Size = "full") -> WorldMap:
    """The map `world_map` draws, as a `WorldMap` (its arguments checked and put in order now, drawn when shown)."""
    if size not in _GRAIN:
        raise ValueError(f"size must be 'full', 'small' or 'locator', not {size!r}")
    return WorldMap(tuple(sorted(cities, key=_city_order)), frozenset(code.upper() for code in shaded), label,
                    focus, size)


@dataclass(frozen=True)
class Locator:
    """A case study's locator map as its page's context holds it: a few fields, cheap to digest
    on every build; the SVG is drawn only when the page renders (`__html__`, which Jinja calls)."""

    city: CityMark
    code: str  # alpha-2 of the country to show
    label: str

    def __html__(self) -> str:
        return locator_map(self.city, self.code, label=self.label)


def locator_map(city: CityMark, code: str, *, label: str) -> Markup:
    """A small map of the country `code` (alpha-2, shaded) with `city` on it, for a case study's page.

    The map shows the country's largest piece of land (its mainland) and the
    city, wherever it lies. The land of a view is drawn once per process and
    only the dot for each page, so ten thousand case studies in a few hundred
    countries and cities cost a few hundred drawings.
    """
    code = code.upper()
    view = _view(_locator_focus(code, city.lon, city.lat), "locator")
    return Markup("\n".join((_svg_open(view, label, "locator"), _land(frozenset((code,)), view),
                             '<g class="map-cities">', _city(city, view), "</g>", "</svg>")))


# A map is drawn when a page showing it renders, some 4 ms apiece; the same map (a page rendered again for
# another reason, a serve session's next build) is drawn once per process.
@lru_cache(maxsize=1024)
def _drawn(marks: tuple[CityMark, ...], codes: frozenset[str], label: str, focus: Box | None, size: Size) -> Markup:
    view = _view(focus, size)
    if view.focused:
        marks = [c for c in marks if _in_view(view, _place(c.lon, c.lat))]
    lines = [_svg_open(view, label, size), _land(codes, view), '<g class="map-cities">']
    lines.extend(_city(city, view) for city in marks)
    lines.append("</g>")
    lines.append("</svg>")
    return Markup("\n".join(lines))


@lru_cache(maxsize=1024)
def _land(codes: frozenset[str], view: _View) -> str:
    """The sea and every country in `view`, the countries of `codes` shaded."""
    shapes = _world_shapes()
    lines = [_path("map-sphere", _path_data([_globe()], view)), '<g class="map-land" fill-rule="evenodd">']
    for has in (False, True):  # shaded countries last, so their borders are drawn on top
        for shape in shapes:
            if (shape.code in codes) != has:
                continue
            data = _path_data(shape.rings, view, shape.box)
            if data:
                lines.append(_path("map-country map-country--has" if has else "map-country", data))
    lines.append("</g>")
    return "\n".join(lines)


def _locator_focus(code: str, lon: float, lat: float) -> Box:
    """The country's mainland box grown to take in (lon, lat); the point alone for a country the
    atlas does not draw (a small island state)."""
    mainland = _mainland_box(code)
    if mainland is None:
        return (lon, lat, lon, lat)
    min_lon, min_lat, max_lon, max_lat = mainland
    return (min(min_lon, lon), min(min_lat, lat), max(max_lon, lon), max(max_lat, lat))


@cache
def _mainland_box(code: str) -> Box | None:
    """(min_lon, min_lat, max_lon, max_lat) of the country's largest ring (by the area of its box)."""
    outline = atlas.outline_by_code(code)
    if outline is None or not outline.rings:
        return None
    boxes = []
    for ring in outline.rings:
        lons, lats = [lon for lon, _ in ring], [lat for _, lat in ring]
        boxes.append((min(lons), min(lats), max(lons), max(lats)))
    return max(boxes, key=lambda b: ((b[2] - b[0]) * (b[3] - b[1]), b))


def focus_box(cities: Iterable[CityMark]) -> Box | None:
    """The (min_lon, min_lat, max_lon, max_lat) box round some cities, for `world_map(focus=...)`; None if none."""
    points = [(c.lon, c.lat) for c in cities]
    if not points:
        return None
    lons, lats = zip(*points)
    return (min(lons), min(lats), max(lons), max(lats))


def world_view_box() -> tuple[float, float, float, float]:
    """(x, y, width, height) of the whole world's viewBox; every focus map's viewBox lies inside it."""
    return (0.0, 0.0, WIDTH, _height())


# ---------------------------------------------------------------- geometry in map units


@cache
def _scale() -> float:
    half_width = atlas.globe_bounds()[2]
    return (WIDTH - 2 * MARGIN) / (2 * half_width)


@cache
def _height() -> float:
    """The world's height in map units, rounded to a tenth so every grid holds it exactly."""
    return round(2 * atlas.globe_bounds()[3] * _scale() + 2 * MARGIN, 1)


def _place(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in degrees -> (x, y) in map units, y downwards, the globe centred in the world's viewBox."""
    x, y = atlas.equal_earth(lon, lat)
    scale = _scale()
    return (WIDTH / 2 + x * scale, _height() / 2 - y * scale)


@cache
def _world_shapes() -> tuple[_Shape, ...]:
    """Every country outline projected to map units (projected once per process)."""
    shapes = []
    for outline in atlas.country_outlines():
        rings = tuple(tuple(_place(lon, lat) for lon, lat in ring) for ring in outline.rings)
        if not rings:
            continue
        xs = [x for ring in rings for x, _ in ring]
        ys = [y for ring in rings for _, y in ring]
        shapes.append(_Shape(outline.code, rings, (min(xs), min(ys), max(xs), max(ys))))
    return tuple(shapes)


@cache
def _globe() -> tuple[tuple[float, float], ...]:
    return tuple(_place(lon, lat) for lon, lat in atlas.globe_ring(2.0))


# ---------------------------------------------------------------- the view


@lru_cache(maxsize=4096)  # pure, and asked again for every page of a country with a locator map
def _view(focus: Box | None, size: Size) -> _View:
    height = _height()
    if focus is None:
        box = (0.0, 0.0, WIDTH, height)
    else:
        box = _focus_rectangle(focus)
    width = box[2] - box[0]
    decimals = max(0, min(3, math.ceil(math.log10(_GRAIN[size] / width) - 1e-9)))
    grid = 10**decimals
    # Round inwards, so a view never reaches past the world's.
    x0 = max(0, math.ceil(box[0] * grid - 1e-6))
    y0 = max(0, math.ceil(box[1] * grid - 1e-6))
    x1 = min(round(WIDTH * grid), math.floor(box[2] * grid + 1e-6))
    y1 = min(round(height * grid), math.floor(box[3] * grid + 1e-6))
    return _View(x0, y0, max(1, x1 - x0), max(1, y1 - y0), decimals,
                 dot_unit=width / _DOT_SCALE[size], focused=focus is not None)


def _focus_rectangle(focus: Box) -> tuple[float, float, float, float]:
    """The part of the world, in map units, that shows a (min_lon, min_lat, max_lon, max_lat) box well."""
    if len(focus) != 4 or not all(math.isfinite(v) for v in focus):
        raise ValueError(f"focus must be four finite numbers (min_lon, min_lat, max_lon, max_lat), not {focus!r}")
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in focus)
    min_lon, max_lon = (_clamp(v, -180.0, 180.0) for v in (min_lon, max_lon))
    min_lat, max_lat = sorted(_clamp(v, -90.0, 90.0) for v in (min_lat, max_lat))
    if min_lon > max_lon:  # a box across the antimeridian: the map cannot show it in one piece
        min_lon, max_lon = -180.0, 180.0
    steps = 8
    edge = [(min_lon + (max_lon - min_lon) * i / steps, lat) for i in range(steps + 1) for lat in (min_lat, max_lat)]
    edge += [(lon, min_lat + (max_lat - min_lat) * i / steps) for i in range(steps + 1) for lon in (min_lon, max_lon)]
    points = [_place(lon, lat) for lon, lat in edge]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    pad = max(FOCUS_PAD * max(max(xs) - min(xs), max(ys) - min(ys)), MIN_FOCUS_PAD)
    left, right, top, bottom = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    width = max(right - left, MIN_FOCUS_WIDTH)
    height = max(bottom - top, width / FOCUS_ASPECT[1])
    width = max(width, height * FOCUS_ASPECT[0])
    world_height = _height()
    width, height = min(width, WIDTH), min(height, world_height)
    x = _clamp((left + right - width) / 2, 0.0, WIDTH - width)
    y = _clamp((top + bottom - height) / 2, 0.0, world_height - height)
    return (x, y, x + width, y + height)


def _clamp(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _in_view(view: _View, point: tuple[float, float]) -> bool:
    grid = 10**view.decimals
    x, y = point[0] * grid, point[1] * grid
    return view.x <= x <= view.x + view.width and view.y <= y <= view.y + view.height


# ---------------------------------------------------------------- path data


def _path_data(rings: Sequence[Sequence[tuple[float, float]]], view: _View,
               box: tuple[float, float, float, float] | None = None) -> str:
    """Relative path commands for rings on the view's grid ("" when nothing of them shows)."""
    grid = 10**view.decimals
    if view.focused:
        keep = _clip_window(view)
        if box is not None and not _overlaps(box, keep):
            return ""
        if box is None or not _within(box, keep):  # a shape wholly in the window is kept as it is
            rings = [_clip_to_window(ring, keep) for ring in rings]
    parts = []
    start = (0, 0)
    for ring in rings:
        points = _on_grid(ring, grid)
        if len(points) < 3:
            continue
        numbers = [points[0][0] - start[0], points[0][1] - start[1]]
        for (ax, ay), (bx, by) in pairwise(points):
            numbers += (bx - ax, by - ay)
        parts.append("m" + _join(numbers, view.decimals) + "z")
        start = points[0]
    return "".join(parts)


def _on_grid(ring: Sequence[tuple[float, float]], grid: int) -> list[tuple[int, int]]:
    """A ring's points as integers of the grid, without repeats in a row and without the closing point."""
    points: list[tuple[int, int]] = []
    for x, y in ring:
        point = (round(x * grid), round(y * grid))
        if not points or point != points[-1]:
            points.append(point)
    while len(points) > 1 and points[-1] == points[0]:
        points.pop()
    return points


def _join(numbers: Sequence[int], decimals: int) -> str:
    """Grid integers as path numbers, with a space only where the next number could not start on its own."""
    text = []
    previous = ""
    for number in numbers:
        word = _number(number, decimals)
        if previous and not (word[0] == "-" or (word[0] == "." and "." in previous)):
            text.append(" ")
        text.append(word)
        previous = word
    return "".join(text)


@lru_cache(maxsize=1 << 16)  # pure; a map writes some 2,000 numbers, mostly the same small steps
def _number(number: int, decimals: int) -> str:
    """A grid integer as the shortest decimal: (-5, 1) -> "-.5", (120, 1) -> "12", (12345, 2) -> "123.45"."""
    whole, part = divmod(abs(number), 10**decimals)
    fraction = str(part).rjust(decimals, "0").rstrip("0") if decimals else ""
    sign = "-" if number < 0 else ""
    if not fraction:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{fraction}"


def _clip_window(view: _View) -> tuple[float, float, float, float]:
    """The view in map units, widened a little so clipped edges fall outside it."""
    grid = 10**view.decimals
    margin = CLIP_MARGIN * view.width / grid
    return (view.x / grid - margin, view.y / grid - margin,
            (view.x + view.width) / grid + margin, (view.y + view.height) / grid + margin)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _within(inner: tuple[float, float, float, float], outer: tuple[float, float, float, float]) -> bool:
    return outer[0] <= inner[0] and inner[2] <= outer[2] and outer[1] <= inner[1] and inner[3] <= outer[3]


def _clip_to_window(ring: Sequence[tuple[float, float]],
                    window: tuple[float, float, float, float]) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a ring inside a rectangle (edges along it lie outside the view)."""
    points = list(ring)
    for axis, limit, keep_below in ((0, window[0], False), (0, window[2], True),
                                    (1, window[1], False), (1, window[3], True)):
        if not points:
            break
        points = _clip_half(points, axis, limit, keep_below)
    return points


def _clip_half(points: list[tuple[float, float]], axis: int, limit: float,
               keep_below: bool) -> list[tuple[float, float]]:
    def inside(point: tuple[float, float]) -> bool:
        return point[axis] <= limit if keep_below else point[axis] >= limit

    def crossing(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
        share = (limit - a[axis]) / (b[axis] - a[axis])
        other = 1 - axis
        value = a[other] + share * (b[other] - a[other])
        return (limit, value) if axis == 0 else (value, limit)

    kept = []
    previous = points[-1]
    for current in points:
        if inside(current):
            if not inside(previous):
                kept.append(crossing(previous, current))
            kept.append(current)
        elif inside(previous):
            kept.append(crossing(previous, current))
        previous = current
    return kept


# ---------------------------------------------------------------- markup


def _svg_open(view: _View, label: str, size: Size) -> str:
    box = " ".join(_number(v, view.decimals) for v in (view.x, view.y, view.width, view.height))
    kind = "map--focus" if view.focused else "map--world"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="map {kind} map--{size}" viewBox="{box}"'
            f' role="group" aria-label="{_text(label)}">')


def _text(value: str) -> Markup:
    """Text escaped for an attribute or an element, without the characters XML cannot hold."""
    return escape(_NOT_XML.sub("", value))


def _path(css_class: str, data: str) -> str:
    return f'<path class="{css_class}" vector-effect="non-scaling-stroke" d="{data}"/>'


def _city_order(city: CityMark) -> tuple:
    return (city.name.casefold(), city.name, city.country.casefold(), city.country,
            city.href, city.lat, city.lon, city.count)


def _dot_radius(count: int, unit: float) -> float:
    """Radius in map units: 4 "pixels" for one case study, growing with the square root of the count."""
    return unit * (2.5 + 1.5 * math.sqrt(min(max(count, 1), MAX_DOT_COUNT)))


def _city(city: CityMark, view: _View) -> str:
    grid = 10**view.decimals
    x, y = _place(city.lon, city.lat)
    radius = max(1, round(_dot_radius(city.count, view.dot_unit) * grid))
    text = _text(city.label)
    return (f'<a href="{_text(city.href)}" aria-label="{text}"><title>{text}</title>'
            f'<circle class="map-city" cx="{_number(round(x * grid), view.decimals)}"'
            f' cy="{_number(round(y * grid), view.decimals)}" r="{_number(radius, view.decimals)}"/></a>')
