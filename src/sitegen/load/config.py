"""site.yaml: the site's settings and its themes, validated.

Owns the keys of site.yaml, the base URL's form, the list of themes with their
ids, and looking a theme up by id or name (with a "Did you mean" for a typo).

`base_url` (and the `--base-url` option, checked here too because the build
hands it to the loader) must be a plain absolute http(s) address: a host,
an optional port and path, no query or fragment, no user name, and none of
space, quotes, angle brackets, backslash, backtick, braces, bar, caret or an
invisible character; it is kept as written, with a "/" added at its end.
`cname` must be a bare domain name (letters a-z, digits, hyphens, dots;
parts of 1-63 characters, 253 in all), as GitHub Pages' CNAME file wants.
Each bad value is a located error with a fix; nothing is escaped instead.
`limits:` sets how large a file may be (`file_size_mb`, `media_size_mb`; see
`files.FileLimits`): each a number of megabytes above 0 and at most 100.
site.yaml itself is always read with the default limit, since the setting is
in it. The settings that only the load stage uses travel beside the
`SiteConfig` record, in `Settings`.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from slugify import slugify

from ..model import schema
from . import filetypes, yamltext
from ..model.diagnostics import Report
from ..model.languages import cldr_locale, language_key, name_in_itself, script_direction
from ..model.records import Language, License, SiteConfig, Theme
from ..model.schema import Invalid
from .documents import take, warn_unknown_keys
from . import files
from .files import SITE_FILE, FileLimits, is_inside, read_text

SITE_KEYS = ("title", "description", "base_url", "language", "languages", "themes", "cname", "publish_types",
             "limits", "publisher", "license", "repository", "edit_uri")
LANGUAGE_KEYS = ("code", "name", "dir")
LANGUAGES_EXAMPLE = ("languages:\n  - code: en\n    name: English\n  - code: fr\n    name: Français\n"
                     "  - code: ar\n    name: العربية")
THEME_KEYS = ("name", "id", "description")
LICENSE_KEYS = ("name", "url", "id")
LICENSE_EXAMPLE = ("license:\n  name: CC BY 4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n"
                   "  id: CC-BY-4.0")
REPOSITORY_EXAMPLE = "https://github.com/org/showcase"
SPDX_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*")
EDIT_URI_RE = re.compile(r"[A-Za-z0-9\-._~!$&()*+,;=:@%]+(?:/[A-Za-z0-9\-._~!$&()*+,;=:@%]+)*/?")
LIMIT_KEYS = (files.TEXT_SETTING, files.MEDIA_SETTING)


@dataclass(frozen=True)
class Settings:
    """site.yaml, checked: the site's record, and the load stage's own settings beside it."""

    config: SiteConfig
    limits: FileLimits = files.DEFAULT_LIMITS


def load_site_config(root: Path, report: Report, base_url: str | None) -> SiteConfig | None:
    settings = load_settings(root, report, base_url)
    return settings.config if settings is not None else None


def load_settings(root: Path, report: Report, base_url: str | None) -> Settings | None:
    """site.yaml checked (every problem reported at its line); None when it has an error."""
    path = root / SITE_FILE
    if not path.is_file():
        report.error(path, None, "site.yaml is missing",
                     "Create it with title, description, base_url and themes (see the README).")
        return None
    if not is_inside(root, path, report):
        return None
    text = read_text(path, report, what="site.yaml",
                     fix="site.yaml holds only settings and themes: keep those and delete the rest.")
    if text is None:
        return None
    doc, problem = yamltext.parse(text, name="site.yaml")
    if problem:
        report.error(path, problem.mark.line, problem.message, problem.fix, problem.mark.column)
        return None
    data = doc.value if doc else None
    if not isinstance(data, dict):
        report.error(path, 1, "site.yaml must be a set of 'key: value' lines", "Start with: title: My showcase")
        return None
    before = report.count("error")
    warn_unknown_keys(path, doc, data, SITE_KEYS, report, ())
    setting = lambda key, coerce, default=None: take(path, doc, data, key, coerce, report, default)  # noqa: E731
    language = setting("language", schema.coerce_lang, "en")
    languages = load_languages(path, doc, data.get("languages"), language, report)
    own = languages[0].code if languages else language  # the site's language as CLDR writes it
    codes = {x.code for x in languages} or {own}
    titles = setting("title", lambda value, name: in_languages(value, name, own, codes)) or {}
    descriptions = setting("description", lambda value, name: in_languages(value, name, own, codes)) or {}
    title, description = titles.get(own), descriptions.get(own, "")
    in_other = tuple((code, titles.get(code, title), descriptions.get(code, description))
                     for code in sorted((set(titles) | set(descriptions)) - {own}))
    url = site_base_url(path, doc, data, report, base_url)
    cname = setting("cname", coerce_cname)
    theme_list = load_themes(path, doc, data.get("themes"), report, own, codes)
    publish_types = filetypes.load_publish_types(path, doc, data.get("publish_types"), report)
    limits = load_limits(path, doc, data.get("limits"), report)
    publisher = setting("publisher", schema.coerce_text)
    license = load_license(path, doc, data.get("license"), report)
    repository = setting("repository", lambda value, name: web_address(value, name, REPOSITORY_EXAMPLE))
    edit_uri = setting("edit_uri", coerce_edit_uri, SiteConfig.edit_uri)
    if title is None and "title" not in data:
        report.error(path, None, "site.yaml has no title", "Add e.g. title: Learning Cities Showcase")
    if report.count("error") > before:
        return None
    return Settings(SiteConfig(title, description, url, language, theme_list, cname, publish_types,
                               publisher, license, repository, edit_uri, languages, in_other), limits)


def load_languages(path: Path, doc, value, site_language: str, report: Report) -> tuple[Language, ...]:
    """site.yaml's `languages:`, the site's own `language` first (added when the list leaves it out); each
    code must be one CLDR knows, once. A name defaults to the language's own name for itself, a direction
    to the one CLDR gives its script."""
    own = language_record(site_language)
    if value is None:
        return (own,) if own is not None else ()
    if own is None:
        mark = doc.value_mark("language")
        report.error(path, mark.line, f"language '{site_language}' is not one CLDR knows, so the site cannot be "
                     "published in other languages beside it", "Use a BCP 47 code CLDR knows for 'language:' (such "
                     "as en, fr, pt-BR), or remove 'languages:'.", mark.column)
        return ()
    if not isinstance(value, list) or not value:
        mark = doc.value_mark("languages")
        report.error(path, mark.line, "languages must be a list of '- code: ...' items",
                     f"Write it like this:\n{LANGUAGES_EXAMPLE}", mark.column)
        return (own,) if own is not None else ()
    found: dict[str, Language] = {}
    for i, item in enumerate(value):
        if isinstance(item, str):
            item = {"code": item}
        mark = doc.value_mark("languages", i)
        if not isinstance(item, dict):
            report.error(path, mark.line, f"language {i + 1} must be a '- code: ...' item",
                         f"Write it like this:\n{LANGUAGES_EXAMPLE}", mark.column)
            continue
        warn_unknown_keys(path, doc, item, LANGUAGE_KEYS, report, ("languages", i))
        key = "code"
        try:
            code = schema.coerce_lang(item.get("code"), "code")
            record = language_record(code)
            if record is None:
                raise Invalid(f"'{code}' is not a language code CLDR knows",
                              "Use a BCP 47 code such as en, fr, es, ar, fa, pt-BR or zh-Hant.")
            key = "name"
            name = schema.coerce_text(item["name"], "name") if item.get("name") is not None else record.name
            key = "dir"
            direction = schema.coerce_text(item["dir"], "dir") if item.get("dir") is not None else record.dir
            if direction not in ("ltr", "rtl"):
                raise Invalid(f"dir is '{direction}'", "Write dir: rtl (right to left) or dir: ltr, or leave it "
                              "out: sitegen knows the direction of each language's script.")
        except Invalid as exc:
            where = doc.value_mark("languages", i, key) if key in item else mark
            report.error(path, where.line, f"language {i + 1}: {exc.message}", exc.fix, where.column)
            continue
        code = record.code  # as BCP 47 writes it: pt-BR, zh-Hant
        if language_key(code) in found:
            report.error(path, mark.line, f"language '{code}' is listed twice", "Delete one of the two.", mark.column)
            continue
        found[language_key(code)] = Language(code, name, direction)
    first = found.pop(language_key(own.code), own)
    others = tuple(Language(x.code, x.name, x.dir, f"{language_key(x.code)}/") for x in found.values())
    return ((first,) if first is not None else ()) + others


def language_record(code: str) -> Language | None:
    """A language as CLDR (through Babel) names it in itself, with its script's direction; None for a code
    CLDR does not know."""
    locale = cldr_locale(code)
    if locale is None:
        return None
    canonical = "-".join(part for part in (locale.language, locale.script, locale.territory, locale.variant) if part)
    return Language(canonical, name_in_itself(locale, canonical), script_direction(locale))


def same_language(a: str, b: str) -> bool:
    """Do two codes name one language, however they are written (pt-BR, pt_br, PT-br)?"""
    return language_key(a) == language_key(b)


def load_license(path: Path, doc, value, report: Report) -> License | None:
    """site.yaml's `license:` (name, url and an optional SPDX id); None, with located errors, when wrong."""
    if value is None:
        return None
    if not isinstance(value, dict):
        mark = doc.value_mark("license")
        report.error(path, mark.line, "license must be 'key: value' lines, indented under 'license:'",
                     f"Write it like this:\n{LICENSE_EXAMPLE}", mark.column)
        return None
    warn_unknown_keys(path, doc, value, LICENSE_KEYS, report, ("license",))
    found, key = {}, "name"
    try:
        found["name"] = schema.coerce_text(value.get("name"), "license name")
        key = "url"
        found["url"] = web_address(value.get("url"), "license url", "https://creativecommons.org/licenses/by/4.0/")
        key = "id"
        if value.get("id") is not None:
            found["id"] = schema.coerce_text(value["id"], "license id")
            if not SPDX_ID_RE.fullmatch(found["id"]):
                raise Invalid(f"license id '{found['id']}' is not an SPDX licence identifier",
                              "Write the identifier from https://spdx.org/licenses/, e.g. id: CC-BY-4.0")
    except Invalid as exc:
        mark = doc.value_mark("license", key) if key in value else doc.value_mark("license")
        report.error(path, mark.line, exc.message, exc.fix, mark.column)
        return None
    return License(**found)


def coerce_edit_uri(value, name: str = "edit_uri") -> str:
    """The path, after `repository`, of the folder whose files' edit pages are linked (e.g. edit/main/content/)."""
    text = schema.coerce_text(value, name)
    if not EDIT_URI_RE.fullmatch(text.strip("/")) or any(part in (".", "..") for part in text.split("/")):
        raise Invalid(f"{name} '{text}' is not a path inside the repository's address",
                      "Write the path GitHub shows when you edit a file, up to the content folder: "
                      "edit_uri: edit/main/content/")
    return text


LIMIT_DEFAULTS_MB = {files.TEXT_SETTING: files.MAX_TEXT_BYTES // files.MB,
                     files.MEDIA_SETTING: files.MAX_MEDIA_BYTES // files.MB}
LIMITS_EXAMPLE = "limits:" + "".join(f"\n  {key}: {mb}" for key, mb in LIMIT_DEFAULTS_MB.items())


def load_limits(path: Path, doc, value, report: Report) -> FileLimits:
    """site.yaml's `limits:` (each bad value reported at its line; the default kept for it)."""
    if value is None:
        return files.DEFAULT_LIMITS
    if not isinstance(value, dict):
        mark = doc.value_mark("limits")
        report.error(path, mark.line, "limits must be 'key: value' lines, indented under 'limits:'",
                     f"Write it like this (leave out a line to keep its default):\n{LIMITS_EXAMPLE}", mark.column)
        return files.DEFAULT_LIMITS
    warn_unknown_keys(path, doc, value, LIMIT_KEYS, report, ("limits",))
    found = {}
    for key, default in ((files.TEXT_SETTING, files.MAX_TEXT_BYTES), (files.MEDIA_SETTING, files.MAX_MEDIA_BYTES)):
        found[key] = default
        if key not in value:
            continue
        try:
            found[key] = limit_bytes(value.get(key), key)
        except Invalid as exc:
            mark = doc.value_mark("limits", key)
            report.error(path, mark.line, exc.message, exc.fix, mark.column)
    return FileLimits(text=found[files.TEXT_SETTING], media=found[files.MEDIA_SETTING])


NUMBER_RE = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
NUMBER_WITH_UNIT_RE = re.compile(r"([-+]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+))\s*(?:mb|megabytes?|mib|m)?",
                                 re.IGNORECASE)
LONGEST_NUMBER = 30  # characters: a longer value is no limit anyone means


def limit_bytes(value, name: str) -> int:
    """A `limits:` value (a number of megabytes above 0, at most files.CEILING_MB) in bytes; else Invalid."""
    example = f"{name}: {LIMIT_DEFAULTS_MB.get(name, 8)}"
    if value is None or isinstance(value, (dict, list)):
        raise Invalid(f"limits: {name} must be a number of megabytes", f"Write it like {example}")
    text = " ".join(str(value).split())
    if len(text) <= LONGEST_NUMBER and NUMBER_RE.fullmatch(text):
        number = Decimal(text)
    else:
        written = NUMBER_WITH_UNIT_RE.fullmatch(text) if len(text) <= LONGEST_NUMBER else None
        if written is None:
            shown = text if len(text) <= LONGEST_NUMBER else text[:LONGEST_NUMBER] + "..."
            raise Invalid(f"limits: {name} is '{shown}', not a number of megabytes",
                          f"Write a number alone, like {example}")
        number = Decimal(written.group(1).replace(",", "."))
        if number > 0:
            raise Invalid(f"limits: {name} is '{text}', not a number alone",
                          f"Write the number of megabytes without a unit or comma: {name}: {number.normalize():f}")
    if number <= 0:
        raise Invalid(f"limits: {name} is {text}, but a limit must be more than 0",
                      f"Write a number of megabytes above 0, like {example}, or delete the line to keep the "
                      "default.")
    if number > files.CEILING_MB:
        raise Invalid(f"limits: {name} is {text}, over {files.CEILING_MB}: GitHub refuses a file larger than "
                      f"{files.CEILING_MB} MB, so the site could not be published",
                      f"Write a number of megabytes up to {files.CEILING_MB}, like {example}; split or shrink the files "
                      "that are larger.")
    size = int(number * files.MB)
    if size < 1:
        raise Invalid(f"limits: {name} is {text}, less than one byte",
                      f"Write a number of megabytes such as {example}")
    return size


def site_base_url(path: Path, doc, data: dict, report: Report, option: str | None) -> str | None:
    """The site's base URL: `--base-url` when given, else site.yaml's; each value given is checked.

    site.yaml's base_url is checked even when the option replaces it, so a
    mistake in the file is found before a build without the option uses it.
    """
    url = None
    if data.get("base_url") is not None:
        try:
            url = normalise_base_url(data["base_url"])
        except Invalid as exc:
            mark = doc.value_mark("base_url")
            report.error(path, mark.line, exc.message, exc.fix, mark.column)
    if option is not None:
        try:
            return normalise_base_url(option, "--base-url")
        except Invalid as exc:
            report.error("--base-url", None, exc.message, exc.fix)
            return None
    if data.get("base_url") is None:
        report.error(path, None, "site.yaml has no base_url", f"Add e.g. base_url: {URL_EXAMPLE}")
    return url


URL_EXAMPLE = "https://org.github.io/showcase/"
# Characters a web address never holds as they are; an editor can paste them from a document.
URL_MARKUP = {'"': "a double quote", "'": "a quote", "<": "an angle bracket", ">": "an angle bracket",
              "\\": "a backslash", "`": "a backtick", "{": "a curly bracket", "}": "a curly bracket",
              "|": "a vertical bar", "^": "a caret"}
URL_PATH_RE = re.compile(r"[A-Za-z0-9\-._~!$&()*+,;=:@/%]*")  # RFC 3986 path characters, less the quote
BAD_ESCAPE_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")
HOST_LABEL_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", re.IGNORECASE)
HOST_MAX = 253  # characters in a whole host name (DNS)


def normalise_base_url(value, name: str = "base_url") -> str:
    """An absolute http(s) address with a host and no query or fragment, ending in "/"; else Invalid.

    The value lands in every page's links, the sitemap and robots.txt, so
    anything that is not plainly part of a web address (spaces, quotes,
    angle brackets, backslashes, invisible characters) is refused rather
    than escaped.
    """
    text = web_address(value, name)
    return text if text.endswith("/") else text + "/"


def web_address(value, name: str, example: str = URL_EXAMPLE) -> str:
    """An absolute http(s) address with a host and no query or fragment, as written; else Invalid."""
    text = schema.coerce_text(value, name)  # refuses lists, control characters and empty values
    fix = f"Write it like {example}"
    for char in text:
        if char == " ":  # coerce_text has turned every run of spaces, tabs and line breaks into one
            raise Invalid(f"{name} '{text}' holds a space or a line break",
                          "Remove it (write a space inside the address as %20). " + fix)
        if char in URL_MARKUP:
            raise Invalid(f"{name} '{text}' holds {URL_MARKUP[char]} ({char}), which a web address cannot hold",
                          "Remove it; copy the address from the browser's address bar. " + fix)
        if ord(char) > 0x7e and unicodedata.category(char)[0] not in "LMN":
            raise Invalid(f"{name} '{text}' holds the character U+{ord(char):04X}, which a web address cannot hold",
                          "Retype the address by hand (invisible characters come from PDFs and word "
                          "processors). " + fix)
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. an unclosed '[' of an IPv6 address
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise Invalid(f"{name} '{text}' is not an absolute http(s) address",
                      f"Write it like {url_example(text, example)}")
    if "?" in text or "#" in text:
        mark = "?" if "?" in text else "#"
        raise Invalid(f"{name} '{text}' has a '{mark}' part, which the site's links cannot keep",
                      f"Remove everything from the '{mark}' on. " + fix)
    if "@" in parts.netloc:
        raise Invalid(f"{name} '{text}' holds a user name or password (the part before '@')",
                      "Remove it: a public site's address has none. " + fix)
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0 or parts.netloc.endswith(":"):
        raise Invalid(f"{name} '{text}' has no usable port number after ':' (1 to 65535)",
                      "Remove the ':' and what follows it in the host, or give a port. " + fix)
    problem = host_problem(parts.hostname or "", parts.netloc.startswith("["))
    if problem:
        raise Invalid(f"{name} '{text}': {problem}", fix)
    if not URL_PATH_RE.fullmatch("".join(c for c in parts.path if ord(c) < 0x80)):
        raise Invalid(f"{name} '{text}' holds a character a web address cannot hold", fix)
    if BAD_ESCAPE_RE.search(parts.path):
        raise Invalid(f"{name} '{text}' has a '%' that is not followed by two hexadecimal digits",
                      "Write a '%' in an address as %25. " + fix)
    if any(segment in (".", "..") for segment in parts.path.split("/")):
        raise Invalid(f"{name} '{text}' has a '.' or '..' folder in its path",
                      "Write the folder's own path. " + fix)
    return text


def url_example(text: str, example: str = URL_EXAMPLE) -> str:
    """An address to suggest for a value without http(s)://: the same with https:// when it starts with a
    host (a folder, like `example`, when `example` ends in "/"), else `example`."""
    first = text.split("/", 1)[0]
    if "://" not in text and "." in first and not hostname_problem(first.lower()):
        return "https://" + (text.rstrip("/") + "/" if example.endswith("/") else text)
    return example


def host_problem(host: str, bracketed: bool) -> str:
    """What is wrong with a URL's host (as urlsplit gives it), or ""."""
    if not host:
        return "it has no host name after '//'"
    if bracketed:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"'[{host}]' is not an IPv6 address"
        return ""
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return f"'{host}' is not a usable host name"
    if re.fullmatch(r"[0-9.]+", host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"'{host}' is not an IP address (four numbers 0-255 with dots)"
        return ""
    return hostname_problem(host)


def hostname_problem(host: str) -> str:
    """What is wrong with an ASCII host name (letters, digits, hyphens, dots), or ""."""
    if len(host) > HOST_MAX:
        return f"the host name is {len(host)} characters long, over {HOST_MAX}"
    for label in host.split("."):
        if not label:
            return f"'{host}' has an empty part between dots (or a dot at its start or end)"
        if len(label) > 63:
            return f"the part '{label[:20]}...' of '{host}' is {len(label)} characters long, over 63"
        if not HOST_LABEL_RE.fullmatch(label):
            return (f"'{host}' is not a host name: each part between dots has only letters a-z, digits and "
                    f"hyphens, and does not start or end with a hyphen")
    return ""


def coerce_cname(value, name: str = "cname") -> str:
    """A bare domain name for GitHub Pages' CNAME file, e.g. showcase.example.org; else Invalid."""
    text = schema.coerce_text(value, name)
    fix = "Write only the domain name, e.g. cname: showcase.example.org"
    if " " in text:
        raise Invalid(f"{name} '{text}' holds a space", fix)
    markup = next((c for c in text if c in URL_MARKUP), None)
    if markup is not None:
        raise Invalid(f"{name} '{text}' holds {URL_MARKUP[markup]} ({markup}), which a domain name cannot hold", fix)
    if "/" in text or ":" in text or "@" in text:
        try:
            host = urlsplit(text if "//" in text else "//" + text).hostname or ""
        except ValueError:
            host = ""
        if host and not hostname_problem(host) and "." in host:
            fix = f"Write only the domain name: cname: {host}"
        raise Invalid(f"{name} '{text}' must be a domain name alone, without 'https://', a path or a port", fix)
    if not text.isascii() and all(c.isalnum() or c in ".-" for c in text):
        try:
            fix = f"Write it in its ASCII form: cname: {text.encode('idna').decode('ascii')}"
        except UnicodeError:
            pass
        raise Invalid(f"{name} '{text}' holds letters outside a-z", fix)
    odd = next((c for c in text if not (c.isascii() and (c.isalnum() or c in ".-"))), None)
    if odd is not None:
        shown = odd if odd.isprintable() else f"U+{ord(odd):04X}"
        raise Invalid(f"{name} '{text}' holds the character '{shown}'; a domain name has only letters a-z, "
                      "digits, hyphens and dots", fix)
    problem = hostname_problem(text)
    if problem:
        raise Invalid(f"{name}: {problem}", fix)
    if "." not in text:
        raise Invalid(f"{name} '{text}' is not a full domain name", fix)
    if text.rsplit(".", 1)[1].isdigit():
        raise Invalid(f"{name} '{text}' is an IP address, not a domain name", fix)
    return text

def load_themes(path: Path, doc, value, report: Report, language: str = "en",
                languages: set[str] | frozenset[str] = frozenset()) -> tuple[Theme, ...]:
    """site.yaml's themes. A name or description may be given in each of the site's languages, as a
    mapping of language code to text (`name: {en: Literacy, fr: Alphabétisation}`); the site's own
    language must be among them."""
    if not isinstance(value, list) or not value:
        report.error(path, doc.mark("themes").line, "site.yaml needs a list of themes",
                     "Add themes: with '- name: Literacy' items.")
        return ()
    themes, seen = [], {}
    for i, item in enumerate(value):
        line = doc.mark("themes", i).line
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, dict):
            report.error(path, line, "each theme must be a name or a 'name:' entry", "Write '- name: Literacy'.")
            continue
        warn_unknown_keys(path, doc, item, THEME_KEYS, report, ("themes", i))
        key = "name"
        try:
            names = in_languages(item.get("name"), "name", language, languages)
            name = names[language]
            key = "id"
            theme_id = schema.coerce_slug(item["id"], "id") if item.get("id") is not None else slugify(name)
            key = "description"
            descriptions = (in_languages(item["description"], "description", language, languages)
                            if item.get("description") else {language: ""})
            description = descriptions.get(language, "")
        except Invalid as exc:
            mark = doc.value_mark("themes", i, key) if key in item else doc.value_mark("themes", i)
            report.error(path, mark.line, f"theme {i + 1}: {exc.message}", exc.fix, mark.column)
            continue
        if not theme_id:
            mark = doc.value_mark("themes", i, "name") if "name" in item else doc.value_mark("themes", i)
            report.error(path, mark.line, f"theme {i + 1}: the name '{name}' gives no usable URL name",
                         "Add an 'id:' line under it, e.g. id: health-wellbeing.", mark.column)
            continue
        if theme_id in seen:
            report.error(path, line, f"theme id '{theme_id}' is used twice (also on line {seen[theme_id]})",
                         "Give each theme its own id.")
            continue
        seen[theme_id] = line
        others = sorted(code for code in set(names) | set(descriptions) if code != language)
        themes.append(Theme(theme_id, name, description, tuple(
            (code, names.get(code, name), descriptions.get(code, description)) for code in others)))
    return tuple(themes)


def in_languages(value, name: str, language: str, languages) -> dict[str, str]:
    """A text given once (for the site's own language) or as `{code: text}` for several of the site's
    languages, as {code: text}; else Invalid."""
    if not isinstance(value, dict):
        return {language: schema.coerce_text(value, name)}
    texts = {}
    for code, text in value.items():
        known = next((x for x in languages if same_language(x, str(code))), None)
        if known is None:
            raise Invalid(f"{name} is given in '{code}', which is not one of the site's languages",
                          f"Use the codes of 'languages:' ({', '.join(sorted(languages))}), or add '{code}' there.")
        texts[known] = schema.coerce_text(text, f"{name} ({code})")
    if language not in texts:
        raise Invalid(f"{name} has no text in the site's language '{language}'",
                      f"Add '{language}: ...' to it: pages in {language} show that one.")
    return texts


class ThemeVocabulary:
    """Looks a theme up by id or name, case-insensitively."""

    def __init__(self, themes: tuple[Theme, ...]):
        self.themes = themes
        self.by_key = {}
        for theme in themes:
            self.by_key[theme.id.lower()] = theme
            self.by_key[theme.name.lower()] = theme

    def find(self, value: str) -> Theme | None:
        return self.by_key.get(" ".join(value.split()).lower())

    def suggest(self, value: str) -> str:
        guess = schema.closest(value, [t.name for t in self.themes] + [t.id for t in self.themes], 0.5)
        if guess is None:  # a misspelt word of a name: "helth" -> "Health and well-being"
            words = {}
            for t in self.themes:
                for word in re.findall(r"\w{4,}", f"{t.name} {t.id}"):
                    words.setdefault(word.lower(), t.name)
            word = schema.closest(value, list(words), 0.75) if len(value) >= 4 else None
            guess = words[word] if word else None
        names = ", ".join(f"{t.name} ({t.id})" for t in self.themes)
        return f"Did you mean '{guess}'? Themes are: {names}." if guess else f"Themes are: {names}."
