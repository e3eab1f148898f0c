"""`sitegen new case-study`: start a case study with valid front matter and a body skeleton.

The front matter lists every key of `schema.CASE_STUDY_FIELDS` in order: the
ones the command knows are filled in (city, resolved country code, theme ids
checked against site.yaml, today's date, an empty sources list), the title
and summary hold TODO placeholders unless given, and the optional keys are
comments with their description. The file is created only if no case study
of that name (in any letter case) or URL exists. Problems are told like
every other sitegen problem, with a did-you-mean hint where one helps.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

from slugify import slugify

from ..model import countries
from ..build import pipeline
from .. import load
from ..model import schema
from ..load import yamltext
from ..model.records import PLACEHOLDER
from ..model.diagnostics import Report, display_path
from ..model.records import SiteConfig, Theme

SLUG_LENGTH = 60
TITLE_PLACEHOLDER = f"{PLACEHOLDER}: a headline that says what the city did"
SUMMARY_PLACEHOLDER = f"{PLACEHOLDER}: one sentence on what the city did, for whom, and what came of it"
SECTIONS = (
    ("Context", "The city, the people the initiative is for, and the need it answered."),
    ("What was done", "Who ran it, with which partners, from when, and how it worked."),
    ("Results", "What changed, with figures where a source gives them, and what others can learn from it."),
)
SOURCES_NOTE = """\
<!--
Sources: list each source in the front matter under 'sources:' (title, url,
publisher, date). The page shows them as a numbered list after this text,
so the body needs no Sources heading of its own. Link to a source in the
text as [its title](https://...).
-->
"""


class Refused(Exception):
    def __init__(self, where, message: str, fix: str = ""):
        super().__init__(message)
        self.where, self.message, self.fix = where, message, fix


def run(args) -> int:
    """The `new` command: exit 0 with the new file's path, or 1 with the reason nothing was written."""
    report = Report()
    try:
        path = create_case_study(Path(args.content), city=args.city, country=args.country, themes=args.theme,
                                 title=args.title, slug=args.slug, report=report)
    except Refused as exc:
        report.error(exc.where, None, exc.message, exc.fix)
        path = None
    if path is None:
        print(report.as_text(), file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    print(f"Created {display_path(path)}.")
    print(f"Next: replace each {PLACEHOLDER}, add the sources, then run `sitegen check`.")
    return 0


def create_case_study(content: Path, *, city: str, country: str, themes: list[str], title: str | None = None,
                      slug: str | None = None, today: dt.date | None = None,
                      report: Report | None = None) -> Path | None:
    """Write content/case-studies/<slug>.md and return its path; None (problems in `report`) or Refused."""
    report = report if report is not None else Report()
    config = load.load_site_config(content, report, None)
    if config is None:
        return None
    city = text_argument("--city", city)
    title = text_argument("--title", title) if title is not None else None
    found_country = find_country(country)
    found_themes = find_themes(themes, config)
    slug = choose_slug(slug, city, title, found_themes)
    folder = content / load.CASE_STUDY_DIR
    path = folder / f"{slug}.md"
    refuse_existing(content, path, slug)
    text = case_study_text(city, found_country, found_themes, today or dt.date.today(), title)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as f:
            f.write(text)
    except FileExistsError:
        raise Refused(path, "the file already exists; it was not changed",
                      "Edit it, or pass --slug with another name.") from None
    return path


def text_argument(option: str, value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise Refused(option, f"{option} is not valid text (the terminal passed bytes that are not UTF-8)",
                      "Type the value again, or set the terminal to UTF-8.") from None
    if yamltext.UNPRINTABLE.search(value):
        raise Refused(option, f"{option} holds a character that cannot be written in front matter",
                      "Type the value again without special characters.")
    try:
        return schema.coerce_text(value, option.lstrip("-"))
    except schema.Invalid as exc:
        raise Refused(option, exc.message.replace(f"'{option.lstrip('-')}'", option), exc.fix) from None


def find_country(value: str):
    found = countries.resolve_country(value)
    if found is None:
        guess = countries.suggest_country(value)
        fix = (f"Did you mean '{guess.name}' (--country {guess.code})?" if guess
               else "Use an ISO 3166 code such as PL, IR or KR, or the country's English name.")
        raise Refused("--country", f"unknown country '{value}'", fix)
    return found


def find_themes(values: list[str], config: SiteConfig) -> tuple[Theme, ...]:
    vocabulary = load.ThemeVocabulary(config.themes)
    found: list[Theme] = []
    for value in values:
        theme = vocabulary.find(value) if value.strip() else None
        if theme is None:
            raise Refused("--theme", f"unknown theme '{value}'", vocabulary.suggest(value))
        if theme not in found:
            found.append(theme)
    return tuple(found)


def choose_slug(slug: str | None, city: str, title: str | None, themes: tuple[Theme, ...]) -> str:
    if slug is not None:
        try:
            return schema.coerce_slug(slug, "--slug")
        except schema.Invalid as exc:
            raise Refused("--slug", exc.message.replace("'--slug'", "--slug"), exc.fix) from None
    city_slug = slugify(city)
    if title:
        title_slug = slugify(title)
        words = title_slug if title_slug.startswith(city_slug) else f"{city_slug}-{title_slug}"
    else:
        words = f"{city_slug}-{themes[0].id}" if city_slug else ""
    made = slugify(words, max_length=SLUG_LENGTH, word_boundary=True)
    if not city_slug or not made:
        raise Refused("--city", f"cannot make a URL name from '{city}'",
                      "Pass one with --slug, e.g. --slug gdynia-health.")
    return made


def refuse_existing(content: Path, path: Path, slug: str) -> None:
    folder = path.parent
    if folder.is_dir():
        for other in folder.iterdir():
            if load.folded(other.name) == load.folded(path.name):
                raise Refused(other, "this case study already exists; it was not changed",
                              "Edit it, or pass --slug with another name.")
    documents: dict = {}
    loaded = load.load_content(content, Report(), documents=documents, rules=pipeline.load_rules())
    for study in loaded.case_studies if loaded else ():
        if study.slug == slug:
            raise Refused(content / study.body.rel, f"this case study already uses the URL name '{slug}'",
                          "Pass --slug with another name.")
    for rel, doc in documents.items():  # files with errors still claim their slug
        if rel.startswith(load.CASE_STUDY_DIR + "/") and isinstance(doc.value, dict) and doc.value.get("slug") == slug:
            raise Refused(content / rel, f"this case study already uses the URL name '{slug}'",
                          "Pass --slug with another name.")


def quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def case_study_text(city: str, country, themes: tuple[Theme, ...], date: dt.date, title: str | None) -> str:
    values = {
        "title": quoted(title or TITLE_PLACEHOLDER),
        "city": quoted(city),
        "country": f"{country.code}  # {country.name}",
        "themes": "[" + ", ".join(t.id for t in themes) + "]  # " + "; ".join(t.name for t in themes),
        "date": f"{date.isoformat()}  # of the initiative or its main source",
        "summary": quoted(SUMMARY_PLACEHOLDER),
        "sources": "[]",
    }
    lines = ["---", "# Lines starting with # are notes; remove the # to use a key. Rules: schema/case-study.schema.json"]
    for f in schema.CASE_STUDY_FIELDS:
        if f.name in values:
            lines.append(f"{f.name}: {values[f.name]}")
        else:
            lines.append(f"# {f.name}: {f.description}")
        if f.name == "sources":
            lines += ["# Replace [] above with one entry per source:",
                      "#   - title: \"Title of the report or web page\"",
                      "#     url: https://...",
                      "#     publisher: Who published it",
                      "#     date: YYYY-MM-DD"]
    lines.append("---")
    body = [f"{PLACEHOLDER}: the opening paragraph. Say in two or three sentences what {city} did, for whom, "
            "and why it matters; it is shown under the title when there is no summary.", ""]
    for heading, prompt in SECTIONS:
        body += [f"## {heading}", "", f"{PLACEHOLDER}: {prompt}", ""]
    return "\n".join(lines) + "\n\n" + "\n".join(body) + "\n" + SOURCES_NOTE
