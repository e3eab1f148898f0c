"""Markdown bodies to safe HTML.

Owns the Python-Markdown configuration (tables, footnotes, fenced code,
heading ids, attr_list, smart quotes), the treeprocessor that turns the
relative links authors write for GitHub's preview (`[Cork](cork.md#results)`,
`![](img/x.jpg)`) into site links, and sanitising with nh3 so raw HTML in a
body can carry no script. It reports broken links as located problems; it
never reads files.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from .records import Text
from .urls import Urls

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6", "h1", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "bdi", "bdo",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "th": {"style", "scope", "colspan", "rowspan"},
    "td": {"style", "colspan", "rowspan"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
    "abbr": {"title"},
}
URL_SCHEMES = {"http", "https", "mailto"}
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


@dataclass(frozen=True)
class LinkProblem:
    line: int
    message: str
    fix: str


@dataclass(frozen=True)
class Rendered:
    html: str
    first_paragraph: str  # plain text, for a summary when front matter has none
    problems: tuple[LinkProblem, ...] = ()


@dataclass
class LinkContext:
    """What the link rewriter needs to know about the site, and what it found."""

    urls: Urls
    sources: dict[str, str]  # Markdown file (posix, in content) -> site path
    assets: frozenset[str]  # files copied to the output (posix, in content)
    text: Text | None = None
    problems: list[LinkProblem] = field(default_factory=list)


class LinkRewriter(Treeprocessor):
    """Rewrite relative `a[href]` and `img[src]` to site URLs; note the ones that lead nowhere."""

    def __init__(self, md, context: LinkContext):
        super().__init__(md)
        self.context = context

    def run(self, root):
        for element in root.iter():
            if element.tag == "a" and element.get("href"):
                element.set("href", self.rewrite(element.get("href"), link=True))
            elif element.tag == "img" and element.get("src"):
                element.set("src", self.rewrite(element.get("src"), link=False))
                element.set("loading", element.get("loading", "lazy"))

    def rewrite(self, ref: str, link: bool) -> str:
        ctx = self.context
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith("#"):
            return ref
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if ref.startswith("/"):  # root-absolute: keep it inside the base path
            return ctx.urls.url(parts.path) + fragment
        here = posixpath.dirname(ctx.text.rel)
        target = posixpath.normpath(posixpath.join(here, unquote(parts.path)))
        if target.startswith("../") or target == "..":
            self.problem(ref, f"link '{ref}' leads outside the content folder",
                         "Link to a case study, a page or a file inside the content folder.")
            return ref
        if target in ctx.sources:
            return ctx.urls.url(ctx.sources[target]) + fragment
        if target in ctx.assets:
            return ctx.urls.url(target) + fragment
        if target.endswith(".md"):
            self.problem(ref, f"link to '{ref}', but there is no such case study or page",
                         "Check the file name; links are relative to this file, e.g. other-city.md.")
        else:
            self.problem(ref, f"{'link' if link else 'image'} '{ref}' points to a file that does not exist",
                         "Check the file name and folder; paths are relative to this file.")
        return ref

    def problem(self, ref: str, message: str, fix: str) -> None:
        text = self.context.text
        index = text.markdown.find(ref)
        line = text.first_line + (text.markdown.count("\n", 0, index) if index >= 0 else 0)
        self.context.problems.append(LinkProblem(line, message, fix))


class Converter:
    """One reusable Markdown instance (building one is costly); `convert` resets it per document."""

    def __init__(self, urls: Urls, sources: dict[str, str], assets: frozenset[str]):
        self.context = LinkContext(urls, sources, assets)
        self.md = markdown.Markdown(
            extensions=["tables", "footnotes", "fenced_code", "attr_list", "smarty", "toc"],
            extension_configs={
                "toc": {"slugify": slugify_unicode},
                "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
            },
            output_format="html",
        )
        # after inline parsing (20), so links and images exist; before prettify (10)
        self.md.treeprocessors.register(LinkRewriter(self.md, self.context), "sitegen-links", 15)

    def convert(self, text: Text) -> Rendered:
        self.context.text = text
        self.context.problems = []
        self.md.reset()
        raw = self.md.convert(text.markdown)
        safe = sanitize(raw)
        return Rendered(safe, first_paragraph(safe), tuple(self.context.problems))


def sanitize(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        filter_style_properties={"text-align"},
        strip_comments=True,
    )


def first_paragraph(fragment: str) -> str:
    match = _FIRST_PARAGRAPH.search(fragment)
    if not match:
        return ""
    return " ".join(html.unescape(nh3.clean(match.group(1), tags=set())).split())
