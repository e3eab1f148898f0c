"""Index stage: validated records in, the site model out.

Owns which pages exist and what each lists: published case studies (drafts
only on request), countries, themes and regions with their case studies,
related case studies, the navigation, and the map from each Markdown source
to its site path (used to rewrite `.md` links). Every step is linear in the
number of case studies. Knows nothing of HTML.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model import countries
from ..model import urls
from ..model.countries import Country, Region
from ..model.records import CaseStudy, Content, Page, Theme

RELATED_COUNT = 3
LATEST_COUNT = 6
PER_PAGE = 24  # case studies per list page


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
class Pager:
    """One page of a list of case studies: which items, and how to reach the other pages."""

    base: str  # site path of the first page, e.g. "countries/iran/"
    number: int  # 1-based
    count: int  # how many pages the list has
    total: int  # how many case studies the whole list has
    items: tuple[CaseStudy, ...]
    group: object = None  # the CountryGroup, ThemeGroup or RegionGroup listed, if any

    @property
    def path(self) -> str:
        return page_number_path(self.base, self.number)

    @property
    def previous(self) -> str | None:
        return page_number_path(self.base, self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return page_number_path(self.base, self.number + 1) if self.number < self.count else None

    @property
    def pages(self) -> list[tuple[int, str]]:
        return [(n, page_number_path(self.base, n)) for n in range(1, self.count + 1)]

    def key(self) -> tuple:
        """What the page shows apart from its cards (for its fingerprint)."""
        return (self.base, self.number, self.count, self.total)


def page_number_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def paginate(base: str, items: tuple[CaseStudy, ...], group=None, per_page: int = PER_PAGE) -> tuple[Pager, ...]:
    count = max(1, -(-len(items) // per_page))
    return tuple(Pager(base, n + 1, count, len(items), items[n * per_page:(n + 1) * per_page], group)
                 for n in range(count))


@dataclass(frozen=True)
class NavItem:
    label: str
    path: str


@dataclass(frozen=True)
class SiteModel:
    content: Content
    urls: urls.Urls
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
    content_by_slug: dict[str, CaseStudy] = field(repr=False)
    page_by_slug: dict[str, Page] = field(repr=False)
    asset_set: frozenset[str] = field(repr=False)
    listing: tuple[Pager, ...] = ()  # the pages of /case-studies/
    country_pages: tuple[Pager, ...] = ()
    theme_pages: tuple[Pager, ...] = ()
    region_pages: tuple[Pager, ...] = ()
    include_drafts: bool = False


def newest_first(study: CaseStudy):
    return (-study.date.toordinal(), study.title.casefold(), study.slug)


def build_model(content: Content, include_drafts: bool = False, base_url: str | None = None) -> SiteModel:
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
        (CountryGroup(group[0].country, countries.region_by_id(group[0].country.region_id),
                      urls.country_path(group[0].country.slug), tuple(group))
         for group in by_country.values()),
        key=lambda g: (g.country.name.casefold(), g.country.code)))
    theme_groups = tuple(ThemeGroup(t, urls.theme_path(t.slug), tuple(by_theme[t.id])) for t in content.config.themes)
    region_groups = tuple(region_group(r, by_region[r.id], country_groups) for r in countries.regions())
    pages = tuple(sorted(content.pages, key=lambda p: p.slug))
    sources = {s.body.rel: urls.case_study_path(s.slug) for s in studies}
    sources.update({p.body.rel: urls.page_path(p.slug) for p in pages})
    if content.home.body is not None:
        sources[content.home.body.rel] = ""
    return SiteModel(
        content=content,
        urls=urls.Urls(base_url or content.config.base_url),
        studies=studies,
        latest=studies[:LATEST_COUNT],
        pages=pages,
        countries=country_groups,
        themes=theme_groups,
        regions=region_groups,
        nav=navigation(pages),
        related=related_studies(studies, by_country, by_theme),
        sources=sources,
        country_by_code={g.country.code: g for g in country_groups},
        content_by_slug={s.slug: s for s in studies},
        page_by_slug={p.slug: p for p in pages},
        asset_set=frozenset(a.rel for a in content.assets),
        listing=paginate("case-studies/", studies),
        country_pages=tuple(p for g in country_groups for p in paginate(g.path, g.studies, g)),
        theme_pages=tuple(p for g in theme_groups for p in paginate(g.path, g.studies, g)),
        region_pages=tuple(p for g in region_groups for p in paginate(g.path, g.studies, g)),
        include_drafts=include_drafts,
    )


def region_group(region: Region, studies: list[CaseStudy], country_groups) -> RegionGroup:
    codes = {s.country.code for s in studies}
    return RegionGroup(region, urls.region_path(region.slug),
                       tuple(g for g in country_groups if g.country.code in codes), tuple(studies))


def navigation(pages: tuple[Page, ...]) -> tuple[NavItem, ...]:
    items = [NavItem("Home", ""), NavItem("Case studies", "case-studies/"), NavItem("Countries", "countries/"),
             NavItem("Themes", "themes/"), NavItem("Regions", "regions/")]
    menu = sorted((p for p in pages if p.menu is not None), key=lambda p: (p.menu, p.slug))
    items += [NavItem(p.title, urls.page_path(p.slug)) for p in menu]
    return tuple(items)


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
