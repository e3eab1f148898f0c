"""Every address in the site, made in one place so a base_url with a path works everywhere.

A *site path* is relative to the site root, with a trailing slash for
pretty URLs: "" (home), "case-studies/kashan-health-tv/", "sitemap.xml".
`Routes` makes the site path of a page from its kind and slug, with the
path schemes the render stage's outputs registry declares (passed in, so
this module knows no page kind by name). `Urls` turns a site path into the
link a page uses (always starting with the base path, so it works at any
depth and in 404.html) or an absolute URL; and `output_file` says which
file in the output folder serves it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

PAGE_NUMBER = "{base}page/{number}/"  # the second and later pages of a long list


@dataclass(frozen=True)
class Routes:
    """Path schemes by page kind, e.g. {"country": "countries/{slug}/"}."""

    schemes: Mapping[str, str]

    def path(self, kind: str, slug: str = "") -> str:
        return self.schemes[kind].format(slug=slug)

    def page(self, base: str, number: int) -> str:
        """The site path of page `number` (1-based) of a list whose first page is `base`."""
        return base if number == 1 else PAGE_NUMBER.format(base=base, number=number)


@dataclass(frozen=True)
class Reserved:
    """Names the site makes itself, which an author's page or file must not take.

    All in lower case; `folders` are at the top of the site.
    """

    slugs: frozenset[str]  # top-level names a free page cannot use as its slug
    files: frozenset[str]  # generated files at fixed places ("sitemap.xml", "cname", "data/case-studies.csv")
    folders: frozenset[str]  # generated folders at the top ("countries")
    copied: tuple[str, ...]  # folders filled by copying ("static/"): nothing else may go there
    names: frozenset[str]  # file names generated in many folders ("index.html")


@dataclass(frozen=True)
class Urls:
    base_url: str  # absolute, ends with "/"
    # links already made: a page asks for the same few dozen many times over
    made: dict[str, str] = field(default_factory=dict, compare=False, repr=False, metadata={"digest": False})

    @functools.cached_property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path or "/"

    def url(self, path: str) -> str:
        """The link to a site path, e.g. "/showcase/countries/iran/"."""
        link = self.made.get(path)
        if link is None:
            link = self.made[path] = self.base_path + quote(path.lstrip("/"), safe="/#-._~%")
        return link

    def absolute(self, path: str) -> str:
        return self.base_url + quote(path.lstrip("/"), safe="/#-._~%")


def output_file(path: str) -> str:
    """The file that serves a site path: "x/" -> "x/index.html", "" -> "index.html"."""
    if path == "" or path.endswith("/"):
        return path + "index.html"
    return path
