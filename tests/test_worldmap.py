"""The world map: Natural Earth outlines decoded, projected with Equal Earth and drawn as inline SVG.

sitegen.model.atlas decodes the vendored world-atlas TopoJSON into country
outlines keyed by alpha-2 code, cut at the antimeridian, and projects them
with Equal Earth; sitegen.render.worldmap draws them with one link per city.
Derandomized hypothesis properties check the projection (inside the globe,
monotonic along parallels and meridians, equal-area) and the SVG for any
list of cities (well-formed XML, one named link per city, the same bytes
whatever the order the cities come in, focus views inside the world's).
Examples check real places (Kashan in Iran, Kaohsiung by Taiwan), that
Fiji, Russia and Antarctica draw no line across the map, and the size of a
500-city world map.
"""

from __future__ import annotations

import gzip
import hashlib
import math
import os
import random
import re
import subprocess
import sys
from itertools import pairwise

import pycountry
import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from sitegen.model import atlas
from sitegen.render.digest import Digester
from sitegen.render.worldmap import CityMark, focus_box, locator_map, map_record, world_map, world_view_box

SVG = "{http://www.w3.org/2000/svg}"
PROPERTY = dict(derandomize=True, deadline=None, database=None)
KASHAN = CityMark("Kashan", "Iran", 2, "/case-studies/kashan/", 33.98, 51.43)
KAOHSIUNG = CityMark("Kaohsiung", "Taiwan", 1, "/case-studies/kaohsiung/", 22.63, 120.30)
NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")


# ---------------------------------------------------------------- helpers


def parse(svg: str):
    return ElementTree.fromstring(svg)


def view_box(root) -> tuple[float, ...]:
    return tuple(float(v) for v in root.get("viewBox").split())


def links(root) -> list:
    return root.findall(f".//{SVG}a")


def path_rings(data: str) -> list[list[tuple[float, float]]]:
    """The rings of a path written as worldmap writes them: `m` then relative pairs, `z` after each ring."""
    rings, start = [], (0.0, 0.0)
    for chunk in data.split("z"):
        if not chunk:
            continue
        assert chunk[0] == "m", chunk[:20]
        numbers = [float(n) for n in NUMBER.findall(chunk[1:])]
        assert len(numbers) % 2 == 0
        x, y = start[0] + numbers[0], start[1] + numbers[1]
        ring = [(x, y)]
        for dx, dy in zip(numbers[2::2], numbers[3::2]):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
        start = ring[0]
    return rings


def inside(rings, point) -> bool:
    """Even-odd point-in-polygon over all rings."""
    x, y = point
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in pairwise([*ring, ring[0]]):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def distance_to_rings(rings, point) -> float:
    px, py = point
    best = math.inf
    for ring in rings:
        for (x1, y1), (x2, y2) in pairwise([*ring, ring[0]]):
            dx, dy = x2 - x1, y2 - y1
            share = 0.0 if dx == dy == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)))
            best = min(best, math.hypot(px - (x1 + share * dx), py - (y1 + share * dy)))
    return best


def projected(outline: atlas.CountryOutline) -> list[list[tuple[float, float]]]:
    return [[atlas.equal_earth(lon, lat) for lon, lat in ring] for ring in outline.rings]


def globe_width() -> float:
    bounds = atlas.globe_bounds()
    return bounds[2] - bounds[0]


def sample_cities(count: int, seed: int = 7) -> list[CityMark]:
    """Realistic cities: ISO subdivision names, their country's name, slug-like links, points on the globe."""
    rng = random.Random(seed)
    subdivisions = rng.sample(sorted(pycountry.subdivisions, key=lambda s: s.code), count)
    cities = []
    for sub in subdivisions:
        country = pycountry.countries.get(alpha_2=sub.country_code)
        name = getattr(country, "common_name", None) or country.name
        slug = re.sub(r"[^a-z0-9]+", "-", f"{sub.name} {name}".lower()).strip("-")
        cities.append(CityMark(sub.name, name, rng.choice([1, 1, 1, 1, 2, 2, 3, 5, 12]), f"/case-studies/{slug}/",
                               round(rng.uniform(-55, 70), 4), round(rng.uniform(-179, 179), 4)))
    return cities


# ---------------------------------------------------------------- the projection


coordinates = st.tuples(st.floats(-180, 180), st.floats(-90, 90))


@settings(max_examples=300, **PROPERTY)
@given(coordinates)
def test_every_point_projects_inside_the_globe_outline(point):
    ring = [atlas.equal_earth(lon, lat) for lon, lat in atlas.globe_ring()]
    xs, ys = [x for x, _ in ring], [y for _, y in ring]
    assert (min(xs), min(ys), max(xs), max(ys)) == pytest.approx(atlas.globe_bounds())
    x, y = atlas.equal_earth(*point)
    assert min(xs) - 1e-12 <= x <= max(xs) + 1e-12
    assert min(ys) - 1e-12 <= y <= max(ys) + 1e-12


@settings(max_examples=300, **PROPERTY)
@given(st.floats(-90, 90), st.floats(-180, 180), st.floats(-180, 180))
def test_x_grows_with_longitude_along_a_parallel(lat, lon_a, lon_b):
    west, east = sorted((lon_a, lon_b))
    x_west, y_west = atlas.equal_earth(west, lat)
    x_east, y_east = atlas.equal_earth(east, lat)
    assert y_west == y_east  # parallels are straight
    assert x_west <= x_east
    if east - west > 1e-9:
        assert x_west < x_east


@settings(max_examples=300, **PROPERTY)
@given(st.floats(-180, 180), st.floats(-90, 90), st.floats(-90, 90))
def test_y_grows_with_latitude_along_a_meridian(lon, lat_a, lat_b):
    south, north = sorted((lat_a, lat_b))
    assert atlas.equal_earth(lon, south)[1] <= atlas.equal_earth(lon, north)[1]
    if north - south > 1e-9:
        assert atlas.equal_earth(lon, south)[1] < atlas.equal_earth(lon, north)[1]


@settings(max_examples=100, **PROPERTY)
@given(st.floats(-179, 179), st.floats(-85, 85))
def test_the_projection_is_equal_area(lon, lat):
    """On the unit sphere a cell of dλ·dφ has area cos φ·dλ·dφ; Equal Earth keeps it (y does not depend on λ)."""
    step = 1e-4
    dx = (atlas.equal_earth(lon + step, lat)[0] - atlas.equal_earth(lon - step, lat)[0]) / math.radians(2 * step)
    dy = (atlas.equal_earth(lon, lat + step)[1] - atlas.equal_earth(lon, lat - step)[1]) / math.radians(2 * step)
    assert dx * dy == pytest.approx(math.cos(math.radians(lat)), rel=1e-6)


def test_the_projection_is_symmetric_and_has_equal_earths_proportions():
    assert atlas.equal_earth(0, 0) == (0.0, 0.0)
    assert atlas.equal_earth(-40, -30) == pytest.approx(tuple(-v for v in atlas.equal_earth(40, 30)))
    min_x, min_y, max_x, max_y = atlas.globe_bounds()
    assert (max_x - min_x) / (max_y - min_y) == pytest.approx(2.05, abs=0.01)  # equator : central meridian
    assert max_x == pytest.approx(2.7066, abs=1e-4) and max_y == pytest.approx(1.3174, abs=1e-4)


# ---------------------------------------------------------------- the atlas


def test_every_feature_with_an_id_has_an_alpha2_code():
    outlines = atlas.country_outlines()
    assert len(outlines) == 177
    assert all(outline.rings for outline in outlines)
    assert sorted(o.name for o in outlines if o.code is None) == ["Kosovo", "N. Cyprus", "Somaliland"]
    codes = [o.code for o in outlines if o.code is not None]
    assert len(codes) == len(set(codes)) == 174
    assert all(pycountry.countries.get(alpha_2=code) for code in codes)
    assert atlas.outline_by_code("ir").name == "Iran"
    assert atlas.outline_by_code("SG") is None  # too small for 1:110m


def test_rings_are_closed_and_within_the_globe():
    for outline in atlas.country_outlines():
        for ring in outline.rings:
            assert len(ring) >= 4 and ring[0] == ring[-1], outline.name
            assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring), outline.name


def test_kashan_lies_in_iran():
    iran = atlas.outline_by_code("IR")
    assert inside(projected(iran), atlas.equal_earth(KASHAN.lon, KASHAN.lat))
    assert not inside(projected(atlas.outline_by_code("IQ")), atlas.equal_earth(KASHAN.lon, KASHAN.lat))


def test_kaohsiung_is_drawn_on_taiwan():
    """Taipei is inside 1:110m Taiwan; Kaohsiung's port is a hair outside its coarse coast, well under a dot."""
    taiwan = projected(atlas.outline_by_code("TW"))
    assert inside(taiwan, atlas.equal_earth(121.56, 25.03))
    point = atlas.equal_earth(KAOHSIUNG.lon, KAOHSIUNG.lat)
    assert inside(taiwan, point) or distance_to_rings(taiwan, point) < 0.002 * globe_width()
    svg = world_map([KAOHSIUNG], {"TW"}, label="Taiwan", focus=focus_box([KAOHSIUNG]))
    assert svg.count("map-country--has") == 1


@pytest.mark.parametrize("code", ["FJ", "RU"])
def test_no_stray_line_across_the_map_at_the_antimeridian(code):
    outline = atlas.outline_by_code(code)
    longest = max(math.dist(a, b) for ring in projected(outline) for a, b in pairwise(ring))
    assert longest < 0.03 * globe_width()
    # Both sides of the antimeridian are drawn.
    lons = [lon for ring in outline.rings for lon, _ in ring]
    assert min(lons) == -180 and max(lons) == 180


def test_fiji_is_drawn_without_a_streak_in_the_svg():
    fiji = [ring for line in world_map([], {"FJ"}, label="Fiji").splitlines()
            if "map-country--has" in line for ring in path_rings(re.search(r' d="([^"]+)"', line)[1])]
    assert len(fiji) == 3
    assert max(math.dist(a, b) for ring in fiji for a, b in pairwise([*ring, ring[0]])) < 30  # of 1000 units


def test_antarctica_reaches_the_pole_and_its_only_long_edge_is_the_pole_line():
    antarctica = atlas.outline_by_code("AQ")
    south = atlas.globe_bounds()[1]
    long_edges = [(a, b) for ring in projected(antarctica) for a, b in pairwise(ring)
                  if math.dist(a, b) > 0.03 * globe_width()]
    assert long_edges and all(a[1] == b[1] == pytest.approx(south) for a, b in long_edges)


def test_a_topology_is_decoded_with_its_transform_and_reversed_arcs():
    topology = {
        "type": "Topology",
        "transform": {"scale": [0.5, 0.25], "translate": [10, 20]},
        "arcs": [[[0, 0], [4, 0], [0, 4]], [[4, 4], [-4, 0], [0, -4]]],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "id": "364", "properties": {"name": "Square"}},
            {"type": "MultiPolygon", "arcs": [[[~1, ~0]]], "id": "999"},
            {"type": None},
        ]}},
    }
    square, backwards = atlas.decode_topology(topology)
    assert (square.code, square.name) == ("IR", "Square")
    assert square.rings == (((10, 20), (12, 20), (12, 21), (10, 21), (10, 20)),)
    assert (backwards.code, backwards.name) == (None, "")
    assert backwards.rings == (tuple(reversed(square.rings[0])),)


def test_a_ring_across_the_antimeridian_is_cut_into_two_pieces():
    ring = ((178.0, -10.0), (-178.0, -10.0), (-178.0, -12.0), (178.0, -12.0), (178.0, -10.0))
    pieces = atlas.cut_at_antimeridian(ring)
    assert len(pieces) == 2
    spans = sorted((min(p[0] for p in piece), max(p[0] for p in piece)) for piece in pieces)
    assert spans == [(-180, -178), (178, 180)]


# ---------------------------------------------------------------- the SVG


special = st.sampled_from(list("<>&\"'"))
unicode_text = st.text(st.one_of(special, st.characters(blacklist_categories=("Cs", "Cc"))), min_size=1, max_size=12)
cities_strategy = st.lists(
    st.builds(CityMark, name=unicode_text, country=unicode_text, count=st.integers(1, 40),
              href=unicode_text.map(lambda s: "/case-studies/" + s + "/"),
              lat=st.floats(-90, 90), lon=st.floats(-180, 180)),
    max_size=12,
)


@settings(max_examples=25, **PROPERTY)
@given(cities_strategy, st.randoms(use_true_random=False), st.sampled_from(["full", "small"]))
def test_any_cities_give_well_formed_svg_with_one_named_link_each(cities, rng, size):
    label = 'Learning cities <&"\'>'
    svg = world_map(cities, {"IR", "fj"}, label=label, size=size)
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.tag == f"{SVG}svg" and root.get("aria-label") == label
    assert root.get("role") == "group" and "style" not in svg and "<script" not in svg
    if size == "full":
        assert view_box(root) == world_view_box()
    else:
        assert view_box(root)[:3] == (0, 0, 1000)
    anchors = links(root)
    assert len(anchors) == len(cities)
    expected = sorted((c.label, c.href) for c in cities)
    assert sorted((a.get("aria-label"), a.get("href")) for a in anchors) == expected
    for anchor in anchors:
        assert anchor.find(f"{SVG}title").text == anchor.get("aria-label")
        circle = anchor.find(f"{SVG}circle")
        assert float(circle.get("r")) > 0
    assert len(root.findall(f".//{SVG}path[@class='map-country map-country--has']")) == 2
    shuffled = list(cities)
    rng.shuffle(shuffled)
    again = world_map(shuffled, frozenset({"FJ", "IR"}), label=label, size=size)
    assert again == svg  # byte for byte, whatever the order


focus_boxes = st.tuples(st.floats(-180, 180), st.floats(-90, 90), st.floats(-180, 180), st.floats(-90, 90))


@settings(max_examples=25, **PROPERTY)
@given(cities_strategy, st.randoms(use_true_random=False), st.sampled_from(["full", "small"]), st.booleans(),
       st.sets(st.sampled_from(["IR", "fj", "FJ", "br", "TW"])))
def test_a_map_record_shows_what_world_map_draws_and_digests_as_its_drawing_changes(cities, rng, size, focused,
                                                                                      shaded):
    """A page's context holds a map as the record it is drawn from (render/outputs.py): shown in a template,
    it is world_map's SVG; its digest (the page's fingerprint) is the same whatever the order of the cities
    and the case of the codes, and differs when the drawing does."""
    focus = focus_box(cities) if focused else None
    record = map_record(cities, shaded, label="Cities", focus=focus, size=size)
    drawn = world_map(cities, shaded, label="Cities", focus=focus, size=size)
    assert Markup(record) == drawn == str(Markup("{}").format(record))
    shuffled = list(cities)
    rng.shuffle(shuffled)
    again = map_record(shuffled, {code.swapcase() for code in shaded}, label="Cities", focus=focus, size=size)
    digest = Digester().digest
    assert digest(again) == digest(record)
    for other in (map_record(cities, shaded, label="Towns", focus=focus, size=size),
                  map_record([*cities, KASHAN], shaded, label="Cities", focus=focus_box([*cities, KASHAN]), size=size)):
        assert Markup(other) != drawn
        assert digest(other) != digest(record)


@settings(max_examples=40, **PROPERTY)
@given(focus_boxes, st.sampled_from(["full", "small"]))
def test_a_focus_view_lies_inside_the_worlds(box, size):
    cities = sample_cities(40)
    root = parse(world_map(cities, {"IR"}, label="Focus", focus=box, size=size))
    x, y, width, height = view_box(root)
    world = world_view_box()
    assert x >= 0 and y >= 0 and width > 0 and height > 0
    assert x + width <= world[2] + 1e-9 and y + height <= world[3] + 1e-9
    assert width >= min(110, world[2]) and height >= 55
    for anchor in links(root):
        circle = anchor.find(f"{SVG}circle")
        assert x <= float(circle.get("cx")) <= x + width and y <= float(circle.get("cy")) <= y + height


def test_a_map_focused_on_one_city_centres_on_it_and_keeps_its_country():
    svg = world_map([KASHAN], {"IR"}, label="Where Kashan is", focus=focus_box([KASHAN]), size="small")
    root = parse(svg)
    x, y, width, height = view_box(root)
    circle = links(root)[0].find(f"{SVG}circle")
    assert abs(float(circle.get("cx")) - (x + width / 2)) < 0.01 * width
    assert abs(float(circle.get("cy")) - (y + height / 2)) < 0.01 * height
    assert 120 <= width + 0.2 and width <= 2 * height + 0.2
    iran = root.find(f".//{SVG}path[@class='map-country map-country--has']")
    assert inside(path_rings(iran.get("d")), (float(circle.get("cx")), float(circle.get("cy"))))
    # Far-away land and cities are left out.
    assert len(root.findall(f".//{SVG}path")) < 40
    far = CityMark("Lima", "Peru", 1, "/lima/", -12.05, -77.04)
    assert "Lima" not in world_map([KASHAN, far], {"IR"}, label="x", focus=focus_box([KASHAN]))


ATLAS_CODES = sorted({outline.code for outline in atlas.country_outlines() if outline.code})


@settings(max_examples=150, **PROPERTY)
@given(st.sampled_from(ATLAS_CODES + ["SG", "MV"]), st.floats(-89, 89), st.floats(-179.9, 179.9))
def test_a_locator_map_shows_its_city_inside_the_world_whatever_the_country_and_place(code, lat, lon):
    """For any country (two the atlas does not draw among them) and any point, even one far from that
    country: one named link, its dot within the view, the view within the world's, the country shaded."""
    city = CityMark("Anywhere", "Somewhere", 3, "/cities/#sg-anywhere", lat, lon)
    svg = locator_map(city, code.lower(), label="Anywhere on a map of Somewhere")
    root = parse(svg)
    assert root.get("aria-label") == "Anywhere on a map of Somewhere"
    x, y, width, height = view_box(root)
    world = world_view_box()
    assert x >= 0 and y >= 0 and x + width <= world[2] + 1e-9 and y + height <= world[3] + 1e-9
    [anchor] = links(root)
    assert anchor.get("aria-label") == "Anywhere, Somewhere: 3 case studies"
    circle = anchor.find(f"{SVG}circle")
    cx, cy, r = (float(circle.get(k)) for k in ("cx", "cy", "r"))
    assert x - 1e-9 <= cx <= x + width + 1e-9 and y - 1e-9 <= cy <= y + height + 1e-9
    assert r >= width / 100, "the one dot is easy to see"
    shaded = root.findall(f".//{SVG}path[@class='map-country map-country--has']")
    assert len(shaded) == (code in ATLAS_CODES)


@pytest.mark.parametrize("code, city", [
    ("IR", KASHAN),
    ("FR", CityMark("Saint-Denis", "France", 1, "/x/", -20.88, 55.45)),  # Réunion, far from Paris
    ("US", CityMark("Anchorage", "United States", 1, "/x/", 61.2, -149.9)),
    ("RU", CityMark("Anadyr", "Russia", 1, "/x/", 64.73, 177.5)),  # across the antimeridian from Moscow
])
def test_a_locator_map_shows_the_country_with_its_city_on_it(code, city):
    root = parse(locator_map(city, code, label="Where"))
    circle = links(root)[0].find(f"{SVG}circle")
    point = (float(circle.get("cx")), float(circle.get("cy")))
    rings = [ring for path in root.findall(f".//{SVG}path[@class='map-country map-country--has']")
             for ring in path_rings(path.get("d"))]
    assert rings, f"{code} is drawn"
    x, y, width, height = view_box(root)
    assert x <= point[0] <= x + width and y <= point[1] <= y + height, "the city is in view"
    if code == "IR":
        assert inside(rings, point)
        mainland = [p for ring in rings for p in ring]
        assert all(x - 1 <= px <= x + width + 1 and y - 1 <= py <= y + height + 1 for px, py in mainland), \
            "the whole of Iran is in view"


def test_a_city_says_its_count_and_escapes_its_name():
    one = CityMark('Saint-Denis <"&\'>', "France", 1, '/a?b=1&c="2"', 48.94, 2.36)
    svg = world_map([one, KASHAN], set(), label="Map")
    assert 'aria-label="Kashan, Iran: 2 case studies"' in svg
    assert "<title>Kashan, Iran: 2 case studies</title>" in svg
    assert 'aria-label="Saint-Denis &lt;&#34;&amp;&#39;&gt;, France: 1 case study"' in svg
    assert 'href="/a?b=1&amp;c=&#34;2&#34;"' in svg
    assert svg.index("Kashan") < svg.index("Saint-Denis")  # by name
    root = parse(svg)
    radii = {a.get("aria-label").split(",")[0]: float(a.find(f"{SVG}circle").get("r")) for a in links(root)}
    assert radii["Kashan"] > radii['Saint-Denis <"&\'>']


def test_characters_xml_cannot_hold_are_dropped():
    city = CityMark("Nul\x00l\x1b", "Iran", 1, "/x\x07/", 33.98, 51.43)
    anchor = links(parse(world_map([city], set(), label="Map\x0c")))[0]
    assert anchor.get("aria-label") == "Null, Iran: 1 case study" and anchor.get("href") == "/x/"


@pytest.mark.parametrize("lat, lon", [(91, 0), (0, -181), (math.nan, 0), (0, math.inf)])
def test_a_city_off_the_globe_is_refused(lat, lon):
    with pytest.raises(ValueError, match="off the globe"):
        CityMark("Atlantis", "", 1, "/", lat, lon)


def test_path_data_traces_the_projected_outline():
    svg = world_map([], {"IR"}, label="Map")
    iran = parse(svg).find(f".//{SVG}path[@class='map-country map-country--has']")
    drawn = path_rings(iran.get("d"))
    scale = (1000 - 6) / globe_width()
    width, height = world_view_box()[2:]
    expected = [[(width / 2 + x * scale, height / 2 - y * scale) for x, y in ring] for ring in projected(atlas.outline_by_code("IR"))]
    assert len(drawn) == len(expected) == 1
    for point in drawn[0]:
        assert min(math.dist(point, p) for p in expected[0]) <= 0.08  # rounded to a tenth of a unit


def test_the_same_map_in_other_processes_and_hash_seeds_is_the_same_bytes(tmp_path):
    tests = os.path.dirname(os.path.abspath(__file__))
    code = (f"import hashlib, sys; sys.path.insert(0, {tests!r}); from test_worldmap import sample_cities; "
            "from sitegen.render.worldmap import world_map, focus_box; c = sample_cities(60); "
            "print(hashlib.sha256((world_map(c, {'IR', 'FR', 'BR'}, label='m') "
            "+ world_map(c[:5], {'IR'}, label='f', focus=focus_box(c[:5]), size='small')).encode()).hexdigest())")
    cities = sample_cities(60)
    here = hashlib.sha256((world_map(cities, {"IR", "FR", "BR"}, label="m")
                           + world_map(cities[:5], {"IR"}, label="f", focus=focus_box(cities[:5]), size="small")
                           ).encode()).hexdigest()
    for seed in ("1", "4242"):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True,
                                env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONDONTWRITEBYTECODE": "1"})
        assert result.stdout.strip() == here


@pytest.mark.parametrize("count", [0, 33, 500])
def test_the_world_map_fits_its_size_budget(count):
    svg = world_map(sample_cities(count), {"IR", "TW", "FR", "BR", "KE", "CN", "US"}, label="Learning cities")
    squeezed = len(gzip.compress(svg.encode("utf-8"), 9))
    assert squeezed <= 90_000, f"{count} cities: {len(svg)} bytes, {squeezed} gzip-compressed"
    assert len(links(parse(svg))) == count


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.floats(-170, 170), st.floats(-60, 70), st.floats(0.5, 60), st.floats(0.5, 40),
       st.sampled_from(["full", "small", "locator"]))
def test_a_country_wholly_in_a_focused_view_is_drawn_as_clipping_draws_it(lon, lat, wide, high, size):
    """`_path_data` skips clipping a country whose box lies inside the view's window: for every country
    and any view, its path is the one clipping every ring gives."""
    from sitegen.render import worldmap

    view = worldmap._view((lon, lat, min(lon + wide, 180.0), min(lat + high, 90.0)), size)
    window = worldmap._clip_window(view)
    within = 0
    for shape in worldmap._world_shapes():
        within += worldmap._within(shape.box, window)
        assert worldmap._path_data(shape.rings, view, shape.box) == worldmap._path_data(shape.rings, view), shape.code
    assert within < len(worldmap._world_shapes())  # never the whole world: the clipping is exercised too


def test_a_view_of_western_europe_leaves_its_small_countries_unclipped():
    from sitegen.render import worldmap

    window = worldmap._clip_window(worldmap._view((0.0, 40.0, 20.0, 55.0), "full"))
    inside = {shape.code for shape in worldmap._world_shapes() if worldmap._within(shape.box, window)}
    assert {"BE", "LU", "CH"} <= inside and "FR" not in inside  # France's box reaches French Guiana
