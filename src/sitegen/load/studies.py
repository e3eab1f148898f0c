"""Case studies, free pages and the home page: one Markdown file in, one validated record out.

Owns each record's fields: countries, regions and themes resolved, the lead
image and sources checked, slugs taken from the file name unless given, and
no two records with the same slug. `StudyLoader` loads one case study on its
own, so a caller may load files on any core or reuse an unchanged file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


from ..model import countries
from ..model import schema
from . import yamltext
from ..model.diagnostics import Report, display_path
from ..model.records import CaseStudy, Home, Image, Page, SiteConfig, Source, Theme, key_marks
from ..model.schema import Invalid
from ..model.urls import Reserved
from .config import ThemeVocabulary
from .documents import check_fields, read_markdown
from .files import CEILING_BYTES, DEFAULT_LIMITS, HOME_FILE, NOTHING_RESERVED, FileLimits, file_slug


def no_excerpt(markdown_text: str) -> str:
    return ""


@dataclass(frozen=True)
class StudyLoader:
    """Loads one case-study file on its own, so files can be loaded in any process, or skipped.

    A result depends only on the file and on `key` (the site's settings, its file size limits
    and the set of published files), so a caller may reuse it while both are unchanged.
    """

    root: Path
    config: SiteConfig
    themes: "ThemeVocabulary"
    published: frozenset[str]
    keep_documents: bool = True  # the parsed front matter, for `check`
    excerpt: Callable[[str], str] = no_excerpt  # see LoadRules
    folders: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # see is_inside
    limits: FileLimits = DEFAULT_LIMITS  # site.yaml's limits:

    @property
    def key(self) -> str:
        return repr((str(self.root), self.config, self.limits, sorted(self.published)))

    def __call__(self, path: Path) -> tuple[CaseStudy | None, list, tuple | None]:
        """(the record or None, its diagnostics, (posix path, parsed front matter) or None)."""
        report, documents = Report(), {}
        study = load_case_study(self.root, path, self.config, self.themes, report, documents, self.published,
                                self.folders, self.excerpt, self.limits)
        document = next(iter(documents.items()), None) if self.keep_documents else None
        return study, report.items, document


def serial_map(function, items) -> list:
    return [function(item) for item in items]


def load_case_study(root: Path, path: Path, config: SiteConfig, themes: ThemeVocabulary,
                    report: Report, documents: dict | None = None,
                    published: frozenset[str] | None = None, folders: dict[str, str] | None = None,
                    excerpt: Callable[[str], str] = no_excerpt,
                    limits: FileLimits = DEFAULT_LIMITS) -> CaseStudy | None:
    parsed = read_markdown(root, path, report, need_front_matter=True, documents=documents, folders=folders,
                           limit=limits.text)
    if parsed is None:
        return None
    doc, body = parsed
    before = report.count("error")
    values = check_fields(path, doc, schema.CASE_STUDY_FIELDS, report, partial=True)
    country = resolve_country(path, doc, values["country"], report) if "country" in values else None
    theme_list = resolve_themes(path, doc, values["themes"], themes, report) if "themes" in values else ()
    region = (resolve_region(path, doc, values.get("region"), country, report)
              if "region" in values or country else None)
    image = resolve_image(root, path, doc, values, report, published)
    sources = resolve_sources(path, doc, values.get("sources"), report)
    if "updated" in values and "date" in values and values["updated"] < values["date"]:
        mark = doc.value_mark("updated")
        report.error(path, mark.line, f"'updated' ({values['updated']}) is before 'date' ({values['date']})",
                     "updated is when the text last changed, on or after date: fix one of the two.", mark.column)
    slug = values.get("slug") or file_slug(path)
    if not slug:
        report.error(path, None, "the file name gives no usable URL name", "Add 'slug: city-topic' to the front matter.")
    if report.count("error") > before:
        return None
    return CaseStudy(
        slug=slug, title=values["title"], city=values["city"],
        city_native=values.get("city_native"), city_native_lang=values.get("city_native_lang"),
        country=country, themes=theme_list, date=values["date"], summary=values.get("summary"),
        region=region, coordinates=values.get("coordinates"), image=image, sources=sources,
        draft=values.get("draft", False), body=body, lang=config.language,
        excerpt="" if values.get("summary") else excerpt(body.markdown), updated=values.get("updated"),
        marks=key_marks(doc),
    )


def resolve_country(path, doc, value: str, report: Report):
    country = countries.resolve_country(value)
    if country is None:
        guess = countries.suggest_country(value)
        fix = (f"Did you mean '{guess.name}' ({guess.code})?" if guess
               else "Use an ISO 3166 code such as IR, PL or KR, or the country's English name.")
        mark = doc.value_mark("country")
        report.error(path, mark.line, f"unknown country '{value}'", fix, mark.column)
    return country


def resolve_themes(path, doc, value, themes: ThemeVocabulary, report: Report) -> tuple[Theme, ...]:
    try:
        items = schema.coerce_list(value, "themes")
    except Invalid as exc:
        mark = doc.value_mark("themes")
        report.error(path, mark.line, exc.message, exc.fix, mark.column)
        return ()
    found: list[Theme] = []
    for i, item in enumerate(items):
        mark = doc.value_mark("themes", i) if isinstance(value, list) else doc.value_mark("themes")
        if not isinstance(item, str) or not item.strip():
            report.error(path, mark.line, "each theme must be a theme name or id", themes.suggest(""), mark.column)
            continue
        try:
            schema.coerce_text(item, "themes")
        except Invalid as exc:
            report.error(path, mark.line, exc.message, exc.fix, mark.column)
            continue
        theme = themes.find(item)
        if theme is None:
            report.error(path, mark.line, f"unknown theme '{item}'", themes.suggest(item), mark.column)
        elif theme not in found:
            found.append(theme)
    return tuple(found)


def resolve_region(path, doc, value: str | None, country, report: Report):
    if value is None:
        return countries.region_by_id(country.region_id) if country else None
    region = countries.resolve_region(value)
    if region is None:
        guess = countries.suggest_region(value)
        names = "; ".join(r.name for r in countries.regions())
        fix = f"Did you mean '{guess.name}'? " if guess else ""
        mark = doc.value_mark("region")
        report.error(path, mark.line, f"unknown region '{value}'",
                     fix + f"UNESCO's regions are: {names}. Or leave region out to derive it from the country.",
                     mark.column)
    return region


def resolve_image(root: Path, path: Path, doc, values: dict, report: Report,
                  published: frozenset[str] | None = None) -> Image | None:
    src = values.get("image")
    if src is None:
        if values.get("image_alt") or values.get("image_credit"):
            key = "image_alt" if values.get("image_alt") else "image_credit"
            report.warning(path, doc.mark(key).line, "image_alt or image_credit is given but there is no image",
                           "Add 'image:' or remove them.", doc.mark(key).column)
        return None
    mark = doc.value_mark("image")
    line, column = mark.line, mark.column
    if not values.get("image_alt"):
        report.error(path, doc.mark("image").line, "the image has no image_alt",
                     "Add 'image_alt:' describing what the image shows, for readers who cannot see it.",
                     doc.mark("image").column)
        return None
    if urlsplit(src).scheme in ("http", "https"):
        report.error(path, line, f"image '{src}' is a web address, not a file in the content folder",
                     "Download the image (if its licence allows), put it beside the case study "
                     "and write its file name.", column)
        return None
    target = resolve_inside(root, path.parent, src)
    if target is None:
        report.error(path, line, f"image '{src}' points outside the content folder",
                     "Keep images beside the case study or in a subfolder.", column)
        return None
    try:
        found = target.is_file()
    except OSError as exc:  # a name the system cannot use, e.g. longer than 255 bytes
        report.error(path, line, f"image '{src}' cannot be opened: {exc.strerror}",
                     "Check the file name and folder; give the image a shorter name.", column)
        return None
    if not found:
        report.error(path, line, f"image file '{src}' does not exist", "Check the file name and folder.", column)
        return None
    rel = target.relative_to(root.resolve()).as_posix()
    if published is not None and rel not in published:
        report.error(path, line, f"image '{src}' is not a file the site publishes",
                     "Use an image file (.jpg, .png, .webp, .svg); Markdown, hidden and site files "
                     "are not copied to the site.", column)
        return None
    return Image(rel, values["image_alt"], values.get("image_credit"), line)


def resolve_inside(root: Path, base: Path, ref: str) -> Path | None:
    """`ref` resolved against `base`, or None when it leaves `root` (../, absolute, symlinks)."""
    if ref.startswith("/") or re.match(r"^[A-Za-z]:", ref) or "\\" in ref or "\0" in ref:
        return None
    try:
        target = (base / ref).resolve()
        target.relative_to(root.resolve())
    except (ValueError, OSError, RuntimeError):  # outside, or a name the system cannot use
        return None
    return target


def resolve_sources(path, doc, value, report: Report) -> tuple[Source, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        mark = doc.value_mark("sources")
        report.error(path, mark.line, "'sources' must be a list",
                     "Write each source as '- title: ...' with 'url: ...' below it.", mark.column)
        return ()
    sources = []
    for i, item in enumerate(value):
        mark = doc.value_mark("sources", i)
        if not isinstance(item, dict):
            report.error(path, mark.line, f"source {i + 1} must have 'title:' and 'url:'",
                         "Write '- title: Report name' and, indented below it, 'url: https://...'.", mark.column)
            continue
        for key in item:
            if key not in schema.SOURCE_KEYS:
                key_mark = doc.mark("sources", i, key)
                report.warning(path, key_mark.line, f"unknown key '{key}' in source {i + 1}",
                               schema.unknown_key_fix(key, tuple(schema.Field(k, "", False, "") for k in schema.SOURCE_KEYS)),
                               key_mark.column)
        try:
            field = "title"
            title = schema.coerce_text(item.get("title"), "title")
            field = "url"
            url = schema.coerce_text(item.get("url"), "url")
            field = "publisher"
            publisher = schema.coerce_text(item["publisher"], "publisher") if item.get("publisher") else None
            field = "date"
            date = schema.coerce_text(item["date"], "date") if item.get("date") else None
        except Invalid as exc:
            where = doc.value_mark("sources", i, field) if field in item else mark
            report.error(path, where.line, f"source {i + 1}: {exc.message}", exc.fix, where.column)
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            where = doc.value_mark("sources", i, "url")
            report.error(path, where.line, f"source {i + 1}: url '{url}' is not a web address",
                         "Sources must be public http:// or https:// links.", where.column)
            continue
        sources.append(Source(title, url, publisher, date))
    return tuple(sources)


# ---------------------------------------------------------------- pages and home

def load_page(root: Path, path: Path, config: SiteConfig, report: Report,
              documents: dict | None = None, reserved: Reserved = NOTHING_RESERVED,
              limits: FileLimits = DEFAULT_LIMITS) -> Page | None:
    parsed = read_markdown(root, path, report, need_front_matter=True, documents=documents, limit=limits.text)
    if parsed is None:
        return None
    doc, body = parsed
    values = check_fields(path, doc, schema.PAGE_FIELDS, report)
    if values is None:
        return None
    slug = values.get("slug") or file_slug(path)
    if slug.lower() in reserved.slugs:
        mark = doc.value_mark("slug") if "slug" in doc.value else yamltext.Mark(None, None)
        report.error(path, mark.line, f"the page slug '{slug}' is taken by the site's own pages",
                     "Choose another slug.", mark.column)
        return None
    return Page(slug, values["title"], values.get("summary"), values.get("menu"), body, config.language,
                marks=key_marks(doc))


def load_home(root: Path, report: Report, documents: dict | None = None,
              limits: FileLimits = DEFAULT_LIMITS) -> Home:
    path = root / HOME_FILE
    if not os.path.lexists(path):  # a home.md that is a link to nowhere or a named pipe is reported
        return Home(None, None, None)
    parsed = read_markdown(root, path, report, need_front_matter=False, documents=documents, limit=limits.text)
    if parsed is None:
        return Home(None, None, None)
    doc, body = parsed
    values = check_fields(path, doc, schema.HOME_FIELDS, report) or {}
    return Home(values.get("title"), values.get("summary"), body, marks=key_marks(doc))


def check_unique_slugs(root: Path, studies, pages, report: Report, documents: dict | None = None) -> None:
    """No two case studies (or pages) with one URL; the error names both files, each at its slug's line."""
    documents = documents or {}
    for kind, items in (("case study", studies), ("page", pages)):
        seen: dict[str, object] = {}
        for item in items:
            first = seen.setdefault(item.slug, item)
            if first is item:
                continue
            here, here_given = slug_mark(root, item.body.rel, documents)
            there, there_given = slug_mark(root, first.body.rel, documents)
            same_name = first.body.rel.casefold() == item.body.rel.casefold()
            origin = "which sets it with 'slug:'" if there_given else "which takes it from its file name"
            report.error(root / item.body.rel, here.line,
                         f"{kind} URL '{item.slug}' is also used by {display_path(root / first.body.rel)}:"
                         f"{there.line}, {origin}"
                         + (" (the two file names differ only in upper and lower case, which Windows "
                            "and macOS see as one file)" if same_name else ""),
                         "Give one of the two a different 'slug:'"
                         + ("." if here_given and there_given else ", or rename one of the files."), here.column)


def slug_mark(root: Path, rel: str, documents: dict) -> tuple[yamltext.Mark, bool]:
    """Where a file's URL comes from: its `slug:` value, or line 1 (its file name); and whether it is given.

    The front matter is read again when the load kept no marks for it (only on a duplicate, so rarely).
    """
    doc = documents.get(rel)
    if doc is None:
        # (a file loaded already, within its limit: read again up to the highest limit there is)
        parsed = read_markdown(root, root / rel, Report(), need_front_matter=False, limit=CEILING_BYTES)
        doc = parsed[0] if parsed is not None else None
    if doc is not None and isinstance(doc.value, dict) and doc.value.get("slug") is not None:
        return doc.value_mark("slug"), True
    return yamltext.Mark(1, None), False
