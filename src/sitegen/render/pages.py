"""Render stage: the site model in, the site's files written through a write target.

Owns the Jinja environment (templates folder, optionally overridden by the
content folder's own `templates/`), the list of pages with their template,
context and *fingerprint* (a digest of everything the page shows), Markdown
conversion of bodies (through `markup`), and the presentation helpers
templates use. A page whose fingerprint matches the cache from the last
build is not rendered again; pages that must be rendered are spread over a
pool of worker processes when there are many.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
import jinja2.meta

from .. import __version__
from ..build import parallel
from ..model import urls
from ..write import target as write
from ..model.diagnostics import Diagnostic, Report
from ..index.site import SiteModel
from ..markup.convert import Converter
from ..model.records import CaseStudy, Text

RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")
BATCH = 48  # pages per task sent to a worker
PARALLEL_FROM = 150  # fewer pages than this render in-process (forking costs more)


@dataclass(frozen=True)
class RenderOptions:
    templates: Path
    overrides: Path | None = None  # the content folder's own templates/, if any
    jobs: int = 0  # worker processes; 0 = one per core
    # for records a cache kept without their body; not compared (a new one each build, same job)
    read_body: Callable[[Text], str] | None = field(default=None, compare=False)

    def body(self, text: Text) -> Text:
        """`text` with its Markdown, read again when a cache kept the record without it."""
        return text if text.markdown is not None else replace(text, markdown=self.read_body(text))


@dataclass(frozen=True)
class StudyView:
    """A case study as templates see it: the record, its address, summary and (on its own page) body."""

    study: CaseStudy
    path: str
    summary: str
    html: str = ""


@dataclass(frozen=True)
class PageJob:
    path: str  # site path
    template: str
    kind: str  # what `context_for` builds: home, study, list, countries, ...
    ref: object  # which study, group or pager
    fingerprint: str


@dataclass(frozen=True)
class PageEntry:
    """What the cache remembers of a rendered page."""

    fingerprint: str
    digest: str
    problems: tuple[Diagnostic, ...] = ()
    lookups: tuple = ()  # (link target, what it resolved to) pairs the page's body depended on


@dataclass
class RenderCache:
    """Kept between builds (in memory by `serve`, on disk by `build`)."""

    pages: dict[str, PageEntry] = field(default_factory=dict)  # output path -> entry
    copies: dict[str, tuple] = field(default_factory=dict)  # output path -> (source, size, mtime)
    # Kept in memory only (a `serve` session), never written to disk:
    templates: tuple = ()  # (template files and their stamps, their digests)
    keys: dict[int, tuple] = field(default_factory=dict)  # id(record) -> (record, summary, card, page key)
    fingerprints: dict[str, tuple] = field(default_factory=dict)  # site path -> (inputs, fingerprint)
    bytecode: "CompiledTemplates" = None  # compiled templates, so a session compiles each source once

    def __getstate__(self) -> dict:
        return {"pages": self.pages, "copies": self.copies}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)


@dataclass
class RenderResult:
    rendered: list[str] = field(default_factory=list)  # output paths rendered this time
    files: set[str] = field(default_factory=set)  # every output path of the site
    copied: set[str] = field(default_factory=set)  # files copied or written outside the page renderers
    previous: set[str] | None = None  # every file of the last build, when the cache knows them


def text_direction(lang: str | None) -> str:
    return "rtl" if lang and lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def long_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def fingerprint(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


# --------------------------------------------------------------------------- the environment

class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in memory for a `serve` session.

    Each build gets a new environment (its template modules hold that build's
    site model), but compiling is the costly part. Jinja stores compiled code
    under the template's name and file, with a checksum of its source, and
    compiles again when the source has changed.
    """

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


def make_environment(options: RenderOptions, model: SiteModel,
                     bytecode: CompiledTemplates | None = None) -> jinja2.Environment:
    search = [str(p) for p in (options.overrides, options.templates) if p and p.is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # one environment per build: no need to check template files on every use
        bytecode_cache=bytecode,
    )
    env.globals.update(
        site=model.content.config,
        model=model,
        url=model.urls.url,
        abs_url=model.urls.absolute,
        nav=model.nav,
        text_dir=text_direction,
        country_path=urls.country_path,
        theme_path=urls.theme_path,
        region_path=urls.region_path,
        generator=f"sitegen {__version__}",
    )
    env.filters["long_date"] = long_date
    return env


def session_environment(options: RenderOptions, model: SiteModel, cache: RenderCache) -> jinja2.Environment:
    """A new environment for this build, reusing what the session compiled before."""
    if cache.bytecode is None:
        cache.bytecode = CompiledTemplates()
    return make_environment(options, model, cache.bytecode)


def template_stamps(options: RenderOptions) -> tuple:
    stamps = []
    for folder in (options.overrides, options.templates):
        if folder and folder.is_dir():
            for dirpath, dirs, files in os.walk(folder):
                dirs.sort()
                for name in sorted(files):
                    stat = os.stat(os.path.join(dirpath, name))
                    stamps.append((dirpath, name, stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


def cached_template_digests(env, names: set[str], stamps: tuple, cache: "RenderCache") -> dict[str, str]:
    if not cache.templates or cache.templates[0] != stamps:
        cache.templates = (stamps, template_digests(env, names))
    return cache.templates[1]


def template_digests(env: jinja2.Environment, names: set[str]) -> dict[str, str]:
    """For each template, a digest of its source and of every template it extends or includes."""
    sources: dict[str, str] = {}

    def source(name: str) -> str:
        if name not in sources:
            try:
                sources[name] = env.loader.get_source(env, name)[0]
            except jinja2.TemplateNotFound:
                sources[name] = ""
        return sources[name]

    def closure(name: str, seen: set[str]) -> None:
        if name in seen:
            return
        seen.add(name)
        try:
            referenced = list(jinja2.meta.find_referenced_templates(env.parse(source(name))))
        except jinja2.TemplateSyntaxError:
            return
        if None in referenced:  # a dynamic include: depend on every template
            referenced = env.list_templates()
        for other in referenced:
            closure(other, seen)

    digests = {}
    for name in names:
        seen: set[str] = set()
        closure(name, seen)
        digests[name] = fingerprint(sorted((n, source(n)) for n in seen))
    return digests


# --------------------------------------------------------------------------- the pages

def card_views(model: SiteModel) -> dict[str, StudyView]:
    return {study.slug: StudyView(study, urls.case_study_path(study.slug), study.summary or study.excerpt)
            for study in model.studies}


def card_key(view: StudyView) -> tuple:
    """Everything a card shows of a case study."""
    s = view.study
    return (s.slug, s.title, s.city, s.city_native, s.city_native_lang, s.country.code, s.region.id,
            tuple(t.id for t in s.themes), s.date, view.summary, s.draft, s.image)


def study_key(view: StudyView) -> tuple:
    """Everything a case study's own page shows: its card, the rest of its front matter, its body."""
    s = view.study
    return (card_key(view), s.coordinates, s.sources, s.lang, s.body.rel, s.body.first_line, s.body.digest)


def record_keys(views: dict[str, StudyView], cache: RenderCache) -> dict[str, tuple[str, str]]:
    """(card key, page key) of each case study; reused while a `serve` session sees the same record."""
    keys, kept = {}, {}
    for slug, view in views.items():
        known = cache.keys.get(id(view.study))
        if known is None or known[0] is not view.study or known[1] != view.summary:
            known = (view.study, view.summary, fingerprint(card_key(view)), fingerprint(study_key(view)))
        kept[id(view.study)] = known
        keys[slug] = known[2:]
    cache.keys = kept
    return keys


def page_jobs(model: SiteModel, views: dict[str, StudyView], digests: dict[str, str],
              site_key: str, cache: RenderCache | None = None) -> list[PageJob]:
    """Every page of the site with what it depends on, in a fixed order."""
    cache = cache if cache is not None else RenderCache()
    keys = record_keys(views, cache)
    cards = {slug: card for slug, (card, _) in keys.items()}
    group_keys = (
        tuple((g.country.code, g.country.name, g.region.id, len(g.studies)) for g in model.countries),
        tuple((g.theme, len(g.studies)) for g in model.themes),
        tuple((g.region.id, len(g.studies), tuple(c.country.code for c in g.countries)) for g in model.regions),
    )
    jobs: list[PageJob] = []
    known, kept = cache.fingerprints, {}

    def add(path, template, kind, ref, *inputs):
        parts = (site_key, digests[template], path, inputs)
        last = known.get(path)  # a `serve` session: inputs compared (mostly the same objects) before hashing
        kept[path] = last if last is not None and last[0] == parts else (parts, fingerprint(*parts))
        jobs.append(PageJob(path, template, kind, ref, kept[path][1]))

    home = model.content.home
    home_text = home.body.digest if home.body else None
    add("", "home.html", "home", None, home.title, home.summary, home_text, group_keys, tuple(cards[s.slug] for s in model.latest))
    for i, pager in enumerate(model.listing):
        add(pager.path, "case_studies.html", "list", ("listing", i), pager.key(),
            tuple(cards[s.slug] for s in pager.items))
    for study in model.studies:
        related = model.related[study.slug]
        add(urls.case_study_path(study.slug), "case_study.html", "study", study.slug,
            keys[study.slug][1], tuple(cards[r.slug] for r in related))
    add("countries/", "countries.html", "countries", None, group_keys)
    for kind, pagers, template in (("country", "country_pages", "country.html"),
                                   ("theme", "theme_pages", "theme.html"),
                                   ("region", "region_pages", "region.html")):
        for i, pager in enumerate(getattr(model, pagers)):
            extra = tuple(g.country.code for g in pager.group.countries) if kind == "region" else ()
            add(pager.path, template, kind, (pagers, i), pager.key(), extra,
                tuple(cards[s.slug] for s in pager.items))
        if kind == "country":
            add("themes/", "themes.html", "themes", None, group_keys)
        if kind == "theme":
            add("regions/", "regions.html", "regions", None, group_keys)
    for page in model.pages:
        add(urls.page_path(page.slug), "page.html", "page", page.slug, page)
    add("404.html", "404.html", "404", None)
    sitemap = tuple(sorted(j.path for j in jobs if j.kind != "404"))  # sorted: edits never reorder it
    add("sitemap.xml", "sitemap.xml", "sitemap", sitemap, sitemap)
    add("robots.txt", "robots.txt", "robots", None)
    cache.fingerprints = kept
    return jobs


def context_for(job: PageJob, model: SiteModel, views: dict[str, StudyView], converter: Converter,
                options: RenderOptions) -> tuple[dict, tuple]:
    """The template context of a page, and the link problems and look-ups of its body."""
    if job.kind == "study":
        study = model.content_by_slug[job.ref]
        rendered = converter.convert(options.body(study.body))
        item = StudyView(study, job.path, views[job.ref].summary, rendered.html)
        return {"item": item, "country": model.country_by_code[study.country.code],
                "related": [views[r.slug] for r in model.related[job.ref]]}, rendered
    if job.kind == "page":
        page = model.page_by_slug[job.ref]
        rendered = converter.convert(options.body(page.body))
        return {"page": page, "html": rendered.html}, rendered
    if job.kind == "home":
        home = model.content.home
        rendered = converter.convert(options.body(home.body)) if home.body else None
        return {"home": home, "home_html": rendered.html if rendered else "",
                "latest": [views[s.slug] for s in model.latest]}, rendered
    if job.kind in ("list", "country", "theme", "region"):
        pager = getattr(model, job.ref[0])[job.ref[1]]
        context = {"studies": [views[s.slug] for s in pager.items], "pager": pager}
        if pager.group is not None:
            context["group"] = pager.group
        return context, None
    if job.kind == "sitemap":
        return {"paths": list(job.ref)}, None
    return {}, None


@dataclass
class CardMemo:
    """`cached_card(card, item, level)` for templates: the `card` macro called once per case study.

    A card appears on up to five list pages and beside related case studies. A macro
    depends only on its arguments and the site, so within one render run its HTML is
    reused. Templates pass the macro itself, so the template that defines it stays a
    visible dependency of the pages (see `template_digests`).
    """

    cards: dict = field(default_factory=dict)  # (macro, study path, heading level) -> Markup

    def __call__(self, macro, item: StudyView, level: int = 2):
        key = (macro, item.path, level)
        html = self.cards.get(key)
        if html is None:
            html = self.cards[key] = macro(item, level)
        return html


@dataclass
class Worker:
    """What a render process holds: the model, the environment, a Markdown converter, the write target."""

    model: SiteModel
    views: dict[str, StudyView]
    options: RenderOptions
    target: object  # write.Staged | write.InPlace
    previous: dict[str, PageEntry]
    env: jinja2.Environment = None
    converter: Converter = None

    def start(self) -> "Worker":
        if self.env is None:
            self.env = make_environment(self.options, self.model)
        self.env.globals["cached_card"] = CardMemo()
        self.converter = Converter(self.model.urls, self.model.sources,
                                   self.model.asset_set)
        return self

    def render(self, job: PageJob) -> tuple[str, PageEntry | None, list[Diagnostic]]:
        report = Report()
        out_path = urls.output_file(job.path)
        try:
            context, rendered = context_for(job, self.model, self.views, self.converter, self.options)
        except Exception as exc:  # noqa: BLE001 - reported, never a traceback
            report.error(out_path, None, f"could not prepare '{job.path or '/'}': {exc}")
            return out_path, None, report.items
        problems = ()
        if rendered is not None:
            source = self.model.content.root / self.converter.context.text.rel
            for p in rendered.problems:
                # a build warns about links (the preview keeps working); a body that could not be converted stops it
                (report.error if p.fatal else report.warning)(source, p.line, p.message, p.fix, p.column)
            problems = tuple(report.items)
        data = render_template(self.env, job.template, dict(context, path=job.path), report)
        if data is None:
            return out_path, None, report.items
        entry = PageEntry(job.fingerprint, write.digest(data), problems, rendered.lookups if rendered else ())
        old = self.previous.get(out_path)
        if old is None or old.digest != entry.digest or not (self.target.root / out_path).exists():
            self.target.write(out_path, data)
        return out_path, entry, report.items


_WORKER: Worker | None = None  # one per worker process, set by the pool initializer


def _start_worker(worker: Worker) -> None:
    global _WORKER
    _WORKER = worker.start()


def _render_batch(jobs: list[PageJob]):
    return [_WORKER.render(job) for job in jobs]


def render_pages(worker: Worker, jobs: list[PageJob], processes: int):
    processes = parallel.processes_for(processes, len(jobs), PARALLEL_FROM)
    if processes <= 1:
        worker.start()
        return [worker.render(job) for job in jobs]
    batches = [jobs[i:i + BATCH] for i in range(0, len(jobs), BATCH)]
    with parallel.fork_pool(processes, _start_worker, (worker,)) as pool:
        return [result for batch in pool.imap(_render_batch, batches) for result in batch]


def render_template(env: jinja2.Environment, name: str, context: dict, report: Report) -> bytes | None:
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        report.error(exc.filename or name, exc.lineno, f"template syntax error: {exc.message}",
                     "Fix the template tag on this line.")
    except jinja2.TemplateNotFound as exc:
        report.error(name, None, f"template '{exc.name}' not found", "Restore it in the templates folder.")
    except Exception as exc:  # noqa: BLE001 - a template bug, located at its template line
        filename, line = template_frame(exc)
        report.error(filename or name, line, f"template error while rendering '{context['path'] or '/'}': {exc}",
                     "Fix the template, or the value it uses.")
    return None


def template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    tb = exc.__traceback__
    found = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


# --------------------------------------------------------------------------- the whole site

def render_site(model: SiteModel, options: RenderOptions, report: Report, target,
                cache: RenderCache | None = None, site_key: str = "", trust_output: bool = False) -> RenderResult | None:
    """Write every page that changed (all of them without a cache) through `target`.

    `trust_output`: the output folder is known to hold what the cache says (a `serve`
    session owns it), so pages are not checked on disk.

    Returns None when a template failed (reported); the caller then aborts the target.
    `cache` is updated in place when the render succeeds.
    """
    cache = cache if cache is not None else RenderCache()
    previous = (set(cache.pages) | set(cache.copies) | {write.MARKER, "CNAME"}) if cache.pages else None
    views = card_views(model)
    env = session_environment(options, model, cache)
    stamps = template_stamps(options)
    templates = {"home.html", "case_studies.html", "case_study.html", "countries.html", "country.html",
                 "themes.html", "theme.html", "regions.html", "region.html", "page.html", "404.html",
                 "sitemap.xml", "robots.txt"}
    site_key = fingerprint(site_key, __version__, model.content.config, model.nav, model.urls.base_url,
                           model.include_drafts)
    jobs = page_jobs(model, views, cached_template_digests(env, templates, stamps, cache), site_key, cache)
    result = RenderResult(previous=previous)
    todo = []
    for job in jobs:
        out_path = urls.output_file(job.path)
        result.files.add(out_path)
        entry = cache.pages.get(out_path)
        if (entry is None or entry.fingerprint != job.fingerprint or not lookups_hold(entry, model)
                or not (trust_output or os.path.exists(os.path.join(target.root, out_path)))):
            todo.append(job)
        else:
            report.items.extend(entry.problems)
    worker = Worker(model, views, options, target, cache.pages, env)
    new_entries = {}
    for out_path, entry, items in render_pages(worker, todo, options.jobs):
        report.items.extend(items)
        if entry is not None:
            new_entries[out_path] = entry
            result.rendered.append(out_path)
    if len(new_entries) < len(todo):
        return None
    copy_files(model, options, target, cache, result)
    cache.pages = {path: new_entries.get(path) or cache.pages[path] for path in result.files if
                   path in new_entries or path in cache.pages}
    return result


def lookups_hold(entry: PageEntry, model: SiteModel) -> bool:
    """Do the links this page's body resolved still resolve the same way?"""
    assets = model.asset_set
    return all(model.sources.get(target) == found[0] and (target in assets) == found[1]
               for target, found in entry.lookups)


def copy_files(model: SiteModel, options: RenderOptions, target, cache: RenderCache, result: RenderResult) -> None:
    """Small fixed files, static files and content assets: copied when new or changed."""
    fixed = {write.MARKER: b""}
    if model.content.config.cname:
        fixed["CNAME"] = (model.content.config.cname + "\n").encode()
    for rel, data in fixed.items():
        result.files.add(rel)
        path = target.root / rel
        if not path.exists() or path.read_bytes() != data:
            target.write(rel, data)
            result.copied.add(rel)
    copies = static_files(options) + [(a.rel, a.source) for a in model.content.assets]
    seen = {}
    for rel, source in copies:
        result.files.add(rel)
        stat = source.stat()
        stamp = (str(source), stat.st_size, stat.st_mtime_ns)
        seen[rel] = stamp
        if cache.copies.get(rel) != stamp or not (target.root / rel).exists():
            target.copy(rel, source)
            result.copied.add(rel)
    cache.copies = seen


def static_files(options: RenderOptions) -> list[tuple[str, Path]]:
    """Files under templates/static (overridden by the content folder's), copied to static/."""
    chosen: dict[str, Path] = {}
    for folder in (options.templates, options.overrides):
        if folder is None or not (folder / "static").is_dir():
            continue
        base = folder / "static"
        for dirpath, dirs, files in os.walk(base):
            dirs.sort()
            for name in sorted(files):
                if not name.startswith("."):
                    path = Path(dirpath) / name
                    chosen["static/" + path.relative_to(base).as_posix()] = path
    return sorted(chosen.items())
