"""`sitegen check`: every problem of a content folder, in one run, without writing a file.

Runs the stages a build runs before rendering (load, index, Markdown
conversion of every body, drafts included) and adds the rules that matter
before publishing: links to case studies or pages that do not exist or are
drafts, heading levels (the page title is the h1, so a body starts at `##`),
future dates, long summaries, duplicate titles, placeholders left by
`sitegen new`, case studies without sources, published files that could run
script, and hints about countries and themes with a single case study. Each
problem is printed as `path:line:column: severity: message Fix: ...` (or as
JSON with `--format json`, or as GitHub Actions annotations with `--format
github`), then a count; the exit status is 1 when there is an error (or,
with `--strict`, a warning).

Templates are only parsed (syntax), not rendered: the build renders them.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

import jinja2

from ..build import pipeline
from .. import load
from ..load import yamltext
from ..model.diagnostics import ERROR, HINT, WARNING, Report, display_path, json_text
from ..index.site import build_model
from ..markup.convert import Converter, Heading
from ..model.records import Content, Text
from ..render import outputs

SUMMARY_LIMIT = 300  # characters; longer summaries are cut off in lists and search results
PLACEHOLDER = "TODO"  # what `sitegen new` leaves for the author to replace
_PLACEHOLDER_RE = re.compile(rf"\b{PLACEHOLDER}\b")
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
# Published as they are, so a script in them would run on the site's own address.
SCRIPT_FILES = (".html", ".htm", ".xhtml", ".xht", ".js", ".mjs", ".shtml")
_SVG_SCRIPT = re.compile(rb"<script|<foreignobject|javascript:|\son[a-z]+\s*=", re.I)
TEMPLATE_SUFFIXES = (".html", ".xml", ".txt")


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


def check(content: Path, templates: Path | None = None, today: dt.date | None = None) -> CheckResult:
    """Check a content folder (and parse the templates); nothing is written."""
    started = time.perf_counter()
    result = CheckResult(Report())
    check_content(content, result, today or dt.date.today())
    for folder in (templates, content / load.OVERRIDES_DIR):
        if folder is not None and folder.is_dir():
            check_template_syntax(folder, result.report)
    result.seconds = time.perf_counter() - started
    return result


def check_content(root: Path, result: CheckResult, today: dt.date) -> None:
    report = result.report
    documents: dict[str, yamltext.Document] = {}
    content = load.load_content(root, report, documents=documents, rules=pipeline.load_rules())
    result.files = sum(1 for folder in (load.CASE_STUDY_DIR, load.PAGES_DIR)
                       for _ in (root / folder).glob("*.md")) + (root / load.HOME_FILE).is_file()
    if content is None:
        return
    rules = Rules(content, documents, report, today)
    rules.bodies()
    rules.dates()
    rules.summaries()
    rules.titles()
    rules.publishing()
    rules.files()
    if not report.count(ERROR):  # counts are only right when every file loaded
        rules.singletons()


class Rules:
    """The checks that need the whole, loaded content folder."""

    def __init__(self, content: Content, documents: dict[str, yamltext.Document], report: Report, today: dt.date):
        self.content = content
        self.root = content.root
        self.documents = documents
        self.report = report
        self.today = today
        self.drafts = {s.body.rel for s in content.case_studies if s.draft}

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

    def texts(self):
        """(rel, title, summary, is a draft) of every case study, page and the home page."""
        for s in self.content.case_studies:
            yield s.body.rel, s.title, s.summary, s.draft
        for p in self.content.pages:
            yield p.body.rel, p.title, p.summary, False
        home = self.content.home
        if home.body is not None:
            yield home.body.rel, home.title, home.summary, False

    # ------------------------------------------------------------ bodies: links and headings

    def bodies(self) -> None:
        content = self.content
        published = build_model(content, outputs.routes(), include_drafts=False)
        everything = build_model(content, outputs.routes(), include_drafts=True)
        assets = everything.asset_set
        unpublished = {rel: "is a file that has errors (see its own messages), so it is not on the site"
                       for folder in (load.CASE_STUDY_DIR, load.PAGES_DIR)
                       for rel in (p.relative_to(self.root).as_posix() for p in (self.root / folder).glob("*.md"))
                       if rel not in everything.sources}
        unpublished.update({s.body.rel: "is a draft (draft: true), so it is not on the published site"
                            for s in content.case_studies if s.draft})
        for_published = Converter(published.urls, published.sources, assets, unpublished=unpublished, audit=True)
        for_drafts = Converter(everything.urls, everything.sources, assets, audit=True)
        for study in content.case_studies:
            self.body(for_drafts if study.draft else for_published, study.body)
        for page in content.pages:
            self.body(for_published, page.body)
        if content.home.body is not None:
            self.body(for_published, content.home.body)

    def body(self, converter: Converter, text: Text) -> None:
        rendered = converter.convert(text)
        for p in rendered.problems:
            self.report.add(self.path(text.rel), p.line, p.severity, p.message, p.fix, p.column)
        self.headings(text.rel, rendered.headings)

    def headings(self, rel: str, headings: tuple[Heading, ...]) -> None:
        previous = 1  # the page title is the page's h1
        for h in headings:
            mark = yamltext.Mark(h.line, h.column)
            shown = h.text if len(h.text) <= 60 else h.text[:57] + "..."
            if h.level == 1:
                self.add(ERROR, rel, mark, f"heading '{shown}' is a second h1: the page title is already the h1",
                         "Start the sections of the text with ## (and sub-sections with ###).")
            elif h.level > previous + 1:
                after = "the page title (the h1)" if previous == 1 else f"a level-{previous} heading ({'#' * previous})"
                self.add(ERROR, rel, mark,
                         f"heading '{shown}' skips a level: it is level {h.level} ({'#' * h.level}) "
                         f"right after {after}",
                         f"Make it {'#' * (previous + 1)}, or add the missing level above it.")
            previous = h.level

    # ------------------------------------------------------------ front-matter rules

    def dates(self) -> None:
        for s in self.content.case_studies:
            if s.date > self.today:
                self.add(WARNING, s.body.rel, self.mark(s.body.rel, "date"),
                         f"date {s.date.isoformat()} is in the future",
                         "Use the date of the initiative or of its main source; check the year.")
            doc = self.documents.get(s.body.rel)
            for i, source in enumerate(s.sources):
                m = _DATE_RE.match(source.date or "")
                try:
                    future = bool(m) and dt.date(int(m[1]), int(m[2]), int(m[3])) > self.today
                except ValueError:
                    future = False
                if future:
                    raw = doc.value.get("sources") if doc is not None else None
                    index = self.source_index(raw, source, i)
                    mark = doc.value_mark("sources", index, "date") if doc is not None else yamltext.Mark(None, None)
                    self.add(WARNING, s.body.rel, mark, f"source {index + 1}: date {source.date} is in the future",
                             "Use the date the source was published; check the year.")

    @staticmethod
    def source_index(raw, source, fallback: int) -> int:
        """The position of `source` in the front matter (invalid items are skipped by the loader)."""
        if isinstance(raw, list):
            for i, item in enumerate(raw):
                if isinstance(item, dict) and item.get("url") is not None and \
                        " ".join(str(item.get("url")).split()) == source.url:
                    return i
        return fallback

    def summaries(self) -> None:
        for rel, _, summary, _ in self.texts():
            if summary and len(summary) > SUMMARY_LIMIT:
                self.add(WARNING, rel, self.mark(rel, "summary"),
                         f"the summary is {len(summary)} characters long, over {SUMMARY_LIMIT}",
                         "Keep it to one sentence: lists, search results and link previews cut long ones off.")

    def titles(self) -> None:
        seen: dict[str, str] = {}
        for rel, title, _, _ in self.texts():
            if not title:
                continue
            key = " ".join(title.split()).casefold()
            if key in seen:
                self.add(WARNING, rel, self.mark(rel, "title"),
                         f"the title '{title}' is also used by {display_path(self.path(seen[key]))}",
                         "Give each case study and page its own title, so readers and search engines can tell them apart.")
            else:
                seen[key] = rel

    def publishing(self) -> None:
        """Placeholders and missing sources; drafts may still be unfinished."""
        for rel, title, summary, draft in self.texts():
            if draft:
                continue
            for key, value in (("title", title), ("summary", summary)):
                if value and _PLACEHOLDER_RE.search(value):
                    self.add(WARNING, rel, self.mark(rel, key), f"the {key} still holds the {PLACEHOLDER} placeholder",
                             f"Replace it with the real {key}.")
        for text in self.all_bodies():
            if text.rel in self.drafts:
                continue
            found = _PLACEHOLDER_RE.search(text.markdown)
            if found:
                line = text.first_line + text.markdown.count("\n", 0, found.start())
                column = found.start() - (text.markdown.rfind("\n", 0, found.start()) + 1) + 1
                count = len(_PLACEHOLDER_RE.findall(text.markdown))
                self.add(WARNING, text.rel, yamltext.Mark(line, column),
                         f"the text still holds {count} {PLACEHOLDER} placeholder{'s' * (count != 1)}",
                         f"Write the missing parts and remove each {PLACEHOLDER}.")
        for s in self.content.case_studies:
            if not s.draft and not s.sources:
                self.add(WARNING, s.body.rel, self.mark(s.body.rel, "sources"), "the case study lists no sources",
                         "Add 'sources:' with the title and url of each public source the facts come from.")

    def all_bodies(self):
        yield from (s.body for s in self.content.case_studies)
        yield from (p.body for p in self.content.pages)
        if self.content.home.body is not None:
            yield self.content.home.body

    def singletons(self) -> None:
        """Hints: a country or theme with one published case study; a theme with none."""
        studies = [s for s in self.content.case_studies if not s.draft]
        countries = Counter(s.country.code for s in studies)
        themes = Counter(t.id for s in studies for t in s.themes)
        vocabulary = load.ThemeVocabulary(self.content.config.themes)
        for s in studies:
            rel = s.body.rel
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

    # ------------------------------------------------------------ published files

    def files(self) -> None:
        for asset in self.content.assets:  # (the loader refuses files that would replace the site's own)
            lower = asset.rel.lower()
            if lower.endswith(SCRIPT_FILES):
                self.report.warning(asset.source, None,
                                    f"'{asset.rel}' is published as it is, without the safety checks bodies get: "
                                    "a script in it would run on the site's own address",
                                    "Write the page as Markdown in pages/ instead; keep only files you trust here.")
            elif lower.endswith((".svg", ".svgz")) and self.svg_has_script(asset.source):
                self.report.error(asset.source, None,
                                  f"the SVG image '{asset.rel}' holds script or event handlers, which would run "
                                  "when a reader opens the image",
                                  "Export the image again without scripts or interactivity (e.g. as plain SVG or PNG).")

    @staticmethod
    def svg_has_script(path: Path) -> bool:
        try:
            data = path.read_bytes()
        except OSError:
            return False
        if path.suffix.lower() == ".svgz":
            return True  # compressed: cannot be looked into cheaply, and browsers run it all the same
        return bool(_SVG_SCRIPT.search(data))


# ---------------------------------------------------------------- templates

def check_template_syntax(folder: Path, report: Report) -> None:
    """Parse every template (no rendering): a syntax error is reported at its line."""
    env = jinja2.Environment()
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix not in TEMPLATE_SUFFIXES or "static" in path.relative_to(folder).parts:
            continue
        try:
            env.parse(path.read_text(encoding="utf-8"))
        except jinja2.TemplateSyntaxError as exc:
            report.error(path, exc.lineno, f"template syntax error: {exc.message}", "Fix the template tag on this line.")
        except (OSError, UnicodeDecodeError) as exc:
            report.error(path, None, f"cannot read the template: {exc}")

