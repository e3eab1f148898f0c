"""site.yaml: the site's settings and its themes, validated.

Owns the keys of site.yaml, the base URL's form, the list of themes with their
ids, and looking a theme up by id or name (with a "Did you mean" for a typo).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from slugify import slugify

from ..model import schema
from . import yamltext
from ..model.diagnostics import Report
from ..model.records import SiteConfig, Theme
from ..model.schema import Invalid
from .documents import take, warn_unknown_keys
from .files import SITE_FILE, is_inside, read_text

SITE_KEYS = ("title", "description", "base_url", "language", "themes", "cname")
THEME_KEYS = ("name", "id", "description")


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
