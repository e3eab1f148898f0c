"""Translations: `slug.<lang>.md` beside its original, one validated `Translation` out.

Owns which file names are translations (`split_translations`), what a
translation may say anew (its title, summary, city, image_alt, the titles of
its sources and its body) and the rule that the facts are the original's:
a country, themes, date, coordinates or region that differ from the
original's, or a source address that is not the original's, is a located
error. Also owns a record's *content digest*, which a translator copies
into `translated_from:` and which tells a stale translation.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from ..model import countries, schema
from ..model.diagnostics import Report
from ..model.languages import cldr_locale, language_key
from ..model.records import CaseStudy, Home, Page, SiteConfig, Translation
from ..model.schema import Field, Invalid
from .config import ThemeVocabulary, same_language
from .documents import check_fields, read_markdown, take
from .files import DEFAULT_LIMITS, HOME_FILE, FileLimits

TRANSLATION_RE = re.compile(r"^(?P<stem>.+)\.(?P<lang>[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)\.md$")
DIGEST_LENGTH = 12  # hex digits of a content digest: short enough to copy, long enough never to collide by chance

TRANSLATION_FIELDS: tuple[Field, ...] = (
    Field("title", "text", False, "The title in this language.", None),
    Field("summary", "text", False, "The summary in this language.", None),
    Field("city", "text", False, "The city's name as this language writes it.", None),
    Field("image_alt", "text", False, "What the image shows, in this language.", None),
    Field("sources", "sources", False, "The titles of the original's sources in this language, in its order.", None),
    Field("translated_from", "text", False, "The original's content digest when it was translated "
                                            "(sitegen translations prints it).", None),
)
# facts a translation may repeat only as its original has them
FACTS = {"country": "country", "themes": "themes", "date": "date", "coordinates": "coordinates", "region": "region"}
TAKEN = ("city_native", "city_native_lang", "updated", "image", "image_credit", "slug", "draft", "menu")


def split_translations(paths: list[Path], codes: frozenset[str], report: Report) -> tuple[list[Path], list[Path]]:
    """(originals, translations) among Markdown files: `x.fr.md` is a translation when `fr` is one of the
    site's other languages; a name that looks like a translation into a language the site does not list
    is reported (it would otherwise be published as a page of its own)."""
    originals, translated = [], []
    for path in paths:
        found = TRANSLATION_RE.match(path.name)
        if found is None or not is_language(found["lang"]):
            originals.append(path)
        elif language_key(found["lang"]) in codes:
            translated.append(path)
        else:
            listed = ", ".join(sorted(codes)) or "none besides the site's own"
            report.error(path, None, f"this looks like a translation into '{found['lang']}', which is not one of "
                         f"the site's languages ({listed})",
                         f"Add it to 'languages:' in site.yaml, or rename the file (e.g. {found['stem']}-"
                         f"{found['lang']}.md) if it is not a translation.")
    return originals, translated


def is_language(code: str) -> bool:
    return cldr_locale(code) is not None


def translation_files(root: Path) -> list[Path]:
    """The home page's translations: `home.<lang>.md` beside home.md."""
    stem = HOME_FILE.removesuffix(".md")
    try:
        names = sorted(e.name for e in os.scandir(root) if e.name.startswith(stem + ".") and e.name != HOME_FILE
                       and TRANSLATION_RE.match(e.name))
    except OSError:
        names = []
    return [root / name for name in names]


def content_digest(record: CaseStudy | Page | Home) -> str:
    """What a translation is made from, digested: the original's text (title, summary, city, image
    description, source titles and body). Its facts and dates are left out: a translation shows the
    original's, so they never make it stale."""
    image = getattr(record, "image", None)
    parts = (record.title or "", record.summary or "", getattr(record, "city", ""), image.alt if image else "",
             *(s.title for s in getattr(record, "sources", ())), record.body.digest if record.body else "")
    data = "\0".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()[:DIGEST_LENGTH]


def load_translation(root: Path, path: Path, config: SiteConfig, originals: dict[str, CaseStudy | Page | Home],
                     themes: ThemeVocabulary, report: Report, documents: dict | None = None,
                     excerpt: Callable[[str], str] = lambda text: "",
                     limits: FileLimits = DEFAULT_LIMITS) -> Translation | None:
    """One translation, checked against its original (`originals`: posix path in the folder -> record);
    None, reported, when it has an error. A translation whose original did not load is left out quietly:
    the original's own errors are reported."""
    found = TRANSLATION_RE.match(path.name)
    rel_dir = path.parent.relative_to(root).as_posix()
    original_rel = f"{rel_dir}/{found['stem']}.md" if rel_dir != "." else f"{found['stem']}.md"
    lang = next(x.code for x in config.translated if same_language(x.code, found["lang"]))
    original = originals.get(original_rel)
    if original is None:
        if not (root / original_rel).is_file():
            report.error(path, None, f"this translation has no original: there is no '{found['stem']}.md' beside it",
                         f"Name it after the file it translates, e.g. {found['stem']}.md -> {path.name}, "
                         "or add the original.")
        return None
    parsed = read_markdown(root, path, report, need_front_matter=False, documents=documents, limit=limits.text)
    if parsed is None:
        return None
    doc, body = parsed
    data = doc.value if isinstance(doc.value, dict) else {}
    before = report.count("error")
    facts = {key: data.pop(key) for key in list(data) if key in FACTS or key in TAKEN or key == "sources"}
    values = check_fields(path, doc, TRANSLATION_FIELDS, report, partial=True) or {}
    data.update(facts)
    if isinstance(original, CaseStudy):
        check_facts(path, doc, data, original, themes, report)
        titles = source_titles(path, doc, data.get("sources"), original, report)
    else:
        for key in facts:
            if key != "sources":
                refuse(path, doc, key, report)
        titles = ()
    if not isinstance(original, Home) and "title" not in values and "title" not in data:
        report.error(path, 1, "this translation has no title", "Add 'title:' with the title in this language "
                     "to the front matter (between the --- lines).")
    if isinstance(original, CaseStudy) and "image_alt" in values and original.image is None:
        report.warning(path, doc.mark("image_alt").line, "image_alt is given but the original has no image",
                       "Remove it, or give the original an image.", doc.mark("image_alt").column)
    if report.count("error") > before:
        return None
    kind = "case_study" if isinstance(original, CaseStudy) else "page" if isinstance(original, Page) else "home"
    line = doc.value_mark("translated_from").line if "translated_from" in data else 1
    return Translation(kind, getattr(original, "slug", ""), lang, original_rel, body, values.get("title"),
                       values.get("summary"), values.get("city"), values.get("image_alt"), titles,
                       values.get("translated_from"),
                       "" if values.get("summary") or body.markdown is None else excerpt(body.markdown), line or 1)


def refuse(path: Path, doc, key: str, report: Report) -> None:
    mark = doc.mark(key)
    report.error(path, mark.line, f"a translation takes '{key}' from its original",
                 f"Delete the '{key}:' line: only the text (title, summary, city, image_alt, the sources' titles "
                 "and the body) is written anew in a translation.", mark.column)


def check_facts(path: Path, doc, data: dict, original: CaseStudy, themes: ThemeVocabulary, report: Report) -> None:
    """Each fact the translation repeats must be the original's; keys a translation never sets are refused."""
    for key in data:
        if key in TAKEN:
            refuse(path, doc, key, report)
    stated = {
        "country": lambda v, n: (c.code if (c := countries.resolve_country(schema.coerce_text(v, n))) else v),
        "date": schema.coerce_date,
        "coordinates": schema.coerce_coordinates,
        "region": lambda v, n: (r.id if (r := countries.resolve_region(schema.coerce_text(v, n))) else v),
        "themes": lambda v, n: tuple(t.id if (t := themes.find(str(x))) else x for x in schema.coerce_list(v, n)),
    }
    truth = {"country": original.country.code, "date": original.date, "coordinates": original.coordinates,
             "region": original.region.id, "themes": tuple(t.id for t in original.themes)}
    for key, coerce in stated.items():
        if key not in data:
            continue
        value = take(path, doc, data, key, coerce, report, truth[key])
        if value != truth[key] and not (key == "themes" and set(value) == set(truth[key])):
            mark = doc.value_mark(key)
            report.error(path, mark.line, f"{key} here contradicts the original ({original.body.rel} has "
                         f"{shown(truth[key])})",
                         f"Delete the '{key}:' line: a translation takes its facts from the original. "
                         "If the original is wrong, correct it there.", mark.column)


def shown(value) -> str:
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def source_titles(path: Path, doc, value, original: CaseStudy, report: Report) -> tuple[str | None, ...]:
    """The sources' titles in this language, by position; an address, publisher or date must be the
    original's (they are facts)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        mark = doc.value_mark("sources")
        report.error(path, mark.line, "'sources' must be a list",
                     "Write '- title: ...' for each of the original's sources, in its order.", mark.column)
        return ()
    if len(value) > len(original.sources):
        mark = doc.value_mark("sources", len(original.sources))
        report.error(path, mark.line, f"the translation lists {len(value)} sources, the original "
                     f"{len(original.sources)}", "A translation gives the titles of the original's sources, in "
                     "its order; add a source to the original first.", mark.column)
        return ()
    titles = []
    for i, (item, source) in enumerate(zip(value, original.sources)):
        mark = doc.value_mark("sources", i)
        if not isinstance(item, dict):
            report.error(path, mark.line, f"source {i + 1} must be '- title: ...'",
                         "Write the source's title in this language after 'title:'.", mark.column)
            continue
        for key in ("url", "publisher", "date"):
            if key in item and str(item[key]) != str(getattr(source, key)):
                where = doc.value_mark("sources", i, key)
                report.error(path, where.line, f"source {i + 1}: {key} contradicts the original's "
                             f"({getattr(source, key)})", f"Delete the '{key}:' line: it comes from the original.",
                             where.column)
        try:
            titles.append(schema.coerce_text(item["title"], "title") if item.get("title") is not None else None)
        except Invalid as exc:
            where = doc.value_mark("sources", i, "title")
            report.error(path, where.line, f"source {i + 1}: {exc.message}", exc.fix, where.column)
    return tuple(titles)
