"""How to cite a case study: its CSL-JSON and BibTeX forms.

Owns what a citation says (`citation_of`: title, site, publisher, address,
date, language) and the two machine-readable forms reference managers
import, which templates write with the `csl_json` and `bibtex` filters from
the case study and the site's settings: CSL-JSON (Zotero,
Mendeley, Pandoc) and BibTeX, written by pybtex. BibTeX hands its text to
LaTeX, so the characters LaTeX reads as commands are escaped here (`\\`,
braces, `$`, `^`); pybtex's writer escapes the rest through latexcodec (`%`,
`&`, `#`, `_`, `~`) and keeps every other letter as UTF-8, which biblatex
reads. The `url` field is verbatim in biblatex, so it is written as it is
(pybtex's per-field hook), and each text's LaTeX is made once per process
(its encoding hook): both pinned with pybtex's version in constraints.txt
and tested in tests/test_share.py.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache

from pybtex.database import BibliographyData, Entry
from pybtex.database.output.bibtex import Writer

from ..model.records import CaseStudy, SiteConfig
from .views import StudyCard


@dataclass(frozen=True)
class Citation:
    key: str  # the case study's slug: the citation key in BibTeX, the id in CSL-JSON
    title: str
    site: str  # the site's title: where the case study is published
    publisher: str  # site.yaml's `publisher`, else the site's title
    url: str  # the case study's page
    issued: dt.date  # when it last changed: `updated`, else `date`
    language: str


def citation_of(study: CaseStudy | StudyCard, url: str, config: SiteConfig) -> Citation:
    return Citation(study.slug, study.title, config.title, config.publisher_name, url, study.modified,
                    study.lang)


def csl_json(study: CaseStudy | StudyCard, config: SiteConfig, url: str) -> str:
    """A case study's citation as a CSL-JSON file: a list of one item, of type "webpage"."""
    citation = citation_of(study, url, config)
    item = {"id": citation.key, "type": "webpage", "title": citation.title, "container-title": citation.site,
            "publisher": citation.publisher, "author": [{"literal": citation.publisher}], "URL": citation.url,
            "issued": {"date-parts": [[citation.issued.year, citation.issued.month, citation.issued.day]]},
            "language": citation.language}
    return json.dumps([item], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


LATEX_SYNTAX = str.maketrans({"\\": r"\textbackslash{}", "{": r"\textbraceleft{}", "}": r"\textbraceright{}", "$": r"\$",
                              "^": r"\textasciicircum{}"})


def latex(text: str) -> str:
    """Plain text with the characters that are LaTeX syntax to the writer's codec escaped."""
    return text.translate(LATEX_SYNTAX)


VERBATIM = frozenset({"url"})  # fields biblatex reads as they are


class BibtexWriter(Writer):
    """pybtex's BibTeX writer, leaving verbatim fields unescaped."""

    def _write_field(self, stream, type, value):  # pybtex 0.26's hook for one field
        if type in VERBATIM:
            stream.write(f",\n    {type} = {self.quote(value)}")
        else:
            super()._write_field(stream, type, value)

    def _encode(self, text):  # pybtex 0.26's hook for a field's text: its codec, once per text
        return latex_codec(text, self.encoding)


@lru_cache(maxsize=4096)  # pure; the publisher, the site's title and the language are on every case study
def latex_codec(text: str, encoding: str) -> str:
    return codecs.encode(text, f"ulatex+{encoding}")


def bibtex(study: CaseStudy | StudyCard, config: SiteConfig, url: str) -> str:
    """A case study's citation as a BibTeX `@online` entry (biblatex's type for web pages)."""
    citation = citation_of(study, url, config)
    entry = Entry("online", fields={
        "title": latex(citation.title), "author": "{" + latex(citation.publisher) + "}",
        "organization": latex(citation.site), "date": citation.issued.isoformat(),
        "year": str(citation.issued.year), "url": citation.url, "langid": citation.language,
    })
    return BibtexWriter(encoding="UTF-8").to_string(BibliographyData({citation.key: entry}))
