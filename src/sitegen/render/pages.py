"""Render stage: the site model in, every page's bytes written through a write target.

Owns the render jobs (one per page of every kind in the outputs registry),
each page's *fingerprint*, Markdown conversion of the bodies a page shows
(through `markup`), and spreading the pages that must be rendered over
worker processes when there are many. A page's fingerprint is the digest of
its template's context (`digest.py`), of its template and every template that
one uses, and of `site_key` (sitegen's code and the versions of the libraries
that shape output). A page whose fingerprint and body links are as the cache
from the last build remembers them is not rendered again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2
from markupsafe import Markup

from ..index.site import SiteModel
from ..load import filetypes
from ..markup.convert import Converter, Rendered, rooted_target
from ..model import urls
from ..model.diagnostics import ERROR, Diagnostic, Report
from ..model.progress import NullProgress
from ..model.records import Language, ProcessedImage, Text
from ..write import target as write
from .digest import Digester
from .environment import (TOO_DEEP, CompiledTemplates, environment_key, links_outside, make_environment,
                          template_digests, template_folders, template_stamps)
from .interface import Interface
from .outputs import (BY_KIND, CNAME, FIXED_FILES, OUTPUTS, SITE_SHARE_IMAGE, TEMPLATE_SUFFIXES, Output, in_feeds,
                      made_in)
from .views import Body, SiteViews, digest_views, site_views

BATCH = 48  # pages per task sent to a worker
CONVERTED_KEPT = 64  # bodies a render process keeps converted (see Worker.convert)


@dataclass(frozen=True)
class RenderOptions:
    templates: Path
    overrides: Path | None = None  # the content folder's own templates/, if any
    site_key: str = ""  # sitegen's code and the versions of what shapes output
    # Where pages render (the build stage decides): how many processes a number of pages deserves,
    # and the pool of worker processes, made as pool(processes, initializer, initargs).
    processes: Callable[[int], int] = field(default=lambda count: 1, compare=False)
    pool: Callable | None = field(default=None, compare=False)
    # reads the Markdown of a record kept without it (a build keeps every case study so);
    # not compared (a new one each build, same job)
    read_body: Callable[[Text], str] | None = field(default=None, compare=False)
    # Markdown files in the content folder that failed to load (`sitegen check` renders past them)
    failed: frozenset[str] = frozenset()

    def body(self, text: Text) -> Text:
        """`text` with its Markdown, read again when the record was kept without it."""
        return text if text.markdown is not None else replace(text, markdown=self.read_body(text))


@dataclass(frozen=True)
class PageJob:
    path: str  # site path
    kind: str  # its entry in the outputs registry
    ref: object  # which study, pager or page of that kind
    fingerprint: str


@dataclass(frozen=True)
class PageEntry:
    """What the cache remembers of a rendered page."""

    fingerprint: str
    digest: str
    problems: tuple[Diagnostic, ...] = ()
    lookups: tuple = ()  # (link target, what it resolved to) pairs the page's body depended on


MEMORY_ONLY = {"persist": False}  # fields a `serve` session keeps and the cache on disk does not


@dataclass
class RenderCache:
    """Kept between builds (in memory by `serve`, on disk by `build`)."""

    pages: dict[str, PageEntry] = field(default_factory=dict)  # output path -> entry
    copies: dict[str, tuple] = field(default_factory=dict)  # output path -> (source, size, mtime)
    images: dict[str, str] = field(default_factory=dict)  # output path -> key of the image file written there
    templates: tuple = ()  # (template stamps, their digests): a warm build parses no template
    card_digests: dict[str, str] = field(default_factory=dict)  # record digest -> its card's (views.site_views)
    record_digests: dict[str, str] = field(default_factory=dict)  # record digest -> its open data record's (idem)
    site_digest: str = ""  # of the model, templates and key the pages were last rendered from
    # the conversions of the bodies feeds carry, by `body_key`: a feed rendered again converts only the
    # bodies that changed (each reused while its links resolve as they did; see Worker.convert)
    bodies: dict[str, Rendered] = field(default_factory=dict)
    cards: dict = field(default_factory=dict, metadata=MEMORY_ONLY)  # see views.site_views
    digester: Digester | None = field(default=None, metadata=MEMORY_ONLY)  # digests of unchanged records
    bytecode: CompiledTemplates | None = field(default=None, metadata=MEMORY_ONLY)  # compiled once a session
    views: SiteViews | None = field(default=None, metadata=MEMORY_ONLY)  # the last build's (views.site_views)
    contexts: dict = field(default_factory=dict, metadata=MEMORY_ONLY)  # the last build's (page_jobs)
    # the same five of the site in each other language (the fields above serve the site's own), by code
    editions: dict[str, "EditionCache"] = field(default_factory=dict)

    def of(self, model: SiteModel):
        """What is kept of the site in `model`'s language: this cache itself for the site's own."""
        edition = edition_of(model)
        return self.editions.setdefault(edition, EditionCache()) if edition else self


def edition_of(model: SiteModel) -> str:
    """The code of the language `model` is the site in, "" for the site's own (its pages have no prefix)."""
    return model.language.code if model.language is not None and model.language.prefix else ""


@dataclass
class EditionCache:
    """What `RenderCache` keeps of the views of the site in one of its other languages."""

    card_digests: dict[str, str] = field(default_factory=dict)
    record_digests: dict[str, str] = field(default_factory=dict)
    cards: dict = field(default_factory=dict, metadata=MEMORY_ONLY)
    views: SiteViews | None = field(default=None, metadata=MEMORY_ONLY)
    contexts: dict = field(default_factory=dict, metadata=MEMORY_ONLY)


@dataclass
class RenderResult:
    rendered: list[str] = field(default_factory=list)  # output paths rendered this time
    files: set[str] = field(default_factory=set)  # every page's output path
    previous: set[str] | None = None  # every file of the last build, when the cache knows them
    fixed: dict[str, bytes] = field(default_factory=dict)  # small files every build writes (.nojekyll, CNAME)
    copies: list[tuple[str, Path]] = field(default_factory=list)  # (output path, source) of files copied as they are
    images: list[tuple[ProcessedImage, Path]] = field(default_factory=list)  # raster images to publish, and their source


# --------------------------------------------------------------------------- the pages

def site_context(model: SiteModel) -> dict:
    """What every page's template receives: the site settings, the navigation, the site's share image, the
    page's language and every language the site is in (each page is in all of them, under their prefixes)."""
    return {"site": model.content.config, "nav": model.nav, "site_share_image": SITE_SHARE_IMAGE,
            "language": model.language, "languages": model.content.config.languages}


def own_context(output: Output, model: SiteModel, path: str, ref, views: SiteViews) -> dict:
    """What one page's template receives besides `site_context`: its kind's context and its path."""
    return {**output.context(model, ref, views), "path": path}


def page_jobs(model: SiteModel, views: SiteViews, digests: dict[str, str], site_key: str,
              digester: Digester, last: dict | None = None) -> list[PageJob]:
    """Every page of the site with its fingerprint, in the registry's order.

    A fingerprint digests the page's whole context: the part every page shares once, its own
    part for each page. `last` (site path -> (head, context, fingerprint)) is kept by a
    session and replaced by this build's: a page whose own context holds the very objects
    it held last time (all frozen), under the same head, keeps its fingerprint undigested.
    """
    last = {} if last is None else last
    shared = digester.digest(site_context(model))
    jobs, kept = [], {}
    for output in made_in(model):
        head = f"{site_key}\0{output.kind}\0{digests[output.template]}\0".encode() + shared
        for path, ref in output.pages(model):
            context = own_context(output, model, path, ref, views)
            known = last.get(path)
            if known is None or known[0] != head or not same_values(known[1], context):
                known = (head, context, hashlib.blake2b(head + digester.digest(context), digest_size=16).hexdigest())
            kept[path] = known
            jobs.append(PageJob(path, output.kind, ref, known[2]))
    last.clear()
    last.update(kept)
    return jobs


def same_values(old: dict, new: dict) -> bool:
    """Do two contexts hold the same objects (or equal text and whole numbers) under the same names?"""
    if old.keys() != new.keys():
        return False
    for key, value in new.items():
        before = old[key]
        if value is not before and not (type(value) is type(before) and type(value) in (str, int)
                                         and value == before):
            return False
    return True


@dataclass
class Worker:
    """What a render process holds: the model and its views, the environment, a converter, the write target."""

    model: SiteModel
    views: SiteViews
    options: RenderOptions
    target: object  # write.Staged | write.InPlace
    previous: dict[str, PageEntry]
    env: jinja2.Environment
    pages: frozenset[str] = frozenset()  # the site path of every page, for root-relative links in bodies
    converter: Converter = None
    jobs: list[PageJob] = field(default_factory=list)  # what to render: forked workers inherit it, unpickled
    converted: dict = field(default_factory=dict)  # (file, digest of its Markdown) -> Rendered, newest last
    shared: frozenset = frozenset()  # (file, digest) of the bodies feeds carry too: converted once, kept
    kept: dict = field(default_factory=dict)  # their conversions
    earlier: dict = field(default_factory=dict)  # their conversions in an earlier build, by body_key
    edition: str = ""  # the language code of the site this worker renders ("" for the site's own)
    fresh: dict = field(default_factory=dict)  # conversions of shared bodies made since the last batch

    def start(self) -> "Worker":
        self.converter = Converter(self.model.urls, self.model.sources, self.model.asset_set, pages=self.pages,
                                   unpublished=unpublished(self.model, self.options.failed), audit=True,
                                   images=self.model.images, refused=refusals(self.model))
        return self

    def render(self, job: PageJob) -> tuple[str, PageEntry | None, list[Diagnostic]]:
        report = Report()
        out_path = urls.output_file(job.path)
        output = BY_KIND[job.kind]
        try:
            context = {**site_context(self.model), **own_context(output, self.model, job.path, job.ref, self.views)}
            lookups = self.convert_bodies(context, report)
        except Exception as exc:  # noqa: BLE001 - reported, never a traceback
            report.error(out_path, None, f"could not prepare '{job.path or '/'}': {exc}")
            return out_path, None, report.items
        problems = tuple(report.items)
        data = render_template(self.env, output.template, context, report)
        if data is None:
            return out_path, None, report.items
        entry = PageEntry(job.fingerprint, write.digest(data), problems, lookups)
        old = self.previous.get(out_path)
        if old is None or old.digest != entry.digest or not (self.target.root / out_path).exists():
            self.target.write(out_path, data)
        return out_path, entry, report.items

    def render_batch(self, batch: list[int]) -> tuple[list, dict]:
        """Render `self.jobs[i]` for each `i` in `batch`; with the results, the conversions of the
        bodies feeds carry that this batch made (a render process sends them back for the feeds)."""
        jobs = self.jobs
        done = [self.render(jobs[i]) for i in batch]
        fresh, self.fresh = self.fresh, {}
        return done, fresh

    def convert(self, body: Body) -> Rendered:
        """A body's HTML. A case study's body comes again in up to four feeds (the site's, its theme's,
        country's and region's), rendered after its page: the bodies feeds carry are kept once
        converted (or taken from an earlier build while every link in them resolves as it did then),
        and of the others the last few."""
        key = (body.text.rel, body.text.digest)
        if body.text.digest and key in self.shared:
            rendered = self.kept.get(key)
            if rendered is None:
                rendered = self.earlier.get(body_key(self.edition, key))
                if rendered is None or not lookups_hold(rendered, self.model, self.pages):
                    rendered = self.converter.convert(self.options.body(body.text))
                self.kept[key] = self.fresh[key] = rendered
            return rendered
        rendered = self.converted.pop(key, None) if body.text.digest else None
        if rendered is None:
            rendered = self.converter.convert(self.options.body(body.text))
        if body.text.digest:
            self.converted[key] = rendered  # now the newest
            while len(self.converted) > CONVERTED_KEPT:
                del self.converted[next(iter(self.converted))]
        return rendered

    def convert_bodies(self, context: dict, report: Report) -> tuple:
        """Put the HTML of each `Body` in the context in its place, and its sections (see `Rendered`)
        under `<key>_sections`; its link problems go to `report`. A tuple of bodies (a feed's entries)
        becomes a tuple of HTML; their problems are told on their own pages. Returns the links'
        lookups, which the page depends on besides its context."""
        lookups: tuple = ()
        for key, value in list(context.items()):
            if isinstance(value, Body):
                rendered = self.convert(value)
                context[key] = Markup(rendered.html)
                context[f"{key}_sections"] = rendered.sections
                lookups += rendered.lookups
                source = self.model.content.root / value.text.rel
                for p in rendered.problems:  # with the severities `sitegen check` gives them
                    report.add(source, p.line, ERROR if p.fatal else p.severity, p.message, p.fix, p.column)
            elif isinstance(value, tuple) and value and all(isinstance(v, Body) for v in value):
                converted = [self.convert(v) for v in value]
                context[key] = tuple(Markup(r.html) for r in converted)
                lookups += tuple(lookup for r in converted for lookup in r.lookups)
        return lookups


def body_key(edition: str, key: tuple[str, str]) -> str:
    """Where `RenderCache.bodies` keeps the conversion of a body (its file and the digest of its Markdown)
    in the site of one language: its links lead to that language's pages."""
    return f"{edition}\0{key[0]}\0{key[1]}"


def refusals(model: SiteModel) -> dict[str, str]:
    """Raster images that cannot be published -> why (told where a body shows one)."""
    return {r.rel: r.message for r in model.content.refused}


def unpublished(model: SiteModel, failed: frozenset[str]) -> dict[str, str]:
    """Markdown files that are not on the site, and why: a link to one says so."""
    why = {rel: "is a file that has errors (see its own messages), so it is not on the site" for rel in failed}
    if not model.include_drafts:
        why.update({rel: "is a draft (draft: true), so it is not on the published site"
                    for s in model.content.case_studies if s.draft for rel in {s.body.rel, s.original} if rel})
    return why


_WORKER: Worker | None = None  # one per worker process, set by the pool initializer


def _start_worker(worker: Worker) -> None:
    global _WORKER
    _WORKER = worker.start()


def _render_batch(batch: list[int]):
    return _WORKER.render_batch(batch)


def start_pool(worker: Worker, count: int, options: RenderOptions):
    """A pool of render processes for `count` pages, or None when they render in this process.

    The templates are compiled first, once, so that no worker compiles them again.
    """
    processes = options.processes(count) if options.pool is not None else 1
    if processes <= 1:
        return None
    for output in OUTPUTS:
        if output.template:
            try:
                worker.env.get_template(output.template)
            except jinja2.TemplateError:
                pass  # reported where the page renders
    return options.pool(processes, _start_worker, (worker,))


def render_pages(worker: Worker, jobs: list[PageJob], options: RenderOptions, progress: NullProgress):
    """Each job's (output path, cache entry or None, problems), in order; `progress` hears of each batch.

    Pages whose context carries other pages' bodies (feeds) render last, in this process, from the
    conversions the other pages made (render processes send theirs back): a feed rendered in
    another process would convert each body again.
    """
    progress.stage("Rendering pages", len(jobs))
    worker.jobs = jobs  # a worker receives lists of indices, not the jobs and the records they refer to
    first = [i for i, job in enumerate(jobs) if not BY_KIND[job.kind].carries_bodies]
    last = [i for i, job in enumerate(jobs) if BY_KIND[job.kind].carries_bodies]
    batches = [first[i:i + BATCH] for i in range(0, len(first), BATCH)]
    done: list = [None] * len(jobs)
    pool = start_pool(worker, len(jobs), options)
    try:
        if pool is None:
            worker.start()
            results = map(worker.render_batch, batches)
        else:
            results = pool.imap(_render_batch, batches)
        for batch, (rendered, fresh) in zip(batches, results):
            for i, result in zip(batch, rendered):
                done[i] = result
            worker.kept.update(fresh)
            progress.advance(len(batch))
    finally:
        if pool is not None:
            pool.terminate()
    if last:
        if worker.converter is None:
            worker.start()
        for i, result in zip(last, worker.render_batch(last)[0]):
            done[i] = result
        progress.advance(len(last))
    return done


def render_template(env: jinja2.Environment, name: str, context: dict, report: Report) -> bytes | None:
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        report.error(exc.filename or name, exc.lineno, f"template syntax error: {exc.message}",
                     "Fix the template tag on this line.")
    except jinja2.TemplateNotFound as exc:
        report.error(name, None, f"template '{exc.name}' not found", "Restore it in the templates folder.")
    except RecursionError:
        report.error(template_file(env, name), None, *TOO_DEEP)
    except Exception as exc:  # noqa: BLE001 - a template bug, located at its template line
        filename, line = template_frame(exc)
        report.error(filename or name, line, f"template error while rendering '{context['path'] or '/'}': {exc}",
                     "Fix the template, or the value it uses.")
    return None


def template_file(env: jinja2.Environment, name: str) -> str:
    """The file a template name stands for (the name itself when there is none)."""
    try:
        return env.loader.get_source(env, name)[1] or name
    except jinja2.TemplateNotFound:
        return name


def template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    tb = exc.__traceback__
    found = (None, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(TEMPLATE_SUFFIXES):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


# --------------------------------------------------------------------------- the whole site

def render_site(model: SiteModel, options: RenderOptions, report: Report, target,
                cache: RenderCache | None = None, session: bool = False,
                progress: NullProgress = NullProgress(), known_digests=(), editions: tuple[SiteModel, ...] = (),
                interfaces: dict[str, Interface] | None = None, kept: bool = True) -> RenderResult | None:
    """Write every page that changed (all of them without a cache) through `target`.

    `model` is the site in its own language; `editions` the site in each of its other
    languages (their pages under their prefixes), `interfaces` each language's interface
    (by code; English messages as written where there is none).

    `session`: a `serve` session, which owns the output folder (it holds what the cache
    says, so pages are not checked on disk) and keeps `cache` in memory for its next build
    (so the memory-only fields are filled; a one-off build leaves them empty, and its
    render workers inherit less).

    `known_digests`: (record, digest) pairs the build stage already has (see `digest.Digester`).
    `kept`: whether `cache` is used again (saved, or kept by a session). A cold build whose cache is
    not (`build` with no cache folder, `check`) neither digests the site nor fingerprints its pages.
    Returns None when a template failed (reported); the caller then aborts the target.
    `cache` is updated in place when the render succeeds.
    """
    cache = cache if cache is not None else RenderCache()
    interfaces = interfaces or {}
    previous = (set(cache.pages) | set(cache.copies) | set(cache.images) | set(FIXED_FILES)) if cache.pages else None
    digester = Digester(cache.digester, known_digests)
    if session:
        cache.digester = digester
    if cache.bytecode is None:
        cache.bytecode = CompiledTemplates()
    if not ((options.overrides is None or links_outside(options.overrides, options.overrides.parent, report))
            and links_outside(options.templates / "static", options.templates, report)):
        return None
    folders = template_folders(options.templates, options.overrides)
    models = (model, *editions)
    envs = [make_environment(folders, m.urls, m.routes, cache.bytecode, sandboxed=options.overrides is not None,
                             interface=interface_of(m, interfaces)) for m in models]
    if kept or cache.pages:  # fingerprints will be made: of the templates too (a cold build not kept makes none)
        stamps = template_stamps(folders)
        if not cache.templates or cache.templates[0] != stamps:
            cache.templates = (stamps, template_digests(envs[0], {o.template for o in OUTPUTS if o.template}))
    site_key = f"{options.site_key}\0{environment_key(model.urls)!r}"
    keys = [f"{site_key}\0{interface_of(m, interfaces).digest}" for m in models]
    # Every context is made by code from the content (through the index stage's model), so a
    # site whose content, settings, templates, catalogues and key are as they were has every
    # page as it was: no context needs making or digesting.
    site_digest = digester.hexdigest((keys, cache.templates[1], [m.content for m in models], model.urls,
                                      [m.routes for m in models], model.include_drafts)) if kept else ""
    result = RenderResult(previous=previous)
    if site_digest == cache.site_digest and cache.pages and (session or all(
            os.path.exists(os.path.join(target.root, path)) for path in cache.pages)):
        result.files = set(cache.pages)
        for entry in cache.pages.values():
            report.items.extend(entry.problems)
        result.fixed, result.copies, result.images = files_to_copy(model, options, report)
        return result
    # A cold build renders every page: first, so that its render workers inherit none of the
    # digesting, which follows once they are gone. Otherwise fingerprints decide what renders.
    cold = not cache.pages
    plans = []  # (model, environment, views, pages to render) of each language
    if cold:
        for m, env in zip(models, envs):
            views = site_views(m, cache.of(m).cards if session else None, last=cache.of(m).views,
                               interface=interface_of(m, interfaces))
            todo = [PageJob(path, output.kind, ref, "") for output in made_in(m) for path, ref in output.pages(m)]
            result.files.update(urls.output_file(job.path) for job in todo)
            plans.append((m, env, views, todo))
    else:
        for m, env, key in zip(models, envs, keys):
            views, jobs = plan_pages(m, cache, digester, key, session, interfaces=interfaces)
            plans.append((m, env, views, jobs))
        digester = None  # a one-off build's memo is not kept alive while pages render
    pages = frozenset(job.path for *_, jobs in plans for job in jobs)
    new_entries, todos, bodies = {}, 0, {}
    for m, env, views, jobs in plans:
        todo = jobs
        if not cold:
            todo = []
            for job in jobs:
                out_path = urls.output_file(job.path)
                result.files.add(out_path)
                entry = cache.pages.get(out_path)
                if (entry is None or entry.fingerprint != job.fingerprint or not lookups_hold(entry, m, pages)
                        or not (session or os.path.exists(os.path.join(target.root, out_path)))):
                    todo.append(job)
                else:
                    report.items.extend(entry.problems)
        fed = in_feeds(m)
        shared = frozenset((s.body.rel, s.body.digest) for s in m.studies if s.slug in fed)
        edition = edition_of(m)
        worker = Worker(m, views, options, target, cache.pages, env, pages, shared=shared, earlier=cache.bodies,
                        edition=edition)
        todos += len(todo)
        for out_path, entry, items in render_pages(worker, todo, options, progress):
            report.items.extend(items)
            if entry is not None:
                new_entries[out_path] = entry
                result.rendered.append(out_path)
        for key in sorted(shared):  # what the next build's feeds may reuse: this build's, else the earlier
            kept_body = worker.kept.get(key) or cache.bodies.get(body_key(edition, key))
            if kept_body is not None:
                bodies[body_key(edition, key)] = kept_body
    if len(new_entries) < todos:
        return None
    if cold and kept:
        for (m, _, views, _), key in zip(plans, keys):
            for job in plan_pages(m, cache, digester, key, session, views, interfaces)[1]:
                out_path = urls.output_file(job.path)
                new_entries[out_path] = replace(new_entries[out_path], fingerprint=job.fingerprint)
    result.fixed, result.copies, result.images = files_to_copy(model, options, report)
    cache.pages = {path: new_entries.get(path) or cache.pages[path] for path in result.files if
                   path in new_entries or path in cache.pages}
    codes = {m.language.code for m in editions if m.language is not None}
    cache.editions = {code: kept for code, kept in cache.editions.items() if code in codes}
    cache.site_digest = site_digest
    cache.bodies = bodies
    return result


def interface_of(model: SiteModel, interfaces: dict[str, Interface]) -> Interface:
    """The interface of `model`'s language (English messages as written, when it has none)."""
    language = model.language
    if language is None:
        return Interface(Language("en", "English"))
    return interfaces.get(language.code) or Interface(language)


def plan_pages(model: SiteModel, cache: RenderCache, digester: Digester, site_key: str, session: bool,
               views: SiteViews | None = None, interfaces: dict | None = None) -> tuple[SiteViews, list[PageJob]]:
    """The views (made here, or digested here when made without a digester) and every page's job
    with its fingerprint; a session keeps what its next build reuses."""
    kept = cache.of(model)
    if views is None:
        views = site_views(model, kept.cards if session else None, digester, kept.card_digests, kept.views,
                           kept.record_digests, interface=interface_of(model, interfaces or {}))
    else:
        digest_views(views, model, digester, kept.card_digests, kept.record_digests)
    jobs = page_jobs(model, views, cache.templates[1], site_key, digester, kept.contexts if session else None)
    if session:
        kept.views = views
    return views, jobs


def lookups_hold(entry: PageEntry | Rendered, model: SiteModel, pages: frozenset[str]) -> bool:
    """Do the links a page's bodies (or one body's conversion) resolved still resolve the same way, to the
    same image files? (A target starting with / is a root-relative link's path; any other, a file in the
    content folder.)"""
    assets, images = model.asset_set, model.images

    def image(rel) -> str | None:
        found = images.get(rel)
        return found.digest if found is not None else None

    return all((found[0] == rooted_target(target, model.urls.base_path, pages, assets) if target[:1] == "/"
                else model.sources.get(target) == found[0] and (target in assets) == found[1])
               and image(found[0] if target[:1] == "/" else target) == found[2]
               for target, found in entry.lookups)


def files_to_copy(model: SiteModel, options: RenderOptions, report: Report
                  ) -> tuple[dict[str, bytes], list[tuple[str, Path]], list[tuple[ProcessedImage, Path]]]:
    """What the site has besides its pages: small fixed files, the files copied as they are, and the raster
    images whose files are made (write/images.py; their originals are not published)."""
    fixed = {write.MARKER: b""}
    if model.content.config.cname:
        fixed[CNAME] = (model.content.config.cname + "\n").encode()
    hidden = draft_images(model)
    copied = [(a.rel, a.source) for a in model.content.assets if a.rel not in hidden and a.rel not in model.images]
    made = [(model.images[a.rel], a.source) for a in model.content.assets if a.rel not in hidden
            and a.rel in model.images]
    return fixed, static_files(options, report) + copied, made


def draft_images(model: SiteModel) -> set[str]:
    """Images of the case studies this build leaves out (drafts) that no published page shows."""
    shown = {s.image.rel for s in model.studies if s.image}
    return {s.image.rel for s in model.content.case_studies if s.image and s.image.rel not in shown}


def static_files(options: RenderOptions, report: Report) -> list[tuple[str, Path]]:
    """Files under the theme's static/ (overridden by the content folder's), published under the static
    route; each folder's may hold only the file types allowed there (`load.filetypes`)."""
    base_path = BY_KIND["static"].route.split("{")[0]
    chosen: dict[str, Path] = {}
    for folder, types in ((options.templates, filetypes.STATIC_TYPES), (options.overrides, filetypes.OVERRIDE_STATIC_TYPES)):
        if folder is None or not (folder / "static").is_dir():
            continue
        base = folder / "static"
        found = []
        for dirpath, dirs, files in os.walk(base):
            dirs.sort()
            for name in sorted(files):
                if not name.startswith("."):
                    path = Path(dirpath) / name
                    found.append((base_path + path.relative_to(base).as_posix(), path))
        chosen.update(filetypes.published_static(found, report, types))
    return sorted(chosen.items())
