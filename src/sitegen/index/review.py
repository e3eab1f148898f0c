"""What an editor should fix before publishing, found in the loaded content.

Dates in the future (of a case study or of a source), summaries too long for
cards and link previews, the TODO placeholder `sitegen new` leaves in a title
or summary, published case studies without sources, and two case studies or
pages with one title. `build` and `check` both run these reviews, with the
same severities (warnings: `--strict` makes them fail). A placeholder left in
a body is found where bodies are converted (`markup.convert`).

Each finding is located at its front-matter key: a record keeps where its
reviewed keys are (`records.key_marks`), and a source's date is found
through `front_matter(rel)`, which the caller provides (check keeps every
file's front matter; a build reads again only the files with such a finding).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Callable

from ..load import yamltext
from ..model.diagnostics import WARNING, Report, display_path
from ..model.records import PLACEHOLDER, PLACEHOLDER_RE, Content, Source

SUMMARY_LIMIT = 300  # characters; longer summaries are cut off in lists and search results
_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")

FrontMatter = Callable[[str], "yamltext.Document | None"]  # a file's front matter (rel -> parsed document)


def review(content: Content, today: dt.date, report: Report, front_matter: FrontMatter) -> None:
    """Add every finding of the reviews to `report`."""
    Review(content, today, report, front_matter).run()


class Review:
    """One run of the reviews over a loaded content folder; each finding becomes a warning in `report`."""

    def __init__(self, content: Content, today: dt.date, report: Report, front_matter: FrontMatter):
        self.content = content
        self.today = today
        self.report = report
        self.front_matter = front_matter
        records = (*content.case_studies, *content.pages, *((content.home,) if content.home.body else ()))
        self.marks = {r.body.rel: {key: (line, column) for key, line, column in r.marks} for r in records}

    def run(self) -> None:
        self.dates()
        self.summaries()
        self.titles()
        self.unfinished()

    def add(self, rel: str, mark: yamltext.Mark, message: str, fix: str) -> None:
        self.report.add(self.content.root / rel, mark.line, WARNING, message, fix, mark.column)

    def mark(self, rel: str, key: str) -> yamltext.Mark:
        """Where `key`'s value is in the front matter of `rel`; line 1 when it has no such key."""
        marks = self.marks.get(rel)
        if marks:
            return yamltext.Mark(*marks[key]) if key in marks else yamltext.Mark(1, None)
        doc = self.front_matter(rel)
        if doc is None:
            return yamltext.Mark(None, None)
        return doc.value_mark(key) if key in (doc.value or {}) else yamltext.Mark(1, None)

    def texts(self):
        """(rel, title, summary, is a draft) of every case study, page and the home page."""
        for s in self.content.case_studies:
            yield s.body.rel, s.title, s.summary, s.draft
        for p in self.content.pages:
            yield p.body.rel, p.title, p.summary, False
        home = self.content.home
        if home.body is not None:
            yield home.body.rel, home.title, home.summary, False

    def dates(self) -> None:
        today = self.today.isoformat()  # (a later YYYY-MM-DD is also later as a string: a quick first look)
        for s in self.content.case_studies:
            rel = s.body.rel
            if s.date > self.today:
                self.add(rel, self.mark(rel, "date"), f"date {s.date.isoformat()} is in the future",
                         "Use the date of the initiative or of its main source; check the year.")
            for i, source in enumerate(s.sources):
                if source.date is not None and source.date > today and in_the_future(source.date, self.today):
                    doc = self.front_matter(rel)
                    index = source_index(doc.value.get("sources") if doc is not None else None, source, i)
                    mark = doc.value_mark("sources", index, "date") if doc is not None else yamltext.Mark(None, None)
                    self.add(rel, mark, f"source {index + 1}: date {source.date} is in the future",
                             "Use the date the source was published; check the year.")

    def summaries(self) -> None:
        for rel, _, summary, _ in self.texts():
            if summary and len(summary) > SUMMARY_LIMIT:
                self.add(rel, self.mark(rel, "summary"),
                         f"the summary is {len(summary)} characters long, over {SUMMARY_LIMIT}",
                         "Keep it to one sentence: lists, search results and link previews cut long ones off.")

    def titles(self) -> None:
        seen: dict[str, str] = {}
        for rel, title, _, _ in self.texts():
            if not title:
                continue
            key = " ".join(title.split()).casefold()
            if key in seen:
                self.add(rel, self.mark(rel, "title"),
                         f"the title '{title}' is also used by {display_path(self.content.root / seen[key])}",
                         "Give each case study and page its own title, so readers and search engines can tell "
                         "them apart.")
            else:
                seen[key] = rel

    def unfinished(self) -> None:
        """Placeholders in titles and summaries, and missing sources; drafts may still be unfinished."""
        for rel, title, summary, draft in self.texts():
            if draft:
                continue
            for key, value in (("title", title), ("summary", summary)):
                if value and PLACEHOLDER in value and PLACEHOLDER_RE.search(value):
                    self.add(rel, self.mark(rel, key), f"the {key} still holds the {PLACEHOLDER} placeholder",
                             f"Replace it with the real {key}.")
        for s in self.content.case_studies:
            if not s.draft and not s.sources:
                self.add(s.body.rel, self.mark(s.body.rel, "sources"), "the case study lists no sources",
                         "Add 'sources:' with the title and url of each public source the facts come from.")


def in_the_future(date: str | None, today: dt.date) -> bool:
    """Is a source's date (YYYY-MM-DD; other forms are left alone) after `today`?"""
    m = _DATE_RE.match(date or "")
    try:
        return bool(m) and dt.date(int(m[1]), int(m[2]), int(m[3])) > today
    except ValueError:
        return False


def source_index(raw, source: Source, fallback: int) -> int:
    """The position of `source` in the front matter (invalid items are skipped by the loader)."""
    if isinstance(raw, list):
        for i, item in enumerate(raw):
            if isinstance(item, dict) and item.get("url") is not None and \
                    " ".join(str(item.get("url")).split()) == source.url:
                return i
    return fallback


def reread(root: Path, read: Callable) -> FrontMatter:
    """A `front_matter` for a build, which keeps none: `read(root, path)` parses one file's, once."""
    known: dict[str, yamltext.Document | None] = {}

    def front_matter(rel: str) -> yamltext.Document | None:
        if rel not in known:
            known[rel] = read(root, root / rel)
        return known[rel]
    return front_matter
