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
no time of the build anywhere.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from slugify import slugify

from ..index.site import SiteModel
from ..model import schema
from ..model.records import CaseStudy, SiteConfig
from .views import summary_of

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


def public_record(study: CaseStudy, url: str) -> PublicCaseStudy:
    """A case study as the open data publishes it; `url` is its page's web address."""
    lat, lon = study.coordinates if study.coordinates is not None else (None, None)
    return PublicCaseStudy(
        id=study.slug, url=url, title=study.title, summary=summary_of(study) or None, city=study.city,
        city_native=study.city_native, city_native_lang=study.city_native_lang, country_code=study.country.code,
        country=study.country.name, region=study.region.name, themes=tuple(t.name for t in study.themes),
        theme_ids=tuple(t.id for t in study.themes), date=study.date.isoformat(),
        updated=study.updated.isoformat() if study.updated else None, latitude=lat, longitude=lon,
        sources=tuple(Source(s.title, s.url, s.publisher, s.date) for s in study.sources), language=study.lang)


def public_records(model: SiteModel) -> tuple[PublicCaseStudy, ...]:
    """Every published case study, in the order of the site's list: newest first, then by title and slug."""
    return tuple(public_record(s, model.urls.absolute(model.routes.path("case_study", s.slug))) for s in model.studies)


# --------------------------------------------------------------------------- the files

def dumps(value) -> str:
    """The JSON text of the data files: UTF-8 as it is, keys sorted, indented, a final newline."""
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def json_value(record: PublicCaseStudy, name: str):
    value = getattr(record, name)
    if name == "sources":
        return [dataclasses.asdict(s) for s in value]
    return list(value) if isinstance(value, tuple) else value


def record_object(record: PublicCaseStudy, leave_out: tuple[str, ...] = ()) -> dict:
    return {name: json_value(record, name) for name in NAMES if name not in leave_out}


def case_studies_json(records: Iterable[PublicCaseStudy], schema_url: str) -> str:
    """data/case-studies.json: the schema's version and every case study."""
    return dumps({"$schema": schema_url, "schema_version": SCHEMA_VERSION,
                  "case_studies": [record_object(r) for r in records]})


def csv_cell(record: PublicCaseStudy, name: str) -> str:
    value = getattr(record, name)
    if value is None:
        return ""
    if name == "sources":
        return LIST_SEPARATOR.join(s.url for s in value)
    if isinstance(value, tuple):
        return LIST_SEPARATOR.join(value)
    if isinstance(value, float):
        return json.dumps(value)  # the shortest text that reads back as the same number
    return value


def case_studies_csv(records: Iterable[PublicCaseStudy]) -> str:
    """data/case-studies.csv (RFC 4180): a header of the field names, one row per case study, CRLF line ends,
    lists joined with "; "; with a byte-order mark, so spreadsheet programs read it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(NAMES)
    writer.writerows([csv_cell(r, name) for name in NAMES] for r in records)
    return "\ufeff" + out.getvalue()


def case_studies_geojson(records: Iterable[PublicCaseStudy]) -> str:
    """data/case-studies.geojson (RFC 7946): a Point feature (longitude, latitude) for each case study with
    coordinates; its other fields are the feature's properties."""
    return dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": r.id, "geometry": {"type": "Point", "coordinates": [r.longitude, r.latitude]},
         "properties": record_object(r, leave_out=("latitude", "longitude"))}
        for r in records if r.latitude is not None and r.longitude is not None]})


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
