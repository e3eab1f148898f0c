"""Runs the stages in order: load -> index -> render -> write.

The one place that knows the order of the stages, shared by `build`,
`serve` and `check`. Holds no state between runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from . import load, write
from .diagnostics import Report
from .index import SiteModel, build_model
from .render import OutputFile, RenderOptions, render_site


@dataclass(frozen=True)
class BuildOptions:
    content: Path = Path("content")
    output: Path = Path("output")
    templates: Path = Path("templates")
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False

    def render_options(self) -> RenderOptions:
        overrides = self.content / load.OVERRIDES_DIR
        return RenderOptions(self.templates, overrides if overrides.is_dir() else None)


@dataclass
class BuildResult:
    report: Report
    model: SiteModel | None = None
    files: list[OutputFile] = field(default_factory=list)
    written: int = 0
    seconds: float = 0.0
    changed: list[str] = field(default_factory=list)  # output paths whose bytes changed (Session only)

    def pages(self) -> int:
        return sum(1 for f in self.files if f.path.endswith(".html"))


def generate(options: BuildOptions, report: Report) -> tuple[SiteModel | None, list[OutputFile] | None]:
    """Load, index and render, without writing. (None, None) when the sources have errors."""
    if not options.templates.is_dir():
        report.error(options.templates, None, "templates folder not found",
                     "Run from the project folder, or pass --templates DIR.")
        return None, None
    content = load.load_content(options.content, report, options.base_url)
    if content is None or report.failed(options.strict):
        return None, None
    model = build_model(content, include_drafts=options.drafts)
    files = render_site(model, options.render_options(), report)
    if files is None or report.failed(options.strict):
        return model, None
    return model, files


def build(options: BuildOptions) -> BuildResult:
    """A full build; `output` is replaced only when the whole build succeeded."""
    started = time.perf_counter()
    result = BuildResult(Report())
    try:
        write.check_output_folder(options.output, [options.content, options.templates, Path.cwd()])
    except write.UnsafeOutput as exc:
        result.report.error(options.output, None, f"refusing to write there: {exc}",
                            "Choose an empty folder, or one made by an earlier sitegen build.")
        return result
    result.model, files = generate(options, result.report)
    if files is not None:
        result.files = files
        result.written = write.write_site(options.output, files)
    result.seconds = time.perf_counter() - started
    return result


class Session:
    """A build that runs again and again on the same output folder (`serve`).

    Each `rebuild()` reads the sources afresh and leaves `options.output`
    equal to what a clean full build would write, touching only the files
    whose bytes changed (listed in `BuildResult.changed`). When the sources
    have errors the output is left as it was and the report says why.
    """

    def __init__(self, options: BuildOptions):
        self.options = options

    def rebuild(self) -> BuildResult:
        started = time.perf_counter()
        result = BuildResult(Report())
        result.model, files = generate(self.options, result.report)
        if files is not None:
            result.files = files
            result.changed = write.sync_site(self.options.output, files)
            result.written = len(files)
        result.seconds = time.perf_counter() - started
        return result
