"""Markdown documents: front matter split from the body and its values checked against `schema`.

Owns python-frontmatter's split, the located YAML of the front matter
(`yamltext`), the body as a `Text` with its digest, and the helpers that take
one value or a set of fields from the front matter with located errors. A
name that is not an ordinary file (a link that leads nowhere, a named pipe,
a folder, a file deleted while the folder is read) is reported and never
opened. Dates are told in the author's own terms: the date they wrote,
padded, or why it cannot be a date.
"""

from __future__ import annotations

import calendar
import datetime as dt
import errno
import hashlib
import os
import re
import stat
from pathlib import Path

import frontmatter

from ..model import schema
from . import yamltext
from ..model.diagnostics import Report
from ..model.records import Text
from ..model.schema import Invalid
from .files import CEILING_BYTES, MAX_TEXT_BYTES, is_inside, read_text, report_dead_link

_FM = frontmatter.YAMLHandler()
FRONT_MATTER = "the front matter"  # what a YAML message calls the text between the --- lines

# What a name in the folder can be besides a file, as an author would call it.
NOT_FILES = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"))


def regular_file(path: Path, report: Report) -> bool:
    """True when `path` is an ordinary file (links followed); else False, with a located error.

    Nothing else is ever opened: opening a named pipe waits for a writer forever.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            report_dead_link(path, report)
        else:
            report_vanished(path, report)
        return False
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link to itself, or a ring of links
            report_dead_link(path, report)
        else:
            report.error(path, None, f"cannot read the file: {exc.strerror}")
        return False
    if stat.S_ISREG(mode):
        return True
    if stat.S_ISDIR(mode):
        report.error(path, None, f"this is a folder whose name ends in {path.suffix}, not a Markdown file",
                     f"Rename the folder so that its name does not end in {path.suffix}.")
        return False
    kind = next((name for test, name in NOT_FILES if test(mode)), "a special file")
    report.error(path, None, f"this is {kind}, not a file sitegen can read",
                 "Delete it, or move it out of the content folder: sitegen reads only ordinary files.")
    return False


def report_vanished(path: Path, report: Report) -> None:
    report.error(path, None, "the file was deleted or renamed while sitegen was reading the folder",
                 "If you removed it on purpose, run the build again; otherwise put the file back.")


def read_markdown(root: Path, path: Path, report: Report, need_front_matter: bool,
                  documents: dict | None = None, folders: dict[str, str] | None = None,
                  limit: int = MAX_TEXT_BYTES):
    """Split a Markdown file into (front-matter document, body Text); None on error (a file over
    `limit` bytes is one: site.yaml's limits: file_size_mb)."""
    if not is_inside(root, path, report, folders) or not regular_file(path, report):
        return None
    problems = Report()
    text = read_text(path, problems, limit)
    if text is None:
        if os.path.lexists(path):
            report.extend(problems)
        else:  # deleted between the look above and the read
            report_vanished(path, report)
        return None
    rel = path.relative_to(root).as_posix()
    if not _FM.detect(text):
        if need_front_matter:
            report.error(path, 1, "the file has no front matter",
                         "Start it with a line '---', then the keys (title:, city:, ...), then another '---'.")
            return None
        return yamltext.Document({}), Text(rel, text, 1, text_digest(text))
    opening = _FM.FM_BOUNDARY.match(text)
    try:
        fm, body = _FM.split(text)
    except ValueError:
        report.error(path, 1, "the front matter is not closed", "Add a line '---' after the last key.")
        return None
    offset = text.count("\n", 0, opening.end())
    doc, problem = yamltext.parse(fm, line_offset=offset, name=FRONT_MATTER)
    if problem:
        report.error(path, problem.mark.line, problem.message, problem.fix, problem.mark.column)
        return None
    if doc.value is None:
        doc.value = {}
    if not isinstance(doc.value, dict):
        report.error(path, offset + 2, "the front matter must be 'key: value' lines, not a list or a sentence",
                     "Write e.g. 'title: My title' on its own line.")
        return None
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    if documents is not None:
        documents[rel] = doc
    markdown = body.lstrip("\n")
    return doc, Text(rel, markdown, body_line + len(body) - len(markdown), text_digest(markdown))


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def body_text(root: Path, text: Text) -> str:
    """The Markdown of `text`, read again from its file when the record was kept without it.

    The file passed its size limit when it was loaded, so it is read up to the highest limit there is.
    """
    if text.markdown is not None:
        return text.markdown
    content = read_text(Path(root) / text.rel, Report(), CEILING_BYTES) or ""
    start = 0
    for _ in range(text.first_line - 1):  # the body starts after the line break ending the line before it
        start = content.find("\n", start) + 1
        if start == 0:  # the file has fewer lines now
            return ""
    return content[start:]


def take(path, doc, data: dict, key: str, coerce, report: Report, default=None):
    """Coerce data[key]; report a located error and return `default` when it is wrong or absent."""
    value = data.get(key)
    if value is None:
        return default
    try:
        return coerce(value, key)
    except Invalid as exc:
        mark = doc.value_mark(key)
        report.error(path, mark.line, exc.message, exc.fix, mark.column)
        return default


def warn_unknown_keys(path, doc, data: dict, known, report: Report, at: tuple) -> None:
    for key in data:
        if key not in known:
            fix = schema.unknown_key_fix(key, tuple(schema.Field(k, "", False, "") for k in known))
            mark = doc.mark(*at, key)
            report.warning(path, mark.line, f"unknown key '{key}'", fix, mark.column)


def check_fields(path: Path, doc, fields, report: Report, partial: bool = False) -> dict | None:
    """Check required keys, unknown keys and scalar kinds; the coerced values, or None on error.

    With `partial`, the values that are right are returned even when others are wrong, so
    the caller can go on checking them (every problem of a file is reported in one run).
    """
    data = doc.value
    before = report.count("error")
    warn_unknown_keys(path, doc, data, [f.name for f in fields], report, ())
    values = {}
    for f in fields:
        if data.get(f.name) is None:
            if f.required and f.name in data:
                mark = doc.value_mark(f.name)
                report.error(path, mark.line, f"'{f.name}' is empty",
                             f"Write its value after '{f.name}:' ({f.description})", mark.column)
            elif f.required:
                report.error(path, 1, f"'{f.name}' is missing",
                             f"Add a line '{f.name}: ...' to the front matter ({f.description})")
            continue
        coerce = COERCERS.get(f.kind)
        value = take(path, doc, data, f.name, coerce, report) if coerce else data[f.name]
        if value is not None:
            values[f.name] = value
    return values if partial or report.count("error") == before else None


# ---------------------------------------------------------------- dates as authors write them

YEAR_FIRST = re.compile(r"^(\d{4})([-/.])(\d{1,2})([-/.])(\d{1,2})$")
DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
WITH_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[Tt ]|\s+)\d{1,2}:\d{2}")


def coerce_date(value, name: str) -> dt.date:
    """A date written YYYY-MM-DD; for anything else, what the author wrote, padded, or why it is no date.

    `2021-3-5` is told "Write it as date: 2021-03-05"; `2021-02-30` that February 2021 has 28 days.
    """
    text = schema.coerce_text(value, name)
    found = YEAR_FIRST.match(text)
    if found is None:
        try:
            return schema.coerce_date(text, name)
        except Invalid as exc:
            raise Invalid(exc.message, other_form_fix(text, name)) from None
    year, month, day = int(found[1]), int(found[3]), int(found[5])
    if year < dt.MINYEAR:
        raise Invalid(f"'{name}' is '{text}', which is not a real date: there is no year {year}",
                      "Check the year: it has four digits, e.g. 2021.")
    if not 1 <= month <= 12:
        raise Invalid(f"'{name}' is '{text}', which is not a real date: there is no month {month}",
                      "Check the month: months are 01 (January) to 12 (December).")
    last = calendar.monthrange(year, month)[1]
    month_year = f"{calendar.month_name[month]} {year}"
    if not 1 <= day <= last:
        why = f"there is no day {day}" if day == 0 else f"{month_year} has {last} days"
        raise Invalid(f"'{name}' is '{text}', which is not a real date: {why}",
                      f"Check the day: {month_year} has days 01 to {last}.")
    date = dt.date(year, month, day)
    if text == date.isoformat():
        return date
    hyphens = found[2] == found[4] == "-"
    how = ("two digits for the month and for the day" if hyphens
           else "with hyphens between the year, the month and the day")
    raise Invalid(f"'{name}' is '{text}', not a date in the form YYYY-MM-DD",
                  f"Write it as {name}: {date.isoformat()} ({how}).")


def other_form_fix(text: str, name: str) -> str:
    """The fix for a date in another form: the same date as YYYY-MM-DD when it can be read (day first,
    or with a time), else the form with an example."""
    timed = WITH_TIME.match(text)
    if timed:
        return f"Write the date alone, without a time: {name}: {timed[1]}."
    found = DAY_FIRST.match(text)
    example = f"Write it as YYYY-MM-DD (year, month, day), for example {name}: 2021-08-17."
    if found is None:
        return example
    first, second, year = int(found[1]), int(found[2]), int(found[3])
    readings = []
    for month, day in ((second, first), (first, second)):
        try:
            readings.append(dt.date(year, month, day))
        except ValueError:
            continue
    readings = sorted(set(readings), key=readings.index)
    if not readings:
        return example
    if len(readings) == 1:
        return f"Write it year first: {name}: {readings[0].isoformat()}."
    return ("Write it year first: " + " or ".join(
        f"{name}: {d.isoformat()} for {d.day} {calendar.month_name[d.month]} {d.year}" for d in readings) + ".")


COERCERS = {**schema.SCALAR_COERCERS, "date": coerce_date}
