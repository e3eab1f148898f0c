"""Every address in the site, made in one place so a base_url with a path works everywhere.

A *site path* is relative to the site root, with a trailing slash for
pretty URLs: "" (home), "case-studies/kashan-health-tv/", "sitemap.xml".
`Urls` turns it into the link a page uses (always starting with the base
path, so it works at any depth and in 404.html) or an absolute URL; and
`output_file` says which file in the output folder serves it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit


@dataclass(frozen=True)
class Urls:
    base_url: str  # absolute, ends with "/"
    # links already made: a page asks for the same few dozen many times over
    made: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

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


def case_study_path(slug: str) -> str:
    return f"case-studies/{slug}/"


def country_path(slug: str) -> str:
    return f"countries/{slug}/"


def theme_path(slug: str) -> str:
    return f"themes/{slug}/"


def region_path(slug: str) -> str:
    return f"regions/{slug}/"


def page_path(slug: str) -> str:
    return f"{slug}/"
