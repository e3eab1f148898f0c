"""The front-matter contract: which keys a case study and a page may have, and what each means.

One source of truth for the loader's validation, the published JSON Schema
and the `new` command's skeleton. Each field names a *kind*; `coerce` turns
the text a YAML author wrote into a typed value, or says what is wrong and
how to fix it. Nothing here knows about files or the site.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
LANG_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Invisible control characters (C0 but tab, line feed and carriage return; DEL; C1). They come from
# copying out of PDFs and word processors, show as nothing, and are invalid in HTML and XML.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # text | date | slug | bool | int | lang | themes | coordinates | sources | path
    required: bool
    description: str
    example: object = None


CASE_STUDY_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "Headline of the case study.", "Every Home, A Health Base"),
    Field("city", "text", True, "City name as readers know it, in any script.", "Kashan"),
    Field("city_native", "text", False, "The city's name in the local script.", "کاشان"),
    Field("city_native_lang", "lang", False, "Language code (BCP 47) of city_native, e.g. fa, ar, ko.", "fa"),
    Field("country", "text", True, "ISO 3166-1 code (IR, IRN) or English name (Iran).", "IR"),
    Field("themes", "themes", True, "One or more theme names or ids from site.yaml.", ["health-wellbeing"]),
    Field("date", "date", True, "Date of the initiative or its main source, YYYY-MM-DD.", "2021-08-17"),
    Field("updated", "date", False, "Date of the last real change to the text, YYYY-MM-DD (on or after date).", None),
    Field("summary", "text", False, "One sentence; the first paragraph is used when absent.", None),
    Field("region", "text", False, "UNESCO region; derived from the country when absent.", None),
    Field("coordinates", "coordinates", False, "[latitude, longitude] of the city.", [33.99, 51.44]),
    Field("image", "path", False, "Image file, relative to this file.", None),
    Field("image_alt", "text", False, "What the image shows, for readers who cannot see it.", None),
    Field("image_credit", "text", False, "Who made the image, and its licence.", None),
    Field("sources", "sources", False, "Where the facts come from: title, url, publisher, date.", None),
    Field("slug", "slug", False, "URL name; the file name is used when absent.", None),
    Field("draft", "bool", False, "true keeps the case study off the published site.", None),
)

PAGE_FIELDS: tuple[Field, ...] = (
    Field("title", "text", True, "Page title.", "About this showcase"),
    Field("slug", "slug", False, "URL name; the file name is used when absent.", "about"),
    Field("summary", "text", False, "One sentence for search engines and link previews.", None),
    Field("menu", "int", False, "Position in the main navigation; absent pages are not in it.", 1),
)

HOME_FIELDS: tuple[Field, ...] = (
    Field("title", "text", False, "Heading of the home page.", None),
    Field("summary", "text", False, "One sentence for search engines and link previews.", None),
)

SOURCE_KEYS = ("title", "url", "publisher", "date")


class Invalid(ValueError):
    """A value that cannot be used; `fix` tells the author what to write instead."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.message = message
        self.fix = fix


def closest(word: str, choices, cutoff: float = 0.6) -> str | None:
    found = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1, cutoff=cutoff)
    if not found:
        return None
    return next(c for c in choices if c.lower() == found[0])


def coerce_text(value, name: str) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise Invalid(f"'{name}' must be text", f"Write it on one line: {name}: some text")
    found = CONTROL_RE.search(str(value))
    if found:
        raise Invalid(f"'{name}' holds an invisible control character (U+{ord(found.group()):04X})",
                      "Retype the value, or paste it as plain text (such characters come from PDFs "
                      "and word processors).")
    text = " ".join(str(value).split())
    if not text:
        raise Invalid(f"'{name}' is empty", f"Give '{name}' a value.")
    return text


def coerce_date(value, name: str) -> dt.date:
    text = coerce_text(value, name)
    m = DATE_RE.match(text)
    if not m:
        raise Invalid(f"'{name}' is '{text}', not a date in the form YYYY-MM-DD",
                      f"Write it as {name}: 2021-08-17.")
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError as exc:
        raise Invalid(f"'{name}' is '{text}', which is not a real date ({exc})",
                      "Check the month (01-12) and the day of that month.") from None


def coerce_slug(value, name: str) -> str:
    text = coerce_text(value, name)
    if not SLUG_RE.match(text):
        raise Invalid(f"'{name}' is '{text}'; a slug may only hold lowercase a-z, 0-9 and single hyphens",
                      "Write it like kashan-health-tv.")
    return text


TRUE_WORDS = ("true", "yes", "on")
FALSE_WORDS = ("false", "no", "off")


def coerce_bool(value, name: str) -> bool:
    text = coerce_text(value, name).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise Invalid(f"'{name}' is '{text}', not true or false", f"Write {name}: true or {name}: false.")


def coerce_int(value, name: str) -> int:
    text = coerce_text(value, name)
    try:
        return int(text)
    except ValueError:
        raise Invalid(f"'{name}' is '{text}', not a whole number", f"Write e.g. {name}: 1.") from None


def coerce_lang(value, name: str) -> str:
    text = coerce_text(value, name)
    if not LANG_RE.match(text):
        raise Invalid(f"'{name}' is '{text}', not a language code", "Use a code such as fa, ar, ko, zh or el.")
    return text


def coerce_list(value, name: str) -> list:
    if isinstance(value, str) and value.strip():
        return [value]  # `themes: literacy` means a list of one
    if not isinstance(value, list) or not value:
        raise Invalid(f"'{name}' must be a list with at least one item", f"Write {name}: [first, second].")
    return value


def coerce_coordinates(value, name: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise Invalid(f"'{name}' must be two numbers, [latitude, longitude]", f"Write {name}: [33.99, 51.44].")
    try:
        lat, lon = (float(str(v)) for v in value)
    except (TypeError, ValueError):
        raise Invalid(f"'{name}' must hold two numbers", f"Write {name}: [33.99, 51.44].") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Invalid(f"'{name}' [{lat}, {lon}] is off the globe: latitude is -90..90, longitude -180..180",
                      "Latitude comes first; check the order and the signs.")
    return (lat, lon)


def unknown_key_fix(key: str, fields: tuple[Field, ...]) -> str:
    guess = closest(key, [f.name for f in fields])
    if guess:
        return f"Did you mean '{guess}'?"
    return "Known keys: " + ", ".join(f.name for f in fields) + "."


SCALAR_COERCERS = {
    "text": coerce_text,
    "date": coerce_date,
    "slug": coerce_slug,
    "bool": coerce_bool,
    "int": coerce_int,
    "lang": coerce_lang,
    "path": coerce_text,
    "coordinates": coerce_coordinates,
}
