"""The validated records that the load stage hands to the rest of the pipeline.

Plain frozen dataclasses with no behaviour beyond small derived values:
a record exists only once its source passed validation.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote
from dataclasses import astuple, dataclass, field
from pathlib import Path

from .countries import Country, Region


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    description: str
    # (language code, name, description) in the site's other languages (site.yaml's `name: {fr: ...}`)
    translations: tuple[tuple[str, str, str], ...] = ()

    @property
    def slug(self) -> str:
        return self.id

    def localized(self, lang: str) -> "Theme":
        """The theme as a page in `lang` names it (itself when site.yaml gives no name in that language)."""
        for code, name, description in self.translations:
            if code == lang:
                return Theme(self.id, name, description or self.description)
        return self


@dataclass(frozen=True)
class Language:
    """A language the site is published in (site.yaml's `languages:`)."""

    code: str  # BCP 47, e.g. "fr", "pt-BR"
    name: str  # in the language itself: "Français"
    dir: str = "ltr"  # "rtl" for Arabic, Persian, Hebrew, Urdu...
    prefix: str = ""  # where its pages live: "" for the site's own language, "fr/" for the others


@dataclass(frozen=True)
class License:
    """The licence the site's content is published under (site.yaml's `license:`)."""

    name: str  # as readers know it, e.g. "CC BY 4.0"
    url: str  # its deed or text
    id: str | None = None  # its SPDX identifier, e.g. "CC-BY-4.0", for the data package


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # absolute, ends with "/"
    language: str
    themes: tuple[Theme, ...]
    cname: str | None = None
    publish_types: tuple[str, ...] = ()  # file types site.yaml adds to those published (load/filetypes.py)
    publisher: str | None = None  # who publishes the site: feeds, citations, structured data, the data package
    license: License | None = None
    repository: str | None = None  # the web address of the content's repository
    edit_uri: str = "edit/main/content/"  # a file's edit page, after `repository` (MkDocs' convention)
    # every language the site is published in, the site's own (`language`, at /) first
    languages: tuple[Language, ...] = ()
    # (language code, title, description) in the site's other languages (site.yaml's `title: {fr: ...}`)
    titles: tuple[tuple[str, str, str], ...] = ()

    @property
    def translated(self) -> tuple[Language, ...]:
        """The languages besides the site's own, each published under its prefix."""
        return self.languages[1:]

    def edit_url(self, rel: str) -> str | None:
        """Where a content file (`rel`, inside the content folder) is edited, when the site has a repository."""
        if self.repository is None:
            return None
        return f"{self.repository.rstrip('/')}/{self.edit_uri.strip('/')}/{quote(rel)}"

    @property
    def publisher_name(self) -> str:
        """Who publishes the site: `publisher`, else the site's title."""
        return self.publisher or self.title


PLACEHOLDER = "TODO"  # what `sitegen new` leaves for the author to replace; reviews warn about it
PLACEHOLDER_RE = re.compile(rf"\b{PLACEHOLDER}\b")


REVIEWED_KEYS = ("title", "date", "summary", "sources")  # front-matter keys the reviews may point at


def key_marks(doc) -> tuple[tuple[str, int, int], ...]:
    """(key, line, column) of each reviewed key's value in a parsed front matter (`yamltext.Document`)."""
    found = doc.value if isinstance(doc.value, dict) else {}
    return tuple((key, *astuple(doc.value_mark(key))) for key in REVIEWED_KEYS if key in found)


MARKS = {"digest": False}  # where keys were in the file: for messages only, never part of a page


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    publisher: str | None = None
    date: str | None = None


@dataclass(frozen=True)
class Image:
    """A case study's lead image, as its front matter names it."""

    rel: str  # posix path of the file inside the content folder
    alt: str
    credit: str | None = None
    # the line of `image:` in its file, for located messages; not part of what a page shows
    line: int | None = field(default=None, compare=False, metadata={"digest": False})


@dataclass(frozen=True)
class Raster:
    """A photo or bitmap of the content folder that the site publishes resized (load/images.py read it).

    Its size is upright: a photo whose EXIF data says it was taken sideways is turned first.
    """

    rel: str  # posix path of the file inside the content folder
    digest: str  # of the file's bytes: names its resized files, and keys the image cache
    width: int
    height: int
    format: str  # what Pillow read: "jpeg", "png", "webp", "avif", ...
    alpha: bool = False  # has transparency (kept: a PNG stays a PNG)


@dataclass(frozen=True)
class ImageRefusal:
    """A raster image of the content folder that cannot be published, and why (told where it is used)."""

    rel: str
    message: str  # completes "image 'x.jpg' ..." as well as standing alone: "is 31.2 MB, over ..."
    fix: str


@dataclass(frozen=True)
class Variant:
    """One file made from a raster image: a width in one format."""

    path: str  # site path, e.g. "media/harbour-800.1a2b3c4d.webp"
    width: int
    height: int
    format: str  # "jpeg", "png" or "webp"
    quality: int  # the encoder's quality setting (0: lossless PNG)

    @property
    def mime(self) -> str:
        return f"image/{self.format}"


@dataclass(frozen=True)
class ProcessedImage:
    """A raster image as the site publishes it: every width in each format (index/images.py plans them,
    write/images.py makes them). Templates and bodies show it as <picture>; none of its files carries
    the original's metadata."""

    rel: str  # the original, inside the content folder (never published as it is)
    digest: str  # the original's
    width: int  # the original's, upright
    height: int
    fallback: str  # the format of <img src>: the original's (JPEG or PNG), or WebP
    variants: tuple[Variant, ...]  # narrowest first; the fallback format's, then WebP's (when another)

    def of(self, format: str) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.format == format)

    @property
    def sources(self) -> tuple[Variant, ...]:
        """The WebP variants a <source> offers before the fallback (none when the fallback is WebP)."""
        return () if self.fallback == "webp" else self.of("webp")

    @property
    def largest(self) -> Variant:
        """The widest variant in the fallback format: <img src>, its width and height, and the share image."""
        return self.of(self.fallback)[-1]


@dataclass(frozen=True)
class Text:
    """A Markdown body and where it starts in its file (for located messages).

    `markdown` is None when the record was kept without its body (a build keeps
    every case study so, and so does its cache); the body is then read again
    from the file when a page needs it.
    """

    rel: str  # posix path of the .md file inside the content folder
    markdown: str | None = field(metadata={"digest": False})  # `digest` stands for it
    first_line: int
    digest: str = ""  # of the Markdown text

    def without_body(self) -> "Text":
        return Text(self.rel, None, self.first_line, self.digest)


@dataclass(frozen=True)
class CaseStudy:
    slug: str
    title: str
    city: str
    city_native: str | None
    city_native_lang: str | None
    country: Country
    themes: tuple[Theme, ...]
    date: dt.date
    summary: str | None
    region: Region
    coordinates: tuple[float, float] | None
    image: Image | None
    sources: tuple[Source, ...]
    draft: bool
    body: Text
    lang: str
    excerpt: str = ""  # plain text of the body's first paragraph, for cards when there is no summary
    updated: dt.date | None = None  # when the text last changed in substance, when the author says so
    marks: tuple = field(default=(), compare=False, metadata=MARKS)  # key_marks of its front matter
    original: str | None = None  # the original's file, when this record shows its translation (index/languages.py)

    @property
    def modified(self) -> dt.date:
        """The date the case study last changed: `updated`, else `date` (sitemap, feeds, structured data)."""
        return self.updated or self.date


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    summary: str | None
    menu: int | None
    body: Text
    lang: str
    marks: tuple = field(default=(), compare=False, metadata=MARKS)  # key_marks of its front matter


@dataclass(frozen=True)
class Home:
    title: str | None
    summary: str | None
    body: Text | None
    marks: tuple = field(default=(), compare=False, metadata=MARKS)  # key_marks of its front matter


TRANSLATABLE = ("title", "summary", "city", "image_alt", "source_titles")  # what a translation may say anew


@dataclass(frozen=True)
class Translation:
    """A translation of a case study, free page or the home page (`slug.<lang>.md` beside its original).

    It holds only the text it gives anew (None: the original's); the facts stay the
    original's. `translated_from` is the original's `content_digest` when it was
    translated: it no longer matching means the translation is stale.
    """

    kind: str  # "case_study", "page" or "home"
    slug: str  # the original's ("" for the home page)
    lang: str
    original: str  # posix path of the original, inside the content folder
    body: Text
    title: str | None = None
    summary: str | None = None
    city: str | None = None
    image_alt: str | None = None
    source_titles: tuple[str | None, ...] = ()  # in the order of the original's sources; None keeps one
    translated_from: str | None = None
    excerpt: str = ""
    # the line of `translated_from:` (1 when it is missing), for located hints
    line: int = field(default=1, compare=False, metadata=MARKS)


@dataclass(frozen=True)
class Asset:
    rel: str  # posix path inside the content folder; also its path in the output
    source: Path


@dataclass(frozen=True)
class Content:
    """Everything the content folder holds, validated, in a stable order."""

    root: Path
    config: SiteConfig
    case_studies: tuple[CaseStudy, ...]
    pages: tuple[Page, ...]
    home: Home
    assets: tuple[Asset, ...]
    rasters: tuple[Raster, ...] = ()  # the assets published resized (load/images.py)
    refused: tuple[ImageRefusal, ...] = ()  # raster assets that cannot be published (reported)
    translations: tuple[Translation, ...] = ()  # of case studies, pages and home, by file name
