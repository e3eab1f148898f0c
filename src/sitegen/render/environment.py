"""The Jinja environment: where templates come from, what every template may call, and template digests.

Templates are found in the content folder's own `templates/` first (an
author's overrides), then in the theme. The content folder is not trusted:
when it has overrides, every template renders in Jinja's immutable sandbox
(no attribute starting with "_", no calls that change data, a safe
`str.format`), so an override cannot reach Python; and a file or folder
there that is a link leading outside the content folder is refused
(`links_outside`), as is one of the theme's static files leading outside
the theme. The environment's globals are pure
helpers (links, paths from the outputs registry, text direction, the
generator's name) and the card memo, and its filters pure functions (dates,
absolute links, the open data's serialisers); no global holds the site model, so a
template sees only the context its page is handed. `template_digests` gives
each template a digest of its source and of every template it extends,
includes or imports, for page fingerprints. Three changes to how Jinja 3.1 runs
templates, each checked against Jinja's own in tests/test_template_calls.py:
`Context` hands plain functions straight to Python, `TemplateGlobals`
makes the check Jinja runs at every import a set difference, and the sandbox
remembers which attributes of a type it allows.
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
import types
from dataclasses import dataclass, field
from functools import cache, partial
from html import unescape as html_unescape
from importlib import resources
from pathlib import Path
from types import CodeType
from urllib.parse import urljoin

import jinja2
import jinja2.meta
import jinja2.sandbox
from markupsafe import Markup, escape

from .. import __version__
from ..load.files import is_inside
from ..model.diagnostics import Report
from ..model.languages import cldr_locale, script_direction
from ..model.urls import Routes, Urls
from ..model.records import Language
from . import citations, linked_data, open_data
from .interface import SOURCE_LANGUAGE, Interface

GENERATOR = f"sitegen {__version__}"


@cache
def text_direction(lang: str | None) -> str:
    """The direction CLDR gives a language's script ("rtl" for ar, fa, he, ur, ks, pa-Arab...); "ltr" for a code
    CLDR does not know."""
    return script_direction(cldr_locale(lang) if lang else None)


def lang_attributes(code: str | None, language: Language | None) -> Markup:
    """` lang="x" dir="..."` for a link to a page in another language (`code`, that page being
    untranslated) than the page's own (`language`); nothing when they are the same. A function, not
    a macro: the navigation asks it for each of its links on every page."""
    if code and language and code != language.code:
        return Markup(' lang="%s" dir="%s"') % (code, text_direction(code))
    return Markup("")


class CompiledTemplates:
    """Jinja's compiled templates, kept in memory between the builds of one process (by default
    the process's own store, `process_templates()`, which also serves every rebuild of `serve`).

    Each build gets a new environment, but parsing and compiling are the costly
    part: for a small site, nine tenths of a build. Jinja stores compiled code
    under the template's name and file, with a checksum of its source, and
    compiles again when the source has changed; the templates a source names
    are kept under the same checksum. A sandboxed environment compiles the same
    source to other code (its calls and operators go through the sandbox), so
    each kind of environment has a store of its own.
    """

    def __init__(self):
        self.kinds: dict[str, KindOfCode] = {}

    def of(self, kind: type[jinja2.Environment]) -> KindOfCode:
        return self.kinds.setdefault(f"{kind.__module__}.{kind.__qualname__}", KindOfCode())


@cache
def process_templates() -> CompiledTemplates:
    """The compiled templates of this process: a memo of what each template source compiles to,
    which no build can make wrong (the source's checksum is part of the key)."""
    return CompiledTemplates()


class KindOfCode(jinja2.BytecodeCache):
    """The compiled templates of one kind of environment (Jinja's bytecode cache interface), kept as
    code objects (immutable, so builds can share them) with the checksum of the source they came from."""

    def __init__(self):
        self.store: dict[str, tuple[str, CodeType]] = {}  # key (name and file) -> (checksum, code)
        self.references: dict[tuple[str, str], tuple[str, ...]] = {}  # (key, checksum) -> templates it names

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        known = self.store.get(bucket.key)
        if known is not None and known[0] == bucket.checksum:
            bucket.code = known[1]

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.code is not None:
            self.store[bucket.key] = (bucket.checksum, bucket.code)


@dataclass
class CardMemo:
    """`cached_card(card, item, level)` for templates: the `card` macro called once per card.

    A card appears on up to five list pages and beside related case studies. A
    macro depends only on its arguments (and the pure globals), so within one
    render process its HTML is reused. Templates pass the macro itself, so the
    template that defines it stays a visible dependency of the pages.
    """

    cards: dict = field(default_factory=dict)  # (macro, card, heading level, page it is on) -> Markup

    def __call__(self, macro, item, level: int = 2, hide: str = ""):
        if "hide" not in getattr(macro, "arguments", ("hide",)):  # an override written before `hide` existed
            hide = ""
        key = (macro, item, level, hide)
        html = self.cards.get(key)
        if html is None:
            html = self.cards[key] = macro(item, level, hide) if hide else macro(item, level)
        return html


@dataclass
class FragmentMemo:
    """`{% call fragment(value, ...) %}...{% endcall %}` for templates: the block's HTML made once for
    the very values it is given (by identity) and reused.

    The values are all the block reads besides the environment's own globals: the footer is the
    same on every page in a language (the site settings, the navigation, the language), so it is
    drawn once per render process, not once per page. Like `CardMemo`, it only saves work: the
    page's fingerprint is its context, as ever. The values are kept alive with the HTML, so an
    identity is never reused for another value while the memo lives (one build, one environment).
    Only the theme is trusted to read nothing else in a fragment: in the sandbox (templates from the
    content folder) `keep` is False and every call draws its block.
    """

    keep: bool = True
    kept: dict = field(default_factory=dict)  # ids of the values -> (the values, Markup)

    def __call__(self, *values, caller):
        if not self.keep:
            return caller()
        key = tuple(map(id, values))
        known = self.kept.get(key)
        if known is None:
            known = self.kept[key] = (values, caller())
        return known[1]


def default_theme() -> Path:
    """The theme sitegen ships (the repository's templates/, installed as the package sitegen.theme)."""
    return Path(str(resources.files("sitegen.theme")))


def template_folders(theme: Path, overrides: Path | None) -> list[Path]:
    return [p for p in (overrides, theme) if p and p.is_dir()]


PLAIN_CALLABLES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType)
# Callables Jinja itself would call as they are: a macro, a partial (neither carries a mark, nor does its
# `__call__`) and the memos
UNMARKED_CALLABLES = frozenset((jinja2.runtime.Macro, partial, CardMemo, FragmentMemo))
EVAL_CONTEXT = jinja2.pass_eval_context(lambda eval_ctx: eval_ctx).jinja_pass_arg  # the mark it sets


class Context(jinja2.runtime.Context):
    """Jinja's context, whose `call` (every call a template makes goes through it) hands a callable
    that asks for no context (a plain function or method, a macro, a partial) straight to Python, and
    one that asks for the evaluation context (the gettext calls) that alone. Jinja's own `call` looks
    for a `pass_context`-style mark on the callable and on its `__call__` first; a plain function's or
    method's `__call__` is a method-wrapper, which never carries one. Anything else goes to Jinja's."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own names: a template's keyword may be `self`)
        kind = type(__obj)
        if kind in PLAIN_CALLABLES:
            mark = getattr(__obj, "jinja_pass_arg", None)
            if mark is EVAL_CONTEXT:
                args = (__self.eval_ctx, *args)
            elif mark is not None:
                return super().call(__obj, *args, **kwargs)
        elif kind not in UNMARKED_CALLABLES:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


class TemplateGlobals(collections.ChainMap):
    """A template's globals as Jinja makes them (its own over the environment's, both live), whose
    `keys()` is a set. At each `{% import %}` and `{% from %}` Jinja subtracts them from the names
    the importing page's context has (`Template._get_default_module`): a set does it in one step,
    where a view of the chain asks every map about every name (some 3% of a page's time here)."""

    def keys(self):
        return set(self)


class GlobalsAsSets:
    """Makes templates' globals `TemplateGlobals` (Jinja 3.1's `make_globals`, what it returns being
    the template's `globals`)."""

    def make_globals(self, d):
        return TemplateGlobals({} if d is None else d, self.globals)


class Environment(GlobalsAsSets, jinja2.Environment):
    pass


class SandboxedEnvironment(GlobalsAsSets, jinja2.sandbox.ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, which answers each (type of object, attribute name) once.

    The sandbox asks `is_safe_attribute` at every attribute a template reads (a tenth of a
    page's time where the theme is overridden). Jinja 3.1's answer looks at the name and at
    the object's type alone (`isinstance` checks against function, method, type, frame,
    generator and mutable-container types; the value is not read), so it is the same for
    every object of one type: it is asked of Jinja once and remembered per environment.
    An object whose `__class__` is not its type (which `isinstance` then asks too) is
    always asked of Jinja.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.safe_attributes: dict[tuple[type, str], bool] = {}

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        kind = type(obj)
        if getattr(obj, "__class__", None) is not kind:
            return super().is_safe_attribute(obj, attr, value)
        key = (kind, attr)
        known = self.safe_attributes.get(key)
        if known is None:
            known = self.safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return known


def make_environment(folders: list[Path], urls: Urls, routes: Routes,
                     bytecode: CompiledTemplates | None = None, sandboxed: bool = False,
                     interface: Interface | None = None) -> jinja2.Environment:
    """The environment; `sandboxed` when any template comes from the content folder. `interface` is the
    language of the pages it renders: its catalogue answers the templates' gettext calls and
    `{% trans %}` blocks, and its locale formats dates and numbers (English, when None)."""
    interface = interface or Interface(Language(SOURCE_LANGUAGE, "English"))
    kind = SandboxedEnvironment if sandboxed else Environment
    env = kind(
        loader=jinja2.FileSystemLoader([str(p) for p in folders]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no need to check template files on every use
        bytecode_cache=bytecode.of(kind) if bytecode is not None else None,
        extensions=["jinja2.ext.i18n"],
    )
    env.context_class = Context
    # Jinja's newstyle gettext (a trans block calls gettext(message, **variables)), with the interface's own
    # callables, which also write the numbers in a message as the language does
    callables = interface.template_callables()
    env.install_gettext_callables(**callables)
    env.newstyle_gettext = True
    env.globals["_"] = callables["gettext"]  # not the extension's alias, which looks `gettext` up at each call
    env.globals.update(
        url=urls.url,
        abs_url=urls.absolute,
        path_for=routes.path,
        text_dir=text_direction,
        lang_attributes=lang_attributes,
        generator=GENERATOR,
        cached_card=CardMemo(),
        fragment=FragmentMemo(keep=not sandboxed),  # see FragmentMemo: an override's block may read more
    )
    env.globals.update(  # schema.org JSON-LD (linked_data.py), addressed like the page's links
        ld_website=partial(linked_data.website, abs_url=urls.absolute),
        ld_breadcrumbs=partial(linked_data.breadcrumbs, abs_url=urls.absolute),
        ld_article=partial(linked_data.article, abs_url=urls.absolute),
        og_locale=linked_data.og_locale,
    )
    env.globals["plural_forms"] = interface.plural_forms
    env.filters["long_date"] = interface.long_date
    env.filters["number"] = interface.number
    env.filters["absolute_links"] = absolute_links
    env.filters["csl_json"] = citations.csl_json
    env.filters["bibtex"] = citations.bibtex
    env.filters.update(open_data.FILTERS)  # the data files' serialisers (data/*.json, .csv, .geojson)
    return env


# href, src and srcset attributes as sitegen's sanitizer (and its <picture>) writes them: always quoted with "
_LINK_ATTRIBUTE = re.compile(r'(\s(?:href|src|srcset)=")([^"]*)(")')


def absolute_links(html: str, page_url: str) -> Markup:
    """A body's HTML with every link and image address made absolute against its page's address
    (a feed reader shows the body away from the site). Only bodies sitegen converted and
    sanitized come here, so their attributes are always double-quoted; a srcset's addresses are
    sitegen's own, which hold no comma."""
    def absolute(match: re.Match) -> str:
        value = html_unescape(match.group(2))
        if match.group(1).endswith("srcset=\""):
            value = ", ".join(" ".join([urljoin(page_url, candidate.split()[0]), *candidate.split()[1:]])
                              for candidate in value.split(",") if candidate.strip())
        else:
            value = urljoin(page_url, value)
        return match.group(1) + str(escape(value)) + match.group(3)  # (str: Markup would escape the quotes)
    return Markup(_LINK_ATTRIBUTE.sub(absolute, str(html)))


def links_outside(folder: Path, root: Path, report: Report) -> bool:
    """Report each link under `folder` that leads outside `root` or nowhere, each link to a
    folder (a template found through it could be anywhere) and anything that is neither a
    file nor a folder (a named pipe would hang the build); True when there is none."""
    found: dict[str, str] = {}
    if folder.is_symlink():
        report.error(folder, None, "this folder is a link; templates and their files must be real files here",
                     "Replace the link with the folder itself.")
        return False
    clean = True
    for dirpath, dirs, files in os.walk(folder):
        for name in sorted(dirs + files):
            path = Path(dirpath) / name
            if not path.is_symlink():
                if name in files and not path.is_file():
                    report.error(path, None, "this is not an ordinary file (a named pipe, a socket or a device)",
                                 "Delete it, or replace it with the file it stands for.")
                    clean = False
                continue
            if name in dirs:
                report.error(path, None, "this folder is a link; templates and their files must be real files here",
                             "Replace the link with the folder itself.")
                clean = False
            elif not is_inside(root, path, report, found):
                clean = False
    return clean


def environment_key(urls: Urls) -> tuple:
    """What the globals depend on besides sitegen's code: part of every page's fingerprint."""
    return ("base_url", urls.base_url)


def template_stamps(folders: list[Path]) -> tuple:
    stamps = []
    for folder in folders:
        for dirpath, dirs, files in os.walk(folder):
            dirs.sort()
            for name in sorted(files):
                stat = os.stat(os.path.join(dirpath, name))
                stamps.append((dirpath, name, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def template_digests(env: jinja2.Environment, names: set[str]) -> dict[str, str]:
    """For each template, a digest of its source and of every template it extends, includes or imports.

    Each template is read and parsed once; where the environment keeps compiled templates,
    what was parsed is compiled and kept, so rendering does not parse it again.
    """
    read: dict[str, tuple[str, tuple]] = {}  # name -> (source, the templates it names)

    def template(name: str) -> tuple[str, tuple]:
        if name not in read:
            read[name] = read_template(env, name)
        return read[name]

    def closure(name: str, seen: set[str]) -> None:
        if name not in seen:
            seen.add(name)
            for other in template(name)[1]:
                closure(other, seen)

    digests = {}
    for name in names:
        seen: set[str] = set()
        closure(name, seen)
        h = hashlib.blake2b(digest_size=16)
        for other in sorted(seen):
            data = f"{other}\0{template(other)[0]}\0".encode("utf-8", "surrogatepass")
            h.update(b"%d:" % len(data) + data)
        digests[name] = h.hexdigest()
    return digests


# A template nested deeper than Python's stack (brackets, tags, blocks): Jinja's parser and compiler
# recurse, so they stop with a RecursionError, which is the template's fault, not sitegen's.
TOO_DEEP = ("the template (or one it includes) nests too deeply for Jinja to read, or a macro calls itself "
            "without end", "Nest fewer brackets, tags or blocks, or end the macro's recursion.")


def read_template(env: jinja2.Environment, name: str) -> tuple[str, tuple]:
    """(source, the templates it extends, includes or imports): every template for a dynamic
    include; ("", ()) when there is no such template, and no names when it does not parse
    (rendering reports both)."""
    try:
        source, filename, _ = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return "", ()
    store = env.bytecode_cache if isinstance(env.bytecode_cache, KindOfCode) else None
    bucket = store.get_bucket(env, name, filename, source) if store is not None else None
    if bucket is not None and bucket.code is not None:
        known = store.references.get((bucket.key, bucket.checksum))
        if known is not None:  # compiled and read before: nothing to parse
            return source, known
    try:
        parsed = env.parse(source, name, filename)
    except (jinja2.TemplateSyntaxError, RecursionError):
        return source, ()
    referenced = list(jinja2.meta.find_referenced_templates(parsed))
    if None in referenced:  # a dynamic include may name any template there is, now or later
        return source, tuple(env.list_templates())
    if bucket is not None:
        if bucket.code is None:
            try:
                bucket.code = env.compile(parsed, name, filename)
            except (jinja2.TemplateSyntaxError, RecursionError):  # e.g. an unknown filter: rendering reports it
                return source, tuple(referenced)
            store.set_bucket(bucket)
        store.references[(bucket.key, bucket.checksum)] = tuple(referenced)
    return source, tuple(referenced)
