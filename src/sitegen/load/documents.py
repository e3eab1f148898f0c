"""Markdown documents: front matter split from the body and its values checked against `schema`.

Owns python-frontmatter's split, the located YAML of the front matter
(`yamltext`), the body as a `Text` with its digest, and the helpers that take
one value or a set of fields from the front matter with located errors.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import frontmatter

from ..model import schema
from . import yamltext
from ..model.diagnostics import Report
from ..model.records import Text
from ..model.schema import Invalid
from .files import is_inside, read_text

_FM = frontmatter.YAMLHandler()


def read_markdown(root: Path, path: Path, report: Report, need_front_matter: bool,
                  documents: dict | None = None, folders: dict[str, str] | None = None):
    """Split a Markdown file into (front-matter document, body Text); None on error."""
    if not is_inside(root, path, report, folders):
        return None
    text = read_text(path, report)
    if text is None:
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
    doc, problem = yamltext.parse(fm, line_offset=offset)
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
    """The Markdown of `text`, read again from its file when the record was kept without it."""
    if text.markdown is not None:
        return text.markdown
    content = read_text(Path(root) / text.rel, Report()) or ""
    return "\n".join(content.split("\n")[text.first_line - 1:])


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
        coerce = schema.SCALAR_COERCERS.get(f.kind)
        value = take(path, doc, data, f.name, coerce, report) if coerce else data[f.name]
        if value is not None:
            values[f.name] = value
    return values if partial or report.count("error") == before else None
