"""Structured data for search engines and link previews: schema.org JSON-LD, and Open Graph's locale.

Owns what a page says about itself in JSON-LD: the `WebSite` with its
`SearchAction` (home page), the `BreadcrumbList` of a detail page, and the
`Article` of a case study with the `Place` it is about and the sources it
cites. Each function is pure: records and an `abs_url` (site path ->
absolute address) in, a plain dict out. Templates write the dict with
Jinja's `tojson`, which escapes `<`, `>`, `&` and `'`, so no value can end
the script element it sits in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError, get_global

from ..model.records import CaseStudy, SiteConfig, Source

AbsUrl = Callable[[str], str]
ISO_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?")  # YYYY, YYYY-MM or YYYY-MM-DD
CONTEXT = "https://schema.org"


def organisation(config: SiteConfig, abs_url: AbsUrl) -> dict:
    """Who publishes the site: site.yaml's `publisher`, else the site itself."""
    return {"@type": "Organization", "name": config.publisher_name, "url": abs_url("")}


def website(config: SiteConfig, search_path: str, home: str = "", language: str | None = None, *,
            abs_url: AbsUrl) -> dict:
    """The site (in the language of its home page at `home`), with a `SearchAction` that fills the search
    page's `q`."""
    return {
        "@context": CONTEXT, "@type": "WebSite", "name": config.title, "description": config.description,
        "url": abs_url(home), "inLanguage": language or config.language, "publisher": organisation(config, abs_url),
        "potentialAction": {"@type": "SearchAction", "target": {
            "@type": "EntryPoint", "urlTemplate": abs_url(search_path) + "?q={search_term_string}"},
            "query-input": "required name=search_term_string"},
    }


def breadcrumbs(crumbs: Sequence[tuple[str, str]], *, abs_url: AbsUrl) -> dict:
    """The trail of a detail page, each (label, site path), as a `BreadcrumbList`."""
    return {"@context": CONTEXT, "@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": n, "name": label, "item": abs_url(path)}
        for n, (label, path) in enumerate(crumbs, start=1)]}


def article(study: CaseStudy, path: str, summary: str, config: SiteConfig, image: str | None = None, *,
            abs_url: AbsUrl, home: str = "") -> dict:
    """A case study as an `Article` about its city (a `Place`), citing its sources; part of the site whose
    home page (in the page's language) is at `home`."""
    data = {
        "@context": CONTEXT, "@type": "Article", "headline": study.title, "description": summary,
        "url": abs_url(path), "mainEntityOfPage": abs_url(path), "inLanguage": study.lang,
        "datePublished": study.date.isoformat(), "dateModified": study.modified.isoformat(),
        "author": organisation(config, abs_url), "publisher": organisation(config, abs_url),
        "isPartOf": {"@type": "WebSite", "name": config.title, "url": abs_url(home)},
        "keywords": [theme.name for theme in study.themes],
        "about": place(study),
    }
    if image:
        data["image"] = image
    if config.license is not None:
        data["license"] = config.license.url
    if study.sources:
        data["citation"] = [cited(source) for source in study.sources]
    return data


def place(study: CaseStudy) -> dict:
    found = {"@type": "Place", "name": study.city,
             "address": {"@type": "PostalAddress", "addressLocality": study.city,
                         "addressCountry": study.country.code}}
    if study.city_native:
        found["alternateName"] = study.city_native
    if study.coordinates is not None:
        found["geo"] = {"@type": "GeoCoordinates", "latitude": study.coordinates[0],
                        "longitude": study.coordinates[1]}
    return found


def cited(source: Source) -> dict:
    work = {"@type": "CreativeWork", "name": source.title, "url": source.url}
    if source.publisher:
        work["publisher"] = {"@type": "Organization", "name": source.publisher}
    if source.date and ISO_DATE.fullmatch(source.date):  # a source's date is free text; schema.org wants ISO 8601
        work["datePublished"] = source.date
    return work


@lru_cache(maxsize=256)
def og_locale(lang: str) -> str | None:
    """A BCP 47 language code as Open Graph's `og:locale` wants it, language_TERRITORY: the territory its
    speakers most likely live in when the code names none (CLDR's likely subtags, through Babel: en ->
    en_US, fa -> fa_IR, ar -> ar_EG); None for a language CLDR does not know."""
    try:
        locale = Locale.parse(lang, sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    if not locale.territory:
        likely = get_global("likely_subtags")
        guess = likely.get(str(locale)) or likely.get(locale.language)
        locale = Locale.parse(guess) if guess else locale
    return f"{locale.language}_{locale.territory}" if locale.territory else None
