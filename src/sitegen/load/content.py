"""Load stage: a content folder in, validated records out.

Owns reading files (UTF-8 with or without BOM, any line ending), splitting
front matter from the body (python-frontmatter), checking every value against
`schema`, resolving countries, regions and themes, finding assets, and the
excerpt a card shows when a case study has no summary. Each problem becomes
a located diagnostic; a record is made only from a clean file.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import frontmatter
from slugify import slugify

from ..model import countries
from ..model import schema
from . import yamltext
from ..model.diagnostics import Report
from ..model.records import Asset, CaseStudy, Content, Home, Image, Page, SiteConfig, Source, Text, Theme
from ..model.schema import Invalid
from ..model.urls import Reserved

CASE_STUDY_DIR = "case-studies"
PAGES_DIR = "pages"
SITE_FILE = "site.yaml"
HOME_FILE = "home.md"
OVERRIDES_DIR = "templates"  # a content folder may carry its own template overrides
NOTHING_RESERVED = Reserved(frozenset(), frozenset(), frozenset(), (), frozenset())
SITE_KEYS = ("title", "description", "base_url", "language", "themes", "cname")
THEME_KEYS = ("name", "id", "description")

_FM = frontmatter.YAMLHandler()


def no_excerpt(markdown_text: str) -> str:
    return ""


@dataclass(frozen=True)
class LoadRules:
    """What the later stages ask of the load stage (passed in: load knows no page kind or HTML).

    `reserved`: the names the outputs registry makes itself. `excerpt`: the plain text a card
    shows for a case study without a summary, made from its Markdown (the markup stage's).
    """

    reserved: Reserved = NOTHING_RESERVED
    excerpt: Callable[[str], str] = no_excerpt


def load_content(root: Path, report: Report, base_url: str | None = None,
                 documents: dict[str, yamltext.Document] | None = None, mapper=None,
                 rules: LoadRules = LoadRules()) -> Content | None:
    """Read and validate the whole content folder; None when the site cannot be built.

    `documents`, when given, receives the parsed front matter of every Markdown
    file (keyed by its posix path in the folder), so later checks can point at
    the line of a value. `mapper(loader, paths)`, when given, applies the
    per-file `StudyLoader` to the case studies (the pipeline passes one that
    runs on all cores and reuses unchanged files); by default it is a plain map.
    """
    root = Path(root)
    if not root.is_dir():
        report.error(root, None, "content folder not found", "Pass the folder with --content DIR.")
        return None
    config = load_site_config(root, report, base_url)
    if config is None:
        return None
    wanted_documents = documents is not None
    documents = {} if documents is None else documents
    themes = ThemeVocabulary(config.themes)
    assets = find_assets(root, report, rules.reserved)
    published = frozenset(a.rel for a in assets)
    loader = StudyLoader(root, config, themes, published, keep_documents=wanted_documents, excerpt=rules.excerpt)
    studies = []
    for study, items, document in (mapper or serial_map)(loader, markdown_files(root / CASE_STUDY_DIR, report)):
        report.items.extend(items)
        if document is not None:
            documents[document[0]] = document[1]
        if study is not None:
            studies.append(study)
    pages = [
        page for path in markdown_files(root / PAGES_DIR, report)
        if (page := load_page(root, path, config, report, documents, rules.reserved)) is not None
    ]
    home = load_home(root, report, documents)
    check_unique_slugs(root, studies, pages, report, documents)
    return Content(root, config, tuple(studies), tuple(pages), home, tuple(assets))


# ---------------------------------------------------------------- site.yaml

def load_site_config(root: Path, report: Report, base_url: str | None) -> SiteConfig | None:
    path = root / SITE_FILE
    if not path.is_file():
        report.error(path, None, "site.yaml is missing",
                     "Create it with title, description, base_url and themes (see the README).")
        return None
    if not is_inside(root, path, report):
        return None
    text = read_text(path, report)
    if text is None:
        return None
    doc, problem = yamltext.parse(text)
    if problem:
        report.error(path, problem.mark.line, problem.message, problem.fix, problem.mark.column)
        return None
    data = doc.value if doc else None
    if not isinstance(data, dict):
        report.error(path, 1, "site.yaml must be a set of 'key: value' lines", "Start with: title: My showcase")
        return None
    before = report.count("error")
    warn_unknown_keys(path, doc, data, SITE_KEYS, report, ())
    setting = lambda key, coerce, default=None: take(path, doc, data, key, coerce, report, default)  # noqa: E731
    title = setting("title", schema.coerce_text)
    description = setting("description", schema.coerce_text, "")
    language = setting("language", schema.coerce_lang, "en")
    url = base_url if base_url is not None else data.get("base_url")
    if url is None:
        report.error(path, None, "site.yaml has no base_url", "Add e.g. base_url: https://org.github.io/showcase/")
    else:
        try:
            url = normalise_base_url(url)
        except Invalid as exc:
            if base_url is not None:
                report.error("--base-url", None, exc.message, exc.fix)
            else:
                mark = doc.value_mark("base_url")
                report.error(path, mark.line, exc.message, exc.fix, mark.column)
    cname = setting("cname", schema.coerce_text)
    theme_list = load_themes(path, doc, data.get("themes"), report)
    if title is None and "title" not in data:
        report.error(path, None, "site.yaml has no title", "Add e.g. title: Learning Cities Showcase")
    if report.count("error") > before:
        return None
    return SiteConfig(title, description, url, language, theme_list, cname)


def normalise_base_url(value) -> str:
    text = schema.coerce_text(value, "base_url")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise Invalid(f"base_url '{text}' is not an absolute http(s) address",
                      "Write it like https://org.github.io/showcase/")
    return text if text.endswith("/") else text + "/"


def load_themes(path: Path, doc, value, report: Report) -> tuple[Theme, ...]:
    if not isinstance(value, list) or not value:
        report.error(path, doc.mark("themes").line, "site.yaml needs a list of themes",
                     "Add themes: with '- name: Literacy' items.")
        return ()
    themes, seen = [], {}
    for i, item in enumerate(value):
        line = doc.mark("themes", i).line
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            report.error(path, line, "each theme must be a name or a 'name:' entry", "Write '- name: Literacy'.")
            continue
        warn_unknown_keys(path, doc, item, THEME_KEYS, report, ("themes", i))
        key = "name"
        try:
            name = schema.coerce_text(item.get("name"), "name")
            key = "id"
            theme_id = schema.coerce_slug(item["id"], "id") if item.get("id") is not None else slugify(name)
            key = "description"
            description = schema.coerce_text(item["description"], "description") if item.get("description") else ""
        except Invalid as exc:
            mark = doc.value_mark("themes", i, key) if key in item else doc.value_mark("themes", i)
            report.error(path, mark.line, f"theme {i + 1}: {exc.message}", exc.fix, mark.column)
            continue
        if not theme_id:
            mark = doc.value_mark("themes", i, "name") if "name" in item else doc.value_mark("themes", i)
            report.error(path, mark.line, f"theme {i + 1}: the name '{name}' gives no usable URL name",
                         "Add an 'id:' line under it, e.g. id: health-wellbeing.", mark.column)
            continue
        if theme_id in seen:
            report.error(path, line, f"theme id '{theme_id}' is used twice (also on line {seen[theme_id]})",
                         "Give each theme its own id.")
            continue
        seen[theme_id] = line
        themes.append(Theme(theme_id, name, description))
    return tuple(themes)


class ThemeVocabulary:
    """Looks a theme up by id or name, case-insensitively."""

    def __init__(self, themes: tuple[Theme, ...]):
        self.themes = themes
        self.by_key = {}
        for theme in themes:
            self.by_key[theme.id.lower()] = theme
            self.by_key[theme.name.lower()] = theme

    def find(self, value: str) -> Theme | None:
        return self.by_key.get(" ".join(value.split()).lower())

    def suggest(self, value: str) -> str:
        guess = schema.closest(value, [t.name for t in self.themes] + [t.id for t in self.themes], 0.5)
        if guess is None:  # a misspelt word of a name: "helth" -> "Health and well-being"
            words = {}
            for t in self.themes:
                for word in re.findall(r"\w{4,}", f"{t.name} {t.id}"):
                    words.setdefault(word.lower(), t.name)
            word = schema.closest(value, list(words), 0.75) if len(value) >= 4 else None
            guess = words[word] if word else None
        names = ", ".join(f"{t.name} ({t.id})" for t in self.themes)
        return f"Did you mean '{guess}'? Themes are: {names}." if guess else f"Themes are: {names}."


# ---------------------------------------------------------------- Markdown files

def read_text(path: Path, report: Report) -> str | None:
    """The file as text with LF line endings, or None (with a located error)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(path, None, f"cannot read the file: {exc.strerror}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start:exc.start].decode("utf-8", "replace")) + 1
        report.error(path, line, "the file is not UTF-8 text",
                     "Save it as UTF-8 (in most editors: Save with encoding > UTF-8).", column)
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def is_inside(root: Path, path: Path, report: Report, folders: dict[str, str] | None = None) -> bool:
    """False (with an error) when `path` is a link to a file outside the content folder.

    `folders` remembers where each folder really is, so a folder of many files is resolved once.
    """
    folders = {} if folders is None else folders
    try:
        real = str(path.resolve()) if path.is_symlink() else os.path.join(real_folder(path.parent, folders), path.name)
        base = real_folder(root, folders).rstrip(os.sep) + os.sep
        if not real.startswith(base):
            report.error(path, None, "this file is a link to something outside the content folder",
                         "Copy the file into the content folder instead of linking to it.")
            return False
    except (OSError, RuntimeError):  # a link to itself, or a name the system cannot use
        report_dead_link(path, report)
        return False
    return True


def report_dead_link(path: Path, report: Report) -> None:
    report.error(path, None, "this file is a link that leads nowhere",
                 "Replace the link with the file itself, or delete it.")


def real_folder(folder: Path, folders: dict[str, str]) -> str:
    key = str(folder)
    if key not in folders:
        folders[key] = str(folder.resolve())
    return folders[key]


def read_markdown(root: Path, path: Path, report: Report, need_front_matter: bool,
                  documents: dict | None = None, folders: dict[str, str] | None = None):
    """Split a Markdown file into (front-matter document, body Text); None on error."""
    if not is_inside(root, path, report, folders):
        return None
    text = read_text(path, report)
    if text is None:
        return None
    rel = path.relative_to(root).as_posix()
    if not _FM.detect(text):
        if need_front_matter:
            report.error(path, 1, "the file has no front matter",
                         "Start it with a line '---', then the keys (title:, city:, ...), then another '---'.")
            return None
        return yamltext.Document({}), Text(rel, text, 1, text_digest(text))
    opening = _FM.FM_BOUNDARY.match(text)
    try:
        fm, body = _FM.split(text)
    except ValueError:
        report.error(path, 1, "the front matter is not closed", "Add a line '---' after the last key.")
        return None
    offset = text.count("\n", 0, opening.end())
    doc, problem = yamltext.parse(fm, line_offset=offset)
    if problem:
        report.error(path, problem.mark.line, problem.message, problem.fix, problem.mark.column)
        return None
    if doc.value is None:
        doc.value = {}
    if not isinstance(doc.value, dict):
        report.error(path, offset + 2, "the front matter must be 'key: value' lines, not a list or a sentence",
                     "Write e.g. 'title: My title' on its own line.")
        return None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    if documents is not None:
        documents[rel] = doc
    markdown = body.lstrip("\n")
    return doc, Text(rel, markdown, body_line + len(body) - len(markdown), text_digest(markdown))


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def body_text(root: Path, text: Text) -> str:
    """The Markdown of `text`, read again from its file when the record was kept without it."""
    if text.markdown is not None:
        return text.markdown
    content = read_text(Path(root) / text.rel, Report()) or ""
    return "\n".join(content.split("\n")[text.first_line - 1:])


def take(path, doc, data: dict, key: str, coerce, report: Report, default=None):
    """Coerce data[key]; report a located error and return `default` when it is wrong or absent."""
    value = data.get(key)
    if value is None:
        return default
    try:
        return coerce(value, key)
    except Invalid as exc:
        mark = doc.value_mark(key)
        report.error(path, mark.line, exc.message, exc.fix, mark.column)
        return default


def warn_unknown_keys(path, doc, data: dict, known, report: Report, at: tuple) -> None:
    for key in data:
        if key not in known:
            fix = schema.unknown_key_fix(key, tuple(schema.Field(k, "", False, "") for k in known))
            mark = doc.mark(*at, key)
            report.warning(path, mark.line, f"unknown key '{key}'", fix, mark.column)


def check_fields(path: Path, doc, fields, report: Report, partial: bool = False) -> dict | None:
    """Check required keys, unknown keys and scalar kinds; the coerced values, or None on error.

    With `partial`, the values that are right are returned even when others are wrong, so
    the caller can go on checking them (every problem of a file is reported in one run).
    """
    data = doc.value
    before = report.count("error")
    warn_unknown_keys(path, doc, data, [f.name for f in fields], report, ())
    values = {}
    for f in fields:
        if data.get(f.name) is None:
            if f.required and f.name in data:
                mark = doc.value_mark(f.name)
                report.error(path, mark.line, f"'{f.name}' is empty",
                             f"Write its value after '{f.name}:' ({f.description})", mark.column)
            elif f.required:
                report.error(path, 1, f"'{f.name}' is missing",
                             f"Add a line '{f.name}: ...' to the front matter ({f.description})")
            continue
        coerce = schema.SCALAR_COERCERS.get(f.kind)
        value = take(path, doc, data, f.name, coerce, report) if coerce else data[f.name]
        if value is not None:
            values[f.name] = value
    return values if partial or report.count("error") == before else None


def markdown_files(folder: Path, report: Report) -> list[Path]:
    """The .md files of a folder, sorted; of two names that differ only in case, the second is refused."""
    files, seen = [], {}
    try:
        names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".md") and not e.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        names = []
    for path in (folder / name for name in names):
        key = folded(path.name)
        if key in seen:
            report.error(path, None, f"'{path.name}' and '{seen[key]}' differ only in upper and lower case",
                         "Windows and macOS see them as one file: rename or merge one of them.")
            continue
        seen[key] = path.name
        files.append(path)
    return files


def file_slug(path: Path) -> str:
    return slugify(path.stem)


# ---------------------------------------------------------------- case studies

@dataclass(frozen=True)
class StudyLoader:
    """Loads one case-study file on its own, so files can be loaded in any process, or skipped.

    A result depends only on the file and on `key` (the site's settings and the set of
    published files), so a caller may reuse it while both are unchanged.
    """

    root: Path
    config: SiteConfig
    themes: "ThemeVocabulary"
    published: frozenset[str]
    keep_documents: bool = True  # the parsed front matter, for `check`
    excerpt: Callable[[str], str] = no_excerpt  # see LoadRules
    folders: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # see is_inside

    @property
    def key(self) -> str:
        return repr((str(self.root), self.config, sorted(self.published)))

    def __call__(self, path: Path) -> tuple[CaseStudy | None, list, tuple | None]:
        """(the record or None, its diagnostics, (posix path, parsed front matter) or None)."""
        report, documents = Report(), {}
        study = load_case_study(self.root, path, self.config, self.themes, report, documents, self.published,
                                self.folders, self.excerpt)
        document = next(iter(documents.items()), None) if self.keep_documents else None
        return study, report.items, document


def serial_map(function, items) -> list:
    return [function(item) for item in items]


def load_case_study(root: Path, path: Path, config: SiteConfig, themes: ThemeVocabulary,
                    report: Report, documents: dict | None = None,
                    published: frozenset[str] | None = None, folders: dict[str, str] | None = None,
                    excerpt: Callable[[str], str] = no_excerpt) -> CaseStudy | None:
    parsed = read_markdown(root, path, report, need_front_matter=True, documents=documents, folders=folders)
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
        excerpt="" if values.get("summary") else excerpt(body.markdown),
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
    if not target.is_file():
        report.error(path, line, f"image file '{src}' does not exist", "Check the file name and folder.", column)
        return None
    rel = target.relative_to(root.resolve()).as_posix()
    if published is not None and rel not in published:
        report.error(path, line, f"image '{src}' is not a file the site publishes",
                     "Use an image file (.jpg, .png, .webp, .svg); Markdown, hidden and site files "
                     "are not copied to the site.", column)
        return None
    return Image(rel, values["image_alt"], values.get("image_credit"))


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
              documents: dict | None = None, reserved: Reserved = NOTHING_RESERVED) -> Page | None:
    parsed = read_markdown(root, path, report, need_front_matter=True, documents=documents)
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
    return Page(slug, values["title"], values.get("summary"), values.get("menu"), body, config.language)


def load_home(root: Path, report: Report, documents: dict | None = None) -> Home:
    path = root / HOME_FILE
    if not path.is_file():
        return Home(None, None, None)
    parsed = read_markdown(root, path, report, need_front_matter=False, documents=documents)
    if parsed is None:
        return Home(None, None, None)
    doc, body = parsed
    values = check_fields(path, doc, schema.HOME_FIELDS, report) or {}
    return Home(values.get("title"), values.get("summary"), body)


def check_unique_slugs(root: Path, studies, pages, report: Report, documents: dict | None = None) -> None:
    documents = documents or {}
    for kind, items in (("case study", studies), ("page", pages)):
        seen: dict[str, str] = {}
        for item in items:
            if item.slug in seen:
                doc = documents.get(item.body.rel)
                mark = (doc.value_mark("slug") if doc is not None and "slug" in doc.value
                        else yamltext.Mark(None, None))
                first = seen[item.slug]
                same_name = first.casefold() == item.body.rel.casefold()
                report.error(root / item.body.rel, mark.line,
                             f"{kind} URL '{item.slug}' is also used by {first}"
                             + (" (the two file names differ only in upper and lower case, which Windows "
                                "and macOS see as one file)" if same_name else ""),
                             "Rename one of the two files or give one a different 'slug:'.", mark.column)
            else:
                seen[item.slug] = item.body.rel


def find_assets(root: Path, report: Report, reserved: Reserved = NOTHING_RESERVED) -> list[Asset]:
    """Every non-Markdown file in the content folder, except site.yaml, overrides and hidden files."""
    assets = []
    seen: dict[str, str] = {}
    folders: dict[str, str] = {}  # see is_inside
    for folder, dirs, files in os.walk(root):
        rel_folder = Path(folder).relative_to(root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not (rel_folder == Path(".") and d == OVERRIDES_DIR))
        for name in sorted(files):
            if name.startswith(".") or name.endswith(".md") or (rel_folder == Path(".") and name == SITE_FILE):
                continue
            path = Path(folder) / name
            if not is_inside(root, path, report, folders):
                continue
            if not path.is_file():  # a link to a missing file
                report_dead_link(path, report)
                continue
            rel = (rel_folder / name).as_posix()
            key = folded(rel)
            if takes_generated_place(key, reserved):
                report.error(path, None, f"'{rel}' would replace a file the site makes itself",
                             "Rename the file or move it into another folder.")
                continue
            if key in seen:
                report.error(path, None, f"'{rel}' and '{seen[key]}' differ only in upper and lower case",
                             "Windows and macOS see them as one file: rename one of them.")
                continue
            seen[key] = rel
            assets.append(Asset(rel, path))
    return assets


def takes_generated_place(key: str, reserved: Reserved) -> bool:
    """Would a file at `key` (folded) replace, or stand in the way of, a file the site makes?"""
    top = key.split("/", 1)[0]
    return (key.rsplit("/", 1)[-1] in reserved.names or key in reserved.files or key in reserved.folders
            or key.startswith(reserved.copied) or ("/" in key and top in reserved.files))


def folded(rel: str) -> str:
    """The form under which two paths are one file on Windows and macOS (case and Unicode form ignored)."""
    return unicodedata.normalize("NFC", rel).casefold()
