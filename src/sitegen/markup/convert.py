"""Markdown bodies to safe HTML.

Owns the Python-Markdown configuration (tables, footnotes, fenced code,
heading ids, attr_list, smart quotes), the treeprocessor that turns the
relative links authors write for GitHub's preview (`[Cork](cork.md#results)`,
`![](img/x.jpg)`) into site links, and sanitising with nh3 so raw HTML in a
body can carry no script. It reports broken links as located problems; it
never reads files.

Bodies come from strangers: a body beyond `limits.reading_limits` is not
converted at all, and its refusals are fatal located problems. Every scan here
is linear, and a body lists at most PROBLEMS_PER_KIND problems of one kind,
then one that counts the rest.
"""

from __future__ import annotations

import bisect
import functools
import html
import posixpath
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from . import speedups
from .limits import reading_limits
from ..model.records import PLACEHOLDER, PLACEHOLDER_RE, ProcessedImage, Text
from .typography import TypographyExtension
from ..model.urls import Urls

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
# tag -> every attribute allowed on it (its own and those allowed on all tags)
_ALLOWED_ON = {tag: frozenset(ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]) for tag in ALLOWED_TAGS}
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


@dataclass(frozen=True)
class LinkProblem:
    """A problem in a body, located in its file.

    `severity` is what `build` and `check` both report: broken links and heading levels are
    errors, what the sanitizer removes, images without alt text and placeholders are warnings.
    `fatal` marks a body that could not be converted at all (its HTML is empty)."""

    line: int
    message: str
    fix: str
    severity: str = "error"  # diagnostics.ERROR or WARNING
    column: int | None = None
    fatal: bool = False
    kind: str = "broken links"  # what PROBLEMS_PER_KIND counts: the plural noun of 'and 99,980 more ...'


@dataclass(frozen=True)
class Heading:
    """A heading of a body as it will be published (Markdown `##` or raw HTML `<h2>`)."""

    level: int  # 1-6
    text: str
    line: int  # in the file
    column: int | None = None


@dataclass(frozen=True)
class Rendered:
    html: str
    problems: tuple[LinkProblem, ...] = ()
    lookups: tuple = ()  # (target, (site path or None, is an asset)) for every relative link: what the HTML depends on
    headings: tuple[Heading, ...] = ()  # only when the Converter audits (every build and check do)
    sections: tuple[tuple[str, str], ...] = ()  # (id, text) of each second-level heading: "On this page"


@dataclass
class LinkContext:
    """What the link rewriter needs to know about the site, and what it found."""

    urls: Urls
    sources: dict[str, str]  # Markdown file (posix, in content) -> site path
    assets: frozenset[str]  # files copied to the output (posix, in content)
    pages: frozenset[str] = frozenset()  # site path of every page the site has ("", "themes/", ...)
    text: Text | None = None
    problems: list[LinkProblem] = field(default_factory=list)
    lookups: dict[str, tuple] = field(default_factory=dict)
    unpublished: dict[str, str] = field(default_factory=dict)  # Markdown file -> why it is not on the site
    images: Mapping[str, ProcessedImage] = field(default_factory=dict)  # raster image -> the files made of it
    refused: Mapping[str, str] = field(default_factory=dict)  # raster image that cannot be published -> why
    pictures: dict[str, ProcessedImage] = field(default_factory=dict)  # <img src> -> its image, to write as <picture>
    audit: bool = False  # also note what the sanitizer removes and images without alt text
    cursor: dict[str, int] = field(default_factory=dict)  # where the last problem about a string was found
    found: Counter = field(default_factory=Counter)  # (kind, severity) -> problems found, listed or not
    unlisted: dict[tuple, tuple] = field(default_factory=dict)  # (kind, severity) -> where the first unlisted one is
    lowered: str | None = None  # the body in lower case, made once for case-blind locating
    elements: "_Elements | TreeElements | None" = None  # what the audit needs, when read off the tree


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
                if self.context.audit and not (element.get("alt") or "").strip():
                    self.problem(element.get("src"), f"image '{element.get('src')}' has no alt text",
                                 "Describe what it shows between the brackets: ![A crowd at the festival](photo.jpg).",
                                 "warning", kind="images without alt text")
                element.set("src", self.rewrite(element.get("src"), link=False))
                element.set("loading", element.get("loading", "lazy"))
                picture = self.context.pictures.get(element.get("src"))
                if picture is not None:  # the rest of <picture> is written after sanitizing (add_pictures)
                    element.set("width", str(picture.largest.width))
                    element.set("height", str(picture.largest.height))

    def rewrite(self, ref: str, link: bool) -> str:
        ctx = self.context
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith("#"):
            return ref
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if ref.startswith("/"):  # root-relative: a page or file of this site, with or without the base path
            return self.rewrite_rooted(ref, unquote(parts.path), fragment, link)
        here = posixpath.dirname(ctx.text.rel)
        target = posixpath.normpath(posixpath.join(here, unquote(parts.path)))
        image = ctx.images.get(target)
        ctx.lookups[target] = (ctx.sources.get(target), target in ctx.assets, image.digest if image else None)
        if target.startswith("../") or target == "..":
            self.problem(ref, f"link '{ref}' leads outside the content folder",
                         "Link to a case study, a page or a file inside the content folder.")
            return ref
        if target in ctx.sources:
            return ctx.urls.url(ctx.sources[target]) + fragment
        if image is not None:
            return self.image_url(image, link) + fragment
        if target in ctx.assets:
            return ctx.urls.url(target) + fragment
        if target in ctx.refused:
            self.problem(ref, f"{'link' if link else 'image'} '{ref}' leads to an image that cannot be published: "
                         f"it {ctx.refused[target]}", "See the error about the file itself.")
        elif target in ctx.unpublished:
            self.problem(ref, f"link to '{ref}', which {ctx.unpublished[target]}",
                         "Remove the link, or publish the other file first.")
        elif target.endswith(".md"):
            self.problem(ref, f"link to '{ref}', but there is no such case study or page",
                         "Check the file name; links are relative to this file, e.g. other-city.md.")
        else:
            self.problem(ref, f"{'link' if link else 'image'} '{ref}' points to a file that does not exist",
                         "Check the file name and folder; paths are relative to this file.")
        return ref

    def rewrite_rooted(self, ref: str, path: str, fragment: str, link: bool) -> str:
        """A root-relative link (`/case-studies/cork/`, or `/showcase/case-studies/cork/` copied from the
        preview with the base path in it): the page or file it names, linked with the base path once;
        a broken link when the site has no such page or file."""
        ctx = self.context
        found = rooted_target(path, ctx.urls.base_path, ctx.pages, ctx.assets)
        image = ctx.images.get(found) if found is not None else None
        # (a root-relative path: no file's key, which has no leading /)
        ctx.lookups[path] = (found, False, image.digest if image else None)
        if image is not None:
            return self.image_url(image, link) + fragment
        if found is not None:
            return ctx.urls.url(found) + fragment
        self.problem(ref, f"{'link' if link else 'image'} '{ref}' leads to no page or file of this site",
                     "Link to the file instead (other-city.md, ../pages/about.md, img/photo.jpg): sitegen writes "
                     "the address. For another site, write its full address, starting with https://.")
        return ref

    def image_url(self, image: ProcessedImage, link: bool) -> str:
        """The address of a raster image (its original is not published): its widest file in the original's
        format; an <img> is written as a <picture> of all its files once sanitized (`add_pictures`)."""
        url = self.context.urls.url(image.largest.path)
        if not link:
            self.context.pictures[url] = image
        return url

    def problem(self, ref: str, message: str, fix: str, severity: str = "error", kind: str = "broken links") -> None:
        add_problem(self.context, ref, message, fix, severity, kind)


def rooted_target(path: str, base_path: str, pages: frozenset[str], assets: frozenset[str]) -> str | None:
    """The site path a root-relative link's path names (`/x/`, or `/base/x/` with the base path in it):
    a page ("x/", with or without its last slash or index.html) or a published file; None for neither."""
    candidates = []
    if base_path != "/" and (path + "/").startswith(base_path):
        candidates.append(path[len(base_path):])
    candidates.append(path.lstrip("/"))
    for candidate in candidates:
        if candidate.endswith("index.html") and (candidate == "index.html" or candidate.endswith("/index.html")):
            candidate = candidate[:-len("index.html")]
        if candidate in assets or candidate in pages:
            return candidate
        if not candidate.endswith("/") and candidate + "/" in pages:
            return candidate + "/"
    return None


PROBLEMS_PER_KIND = 20  # listed per body, kind and severity; the rest are counted in one more problem


def add_problem(ctx: LinkContext, needle: str, message: str, fix: str, severity: str, kind: str,
                case: bool = True) -> None:
    """Note a problem located at the next `needle` in the body; past PROBLEMS_PER_KIND of its kind it is
    only counted (so 100,000 broken links cost 20 searches of the body, not 100,000)."""
    key = (kind, severity)
    ctx.found[key] += 1
    if ctx.found[key] <= PROBLEMS_PER_KIND:
        line, column = locate(ctx, needle, case)
        ctx.problems.append(LinkProblem(line, message, fix, severity, column, kind=kind))
    elif key not in ctx.unlisted:
        ctx.unlisted[key] = locate(ctx, needle, case)


def unlisted_problems(ctx: LinkContext) -> list[LinkProblem]:
    """One problem for each kind that had more than PROBLEMS_PER_KIND, at the first one not listed."""
    return [LinkProblem(line, more_message(ctx.found[key], kind), MORE_FIX, severity, column, kind=kind)
            for key, (line, column) in ctx.unlisted.items() for kind, severity in [key]]


MORE_FIX = "Fix the ones listed, then check again to see the rest."


def more_message(found: int, kind: str) -> str:
    """The problem that stands for those past PROBLEMS_PER_KIND of one kind in one file."""
    return f"and {found - PROBLEMS_PER_KIND:,} more {kind} from here on (only the first {PROBLEMS_PER_KIND} are listed)"


def locate(ctx: LinkContext, needle: str, case: bool = True) -> tuple[int, int | None]:
    """Line and column of the next occurrence of `needle` in the body (after the last one reported)."""
    text = ctx.text
    if case:
        haystack = text.markdown
    else:
        if ctx.lowered is None:
            ctx.lowered = text.markdown.lower()
        haystack = ctx.lowered
    key = needle if case else needle.lower()
    index = haystack.find(key, ctx.cursor.get(key, 0)) if key else -1
    if index < 0:
        index = haystack.find(key) if key else -1
    if index < 0:
        return text.first_line, None
    ctx.cursor[key] = index + 1
    line_start = text.markdown.rfind("\n", 0, index) + 1
    return text.first_line + text.markdown.count("\n", 0, index), index - line_start + 1


class Converter:
    """One reusable Markdown instance (building one is costly); `convert` resets it per document."""

    def __init__(self, urls: Urls, sources: dict[str, str], assets: frozenset[str], *,
                 pages: frozenset[str] = frozenset(), unpublished: dict[str, str] | None = None,
                 audit: bool = False, placeholders: bool = True,
                 images: Mapping[str, ProcessedImage] | None = None, refused: Mapping[str, str] | None = None):
        """`pages` are the site paths of every page (for root-relative links); `unpublished` names
        Markdown files that exist but are not on the site (drafts), and why; `audit` (every build and
        check) also lists headings and what the sanitizer removes; `placeholders` warns about TODO left in
        a text (not in drafts, which may be unfinished). `images` (raster image -> the files made of it)
        are shown as <picture> with every width and format; `refused` names raster images that cannot be
        published, and why."""
        self.context = LinkContext(urls, sources, assets, pages, unpublished=dict(unpublished or {}), audit=audit,
                                   images=images or {}, refused=refused or {})
        self.md = self.new_markdown()
        self.placeholders = placeholders

    def new_markdown(self) -> markdown.Markdown:
        md = markdown.Markdown(
            extensions=["tables", "footnotes", "fenced_code", "attr_list", TypographyExtension(), "toc"],
            extension_configs={
                "toc": {"slugify": slugify_unicode},
                "footnotes": {"BACKLINK_TITLE": "Back to reference %d"},
            },
            output_format="html",
        )
        speedups.install(md)
        # after inline parsing (20), so links and images exist; before prettify (10)
        md.treeprocessors.register(LinkRewriter(md, self.context), "sitegen-links", 15)
        # after every other (unescape is 0): the tree as it will be written
        md.treeprocessors.register(AuditReader(md, self.context), "sitegen-audit", -10)
        return md

    def convert(self, text: Text) -> Rendered:
        ctx = self.context
        ctx.text = text
        ctx.problems = []
        ctx.lookups = {}
        ctx.cursor = {}
        ctx.found = Counter()
        ctx.unlisted = {}
        ctx.lowered = None
        ctx.elements = None
        ctx.pictures = {}
        refusals = reading_limits(text.markdown, text.first_line)
        if refusals:  # Python-Markdown would take minutes, or recurse too deep: not converted at all
            return Rendered("", tuple(LinkProblem(r.line, r.message, r.fix, column=r.column, fatal=True,
                                                  kind="reading limits") for r in refusals))
        self.md.reset()
        try:
            raw = self.md.convert(text.markdown)
        except RecursionError:  # Python-Markdown recurses once per level of nested lists or quotes
            self.md = self.new_markdown()  # its parser state is left half-way: start afresh
            return Rendered("", (LinkProblem(
                text.first_line, "the text is nested too deeply to be read (lists or quotes inside each "
                "other, hundreds of levels deep)", "Flatten the nesting: a few levels are enough.", fatal=True),))
        safe = sanitize(raw)
        if ctx.pictures:
            safe = add_pictures(safe, ctx.pictures, ctx.urls)
        headings: tuple[Heading, ...] = ()
        if ctx.audit:  # what will be removed, and the headings: off the tree, or one pass over the HTML
            elements = ctx.elements if ctx.elements is not None else _parse(raw)
            audit_removed(ctx, elements)
            headings = find_headings(ctx, elements)
            ctx.problems.extend(heading_problems(headings))
        if self.placeholders and (left := placeholder_problem(text)) is not None:
            ctx.problems.append(left)
        sections = tuple((t["id"], html.unescape(t["name"])) for t in self.md.toc_tokens if t["level"] == 2)
        return Rendered(safe, tuple(ctx.problems + unlisted_problems(ctx)),
                        tuple(sorted(ctx.lookups.items())), headings, sections)


def placeholder_problem(text: Text) -> LinkProblem | None:
    """A warning at the first TODO `sitegen new` left in the text, counting them all."""
    found = PLACEHOLDER_RE.search(text.markdown) if PLACEHOLDER in text.markdown else None
    if found is None:
        return None
    line = text.first_line + text.markdown.count("\n", 0, found.start())
    column = found.start() - (text.markdown.rfind("\n", 0, found.start()) + 1) + 1
    count = len(PLACEHOLDER_RE.findall(text.markdown))
    return LinkProblem(line, f"the text still holds {count} {PLACEHOLDER} placeholder{'s' * (count != 1)}",
                       f"Write the missing parts and remove each {PLACEHOLDER}.", "warning", column,
                       kind="placeholders")


def heading_problems(headings: tuple[Heading, ...]) -> list[LinkProblem]:
    """Second h1s and skipped levels (the page title is the h1, so a body starts at ##); past
    PROBLEMS_PER_KIND of each, one problem counts the rest."""
    problems = []
    found: Counter = Counter()
    unlisted: dict[str, Heading] = {}
    previous = 1  # the page title is the page's h1
    for h in headings:
        shown = h.text if len(h.text) <= 60 else h.text[:57] + "..."
        kind = "second h1s" if h.level == 1 else "skipped heading levels" if h.level > previous + 1 else None
        if kind is not None:
            found[kind] += 1
            if found[kind] > PROBLEMS_PER_KIND:
                unlisted.setdefault(kind, h)
            elif h.level == 1:
                problems.append(LinkProblem(h.line, f"heading '{shown}' is a second h1: the page title is already "
                                            "the h1", "Start the sections of the text with ## (and sub-sections "
                                            "with ###).", column=h.column, kind=kind))
            else:
                after = "the page title (the h1)" if previous == 1 else f"a level-{previous} heading ({'#' * previous})"
                problems.append(LinkProblem(h.line, f"heading '{shown}' skips a level: it is level {h.level} "
                                            f"({'#' * h.level}) right after {after}",
                                            f"Make it {'#' * (previous + 1)}, or add the missing level above it.",
                                            column=h.column, kind=kind))
        previous = h.level
    problems.extend(LinkProblem(h.line, more_message(found[kind], kind), MORE_FIX, column=h.column, kind=kind)
                    for kind, h in unlisted.items())
    return problems


_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_DROPPED_WITH_CONTENT = frozenset({"script", "style"})  # the sanitizer removes these with all they hold


class _Elements(HTMLParser):
    """What an HTML fragment holds that the checks need: tags the sanitizer will touch, and headings."""

    def __init__(self):
        self.no_comment_end: tuple[str | None, int] = (None, 0)  # (text, offset): no comment ends after it
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []  # only tags with something to remove
        self.headings: list[list] = []  # [level, text parts]
        self.open_heading: list | None = None
        self.dropped = 0  # inside <script> or <style>

    def parse_comment(self, i, report=1):
        """HTMLParser's, without reading the rest of the text again for each comment left open (quadratic
        over many of them, before Python 3.13.4): none after the first that found no end."""
        searched, after = self.no_comment_end
        if searched is self.rawdata and i >= after:
            return -1
        found = super().parse_comment(i, report)
        if found < 0:
            self.no_comment_end = (self.rawdata, i)
        return found

    def handle_starttag(self, tag, attrs):
        if touched(tag, attrs):
            self.tags.append((tag, attrs))
        if tag in _DROPPED_WITH_CONTENT:
            self.dropped += 1
        elif tag in _HEADINGS and not self.dropped:
            self.open_heading = [int(tag[1]), []]
            self.headings.append(self.open_heading)

    def handle_endtag(self, tag):
        if tag in _DROPPED_WITH_CONTENT:
            self.dropped = max(0, self.dropped - 1)
        elif tag in _HEADINGS:
            self.open_heading = None

    def handle_data(self, data):
        if self.open_heading is not None:
            self.open_heading[1].append(data)


class AuditReader(Treeprocessor):
    """The audit's `_Elements` read off the finished tree, for a body with no raw HTML (no `<`), no
    entities (no `&`) and no attribute lists (no `{`): what it holds is then exactly what will be
    written, and the HTML need not be parsed again. Other bodies are parsed (`_parse`): raw HTML and
    entities are only placeholders in the tree."""

    def __init__(self, md, context: LinkContext):
        super().__init__(md)
        self.context = context

    def run(self, root):
        ctx = self.context
        markdown_text = ctx.text.markdown
        if not ctx.audit or "<" in markdown_text or "{" in markdown_text or "&" in markdown_text:
            return  # raw HTML and entities are kept aside as placeholders until the tree is written
        found = TreeElements()
        for element in root.iter():
            tag = element.tag
            if element is root or not isinstance(tag, str):
                continue
            attrs = list(element.attrib.items())
            if touched(tag, attrs):
                found.tags.append((tag, attrs))
            if tag in _HEADINGS:
                found.headings.append([int(tag[1]), ["".join(element.itertext())]])
        ctx.elements = found


@dataclass
class TreeElements:
    """What `_Elements` finds, as `AuditReader` reads it off the tree."""

    tags: list = field(default_factory=list)
    headings: list = field(default_factory=list)


def touched(tag: str, attrs) -> bool:
    """Will the sanitizer remove or check this tag or one of its attributes (a URL, a style)?"""
    allowed = _ALLOWED_ON.get(tag)
    return allowed is None or any(name not in allowed or name in _URL_ATTRIBUTES or name == "style"
                                  for name, _ in attrs)


def _parse(fragment: str) -> _Elements:
    parser = _Elements()
    parser.feed(fragment)
    parser.close()
    return parser


_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "xlink:href", "srcdoc", "background"}


def audit_removed(ctx: LinkContext, elements: _Elements) -> None:
    """Warn about the raw HTML, attributes and links the sanitizer will remove (each kind once per body)."""
    seen = set()

    def warn_once(kind: tuple, needle: str, message: str, fix: str) -> None:
        if kind not in seen:
            seen.add(kind)
            add_problem(ctx, needle, message, fix, "warning", "kinds of removed HTML", case=False)

    for tag, attrs in elements.tags:
        if tag not in ALLOWED_TAGS:
            warn_once(("tag", tag), f"<{tag}", f"HTML <{tag}> is not allowed and is removed from the page",
                      "Write the text in Markdown; scripts, frames, forms, embeds and styles cannot be published.")
            continue
        allowed = _ALLOWED_ON[tag]
        for name, value in attrs:
            if name not in allowed:
                warn_once(("attr", name), f"{name}=", f"the attribute {name}= on <{tag}> is not allowed and is removed",
                          "Remove it: event handlers and inline styles cannot be published.")
            elif name == "style" and value and not _alignment_only(value):
                warn_once(("style", tag), "style=", f"the style on <{tag}> is removed except its text-align",
                          "Use Markdown table alignment (|:--|--:|) and no other styles.")
            elif name in _URL_ATTRIBUTES and value:
                scheme = url_scheme(value)
                if scheme and scheme not in URL_SCHEMES:
                    warn_once(("scheme", scheme), value.strip()[:40],
                              f"the {scheme}: address '{value.strip()[:60]}' is not allowed and is removed",
                              "Link only to http://, https:// or mailto: addresses, or to files in the content folder.")


def _alignment_only(style: str) -> bool:
    return all(part.split(":")[0].strip().lower() == "text-align" for part in style.split(";") if part.strip())


def url_scheme(value: str) -> str | None:
    """The scheme a browser reads in a URL attribute: entities decoded, leading and trailing controls
    and spaces stripped, tabs and line breaks removed anywhere (WHATWG URL parsing)."""
    cleaned = re.sub(r"[\t\n\r]", "", html.unescape(value).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b"
                                                                 "\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17"
                                                                 "\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f "))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


def find_headings(ctx: LinkContext, elements: _Elements) -> tuple[Heading, ...]:
    """The headings of the body, in order, each located at the source line that makes it.

    The lines that can make a heading of each level are listed once; each heading then looks at no
    more than HEADING_CANDIDATES of them, from the line after the last heading found: linear in the body.
    """
    found = []
    lines = ctx.text.markdown.split("\n")
    candidates = _heading_candidates(lines)
    next_line = 0
    for level, parts in elements.headings:
        text = " ".join("".join(parts).split())
        at = _heading_line(lines, candidates.get(level, ()), next_line, text)
        if at is None:
            found.append(Heading(level, text, ctx.text.first_line, None))
            continue
        index, column = at
        next_line = index + 1
        found.append(Heading(level, text, ctx.text.first_line + index, column))
    return tuple(found)


HEADING_CANDIDATES = 21  # lines looked at per heading for one holding its first word
# What comes before a heading on its line: quote markers and list markers (`> ## A`, `- ## A`).
_CONTAINER_PREFIX = re.compile(r"(?:[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t]))*[ \t]*")
_ATX = re.compile(r"(#{1,6})(?:[ \t]|$)")
_SETEXT = re.compile(r"(=+|-+)[ \t]*$")
_HTML_HEADING = re.compile(r"<h([1-6])[\s>]", re.I)


def _heading_candidates(lines: list[str]) -> dict[int, list[tuple[int, int]]]:
    """Level -> (line index, column) of every line that can make a heading of that level, in order:
    ATX (`## A`), setext (a line over `===` or `---`) or raw HTML (`<h2>`), inside quotes and lists too.
    Only a line holding `#` or `<`, or over a line holding `=` or `-`, can make one."""
    found: dict[int, list[tuple[int, int]]] = {}
    last = len(lines) - 1
    for i, line in enumerate(lines):
        atx, html = "#" in line, "<" in line
        setext = i < last and ("=" in lines[i + 1] or "-" in lines[i + 1])
        if not (atx or html or setext):
            continue
        prefix, rest = _after_containers(line)
        levels = set()
        if atx and (match := _ATX.match(rest)):
            levels.add(len(match.group(1)))
        if setext and rest and (match := _SETEXT.match(_after_containers(lines[i + 1])[1])):
            levels.add(1 if match.group(1)[0] == "=" else 2)
        if html and "<" in rest:
            levels.update(int(m.group(1)) for m in _HTML_HEADING.finditer(rest))
        for level in levels:
            found.setdefault(level, []).append((i, prefix + 1))
    return found


def _after_containers(line: str) -> tuple[int, str]:
    """(length of the quote and list markers a line starts with, the rest of the line)."""
    prefix = _CONTAINER_PREFIX.match(line).end()
    return prefix, line[prefix:]


def _heading_line(lines: list[str], candidates, start: int, text: str) -> tuple[int, int] | None:
    """(index, column) of the first candidate line from `start` that holds the heading's first word;
    the first candidate from `start` when none of the next HEADING_CANDIDATES does; None without one."""
    words = text.split()[:1]
    first = bisect.bisect_left(candidates, (start, 0))
    window = candidates[first:first + HEADING_CANDIDATES]
    if not window:
        return None
    if words:
        word = words[0].lower()
        for index, column in window:
            if word in lines[index].lower():
                return index, column
    return window[0]


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


# The width an image in a body takes: the theme's text column (`--measure`, 68ch of its serif, some 37rem),
# or the screen less its margins on a phone. A browser picks the file of each <picture> from it.
BODY_SIZES = "(min-width: 40rem) 37rem, calc(100vw - 2rem)"
_SANITIZED_IMG = re.compile(r"<img\s[^>]*>")  # as nh3 writes it: every attribute value double-quoted
_ATTRIBUTE = re.compile(r'([a-z][a-z0-9-]*)="([^"]*)"')
KEPT_ON_PICTURES = ("alt", "title", "id", "class", "lang", "dir")  # of an <img>'s attributes, those kept


def add_pictures(safe: str, pictures: Mapping[str, ProcessedImage], urls: Urls) -> str:
    """Each sanitized <img> whose src is a raster image's file (`pictures`: that address -> the image)
    written as a <picture>: WebP offered first, every width in a srcset, its width and height, lazy.

    Done on the sanitizer's output, so the sanitizer never lets <picture>, <source> or srcset through:
    only the markup written here, whose every address is a file the site makes, has them."""
    def picture(match: re.Match) -> str:
        attributes = dict(_ATTRIBUTE.findall(match.group()))
        image = pictures.get(html.unescape(attributes.get("src", "")))
        if image is None:
            return match.group()
        kept = {name: html.unescape(attributes[name]) for name in KEPT_ON_PICTURES if name in attributes}
        return picture_html(image, urls, kept, BODY_SIZES, lazy=True)
    return _SANITIZED_IMG.sub(picture, safe)


def srcset(variants, urls: Urls) -> str:
    return ", ".join(f"{urls.url(v.path)} {v.width}w" for v in variants)


def picture_html(image: ProcessedImage, urls: Urls, attributes: Mapping[str, str], sizes: str, lazy: bool) -> str:
    """`image` as <picture>: a WebP <source> (unless its own files are WebP), then an <img> of the fallback
    format with `attributes` (alt...), its widest file as src, and that file's width and height."""
    largest = image.largest
    parts = ["<picture>"]
    if image.sources:
        parts.append(f'<source type="image/webp" srcset="{html.escape(srcset(image.sources, urls))}" '
                     f'sizes="{html.escape(sizes)}">')
    own = "".join(f' {name}="{html.escape(value)}"' for name, value in attributes.items())
    loading = ' loading="lazy"' if lazy else ""
    parts.append(f'<img src="{html.escape(urls.url(largest.path))}" '
                 f'srcset="{html.escape(srcset(image.of(image.fallback), urls))}" sizes="{html.escape(sizes)}" '
                 f'width="{largest.width}" height="{largest.height}"{own}{loading} decoding="async"></picture>')
    return "".join(parts)


_BLOCK_START = re.compile(r"^(#|>|[-*+] |\d+[.)] |\||```|~~~|<|!\[|\[\^|    |\t|[-*_]{3,}\s*$|\{:)")


@functools.cache
def _paragraph_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[TypographyExtension()])
    speedups.install(md)
    return md


def summary_text(markdown_text: str) -> str:
    """Plain text of a body's first paragraph (a summary for case studies that give none).

    Only that paragraph is converted, so a summary costs far less than the whole body. A paragraph
    beyond sitegen's reading limits gives no summary: converting the body reports it, located.
    """
    for block in re.split(r"\n\s*\n", markdown_text.strip()):
        if block and not _BLOCK_START.match(block):
            if reading_limits(block):
                return ""
            md = _paragraph_markdown()
            md.reset()
            try:
                return first_paragraph(sanitize(md.convert(block)))
            except RecursionError:  # not expected within the limits; never a traceback all the same
                _paragraph_markdown.cache_clear()  # its parser state is left half-way
                return ""
    return ""


def first_paragraph(fragment: str) -> str:
    match = _FIRST_PARAGRAPH.search(fragment)
    if not match:
        return ""
    return " ".join(html.unescape(nh3.clean(match.group(1), tags=set())).split())
