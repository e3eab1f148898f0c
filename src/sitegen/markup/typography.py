"""Typographic quotes, dashes and ellipses, as one cheap pass over the Markdown tree.

Python-Markdown's `smarty` extension does this with a dozen inline patterns
tried against every text node, which doubles the cost of converting a
document. This treeprocessor walks the finished tree once, in reading order
(a loop, not recursion, so any depth of nesting is fine), with one regular
expression, and leaves code, preformatted text and attribute values alone.
It writes the characters themselves (“ ” ‘ ’ – — …), not entities.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_SKIP = frozenset({"code", "pre", "kbd", "samp", "script", "style", "math"})
_TOKENS = re.compile(r"---|--|\.\.\.|[\"']")
_OPENERS = frozenset(" \t\n([{\u00a0\u2014\u2013/-")
_STASH = "\x02\x03"  # Python-Markdown's placeholder delimiters: never rewrite inside them


def smarten(text: str, before: str) -> str:
    """`text` with typographic punctuation; `before` is the character that precedes it."""
    if not text or ('"' not in text and "'" not in text and "--" not in text and "..." not in text):
        return text
    out: list[str] = []
    last = 0
    stashed = _STASH[0] in text
    inside = False  # between a placeholder's delimiters, at `read`
    read = 0
    for match in _TOKENS.finditer(text):
        start = match.start()
        token = match.group()
        previous = text[start - 1] if start else before
        if stashed:  # each character read once, however many tokens: linear
            opened, closed = text.rfind(_STASH[0], read, start), text.rfind(_STASH[1], read, start)
            if opened != closed:  # either was found (both -1 otherwise); the later one decides
                inside = opened > closed
            read = start
            if inside:
                continue
        out.append(text[last:start])
        last = match.end()
        if token == "---":
            out.append("\u2014")
        elif token == "--":
            out.append("\u2013")
        elif token == "...":
            out.append("\u2026")
        else:
            opening = previous == "" or previous in _OPENERS
            if token == '"':
                out.append("\u201c" if opening else "\u201d")
            else:
                out.append("\u2018" if opening and not _is_year_elision(text, match.end()) else "\u2019")
    out.append(text[last:])
    return "".join(out)


def _is_year_elision(text: str, after: int) -> bool:
    """'90s, 'tis: an apostrophe even at the start of a word."""
    return text[after:after + 2].isdigit() or text[after:after + 3].lower() in ("tis", "twa")


class TypographyTreeprocessor(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        """Each text and tail in reading order; a loop, not recursion, so any depth of nesting is fine."""
        self.before = ""
        todo: list[tuple[bool, etree.Element]] = [(False, root)]  # (its tail now?, element)
        while todo:
            tail, element = todo.pop()
            if tail:
                if element.tail:
                    element.tail = self.fix(element.tail)
            elif element.tag in _SKIP:
                self.before = "x"  # a closing quote after inline code reads as closing
            else:
                if element.text:
                    element.text = self.fix(element.text)
                for child in reversed(element):
                    todo.append((True, child))
                    todo.append((False, child))

    def fix(self, text: str) -> str:
        result = smarten(text, self.before)
        self.before = result[-1]
        return result


class TypographyExtension(Extension):
    def extendMarkdown(self, md):
        # after inline parsing (20) has split text around links and emphasis, and after
        # attr_list (8) has taken `{: title="..." }` apart, so attribute quotes stay straight
        md.treeprocessors.register(TypographyTreeprocessor(md), "sitegen-typography", 7)
