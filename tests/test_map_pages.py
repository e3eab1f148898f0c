"""The map pages: /map/, and the maps of a country's and a region's cities, as built and in Chromium.

The drawing itself is tested in test_worldmap.py; here the pages the registry
makes from the showcase: which cities are linked and where to, the list that
says the same as the map, the weight of the page, and a city followed with
the keyboard alone.
"""

from __future__ import annotations

import gzip
import html as html_text
import re
from pathlib import Path

import pytest
from conftest import ROOT, originals
from defusedxml import ElementTree

from sitegen.build import pipeline

BASE = "/learning-cities/"
SVG = "{http://www.w3.org/2000/svg}"


def front_matter(path: Path) -> dict[str, str]:
    head = path.read_text(encoding="utf-8").split("---")[1]
    return dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)


def showcase_studies() -> list[dict[str, str]]:
    return [front_matter(p) for p in originals(ROOT / "content" / "case-studies")]


def svg_of(html: str):
    match = re.search(r"<svg\b.*?</svg>", html, re.S)
    assert match, "no inline map"
    return ElementTree.fromstring(match.group(0))


def city_links(svg) -> dict[str, str]:
    return {a.get("aria-label"): a.get("href") for a in svg.iter(f"{SVG}a")}


def test_the_map_page_links_every_city_that_has_coordinates(showcase):
    html = (showcase / "map" / "index.html").read_text(encoding="utf-8")
    studies = showcase_studies()
    placed = {(s["city"], s["country"]) for s in studies if "coordinates" in s}
    links = city_links(svg_of(html))
    assert len(links) == len(placed)
    assert links["Kashan, Iran: 1 case study"] == BASE + "case-studies/kashan-health-tv/"
    for label, href in links.items():
        assert re.fullmatch(r".+, .+: \d+ case stud(y|ies)", label), label
        page, _, anchor = href.removeprefix(BASE).partition("#")
        target = (showcase / page / "index.html")
        assert target.is_file() and (not anchor or f'id="{anchor}"' in target.read_text(encoding="utf-8")), href
    listed = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>, ([^<]+) <span class="count">', html)
    assert len(listed) == len(links), "the list under the map names every city on it"
    unplaced = sum("coordinates" not in s for s in studies)
    assert f"{unplaced} case stud" in html and "not on the map" in html
    assert "do not imply any opinion" in html


def test_countries_with_case_studies_are_shaded(showcase):
    svg = svg_of((showcase / "map" / "index.html").read_text(encoding="utf-8"))
    shaded = [p for p in svg.iter(f"{SVG}path") if "map-country--has" in (p.get("class") or "")]
    countries = {s["country"] for s in showcase_studies()}
    small = {"SG", "BH", "MT", "MU", "CV", "HK", "MO"}  # too small to draw at 1:110m
    assert len(shaded) == len(countries - small)


def test_the_map_page_is_light(showcase):
    data = (showcase / "map" / "index.html").read_bytes()
    assert len(gzip.compress(data)) <= 120 * 1024


def test_a_country_and_a_region_show_their_own_cities_on_their_first_page(site, tmp_path):
    for n in range(30):  # two pages of Iran
        site.study(f"iran-{n:02d}", city=f"Town {n:02d}", coordinates=f"[{30 + n / 10}, {50 + n / 10}]")
    site.study("egypt", city="Giza", country="EG", coordinates="[30.01, 31.21]")
    site.study("nowhere", city="Unplaced", country="JP")
    out = tmp_path / "out"
    assert pipeline.build(pipeline.BuildOptions(content=site.root, output=out, templates=ROOT / "templates",
                                                cache_dir=None)).ok
    iran = city_links(svg_of((out / "countries" / "iran" / "index.html").read_text(encoding="utf-8")))
    assert "Town 00, Iran: 1 case study" in iran and not any("Giza" in label for label in iran)
    assert "<svg" not in (out / "countries" / "iran" / "page" / "2" / "index.html").read_text(encoding="utf-8")
    assert "<svg" not in (out / "countries" / "japan" / "index.html").read_text(encoding="utf-8")
    arab = city_links(svg_of((out / "regions" / "arab-states" / "index.html").read_text(encoding="utf-8")))
    assert list(arab) == ["Giza, Egypt: 1 case study"]
    world = city_links(svg_of((out / "map" / "index.html").read_text(encoding="utf-8")))
    assert len(world) == 31 and not any("Unplaced" in label for label in world)


def test_each_case_study_with_coordinates_has_a_locator_map_of_its_country(showcase):
    for source in originals(ROOT / "content" / "case-studies"):
        study = front_matter(source)
        html = (showcase / "case-studies" / source.stem / "index.html").read_text(encoding="utf-8")
        if "coordinates" not in study:
            assert "map-figure--locator" not in html
            continue
        figure = re.search(r'<figure class="map-figure map-figure--locator" data-pagefind-ignore>(.*?)</figure>',
                           html, re.S)
        assert figure, study["title"]
        svg = svg_of(figure.group(1))
        city = html_text.unescape(study["city"].strip('"'))
        assert svg.get("aria-label").startswith(f"{city} on a map of ")
        [(label, href)] = city_links(svg).items()
        assert label.startswith(f"{city}, ")
        page, _, anchor = href.removeprefix(BASE).partition("#")
        assert page == "cities/" and f'id="{anchor}"' in (showcase / "cities" / "index.html").read_text(encoding="utf-8")
        assert svg.findall(f".//{SVG}path[@class='map-country map-country--has']"), "its country is shaded"
        assert "imply no opinion" in figure.group(1)


@pytest.mark.spread
def test_a_city_on_the_map_is_followed_with_the_keyboard_alone(page, showcase, static_server):
    url = static_server(showcase, BASE)
    page.goto(url + "map/")
    page.focus("h1")
    for _ in range(200):
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        if label and label.startswith("Kashan, Iran"):
            break
    else:
        pytest.fail("Kashan cannot be reached with the Tab key")
    ring = page.evaluate("getComputedStyle(document.activeElement.querySelector('circle')).strokeWidth")
    assert float(ring.removesuffix("px")) >= 3, "the focused city shows it"
    page.keyboard.press("Enter")
    page.wait_for_url("**/case-studies/kashan-health-tv/")


def test_the_cities_index_lists_every_city_a_to_z_and_the_map_leads_to_a_city_of_several(site, tmp_path):
    site.study("kashan-2", title="A second one in Kashan", coordinates="[33.99, 51.44]")
    site.study("bouake", title="Bouaké wins", city="Bouaké", country="CI", coordinates="[7.69, -5.03]")
    site.study("athens", title="Athens learns", city="Athens", country="GR")
    site.study("athens-us", title="Athens, Georgia", city="Athens", country="US")
    out = tmp_path / "out"
    assert pipeline.build(pipeline.BuildOptions(content=site.root, output=out, templates=ROOT / "templates",
                                                cache_dir=None)).ok
    html = (out / "cities" / "index.html").read_text(encoding="utf-8")
    letters = re.findall(r'<h2 id="sg-letter-\d+">([^<]+)</h2>', html)
    assert letters == ["A", "B", "K"], "Bouaké is filed under B"
    names = re.findall(r'<li id="([^"]+)">\s*<h3 class="city-name">([^,]+), <a href="[^"]+">([^<]+)</a>', html)
    assert [(n, html_text.unescape(c)) for _, n, c in names] == [("Athens", "Greece"), ("Athens", "United States"), ("Bouaké", "Côte d'Ivoire"),
                                             ("Kashan", "Iran")]
    kashan = html.split('id="sg-kashan-ir"', 1)[1].split("</ul>", 1)[0]
    assert kashan.count("<li>") == 2
    world = city_links(svg_of((out / "map" / "index.html").read_text(encoding="utf-8")))
    assert world["Kashan, Iran: 2 case studies"].endswith("/cities/#sg-kashan-ir")
