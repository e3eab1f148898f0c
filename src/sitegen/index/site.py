"""Index stage: validated records in, the site model out.

Owns which pages exist and what each lists: published case studies (drafts
only on request), countries, themes and regions with their case studies,
related case studies, the navigation, the map from each Markdown source
to its site path (used to rewrite `.md` links), and the files made of each
photo or bitmap (`images.py`). Every step is linear in the number of case
studies. Knows nothing of HTML.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..model import countries
from ..model.countries import Country, Region
from ..model.records import CaseStudy, Content, Language, Page, ProcessedImage, Theme
from ..model.messages import N_, Gettext, untranslated
from ..model.urls import Routes, Urls
from .images import plan_all

RELATED_COUNT = 3
LATEST_COUNT = 6
PER_PAGE = 24  # case studies per list page
# The main menu, before free pages with `menu:`: (label, kind, shown on phones too). On a narrow
# screen the menu keeps to one row; the others are in the footer (and the site's name leads home).
NAVIGATION = ((N_("Home"), "home", False), (N_("Case studies"), "case_studies", True), (N_("Map"), "map", True),
              (N_("Cities"), "cities", False), (N_("Countries"), "countries", True), (N_("Themes"), "themes", True),
              (N_("Regions"), "regions", False))


@dataclass(frozen=True)
class CountryGroup:
    country: Country
    region: Region
    path: str
    studies: tuple[CaseStudy, ...]


@dataclass(frozen=True)
class ThemeGroup:
    theme: Theme
    path: str
    studies: tuple[CaseStudy, ...]


@dataclass(frozen=True)
class RegionGroup:
    region: Region
    path: str
    countries: tuple[CountryGroup, ...]  # countries with a case study placed in this region
    studies: tuple[CaseStudy, ...]


@dataclass(frozen=True)
class Place:
    """Where one page of a long list stands among the list's pages."""

    number: int  # 1-based
    total: int  # how many items the whole list has
    paths: tuple[str, ...]  # the site path of every page of the list, first page first
    spans: tuple[tuple[int, int], ...] = ()  # (newest, oldest) year on each page, first page first
    years: tuple[tuple[int, int], ...] = ()  # (year, number of the first page that has it), newest first

    @property
    def count(self) -> int:
        """How many pages the list has."""
        return len(self.paths)

    @property
    def path(self) -> str:
        return self.paths[self.number - 1]

    @property
    def previous(self) -> str | None:
        return self.paths[self.number - 2] if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.paths[self.number] if self.number < self.count else None

    @property
    def pages(self) -> list[tuple[int, str]]:
        return list(enumerate(self.paths, start=1))


@dataclass(frozen=True)
class Pager:
    """One page of a list of case studies: which items, and its place among the list's pages."""

    owner: str  # the key of the group listed (country code, theme id, region id), "" for the whole list
    items: tuple[CaseStudy, ...]
    place: Place

    @property
    def path(self) -> str:
        return self.place.path


def paginate(routes: Routes, base: str, items: tuple[CaseStudy, ...], owner: str = "",
             per_page: int = PER_PAGE) -> tuple[Pager, ...]:
    count = max(1, -(-len(items) // per_page))
    paths = tuple(routes.page(base, n) for n in range(1, count + 1))
    pages = [items[n * per_page:(n + 1) * per_page] for n in range(count)]
    spans = tuple((page[0].date.year, page[-1].date.year) if page else (0, 0) for page in pages)
    years: dict[int, int] = {}
    for number, page in enumerate(pages, start=1):
        for study in page:
            years.setdefault(study.date.year, number)
    found = tuple(years.items())
    return tuple(Pager(owner, page, Place(n + 1, len(items), paths, spans, found)) for n, page in enumerate(pages))


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str
    on_phones: bool = False  # also in the header of a narrow screen (every item is in the footer)
    lang: str | None = None  # a free page's language, which may not be the page's (an untranslated page)


@dataclass(frozen=True)
class SiteModel:
    content: Content
    urls: Urls
    routes: Routes
    studies: tuple[CaseStudy, ...]  # newest first
    latest: tuple[CaseStudy, ...]  # the LATEST_COUNT newest, for the home page
    pages: tuple[Page, ...]
    countries: tuple[CountryGroup, ...]  # by name
    themes: tuple[ThemeGroup, ...]  # in site.yaml order
    regions: tuple[RegionGroup, ...]  # UNESCO's order
    nav: tuple[NavItem, ...]
    related: dict[str, tuple[CaseStudy, ...]] = field(repr=False)
    sources: dict[str, str] = field(repr=False)  # Markdown file (posix, in content) -> site path
    country_by_code: dict[str, CountryGroup] = field(repr=False)
    theme_by_id: dict[str, ThemeGroup] = field(repr=False)
    region_by_id: dict[str, RegionGroup] = field(repr=False)
    content_by_slug: dict[str, CaseStudy] = field(repr=False)
    page_by_slug: dict[str, Page] = field(repr=False)
    asset_set: frozenset[str] = field(repr=False)
    # raster image (posix, in content) -> the files the site makes of it (index/images.py)
    images: dict[str, ProcessedImage] = field(default_factory=dict, repr=False)
    # slug -> (its first theme's id, the next newer and the next older case study of that theme, or None)
    theme_trail: dict[str, tuple[str, CaseStudy | None, CaseStudy | None]] = field(default_factory=dict, repr=False)
    # (city name, country code) -> its case studies, newest first: one city for the maps and the A-Z index
    cities: dict[tuple[str, str], tuple[CaseStudy, ...]] = field(default_factory=dict, repr=False)
    listing: tuple[Pager, ...] = ()  # the pages of /case-studies/
    country_pages: tuple[Pager, ...] = ()
    theme_pages: tuple[Pager, ...] = ()
    region_pages: tuple[Pager, ...] = ()
    include_drafts: bool = False
    language: Language | None = None  # the language its pages are in (None: the site's own, with no `languages:`)


def newest_first(study: CaseStudy):
    return (-study.date.toordinal(), study.title.casefold(), study.slug)


def build_model(content: Content, routes: Routes, include_drafts: bool = False,
                base_url: str | None = None, gettext: Gettext = untranslated,
                regions: tuple[Region, ...] | None = None, language: Language | None = None) -> SiteModel:
    """The site model; `routes` are the path schemes of the outputs registry, `gettext` translates the
    navigation's labels into the model's language; `regions` are UNESCO's as the model's language names
    them (by default as `countries` does)."""
    regions = countries.regions() if regions is None else regions
    region_of = {r.id: r for r in regions}
    studies = tuple(sorted((s for s in content.case_studies if include_drafts or not s.draft), key=newest_first))
    by_country: dict[str, list[CaseStudy]] = defaultdict(list)
    by_theme: dict[str, list[CaseStudy]] = defaultdict(list)
    by_region: dict[str, list[CaseStudy]] = defaultdict(list)
    for study in studies:  # already newest first, so every list below is too
        by_country[study.country.code].append(study)
        by_region[study.region.id].append(study)
        for theme in study.themes:
            by_theme[theme.id].append(study)

    country_groups = tuple(sorted(
        (CountryGroup(group[0].country, region_of[group[0].country.region_id],
                      routes.path("country", group[0].country.slug), tuple(group))
         for group in by_country.values()),
        key=lambda g: (sort_key(g.country.name), g.country.name, g.country.code)))
    theme_groups = tuple(ThemeGroup(t, routes.path("theme", t.slug), tuple(by_theme[t.id])) for t in content.config.themes)
    region_groups = tuple(region_group(routes, r, by_region[r.id], country_groups) for r in regions)
    pages = tuple(sorted(content.pages, key=lambda p: p.slug))
    sources = {s.body.rel: routes.path("case_study", s.slug) for s in studies}
    sources.update({p.body.rel: routes.path("page", p.slug) for p in pages})
    if content.home.body is not None:
        sources[content.home.body.rel] = routes.path("home")
    return SiteModel(
        content=content,
        urls=Urls(base_url or content.config.base_url),
        routes=routes,
        studies=studies,
        latest=studies[:LATEST_COUNT],
        pages=pages,
        countries=country_groups,
        themes=theme_groups,
        regions=region_groups,
        nav=navigation(routes, pages, gettext),
        related=related_studies(studies, by_country, by_theme),
        theme_trail=theme_trail(studies, by_theme),
        cities=by_city(studies),
        sources=sources,
        country_by_code={g.country.code: g for g in country_groups},
        theme_by_id={g.theme.id: g for g in theme_groups},
        region_by_id={g.region.id: g for g in region_groups},
        content_by_slug={s.slug: s for s in studies},
        page_by_slug={p.slug: p for p in pages},
        asset_set=frozenset(a.rel for a in content.assets),
        images=plan_all(content.rasters, routes.schemes["image"]) if content.rasters else {},
        listing=paginate(routes, routes.path("case_studies"), studies),
        country_pages=tuple(p for g in country_groups for p in paginate(routes, g.path, g.studies, g.country.code)),
        theme_pages=tuple(p for g in theme_groups for p in paginate(routes, g.path, g.studies, g.theme.id)),
        region_pages=tuple(p for g in region_groups for p in paginate(routes, g.path, g.studies, g.region.id)),
        include_drafts=include_drafts,
        language=language or (content.config.languages[0] if content.config.languages else None),
    )


def sort_key(name: str) -> str:
    """A name as an index sorts it, in any language: case and accents set aside (Égypte under E)."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(ch))


def by_city(studies: Iterable[CaseStudy]) -> dict[tuple[str, str], tuple[CaseStudy, ...]]:
    """(city name, country code) -> its case studies, in the order given: a city is a name in a
    country (London, United Kingdom and London, Canada are two)."""
    found: dict[tuple[str, str], list[CaseStudy]] = {}
    for study in studies:
        found.setdefault((study.city, study.country.code), []).append(study)
    return {key: tuple(listed) for key, listed in found.items()}


def region_group(routes: Routes, region: Region, studies: list[CaseStudy], country_groups) -> RegionGroup:
    codes = {s.country.code for s in studies}
    return RegionGroup(region, routes.path("region", region.slug),
                       tuple(g for g in country_groups if g.country.code in codes), tuple(studies))


def navigation(routes: Routes, pages: tuple[Page, ...], gettext: Gettext = untranslated) -> tuple[NavItem, ...]:
    items = [NavItem(gettext(label), routes.path(kind), on_phones) for label, kind, on_phones in NAVIGATION]
    menu = sorted((p for p in pages if p.menu is not None), key=lambda p: (p.menu, p.slug))
    items += [NavItem(p.title, routes.path("page", p.slug), lang=p.lang) for p in menu]
    return tuple(items)


def theme_trail(studies, by_theme) -> dict[str, tuple[str, CaseStudy | None, CaseStudy | None]]:
    """For each study with a theme: its first theme, and its newer and older neighbours in that theme's list."""
    trail = {}
    for theme_id, group in by_theme.items():
        for i, study in enumerate(group):
            if study.themes[0].id == theme_id:
                trail[study.slug] = (theme_id, group[i - 1] if i > 0 else None,
                                     group[i + 1] if i + 1 < len(group) else None)
    return trail


def related_studies(studies, by_country, by_theme) -> dict[str, tuple[CaseStudy, ...]]:
    """Up to RELATED_COUNT neighbours per study: same country first, then same themes.

    Neighbours are taken by position in the (newest-first) lists, so the work
    per study is constant however large a country or theme grows.
    """
    country_pos = {code: {s.slug: i for i, s in enumerate(group)} for code, group in by_country.items()}
    theme_pos = {tid: {s.slug: i for i, s in enumerate(group)} for tid, group in by_theme.items()}
    related = {}
    for study in studies:
        picked: list[CaseStudy] = []
        seen = {study.slug}
        pools = [(by_country[study.country.code], country_pos[study.country.code][study.slug])]
        pools += [(by_theme[t.id], theme_pos[t.id][study.slug]) for t in study.themes]
        for group, index in pools:
            for other in nearest(group, index):
                if other.slug not in seen:
                    seen.add(other.slug)
                    picked.append(other)
                    if len(picked) == RELATED_COUNT:
                        break
            if len(picked) == RELATED_COUNT:
                break
        related[study.slug] = tuple(picked)
    return related


def nearest(group: list, index: int, reach: int = RELATED_COUNT + 1) -> list:
    """Items of `group` around `index`, closest first (next, previous, second next, ...)."""
    around = []
    for step in range(1, reach + 1):
        if index + step < len(group):
            around.append(group[index + step])
        if index - step >= 0:
            around.append(group[index - step])
    return around
