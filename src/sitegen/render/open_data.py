"""The open data: the public schema of a case study, and the files that publish it.

Owns the public data schema: which fields a case study has in the downloads
(`data/case-studies.json`, `.csv`, `.geojson`), what each is called and
means, and its version (`SCHEMA_VERSION`). The public names are a contract
with the people who reuse the data, not the internal records: a record of
the site may change shape, and `public_record` is the one place that maps it.

The fields of `PublicCaseStudy`, in order, are the one table everything else
is made from: the JSON Schema of the JSON file, the CSV's header, the data
package's `schema.fields` and the README's table. Change the public schema
here, and raise `SCHEMA_VERSION` (semantic versioning: a field added is a
minor change, one renamed, retyped or removed a major one).

The serialisers are Jinja filters (`FILTERS`, registered by `environment.py`),
so each data file is an entry of the outputs registry and a template that is
one filter call. They write the same bytes for the same records: keys sorted,
no time of the build anywhere. The JSON and GeoJSON files hold one record a
line, written by json's C encoder (an indented file goes through its Python
one, seven times slower), and each record keeps its lines: a `serve` session
keeps an unchanged case study's record, so after an edit at 10,000 case
studies the three files are some 0.1 s of work, not a second.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import operator
from collections.abc import Iterable
from dataclasses import dataclass, field

from slugify import slugify

from ..model import schema
from ..model.records import CaseStudy, SiteConfig

SCHEMA_VERSION = "1.0.0"
LIST_SEPARATOR = "; "  # how the CSV writes a list in one cell
JSON_SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"

# The files, named relative to the data package (its resources' paths); the registry puts them under data/.
CSV_FILE = "case-studies.csv"
JSON_FILE = "case-studies.json"
GEOJSON_FILE = "case-studies.geojson"
SCHEMA_FILE = "case-studies.schema.json"
PACKAGE_FILE = "datapackage.json"

# What a field's kind is in each format: (JSON Schema, Table Schema type of its CSV column).
KINDS = {
    "text": ({"type": "string", "minLength": 1}, "string"),
    "url": ({"type": "string", "format": "uri"}, "string"),
    "date": ({"type": "string", "format": "date"}, "date"),
    "number": ({"type": "number"}, "number"),
    "list": ({"type": "array", "items": {"type": "string", "minLength": 1}}, "string"),
    "sources": ({"type": "array", "items": {"$ref": "#/$defs/source"}}, "string"),
}


def public(kind: str, description: str, nullable: bool = False, **constraints) -> dataclasses.Field:
    """A field of the public schema: its kind (`KINDS`), what it means, whether it may be null (an
    empty cell in the CSV), and constraints both schemas state (`pattern`, `minimum`, `maximum`)."""
    return field(metadata={"kind": kind, "description": description, "nullable": nullable,
                           "constraints": constraints})


def part(rule: dict, description: str) -> dataclasses.Field:
    """A field of an object inside a case study's record (a source): its JSON Schema, what it means."""
    return field(metadata={"rule": rule, "description": description})


@dataclass(frozen=True)
class Source:
    """A source of a case study, as published (the objects of `sources`)."""

    title: str = part({"type": "string", "minLength": 1}, "The source's title.")
    url: str = part({"type": "string", "format": "uri"}, "Its web address.")
    publisher: str | None = part({"type": ["string", "null"]}, "Who published it, when the case study says.")
    date: str | None = part({"type": ["string", "null"]}, "When it was published, as the case study gives it.")


@dataclass(frozen=True)
class PublicCaseStudy:
    """A published case study in the open data (schema `SCHEMA_VERSION`); its fields, in this order,
    are the public schema."""

    id: str = public("text", "The case study's identifier, unique in the data: the last part of its web "
                             "address.", pattern=schema.SLUG_RE.pattern)
    url: str = public("url", "The web address of its page.")
    title: str = public("text", "Its headline.")
    summary: str | None = public("text", "What the initiative did, in a sentence or two: the author's summary, "
                                         "else the first paragraph of its text (null when it has neither).",
                                 nullable=True)
    city: str = public("text", "The city, as readers of the site know it.")
    city_native: str | None = public("text", "The city's name in its local script, when given.", nullable=True)
    city_native_lang: str | None = public("text", "The language of city_native, as a BCP 47 code (fa, ar, ko).",
                                          nullable=True, pattern=schema.LANG_RE.pattern)
    country_code: str = public("text", "The country, as an ISO 3166-1 alpha-2 code (IR).", pattern="^[A-Z]{2}$")
    country: str = public("text", "The country's short English name.")
    region: str = public("text", "The UNESCO region it is listed under.")
    themes: tuple[str, ...] = public("list", "The names of its themes.")
    theme_ids: tuple[str, ...] = public("list", "The identifiers of its themes, in the same order (the last part "
                                                "of each theme page's address).")
    date: str = public("date", "The date of the initiative, or of its main source (YYYY-MM-DD).")
    updated: str | None = public("date", "When its text last changed in substance, when the editors say so "
                                         "(YYYY-MM-DD).", nullable=True)
    latitude: float | None = public("number", "The city's latitude in degrees (WGS 84), when given.",
                                    nullable=True, minimum=-90, maximum=90)
    longitude: float | None = public("number", "The city's longitude in degrees (WGS 84), when given.",
                                     nullable=True, minimum=-180, maximum=180)
    sources: tuple[Source, ...] = public("sources", "Where its facts come from: each source's title, url, "
                                                    "publisher and date. The CSV gives their web addresses.")
    language: str = public("text", "The language it is written in (BCP 47).", pattern=schema.LANG_RE.pattern)

    # The record's line in each file, made once per record: a `serve` session keeps an unchanged case study's
    # record (views.site_views), so after an edit a data file is the lines joined, not every record encoded.
    # (Not fields: digests, equality and the schema see the fields alone.)

    @functools.cached_property
    def json_line(self) -> str:
        """The record in case-studies.json."""
        return _compact(record_object(self))

    @functools.cached_property
    def feature_line(self) -> str | None:
        """The record as a GeoJSON Point feature; None without coordinates."""
        if self.latitude is None or self.longitude is None:
            return None
        return _compact({"type": "Feature", "id": self.id, "properties": record_object(self, leave_out=PLACED),
                         "geometry": {"type": "Point", "coordinates": [self.longitude, self.latitude]}})

    @functools.cached_property
    def csv_line(self) -> str:
        """The record's row in case-studies.csv, with its CRLF."""
        return csv_text([csv_row(self)])


@dataclass(frozen=True)
class PublicField:
    """A row of the public schema's table."""

    name: str
    kind: str
    description: str
    nullable: bool
    constraints: dict


FIELDS: tuple[PublicField, ...] = tuple(PublicField(f.name, **f.metadata) for f in dataclasses.fields(PublicCaseStudy))
NAMES = tuple(f.name for f in FIELDS)


def public_record(study: CaseStudy, url: str, summary: str) -> PublicCaseStudy:
    """A case study as the open data publishes it; `url` is its page's web address, `summary` what its page
    shows as its summary (`views.summary_of`)."""
    lat, lon = study.coordinates if study.coordinates is not None else (None, None)
    return PublicCaseStudy(
        id=study.slug, url=url, title=study.title, summary=summary or None, city=study.city,
        city_native=study.city_native, city_native_lang=study.city_native_lang, country_code=study.country.code,
        country=study.country.name, region=study.region.name, themes=tuple(t.name for t in study.themes),
        theme_ids=tuple(t.id for t in study.themes), date=study.date.isoformat(),
        updated=study.updated.isoformat() if study.updated else None, latitude=lat, longitude=lon,
        sources=tuple(Source(s.title, s.url, s.publisher, s.date) for s in study.sources), language=study.lang)


# --------------------------------------------------------------------------- the files

def dumps(value) -> str:
    """A small JSON document (the schema, the data package): UTF-8 as it is, keys sorted, indented, a final
    newline."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


_compact = functools.partial(json.dumps, ensure_ascii=False, sort_keys=True, allow_nan=False)


def listing(value: dict, key: str, lines: list[str]) -> str:
    """`value` as JSON with `lines` (JSON texts) as the array under `key`, one a line; keys sorted as in `dumps`.
    Inside a JSON string every quote is escaped, so `"key": []` is the key alone."""
    array = "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"
    return _compact({**value, key: []}).replace(f'"{key}": []', f'"{key}": {array}', 1) + "\n"


def source_object(source: Source) -> dict:
    return dict(zip(SOURCE_NAMES, _source_values(source)))


def record_object(record: PublicCaseStudy, leave_out: frozenset[str] = frozenset()) -> dict:
    """A record as a JSON object: every field (but those left out), lists as arrays, sources as objects."""
    found = dict(zip(NAMES, _values(record)))
    for name in LISTS:
        found[name] = list(found[name])
    found["sources"] = [source_object(s) for s in record.sources]
    for name in leave_out:
        del found[name]
    return found


_values = operator.attrgetter(*NAMES)  # a record's values, in the order of the fields
SOURCE_NAMES = tuple(f.name for f in dataclasses.fields(Source))
_source_values = operator.attrgetter(*SOURCE_NAMES)
LISTS = tuple(f.name for f in FIELDS if f.kind == "list")
PLACED = frozenset({"latitude", "longitude"})  # in a GeoJSON feature's geometry, not its properties


def case_studies_json(records: Iterable[PublicCaseStudy], schema_url: str) -> str:
    """data/case-studies.json: the schema's address and version, and every case study, one a line."""
    return listing({"$schema": schema_url, "schema_version": SCHEMA_VERSION}, "case_studies",
                   [r.json_line for r in records])


# A cell starting with one of these is read as a formula by spreadsheet programs (OWASP, "CSV Injection"):
# such a text cell gets an apostrophe before it, which they show as nothing, and so does one that starts
# with an apostrophe, so that a reader can always take one leading apostrophe off to get the text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def spreadsheet_safe(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_row(record: PublicCaseStudy) -> list[str]:
    """A record as a row of the CSV: None as an empty cell, lists joined with "; ", sources by their address,
    and a text cell that a spreadsheet would run as a formula behind an apostrophe (`spreadsheet_safe`)."""
    row = list(_values(record))
    for i in _LIST_COLUMNS:
        row[i] = LIST_SEPARATOR.join(row[i])
    row[_SOURCES] = LIST_SEPARATOR.join(s.url for s in record.sources)
    row = [spreadsheet_safe(cell) if type(cell) is str else cell for cell in row]
    for i in _NUMBERS:
        if row[i] is not None:
            row[i] = json.dumps(row[i])  # the shortest text that reads back as the same number, as in the JSON
    return row  # (None is written as an empty cell by the csv module)


_NUMBERS = tuple(i for i, f in enumerate(FIELDS) if f.kind == "number")
_LIST_COLUMNS = tuple(i for i, f in enumerate(FIELDS) if f.kind == "list")
_SOURCES = NAMES.index("sources")


def csv_text(rows) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def case_studies_csv(records: Iterable[PublicCaseStudy]) -> str:
    """data/case-studies.csv (RFC 4180): a header of the field names, one row per case study, CRLF line ends,
    lists joined with "; "; with a byte-order mark, so spreadsheet programs read it as UTF-8."""
    return "\ufeff" + csv_text([NAMES]) + "".join(r.csv_line for r in records)


def case_studies_geojson(records: Iterable[PublicCaseStudy]) -> str:
    """data/case-studies.geojson (RFC 7946): a Point feature (longitude, latitude) for each case study with
    coordinates, one a line; its other fields are the feature's properties."""
    return listing({"type": "FeatureCollection"}, "features",
                   [r.feature_line for r in records if r.feature_line is not None])


def field_json_schema(f: PublicField) -> dict:
    found = {**KINDS[f.kind][0], **f.constraints, "description": f.description}
    if f.nullable:
        found["type"] = [found["type"], "null"]
    return found


def json_schema(schema_url: str) -> dict:
    """The JSON Schema (draft 2020-12) of data/case-studies.json, published at `schema_url`."""
    parts = dataclasses.fields(Source)
    source = {"type": "object", "additionalProperties": False, "required": [f.name for f in parts],
              "properties": {f.name: {**f.metadata["rule"], "description": f.metadata["description"]}
                             for f in parts}}
    case_study = {"type": "object", "additionalProperties": False, "required": list(NAMES),
                  "description": "A published case study. Every field is present; one without a value is null.",
                  "properties": {f.name: field_json_schema(f) for f in FIELDS}}
    return {
        "$schema": JSON_SCHEMA_DRAFT, "$id": schema_url, "title": "Case studies",
        "description": f"The case studies of the site as open data, schema version {SCHEMA_VERSION}.",
        "type": "object", "additionalProperties": False, "required": ["schema_version", "case_studies"],
        "properties": {
            "$schema": {"type": "string", "format": "uri", "description": "The address of this schema."},
            "schema_version": {"const": SCHEMA_VERSION, "description": "The version of the public schema."},
            "case_studies": {"type": "array", "items": {"$ref": "#/$defs/case_study"},
                             "description": "Every published case study, newest first."}},
        "$defs": {"case_study": case_study, "source": source},
    }


def case_studies_schema(schema_url: str) -> str:
    """data/case-studies.schema.json."""
    return dumps(json_schema(schema_url))


def table_field(f: PublicField) -> dict:
    """A field of the CSV's Table Schema (Frictionless Data): lists are text joined with "; "."""
    column = {"name": f.name, "type": KINDS[f.kind][1], "description": f.description}
    if f.kind == "url":
        column["format"] = "uri"
    constraints = dict(f.constraints)
    if not f.nullable and f.kind != "sources":  # a case study may have no sources: an empty cell
        constraints["required"] = True
    if constraints:
        column["constraints"] = constraints
    return column


def table_schema() -> dict:
    return {"fields": [table_field(f) for f in FIELDS], "primaryKey": ["id"], "missingValues": [""]}


def data_package(site: SiteConfig, home: str) -> str:
    """data/datapackage.json: a Frictionless Data Package (v1) describing the files, with the licence,
    publisher and source from site.yaml; `home` is the site's web address."""
    # The JSON Schema is not a resource of its own: validators read a file named *.schema.json as a Table Schema
    described = f"Its JSON Schema (draft 2020-12) is {SCHEMA_FILE}, beside it."
    resources = [
        {"name": "case-studies", "path": CSV_FILE, "profile": "tabular-data-resource", "title": "Case studies (CSV)",
         "description": "One row per case study; lists in one cell are joined with \"; \".", "format": "csv",
         "mediatype": "text/csv", "encoding": "utf-8",
         "dialect": {"delimiter": ",", "doubleQuote": True, "header": True, "lineTerminator": "\r\n",
                     "quoteChar": "\""},
         "schema": table_schema()},
        {"name": "case-studies-json", "path": JSON_FILE, "title": "Case studies (JSON)",
         "description": f"Every case study with all its fields; lists are arrays. {described}", "format": "json",
         "mediatype": "application/json", "encoding": "utf-8"},
        {"name": "case-studies-geojson", "path": GEOJSON_FILE, "title": "Case studies (GeoJSON)",
         "description": "A point for each case study with coordinates (longitude, latitude), with its other "
                        "fields as properties.", "format": "geojson", "mediatype": "application/geo+json",
         "encoding": "utf-8"},
    ]
    package = {"profile": "data-package", "name": slugify(site.title) or "case-studies", "title": site.title,
               "description": site.description, "homepage": home, "version": SCHEMA_VERSION,
               "sources": [{"title": site.title, "path": home}], "resources": resources}
    if site.license is not None:
        licence = {"path": site.license.url, "title": site.license.name}
        package["licenses"] = [{"name": site.license.id, **licence} if site.license.id else licence]
    if site.publisher:
        package["contributors"] = [{"title": site.publisher, "role": "publisher"}]
    return dumps(package)


FILTERS = {  # for the data files' templates (environment.make_environment)
    "case_studies_json": case_studies_json,
    "case_studies_csv": case_studies_csv,
    "case_studies_geojson": case_studies_geojson,
    "case_studies_schema": case_studies_schema,
    "data_package": data_package,
}
