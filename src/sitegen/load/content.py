"""Load stage: a content folder in, validated records out.

Owns the order of loading (site.yaml, assets, raster images, case studies,
pages, home, images that cannot be published, unique slugs) and what the later stages pass in (`LoadRules`). site.yaml's
`limits:` (`files.FileLimits`) are handed to every reader of a file. The work is
done by its modules: `files` (the folder, text, links, assets), `documents`
(front matter), `config` (site.yaml), `studies` (the records) and `yamltext`.
Each problem becomes a located diagnostic; a record is made only from a
clean file. A listed name that is not an ordinary file (a link that leads
nowhere, a named pipe, a folder called `x.md`, a file deleted since the
listing) is reported, never opened (`documents.regular_file`), including
when the mapper that loads the case studies stats them first.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from . import filetypes, images, yamltext
from ..model.diagnostics import Report
from ..model.languages import language_key
from ..model.records import CaseStudy, Content, ImageRefusal
from ..model.urls import Reserved
from .config import ThemeVocabulary, load_settings
from .documents import regular_file
from .files import CASE_STUDY_DIR, NOTHING_RESERVED, PAGES_DIR, find_assets, markdown_files
from .translations import load_translation, split_translations, translation_files
from .studies import StudyLoader, check_unique_slugs, load_home, load_page, no_excerpt, serial_map


@dataclass(frozen=True)
class LoadRules:
    """What the later stages ask of the load stage (passed in: load knows no page kind or HTML).

    `reserved`: the names the outputs registry makes itself. `excerpt`: the plain text a card
    shows for a case study without a summary, made from its Markdown (the markup stage's).
    """

    reserved: Reserved = NOTHING_RESERVED
    excerpt: Callable[[str], str] = no_excerpt


def load_content(root: Path, report: Report, base_url: str | None = None,
                 documents: dict[str, yamltext.Document] | None = None, mapper=None,
                 rules: LoadRules = LoadRules(), image_mapper=None) -> Content | None:
    """Read and validate the whole content folder; None when the site cannot be built.

    `documents`, when given, receives the parsed front matter of every Markdown
    file (keyed by its posix path in the folder), so later checks can point at
    the line of a value. `mapper(loader, paths)`, when given, applies the
    per-file `StudyLoader` to the case studies (the pipeline passes one that
    runs on all cores and reuses unchanged files); by default it is a plain map.
    `image_mapper` does the same for the raster images (`images.read_rasters`).
    """
    root = Path(root)
    if not root.is_dir():
        report.error(root, None, "content folder not found", "Pass the folder with --content DIR.")
        return None
    settings = load_settings(root, report, base_url)
    if settings is None:
        return None
    config, limits = settings.config, settings.limits
    wanted_documents = documents is not None
    documents = {} if documents is None else documents
    themes = ThemeVocabulary(config.themes)
    codes = frozenset(language_key(x.code) for x in config.translated)
    reserved = with_languages(rules.reserved, codes)
    assets = find_assets(root, report, reserved, config.publish_types, limits)
    rasters, refused = images.read_rasters(root, [a.rel for a in assets if filetypes.extension(a.rel)
                                                  in filetypes.RASTER_TYPES], limits.media, image_mapper)
    published = frozenset(a.rel for a in assets)  # refused images too: told at the `image:` that names them
    loader = StudyLoader(root, config, themes, published, keep_documents=wanted_documents, excerpt=rules.excerpt,
                         limits=limits)
    studies = []
    paths, translated = split_translations(markdown_files(root / CASE_STUDY_DIR, report), codes, report)
    page_paths, translated_pages = split_translations(markdown_files(root / PAGES_DIR, report), codes, report)
    for study, items, document in load_each(mapper or serial_map, loader, paths, report):
        report.items.extend(items)
        if document is not None:
            documents[document[0]] = document[1]
        if study is not None:
            studies.append(study)
    pages = [
        page for path in page_paths
        if (page := load_page(root, path, config, report, documents, reserved, limits)) is not None
    ]
    home = load_home(root, report, documents, limits)
    studies = refuse_images(root, studies, refused, report)
    check_unique_slugs(root, studies, pages, report, documents)
    originals = {s.body.rel: s for s in studies} | {p.body.rel: p for p in pages}
    if home.body is not None:
        originals[home.body.rel] = home
    home_translations = split_translations(translation_files(root), codes, report)[1] if codes else []
    translations = tuple(
        found for path in (*translated, *translated_pages, *home_translations)
        if (found := load_translation(root, path, config, originals, themes, report, documents, rules.excerpt,
                                      limits)) is not None)
    unpublished = {r.rel for r in refused}
    return Content(root, config, tuple(studies), tuple(pages), home,
                   tuple(a for a in assets if a.rel not in unpublished), rasters, refused, translations)


def with_languages(reserved: Reserved, codes: frozenset[str]) -> Reserved:
    """The registry's reserved names and the site's language codes (each language's pages live under its
    code): a free page cannot take one."""
    return replace(reserved, slugs=reserved.slugs | codes, folders=reserved.folders | codes) if codes else reserved


def refuse_images(root: Path, studies: list[CaseStudy], refused: tuple[ImageRefusal, ...],
                  report: Report) -> list[CaseStudy]:
    """Each image that cannot be published reported where it is used: at the `image:` line of each case
    study whose lead image it is (the case study is then left out, like any with an error), or, used
    by none, at the file itself. (A body that shows one is told by the markup stage, at its line.)"""
    if not refused:
        return studies
    why = {r.rel: r for r in refused}
    kept, told = [], set()
    for study in studies:
        image = study.image
        refusal = why.get(image.rel) if image is not None else None
        if refusal is None:
            kept.append(study)
            continue
        told.add(image.rel)
        written = posixpath.relpath(image.rel, posixpath.dirname(study.body.rel))
        report.error(root / study.body.rel, image.line, f"image '{written}' {refusal.message}", refusal.fix)
    for refusal in refused:
        if refusal.rel not in told:
            report.error(root / refusal.rel, 1, f"the file {refusal.message}", refusal.fix)
    return kept


def load_each(mapper, loader, paths: list[Path], report: Report) -> list:
    """`mapper(loader, paths)`, where a name the mapper cannot stat is reported, not raised.

    The loader itself reports every name that is not an ordinary file; but a mapper may stat
    every file before it loads any (the build's load memo does), and a link that leads nowhere
    or a file deleted since the listing makes that stat raise. Then such names are reported and
    left out, and the mapper runs again on the others. Checking every name beforehand would
    cost a stat per file on every build for a case that is rare.
    """
    while True:
        try:
            return mapper(loader, paths)
        except OSError:
            kept = [path for path in paths if regular_file(path, report)]
            if len(kept) == len(paths):  # no name went wrong: a real failure, not the author's
                raise
            paths = kept
