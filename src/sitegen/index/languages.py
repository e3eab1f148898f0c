"""The site in each of its languages: the content as a page in that language shows it.

Owns `localize`: each case study, free page and the home page replaced by
its translation where one exists (the facts stay the original's; a record
without a translation stays as it is, in its own language, and pages mark
it so), and the names a page shows in the language: countries from CLDR
through Babel, UNESCO's regions through the interface catalogue (`gettext`,
passed in), themes from site.yaml. The index stage builds one site model of
each localized content, under the language's prefix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

from ..model import countries
from ..model.countries import Country, Region
from ..model.languages import checked_locale
from ..model.messages import Gettext, untranslated
from ..model.records import CaseStudy, Content, Home, Language, Page, Source, Translation
from ..model.urls import Routes
from .site import SiteModel, build_model


def localize(content: Content, language: Language, gettext: Gettext, memo: dict | None = None,
             regions: tuple[Region, ...] | None = None) -> Content:
    """`content` as pages in `language` show it. `memo` (kept by a session: id of a record -> (record, its
    translation, what it became)) gives a record that did not change the very object it became last time,
    so the render stage knows it unchanged without digesting it again. `regions`: UNESCO's, as `gettext`
    names them (made here when not given)."""
    code = language.code
    found = {(t.kind, t.slug): t for t in content.translations if t.lang == code}
    regions = {r.id: r for r in (regions if regions is not None else localized_regions(gettext))}
    themes = {t.id: t.localized(code) for t in content.config.themes}
    memo = {} if memo is None else memo
    key = (code, tuple(regions.values()), tuple(themes.values()))
    if memo.get("key") != key:
        memo.clear()
        memo["key"] = key
    kept = {"key": key}
    studies = []
    for study in content.case_studies:
        translation = found.get(("case_study", study.slug))
        known = memo.get(id(study))
        if known is None or known[0] is not study or known[1] != translation:
            known = (study, translation, localized_study(study, translation, code, regions, themes))
        kept[id(study)] = known
        studies.append(known[2])
    memo.clear()
    memo.update(kept)
    studies = tuple(studies)
    pages = tuple(localized_page(p, found.get(("page", p.slug))) for p in content.pages)
    home = localized_home(content.home, found.get(("home", "")))
    title, description = next(((t, d) for c, t, d in content.config.titles if c == code),
                              (content.config.title, content.config.description))
    config = replace(content.config, themes=tuple(themes.values()), title=title, description=description)
    return replace(content, config=config, case_studies=studies, pages=pages, home=home)


def localized_regions(gettext: Gettext) -> tuple[Region, ...]:
    return tuple(localized_region(r, gettext) for r in countries.regions())


def localized_region(region: Region, gettext: Gettext) -> Region:
    return replace(region, name=gettext(region.name))


@lru_cache(maxsize=4096)
def localized_country(country: Country, code: str) -> Country:
    """A country named as CLDR names it in `code` (its English name where CLDR has none); its slug stays."""
    name = checked_locale(code).territories.get(country.code)
    return replace(country, name=name) if name else country


def localized_study(study: CaseStudy, translation: Translation | None, code: str, regions: dict,
                    themes: dict) -> CaseStudy:
    facts = dict(country=localized_country(study.country, code), region=regions[study.region.id],
                 themes=tuple(themes[t.id] for t in study.themes))
    if translation is None:
        return replace(study, **facts)
    image = study.image
    if image is not None and translation.image_alt:
        image = replace(image, alt=translation.image_alt)
    sources = tuple(Source(title or s.title, s.url, s.publisher, s.date) for s, title in
                    zip(study.sources, (*translation.source_titles, *(None,) * len(study.sources))))
    return replace(study, **facts, title=translation.title or study.title, summary=translation.summary,
                   excerpt=translation.excerpt, city=translation.city or study.city, image=image, sources=sources,
                   body=translation.body, lang=translation.lang, original=study.body.rel)


def localized_page(page: Page, translation: Translation | None) -> Page:
    if translation is None:
        return page
    return replace(page, title=translation.title or page.title, summary=translation.summary,
                   body=translation.body, lang=translation.lang)


def localized_home(home: Home, translation: Translation | None) -> Home:
    if translation is None:
        return home
    return replace(home, title=translation.title or home.title, summary=translation.summary, body=translation.body)


def build_editions(content: Content, routes_for: Callable[[str], Routes], gettext_for: Callable[[str], Gettext],
                   include_drafts: bool = False, base_url: str | None = None,
                   memos: dict | None = None) -> tuple[SiteModel, ...]:
    """The site model of each language the site is published in, its own first. `routes_for(prefix)` gives the
    registry's path schemes under a language's prefix, `gettext_for(code)` its interface's translations;
    `memos` (code -> memo of `localize`) is kept by a session. The site's own language shows the content as
    written; its countries and regions are named in it unless it is English, the language of their names."""
    memos = {} if memos is None else memos
    models = []
    for language in content.config.languages or (None,):
        gettext = gettext_for(language.code) if language is not None else untranslated
        local, regions = content, None
        if language is not None and (language.prefix or checked_locale(language.code).language != "en"):
            regions = localized_regions(gettext)
            local = localize(content, language, gettext, memos.setdefault(language.code, {}), regions)
        model = build_model(local, routes_for(language.prefix if language else ""), include_drafts, base_url,
                            gettext, regions, language)
        if local is not content:  # a link to the original's file leads to the page in this language
            for study, original in zip(local.case_studies, content.case_studies):
                if study.body.rel in model.sources:
                    model.sources[original.body.rel] = model.sources[study.body.rel]
            for page, original in zip(local.pages, content.pages):
                model.sources[original.body.rel] = model.sources[page.body.rel]
            if content.home.body is not None and local.home.body is not None:
                model.sources[content.home.body.rel] = model.sources[local.home.body.rel]
        models.append(model)
    return tuple(models)


@dataclass(frozen=True)
class TranslationState:
    """Where one original stands in one of the site's other languages."""

    original: str  # posix path of the original, inside the content folder
    kind: str  # "case_study", "page" or "home"
    lang: str
    digest: str  # the original's content digest now (load.translations.content_digest)
    translation: Translation | None = None

    @property
    def status(self) -> str:
        """"missing"; "stale" (its original changed since); "unrecorded" (no `translated_from:`); or "current"."""
        if self.translation is None:
            return "missing"
        if self.translation.translated_from is None:
            return "unrecorded"
        return "current" if self.translation.translated_from == self.digest else "stale"


def translation_states(content: Content, digest: Callable) -> tuple[TranslationState, ...]:
    """Each published original (case studies, pages, the home page) in each of the site's other languages;
    `digest(record)` is the load stage's content digest."""
    found = {(t.original, t.lang): t for t in content.translations}
    originals = [("case_study", s) for s in content.case_studies if not s.draft]
    originals += [("page", p) for p in content.pages]
    if content.home.body is not None:
        originals.append(("home", content.home))
    states = []
    for language in content.config.translated:
        for kind, record in originals:
            states.append(TranslationState(record.body.rel, kind, language.code, digest(record),
                                           found.get((record.body.rel, language.code))))
    return tuple(states)
