"""Render stage: the site model in, the bytes of every output file out.

Owns the Jinja environment (templates folder, optionally overridden by the
content folder's own `templates/`), the list of pages with their template and
context, Markdown conversion of every body (through `markup`), and the small
presentation helpers templates use (URLs, dates, text direction). Returns
output files in memory; writing them is the write stage's job.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import jinja2

from . import __version__, urls
from .diagnostics import Report
from .index import SiteModel
from .markup import Converter, Rendered
from .records import CaseStudy, Text

RTL_LANGUAGES = frozenset({"ar", "arc", "ckb", "dv", "fa", "he", "ku", "ps", "sd", "ug", "ur", "yi"})
MONTHS = ("January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December")


@dataclass(frozen=True)
class OutputFile:
    path: str  # posix path inside the output folder
    data: bytes | None = None
    source: Path | None = None  # a file copied as it is (assets, static files)


@dataclass(frozen=True)
class StudyView:
    """A case study as templates see it: the record, its address, summary and body."""

    study: CaseStudy
    path: str
    summary: str
    html: str


@dataclass(frozen=True)
class RenderOptions:
    templates: Path
    overrides: Path | None = None  # the content folder's own templates/, if any


def text_direction(lang: str | None) -> str:
    return "rtl" if lang and lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def long_date(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def make_environment(options: RenderOptions, model: SiteModel) -> jinja2.Environment:
    search = [str(p) for p in (options.overrides, options.templates) if p and p.is_dir()]
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(search),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
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


def render_site(model: SiteModel, options: RenderOptions, report: Report) -> list[OutputFile] | None:
    """Every output file of the site, or None when a template failed (reported)."""
    converter = Converter(model.urls, model.sources, frozenset(a.rel for a in model.content.assets))
    bodies = {s.slug: convert(converter, s.body, report, model) for s in model.studies}
    views = {s.slug: StudyView(s, urls.case_study_path(s.slug), s.summary or bodies[s.slug].first_paragraph,
                               bodies[s.slug].html) for s in model.studies}
    env = make_environment(options, model)
    env.globals["view"] = views.__getitem__
    files: list[OutputFile] = []
    before = report.count("error")
    for path, template, context in page_list(model, views, converter, report):
        data = render_template(env, template, dict(context, path=path), report)
        if data is not None:
            files.append(OutputFile(urls.output_file(path), data))
    if report.count("error") > before:
        return None
    files.append(OutputFile(".nojekyll", b""))
    if model.content.config.cname:
        files.append(OutputFile("CNAME", (model.content.config.cname + "\n").encode()))
    files += static_files(options)
    files += [OutputFile(a.rel, source=a.source) for a in model.content.assets]
    return files


def convert(converter: Converter, text: Text, report: Report, model: SiteModel) -> Rendered:
    rendered = converter.convert(text)
    for problem in rendered.problems:
        report.warning(model.content.root / text.rel, problem.line, problem.message, problem.fix)
    return rendered


def page_list(model: SiteModel, views: dict[str, StudyView], converter: Converter, report: Report):
    """(site path, template, context) for every page, in a fixed order."""
    all_views = [views[s.slug] for s in model.studies]
    home = model.content.home
    home_html = convert(converter, home.body, report, model).html if home.body else ""
    yield "", "home.html", {"home": home, "home_html": home_html, "latest": all_views[:6]}
    yield "case-studies/", "case_studies.html", {"studies": all_views}
    for view in all_views:
        yield view.path, "case_study.html", {
            "item": view,
            "country": model.country_by_code[view.study.country.code],
            "related": [views[r.slug] for r in model.related[view.study.slug]],
        }
    yield "countries/", "countries.html", {}
    for group in model.countries:
        yield group.path, "country.html", {"group": group, "studies": [views[s.slug] for s in group.studies]}
    yield "themes/", "themes.html", {}
    for group in model.themes:
        yield group.path, "theme.html", {"group": group, "studies": [views[s.slug] for s in group.studies]}
    yield "regions/", "regions.html", {}
    for group in model.regions:
        yield group.path, "region.html", {"group": group, "studies": [views[s.slug] for s in group.studies]}
    for page in model.pages:
        yield urls.page_path(page.slug), "page.html", {"page": page,
                                                       "html": convert(converter, page.body, report, model).html}
    yield "404.html", "404.html", {}
    sitemap = [""] + ["case-studies/"] + [v.path for v in all_views] + ["countries/"] + \
        [g.path for g in model.countries] + ["themes/"] + [g.path for g in model.themes] + \
        ["regions/"] + [g.path for g in model.regions] + [urls.page_path(p.slug) for p in model.pages]
    yield "sitemap.xml", "sitemap.xml", {"paths": sitemap}
    yield "robots.txt", "robots.txt", {}


def render_template(env: jinja2.Environment, name: str, context: dict, report: Report) -> bytes | None:
    try:
        return env.get_template(name).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        report.error(exc.filename or name, exc.lineno, f"template syntax error: {exc.message}",
                     "Fix the template tag on this line.")
    except jinja2.TemplateNotFound as exc:
        report.error(name, None, f"template '{exc.name}' not found", "Restore it in the templates folder.")
    except Exception as exc:  # a template bug, located at its template line
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


def static_files(options: RenderOptions) -> list[OutputFile]:
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
    return [OutputFile(rel, source=src) for rel, src in sorted(chosen.items())]

