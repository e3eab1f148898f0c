"""What a site publishes as it is: file types, backups left out, SVG and XML files checked first.

Owns the allowlist of file types a content folder may publish (by extension:
images, PDF and CSV; more from site.yaml's `publish_types`, but never a type a
browser runs script in or a program), the names of editors' backup and
temporary files (never published, never an error), and the check an SVG
image passes before it is published: it is decoded the way a browser decodes
it (BOM, then UTF-16 without one, then the encoding declaration; a
declaration that contradicts the bytes or names another encoding is refused),
parsed with defusedxml (no DTD, no entity, no external reference), and every
element and attribute, by namespace URI and local name (so no prefix hides
one), must be on the static-SVG allowlist: no script, no event attribute, no
foreignObject, no animation, no link or url() leaving the image except to a
relative local file (and data: raster images in `<image>`), and CSS without
@import, escapes or outside url(). A file of a `publish_types` type that is
XML (a GPX track, a KML map) is checked too: a browser opens those as XML
documents, where XHTML, SVG or MathML elements would run.

The load stage applies it to the content folder's assets (`check_asset`), the
render stage to the theme's and overrides' static files (`published_static`).
A file is read no further than its size limit (`read_at_most`): one over it is
an error that gives its size and the limit.
"""

from __future__ import annotations

import codecs
import fnmatch
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from ..model.diagnostics import Report
from ..model.schema import Invalid

# ---------------------------------------------------------------- file types

IMAGE_TYPES = ("jpg", "jpeg", "png", "gif", "webp", "avif", "svg")
# Photos and bitmaps the site publishes resized, without their metadata, and never as they are
# (load/images.py reads them, write/images.py makes their files); GIF and SVG are published as they are.
RASTER_TYPES = frozenset({"jpg", "jpeg", "png", "webp", "avif"})
# PDF: a report or a leaflet a city published. CSV: the figures behind a case study, which a
# browser shows as text or downloads and never runs (nor lets a page load as a script). Plain .txt
# is left out: text belongs in the Markdown, and a browser lets a page load a .txt as a script.
PUBLISHED_TYPES = frozenset(IMAGE_TYPES + ("pdf", "csv"))
# A content folder's templates/static/ also needs style sheets, fonts and an icon; no scripts.
OVERRIDE_STATIC_TYPES = PUBLISHED_TYPES | {"css", "woff", "woff2", "ttf", "otf", "ico"}
# The theme's static/ may also hold scripts and data: the theme is code sitegen ships and trusts.
STATIC_TYPES = OVERRIDE_STATIC_TYPES | {"js", "mjs", "json", "webmanifest", "txt"}
# A browser opens these as a page or an XML document that runs script, runs them as a script or
# a plug-in, or (svgz) they cannot be checked: never published, not even through publish_types.
SCRIPT_TYPES = frozenset({
    "html", "htm", "xhtml", "xht", "shtml", "shtm", "mht", "mhtml", "xml", "xsl", "xslt", "xsd", "xul",
    "xbl", "htc", "hta", "vml", "svgz", "rss", "atom", "rdf", "mml", "mathml", "smil", "smi",
    "js", "mjs", "cjs", "jsx", "ts", "tsx", "wasm", "swf", "spl", "xap", "jar", "class", "jnlp",
    "php", "php3", "php4", "php5", "phtml", "asp", "aspx", "jsp", "cgi", "pl", "py", "rb"})
# Programs, installers and shortcuts: a reader who opens one runs it.
PROGRAM_TYPES = frozenset({
    "exe", "msi", "msp", "com", "bat", "cmd", "scr", "pif", "cpl", "ps1", "psm1", "vbs", "vbe", "jse", "wsf",
    "wsh", "lnk", "reg", "dll", "so", "dylib", "app", "dmg", "pkg", "deb", "rpm", "apk", "ipa", "appimage",
    "sh", "bash", "zsh", "command", "run", "bin", "elf", "iso"})
BACKUP_TYPES = frozenset({"bak", "orig", "tmp", "temp", "swp", "swo", "swx", "part", "crdownload"})
# Served as plain text or JSON, which a browser never opens as an XML document: not sniffed for XML.
PLAIN_TEXT_TYPES = frozenset({"txt", "csv", "tsv", "json", "geojson"})
TYPE_NAME_RE = re.compile(r"[a-z0-9]{1,10}")
MB = 1024 * 1024  # a megabyte as sitegen counts it (and GitHub its 100 MB limit)
MAX_XML_BYTES = 8 * MB  # the largest SVG (or XML file of an added type) checked, unless site.yaml's limits say

# Editors' backups, swap and lock files, half-finished downloads, and the files a system leaves.
BACKUP_PATTERNS = ("*~", ".#*", "#*#", "~$*", "*.bak", "*.orig", "*.swp", "*.swo", "*.swx", "*.tmp", "*.temp",
                   "*.part", "*.crdownload", ".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini")


def read_at_most(path: Path, limit: int, report: Report, what: str, fix: str) -> bytes | None:
    """The file's bytes, reading no more than `limit` + 1; None (with an error at line 1 that gives
    the file's size and the limit for `what`, e.g. "a Markdown file") when it is longer than
    `limit`, or (with an error) when it cannot be read."""
    try:
        with path.open("rb") as f:
            size = os.fstat(f.fileno()).st_size
            # as many bytes as the file holds, one more to see it end (asking for `limit` + 1 at
            # once makes Python set aside a buffer that large for every file, small or not)
            data = f.read(min(size, limit) + 1)
            if size < len(data) <= limit:  # it grew while being read: read on, up to the limit
                data += f.read(limit + 1 - len(data))
            size = max(len(data), size)
    except OSError as exc:
        report.error(path, None, f"cannot read the file: {exc.strerror}")
        return None
    if len(data) > limit:
        report.error(path, 1, too_large(size, limit, what), fix)
        return None
    return data


def too_large(size: int, limit: int, what: str) -> str:
    """The message for a file of `size` bytes over `limit` bytes, the limit for `what`."""
    return f"the file is {megabytes(size, up=True)} ({size:,} bytes), over the {megabytes(limit)} limit for {what}"


def megabytes(size: int, up: bool = False) -> str:
    """`size` bytes in MB as an author reads it: "8 MB", "2.5 MB"; with `up`, rounded up to a tenth
    (so a file just over a limit never shows as the limit itself)."""
    if up:
        return f"{math.ceil(size * 10 / MB) / 10:.1f} MB"
    text = f"{size / MB:.5f}".rstrip("0").rstrip(".")  # a limit written with up to 5 decimals, as written
    return f"{text} MB"


def extension(name: str) -> str:
    """The file's type: its last extension in lower case, without the dot ("" when it has none)."""
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


BACKUP_NAME = re.compile("|".join(fnmatch.translate(pattern) for pattern in BACKUP_PATTERNS))


def is_backup(name: str) -> bool:
    """Is `name` an editor's backup, swap or lock file, a temporary file or a system's own file?"""
    return BACKUP_NAME.match(name.lower()) is not None


def published_types(extra: Iterable[str] = ()) -> frozenset[str]:
    """The types a content folder publishes: the built-in list and site.yaml's `publish_types`.

    An entry `publish_type` refuses is left out (site.yaml's check reports it, at its line).
    """
    types = set(PUBLISHED_TYPES)
    for value in extra:
        try:
            types.add(publish_type(value))
        except Invalid:
            pass
    return frozenset(types)


def publish_type(value, name: str = "publish_types") -> str:
    """One entry of site.yaml's `publish_types` as a type name ("gpx"); Invalid when it cannot be one."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise Invalid(f"{name}: each entry must be a file extension such as gpx",
                      "Write the list like publish_types: [gpx, ods]")
    text = str(value).strip().lstrip(".").lower()
    fix = "Remove it from publish_types."
    if not TYPE_NAME_RE.fullmatch(text):
        raise Invalid(f"{name}: '{value}' is not a file extension (letters and digits, up to 10)",
                      "Write the extension alone, without the dot, e.g. gpx")
    if text in SCRIPT_TYPES:
        raise Invalid(f"{name}: files of type .{text} can run script on the site's own address, so they are "
                      "never published", fix + " Write a page as Markdown in pages/; link to files hosted elsewhere.")
    if text in PROGRAM_TYPES:
        raise Invalid(f"{name}: files of type .{text} are programs, which the site never publishes",
                      fix + " Link to the program where its maker publishes it.")
    if text in BACKUP_TYPES:
        raise Invalid(f"{name}: files of type .{text} are backups or temporary files, which are never published",
                      fix)
    if text == "md":
        raise Invalid(f"{name}: Markdown files become pages; they are not published as files", fix)
    return text


def coerce_publish_types(value, name: str = "publish_types") -> tuple[str, ...]:
    """site.yaml's `publish_types` (a list, or one name) as type names; Invalid at the first bad entry."""
    values = value if isinstance(value, list) else [value]
    return tuple(dict.fromkeys(publish_type(item, name) for item in values))


def load_publish_types(path: Path, doc, value, report: Report) -> tuple[str, ...]:
    """site.yaml's `publish_types`, each bad entry reported at its own line (`doc`: a yamltext.Document)."""
    if value is None:
        return ()
    types = []
    for i, item in enumerate(value if isinstance(value, list) else [value]):
        try:
            types.append(publish_type(item))
        except Invalid as exc:
            mark = doc.value_mark(*(("publish_types", i) if isinstance(value, list) else ("publish_types",)))
            report.error(path, mark.line, exc.message, exc.fix, mark.column)
    return tuple(dict.fromkeys(types))


def type_problem(name: str, types: frozenset[str], static: bool = False) -> tuple[str, str] | None:
    """(message, fix) when a file called `name` is of a type not published, else None."""
    ext = extension(name)
    remove = "remove it from the static/ folder" if static else "move it out of the content folder"
    if not ext:
        return ("this file has no extension, so the site does not publish it",
                f"Add the extension of its type (e.g. .pdf), or {remove}.")
    if ext in types:
        return None
    if ext == "md":
        return (f"'{name}' is a Markdown file with an upper-case extension, which sitegen does not read",
                "Rename it to end in .md (lower case).")
    if ext == "svgz":
        return ("files of type .svgz (compressed SVG) are not published: they cannot be checked for scripts",
                f"Save the image as plain, uncompressed .svg, and {remove}.")
    if ext in SCRIPT_TYPES:
        return (f"files of type .{ext} are not published: a browser would run a script in them on the site's "
                "own address",
                f"Put what it does in the theme's templates, and {remove}." if static else
                "Write the page as Markdown in pages/ (or link to the file where it is hosted elsewhere), "
                f"and {remove}.")
    if ext in PROGRAM_TYPES:
        return (f"files of type .{ext} are not published: they are programs",
                f"Link to the program where its maker publishes it, and {remove}.")
    shown = ", ".join(f".{t}" for t in sorted(types))
    if static:
        return (f"files of type .{ext} are not published from a static/ folder (it publishes {shown})",
                f"Convert the file to one of those types, or {remove}.")
    return (f"files of type .{ext} are not published: the site publishes {shown}",
            f"Save it as PDF (or as CSV for a table), or add '{ext}' to publish_types in site.yaml if readers "
            f"need the file as it is; else {remove}.")


def check_asset(path: Path, name: str, types: frozenset[str], report: Report, static: bool = False,
                limit: int = MAX_XML_BYTES) -> bool:
    """Is the file at `path` (called `name`) of a published type, and safe to publish? Else reported.

    An SVG or XML file over `limit` bytes (site.yaml's limits: file_size_mb, for a content folder) is
    refused unread.
    """
    problem = type_problem(name, types, static)
    if problem:
        report.error(path, None, *problem)
        return False
    ext = extension(name)
    if ext == "svg":
        kind = SVG
    elif ext in PUBLISHED_TYPES or ext in PLAIN_TEXT_TYPES or static:
        return True
    else:
        kind = XML_DATA  # a type site.yaml added: checked when it is XML
    fix = "Simplify the drawing, or export it as PNG" + (
        "." if static else ", or raise limits: file_size_mb in site.yaml.")
    data = read_at_most(path, limit, report, "an SVG drawing" if kind == SVG else "an XML file sitegen checks", fix)
    if data is None:
        return False
    if kind == XML_DATA and not looks_like_xml(data):
        return True
    problems = xml_problems(data, kind)
    for problem in problems:
        report.error(path, problem.line, problem.message, problem.fix, problem.column)
    return not problems


def published_static(files: Iterable[tuple[str, Path]], report: Report,
                     types: frozenset[str] = STATIC_TYPES) -> list[tuple[str, Path]]:
    """The static files that may be published, as the (site path, source) pairs given.

    For the theme's static/ (`types` STATIC_TYPES) and a content folder's templates/static/
    (pass OVERRIDE_STATIC_TYPES: no scripts). Backups and temporary files are left out with
    a hint; a file of another type, or an SVG that fails the check, is an error and left out.
    """
    kept = []
    for site_path, source in files:
        if is_backup(source.name):
            report.hint(source, None, f"'{source.name}' is a backup or temporary file, so it is not published",
                        "Nothing to do; delete it when you no longer need it.")
        elif check_asset(source, source.name, types, report, static=True):
            kept.append((site_path, source))
    return kept


# ---------------------------------------------------------------- decoding XML as a browser does

@dataclass(frozen=True)
class Problem:
    line: int | None
    column: int | None
    message: str
    fix: str = ""


REEXPORT = ("Export the image again as plain SVG (Inkscape: Save As > Plain SVG; Illustrator: Export As > SVG), "
            "or save it as PNG.")
BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
XML_DECLARATION_RE = re.compile(r"""<\?xml\s[^>]*?\bencoding\s*=\s*(["'])([^"'>]*)\1""")
UTF8_LABELS = {"utf-8", "utf8"}
UTF16_LABELS = {"utf-16": None, "utf16": None, "utf-16le": "utf-16-le", "utf-16be": "utf-16-be"}
# Single-byte encodings that agree with ASCII on every byte of markup: whichever of them a browser
# picks, it sees the same elements and attributes as the check.
ASCII_LABELS = {"us-ascii", "ascii", "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
                "windows-1252", "cp1252"}
ENCODING_FIX = "Save the file as UTF-8 (in most editors: Save with encoding > UTF-8)."


def sniff(data: bytes) -> tuple[str | None, int]:
    """(codec, length of its byte order mark) as a browser sees them; codec None: decided by the declaration."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return codec, len(bom)
    if data[:2] == b"<\0":
        return "utf-16-le", 0
    if data[:2] == b"\0<":
        return "utf-16-be", 0
    return None, 0


def looks_like_xml(data: bytes) -> bool:
    """Does the file start (after a byte order mark and white space) with '<', as an XML document must?"""
    codec, skip = sniff(data)
    head = data[skip:skip + 400].decode(codec or "latin-1", "ignore")
    return head.lstrip(" \t\r\n").startswith("<")


def decode_xml(data: bytes) -> tuple[str | None, Problem | None]:
    """The file's text, decoded as a browser decodes it, or a problem when its encoding is unclear.

    A byte order mark decides, then UTF-16 without one (a file starting with '<' and a zero byte),
    then the <?xml ... encoding="..."?> declaration, then UTF-8. A declaration that contradicts
    the bytes is refused: readers that trust one or the other would see different files.
    """
    codec, skip = sniff(data)
    head = data[skip:skip + 400].decode(codec or "latin-1", "ignore")
    declared = XML_DECLARATION_RE.match(head)
    if declared:
        name, label = declared.group(2), declared.group(2).strip().lower()
        if codec is None:  # bytes that agree with ASCII: the declaration decides
            if label in UTF8_LABELS:
                codec = "utf-8"
            elif label in ASCII_LABELS:
                codec = "latin-1"
            elif label in UTF16_LABELS:
                return None, mismatch(name, "a one-byte encoding such as UTF-8")
            else:
                return None, Problem(1, None, f"is saved in the encoding '{name}', which sitegen does not "
                                     "check", ENCODING_FIX)
        elif codec == "utf-8":
            if label not in UTF8_LABELS and label not in ("us-ascii", "ascii"):
                return None, mismatch(name, "UTF-8 (it starts with a UTF-8 byte order mark)")
        elif label not in UTF16_LABELS or UTF16_LABELS[label] not in (None, codec):
            return None, mismatch(name, codec.upper().replace("-LE", " little-endian").replace("-BE", " big-endian"))
    codec = codec or "utf-8"
    try:
        return data[skip:].decode(codec), None
    except UnicodeDecodeError as exc:
        before = data[skip:skip + exc.start].decode(codec, "replace")
        return None, Problem(before.count("\n") + 1, None, f"is not valid {codec.upper()} text",
                             ENCODING_FIX)


def mismatch(declared: str, saved: str) -> Problem:
    return Problem(1, None, f"says it is in the encoding '{declared}', but it is saved as {saved}: "
                   "browsers and editors would read it differently", ENCODING_FIX)


# ---------------------------------------------------------------- what an SVG image may hold

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XHTML_NS = "http://www.w3.org/1999/xhtml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
# Inside <metadata> only: the licence and author records (RDF, Dublin Core, Creative Commons)
# that drawing programs write. A browser gives no element of these namespaces any behaviour.
METADATA_NS = frozenset({"http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://purl.org/dc/elements/1.1/",
                         "http://purl.org/dc/terms/", "http://creativecommons.org/ns#",
                         "http://web.resource.org/cc/"})
NAMESPACE_NAMES = {SVG_NS: "SVG", XLINK_NS: "XLink", XML_NS: "XML", XHTML_NS: "XHTML (web page)",
                   MATHML_NS: "MathML", "http://www.w3.org/1999/XSL/Transform": "XSLT",
                   "http://www.w3.org/2001/XInclude": "XInclude", "http://www.w3.org/2001/xml-events": "XML Events"}
# Namespaces a browser gives behaviour in an XML document (pages, images, formulas, transforms, links).
ACTIVE_NS = frozenset(NAMESPACE_NAMES) - {XML_NS} | {
    "http://www.mozilla.org/keymaster/gatekeeper/there.is.only.xul", "http://www.mozilla.org/xbl",
    "urn:schemas-microsoft-com:vml"}

SVG_ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "switch", "a", "title", "desc", "metadata", "style",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "textPath", "image",
    "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
    "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix",
    "feDiffuseLighting", "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB",
    "feFuncG", "feFuncR", "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset",
    "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence"})
ANIMATION_ELEMENTS = frozenset({"set", "animate", "animateMotion", "animateTransform", "animateColor", "discard",
                                "mpath"})
# Attributes without a namespace: geometry, links (checked), text, gradients, filters, and the
# presentation attributes; `data-*` and `aria-*` too. Never an `on...` event attribute.
SVG_ATTRIBUTES = frozenset("""
    id class style lang tabindex role focusable version baseProfile transform href target crossorigin decoding
    x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points pathLength viewBox preserveAspectRatio
    zoomAndPan dx dy rotate textLength lengthAdjust method spacing startOffset side
    gradientUnits gradientTransform spreadMethod offset patternUnits patternContentUnits patternTransform
    clipPathUnits maskUnits maskContentUnits markerUnits markerWidth markerHeight refX refY orient
    filterUnits primitiveUnits in in2 result stdDeviation mode type values tableValues slope intercept amplitude
    exponent operator k1 k2 k3 k4 order kernelMatrix divisor bias targetX targetY edgeMode preserveAlpha
    kernelUnitLength surfaceScale diffuseConstant specularConstant specularExponent scale xChannelSelector
    yChannelSelector radius baseFrequency numOctaves seed stitchTiles azimuth elevation z pointsAtX pointsAtY
    pointsAtZ limitingConeAngle requiredFeatures requiredExtensions systemLanguage externalResourcesRequired
    media title enable-background
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-profile color-rendering cursor direction display dominant-baseline fill
    fill-opacity fill-rule filter flood-color flood-opacity font font-family font-size font-size-adjust
    font-stretch font-style font-variant font-weight glyph-orientation-horizontal glyph-orientation-vertical
    image-rendering isolation kerning letter-spacing lighting-color marker marker-end marker-mid marker-start
    mask mask-type mix-blend-mode opacity overflow paint-order pointer-events shape-rendering stop-color
    stop-opacity stroke stroke-dasharray stroke-dashoffset stroke-linecap stroke-linejoin stroke-miterlimit
    stroke-opacity stroke-width text-anchor text-decoration text-rendering transform-box transform-origin
    unicode-bidi vector-effect visibility word-spacing writing-mode
""".split())
XLINK_ATTRIBUTES = frozenset({"href", "title", "type", "role", "arcrole", "show", "actuate"})
XML_ATTRIBUTES = frozenset({"lang", "space", "id"})  # not xml:base, which would move every relative link
PLAIN_ATTRIBUTES = SVG_ATTRIBUTES - {"href", "style"}  # allowed whatever their value, but for url(...)
FREE_ATTRIBUTE_RE = re.compile(r"(?:data|aria)-[a-z0-9_.-]+")
RASTER_DATA_RE = re.compile(r"data:image/(?:png|jpeg|jpg|gif|webp|avif)[;,]", re.IGNORECASE)
SCHEME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*):")
URL_FUNCTION_RE = re.compile(r"url\(", re.IGNORECASE)
LOCAL_URL_RE = re.compile(r"""url\(\s*(["']?)#[^"'()\s\\]*\1\s*\)""", re.IGNORECASE)
CSS_COMMENT_RE = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)
CSS_AT_RULE_RE = re.compile(r"@([-\w]+)")
CSS_FUNCTION_RE = re.compile(r"([-\w]+)\(")
SAFE_AT_RULES = frozenset({"media", "supports", "keyframes", "-webkit-keyframes"})
# CSS functions that compute a value and fetch nothing; url() is allowed only for #fragments.
SAFE_CSS_FUNCTIONS = frozenset("""
    rgb rgba hsl hsla hwb lab lch oklab oklch color color-mix calc min max clamp var attr env
    translate translatex translatey translate3d rotate rotatex rotatey rotatez rotate3d scale scalex scaley
    scale3d skew skewx skewy matrix matrix3d perspective cubic-bezier steps linear-gradient radial-gradient
    repeating-linear-gradient repeating-radial-gradient conic-gradient blur brightness contrast drop-shadow
    grayscale hue-rotate invert opacity saturate sepia inset circle ellipse polygon path rect
    not is where has nth-child nth-last-child nth-of-type nth-last-of-type lang dir
""".split())
LINKING = {"image", "feImage"}  # the only elements that may hold a data: (raster) image
MAX_PROBLEMS = 10  # per file; a file with more is reported with the first ones and a count


def css_problem(css: str) -> str | None:
    """What in a style sheet or style attribute could load or run something, or None."""
    text = CSS_COMMENT_RE.sub(" ", css)
    lower = text.lower()
    if "\\" in text:
        return "an escape (\\), which can spell url( or @import in disguise"
    if "javascript:" in lower or "behavior" in lower or "-moz-binding" in lower:
        return "a script address or a scripted style (javascript:, behavior, -moz-binding)"
    for found in CSS_AT_RULE_RE.finditer(text):
        if found.group(1).lower() not in SAFE_AT_RULES:
            return f"the rule @{found.group(1)}, which can load a file from elsewhere"
    for found in CSS_FUNCTION_RE.finditer(text):
        name = found.group(1).lower()
        if name == "url" and not LOCAL_URL_RE.match(text, found.start()):
            return "a url(...) that is not a link inside the image (url(#name))"
        if name != "url" and name not in SAFE_CSS_FUNCTIONS:
            return f"the function {found.group(1)}(), which sitegen does not know to be safe"
    return None


def link_problem(value: str, element: str, where: str) -> str | None:
    """What is wrong with a link (href) on `element` (shown as `where`), or None for a #fragment or a
    relative local file; the answer completes "this SVG image ..."."""
    url = re.sub(r"[\t\n\r]", "", value).strip("".join(map(chr, range(0x21))))  # as a browser reads it
    if url == "" or url.startswith("#"):
        return None
    quoted = repr(value[:60])
    if "\\" in url:
        return f"holds the link {quoted} on {where}, with a backslash, which browsers read as '/'"
    scheme = SCHEME_RE.match(url)
    if scheme:
        name = scheme.group(1).lower()
        if name == "data" and element in LINKING and RASTER_DATA_RE.match(url):
            return None
        if name in ("javascript", "vbscript", "livescript"):
            return f"holds script: the link {quoted} on {where} runs when a reader follows it"
        if name == "data":
            return (f"holds a data: address on {where}, which can hold a page with script (only <image> may "
                    "hold a data: PNG, JPEG, GIF, WebP or AVIF image)")
    if scheme or url.startswith("//"):
        return f"links to another site ({quoted} on {where}): the image would load it or send readers there"
    if url.startswith("/"):
        return f"holds the link {quoted} on {where}, which starts with '/' and so leaves the site's folder"
    return None


SVG = "svg"
XML_DATA = "xml"
SUBJECT = {SVG: "this SVG image", XML_DATA: "this file"}
FIXES = {SVG: REEXPORT, XML_DATA: "Export the file again from the program that made it, with nothing but its data."}


def xml_problems(data: bytes, kind: str = SVG) -> list[Problem]:
    """Every problem (up to MAX_PROBLEMS) that keeps the file from being published; [] when it is safe.

    `kind` SVG: an SVG image, held to the allowlist. XML_DATA: an XML data file (GPX, KML), which
    may hold no element or attribute of a namespace a browser runs (XHTML, SVG, MathML...).
    """
    subject = SUBJECT[kind]
    text, problem = decode_xml(data)
    if problem:
        return [Problem(problem.line, problem.column, f"{subject} {problem.message}", problem.fix)]
    if text.startswith("\ufeff"):
        text = text[1:]
    checker = Checker(kind)
    parser = DefusedXMLParser(target=checker, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    checker.expat = parser.parser
    try:
        parser.feed(text)  # a str: expat reads it as decoded here, whatever the declaration says
        parser.close()
    except ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        checker.found.append(Problem(line, column + 1, f"{subject} is not well-formed XML ({reason})",
                                     "Open it in the program that made it and save it again."))
    except DefusedXmlException:
        checker.found.append(Problem(*checker.where(), f"{subject} holds a <!DOCTYPE> or <!ENTITY> declaration, "
                                     "which can define entities and load outside files",
                                     "Delete the <!DOCTYPE ...> line and everything between its [ and ]; "
                                     "browsers do not need it."))
    except TooMany:
        pass
    except (ValueError, LookupError, RecursionError) as exc:  # nothing expat should raise on a str; never a traceback
        checker.found.append(Problem(None, None, f"{subject} cannot be read as XML ({type(exc).__name__})",
                                     ENCODING_FIX))
    if checker.root is None and not checker.found:
        checker.found.append(Problem(None, None, f"{subject} holds no element", FIXES[kind]))
    return checker.found


class TooMany(Exception):
    """Raised by the checker to stop parsing a file with more than MAX_PROBLEMS problems."""


@dataclass
class Checker:
    """The parser's target: checks each element, attribute, processing instruction and style sheet.

    Each rule answers with what completes "this SVG image ..." (or "this file ..."), or None.
    """

    kind: str
    expat: object = None  # the expat parser, for the line and column of the element being read
    found: list[Problem] = field(default_factory=list)
    root: str | None = None
    stack: list[tuple[str, str]] = field(default_factory=list)  # (namespace, local name) of open elements
    style: list[str] | None = None  # the text of the <style> element being read
    style_at: tuple = (None, None)

    def where(self) -> tuple[int | None, int | None]:
        if self.expat is None:
            return None, None
        return self.expat.CurrentLineNumber, self.expat.CurrentColumnNumber + 1

    def report(self, problem: str, fix: str | None = None, at: tuple | None = None) -> None:
        line, column = at or self.where()
        fix = fix or FIXES[self.kind]
        if len(self.found) >= MAX_PROBLEMS:
            self.found.append(Problem(line, column, f"{SUBJECT[self.kind]} holds more problems than these", fix))
            raise TooMany
        self.found.append(Problem(line, column, f"{SUBJECT[self.kind]} {problem}", fix))

    # the target interface of xml.etree.ElementTree.XMLParser

    def start(self, tag: str, attrib: dict) -> None:
        ns, local = split(tag)
        in_metadata = (SVG_NS, "metadata") in self.stack
        self.stack.append((ns, local))
        if self.root is None:
            self.root = tag
            if self.kind == SVG and (ns, local) != (SVG_NS, "svg"):
                self.report(f"is not an SVG image: it starts with {shown(ns, local)}, not with <svg "
                            f"xmlns=\"{SVG_NS}\">", "Save it as an SVG image from a drawing program.")
                return
        problem = self.element_problem(ns, local, in_metadata)
        if problem:  # the element is refused whole: its attributes need no report of their own
            self.report(problem)
            return
        for key, value in attrib.items():
            if key in PLAIN_ATTRIBUTES and "(" not in value and self.kind == SVG:
                continue  # the common case, decided at once: a drawing attribute, no url() in it
            attribute_ns, name = split(key)
            problem = self.attribute_problem(ns, local, attribute_ns, name, value, in_metadata)
            if problem:
                self.report(problem)
        if (ns, local) == (SVG_NS, "style") and self.kind == SVG:
            self.style, self.style_at = [], self.where()

    def end(self, tag: str) -> None:
        if self.stack and self.stack[-1] == (SVG_NS, "style") and self.style is not None:
            problem = css_problem("".join(self.style))
            if problem:
                self.report(f"holds a <style> with {problem}", "Remove that from the style sheet, or export the "
                            "image again with its styling as attributes (no CSS).", self.style_at)
            self.style = None
        if self.stack:
            self.stack.pop()

    def data(self, text: str) -> None:
        if self.style is not None:
            self.style.append(text)

    def pi(self, target: str, text: str) -> None:
        self.report(f"holds the processing instruction <?{target} ...?>, which can load a style sheet or a "
                    "transformation", "Delete the <?...?> line (the <?xml ...?> line at the top may stay).")

    def comment(self, text: str) -> None:
        pass

    def start_ns(self, prefix: str, uri: str) -> None:
        pass  # a namespace counts where an element or attribute uses it

    def close(self) -> None:
        return None

    # the rules

    def element_problem(self, ns: str, local: str, in_metadata: bool) -> str | None:
        if local.lower() == "script":
            return f"holds script: the element {shown(ns, local)} would run when a reader opens the file"
        if self.kind == XML_DATA:
            return (f"holds the element <{local}> in the {NAMESPACE_NAMES.get(ns, repr(ns))} namespace, which a "
                    "browser would run as part of a page" if ns in ACTIVE_NS else None)
        if (ns == SVG_NS and local in SVG_ELEMENTS) or (in_metadata and ns in METADATA_NS):
            return None
        if ns == SVG_NS and local == "foreignObject":
            return "holds <foreignObject>, which can hold a web page with script inside the image"
        if ns == SVG_NS and local in ANIMATION_ELEMENTS:
            return f"holds the animation element <{local}>, which can turn a link into a script"
        return f"holds the element {shown(ns, local)}, which is not part of a plain SVG drawing"

    def attribute_problem(self, element_ns: str, element: str, ns: str, name: str, value: str,
                          in_metadata: bool) -> str | None:
        where = shown(element_ns, element)
        if self.kind == XML_DATA:
            return (f"holds the attribute '{name}' in the {NAMESPACE_NAMES.get(ns, repr(ns))} namespace on "
                    f"{where}, which a browser would act on" if ns in ACTIVE_NS else None)
        if name.lower().startswith("on") and ns in ("", SVG_NS, XHTML_NS):
            return f"holds script: the event attribute '{name}' on {where} runs when a reader opens the file"
        if in_metadata and (ns in METADATA_NS or element_ns in METADATA_NS):
            return None
        allowed = ((ns == "" and (name in SVG_ATTRIBUTES or FREE_ATTRIBUTE_RE.fullmatch(name)))
                   or (ns == XLINK_NS and name in XLINK_ATTRIBUTES) or (ns == XML_NS and name in XML_ATTRIBUTES))
        if not allowed:
            return f"holds the attribute {shown(ns, name, True)} on {where}, which is not part of a plain SVG drawing"
        if name == "href" and ns in ("", XLINK_NS):
            return link_problem(value, element, where)
        if name == "style":
            problem = css_problem(value)
            return f"holds a style attribute on {where} with {problem}" if problem else None
        for found in URL_FUNCTION_RE.finditer(value):
            if not LOCAL_URL_RE.match(value, found.start()):
                return (f"holds a url(...) in '{name}' on {where} that is not a link inside the image "
                        "(write url(#name))")
        return None


def split(name: str) -> tuple[str, str]:
    """('namespace URI', 'local name') of an ElementTree name ('{uri}local', or 'local' without one)."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def shown(ns: str, local: str, attribute: bool = False) -> str:
    """An element or attribute as an author can find it: <local> and the namespace it is in."""
    text = f"'{local}'" if attribute else f"<{local}>"
    if ns == SVG_NS or (attribute and ns == ""):
        return text
    if ns == "":
        return f"{text} without a namespace"
    return f"{text} in the {NAMESPACE_NAMES.get(ns, repr(ns))} namespace"
