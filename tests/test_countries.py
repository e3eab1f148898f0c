"""Tests for sitegen.countries: country resolution, hints and UNESCO regions."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pycountry
import pytest

from sitegen.model import countries as C
from sitegen.model.countries import (
    Country,
    Region,
    country_by_code,
    regions,
    region_by_id,
    resolve_country,
    resolve_region,
    suggest_country,
    suggest_region,
)

REGION_IDS = (
    "africa",
    "arab-states",
    "asia-pacific",
    "europe-north-america",
    "latin-america-caribbean",
)
ISO_CODES = sorted(c.alpha_2 for c in pycountry.countries)
ALL_CODES = ISO_CODES + ["XK"]
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def code_of(value: str) -> str | None:
    country = resolve_country(value)
    return country.code if country else None


# --------------------------------------------------------------------------
# Resolution


@pytest.mark.parametrize(
    "value",
    ["Iran", "Iran, Islamic Republic of", "IR", "ir", "IRN", "irn", "  Iran  ",
     "Islamic Republic of Iran", "Iran (Islamic Republic of)", "IRAN"],
)
def test_iran_spellings_resolve_to_one_country(value):
    country = resolve_country(value)
    assert country is not None
    assert country == country_by_code("IR")
    assert (country.code, country.alpha3) == ("IR", "IRN")
    assert (country.name, country.slug) == ("Iran", "iran")
    assert country.official_name == "Islamic Republic of Iran"
    assert country.region_id == "asia-pacific"


def test_two_letter_codes_that_are_words_resolve_as_codes():
    norway = resolve_country("NO")
    assert norway is not None and norway.code == "NO" and norway.name == "Norway"
    assert code_of("no") == "NO"
    assert code_of("IN") == "IN"  # India
    assert code_of("is") == "IS"  # Iceland


def test_republic_of_korea_is_south_korea():
    assert code_of("Republic of Korea") == "KR"
    assert code_of("South Korea") == "KR"
    assert code_of("Korea, Republic of") == "KR"
    assert code_of("Korea (Republic of)") == "KR"
    assert code_of("KOR") == "KR"
    assert resolve_country("Republic of Korea").name == "South Korea"


def test_north_korea():
    assert code_of("North Korea") == "KP"
    assert code_of("Democratic People's Republic of Korea") == "KP"
    assert code_of("Democratic People’s Republic of Korea") == "KP"
    assert code_of("Korea, Democratic People's Republic of") == "KP"


def test_bare_korea_is_ambiguous_but_gets_a_hint():
    assert resolve_country("Korea") is None
    assert resolve_country("korea") is None
    hint = suggest_country("Korea")
    assert hint is not None
    assert hint.code in {"KR", "KP"}


@pytest.mark.parametrize(
    "value", ["Türkiye", "Turkiye", "turkey", "Turkey", "TUR", "TR", "Republic of Türkiye"]
)
def test_turkiye(value):
    country = resolve_country(value)
    assert country is not None and country.code == "TR"
    assert country.name == "Türkiye"
    assert country.slug == "turkiye"


def test_kosovo_is_built_by_hand():
    for value in ("Kosovo", "XK", "xk", "XKX", "Republic of Kosovo"):
        assert code_of(value) == "XK", value
    kosovo = country_by_code("XK")
    assert kosovo == Country(
        code="XK",
        alpha3="XKX",
        name="Kosovo",
        official_name="Republic of Kosovo",
        slug="kosovo",
        region_id="europe-north-america",
    )


@pytest.mark.parametrize("value", ["Atlantis", "", "   ", "Narnia-Land", "XX", "ZZZ", "Europe"])
def test_unknown_values_resolve_to_none(value):
    assert resolve_country(value) is None


def test_non_strings_resolve_to_none():
    # YAML reads an unquoted `country: NO` as False; that must not crash here.
    for value in (None, False, 42):
        assert resolve_country(value) is None
        assert suggest_country(value) is None
        assert resolve_region(value) is None
        assert suggest_region(value) is None


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("UK", "GB"), ("U.K.", "GB"), ("Great Britain", "GB"), ("Britain", "GB"),
        ("England", "GB"), ("Scotland", "GB"), ("Wales", "GB"), ("Northern Ireland", "GB"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("USA", "US"), ("US", "US"), ("U.S.", "US"), ("United States of America", "US"),
        ("America", "US"), ("United States", "US"),
        ("Vietnam", "VN"), ("Viet Nam", "VN"),
        ("Ivory Coast", "CI"), ("Côte d'Ivoire", "CI"), ("Cote d'Ivoire", "CI"),
        ("Côte d’Ivoire", "CI"), ("cote d'ivoire", "CI"),
        ("Cape Verde", "CV"), ("Cabo Verde", "CV"),
        ("Swaziland", "SZ"), ("Eswatini", "SZ"),
        ("Czech Republic", "CZ"), ("Czechia", "CZ"),
        ("Russia", "RU"), ("Russian Federation", "RU"),
        ("Laos", "LA"), ("Lao PDR", "LA"), ("Lao People's Democratic Republic", "LA"),
        ("Syria", "SY"), ("Syrian Arab Republic", "SY"),
        ("Tanzania", "TZ"), ("United Republic of Tanzania", "TZ"),
        ("Tanzania, United Republic of", "TZ"),
        ("Bolivia", "BO"), ("Bolivia (Plurinational State of)", "BO"),
        ("Venezuela", "VE"), ("Venezuela (Bolivarian Republic of)", "VE"),
        ("Moldova", "MD"), ("Republic of Moldova", "MD"),
        ("Macedonia", "MK"), ("North Macedonia", "MK"),
        ("Palestine", "PS"), ("State of Palestine", "PS"), ("Palestine, State of", "PS"),
        ("DR Congo", "CD"), ("DRC", "CD"), ("Democratic Republic of the Congo", "CD"),
        ("Congo-Kinshasa", "CD"), ("Congo, The Democratic Republic of the", "CD"),
        ("Republic of the Congo", "CG"), ("Congo-Brazzaville", "CG"),
        ("Holland", "NL"), ("The Netherlands", "NL"), ("Netherlands", "NL"),
        ("UAE", "AE"), ("United Arab Emirates", "AE"),
        ("Brunei", "BN"), ("Brunei Darussalam", "BN"),
        ("Micronesia (Federated States of)", "FM"),
        ("Taiwan", "TW"), ("Taiwan, Province of China", "TW"),
        ("Hong Kong", "HK"), ("Macao", "MO"), ("Macau", "MO"),
        ("Curacao", "CW"), ("Réunion", "RE"), ("Reunion", "RE"),
        ("Guinea Bissau", "GW"), ("Guinea-Bissau", "GW"),
        ("Trinidad & Tobago", "TT"), ("St. Lucia", "LC"), ("St Kitts and Nevis", "KN"),
        ("the Gambia", "GM"), ("Bahamas", "BS"),
        ("Falkland Islands (Malvinas)", "FK"), ("Falkland Islands", "FK"),
        ("Holy See", "VA"), ("Vatican", "VA"),
        ("British Virgin Islands", "VG"), ("US Virgin Islands", "VI"),
        ("Virgin Islands, U.S.", "VI"),
    ],
)
def test_aliases_and_un_forms(value, code):
    assert code_of(value) == code


def test_resolution_ignores_case_and_surrounding_space():
    assert code_of("  gErMaNy\t") == "DE"
    assert code_of("\nRepublic OF korea ") == "KR"


def test_matching_is_exact_after_normalisation_never_fuzzy():
    for typo in ("Iarn", "Germny", "Frnace", "Republic of Kore", "Viet"):
        assert resolve_country(typo) is None, typo


@pytest.mark.parametrize("code", ISO_CODES)
def test_every_iso_country_resolves_by_its_codes_and_names(code):
    record = pycountry.countries.get(alpha_2=code)
    country = country_by_code(code)
    assert country.code == code
    assert country.alpha3 == record.alpha_3
    for value in (code, code.lower(), record.alpha_3, record.alpha_3.lower(), record.name,
                  country.name, country.official_name):
        assert code_of(value) == code, value
    assert country_by_code(record.alpha_3) == country
    assert country_by_code(code.lower()) == country


def test_country_by_code_unknown_raises_key_error():
    with pytest.raises(KeyError):
        country_by_code("QQ")
    with pytest.raises(KeyError):
        country_by_code("Iran")


def test_official_names():
    assert country_by_code("GB").official_name == (
        "United Kingdom of Great Britain and Northern Ireland"
    )
    assert country_by_code("NO").official_name == "Kingdom of Norway"
    assert country_by_code("AU").official_name == "Australia"  # no official name: ISO name
    # No official name in pycountry and an inverted ISO name: put in reading order.
    assert country_by_code("KR").official_name == "Republic of Korea"


# --------------------------------------------------------------------------
# Display names and slugs


@pytest.mark.parametrize(
    ("code", "name", "slug"),
    [
        ("IR", "Iran", "iran"),
        ("KR", "South Korea", "south-korea"),
        ("KP", "North Korea", "north-korea"),
        ("GB", "United Kingdom", "united-kingdom"),
        ("VN", "Viet Nam", "viet-nam"),
        ("CI", "Côte d'Ivoire", "cote-d-ivoire"),
        ("CD", "Democratic Republic of the Congo", "democratic-republic-of-the-congo"),
        ("PS", "Palestine", "palestine"),
        ("TR", "Türkiye", "turkiye"),
        ("US", "United States", "united-states"),
    ],
)
def test_display_names_and_slugs(code, name, slug):
    country = country_by_code(code)
    assert (country.name, country.slug) == (name, slug)


def test_no_display_name_is_comma_inverted():
    for country in C.countries():
        if ", " in country.name:
            # Only list names ("Bonaire, Sint Eustatius and Saba") may have a comma.
            assert " and " in country.name.rsplit(", ", 1)[1], country
        assert not re.search(r"\b(of|of the|the|The)$", country.name), country
        assert "(" not in country.name or country.code == "CC", country  # "Cocos (Keeling) Islands"


def test_display_names_never_equal_an_inverted_iso_name():
    for record in pycountry.countries:
        if re.search(r", .*\bof( the)?$", record.name):
            assert country_by_code(record.alpha_2).name != record.name


def test_slugs_are_ascii_unique_and_well_formed():
    slugs = [c.slug for c in C.countries()]
    assert len(slugs) == len(ALL_CODES)
    assert len(set(slugs)) == len(slugs)
    for slug in slugs:
        assert SLUG.match(slug), slug


def test_countries_lists_iso_plus_kosovo_once_each():
    assert sorted(c.code for c in C.countries()) == sorted(ALL_CODES)
    assert all(isinstance(c, Country) for c in C.countries())


def test_records_are_immutable():
    country = country_by_code("IR")
    with pytest.raises(AttributeError):
        country.name = "Persia"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        regions()[0].name = "X"  # type: ignore[misc]


# --------------------------------------------------------------------------
# Suggestions


@pytest.mark.parametrize(
    ("value", "code"),
    [("Irn", "IR"), ("Iarn", "IR"), ("Germny", "DE"), ("Frnace", "FR"), ("Columbia", "CO"),
     ("Phillipines", "PH"), ("Kazakstan", "KZ"), ("Swizerland", "CH"), ("Brasil", "BR"),
     ("Iran", "IR")],
)
def test_suggest_country_finds_near_misses(value, code):
    hint = suggest_country(value)
    assert hint is not None and hint.code == code


@pytest.mark.parametrize("value", ["Atlantis", "Xyz", "QQ", "", "Moon", "Africa", "Europe"])
def test_suggest_country_gives_nothing_for_far_misses(value):
    assert suggest_country(value) is None


# --------------------------------------------------------------------------
# Regions


def test_five_regions_in_order():
    assert tuple(r.id for r in regions()) == REGION_IDS
    assert tuple(r.name for r in regions()) == (
        "Africa",
        "Arab States",
        "Asia and the Pacific",
        "Europe and North America",
        "Latin America and the Caribbean",
    )
    for region in regions():
        assert isinstance(region, Region)
        assert region.slug == region.id
        assert region_by_id(region.id) is region


def test_region_by_id_unknown_raises_key_error():
    with pytest.raises(KeyError):
        region_by_id("oceania")
    with pytest.raises(KeyError):
        region_by_id("Africa")  # a name, not an id


def test_every_country_is_in_exactly_one_region():
    data = json.loads(
        (Path(C.__file__).parent / "data" / "unesco_regions.json").read_text(encoding="utf-8")
    )
    assert [r["id"] for r in data["regions"]] == list(REGION_IDS)
    listed = [code for r in data["regions"] for code in r["countries"]]
    assert len(listed) == len(set(listed)), "a code is listed in two regions"
    assert sorted(listed) == sorted(ALL_CODES)
    for country in C.countries():
        assert country.region_id in REGION_IDS


@pytest.mark.parametrize(
    ("code", "region_id"),
    [
        ("EG", "arab-states"), ("MA", "arab-states"), ("PS", "arab-states"), ("SD", "arab-states"),
        ("IR", "asia-pacific"), ("AU", "asia-pacific"), ("KZ", "asia-pacific"),
        ("NC", "asia-pacific"), ("TW", "asia-pacific"),
        ("TR", "europe-north-america"), ("CA", "europe-north-america"),
        ("GE", "europe-north-america"), ("IL", "europe-north-america"),
        ("US", "europe-north-america"), ("RU", "europe-north-america"),
        ("GL", "europe-north-america"),
        ("NG", "africa"), ("CI", "africa"), ("ET", "africa"), ("DJ", "africa"), ("SO", "africa"),
        ("RE", "africa"),
        ("CO", "latin-america-caribbean"), ("MX", "latin-america-caribbean"),
        ("BR", "latin-america-caribbean"), ("PR", "latin-america-caribbean"),
        ("FK", "latin-america-caribbean"),
    ],
)
def test_region_anchors(code, region_id):
    assert country_by_code(code).region_id == region_id


@pytest.mark.parametrize(
    ("value", "region_id"),
    [
        ("Asia and the Pacific", "asia-pacific"),
        ("asia-pacific", "asia-pacific"),
        ("Asia & the Pacific", "asia-pacific"),
        ("Asia & Pacific", "asia-pacific"),
        ("Asia-Pacific", "asia-pacific"),
        ("  ASIA   PACIFIC ", "asia-pacific"),
        ("europe and north america", "europe-north-america"),
        ("Europe & N. America", "europe-north-america"),
        ("europe-north-america", "europe-north-america"),
        ("Latin America & the Caribbean", "latin-america-caribbean"),
        ("latin-america-caribbean", "latin-america-caribbean"),
        ("Arab States", "arab-states"),
        ("arab-states", "arab-states"),
        ("AFRICA", "africa"),
    ],
)
def test_resolve_region_variants(value, region_id):
    region = resolve_region(value)
    assert region is not None and region.id == region_id


@pytest.mark.parametrize("value", ["Afrika", "Asia", "Europe", "Oceania", "America", ""])
def test_resolve_region_is_exact(value):
    assert resolve_region(value) is None


@pytest.mark.parametrize(
    ("value", "region_id"),
    [("Afrika", "africa"), ("Asia", "asia-pacific"), ("Europa", "europe-north-america"),
     ("Carribean", "latin-america-caribbean"), ("Arab Sates", "arab-states"),
     ("arab-states", "arab-states")],
)
def test_suggest_region(value, region_id):
    region = suggest_region(value)
    assert region is not None and region.id == region_id


@pytest.mark.parametrize("value", ["America", "Antarctica", "Xyz", ""])
def test_suggest_region_gives_nothing_when_nothing_is_close(value):
    assert suggest_region(value) is None


def test_tables_are_built_once():
    assert C._tables() is C._tables()
    assert regions() is regions()
