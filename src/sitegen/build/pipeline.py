"""Runs the stages in order: load -> index -> render -> write, with the cache between builds.

The one place that knows the order of the stages, shared by `build`,
`serve`, `check` and `deploy`. A build either lands whole or leaves the
output folder as it was. The cache (`.cache/` by default) remembers each
page's fingerprint so a second build renders only what changed; it is keyed
by sitegen's own code, so a new sitegen never reuses an old page.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import load
from ..write import target as write
from ..write.copy import copy_files
from ..write.images import ImageStore, ImageWork, write_images
from ..write import search
from ..write.search import SearchIndex
from .cache import PACKAGE, code_digest, library_versions, read_cache, save_cache, cache_path, forget
from . import parallel
from .parallel import parallel_map
from ..model.diagnostics import Report
from ..index.review import reread, review
from ..index.languages import build_editions
from ..index.site import SiteModel
from ..load.documents import read_markdown
from ..load.images import UNREADABLE_FIX
from ..markup.convert import summary_text
from ..model.progress import NullProgress
from ..model.records import Content, Language
from ..render import outputs
from ..render.environment import CompiledTemplates, default_theme, process_templates
from ..render.digest import Digester
from ..render.interface import Interface, load_interfaces
from ..render.pages import RenderCache, RenderOptions, render_site

PARALLEL_LOAD_FROM = 400  # fewer changed files than this load in-process
PARALLEL_FROM = 150  # fewer pages to render than this render in-process (forking costs more)


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    output: Path = Path("output")
    templates: Path = field(default_factory=default_theme)
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    cache_dir: Path | None = Path(".cache")  # None: no cache on disk
    jobs: int = 0  # render processes; 0 = one per core
    parallel_from: int = PARALLEL_FROM  # fewer pages to render than this stay in one process
    keep_going: bool = False  # render the files that loaded even when others did not (`check`: every problem)
    search: bool = True  # index the pages for search (write.search); `check` writes nothing, so no index
    make_images: bool = True  # resize the raster images (write.images); `check` writes nothing, so lists them only
    # templates compiled by earlier builds of this process, to compile each only once (by default
    # the process's own store, which `serve`'s builder process keeps; None compiles every template again)
    compiled: CompiledTemplates | None = field(default_factory=process_templates, compare=False)

    def render_options(self) -> RenderOptions:
        overrides = self.content / load.OVERRIDES_DIR
        return RenderOptions(self.templates, overrides if overrides.is_dir() else None,
                             site_key=f"{code_digest()}\0{library_versions()!r}",
                             read_body=functools.partial(load.body_text, self.content),
                             processes=functools.partial(parallel.processes_for, self.jobs,
                                                         threshold=self.parallel_from),
                             pool=parallel.fork_pool)


def load_rules() -> load.LoadRules:
    """What the load stage must know of the later ones: the registry's names, the markup's excerpts."""
    return load.LoadRules(reserved=outputs.reserved(), excerpt=summary_text)


@dataclass
class BuildResult:
    report: Report
    model: SiteModel | None = None
    files: set[str] = field(default_factory=set)  # every file of the built site
    rendered: list[str] = field(default_factory=list)  # pages rendered by this run
    changed: list[str] = field(default_factory=list)  # files written or removed by this run
    seconds: float = 0.0
    images: ImageWork | None = None  # the image files made, copied from the image cache, or kept
    editions: tuple[SiteModel, ...] = ()  # the site in each of its other languages

    @property
    def ok(self) -> bool:
        return bool(self.files)

    def pages(self) -> int:
        return sum(1 for f in self.files if f.endswith(".html"))

    @property
    def base_path(self) -> str:
        """The path the site is served under, e.g. "/showcase/" ("/" when the build failed early)."""
        return self.model.urls.base_path if self.model is not None else "/"

    @property
    def language(self) -> str:
        """site.yaml's language, or search.MULTIPLE for a site in several ("" when the build failed early)."""
        if self.model is None:
            return ""
        config = self.model.content.config
        return config.language if len(config.languages) < 2 else search.MULTIPLE


@dataclass
class LoadMemo:
    """Case-study files as the last run loaded them: posix path -> (file stamp, loader result, record digest)."""

    key: str = ""
    entries: dict[str, tuple] = field(default_factory=dict)


@dataclass
class ImageMemo:
    """Raster images as the last run read them: posix path -> (file stamp, Raster or ImageRefusal)."""

    key: str = ""
    entries: dict[str, tuple] = field(default_factory=dict)


@dataclass
class Caches:
    """Everything kept between builds."""

    render: RenderCache = field(default_factory=RenderCache)
    load: LoadMemo = field(default_factory=LoadMemo)
    images: ImageMemo = field(default_factory=ImageMemo)
    search: SearchIndex = field(default_factory=SearchIndex)
    languages: Languages = field(default_factory=lambda: Languages(), metadata={"persist": False})
    changed: bool = field(default=True, compare=False)  # worth saving again?
    # what each section of the cache file held when read or last written (cache.encode_sections)
    sections: dict = field(default_factory=dict, compare=False, metadata={"persist": False})


def file_stamp(path: Path) -> tuple | None:
    """What tells a changed file (None when it is gone: the loader then says so)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_ctime_ns)


class MemoMapper:
    """Maps load's per-file loader over the case studies: a file whose stamp is unchanged
    reuses its last result; the others are loaded, on all cores when there are many."""

    def __init__(self, memo: LoadMemo, jobs: int, progress: NullProgress = NullProgress()):
        self.memo = memo
        self.jobs = jobs
        self.progress = progress
        self.changed = False  # did any file come, go or change since the last run?
        self.digests: list[tuple] = []  # (record, digest) of every case study of the last call

    def __call__(self, loader, paths: list[Path]) -> list:
        memo = self.memo
        if memo.key != loader.key:
            memo.key, memo.entries = loader.key, {}
        old, entries = memo.entries, {}
        rels = [relative(path, loader.root) for path in paths]
        stamps = [file_stamp(path) for path in paths]
        results: list = [None] * len(paths)
        for i, rel in enumerate(rels):
            known = old.get(rel)
            if known is not None and stamps[i] is not None and known[0] == stamps[i]:
                entries[rel], results[i] = known, known[1]
        misses = [i for i, result in enumerate(results) if result is None]
        self.progress.stage("Reading case studies", len(misses))
        loaded = parallel_map(functools.partial(load_for_memo, loader, Digester()), [paths[i] for i in misses],
                              self.jobs, PARALLEL_LOAD_FROM)
        for i, (result, digest) in zip(misses, loaded):
            results[i] = result
            entries[rels[i]] = (stamps[i], (result[0], result[1], None), digest)
        self.progress.advance(len(misses))
        # A record's digest leaves out its Markdown (its `digest` stands for it): a record read
        # again and the same record kept without its body have one digest.
        self.digests = [(result[0], bytes.fromhex(entries[rel][2])) for rel, result in zip(rels, results)
                        if result[0] is not None]
        self.changed = bool(misses) or len(old) != len(paths)  # new, changed or deleted files
        memo.entries = entries
        return results


PARALLEL_READS_FROM = 32  # fewer changed images than this are read in-process (a read is quick)
PARALLEL_IMAGES_FROM = 4  # fewer images than this to resize are resized in-process (each takes ~0.4 s)


class ImageMapper:
    """Maps load's raster reader over the raster images: a file whose stamp is unchanged keeps its last
    result; the others are read (decoded whole, once), on all cores when there are many."""

    def __init__(self, memo: ImageMemo, jobs: int, progress: NullProgress = NullProgress()):
        self.memo = memo
        self.jobs = jobs
        self.progress = progress

    def __call__(self, reader, items: list[tuple[str, Path]]) -> list:
        memo = self.memo
        if memo.key != reader.key:
            memo.key, memo.entries = reader.key, {}
        old, entries = memo.entries, {}
        results: list = [None] * len(items)
        stamps = [file_stamp(path) for _, path in items]
        for i, (rel, _) in enumerate(items):
            known = old.get(rel)
            if known is not None and stamps[i] is not None and known[0] == stamps[i]:
                entries[rel], results[i] = known, known[1]
        misses = [i for i, result in enumerate(results) if result is None]
        if misses:
            self.progress.stage("Reading images", len(misses))
            for i, result in zip(misses, parallel_map(reader, [items[i] for i in misses], self.jobs,
                                                      PARALLEL_READS_FROM)):
                results[i] = result
                if stamps[i] is not None:
                    entries[items[i][0]] = (stamps[i], result)
            self.progress.advance(len(misses))
        memo.entries = entries
        return results


def load_for_memo(loader, digester: Digester, path: Path) -> tuple:
    """`loader(path)` with its record kept without its Markdown, and that record's digest: made
    where the file is loaded (a worker, for many files).

    The Markdown is read again where a page shows it (`render.RenderOptions.body`), so neither
    the build process nor the render workers it forks hold every body at once (at 10,000 case
    studies that is some 60 MB in each of them), and a cold build sees the very records a warm
    one does.
    """
    result = loader(path)
    if result[0] is None:
        return result, ""
    light = replace(result[0], body=result[0].body.without_body())
    return (light, *result[1:]), digester.alone(light)


def relative(path: Path, root: Path) -> str:
    """`path` relative to `root`, posix style (a string prefix when possible: Path.relative_to is slow)."""
    prefix = str(root) + os.sep
    text = str(path)
    if text.startswith(prefix):
        return text[len(prefix):].replace(os.sep, "/")
    return path.relative_to(root).as_posix()


def load_and_index(options: BuildOptions, report: Report, mapper: MemoMapper | None = None,
                   documents: dict | None = None, image_mapper: ImageMapper | None = None,
                   languages: "Languages | None" = None) -> tuple[Content | None, SiteModel | None]:
    """Load stage then index stage; (None, None) when the sources have errors. `documents`, when
    given, receives the parsed front matter of every Markdown file (its marks locate problems).
    `languages`, when given, receives the interfaces and the site in each of its other languages."""
    if not options.templates.is_dir():
        report.error(options.templates, None, "templates folder not found",
                     "Run from the project folder, or pass --templates DIR.")
        return None, None
    content = load.load_content(options.content, report, options.base_url, mapper=mapper, rules=load_rules(),
                                documents=documents, image_mapper=image_mapper)
    if content is None or (report.failed(options.strict) and not options.keep_going):
        return None, None
    languages = languages if languages is not None else Languages()
    languages.interfaces = load_interfaces(options.templates, content.config.languages, report)
    models = build_editions(content, outputs.routes, lambda code: languages.interface(code).gettext,
                            options.drafts, memos=languages.memos)
    languages.editions = models[1:]
    return content, models[0]


@dataclass
class Languages:
    """The site's languages in a build: each one's interface, and the site model of each other language."""

    interfaces: dict[str, Interface] = field(default_factory=dict)
    editions: tuple[SiteModel, ...] = ()
    memos: dict = field(default_factory=dict)  # kept by a session (index.languages.localize)

    def interface(self, code: str) -> Interface:
        return self.interfaces.get(code) or Interface(Language(code, code))


def run(options: BuildOptions, caches: Caches, in_place: bool, session: bool = False,
        progress: NullProgress = NullProgress(), target=None, documents: dict | None = None,
        today: dt.date | None = None) -> BuildResult:
    """One build into `options.output` (or into `target`, such as write.Nowhere): all stages,
    then commit or abort the write target."""
    # A large site keeps ~10^5 objects alive (records, cache entries); the cyclic garbage
    # collector rescanning them costs more than an incremental build itself, and a build
    # makes little cyclic garbage. So it pauses during a build and resumes afterwards.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run(options, caches, in_place, session, progress, target, documents, today)
    finally:
        if collecting:
            gc.enable()


def _run(options: BuildOptions, caches: Caches, in_place: bool, session: bool,
         progress: NullProgress, target, documents: dict | None, today: dt.date | None) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult(Report())
    cache = caches.render
    if cache.bytecode is None:
        cache.bytecode = options.compiled
    mapper = MemoMapper(caches.load, options.jobs, progress)
    image_mapper = ImageMapper(caches.images, options.jobs, progress)
    _, result.model = load_and_index(options, result.report, mapper, documents, image_mapper, caches.languages)
    if result.model is not None:
        review(result.model.content, today or dt.date.today(), result.report,
               documents.get if documents is not None else reread(options.content, front_matter))
        if target is None:
            target = write.InPlace(options.output) if in_place else write.Staged(options.output)
        target.begin()
        try:
            render_options = options.render_options()
            if options.keep_going and result.report.failed():
                render_options = replace(render_options, failed=failed_files(result.model.content))
            result.editions = caches.languages.editions
            rendered = render_site(result.model, render_options, result.report, target, cache,
                                   session, progress, mapper.digests, caches.languages.editions,
                                   caches.languages.interfaces, kept=session or options.cache_dir is not None)
            if rendered is None or result.report.failed(options.strict):
                target.abort()
                forget(cache)
            else:
                progress.stage("Writing the site")
                files, copied, cache.copies = copy_files(target, rendered.fixed, rendered.copies, cache.copies)
                rendered.files |= files
                if rendered.images:
                    progress.stage("Making images", len(rendered.images))
                result.images = work = write_images(
                    target, rendered.images, cache.images, image_store(options),
                    functools.partial(parallel.processes_for, options.jobs, threshold=PARALLEL_IMAGES_FROM),
                    parallel.fork_pool, make_files=options.make_images, advance=progress.advance)
                for source, why in work.failed:
                    result.report.error(source, 1, why, UNREADABLE_FIX)
                if work.failed:
                    target.abort()
                    forget(cache)
                    return finished(result, started)
                cache.images = work.keys
                rendered.files |= work.files
                copied |= work.written
                if options.search:
                    progress.stage("Indexing for search")
                    index, indexed = index_for_search(target, cache, result.model, caches.search, result.report)
                    if index is None:
                        target.abort()
                        forget(cache)
                        return finished(result, started)
                    caches.search = index
                    rendered.files |= set(index.files)
                    copied |= indexed
                result.changed = target.commit(rendered.files, set(rendered.rendered) | copied, rendered.previous)
                result.files, result.rendered = rendered.files, rendered.rendered
                caches.changed = bool(mapper.changed or result.rendered or result.changed)
        except BaseException:
            target.abort()
            forget(cache)
            raise
    return finished(result, started)


IMAGE_STORE = "images"  # the image cache's folder, beside the build cache's files (cache.PACKAGE)


def image_store(options: BuildOptions) -> ImageStore | None:
    """Where the resized images are kept between builds (shared by every output folder); None without a cache."""
    if options.cache_dir is None:
        return None
    return ImageStore(Path(options.cache_dir) / PACKAGE / IMAGE_STORE)


def finished(result: BuildResult, started: float) -> BuildResult:
    result.seconds = time.perf_counter() - started
    return result


def index_for_search(target, cache: RenderCache, model: SiteModel, last: SearchIndex,
                     report: Report) -> tuple[SearchIndex | None, set[str]]:
    """The search index of this build's pages, written into `target` (None, reported, when it fails)."""
    pages = {path: entry.digest for path, entry in cache.pages.items() if path.endswith(".html")}
    # one language: Pagefind is told it; several: it reads each page's <html lang> and indexes each apart
    config = model.content.config
    language = search.language_of(config.language) if len(config.languages) < 2 else search.MULTIPLE
    try:
        return search.build_index(target, pages, language, last)
    except search.SearchFailed as exc:
        report.error(Path(search.BUNDLE), None, str(exc), "Install sitegen again in a fresh virtualenv; if the "
                     "error stays, report it with the message above.")
        return None, set()


def front_matter(root: Path, path: Path):
    """One Markdown file's front matter, read again to locate a review's finding (None if it cannot be)."""
    read = read_markdown(root, path, Report(), need_front_matter=False)
    return read[0] if read is not None else None


def failed_files(content: Content) -> frozenset[str]:
    """The Markdown files of the content folder that did not load (their errors are reported)."""
    loaded = {s.body.rel for s in content.case_studies} | {p.body.rel for p in content.pages}
    found = {relative(path, content.root) for folder in (load.CASE_STUDY_DIR, load.PAGES_DIR)
             for path in (content.root / folder).glob("*.md")}
    return frozenset(found - loaded)


def build(options: BuildOptions, progress: NullProgress = NullProgress()) -> BuildResult:
    """A full build; `output` changes only when the whole build succeeded. `progress` hears of each stage."""
    try:
        write.check_output_folder(options.output, options.content, [options.templates, Path.cwd()])
    except write.UnsafeOutput as exc:
        result = BuildResult(Report())
        result.report.error(options.output, None, f"refusing to write there: {exc}",
                            "Choose a new or empty folder, or one an earlier build of this sitegen made. "
                            "sitegen deletes only files it wrote, and only in a folder of its own.")
        return result
    cache_file = cache_path(options)
    caches = read_cache(cache_file) or Caches()
    manifest = write.read_manifest(options.output)
    in_place = manifest is not None
    if not (in_place and manifest.complete):  # the files there may not be the ones the cache remembers
        caches.render = RenderCache()
    result = run(options, caches, in_place, progress=progress)
    if result.ok and cache_file is not None and caches.changed:
        save_cache(cache_file, caches)
    return result


def dry_run(options: BuildOptions, documents: dict | None = None, progress: NullProgress = NullProgress(),
            today: dt.date | None = None) -> BuildResult:
    """Every stage and rule of a build, with the same severities, writing no file and no cache:
    what `sitegen check` runs. Warnings do not stop it (the caller decides what --strict means);
    `documents` as in `load_and_index`."""
    options = replace(options, cache_dir=None, strict=False, keep_going=True, search=False, make_images=False)
    return run(options, Caches(), in_place=False, progress=progress, target=write.Nowhere(options.output),
               documents=documents, today=today)


class Session:
    """A build that runs again and again on the same output folder (`serve`).

    Each `rebuild()` reads the sources afresh and leaves `options.output`
    equal to what a clean full build would write, rendering only the pages
    whose inputs changed and writing only files whose bytes changed (listed in
    `BuildResult.changed`). With errors, the output is left as it was.
    """

    def __init__(self, options: BuildOptions):
        self.options = options
        self.caches = Caches()

    def rebuild(self) -> BuildResult:
        return run(self.options, self.caches, in_place=True, session=True)
