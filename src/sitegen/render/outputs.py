"""The outputs registry: every kind of page the site has, declared once.

An `Output` says where its pages live (a path scheme), which template draws
them, which pages of its kind the site model has, and the context each page's
template receives. Everything else reads this table: the site model's paths
(`routes()`, passed to the index stage), the names an author cannot take
(`reserved()`, passed to the load stage and `check`), the render jobs, the
sitemap and the link checks. Adding a kind of page is one entry here and one
template.

A context holds everything its template may show and nothing else: no
template can reach the site model. The render stage fingerprints a page by
the canonical digest of its context (`digest.py`), so what a page shows and
what decides whether it is rendered again are the same values. Contexts are
kept lean for that reason: a list page gets its own cards and counts, not
every case study of its country. A Markdown body travels as a `Body`, which
the render worker converts (its digest is that of the Markdown source).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from urllib.parse import urlsplit

from slugify import slugify

from ..index.site import Pager, SiteModel, by_city, sort_key
from ..model.messages import N_, NP_
from ..model.records import CaseStudy
from ..model.urls import Reserved, Routes
from ..write import target as write
from . import open_data
from .views import Body, CountryCount, ShareImage, SiteViews, StudyView
from .worldmap import CityMark, Locator, WorldMap, focus_box, map_record

Pages = Callable[[SiteModel], Iterable[tuple[str, object]]]  # -> (site path, ref) of each page
Context = Callable[[SiteModel, object, SiteViews], dict]  # (model, ref, views) -> the page's own context
Modified = Callable[[SiteModel, object], "dt.date | None"]  # (model, ref) -> when what the page shows last changed


@dataclass(frozen=True)
class Output:
    kind: str
    route: str  # path scheme, "{slug}" for the part that varies
    template: str | None = None  # None: files copied, not rendered
    pages: Pages | None = None
    context: Context | None = None
    in_sitemap: bool = True
    modified: Modified | None = None  # the sitemap's `lastmod`; None: the page has no date of its own
    per_language: bool = True  # made in each of the site's languages, under its prefix (else once, at the root)
    carries_bodies: bool = False  # its context holds other pages' bodies (a feed): rendered after those pages


def newest(studies: Iterable[CaseStudy]) -> dt.date | None:
    """When the newest change among `studies` was made (`updated`, else `date`); None for none."""
    return max((s.modified for s in studies), default=None)


def site_modified(model: SiteModel, ref) -> dt.date | None:
    """A page that shows the whole collection changes when any case study does."""
    return newest(model.studies)


def items_modified(model: SiteModel, pager: Pager) -> dt.date | None:
    """A page of a list changes when a case study it lists does."""
    return newest(pager.items)


def listed(pagers: str) -> Pages:
    """The pages of a paginated list of the model (`model.listing`, `model.country_pages`, ...)."""
    return lambda model: ((p.path, p) for p in getattr(model, pagers))


def single(kind: str) -> Pages:
    return lambda model: ((model.routes.path(kind), None),)


def nothing(model: SiteModel, ref, views: SiteViews) -> dict:
    return {}


# --------------------------------------------------------------------------- contexts

def home_context(model: SiteModel, ref, views: SiteViews) -> dict:
    home = model.content.home
    about = model.page_by_slug.get(ABOUT)
    return {"home": home, "home_body": Body(home.body) if home.body else None,
            "latest": views.list_of(model.latest), "study_count": len(model.studies),
            "countries": views.countries, "themes": views.themes, "regions": views.regions,
            "about": (about.title, model.routes.path("page", ABOUT), about.lang) if about else None,
            "map": shown_map(views, city_marks(model, model.cities, views), {s.country.code for s in model.studies},
                             label=views.gettext(N_("Map of the learning cities")), size="small")}


ABOUT = "about"  # the free page the home page's lead points to, when the site has one


def list_context(model: SiteModel, pager: Pager, views: SiteViews) -> dict:
    return {"studies": views.list_of(pager.items), "pager": views.place(pager.place), "country_count": len(model.countries)}


MORE_FROM_COUNTRY = 5  # links under "More from <country>" on a case study


def study_context(model: SiteModel, study: CaseStudy, views: SiteViews) -> dict:
    item, body = views.pages[study.slug]
    related = model.related[study.slug]
    country = model.country_by_code[study.country.code]
    shown = {study.slug} | {s.slug for s in related}
    more = tuple(islice((link(model, s) for s in country.studies if s.slug not in shown), MORE_FROM_COUNTRY))
    trail = model.theme_trail.get(study.slug)
    trail_view = None if trail is None else (
        model.theme_by_id[trail[0]].theme.name, model.theme_by_id[trail[0]].path,
        link(model, trail[1]) if trail[1] else None, link(model, trail[2]) if trail[2] else None)
    # `again`: the very tuples of the last build when they hold the same text, so that an unchanged
    # page is known by its objects and not digested again (see pages.same_values)
    return {"item": item, "body": body, "related": views.list_of(related), "locator": study_locator(model, study, views),
            "more_from_country": views.again(("more from", more, len(country.studies)), (more, len(country.studies))),
            "theme_trail": views.again(("trail", trail_view), trail_view),
            "share_image": share_image(item, views)}


def share_image(item: StudyView, views: SiteViews) -> ShareImage | None:
    """A case study's image for sites that show a link to it: its lead image at its widest (1200 pixels,
    or the original's width when narrower) in JPEG or PNG, or WebP for a WebP original (made in WebP only);
    None without a lead photo or bitmap."""
    picture = item.picture
    if picture is None:
        return None
    largest, alt = picture.largest, item.study.image.alt
    return views.again(("share", largest.path, largest.width, largest.height, alt, largest.mime),
                       ShareImage(largest.path, largest.width, largest.height, alt, largest.mime))


# The site's own share image (drawn by scripts/make_illustrations.py into the theme's static/): for pages
# without one of their own. Every page is handed it as `site_share_image` (render/pages.site_context).
SITE_SHARE_IMAGE = ShareImage("static/share.png", 1200, 630, "A city skyline at dusk under an open book, a heart, "
                              "a leaf and the sun, above a row of coloured dots", "image/png")


def citation_context(model: SiteModel, study: CaseStudy, views: SiteViews) -> dict:
    """A citation file is made from the case study's card (and the site's settings): its body is not in it."""
    return {"card": views.cards[study.slug]}


def each_study(kind: str) -> Pages:
    """One page of `kind` per case study (its ref is the case study)."""
    return lambda model: ((model.routes.path(kind, s.slug), s) for s in model.studies)


def study_locator(model: SiteModel, study: CaseStudy, views: SiteViews):
    """A small map of the case study's country with its city marked (a link to the city in the A-Z index);
    None without coordinates. The same object as in the last build when nothing in it changed, so an
    unchanged page keeps its fingerprint without digesting it again."""
    if study.coordinates is None:
        return None
    country = study.country
    count = len(model.cities[(study.city, country.code)])
    mark = CityMark(study.city, country.name, count,
                    model.urls.url(f"{model.routes.path('cities')}#sg-{city_anchor(study.city, country.code)}"),
                    *study.coordinates, said=mark_label(views, study.city, country.name, count))
    label = views.gettext(N_("%(city)s on a map of %(country)s")) % {"city": study.city, "country": country.name}
    return views.again(("locator", mark.name, mark.country, mark.count, mark.href, mark.lat, mark.lon, mark.said,
                        country.code, label), Locator(mark, country.code, label))


def mark_label(views: SiteViews, city: str, country: str, count: int) -> str:
    """A city's accessible name on a map, in the page's language: "Kashan, Iran: 2 case studies"."""
    return views.ngettext(*NP_("%(city)s, %(country)s: %(num)s case study",
                               "%(city)s, %(country)s: %(num)s case studies"), count) % {
        "city": city, "country": country, "num": count}


def link(model: SiteModel, study: CaseStudy) -> tuple[str, str]:
    """(title, site path) of a case study, for a plain link to it."""
    return study.title, model.routes.path("case_study", study.slug)


def country_context(model: SiteModel, pager: Pager, views: SiteViews) -> dict:
    group = model.country_by_code[pager.owner]
    return {"studies": views.list_of(pager.items), "pager": views.place(pager.place), "country": group.country,
            "region": group.region, "map": focus_map(model, group.studies, map_of(views, group.country.name), views)
            if pager.place.number == 1 else None}


def map_of(views: SiteViews, place: str) -> str:
    return views.gettext(N_("Map of the cities of %(place)s")) % {"place": place}


def theme_context(model: SiteModel, pager: Pager, views: SiteViews) -> dict:
    theme = model.theme_by_id[pager.owner].theme
    return {"studies": views.list_of(pager.items), "pager": views.place(pager.place),
            "theme": views.again(("theme", theme.id, theme.name, theme.description), theme)}


def region_context(model: SiteModel, pager: Pager, views: SiteViews) -> dict:
    group = views.region_by_id[pager.owner]
    studies = model.region_by_id[pager.owner].studies
    return {"studies": views.list_of(pager.items), "pager": views.place(pager.place), "region": group.region,
            "map": focus_map(model, studies, map_of(views, group.region.name), views)
            if pager.place.number == 1 else None,
            "countries": views.again(("counts", *((id(c.country), c.path, c.count) for c in group.countries)),
                                     tuple(CountryCount(c.country, c.path, c.count) for c in group.countries))}


def page_context(model: SiteModel, slug: str, views: SiteViews) -> dict:
    """A free page; the About page also offers the open data (`downloads`)."""
    page = model.page_by_slug[slug]
    return {"page": page, "body": Body(page.body), "downloads": slug == ABOUT}


def map_context(model: SiteModel, ref, views: SiteViews) -> dict:
    places = city_places(model, model.cities, views)
    marks = tuple(mark for mark, _ in places)
    return {"map": shown_map(views, marks, {s.country.code for s in model.studies},
                             label=views.gettext(N_("Map of the learning cities"))),
            "cities": places, "unplaced": len(model.studies) - sum(m.count for m in marks)}


@dataclass(frozen=True)
class City:
    """A city of the A-Z index: its name, country, anchor on the index, and its case studies (title, path)."""

    name: str
    country: str
    country_path: str
    anchor: str
    studies: tuple[tuple[str, str], ...]


def cities_context(model: SiteModel, ref, views: SiteViews) -> dict:
    """The cities A to Z, grouped under their first letter (accents set aside: Bouaké is under B).

    Each city, and the whole index, is the object of the last build when it holds the same
    values (`views.again`): an edit that changes no city leaves the context as it was, and
    one that changes a city makes only that city new for the digest."""
    by_letter: dict[str, list[City]] = {}
    for city in all_cities(model):
        by_letter.setdefault(sort_key(city.name)[:1].upper() or "#", []).append(views.again(("city", city), city))
    letters = tuple((letter, tuple(cities)) for letter, cities in sorted(by_letter.items()))
    return {"letters": views.again(("cities", letters), letters)}


def all_cities(model: SiteModel) -> tuple[City, ...]:
    found = model.cities
    cities = (City(name, placed[0].country.name, model.country_by_code[code].path, city_anchor(name, code),
                   tuple((s.title, model.routes.path("case_study", s.slug)) for s in placed))
              for (name, code), placed in found.items())
    return tuple(sorted(cities, key=lambda c: (sort_key(c.name), c.name, c.country)))


@lru_cache(maxsize=65536)  # pure; asked for each case study's locator on every build
def city_anchor(name: str, country_code: str) -> str:
    """A city's place on the A-Z index (its id there is "sg-" and this, like every id the theme makes)."""
    return f"{slugify(name) or 'city'}-{country_code.lower()}"


def city_marks(model: SiteModel, cities: Mapping[tuple[str, str], Sequence[CaseStudy]],
               views: SiteViews) -> tuple[CityMark, ...]:
    return tuple(mark for mark, _ in city_places(model, cities, views))


def city_places(model: SiteModel, cities: Mapping[tuple[str, str], Sequence[CaseStudy]],
                views: SiteViews) -> tuple[tuple[CityMark, str], ...]:
    """(mark, site path it links to) of each city of `cities` (as `SiteModel.cities` groups them), where its
    newest case study with coordinates places it (a city none places is left out); it links to its case
    study, or to the city in the A-Z index when it has several."""
    marks = []
    for (city, _), listed in cities.items():
        placed = next((s for s in listed if s.coordinates is not None), None)
        if placed is None:
            continue
        path = (model.routes.path("case_study", placed.slug) if len(listed) == 1
                else f"{model.routes.path('cities')}#sg-{city_anchor(city, placed.country.code)}")
        marks.append((CityMark(city, placed.country.name, len(listed), model.urls.url(path), *placed.coordinates,
                               said=mark_label(views, city, placed.country.name, len(listed))), path))
    return tuple(sorted(marks, key=lambda m: (m[0].name, m[0].country)))


def focus_map(model: SiteModel, studies: tuple[CaseStudy, ...], label: str, views: SiteViews):
    """A map cropped to the cities of `studies` (a country's or a region's); None when none has coordinates."""
    marks = city_marks(model, by_city(studies), views)
    if not marks:
        return None
    return shown_map(views, marks, {s.country.code for s in studies}, label=label, focus=focus_box(marks), size="small")


def shown_map(views: SiteViews, *args, **kwargs) -> WorldMap:
    """`worldmap.map_record(*args, **kwargs)`, or the equal record of the last build, so that a page whose
    map did not change keeps it as the same object and is not digested again (see pages.same_values)."""
    record = map_record(*args, **kwargs)
    return views.again(record, record)


FEED_ENTRIES = 20  # the newest case studies an Atom feed carries
FEED_EPOCH = dt.date(1970, 1, 1)  # the `updated` of a feed with no entry (never the time of the build)


@dataclass(frozen=True)
class FeedEntry:
    """A case study in an Atom feed (its body comes apart, in the `entry_bodies` of the context)."""

    title: str
    path: str  # its page
    id: str  # a tag URI that stays when the site moves to another address
    published: dt.date
    updated: dt.date  # `updated` from its front matter, else `published`
    summary: str
    place: str  # "City, Country"
    categories: tuple[str, ...]  # its themes
    lang: str = ""  # the language of its text (an untranslated case study's in a feed of another language)


def feed_entry(model: SiteModel, study: CaseStudy, views: SiteViews) -> FeedEntry:
    item, _ = views.pages[study.slug]
    host = urlsplit(model.urls.base_url).hostname or "localhost"
    prefix = model.language.prefix if model.language else ""  # the same case study in another language: another entry
    return FeedEntry(study.title, item.path, f"tag:{host},{study.date.isoformat()}:{prefix}{study.slug}", study.date,
                     study.modified, item.summary, f"{study.city}, {study.country.name}", tuple(t.name for t in study.themes),
                     study.lang)


def feed_context(model: SiteModel, views: SiteViews, title: str, page: str, studies: Sequence[CaseStudy]) -> dict:
    """The Atom feed of `studies` (newest first), the feed of the page at `page`."""
    newest = tuple(studies[:FEED_ENTRIES])
    return {"feed_title": title, "alternate": page,
            "updated": max((s.modified for s in newest), default=FEED_EPOCH),
            "entries": tuple(feed_entry(model, s, views) for s in newest),
            "entry_bodies": tuple(views.pages[s.slug][1] for s in newest)}


def in_feeds(model: SiteModel) -> frozenset[str]:
    """The slugs of the case studies some feed carries: the newest of the site, and of each group."""
    groups = (model.studies, *(g.studies for g in (*model.themes, *model.countries, *model.regions)))
    return frozenset(s.slug for studies in groups for s in studies[:FEED_ENTRIES])


def group_feeds(kind: str, groups: str, record_of: Callable) -> Pages:
    """One feed per group of `model.<groups>` that has case studies (its ref is the group); `record_of`
    gives the group's theme, country or region, whose slug names the feed."""
    return lambda model: ((model.routes.path(kind, record_of(g).slug), g) for g in getattr(model, groups) if g.studies)


def group_feed(record_of: Callable) -> Context:
    """The context of a theme's, country's or region's feed: its newest case studies, after its page."""
    return lambda model, group, views: feed_context(model, views, record_of(group).name, group.path, group.studies)


THEME_OF, COUNTRY_OF, REGION_OF = (lambda g: g.theme), (lambda g: g.country), (lambda g: g.region)


def site_feed_context(model: SiteModel, ref, views: SiteViews) -> dict:
    return feed_context(model, views, model.content.config.title, model.routes.path("case_studies"), model.studies)


def open_data_context(model: SiteModel, ref, views: SiteViews) -> dict:
    """The data files (data/case-studies.json, .csv, .geojson): every published case study as the open data
    publishes it (`open_data.PublicCaseStudy`), in the order of the site's list (newest first)."""
    return {"records": views.records}


def search_context(model: SiteModel, ref, views: SiteViews) -> dict:
    """The search page's filters: each (name, label, values), as case-study pages spell them for the index."""
    return {"facets": (
        ("theme", views.gettext(N_("Theme")), tuple(t.theme.name for t in views.themes if t.studies)),
        ("country", views.gettext(N_("Country")),
         tuple(sorted({s.country.name for s in model.studies}, key=lambda name: (sort_key(name), name)))),
        ("region", views.gettext(N_("UNESCO region")), tuple(r.region.name for r in views.regions if r.studies)),
        ("year", views.gettext(N_("Year")),
         tuple(str(y) for y in sorted({s.date.year for s in model.studies}, reverse=True))),
    )}


def sitemap_context(model: SiteModel, ref, views: SiteViews) -> dict:
    """Each page of the sitemap: (site path, the date it last changed or None), in path order. With several
    languages the template lists each in every language (`languages`, in every page's context): each
    language has every page, under its prefix (index/languages.py)."""
    entries = tuple(sorted((path, output.modified(model, ref) if output.modified else None)
                           for output in OUTPUTS if output.in_sitemap and output.pages
                           for path, ref in output.pages(model)))
    return {"entries": views.again(("sitemap", entries), entries)}  # the last build's when equal: not digested again


# --------------------------------------------------------------------------- the registry

OUTPUTS: tuple[Output, ...] = (
    Output("home", "", "home.html", single("home"), home_context, modified=site_modified),
    Output("case_studies", "case-studies/", "case_studies.html", listed("listing"), list_context,
           modified=items_modified),
    Output("case_study", "case-studies/{slug}/", "case_study.html", each_study("case_study"), study_context,
           modified=lambda model, study: study.modified),
    Output("citation_csl", "case-studies/{slug}/citation.json", "citation.json", each_study("citation_csl"),
           citation_context, in_sitemap=False, per_language=False),
    Output("citation_bib", "case-studies/{slug}/citation.bib", "citation.bib", each_study("citation_bib"),
           citation_context, in_sitemap=False, per_language=False),
    Output("countries", "countries/", "countries.html", single("countries"),
           lambda model, ref, views: {"countries": views.countries, "regions": views.regions}, modified=site_modified),
    Output("country", "countries/{slug}/", "country.html", listed("country_pages"), country_context,
           modified=items_modified),
    Output("themes", "themes/", "themes.html", single("themes"), lambda model, ref, views: {"themes": views.themes},
           modified=site_modified),
    Output("theme", "themes/{slug}/", "theme.html", listed("theme_pages"), theme_context, modified=items_modified),
    Output("regions", "regions/", "regions.html", single("regions"),
           lambda model, ref, views: {"regions": views.regions}, modified=site_modified),
    Output("region", "regions/{slug}/", "region.html", listed("region_pages"), region_context,
           modified=items_modified),
    Output("page", "{slug}/", "page.html",
           lambda model: ((model.routes.path("page", p.slug), p.slug) for p in model.pages), page_context),
    Output("map", "map/", "map.html", single("map"), map_context, modified=site_modified),
    Output("cities", "cities/", "cities.html", single("cities"), cities_context, modified=site_modified),
    Output("search", "search/", "search.html", single("search"), search_context),
    Output("feed", "feed.xml", "feed.xml", single("feed"), site_feed_context, in_sitemap=False, carries_bodies=True),
    Output("theme_feed", "themes/{slug}/feed.xml", "feed.xml", group_feeds("theme_feed", "themes", THEME_OF),
           group_feed(THEME_OF), in_sitemap=False, carries_bodies=True),
    Output("country_feed", "countries/{slug}/feed.xml", "feed.xml", group_feeds("country_feed", "countries", COUNTRY_OF),
           group_feed(COUNTRY_OF), in_sitemap=False, carries_bodies=True),
    Output("region_feed", "regions/{slug}/feed.xml", "feed.xml", group_feeds("region_feed", "regions", REGION_OF),
           group_feed(REGION_OF), in_sitemap=False, carries_bodies=True),
    Output("data_json", f"data/{open_data.JSON_FILE}", "data/case-studies.json", single("data_json"),
           open_data_context, in_sitemap=False, per_language=False),
    Output("data_csv", f"data/{open_data.CSV_FILE}", "data/case-studies.csv", single("data_csv"), open_data_context,
           in_sitemap=False, per_language=False),
    Output("data_geojson", f"data/{open_data.GEOJSON_FILE}", "data/case-studies.geojson", single("data_geojson"),
           open_data_context, in_sitemap=False, per_language=False),
    Output("data_schema", f"data/{open_data.SCHEMA_FILE}", "data/case-studies.schema.json", single("data_schema"),
           nothing, in_sitemap=False, per_language=False),
    Output("data_package", f"data/{open_data.PACKAGE_FILE}", "data/datapackage.json", single("data_package"),
           nothing, in_sitemap=False, per_language=False),
    Output("404", "404.html", "404.html", single("404"), nothing, in_sitemap=False),
    Output("sitemap", "sitemap.xml", "sitemap.xml", single("sitemap"), sitemap_context, in_sitemap=False,
           per_language=False),
    Output("robots", "robots.txt", "robots.txt", single("robots"), nothing, in_sitemap=False, per_language=False),
    Output("static", "static/{slug}", None, per_language=False),  # the theme's static files, copied
    # the files made of raster images (index/images.py, write/images.py)
    Output("image", "media/{slug}", None, per_language=False),
    Output("search_index", "pagefind/{slug}", None, per_language=False),  # the search index (write/search.py)
)

BY_KIND: dict[str, Output] = {output.kind: output for output in OUTPUTS}
CNAME = "CNAME"  # GitHub Pages' custom-domain file, written when site.yaml has `cname`
FIXED_FILES = (write.MARKER, CNAME)  # small files a build writes besides its pages
PAGE_FILE = "index.html"  # what serves a folder path


def routes(prefix: str = "") -> Routes:
    """The path scheme of every kind, for the index stage and templates: those made in each language under
    `prefix` (a language's, e.g. "fr/"; "" for the site's own language)."""
    return Routes({output.kind: (prefix if output.per_language else "") + output.route for output in OUTPUTS})


def made_in(model: SiteModel) -> tuple[Output, ...]:
    """The kinds a model's pages are made of: every kind for the site's own language, the kinds made in each
    language for another (its routes have a prefix)."""
    default = model.routes.schemes["home"] == ""
    return tuple(output for output in OUTPUTS if output.template and (default or output.per_language))


def page_paths(model: SiteModel) -> frozenset[str]:
    """The site path of every page the registry makes for `model`."""
    return frozenset(path for output in made_in(model) for path, _ in output.pages(model))


def templates() -> set[str]:
    return {output.template for output in OUTPUTS if output.template}


# What a theme's template files end with: every kind's, and .html for the partials (located template errors,
# `check`'s syntax check)
TEMPLATE_SUFFIXES = tuple(sorted({".html"} | {"." + output.template.rsplit(".", 1)[-1] for output in OUTPUTS
                                              if output.template}))


def reserved() -> Reserved:
    """What the registry makes at fixed places, for the load stage: names authors cannot take."""
    fixed = [output.route for output in OUTPUTS if not output.route.startswith("{")]  # (languages: load's)
    tops = {route.split("/")[0] for route in fixed if route}
    files = ({route for route in fixed if route and "{" not in route and not route.endswith("/")}  # data/ files too
             | {name.lower() for name in FIXED_FILES})
    stems = {name.removesuffix(".html") for name in files if name.endswith(".html")}  # "404" for 404.html
    whole = tuple(output.route.split("{")[0] for output in OUTPUTS if output.template is None)
    return Reserved(slugs=frozenset(tops | stems), files=frozenset(files),
                    folders=frozenset(top for top in tops if top not in files),
                    copied=whole, names=frozenset({PAGE_FILE}))
