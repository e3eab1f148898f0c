"""What templates are handed: lean, frozen views of the site model.

A page is fingerprinted by the digest of its context (see `digest.py`), so a
context should hold what its template shows and little more: a card holds a
case study's card fields, not its body, so editing a body re-renders the
case study's own page and not every list its card is on. Views are made once
per build (`site_views`); a `serve` session keeps each card while its record
is the same object, so unchanged cards are neither made nor digested again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..index.site import CountryGroup, Place, SiteModel
from ..model.countries import Country, Region
from ..model.languages import cldr_locale, name_in_itself
from ..model.messages import untranslated
from ..model.records import CaseStudy, Image, ProcessedImage, Text, Theme
from .open_data import PublicCaseStudy, public_record


def language_name(code: str) -> str:
    """A language's name in itself, as CLDR gives it (the code when CLDR does not know it)."""
    locale = cldr_locale(code)
    return code if locale is None else name_in_itself(locale, code)


@dataclass(frozen=True)
class StudyCard:
    """A case study as a card shows it (the `card` macro, lists, related case studies)."""

    slug: str
    path: str
    title: str
    summary: str  # the summary, or the first paragraph of the body when there is none
    city: str
    city_native: str | None
    city_native_lang: str | None
    country: Country
    country_path: str
    region: Region
    themes: tuple[Theme, ...]
    date: object  # datetime.date
    modified: object  # datetime.date: `updated`, else `date`
    image: Image | None
    draft: bool
    lang: str
    picture: ProcessedImage | None = None  # the files made of the image, when it is a photo or bitmap
    # the name of its language in itself, when a page in another language lists it untranslated (else None)
    lang_name: str | None = None


@dataclass(frozen=True)
class ShareImage:
    """The image a page offers to sites that show a link to it (Open Graph's og:image and its size)."""

    path: str  # site path
    width: int
    height: int
    alt: str
    mime: str  # e.g. "image/jpeg"


@dataclass(frozen=True)
class StudyView:
    """A case study on its own page: the whole record, its address and summary."""

    study: CaseStudy
    path: str
    summary: str
    picture: ProcessedImage | None = None  # the files made of its lead image, when it is a photo or bitmap


@dataclass(frozen=True)
class Body:
    """A Markdown body in a context; the render worker puts its HTML in its place.

    Its digest is that of the Markdown source; what its links resolved to is
    checked separately (`PageEntry.lookups`).
    """

    text: Text


class Counted:
    """A view of a group with its `studies`; `count` says how many."""

    @property
    def count(self) -> int:
        return len(self.studies)


@dataclass(frozen=True)
class CountryView(Counted):
    country: Country
    region: Region
    path: str
    studies: tuple[StudyCard, ...]


@dataclass(frozen=True)
class CountryCount:
    """A country in a short list: its name, its page and how many case studies it has."""

    country: Country
    path: str
    count: int


@dataclass(frozen=True)
class ThemeView(Counted):
    theme: Theme
    path: str
    studies: tuple[StudyCard, ...]


@dataclass(frozen=True)
class RegionView(Counted):
    region: Region
    path: str
    countries: tuple[CountryView, ...]
    studies: tuple[StudyCard, ...]


@dataclass
class SiteViews:
    cards: Mapping[str, StudyCard]  # slug -> card
    pages: Mapping[str, tuple[StudyView, Body]]  # slug -> what its own page shows of a case study
    countries: tuple[CountryView, ...]
    themes: tuple[ThemeView, ...]
    regions: tuple[RegionView, ...]
    country_by_code: dict[str, CountryView] = field(default_factory=dict)
    region_by_id: dict[str, RegionView] = field(default_factory=dict)
    records: tuple[PublicCaseStudy, ...] = ()  # every case study as the open data publishes it, in the model's order
    # Lists and places handed out in the last build, by what they hold: a list of the same
    # cards, or an equal place, is the same object again, so an unchanged page's context is
    # made of the very objects of the last build (see pages.page_jobs).
    last: dict = field(default_factory=dict)
    made: dict = field(default_factory=dict)
    # the page's language, for the labels contexts make in Python (model/messages.py)
    gettext: Callable[[str], str] = untranslated
    ngettext: Callable[[str, str, int], str] = lambda one, many, n: one if n == 1 else many

    def list_of(self, studies) -> tuple[StudyCard, ...]:
        cards = tuple(self.cards[s.slug] for s in studies)
        return self.again(tuple(map(id, cards)), cards)

    def place(self, place: Place) -> Place:
        return self.again((place.number, place.total, place.paths, place.spans, place.years), place)

    def again(self, key, value):
        """`value`, or the object handed out for `key` in the last build (kept alive with it)."""
        known = self.made.get(key) or self.last.get(key) or value
        self.made[key] = known
        return known


CARD_SUMMARY = 220  # characters of a summary a card shows at most (the case study's own page shows it all)
SENTENCE_ENDS = (". ", "! ", "? ", "。", "！", "？", "؟ ", "। ")  # where a sentence ends, and the next may start


def summary_of(study: CaseStudy) -> str:
    return study.summary or study.excerpt


def cut_at_sentence(text: str, limit: int = CARD_SUMMARY) -> str:
    """`text` if it fits in `limit` characters; else its sentences that fit, whole, when they fill a
    third of it or more; else its words that fit, and an ellipsis."""
    if len(text) <= limit:
        return text
    end = max(text.rfind(mark, 0, limit) + len(mark.rstrip()) for mark in SENTENCE_ENDS)
    if end >= limit // 3 and text[:end].strip():
        return text[:end].rstrip()
    space = text.rfind(" ", 0, limit)
    return (text[:space] if space > 0 else text[:limit - 1]).rstrip(" ,;:") + "…"


def picture_of(study: CaseStudy, model: SiteModel) -> ProcessedImage | None:
    """The files made of a case study's lead image; None without one, or for a GIF or SVG (published as it is)."""
    return model.images.get(study.image.rel) if study.image is not None else None


def make_card(study: CaseStudy, model: SiteModel, picture: ProcessedImage | None = None) -> StudyCard:
    routes = model.routes
    return StudyCard(study.slug, routes.path("case_study", study.slug), study.title, cut_at_sentence(summary_of(study)),
                     study.city, study.city_native, study.city_native_lang, study.country,
                     routes.path("country", study.country.slug), study.region, study.themes, study.date,
                     study.modified, study.image, study.draft, study.lang, picture, foreign_language(study, model))


def foreign_language(study: CaseStudy, model: SiteModel) -> str | None:
    """The name of a case study's language in itself when the model's pages are in another language."""
    if model.language is None or study.lang == model.language.code:
        return None
    listed = {x.code: x.name for x in model.content.config.languages}
    return listed.get(study.lang) or language_name(study.lang)


def site_views(model: SiteModel, memo: dict | None = None, digester=None,
               card_digests: dict[str, str] | None = None, last: SiteViews | None = None,
               record_digests: dict[str, str] | None = None, interface=None) -> SiteViews:
    """Every card and group view of the site, and the open data's records.

    `memo` (id(record) -> (record, card, (view, body), open data record, picture)) is kept by a
    session, so an unchanged record keeps its views, and their digests, from one build to the next.
    With a `digester`, each card and open data record is digested once per record
    (`Digester.derive`); `card_digests` and `record_digests` (record digest -> card's, open data
    record's digest) are kept by the cache and replaced by the ones this build used. A case study's
    own page shows the whole record, so its view's digest is the record's. A view with a picture
    shows the files made of its image too: its digest is that of the record and the picture (an
    image whose bytes change under the same name changes the record's views).
    """
    known_cards, known_records = dict(card_digests or {}), dict(record_digests or {})
    card_digests = {} if card_digests is None else card_digests
    record_digests = {} if record_digests is None else record_digests
    card_digests.clear()
    record_digests.clear()
    memo = {} if memo is None else memo
    if memo.get(BASE_URL) != model.urls.base_url:  # the open data's records hold absolute addresses
        memo.clear()
    kept, cards, pages, records = {}, {}, {}, []
    for study in model.studies:
        known = memo.get(id(study))
        picture = picture_of(study, model)
        if known is None or known[0] is not study or known[4] is not picture:
            card = make_card(study, model, picture)
            summary = summary_of(study)
            known = (study, card, (StudyView(study, card.path, summary, picture), Body(study.body)),
                     public_record(study, model.urls.absolute(card.path), summary), picture)
            if digester is not None:  # views kept from the last build keep their digests too
                derive(digester, known, (known_cards, card_digests), (known_records, record_digests))
        kept[id(study)] = known
        cards[study.slug] = known[1]
        pages[study.slug] = known[2]
        records.append(known[3])
    memo.clear()
    memo.update(kept)
    memo[BASE_URL] = model.urls.base_url

    def country_view(g: CountryGroup) -> CountryView:
        return CountryView(g.country, g.region, g.path, tuple(cards[s.slug] for s in g.studies))

    countries = tuple(country_view(g) for g in model.countries)
    by_code = {v.country.code: v for v in countries}
    regions = tuple(RegionView(g.region, g.path, tuple(by_code[c.country.code] for c in g.countries),
                               tuple(cards[s.slug] for s in g.studies)) for g in model.regions)
    themes = tuple(ThemeView(g.theme, g.path, tuple(cards[s.slug] for s in g.studies)) for g in model.themes)
    views = SiteViews(cards, pages, countries, themes, regions, by_code, {v.region.id: v for v in regions},
                      tuple(records), last=last.made if last is not None else {})
    if interface is not None:
        views.gettext, views.ngettext = interface.gettext, interface.ngettext
    return views


BASE_URL = "base_url"  # in a session's memo: the base_url its open data records were made with


def derive(digester, made: tuple, cards: tuple[dict, dict], records: tuple[dict, dict]) -> None:
    """Digest a record's views (`made`: record, card, (page view, body), open data record, picture) from
    the digest of the record (and of its picture, which the card and the page view show too); `cards`
    and `records` are each (digests known from the last build, digests this build uses)."""
    study, card, (view, body), record, picture = made
    source = study if picture is None else (study, picture)
    digester.derive(card, source, *cards)
    digester.derive(record, study, *records)
    digester.derive(view, source)
    digester.derive(body, study)  # its own page shows the whole record anyway (its images: see PageEntry.lookups)


def digest_views(views: SiteViews, model: SiteModel, digester, card_digests: dict[str, str],
                 record_digests: dict[str, str]) -> None:
    """The digests `site_views` derives, for views it made without a digester."""
    known_cards, known_records = dict(card_digests), dict(record_digests)
    card_digests.clear()
    record_digests.clear()
    for study, record in zip(model.studies, views.records):
        card = views.cards[study.slug]
        derive(digester, (study, card, views.pages[study.slug], record, card.picture),
               (known_cards, card_digests), (known_records, record_digests))
