"""`sitegen check`: every problem of a content folder, in one run, without writing a file.

A check is a build that writes nothing (`pipeline.dry_run`): the same load,
index, render and review rules as `build`, with the same severities, so
anything a build refuses, a check refuses, and the other way round. It goes
on past files that failed to load (a build stops there), and adds what a
reviewer wants before publishing: drafts' bodies converted as `build
--drafts` would, hints about case studies with no coordinates (not on the map) and about countries and themes with a single case study,
and the syntax of every template, used or not. Each problem is printed as
`path:line:column: severity: message Fix: ...` (or as JSON with `--format
json`, or as GitHub Actions annotations with `--format github`), then a
count; the exit status is 1 when there is an error (or, with `--strict`, a
warning).
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from pathlib import Path

import jinja2

from ..build import pipeline
from .. import load
from ..load import yamltext
from ..model.diagnostics import ERROR, HINT, WARNING, Report, json_text
from ..index.languages import translation_states
from ..index.site import build_model
from ..load.translations import content_digest
from ..markup.convert import Converter
from ..model.records import Content, Text
from ..render import outputs
from ..render.environment import TOO_DEEP, CompiledTemplates, process_templates

TEMPLATE_SUFFIXES = outputs.TEMPLATE_SUFFIXES  # .html, .xml, .txt, .json, .bib, .csv, .geojson


@dataclass
class CheckResult:
    report: Report
    files: int = 0  # Markdown files checked
    seconds: float = 0.0


def run(args) -> int:
    """The `check` command: print every problem, then the count; 1 on errors (warnings with --strict).

    --quiet prints only the problems (no hints) and the count when the check fails;
    --verbose adds how long the check took. Colour and a status line only on a terminal."""
    from .console import Console  # the command line's printing; imported here as the command runs

    console = Console.from_args(args)
    progress = console.progress()
    progress.stage(f"Checking {args.content}", 0)
    try:
        result = check(Path(args.content), Path(args.templates))
    finally:
        progress.finish()
    report = result.report
    failed = report.failed(args.strict)
    console.stage_times(progress)
    if args.format == "json":
        print(json_text({
            "problems": [asdict(d) for d in report.sorted()],
            "errors": report.count(ERROR), "warnings": report.count(WARNING), "hints": report.count(HINT),
            "files": result.files, "seconds": round(result.seconds, 3),
            "failed": failed,
        }))
    elif args.format == "github":  # one workflow command per problem, never in colour; then the plain count
        for d in report.sorted():
            if not (console.quiet and d.severity == HINT):
                print(d.github())
        if failed or not console.quiet:
            print(summary_line(result, args.strict))
    else:
        console.problems(report)
        if failed or not console.quiet:
            console.summary(summary_line(result, args.strict), ok=not failed)
    sys.stdout.flush()
    return 1 if failed else 0


def summary_line(result: CheckResult, strict: bool) -> str:
    report = result.report
    hints = report.count(HINT)
    text = f"Checked {result.files} file{'s' * (result.files != 1)}: {report.summary()}"
    text += f", {hints} hint{'s' * (hints != 1)} ({result.seconds:.2f} s)."
    if report.failed(strict):
        text += " Fix the errors" + (" and warnings" if strict and report.count(WARNING) else "") + " before publishing."
    return text


def check(content: Path, templates: Path | None = None, today: dt.date | None = None, jobs: int = 0,
          compiled: CompiledTemplates | None = None) -> CheckResult:
    """Check a content folder: a build that writes nothing (every rule of `build`, with the same
    severities), then drafts' bodies, hints, and the syntax of every template. `compiled`: the
    store of compiled templates (see `pipeline.BuildOptions`); by default this process's own, as a build's."""
    started = time.perf_counter()
    options = pipeline.BuildOptions(content=content, output=content.parent / "output", cache_dir=None, jobs=jobs,
                                    compiled=compiled if compiled is not None else process_templates(),
                                    **({"templates": templates} if templates is not None else {}))
    documents: dict[str, yamltext.Document] = {}
    built = pipeline.dry_run(options, documents=documents, today=today)
    result = CheckResult(built.report)
    result.files = sum(1 for folder in (load.CASE_STUDY_DIR, load.PAGES_DIR)
                       for _ in (content / folder).glob("*.md")) + (content / load.HOME_FILE).is_file()
    if built.model is not None:
        rules = Rules(built.model.content, documents, result.report)
        rules.draft_bodies()
        if not result.report.count(ERROR):  # counts are only right when every file loaded
            rules.hints()
        rules.translations()
    for folder in (templates, content / load.OVERRIDES_DIR):
        if folder is not None and folder.is_dir():
            check_template_syntax(folder, result.report)
    result.report.items = list(dict.fromkeys(result.report.items))  # a template error found by both
    result.seconds = time.perf_counter() - started
    return result


class Rules:
    """The checks that need the whole, loaded content folder."""

    def __init__(self, content: Content, documents: dict[str, yamltext.Document], report: Report):
        self.content = content
        self.root = content.root
        self.documents = documents
        self.report = report

    # ------------------------------------------------------------ helpers

    def path(self, rel: str) -> Path:
        return self.root / rel

    def mark(self, rel: str, *key) -> yamltext.Mark:
        doc = self.documents.get(rel)
        if doc is None:
            return yamltext.Mark(None, None)
        return doc.value_mark(*key) if key and key[0] in (doc.value or {}) else yamltext.Mark(1, None)

    def add(self, severity: str, rel: str, mark: yamltext.Mark, message: str, fix: str = "") -> None:
        self.report.add(self.path(rel), mark.line, severity, message, fix, mark.column)

    # ------------------------------------------------------------ bodies: links and headings

    def draft_bodies(self) -> None:
        """Drafts' bodies, as `build --drafts` would convert them (the build above left them out)."""
        drafts = [s for s in self.content.case_studies if s.draft]
        if not drafts:
            return
        everything = build_model(self.content, outputs.routes(), include_drafts=True)
        converter = Converter(everything.urls, everything.sources, everything.asset_set,
                              pages=outputs.page_paths(everything), audit=True, placeholders=False,
                              images=everything.images, refused={r.rel: r.message for r in self.content.refused})
        for study in drafts:
            self.body(converter, study.body)

    def body(self, converter: Converter, text: Text) -> None:
        """The problems of one body (a build keeps records without their Markdown: it is read again)."""
        text = replace(text, markdown=load.body_text(self.root, text))
        for p in converter.convert(text).problems:
            self.report.add(self.path(text.rel), p.line, p.severity, p.message, p.fix, p.column)

    def hints(self) -> None:
        """Hints: a case study with no coordinates (not on the map); a country or theme with one published
        case study; a theme with none."""
        studies = [s for s in self.content.case_studies if not s.draft]
        countries = Counter(s.country.code for s in studies)
        themes = Counter(t.id for s in studies for t in s.themes)
        vocabulary = load.ThemeVocabulary(self.content.config.themes)
        for s in studies:
            rel = s.body.rel
            if s.coordinates is None:
                self.add(HINT, rel, self.mark(rel, "city"), f"no coordinates are given, so {s.city} is not on the map",
                         "Add the city's [latitude, longitude] under a key 'coordinates', e.g. coordinates: [33.99, 51.44].")
            if countries[s.country.code] == 1:
                self.add(HINT, rel, self.mark(rel, "country"),
                         f"no other case study is from {s.country.name}, so its country page lists only this one")
            for theme in s.themes:
                if themes[theme.id] == 1:
                    self.add(HINT, rel, self.theme_mark(rel, theme.id, vocabulary),
                             f"no other case study has the theme '{theme.name}', so its theme page lists only this one")
        site_doc = self.site_document()
        for i, theme in enumerate(self.content.config.themes):
            if themes[theme.id] == 0:
                mark = site_doc.value_mark("themes", i) if site_doc else yamltext.Mark(None, None)
                self.report.add(self.root / load.SITE_FILE, mark.line, HINT,
                                f"theme '{theme.name}' has no published case study yet, so its page is empty",
                                "", mark.column)

    def translations(self) -> None:
        """A hint for each original not yet translated into one of the site's languages, a warning for each
        stale translation (its original changed since `translated_from:`), a hint for one that does not say."""
        names = {x.code: x.name for x in self.content.config.translated}
        for state in translation_states(self.content, content_digest):
            name = names[state.lang]
            if state.status == "missing":
                stem = state.original.rsplit(".", 1)[0]
                self.add(HINT, state.original, yamltext.Mark(1, None), f"no translation into {name} ({state.lang}) yet",
                         f"Translate it as {stem.rsplit('/', 1)[-1]}.{state.lang}.md beside it, with "
                         f"translated_from: {state.digest}")
                continue
            rel = state.translation.body.rel
            if state.status == "stale":
                self.add(WARNING, rel, yamltext.Mark(state.translation.line, None),
                         f"the original ({state.original}) has changed since this translation was made",
                         f"Bring the translation up to date with the original, then write translated_from: "
                         f"{state.digest}")
            elif state.status == "unrecorded":
                self.add(HINT, rel, yamltext.Mark(1, None), "this translation does not say which version of the "
                         "original it was made from, so sitegen cannot tell when it falls out of date",
                         f"If it matches the original now, add translated_from: {state.digest}")

    def theme_mark(self, rel: str, theme_id: str, vocabulary: load.ThemeVocabulary) -> yamltext.Mark:
        doc = self.documents.get(rel)
        raw = doc.value.get("themes") if doc is not None else None
        if isinstance(raw, list):
            for i, item in enumerate(raw):
                found = vocabulary.find(item) if isinstance(item, str) else None
                if found is not None and found.id == theme_id:
                    return doc.value_mark("themes", i)
        return self.mark(rel, "themes")

    def site_document(self) -> yamltext.Document | None:
        text = load.read_text(self.root / load.SITE_FILE, Report())
        doc, _ = yamltext.parse(text) if text is not None else (None, None)
        return doc


# ---------------------------------------------------------------- templates

def check_template_syntax(folder: Path, report: Report) -> None:
    """Parse every template (no rendering): a syntax error is reported at its line."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in TEMPLATE_SUFFIXES or "static" in path.relative_to(folder).parts:
            continue
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            report.error(path, None, f"cannot read the template: {exc}")
            continue
        problem = syntax_problem(source)
        if problem is not None:
            report.error(path, *problem)


@lru_cache(maxsize=256)  # pure: a process that checks again parses only the templates that changed
def syntax_problem(source: str) -> tuple[int | None, str, str] | None:
    """(line, message, fix) of a template's syntax error; None when it parses."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])  # the tags a build's environment knows
    try:
        env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return exc.lineno, f"template syntax error: {exc.message}", "Fix the template tag on this line."
    except RecursionError:
        return None, *TOO_DEEP
    return None

