"""The case-study front-matter rules as a JSON Schema (draft 2020-12), for editors and other tools.

Generated from `schema.CASE_STUDY_FIELDS` and its patterns, the definitions
the loader validates with, so the two cannot drift (a test compares the
committed `schema/case-study.schema.json` with a fresh generation). The
schema describes front matter the way an editor's YAML 1.2 parser sees it
(dates and country codes are strings, `true`/`false` are booleans).

Themes differ per site, so the published schema accepts any theme text; the
loader and `sitegen check` check them against site.yaml. For completion of
one site's themes, generate a site-specific schema:

    python -m sitegen.commands.json_schema                       # the published, generic schema
    python -m sitegen.commands.json_schema --content content     # with this site's theme ids and names
    python -m sitegen.commands.json_schema --output schema/case-study.schema.json

What JSON Schema cannot know (whether a country or theme exists, whether
the image file is there, links, headings) is left to `sitegen check`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..model import countries
from .. import load
from ..model import schema
from ..model.diagnostics import Report
from ..model.records import Theme

DRAFT = "https://json-schema.org/draft/2020-12/schema"
PUBLISHED = Path("schema") / "case-study.schema.json"
# Control characters the loader refuses (schema.CONTROL_RE), as a JSON Schema (ECMA-262) class.
_CONTROL = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
TEXT_PATTERN = f"^[^{_CONTROL}]*[^{_CONTROL}\\s][^{_CONTROL}]*$"  # something visible, no control characters
WEB_ADDRESS = "^[Hh][Tt][Tt][Pp][Ss]?://[^/?#\\s]+"


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


TEXT = {"type": "string", "pattern": TEXT_PATTERN,
        "description": "Text with something visible in it and no invisible control characters."}


def _text(description: str = "") -> dict:
    return {"$ref": "#/$defs/text", **({"description": description} if description else {})}


def kind_schema(kind: str, themes: tuple[Theme, ...] = ()) -> dict:
    """The JSON Schema of one field kind of `schema` (see `schema.Field.kind`)."""
    if kind == "text":
        return _text()
    if kind == "path":  # relative, inside the content folder: no /..., C:..., http(s):... or backslashes
        return {**_text(), "not": {"pattern": "^(?:/|[A-Za-z]:|[Hh][Tt][Tt][Pp][Ss]?:)|\\\\"}}
    if kind == "date":
        return {"type": "string", "pattern": schema.DATE_RE.pattern, "format": "date"}
    if kind == "slug":
        return {"type": "string", "pattern": schema.SLUG_RE.pattern}
    if kind == "lang":
        return {"type": "string", "pattern": schema.LANG_RE.pattern}
    if kind == "int":
        return {"type": "integer"}
    if kind == "bool":
        words = "|".join(_any_case(w) for w in schema.TRUE_WORDS + schema.FALSE_WORDS)
        return {"anyOf": [{"type": "boolean"}, {"type": "string", "pattern": f"^(?:{words})$"}]}
    if kind == "coordinates":
        return {"type": "array", "minItems": 2, "maxItems": 2, "items": False, "prefixItems": [
            {"type": "number", "minimum": -90, "maximum": 90, "description": "latitude"},
            {"type": "number", "minimum": -180, "maximum": 180, "description": "longitude"},
        ]}
    if kind == "themes":
        if themes:
            one = {"enum": sorted({t.id for t in themes} | {t.name for t in themes}, key=str.casefold)}
        else:
            one = _text("A theme id or name from site.yaml.")
        return {"anyOf": [one, {"type": "array", "minItems": 1, "items": one}]}
    if kind == "sources":
        return {"type": "array", "items": {
            "type": "object",
            "required": ["title", "url"],
            "additionalProperties": False,
            "properties": {
                "title": _text("Title of the report or web page."),
                "url": {"type": "string", "pattern": WEB_ADDRESS, "description": "Its public http:// or https:// address."},
                "publisher": _optional(_text("Who published it.")),
                "date": _optional(_text("When it was published, e.g. 2021-08-17.")),
            },
        }}
    raise ValueError(f"no JSON Schema for field kind '{kind}'")


def _optional(definition: dict) -> dict:
    """Also accept an empty value (`key:` with nothing after it): the loader treats it as absent."""
    outer = {k: definition.pop(k) for k in ("description", "examples") if k in definition}
    if set(definition) == {"anyOf"}:
        return {**outer, "anyOf": definition["anyOf"] + [{"type": "null"}]}
    return {**outer, "anyOf": [definition, {"type": "null"}]}


def field_schema(f: schema.Field, themes: tuple[Theme, ...] = ()) -> dict:
    definition = kind_schema(f.kind, themes)
    definition.pop("description", None)
    definition = {"description": f.description, **definition}
    if f.name == "region":
        definition["examples"] = [r.name for r in countries.regions()]
    elif f.example is not None:
        definition["examples"] = [f.example]
    return definition if f.required else _optional(definition)


def case_study_schema(themes: tuple[Theme, ...] = ()) -> dict:
    """The front matter of a case study as JSON Schema; `themes` (a site's) makes the theme list closed."""
    where = "the themes of this site" if themes else "any theme text (sitegen check compares it with site.yaml)"
    return {
        "$schema": DRAFT,
        "title": "sitegen case study front matter",
        "description": (
            "The keys between the two '---' lines at the top of content/case-studies/*.md. "
            f"Generated from sitegen.model.schema by `python -m sitegen.commands.json_schema`; do not edit by hand. "
            f"Themes: {where}. `sitegen check` also checks what a schema cannot: countries, themes, "
            "image files, links and headings."
        ),
        "type": "object",
        "required": [f.name for f in schema.CASE_STUDY_FIELDS if f.required],
        "additionalProperties": False,
        "properties": {f.name: field_schema(f, themes) for f in schema.CASE_STUDY_FIELDS},
        "$defs": {"text": TEXT},
    }


def dumps(definition: dict) -> str:
    return json.dumps(definition, ensure_ascii=False, indent=2) + "\n"


def site_themes(content: Path) -> tuple[Theme, ...] | None:
    report = Report()
    config = load.load_site_config(content, report, None)
    if config is None:
        print(report.as_text(), file=sys.stderr)
        return None
    return config.themes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sitegen.commands.json_schema",
                                     description="Print (or write) the case-study front matter as JSON Schema.")
    parser.add_argument("--content", type=Path, help="list the themes of this content folder's site.yaml")
    parser.add_argument("--output", type=Path, help="write to this file instead of printing")
    args = parser.parse_args(argv)
    themes: tuple[Theme, ...] = ()
    if args.content is not None:
        found = site_themes(args.content)
        if found is None:
            return 1
        themes = found
    text = dumps(case_study_schema(themes))
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
