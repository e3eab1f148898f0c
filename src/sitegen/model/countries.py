"""Countries and UNESCO regions: what an author writes in `country:`, resolved to one country.

Owns the `Country` and `Region` records, the five UNESCO regions and which
region each country belongs to by default (data/unesco_regions.json), and
the resolution of country names, ISO 3166-1 codes and common aliases
(data/country_aliases.json) to a country. ISO data comes from pycountry.

Resolution is exact: case, surrounding white space, accents, apostrophe
style, punctuation ("U.S.", "Guinea Bissau") and a leading "The" are ignored,
but nothing is guessed. Guessing is left to `suggest_country` and
`suggest_region`, which only feed "did you mean" hints.

All lookup tables are built once, on first use, and are read-only.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType

import pycountry
from slugify import slugify

_DATA = Path(__file__).parent / "data"
_REGIONS_FILE = _DATA / "unesco_regions.json"
_ALIASES_FILE = _DATA / "country_aliases.json"


@dataclass(frozen=True)
class Region:
    """One of UNESCO's five regions."""

    id: str
    name: str
    slug: str


@dataclass(frozen=True)
class Country:
    """A country or territory, as shown to readers."""

    code: str  # ISO 3166-1 alpha-2, upper case ("XK" for Kosovo)
    alpha3: str
    name: str  # short common display name, never comma-inverted
    official_name: str  # pycountry's official name, else the ISO name put in reading order
    slug: str
    region_id: str  # default UNESCO region id


# Display names where pycountry's common_name (or, lacking one, its ISO name)
# is inverted ("Korea, Republic of"), long-winded or not what UNESCO uses.
_DISPLAY_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "BN": "Brunei",
        "CD": "Democratic Republic of the Congo",
        "CG": "Republic of the Congo",
        "FK": "Falkland Islands",
        "FM": "Micronesia",
        "MF": "Saint Martin",
        "PN": "Pitcairn Islands",
        "PS": "Palestine",
        "RU": "Russia",
        "SX": "Sint Maarten",
        "VA": "Holy See",
        "VG": "British Virgin Islands",
        "VI": "United States Virgin Islands",
        "VN": "Viet Nam",
    }
)

# Kosovo has no ISO 3166-1 entry; XK / XKX are the user-assigned codes in use.
_KOSOVO = ("XK", "XKX", "Kosovo", "Republic of Kosovo")

_APOSTROPHES = str.maketrans({c: "'" for c in "\u2019\u2018\u02bc\u0060\u00b4\u2032"})
_DASHES = re.compile(r"[-_/\u2010-\u2015]")
_INVERTED = re.compile(r"([^,()]+), ([^,()]+)")  # "Iran, Islamic Republic of"
_PARENTHESISED = re.compile(r"([^,()]+) \(([^,()]+)\)")  # "Iran (Islamic Republic of)"
_REGION_STOP_WORDS = frozenset({"the", "and", "of"})
# difflib ratio below which a country is not offered as a hint: 0.7 keeps
# "Espana" -> Spain and "Iarn" -> Iran but drops "Atlantis" -> Albania.
_COUNTRY_CUTOFF = 0.7
_REGION_CUTOFF = 0.7


# --------------------------------------------------------------------------
# Normalisation


def _key(value: str) -> str:
    """Lookup key: case, accents, apostrophes, dots, dashes, spacing and a leading "the" ignored."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.translate(_APOSTROPHES).casefold()
    text = text.replace("&", " and ").replace(".", "")
    text = _DASHES.sub(" ", text)
    text = re.sub(r"\s*,\s*", ", ", text)
    text = re.sub(r"\s*\(\s*", " (", text)
    text = re.sub(r"\s*\)", ")", text)
    text = " ".join(text.split()).strip(" ,")
    return text.removeprefix("the ")


def _region_key(value: str) -> str:
    words = _key(value).replace(",", " ").split()
    words = ["north" if w == "n" else w for w in words if w not in _REGION_STOP_WORDS]
    return " ".join(words)


def _derived_keys(key: str) -> Iterator[str]:
    """UN and inverted spellings of one name key, e.g. "iran, islamic republic of" ->
    "iran (islamic republic of)", "islamic republic of iran"."""
    for pattern in (_INVERTED, _PARENTHESISED):
        match = pattern.fullmatch(key)
        if not match:
            continue
        head, tail = match.groups()
        tail_without_the = tail.removeprefix("the ")
        yield f"{head}, {tail}"
        yield f"{head}, {tail_without_the}"
        yield f"{head} ({tail})"
        yield f"{head} ({tail_without_the})"
        # Put the qualifier in front only where that reads as a name:
        # "Republic of Korea", "British Virgin Islands"; not "Province of China Taiwan".
        if tail.endswith((" of", " of the")) or " " not in tail:
            yield f"{tail} {head}".removeprefix("the ")
    if key.startswith("saint "):
        yield "st " + key.removeprefix("saint ")


def _uninverted(name: str) -> str:
    """"Korea, Republic of" -> "Republic of Korea"; other names unchanged."""
    match = _INVERTED.fullmatch(name)
    if not match or not match.group(2).endswith((" of", " of the")):
        return name
    head, tail = match.groups()
    return f"{tail} {head}"


def _parenthesis_dropped(key: str) -> str | None:
    """"falkland islands (malvinas)" -> "falkland islands"."""
    match = _PARENTHESISED.fullmatch(key)
    return match.group(1) if match else None


# --------------------------------------------------------------------------
# Tables, built once


@dataclass(frozen=True)
class _Tables:
    regions: tuple[Region, ...]
    region_by_id: Mapping[str, Region]
    region_keys: Mapping[str, str]  # region key -> region id
    countries: tuple[Country, ...]
    by_code: Mapping[str, Country]  # "IR" and "IRN" -> Country
    by_name: Mapping[str, str]  # name key -> alpha-2
    hints: Mapping[str, str]  # ambiguous name key -> alpha-2, for suggestions only
    suggestion_names: tuple[str, ...]
    suggestion_codes: tuple[str, ...]


def _load_json(path: Path) -> dict:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _build_regions(data: dict) -> tuple[tuple[Region, ...], dict[str, str]]:
    regions: list[Region] = []
    region_of: dict[str, str] = {}
    for entry in data["regions"]:
        region = Region(id=entry["id"], name=entry["name"], slug=entry["id"])
        regions.append(region)
        for code in entry["countries"]:
            if code in region_of:
                raise ValueError(
                    f"{_REGIONS_FILE.name}: {code} is in both {region_of[code]} and {region.id}"
                )
            region_of[code] = region.id
    return tuple(regions), region_of


def _build_countries(region_of: Mapping[str, str]) -> tuple[Country, ...]:
    rows = [
        (
            record.alpha_2,
            record.alpha_3,
            _DISPLAY_NAMES.get(record.alpha_2)
            or getattr(record, "common_name", None)
            or record.name,
            getattr(record, "official_name", None) or _uninverted(record.name),
        )
        for record in pycountry.countries
    ]
    rows.append(_KOSOVO)
    missing = sorted({row[0] for row in rows} - region_of.keys())
    unknown = sorted(region_of.keys() - {row[0] for row in rows})
    if missing or unknown:
        raise ValueError(
            f"{_REGIONS_FILE.name}: codes without a region {missing}, unknown codes {unknown}"
        )
    countries = []
    for code, alpha3, name, official in rows:
        countries.append(
            Country(
                code=code,
                alpha3=alpha3,
                name=name,
                official_name=official[:1].upper() + official[1:],
                slug=slugify(name),
                region_id=region_of[code],
            )
        )
    slugs = [c.slug for c in countries]
    if len(set(slugs)) != len(slugs):
        duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
        raise ValueError(f"duplicate country slugs: {duplicates}")
    return tuple(sorted(countries, key=lambda c: c.code))


def _build_name_index(
    countries: tuple[Country, ...], by_code: Mapping[str, Country], aliases: Mapping[str, list[str]]
) -> dict[str, str]:
    # Names an author may write, per country: ISO name, official name, common
    # name, display name, shipped aliases. These must never clash.
    written: dict[str, set[str]] = {c.code: {c.name, c.official_name} for c in countries}
    for record in pycountry.countries:
        written[record.alpha_2].add(record.name)
        if common := getattr(record, "common_name", None):
            written[record.alpha_2].add(common)
    for code, names in aliases.items():
        if code not in written:
            raise ValueError(f"{_ALIASES_FILE.name}: unknown code {code}")
        written[code].update(names)

    explicit: dict[str, str] = {}
    for code, names in written.items():
        for name in names:
            key = _key(name)
            other = explicit.setdefault(key, code)
            coded = by_code.get(key.upper())
            if other != code or (coded is not None and coded.code != code):
                raise ValueError(f"country name {name!r} is claimed by {code} and {other}")

    # Spellings derived from those names; any that two countries would share
    # are ambiguous and dropped.
    derived: dict[str, set[str]] = {}
    for key, code in explicit.items():
        for variant in (*_derived_keys(key), _parenthesis_dropped(key)):
            if variant and variant not in explicit:
                derived.setdefault(variant, set()).add(code)
    index = dict(explicit)
    index.update({key: codes.pop() for key, codes in derived.items() if len(codes) == 1})
    return index


@cache
def _tables() -> _Tables:
    regions, region_of = _build_regions(_load_json(_REGIONS_FILE))
    countries = _build_countries(region_of)
    by_code = {c.code: c for c in countries} | {c.alpha3: c for c in countries}
    alias_data = _load_json(_ALIASES_FILE)
    by_name = _build_name_index(countries, by_code, alias_data["aliases"])
    hints = {_key(name): code for name, code in alias_data.get("hints", {}).items()}
    if clash := [k for k, code in hints.items() if k in by_name or code not in by_code]:
        raise ValueError(f"{_ALIASES_FILE.name}: hints that resolve or name unknown codes: {clash}")

    region_keys: dict[str, str] = {}
    for region in regions:
        for spelling in (region.id, region.name):
            region_keys[_key(spelling)] = region.id
            region_keys[_region_key(spelling)] = region.id

    return _Tables(
        regions=regions,
        region_by_id=MappingProxyType({r.id: r for r in regions}),
        region_keys=MappingProxyType(region_keys),
        countries=countries,
        by_code=MappingProxyType(by_code),
        by_name=MappingProxyType(by_name),
        hints=MappingProxyType(hints),
        suggestion_names=tuple(sorted(by_name)),
        suggestion_codes=tuple(sorted(code.casefold() for code in by_code)),
    )


# --------------------------------------------------------------------------
# Regions


def regions() -> tuple[Region, ...]:
    """The five UNESCO regions, in UNESCO's order."""
    return _tables().regions


def region_by_id(region_id: str) -> Region:
    """The region with this exact id; KeyError if there is none."""
    return _tables().region_by_id[region_id]


def resolve_region(value: str) -> Region | None:
    """The region named or identified by `value` ("Asia & the Pacific", "asia-pacific"), or None."""
    if not isinstance(value, str):
        return None
    tables = _tables()
    region_id = tables.region_keys.get(_key(value)) or tables.region_keys.get(_region_key(value))
    return tables.region_by_id[region_id] if region_id else None


def suggest_region(value: str) -> Region | None:
    """The region `value` most likely means, for a "did you mean" hint; None if none is close."""
    if not isinstance(value, str):
        return None
    if exact := resolve_region(value):
        return exact
    tables = _tables()
    key = _region_key(value)
    if not key:
        return None
    # Part of one region's name: "Asia", "Europe", "Caribbean", "Latin America".
    words = set(key.split())
    containing = {rid for k, rid in tables.region_keys.items() if words <= set(k.split())}
    if containing:
        return tables.region_by_id[containing.pop()] if len(containing) == 1 else None
    # Misspelt: compare with whole names and with words only one region uses ("Europa").
    candidates = dict(tables.region_keys)
    for k, rid in tables.region_keys.items():
        for word in k.split():
            candidates.setdefault(word, rid)
            if candidates[word] != rid:
                candidates[word] = ""  # "america": in two regions
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=_REGION_CUTOFF)
    return tables.region_by_id[candidates[close[0]]] if close and candidates[close[0]] else None


# --------------------------------------------------------------------------
# Countries


def countries() -> tuple[Country, ...]:
    """Every known country and territory (ISO 3166-1 plus Kosovo), ordered by code."""
    return _tables().countries


def country_by_code(code: str) -> Country:
    """The country with this ISO alpha-2 or alpha-3 code (any case); KeyError if unknown."""
    return _tables().by_code[code.strip().upper()]


def resolve_country(value: str) -> Country | None:
    """The one country `value` names: a code, ISO/official/common name or alias; else None.

    Exact after normalisation only; ambiguous names such as "Korea" give None.
    """
    if not isinstance(value, str):
        return None
    tables = _tables()
    text = value.strip()
    if len(text) in (2, 3) and text.isascii() and text.isalpha():
        if country := tables.by_code.get(text.upper()):
            return country
    code = tables.by_name.get(_key(text))
    return tables.by_code[code] if code else None


def suggest_country(value: str) -> Country | None:
    """The country `value` most likely means, for a "did you mean" hint; None if none is close."""
    if not isinstance(value, str):
        return None
    if exact := resolve_country(value):
        return exact
    key = _key(value)
    tables = _tables()
    if not key or resolve_region(value):
        return None  # a region is not a country: "Africa" must not suggest "America"
    if code := tables.hints.get(key):
        return tables.by_code[code]
    # Codes are only worth comparing with something that looks like a code.
    candidates = tables.suggestion_names
    if len(key) <= 3:
        candidates = tables.suggestion_codes + candidates
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=_COUNTRY_CUTOFF)
    if not close:
        return None
    code = tables.by_name.get(close[0]) or close[0].upper()
    return tables.by_code[code]
