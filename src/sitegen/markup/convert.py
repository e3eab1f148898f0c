"""Markdown bodies to safe HTML.

Owns the Python-Markdown configuration (tables, footnotes, fenced code,
heading ids, attr_list, smart quotes), the treeprocessor that turns the
relative links authors write for GitHub's preview (`[Cork](cork.md#results)`,
`![](img/x.jpg)`) into site links, and sanitising with nh3 so raw HTML in a
body can carry no script. It reports broken links as located problems; it
never reads files.
"""

from __future__ import annotations

import functools
import html
import posixpath
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import markdown
import nh3
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from . import speedups
from ..model.records import Text
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
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)


@dataclass(frozen=True)
class LinkProblem:
    """A problem in a body, located in its file.

    `severity` is what `sitegen check` reports: broken links are errors there, what the
    sanitizer removes and images without alt text are warnings. `fatal` marks a body that
    could not be converted at all (its HTML is empty): a build must stop on it too.
    """

    line: int
    message: str
    fix: str
    severity: str = "error"  # diagnostics.ERROR or WARNING
    column: int | None = None
    fatal: bool = False


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
    headings: tuple[Heading, ...] = ()  # only when the Converter audits (sitegen check)


@dataclass
class LinkContext:
    """What the link rewriter needs to know about the site, and what it found."""

    urls: Urls
    sources: dict[str, str]  # Markdown file (posix, in content) -> site path
    assets: frozenset[str]  # files copied to the output (posix, in content)
    text: Text | None = None
    problems: list[LinkProblem] = field(default_factory=list)
    lookups: dict[str, tuple] = field(default_factory=dict)
    unpublished: dict[str, str] = field(default_factory=dict)  # Markdown file -> why it is not on the site
    audit: bool = False  # also note what the sanitizer removes and images without alt text
    cursor: dict[str, int] = field(default_factory=dict)  # where the last problem about a string was found


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
                                 "warning")
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
        ctx.lookups[target] = (ctx.sources.get(target), target in ctx.assets)
        if target.startswith("../") or target == "..":
            self.problem(ref, f"link '{ref}' leads outside the content folder",
                         "Link to a case study, a page or a file inside the content folder.")
            return ref
        if target in ctx.sources:
            return ctx.urls.url(ctx.sources[target]) + fragment
        if target in ctx.assets:
            return ctx.urls.url(target) + fragment
        if target in ctx.unpublished:
            self.problem(ref, f"link to '{ref}', which {ctx.unpublished[target]}",
                         "Remove the link, or publish the other file first.")
        elif target.endswith(".md"):
            self.problem(ref, f"link to '{ref}', but there is no such case study or page",
                         "Check the file name; links are relative to this file, e.g. other-city.md.")
        else:
            self.problem(ref, f"{'link' if link else 'image'} '{ref}' points to a file that does not exist",
                         "Check the file name and folder; paths are relative to this file.")
        return ref

    def problem(self, ref: str, message: str, fix: str, severity: str = "error") -> None:
        line, column = locate(self.context, ref)
        self.context.problems.append(LinkProblem(line, message, fix, severity, column))


def locate(ctx: LinkContext, needle: str, case: bool = True) -> tuple[int, int | None]:
    """Line and column of the next occurrence of `needle` in the body (after the last one reported)."""
    text = ctx.text
    haystack = text.markdown if case else text.markdown.lower()
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
                 unpublished: dict[str, str] | None = None, audit: bool = False):
        """`unpublished` names Markdown files that exist but are not on the site (drafts), and why;
        `audit` (sitegen check) also lists headings and what the sanitizer removes."""
        self.context = LinkContext(urls, sources, assets, unpublished=dict(unpublished or {}), audit=audit)
        self.md = self.new_markdown()

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
        return md

    def convert(self, text: Text) -> Rendered:
        ctx = self.context
        ctx.text = text
        ctx.problems = []
        ctx.lookups = {}
        ctx.cursor = {}
        self.md.reset()
        try:
            raw = self.md.convert(text.markdown)
        except RecursionError:  # Python-Markdown recurses once per level of nested lists or quotes
            self.md = self.new_markdown()  # its parser state is left half-way: start afresh
            return Rendered("", (LinkProblem(
                text.first_line, "the text is nested too deeply to be read (lists or quotes inside each "
                "other, hundreds of levels deep)", "Flatten the nesting: a few levels are enough.", fatal=True),))
        safe = sanitize(raw)
        headings: tuple[Heading, ...] = ()
        if ctx.audit:  # one pass over the HTML before sanitizing: what will be removed, and the headings
            elements = _parse(raw)
            audit_removed(ctx, elements)
            headings = find_headings(ctx, elements)
        return Rendered(safe, tuple(ctx.problems),
                        tuple(sorted(ctx.lookups.items())), headings)


_HEADINGS = frozenset(f"h{n}" for n in range(1, 7))
_DROPPED_WITH_CONTENT = frozenset({"script", "style"})  # the sanitizer removes these with all they hold


class _Elements(HTMLParser):
    """What an HTML fragment holds that the checks need: tags the sanitizer will touch, and headings."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []  # only tags with something to remove
        self.headings: list[list] = []  # [level, text parts]
        self.open_heading: list | None = None
        self.dropped = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
        if tag not in ALLOWED_TAGS or any(name not in allowed or name in _URL_ATTRIBUTES or name == "style"
                                          for name, _ in attrs):
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
            line, column = locate(ctx, needle, case=False)
            ctx.problems.append(LinkProblem(line, message, fix, "warning", column))

    for tag, attrs in elements.tags:
        if tag not in ALLOWED_TAGS:
            warn_once(("tag", tag), f"<{tag}", f"HTML <{tag}> is not allowed and is removed from the page",
                      "Write the text in Markdown; scripts, frames, forms, embeds and styles cannot be published.")
            continue
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | ALLOWED_ATTRIBUTES["*"]
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
    """The headings of the body, in order, each located at the source line that makes it."""
    found = []
    lines = ctx.text.markdown.split("\n")
    next_line = 0
    for level, parts in elements.headings:
        text = " ".join("".join(parts).split())
        index = _heading_line(lines, next_line, level, text)
        if index is None:
            found.append(Heading(level, text, ctx.text.first_line, None))
            continue
        next_line = index + 1
        column = len(lines[index]) - len(lines[index].lstrip()) + 1
        found.append(Heading(level, text, ctx.text.first_line + index, column))
    return tuple(found)


_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def _heading_line(lines: list[str], start: int, level: int, text: str) -> int | None:
    """The first line from `start` that can make a heading of `level` (ATX, setext or raw HTML)."""
    words = text.split()[:1]
    fallback = None
    candidates = 0
    for i in range(start, len(lines)):
        if fallback is not None and candidates > 20:  # bounded, so a long body stays linear
            break
        line = lines[i]
        atx = _ATX.match(line)
        made = (
            (atx and len(atx.group(1)) == level)
            or (level in (1, 2) and i + 1 < len(lines) and line.strip()
                and (m := _SETEXT.match(lines[i + 1])) and (m.group(1)[0] == "=") == (level == 1))
            or re.search(rf"<h{level}[\s>]", line, re.I)
        )
        if made:
            candidates += 1
            if not words or words[0].lower() in line.lower():
                return i
            if fallback is None:
                fallback = i
    return fallback


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


_BLOCK_START = re.compile(r"^(#|>|[-*+] |\d+[.)] |\||```|~~~|<|!\[|\[\^|    |\t|[-*_]{3,}\s*$|\{:)")


@functools.cache
def _paragraph_markdown() -> markdown.Markdown:
    md = markdown.Markdown(extensions=[TypographyExtension()])
    speedups.install(md)
    return md


def summary_text(markdown_text: str) -> str:
    """Plain text of a body's first paragraph (a summary for case studies that give none).

    Only that paragraph is converted, so a summary costs far less than the whole body.
    """
    for block in re.split(r"\n\s*\n", markdown_text.strip()):
        if block and not _BLOCK_START.match(block):
            md = _paragraph_markdown()
            md.reset()
            return first_paragraph(sanitize(md.convert(block)))
    return ""


def first_paragraph(fragment: str) -> str:
    match = _FIRST_PARAGRAPH.search(fragment)
    if not match:
        return ""
    return " ".join(html.unescape(nh3.clean(match.group(1), tags=set())).split())
