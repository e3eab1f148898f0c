"""A small offline link checker for a built site served over HTTP (stdlib only).

`Crawler(root, public_url)` starts from `root` (the local address of the site's
home page, e.g. http://127.0.0.1:PORT/showcase/) and follows every internal
link it finds: <a>, <area>, <link href>, <img src/srcset>, <source
src/srcset>, <script src>, <iframe>, <video>/<audio>/<track>, <object data>,
`url(...)` and `@import` in CSS, <loc> in sitemap.xml and `Sitemap:` in
robots.txt. Absolute links under `public_url` (canonical links, sitemap
entries) are mapped onto the local server. Links to other hosts are counted
but not fetched (the tests run offline).

Every problem is recorded, not raised:
* broken: an internal link whose target does not answer 200;
* fragment: `#name` that the target HTML page has no id (or <a name>) for;
* escape: an internal link that is not written as a path under the site's
  prefix (relative links break in 404.html, which is served at any depth; a
  root-relative link outside the prefix leaves the site).
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

# (tag, attribute) pairs that hold one URL
URL_ATTRIBUTES = {
    ("a", "href"), ("area", "href"), ("link", "href"), ("img", "src"), ("source", "src"),
    ("script", "src"), ("iframe", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"),
    ("track", "src"), ("embed", "src"), ("object", "data"), ("input", "src"), ("form", "action"),
    ("blockquote", "cite"), ("q", "cite"), ("ins", "cite"), ("del", "cite"),
}
SRCSET_TAGS = {"img", "source"}
SKIPPED_SCHEMES = {"mailto", "tel", "data", "javascript", "about", "blob"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


class PageParser(HTMLParser):
    """Collects the links and the fragment targets (ids, <a name>) of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (what, url) with what like "a[href]"
        self.anchors: set[str] = set()
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.anchors.add(attributes["id"])
        if tag == "a" and attributes.get("name"):
            self.anchors.add(attributes["name"])
        for name, value in attrs:
            if value is None:
                continue
            if (tag, name) in URL_ATTRIBUTES:
                self.links.append((f"{tag}[{name}]", value.strip()))
            elif name == "srcset" and tag in SRCSET_TAGS:
                for candidate in value.split(","):
                    if candidate.strip():
                        self.links.append((f"{tag}[srcset]", candidate.split()[0]))
            elif name == "style":
                self.links += [(f"{tag}[style]", url) for url in css_urls(value)]
        if tag == "style":
            self._in_style = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.links += [("style", url) for url in css_urls(data)]


def css_urls(text: str) -> list[str]:
    return [(m.group(2) or m.group(4)).strip() for m in CSS_URL.finditer(text)]


@dataclass
class Fetched:
    url: str  # the final address after redirects, without fragment
    status: int
    content_type: str
    body: bytes

    @property
    def is_html(self) -> bool:
        return "html" in self.content_type


@dataclass
class Problem:
    kind: str  # broken | fragment | escape
    page: str
    what: str
    link: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.page} {self.what}={self.link!r}: {self.detail}"


@dataclass
class Result:
    pages: set[str] = field(default_factory=set)  # HTML pages fetched with status 200
    files: set[str] = field(default_factory=set)  # every internal address fetched with status 200
    links: int = 0  # internal link occurrences checked
    external: int = 0  # links to other hosts (counted, not fetched)
    problems: list[Problem] = field(default_factory=list)

    def of(self, kind: str) -> list[Problem]:
        return [p for p in self.problems if p.kind == kind]

    def summary(self) -> str:
        return (f"{len(self.pages)} pages, {len(self.files)} files, {self.links} internal links "
                f"({self.external} external, not fetched), {len(self.problems)} problems")


class Crawler:
    def __init__(self, root: str, public_url: str | None = None):
        self.root = root if root.endswith("/") else root + "/"
        parts = urlsplit(self.root)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.prefix = parts.path  # e.g. "/showcase/"
        self.public_url = public_url
        self.cache: dict[str, Fetched] = {}
        self.anchor_cache: dict[str, set[str]] = {}

    # ------------------------------------------------------------ fetching

    def fetch(self, url: str) -> Fetched:
        url = urldefrag(url)[0]
        if url not in self.cache:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    fetched = Fetched(urldefrag(response.geturl())[0], response.status,
                                      response.headers.get("Content-Type", ""), response.read())
            except urllib.error.HTTPError as error:
                fetched = Fetched(url, error.code, error.headers.get("Content-Type", ""), error.read())
            self.cache[url] = fetched
        return self.cache[url]

    def anchors(self, fetched: Fetched) -> set[str]:
        if fetched.url not in self.anchor_cache:
            parser = PageParser()
            parser.feed(fetched.body.decode("utf-8", errors="replace"))
            self.anchor_cache[fetched.url] = parser.anchors
        return self.anchor_cache[fetched.url]

    # ------------------------------------------------------------ links

    def local(self, url: str) -> str | None:
        """The local address of an internal URL (public site addresses mapped), or None if external."""
        if self.public_url and url.startswith(self.public_url):
            return self.root + url[len(self.public_url):]
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" == self.origin:
            return url
        return None

    def links_of(self, fetched: Fetched) -> list[tuple[str, str]]:
        text = fetched.body.decode("utf-8", errors="replace")
        path = urlsplit(fetched.url).path
        if fetched.is_html:
            parser = PageParser()
            parser.feed(text)
            self.anchor_cache.setdefault(fetched.url, parser.anchors)
            return parser.links
        if "css" in fetched.content_type or path.endswith(".css"):
            return [("css url()", url) for url in css_urls(text)]
        if path.endswith("sitemap.xml"):
            return [("sitemap loc", loc.text.strip()) for loc in ET.fromstring(fetched.body).iter(f"{SITEMAP_NS}loc")
                    if loc.text]
        if path.endswith("robots.txt"):
            return [("robots Sitemap", line.split(":", 1)[1].strip()) for line in text.splitlines()
                    if line.lower().startswith("sitemap:")]
        return []

    def check_link(self, result: Result, page: str, what: str, raw: str) -> str | None:
        """Check one link found on `page`; returns the local address to crawl next, if any."""
        if not raw or urlsplit(raw).scheme.lower() in SKIPPED_SCHEMES:
            return None
        target = self.local(urljoin(page, raw))
        if target is None:
            result.external += 1
            return None
        result.links += 1
        if not raw.startswith("#") and not (self.public_url and raw.startswith(self.public_url)) \
                and not raw.startswith(self.prefix):
            result.problems.append(Problem("escape", page, what, raw,
                                           f"internal links must start with {self.prefix} (or {self.public_url})"))
        if not urlsplit(target).path.startswith(self.prefix):
            return None  # outside the served site: reported as an escape above
        document, fragment = urldefrag(target)
        fragment = unquote(fragment)
        if document == urldefrag(page)[0]:  # same document: the browser only scrolls
            if fragment and fragment != "top" and fragment not in self.anchor_cache.get(document, set()):
                result.problems.append(Problem("fragment", page, what, raw, f"no id '{fragment}' on this page"))
            return None
        fetched = self.fetch(target)
        if fetched.status != 200:
            result.problems.append(Problem("broken", page, what, raw, f"{target} answered {fetched.status}"))
            return None
        result.files.add(fetched.url)
        if fragment and fragment != "top" and fetched.is_html and fragment not in self.anchors(fetched):
            result.problems.append(Problem("fragment", page, what, raw, f"no id '{fragment}' in {fetched.url}"))
        return fetched.url

    # ------------------------------------------------------------ entry points

    def crawl(self, *starts: str) -> Result:
        """Follow every internal link from `starts` (default: the home page and sitemap.xml)."""
        result = Result()
        queue = deque(starts or (self.root, self.root + "sitemap.xml", self.root + "robots.txt"))
        seen: set[str] = set()
        while queue:
            url = queue.popleft()
            if url in seen:
                continue
            seen.add(url)
            fetched = self.fetch(url)
            if fetched.status != 200:
                result.problems.append(Problem("broken", "(start)", "url", url, f"answered {fetched.status}"))
                continue
            result.files.add(fetched.url)
            if fetched.is_html:
                result.pages.add(fetched.url)
            for what, raw in self.links_of(fetched):
                next_url = self.check_link(result, fetched.url, what, raw)
                if next_url and next_url not in seen:
                    queue.append(next_url)
        return result

    def check_page(self, url: str, status: int = 200) -> tuple[Fetched, Result]:
        """Fetch one page (expecting `status`) and check each of its links, without crawling further.

        Links are resolved against `url` itself, as a browser does: this is how
        404.html is seen when GitHub Pages serves it for a missing page.
        """
        result = Result()
        fetched = self.fetch(url)
        if fetched.status != status:
            result.problems.append(Problem("broken", "(start)", "url", url,
                                           f"answered {fetched.status}, expected {status}"))
        as_served = Fetched(urldefrag(url)[0], fetched.status, fetched.content_type, fetched.body)
        if fetched.is_html:
            result.pages.add(as_served.url)
            self.anchor_cache[as_served.url] = self.anchors(fetched)
        for what, raw in self.links_of(as_served):
            self.check_link(result, as_served.url, what, raw)
        return fetched, result
