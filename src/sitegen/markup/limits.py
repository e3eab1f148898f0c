"""How much work a Markdown body may make the converter do: nesting and repetition limits.

Bodies come from strangers. Python-Markdown, and the HTML parsers after it,
read some constructs in more than linear time or recurse once per level of
nesting. `reading_limits` reads a body once, before it is converted, and
returns a `Refusal` (line, column, message, fix) for the first place of each
kind where the body goes far beyond what a case study needs: brackets, link
addresses, emphasis, quotes, lists or HTML tags nested deeper than
NESTING_LIMIT, more than LINKS_LIMIT links, a footnote referred to more than
FOOTNOTE_REFERENCES times, or work beyond WORK_FACTOR readings of the text.
A body within the limits converts in time proportional to its length. Every
scan here is linear; nothing here converts or reads files.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass

import markdown


@dataclass(frozen=True)
class Refusal:
    """Why a body is not converted, located in the file (line counts from the body's first line)."""

    line: int
    column: int
    message: str
    fix: str


# ---------------------------------------------------------------- reading limits
#
# Python-Markdown (and the HTML parsers after it) read some constructs in more than linear time: from
# each `[` on to the matching `]` (three times) and from each `](` to the matching `)`; from each
# `<tag` left open to the next `>`; from each `<![` to the next `]>`; at each link, emphasis or other
# mark, and at each heading or rule inside a paragraph, they copy the rest of the paragraph; at each
# raw HTML block they copy the rest of the text; and they search the HTML elements left open at each
# tag. An element nested in another costs a level of recursion in places. Real case studies nest a
# few levels and repeat these a few times per paragraph, so `reading_limits` reads the Markdown once,
# before conversion, and refuses with a located error a body that nests far deeper (NESTING_LIMIT), or
# makes the converter read or copy its text again more than WORK_FACTOR times over (plus WORK_FLOOR):
# a body within the limits converts in time proportional to its length.

NESTING_LIMIT = 50  # levels of brackets, link addresses, emphasis, quotes and lists; HTML tags left open
WORK_FACTOR = 8  # each character of a paragraph may be read this many times again, on average...
WORK_FLOOR = 1_000_000  # ...plus this many characters (a few hundredths of a second)
LINKS_LIMIT = 10_000  # links and images in one body: each costs Python-Markdown tens of microseconds
FOOTNOTE_REFERENCES = 100  # references to one footnote (Python-Markdown numbers repeats in quadratic time)
COPY_SHARE = 500  # copying a character of text costs this much less than reading it in Python...
SCAN_SHARE = 50  # ...and looking through it with a regular expression, this much less

_FENCE_START = re.compile(r"^(?:`{3}|~{3})", re.M)  # where a fenced code block may begin or end
_FENCE_LINE = re.compile(r"(`{3,}|~{3,}) *$")  # a line that can close a fenced code block
# a line that opens one (Python-Markdown's fenced_code: the fence, then attributes or a language)
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,}) *(?:\{[^\n]*\}|\.?[\w#.+-]* *(?:hl_lines=(\"|').*?\2 *)?)$")
# a line that may open more than NESTING_LIMIT quotes and lists (each takes a character or more): after
# a line break (a literal to look for, far quicker than ^), or at the start of a stretch of text
_DEEP_LINE = re.compile(rf"\n[ \t>*+\-0-9.)]{{{NESTING_LIMIT + 1}}}")
_DEEP_LINE_START = re.compile(rf"[ \t>*+\-0-9.)]{{{NESTING_LIMIT + 1}}}")
_CONTAINER = re.compile(r"[ \t]*(?:>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))")  # one quote or list marker
_RULE = re.compile(r" {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")
# lines none of which is blank (only spaces and tabs); possessive and anchored, so a long line of spaces
# is read once, not once per space
_BLOCK = re.compile(r"^[ \t]*+[^ \t\n][^\n]*+(?:\n[ \t]*+[^ \t\n][^\n]*+)*+", re.M)
_SPLIT_LINE = re.compile(r"^(?:#| {0,3}(?:=+|-+) *$| {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$)",
                         re.M)
_INLINE = re.compile(r"\\[\s\S]|\]\(|[\[\]()]|\*+|_+")
_FOOTNOTE_REF = re.compile(r"\[\^")
_MARKS = tuple("[`\\<&*_")  # what starts an inline match: each match copies the rest of the paragraph

_TOO_DEEP = {  # what nests -> (the message's name for it, the fix)
    "brackets": ("brackets [ ]", "Close each [ with ] (a link is [text](address)); write \\[ for a bracket that "
                                  "is only text."),
    "addresses": ("link addresses ( )", "Close each ( that follows a ] with ) (a link is [text](address)); "
                                         "write \\( for a parenthesis that is only text."),
    "emphasis": ("emphasis (* and _)", "End each *emphasis* and **strong** text with the same marks; write \\* "
                                        "or \\_ for an asterisk or underscore that is only text."),
}


def reading_limits(markdown_text: str, first_line: int = 1) -> list[Refusal]:
    """The places where `markdown_text` nests or repeats a construct far beyond what sitegen reads
    (see NESTING_LIMIT), as fatal located problems (the first place of each kind); [] when it can be
    converted. Linear, and for most paragraphs a few counts of characters."""
    found: dict[str, Refusal] = {}

    def problem(kind: str, offset: int, message: str, fix: str) -> None:
        if kind not in found:
            line = first_line + markdown_text.count("\n", 0, offset)  # once per kind: linear
            column = offset - markdown_text.rfind("\n", 0, offset)
            found[kind] = Refusal(line, column, message, fix)

    text = markdown_text
    budget = WORK_FACTOR * len(text) + WORK_FLOOR  # for each kind of work, over the whole text
    segments = _outside_fenced_code(text, budget, problem)
    raw_html = _Html(text)
    tally = _Tally()
    paragraphs = not _within_limits_as_a_whole(text, budget)  # (most texts: then no paragraph can pass one)
    deepest, too_deep = 0, None  # quotes and lists: the most on a line, the first line over the limit
    for start, end in segments:
        if raw_html.open or raw_html.quote or text.find("<", start, end) >= 0:
            raw_html.read(start, end)
        first = [start] if _DEEP_LINE_START.match(text, start, end) else []
        for line_start in first + [m.start() + 1 for m in _DEEP_LINE.finditer(text, start, end)]:
            line_end = text.find("\n", line_start, end)
            depth = _nesting_of_line(text[line_start:end if line_end < 0 else line_end])
            deepest = max(deepest, depth)
            if depth > NESTING_LIMIT and too_deep is None:
                too_deep = _paragraph_start(text, line_start, start)
        for m in _BLOCK.finditer(text, start, end) if paragraphs else ():
            if m.end() - m.start() > NESTING_LIMIT or text.find("[", m.start(), m.end()) >= 0:
                _read_block(text, m.start(), m.end(), problem, tally)  # (a short one nests and copies little)
    if too_deep is not None:  # located where the list or quote starts
        problem("quotes and lists", too_deep, f"this list or quote is nested too deeply: "
                f"{deepest:,} levels of > and list markers; sitegen stops at {NESTING_LIMIT}",
                "Use fewer levels of > and of list markers or indentation: a few are enough.")
    raw_html.read_to(len(text))
    for kind, (message, fix) in _HTML_TOO_DEEP.items():
        if raw_html.deepest[kind] > NESTING_LIMIT:
            problem(kind, raw_html.where[kind], message.format(depth=raw_html.deepest[kind], limit=NESTING_LIMIT), fix)
    _check_footnotes(text, problem)
    _check_links(text, problem)
    if not found:  # work beyond the budget, when nothing nests too deep (which would say why)
        tally.settle_brackets(text, budget)
        for kind, (message, fix) in _TOO_MUCH.items():
            if tally.work[kind] > budget:
                problem(kind, tally.worst[kind][1], message.format(work=tally.work[kind], budget=budget), fix)
        for kind, (where, message, fix) in _HTML_TOO_MUCH.items():
            if raw_html.work[kind] > budget:
                problem(kind, raw_html.where.get(where, 0), message.format(work=raw_html.work[kind], budget=budget), fix)
    return list(found.values())


_TOO_MUCH = {  # work over the whole text -> (the message, the fix); located at the paragraph that adds the most
    "brackets": ("this paragraph keeps brackets open over too much text: with the others, {work:,} characters "
                 "are read again; sitegen stops at {budget:,}",
                 "Close each [ and ( near where it opens, and write \\[ and \\( for brackets that are only text."),
    "marks": ("this paragraph has too many links, emphasis marks and other marks for its length: with the others, "
              "{work:,} characters are copied again; sitegen stops at {budget:,}",
              "Split long paragraphs with blank lines."),
    "splits": ("this paragraph has headings or rules with no blank line between them: with the others, {work:,} "
               "characters are read again; sitegen stops at {budget:,}",
               "Put a blank line before and after each heading and rule."),
}


class _Tally:
    """Work Python-Markdown does again, per kind, over the whole text, and the paragraph adding the most."""

    def __init__(self):
        self.work: Counter = Counter()
        self.worst: dict[str, tuple[int, int]] = {}  # kind -> (work, offset of the paragraph)
        self.bounded: list[tuple[int, int, int]] = []  # (bound on its bracket work, start, end) of paragraphs not read

    def add(self, kind: str, amount: int, offset: int) -> None:
        self.work[kind] += amount
        if amount > self.worst.get(kind, (-1, 0))[0]:
            self.worst[kind] = (amount, offset)

    def settle_brackets(self, text: str, budget: int) -> None:
        """Count the bracket work of the paragraphs only bounded so far, largest bound first, until the
        total is within `budget` or all are counted (each is read once: linear)."""
        total = self.work["brackets"] + sum(bound for bound, _, _ in self.bounded)
        for bound, start, end in sorted(self.bounded, reverse=True):
            if total <= budget:
                break
            nesting = _Nesting.of(text[start:end])
            total += nesting.work * LINK_SCANS - bound
            self.add("brackets", nesting.work * LINK_SCANS, start)


LINK_SCANS = 3  # Python-Markdown's link, reference and short reference patterns each read on from a [


def _read_block(text: str, start: int, end: int, problem, tally: _Tally) -> None:
    """One paragraph (lines between blank lines): brackets, link addresses and emphasis nested in it, and
    the work it costs (see _TOO_MUCH). Most paragraphs are passed by counting characters."""
    length = end - start
    brackets, addresses = text.count("[", start, end), text.count("](", start, end)
    if max(brackets, addresses, text.count("*", start, end) + text.count("_", start, end)) > NESTING_LIMIT:
        nesting = _Nesting.of(text[start:end])
        for kind, (depth, at) in nesting.too_deep.items():
            name, fix = _TOO_DEEP[kind]
            problem(kind, start + at, f"this paragraph nests {name} {depth:,} deep; sitegen stops at {NESTING_LIMIT}",
                    fix)
        tally.add("brackets", nesting.work * LINK_SCANS, start)
    elif brackets:  # at most this many brackets and addresses open over the whole paragraph
        tally.bounded.append(((brackets + addresses) * length * LINK_SCANS, start, end))
    if length > COPY_SHARE:  # (a shorter paragraph copies less than its length)
        tally.add("marks", _copies(text[start:end]), start)
    else:
        tally.add("marks", length * length // COPY_SHARE, start)
    if text.find("\n", start, end) >= 0:  # Python-Markdown copies the rest of the paragraph at each
        rest = [end - m.start() for m in _SPLIT_LINE.finditer(text, start, end)]
        tally.add("splits", sum(rest), start)


def _copies(block: str) -> int:
    """Each link, emphasis, code span or other mark Python-Markdown finds copies the rest of the text it
    reads: the paragraph, or in a table the row, or in a list the item."""
    runs = block.split("\n") if _is_table(block) else _list_items(block)
    return sum((sum(map(run.count, _MARKS)) + run.count("  \n")) * len(run) for run in runs) // COPY_SHARE


def _within_limits_as_a_whole(text: str, budget: int) -> bool:
    """Whether counts over the whole text show that no paragraph of it can pass a limit: too few of
    each mark to nest beyond NESTING_LIMIT, and the work bounded as if all were in one paragraph."""
    length = len(text)
    brackets = text.count("[")
    if brackets > NESTING_LIMIT or text.count("*") + text.count("_") > NESTING_LIMIT:
        return False
    if (brackets + text.count("](")) * LINK_SCANS * length > budget or text.count("\n") * length > budget:
        return False
    return length * length // COPY_SHARE <= budget or \
        (sum(map(text.count, _MARKS)) + text.count("  \n")) * length // COPY_SHARE <= budget


def _paragraph_start(text: str, offset: int, floor: int = 0) -> int:
    """The offset where the paragraph (or list, or quote) holding `offset` starts: after a blank line,
    or at `floor` (where a fenced code block ends)."""
    start = text.rfind("\n", 0, offset) + 1
    while start > floor:
        previous = text.rfind("\n", 0, start - 1) + 1
        if not text[previous:start - 1].strip(" \t"):
            break
        start = previous
    return start


def _outside_fenced_code(text: str, budget: int, problem) -> list[tuple[int, int]]:
    """The (start, end) offsets of the text outside fenced code blocks (which Python-Markdown sets
    aside before reading anything else), found as its fenced_code extension finds them; a problem
    when fences cost too much."""
    if "```" not in text and "~~~" not in text:
        return [(0, len(text))]
    lines = []  # (offset, line) of each line that may open or close a block, in order
    for m in _FENCE_START.finditer(text):
        end = text.find("\n", m.start())
        lines.append((m.start(), text[m.start():len(text) if end < 0 else end]))
    closing: dict[str, list[int]] = {}  # fence -> offsets of the lines that can close it
    for offset, line in lines:
        if m := _FENCE_LINE.match(line):
            closing.setdefault(m.group(1), []).append(offset)
    segments, start = [], 0
    fences = unclosed = unclosed_work = 0
    first_unclosed = None
    for offset, line in lines:
        if offset < start or not (m := _FENCE_OPEN.match(line)):
            continue
        ends = closing.get(m.group(1), ())
        close = bisect.bisect_right(ends, offset)
        if close < len(ends):  # a fenced code block: none of it is read as Markdown
            segments.append((start, offset))
            end = text.find("\n", ends[close])
            start = len(text) if end < 0 else end + 1
            fences += 1
        else:  # Python-Markdown looks for its end in all the rest of the text
            unclosed += 1
            unclosed_work += len(text) - offset
            first_unclosed = offset if first_unclosed is None else first_unclosed
    segments.append((start, len(text)))
    if unclosed_work > budget:
        problem("fences", first_unclosed, f"{unclosed:,} code fences (``` or ~~~) are opened and never closed, "
                f"read again over {unclosed_work:,} characters; sitegen stops at {budget:,}",
                "Close each fenced code block with the same fence on a line of its own.")
    elif fences * len(text) // COPY_SHARE > budget:  # each block found copies the text
        problem("fences", 0, f"the text has {fences:,} fenced code blocks; sitegen stops at "
                f"{budget * COPY_SHARE // len(text):,} in a text this long",
                "Use fewer fenced code blocks, or split the text into several case studies or pages.")
    return segments


class _Html:
    """Raw HTML as Python-Markdown's HTML parser, the audit's and the sanitizer's read it, across the whole
    text: what each of them reads again, and how deep elements nest.

    - A tag begun with < is read on to the next > that is not inside a quoted attribute value, however
      far (`open`: tags begun and not ended).
    - A marked section `<![CDATA[` is read on to the next `]>` (`sections`).
    - Elements nest (`elements`, a stack like Python-Markdown's: an end tag closes the innermost
      element of its name and those inside it); the parsers search the elements open at each tag.
    - HTML at the start of a line, and a comment inside an inline element left open, make Python-Markdown
      copy the rest of the text, and look for each inline element's end tag in the rest of the paragraph
      (`copies`).
    """

    def __init__(self, text: str):
        self.text = text
        self.blank_lines: list[int] | None = None  # offsets of the blank lines, found when a comment needs them
        self.open = self.sections = 0
        self.stack: list[str] = []  # elements open, outermost first
        self.names: Counter = Counter()  # name -> how many of `stack`
        self.inline: list[str] = []  # inline elements open in this paragraph, and their names
        self.inline_names: Counter = Counter()
        self.paragraph_end = -1  # where the paragraph of the inline elements open ends
        self.deepest: Counter = Counter()  # open, sections, elements -> the most at once
        self.where: dict[str, int] = {}  # the same -> offset where NESTING_LIMIT was first passed (or the most)
        self.work: Counter = Counter()  # tags, sections, copies -> characters read or copied again
        self.last = 0  # offset of the last edge read
        self.quote = ""  # the quote of an attribute value still open, inside a tag
        self.element: tuple[str, str] | None = None  # ("" or "/", name) of the tag being read
        self.no_comment_end = len(text)  # from here on, no comment is closed (in the stretch read)

    def read_to(self, at: int) -> None:
        self.work["tags"] += self.open * (at - self.last)
        self.work["sections"] += self.sections * (at - self.last)
        self.last = at

    def deeper(self, kind: str, depth: int, at: int) -> None:
        if depth > self.deepest[kind]:
            if self.deepest[kind] <= NESTING_LIMIT:
                self.where[kind] = at
            self.deepest[kind] = depth

    def copy(self, at: int, comment: bool = False) -> None:
        """Python-Markdown copies the rest of the text; at a comment, it also reads the rest of the
        paragraph for the end tag of each inline element open."""
        work = (len(self.text) - at) // COPY_SHARE
        if comment:
            if at > self.paragraph_end:
                self.inline.clear()
                self.inline_names.clear()
            work += len(self.inline) * (self.paragraph_end - at) // SCAN_SHARE
        self.work["copies"] += work
        if work > self.deepest["copy"]:
            self.deepest["copy"], self.where["copies"] = work, at

    def read(self, start: int, end: int) -> None:
        text = self.text
        self.no_comment_end = len(text)
        for m in _HTML_LINE.finditer(text, start, end):
            self.copy(m.end() - 1)
        position = start
        while position < end:
            if self.quote:  # inside a tag, a > in a quoted value does not end it
                closed = text.find(self.quote, position, end)
                if closed < 0:
                    return
                self.quote, position = "", closed + 1
            m = _HTML_EDGE.search(text, position, end)
            if m is None:
                return
            at = m.start()
            self.read_to(at)
            position = m.end()
            edge = m.group()
            if edge == ">":
                self.open = 0
                self.ended(text[at - 1:at] == "/", at)
            elif edge[0] == "=":
                self.quote = edge[-1] if self.open else ""
            elif edge == "<!--":
                if self.inline:
                    self.copy(at, comment=True)
                closed = text.find("-->", position, end) if position < self.no_comment_end else -1
                if closed >= 0:  # (a comment left open is read as text)
                    position = closed + 3
                else:  # nor will one later in this stretch of text be closed: not looked for again
                    self.no_comment_end = min(self.no_comment_end, position)
            elif edge == "<![":
                self.sections += 1
                self.deeper("sections", self.sections, at)
            elif edge[0] == "]":
                self.sections = 0
            else:  # a tag begun: <a, </a, <!x, <?x
                self.open += 1
                self.deeper("open", self.open, at)
                self.element = (m.group(1), m.group(2).lower()) if m.group(2) else None

    def ended(self, self_closing: bool, at: int) -> None:
        """The tag being read ended (at `at`): an element opens or closes."""
        if self.element is None:
            return
        slash, name = self.element
        self.element = None
        if name in _VOID_ELEMENTS or name in _OPTIONAL_END or self_closing:
            return
        if self.inline and at > self.paragraph_end:  # a blank line ended the paragraph: Python-Markdown forgets them
            self.inline.clear()
            self.inline_names.clear()
        if not slash:
            self.stack.append(name)
            self.names[name] += 1
            self.deeper("elements", len(self.stack), at)
            if name not in _BLOCK_ELEMENTS:
                if not self.inline:
                    self.paragraph_end = self.paragraph_ending(at)
                self.inline.append(name)
                self.inline_names[name] += 1
        else:
            _close(name, self.stack, self.names)
            _close(name, self.inline, self.inline_names)

    def paragraph_ending(self, at: int) -> int:
        if self.blank_lines is None:
            self.blank_lines = [m.start() for m in _BLANK_LINE.finditer(self.text)]
        following = bisect.bisect_left(self.blank_lines, at)
        return self.blank_lines[following] if following < len(self.blank_lines) else len(self.text)


def _close(name: str, stack: list[str], names: Counter) -> None:
    """An end tag: the innermost open element of its name closes, and those opened inside it."""
    if names[name]:
        while stack:
            inner = stack.pop()
            names[inner] -= 1
            if inner == name:
                break


# a comment, a marked section begun or ended, an element's tag begun (its name), another tag begun
# (`<http://...>`, `<!x`, `<?x`), a tag ended, a quoted value begun
_HTML_EDGE = re.compile(r"<!--|<!\[|\][ \t\n]*+>|<(/?)([A-Za-z][A-Za-z0-9-]*+)(?=[\s/>])|<[A-Za-z!?/]|>"
                        r"|=[ \t\n]*+[\"']")
_HTML_LINE = re.compile(r"^ {0,3}<", re.M)  # HTML at the start of a line: a raw block, perhaps
_BLANK_LINE = re.compile(r"\n[ \t]*+(?=\n)")
_VOID_ELEMENTS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                            "source", "track", "wbr"})
_OPTIONAL_END = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot", "option", "optgroup",
                           "rb", "rt", "rtc", "rp", "colgroup", "caption", "html", "head", "body"})
_BLOCK_ELEMENTS = frozenset(markdown.util.BLOCK_LEVEL_ELEMENTS)

_HTML_TOO_DEEP = {  # what nests -> (message, fix)
    "open": ("the text opens {depth:,} HTML tags with < that no > closes; sitegen stops at {limit}",
             "Close each tag with >, or write &lt; for a < that is only text."),
    "sections": ("the text opens {depth:,} <![ sections that no ]> closes; sitegen stops at {limit}",
                 "Close each <![CDATA[ with ]]>, or leave them out: they are not shown."),
    "elements": ("the text leaves {depth:,} HTML elements open (such as a <div> with no </div>); "
                 "sitegen stops at {limit}", "Close each HTML element with its end tag, or write the text in Markdown."),
}
_HTML_TOO_MUCH = {  # work -> (where, message, fix)
    "tags": ("open", "HTML tags begun with < and not ended with > make sitegen read {work:,} characters again; "
             "it stops at {budget:,}", "Close each tag with >, or write &lt; for a < that is only text."),
    "sections": ("sections", "<![ sections that no ]> closes make sitegen read {work:,} characters again; it "
                 "stops at {budget:,}", "Close each <![CDATA[ with ]]>, or leave them out: they are not shown."),
    "copies": ("copies", "HTML at the start of lines, and comments inside HTML elements, make sitegen copy "
               "{work:,} characters again; it stops at {budget:,}",
               "Write the text in Markdown, with less HTML; close each HTML element with its end tag."),
}


def _nesting_of_line(line: str) -> int:
    """How many quotes and lists a line opens: its > and list markers, and the indentation before them
    (4 columns a level). A rule (`- - -`) opens none, nor does indentation before no marker."""
    depth = 0
    position = 0
    while m := _CONTAINER.match(line, position):
        if line[m.end() - 1] != ">" and _RULE.match(line, position):
            break
        depth += 1
        position = m.end()
    if not depth:  # indentation alone (code, or text inside a list item) nests nothing
        return 0
    indent = len(line) - len(line.lstrip(" \t"))
    return depth + line[:indent].expandtabs(4).count(" ") // 4


_TABLE_SEPARATOR = re.compile(r"[ \t]*+\|?[ \t]*+:?-++:?[ \t]*+(?:\|[ \t]*+:?-++:?[ \t]*+)*+\|?[ \t]*+$")
_ITEM = re.compile(r"^ {0,3}(?:[*+-]|\d+\.) +", re.M)  # a list item, as Python-Markdown's list processors see it


def _is_table(block: str) -> bool:
    """Whether Python-Markdown reads the paragraph as a table (its cells then are read one by one).
    Only the plain cases count: a header with ` or \\ is left to count as a paragraph."""
    rows = block.split("\n", 2)
    if len(rows) < 2 or not _TABLE_SEPARATOR.match(rows[1]) or "`" in rows[0] or "\\" in rows[0]:
        return False
    border = rows[0].startswith("|") or rows[0].endswith("|")

    def cells(row: str) -> int:  # as TableProcessor._split_row counts them
        if border:
            row = row[1:] if row.startswith("|") else row
            row = row[:-1] if row.endswith("|") else row
        return row.count("|") + 1

    return cells(rows[0]) == cells(rows[1]) > 1


def _list_items(block: str) -> list[str]:
    """The paragraph, or its list items when it is a list (each item is read on its own)."""
    starts = [m.start() for m in _ITEM.finditer(block)]
    if not starts or starts[0] != 0:
        return [block]
    return [block[a:b] for a, b in zip(starts, starts[1:] + [len(block)])]


class _Nesting:
    """The brackets, link addresses and emphasis open at each point of a paragraph, read token by token."""

    def __init__(self):
        self.brackets = 0
        self.parentheses: list[bool] = []  # open ( in order: True for one that starts a link address
        self.addresses = 0  # open link addresses
        self.emphasis: list[list] = []  # open runs of * or _: [character, levels]
        self.by_mark: dict[str, list[int]] = {"*": [], "_": []}  # indexes in `emphasis`
        self.levels = 0  # emphasis levels open
        self.work = 0  # characters Python-Markdown reads again so far: brackets and addresses open, per character
        self.last = 0
        self.too_deep: dict[str, list[int]] = {}  # kind -> [deepest, offset where NESTING_LIMIT was passed]

    @classmethod
    def of(cls, block: str) -> "_Nesting":
        """The paragraph read to its end."""
        nesting = cls()
        for m in _INLINE.finditer(block):
            nesting.read(m, block)
        nesting.read_to(len(block))
        return nesting

    def read_to(self, at: int) -> None:
        self.work += (self.brackets + self.addresses) * (at - self.last)
        self.last = at

    def read(self, m: re.Match, text: str) -> None:
        """Take one token."""
        token = m.group()
        at = m.start()
        self.read_to(at)
        first = token[0]
        if first == "\\":
            return
        if first == "[":
            self.brackets += 1
            self.deeper("brackets", self.brackets, at)
        elif first == "]":
            self.brackets = max(0, self.brackets - 1)
            if token == "](":
                self.parentheses.append(True)
                self.addresses += 1
                self.deeper("addresses", self.addresses, at)
        elif first == "(":
            self.parentheses.append(False)
        elif first == ")":
            if self.parentheses and self.parentheses.pop():
                self.addresses -= 1
        else:
            self.run(first, len(token), text[at - 1] if at else " ", text[m.end()] if m.end() < len(text) else " ",
                     at)

    def run(self, mark: str, length: int, before: str, after: str, at: int) -> None:
        """A run of * or _: it may close the nearest open run of the same mark, or open one."""
        can_open, can_close = not after.isspace(), not before.isspace()
        if mark == "_" and before.isalnum() and after.isalnum():
            return  # inside a word: not emphasis
        levels = (length + 1) // 2
        open_runs = self.by_mark[mark]
        if can_close and open_runs:
            index = open_runs[-1]
            while len(self.emphasis) > index + 1:  # runs opened since then are left unclosed: dropped
                dropped = self.emphasis.pop()
                self.by_mark[dropped[0]].pop()
                self.levels -= dropped[1]
            opener = self.emphasis[index]
            closed = min(levels, opener[1])
            opener[1] -= closed
            self.levels -= closed
            if not opener[1]:
                self.emphasis.pop()
                open_runs.pop()
        elif can_open:
            self.emphasis.append([mark, levels])
            open_runs.append(len(self.emphasis) - 1)
            self.levels += levels
            self.deeper("emphasis", self.levels, at)

    def deeper(self, kind: str, depth: int, at: int) -> None:
        if depth > NESTING_LIMIT:
            if kind not in self.too_deep:
                self.too_deep[kind] = [depth, at]
            else:
                self.too_deep[kind][0] = max(self.too_deep[kind][0], depth)


def _check_links(text: str, problem) -> None:
    """More than LINKS_LIMIT links and images (`](` and `][`), located at the first one past the limit."""
    count = text.count("](") + text.count("][")
    if count <= LINKS_LIMIT:
        return
    matches = re.finditer(r"\][(\[]", text)
    for _ in range(LINKS_LIMIT):
        next(matches)
    problem("links", next(matches).start(), f"the text has {count:,} links and images; sitegen stops at "
            f"{LINKS_LIMIT:,} in one case study or page",
            "Split the text into several case studies or pages, or link to a list kept elsewhere.")


def _check_footnotes(text: str, problem) -> None:
    """A footnote referred to more than FOOTNOTE_REFERENCES times."""
    if "[^" not in text:
        return
    closes = [m.start() for m in re.finditer(r"\]", text)]
    counts: Counter = Counter()
    for m in _FOOTNOTE_REF.finditer(text):
        end = bisect.bisect_left(closes, m.end())
        if end == len(closes):
            break
        close = closes[end]
        if text.startswith(":", close + 1):  # the footnote itself, `[^1]: ...`
            continue
        key = (text[m.end():min(close, m.end() + 64)], close - m.end())  # a bounded key: linear
        counts[key] += 1
        if counts[key] == FOOTNOTE_REFERENCES + 1:
            label = key[0] if key[1] <= 64 else key[0] + "..."
            total = text.count(f"[^{label}]") if key[1] <= 64 else counts[key]
            problem("footnotes", m.start(),
                    f"footnote [^{label}] is referred to {total:,} times; sitegen stops at {FOOTNOTE_REFERENCES}",
                    "Refer to a footnote a few times at most; give other places footnotes of their own.")
            return
