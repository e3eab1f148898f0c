"""Reading YAML the way authors mean it: every scalar stays text, every value keeps its line.

YAML 1.1 turns `NO` into false, `012` into 10 and `2020-13-45` into a crash
with no file or line. This module composes the YAML node tree (PyYAML's safe
composer: no object is ever constructed) and walks it into plain dicts, lists
and strings, recording where each value stands. Typing is left to `schema`.
Tags that construct objects, duplicate keys, alias bombs and runaway nesting
are refused with a located message. A parser error is told in an editor's
terms where its cause is known: a tab in the indentation, a value that
starts with a word processor's typographic quote (“ ‘ „ «), which YAML
reads as text, so its ': ' or ' #' breaks the line (the fixed line is
shown), a quote that is never closed or that ends a quoted value early,
and a backslash inside double quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PLAIN_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
# How many nodes one document may expand to. Aliases share nodes, so a
# "billion laughs" document is small to compose but huge to walk: stop early.
MAX_NODES = 20_000
MAX_DEPTH = 50
# Control characters (C0 but tab, DEL, C1): invisible, and meaningless in a value or a key.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
# The characters YAML refuses to read (YAML 1.1 "printable" set, as PyYAML's reader checks it).
UNPRINTABLE = re.compile(r"[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# What YAML counts as a line break (PyYAML's reader and libyaml alike), so a mark's line is found in the text.
LINE_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
# The quotes word processors type ("smart quotes"): to YAML they are text, not quotes.
TYPOGRAPHIC_QUOTES = frozenset("“”„‟‘’‚‛«»‹›「」『』〝〞＂＇")
# A line `key: value` or `- value` (in a list) whose value starts with a typographic quote.
_QUOTED = "[" + "".join(sorted(TYPOGRAPHIC_QUOTES)) + "]"
_KEY_VALUE = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)*)(?P<key>[^\s:#'\"\-][^:#]*?)[ ]*:[ ]+(?P<value>" + _QUOTED + r".*?)[ ]*$")
_ITEM = re.compile(r"^(?P<lead>[ ]*(?:-[ ]+)+)(?P<value>" + _QUOTED + r".*?)[ ]*$")
# How PyYAML and libyaml name a bad backslash escape inside double quotes.
ESCAPE_CONTEXTS = ("while scanning a double-quoted scalar", "while parsing a quoted scalar")
TAB_FIX = ("Indent with spaces: replace the tab with spaces, as many as the lines around it use (most editors "
           "can do this for you: 'Convert indentation to spaces').")


@dataclass(frozen=True)
class Mark:
    line: int  # 1-based, in the file (front-matter offset applied)
    column: int  # 1-based


@dataclass
class YamlProblem:
    mark: Mark
    message: str
    fix: str = ""


@dataclass
class Document:
    """Plain values plus where they stand: `marks[("sources", 0, "url")]` is that value's key line."""

    value: object
    marks: dict[tuple, Mark] = field(default_factory=dict)
    value_marks: dict[tuple, Mark] = field(default_factory=dict)  # where each value itself starts

    def mark(self, *path, default: Mark | None = None) -> Mark:
        """The mark of the nearest located ancestor of `path` (falls back to the document start)."""
        while path:
            if path in self.marks:
                return self.marks[path]
            path = path[:-1]
        return self.marks.get((), default or Mark(1, 1))

    def value_mark(self, *path, default: Mark | None = None) -> Mark:
        """Where the value at `path` starts (its column points at the value, not the key)."""
        if path in self.value_marks:
            return self.value_marks[path]
        return self.mark(*path, default=default)


class _TooBig(Exception):
    def __init__(self, message: str, mark: Mark):
        super().__init__(message)
        self.mark = mark


def parse(text: str, line_offset: int = 0, name: str = "the file") -> tuple[Document | None, YamlProblem | None]:
    """Parse one YAML document. Returns (document, None) or (None, problem).

    `name` is what the author calls the text in a message ("the front matter", "site.yaml").
    """
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError:
        return None, _unprintable(text, line_offset, name)
    except yaml.MarkedYAMLError as exc:
        return None, _syntax_problem(exc, LINE_BREAK.split(text), line_offset, name)
    except yaml.YAMLError as exc:
        return None, YamlProblem(Mark(line_offset + 1, 1), f"YAML error: {exc}")
    except RecursionError:
        return None, YamlProblem(Mark(line_offset + 1, 1), "YAML is nested too deeply", "Flatten the structure.")
    doc = Document(None)
    if root is None:
        return doc, None
    walker = _Walker(doc, line_offset, text, name)
    try:
        doc.value = walker.walk(root, (), 0)
    except _TooBig as exc:
        return None, YamlProblem(exc.mark, str(exc), "Write the values out plainly, without anchors and aliases.")
    if walker.problem:
        return None, walker.problem
    return doc, None


def _unprintable(text: str, line_offset: int, name: str) -> YamlProblem:
    """The located message for a character YAML cannot read (control characters, mostly)."""
    found = UNPRINTABLE.search(text)
    if found is None:  # the reader refused something we cannot point at
        return YamlProblem(Mark(line_offset + 1, 1), "YAML error: the text holds a character YAML cannot read",
                           "Retype the line in a plain text editor.")
    start = found.start()
    line = text.count("\n", 0, start) + 1 + line_offset
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return YamlProblem(Mark(line, column),
                       f"{name} holds an invisible control character (U+{ord(found.group()):04X})",
                       "Delete it: retype the value, or paste it as plain text (it often comes from copying "
                       "out of a PDF or a word processor).")


def _syntax_problem(exc: yaml.MarkedYAMLError, lines: list[str], offset: int, name: str) -> YamlProblem:
    """The parser's error, told by its cause when it is known (tab, typographic quote, unclosed quote)."""
    mark = exc.problem_mark or exc.context_mark
    what = exc.problem or exc.context or "is not valid YAML"
    if mark is None:
        return YamlProblem(Mark(offset + 1, 1), f"YAML syntax error: {what}", _syntax_fix(what))
    unclosed = exc.context == "while scanning a quoted scalar" and exc.context_mark is not None
    quoted = exc.context_mark if unclosed else mark  # where the quoted value YAML was reading starts
    explained = (_tab(lines, mark.line, mark.column, offset, name)
                 or ("mapping values are not allowed" in what and _typographic_colon(lines, mark.line, offset, name))
                 or (unclosed and _unclosed_quote(lines, quoted.line, quoted.column, offset))
                 or (exc.context in ESCAPE_CONTEXTS and exc.context_mark is not None
                     and _backslash(lines, exc.context_mark.line, exc.context_mark.column, offset))
                 or _quote_inside_quotes(lines, quoted.line, offset))
    if explained:
        return explained
    return YamlProblem(Mark(mark.line + 1 + offset, mark.column + 1), f"YAML syntax error: {what}", _syntax_fix(what))


def _line(lines: list[str], index: int) -> str:
    return lines[index] if 0 <= index < len(lines) else ""


def _tab(lines: list[str], index: int, column: int, offset: int, name: str) -> YamlProblem | None:
    """A tab in the indentation of the line YAML stopped at (or right where it stopped)."""
    line = _line(lines, index)
    indentation = line[:len(line) - len(line.lstrip(" \t"))]
    if "\t" in indentation:
        return YamlProblem(Mark(index + 1 + offset, indentation.index("\t") + 1),
                           f"{name} uses a tab for indentation", TAB_FIX)
    if 0 <= column < len(line) and line[column] == "\t":
        return YamlProblem(Mark(index + 1 + offset, column + 1), f"{name} uses a tab where YAML needs a space",
                           "Replace the tab with a space.")
    return None


def straight_quoted(text: str) -> str:
    """`text` as a YAML quoted value that reads back as exactly `text` (double quotes unless it holds " or \\)."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


def _wrap_fix(fixed_line: str, value: str) -> str:
    """The fix for a value that starts with a typographic quote: the line with the value in straight quotes."""
    shown = value[0] + (f" {value[-1]}" if len(value) > 1 and value[-1] in TYPOGRAPHIC_QUOTES else "")
    verb = "show" if " " in shown else "shows"
    return (f'Wrap the whole value in straight quotes (the " key): {fixed_line} '
            f"(the {shown} then {verb} on the page; leave {'them' if ' ' in shown else 'it'} out to show none).")


def _typographic_colon(lines: list[str], index: int, offset: int, name: str) -> YamlProblem | None:
    """A ': ' inside a value that starts with a typographic quote: the author meant the quote to quote it.

    The line YAML stopped at, or the line its value started on when it runs over several lines.
    """
    start = index
    while start > 0 and not _match_value(_line(lines, start)) and _line(lines, start).startswith(" "):
        start -= 1
    found = _match_value(_line(lines, start))
    if found is None:
        return None
    lead, key, value = found.group("lead"), found.groupdict().get("key"), found.group("value")
    depth = len(lead)
    following = []
    for line in lines[start + 1:]:
        if not line.strip() or len(line) - len(line.lstrip(" ")) <= depth:
            break
        following.append(line.strip())
    if index > start + len(following):
        return None
    value = " ".join([value, *following])
    fixed = f"{lead}{key}: {straight_quoted(value)}" if key else f"{lead}{straight_quoted(value)}"
    whose = f"the value of '{key}'" if key else "a value"
    return YamlProblem(Mark(start + 1 + offset, found.start("value") + 1),
                       f"{whose} starts with a typographic quote ({value[0]}), which is not a YAML quote, "
                       f"so its ': ' breaks {name}", _wrap_fix(fixed.strip(), value))


def _match_value(line: str):
    return _KEY_VALUE.match(line) or _ITEM.match(line)


def _unclosed_quote(lines: list[str], index: int, column: int, offset: int) -> YamlProblem | None:
    """A value opened with a straight quote that is never closed (often: closed by a typographic one)."""
    line = _line(lines, index)
    if not 0 <= column < len(line) or line[column] not in "'\"":
        return None
    quote, before, rest = line[column], line[:column], line[column + 1:].rstrip()
    key = re.match(r"^[ ]*(?:-[ ]+)*([^\s:#'\"][^:#]*?)[ ]*:[ ]+$", before)
    if key is None and not re.match(r"^[ ]*(?:-[ ]+)*$", before):  # a quote after the value's start
        return None
    whose = f"the value of '{key.group(1)}'" if key else "this value"
    where = Mark(index + 1 + offset, column + 1)
    if rest and rest[-1] in TYPOGRAPHIC_QUOTES and quote not in rest:
        return YamlProblem(where, f"{whose} opens with a straight quote ({quote}) but ends with a typographic "
                                  f"one ({rest[-1]}), so the quote is never closed",
                           f"End it with the same straight quote: {(before + quote + rest[:-1] + quote).strip()}")
    return YamlProblem(where, f"the quote ({quote}) that opens {whose} is never closed",
                       f"Add the same quote at the end of the value: {(line.rstrip() + quote).strip()}")


def _backslash(lines: list[str], index: int, column: int, offset: int) -> YamlProblem | None:
    """`title: "C:\\Users"`: in double quotes a backslash starts an escape such as \\n; in single quotes it is text."""
    line = _line(lines, index).rstrip()
    if not 0 <= column < len(line) or line[column] != '"' or "\\" not in line[column:]:
        return None
    value = line[column + 1:-1] if line.endswith('"') and len(line) > column + 1 else line[column + 1:]
    key = re.match(r"^[ ]*(?:-[ ]+)*([^\s:#'\"][^:#]*?)[ ]*:[ ]+$", line[:column])
    whose = f"the value of '{key.group(1)}'" if key else "this value"
    fixed = (line[:column] + "'" + value.replace("'", "''") + "'").strip()
    return YamlProblem(Mark(index + 1 + offset, line.index("\\", column) + 1),
                       f"{whose} is in double quotes (\"), where a backslash (\\) starts a special character",
                       f"Use single quotes, where a backslash is just a backslash: {fixed}")


def _quote_inside_quotes(lines: list[str], index: int, offset: int) -> YamlProblem | None:
    """`title: 'Kashan's programme'`: the apostrophe ends the quoted value early, and YAML trips on the rest."""
    line = _line(lines, index).rstrip()
    found = re.match(r"^(?P<before>[ ]*(?:-[ ]+)*(?:(?P<key>[^\s:#'\"][^:#]*?)[ ]*:[ ]+)?)(?P<quote>['\"])", line)
    if found is None:
        return None
    quote, start = found.group("quote"), found.end()
    if quote == "'":  # '' is how an apostrophe is written inside single quotes
        end = start + re.match(r"(?:[^']|'')*", line[start:]).end()
    else:
        closing = re.compile(r'(?<!\\)"').search(line, start)
        end = closing.start() if closing else len(line)
    rest = line[end + 1:]
    if not rest or re.match(r"[ ]+#", rest):  # closed at the end of the line, or not closed: not this mistake
        return None
    inner = line[start:-1] if line.endswith(quote) else line[start:]
    if quote == "'":
        inner = inner.replace("''", "'")
    fixed = (found.group("before") + straight_quoted(inner)).strip()
    whose = f"the value of '{found.group('key')}'" if found.group("key") else "this value"
    kind, other = ("single", "an apostrophe") if quote == "'" else ("double", "a double quote")
    fix = (f"Write each {quote} inside it twice ({quote}{quote}): {fixed}" if fixed.endswith(quote)
           else f"Quote it with the other kind of quote: {fixed}")
    return YamlProblem(Mark(index + 1 + offset, end + 1),
                       f"{whose} is in {kind} quotes ({quote}) and holds {other} ({quote}) that ends it early", fix)


def _syntax_fix(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "A value with ': ' in it must be quoted, e.g. title: \"Cork: a city of festivals\"."
    if "found character '\\t'" in problem:
        return "Indent with spaces, not tabs."
    if "could not find expected ':'" in problem:
        return "Each line must be 'key: value'; check the line above for a missing colon or an unclosed quote."
    return "Check quotes, colons and indentation on this line and the one before it."


class _Walker:
    def __init__(self, doc: Document, line_offset: int, text: str, name: str):
        self.doc = doc
        self.offset = line_offset
        self.text = text
        self.lines: list[str] | None = None  # split only when a message needs a line's text
        self.name = name
        self.nodes = 0
        self.problem: YamlProblem | None = None
        self.top: Mark | None = None  # the top-level key being read (aliases point elsewhere)

    def line(self, index: int) -> str:
        if self.lines is None:
            self.lines = LINE_BREAK.split(self.text)
        return _line(self.lines, index)

    def mark_of(self, node) -> Mark:
        return Mark(node.start_mark.line + 1 + self.offset, node.start_mark.column + 1)

    def fail(self, node, message, fix="") -> None:
        if self.problem is None:
            self.problem = YamlProblem(self.mark_of(node), message, fix)

    def walk(self, node, path: tuple, depth: int):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooBig(f"YAML expands to more than {MAX_NODES:,} values (anchors and aliases?)",
                          self.top or self.mark_of(node))
        if depth > MAX_DEPTH:
            raise _TooBig(f"YAML is nested more than {MAX_DEPTH} levels deep", self.top or self.mark_of(node))
        if node.tag not in _PLAIN_TAGS:
            self.fail(node, f"YAML tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
                      "Remove the tag: front matter holds plain text, lists and mappings.")
            return None
        self.doc.marks.setdefault(path, self.mark_of(node))
        self.doc.value_marks.setdefault(path, self.mark_of(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:null" and not node.style:  # plain: None (Python) or "" (libyaml)
                return None
            if not node.style and node.value[:1] in TYPOGRAPHIC_QUOTES:
                self.cut_by_comment(node, path)
            return node.value
        if isinstance(node, yaml.SequenceNode):
            return [self.walk(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.fail(key_node, "a key must be plain text", "Write keys as simple words, e.g. 'title:'.")
                continue
            if key_node.tag not in _PLAIN_TAGS:
                self.fail(key_node, f"YAML tag {key_node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed",
                          "Remove the tag: keys are simple words, e.g. 'title:'.")
                continue
            key = key_node.value
            if not key_node.style and key[:1] in TYPOGRAPHIC_QUOTES and key[-1:] not in TYPOGRAPHIC_QUOTES \
                    and key_node.start_mark.line == value_node.start_mark.line:
                self.quoted_colon(key_node)
                continue
            if _CONTROL.search(key):
                self.fail(key_node, "a key holds an invisible control character",
                          "Retype the key: keys are simple words, e.g. 'title:'.")
                continue
            if key in result:
                first = self.doc.marks[path + (key,)]
                self.fail(key_node, f"key '{key}' appears twice (first on line {first.line})",
                          "Keep one of the two lines.")
                continue
            self.doc.marks[path + (key,)] = self.mark_of(key_node)
            if not path:
                self.top = self.mark_of(key_node)
            result[key] = self.walk(value_node, path + (key,), depth + 1)
        return result

    def cut_by_comment(self, node, path: tuple) -> None:
        """A value in typographic quotes that YAML ended at ' #': the rest of the line, closing quote and all,
        became a comment. Refused, so a title is never silently shorter than the author wrote it. (A value
        that ends with its closing quote before the ' #' keeps its comment: `title: “Cork” # note`.)"""
        if node.value[-1] in TYPOGRAPHIC_QUOTES and len(node.value) > 1:
            return
        end = node.end_mark
        rest = self.line(end.line)[end.column:]
        if not re.match(r"[ \t]+#", rest) or not TYPOGRAPHIC_QUOTES.intersection(rest):
            return
        start = node.start_mark
        value = node.value + rest.rstrip()
        prefix = self.line(start.line)[:start.column]
        key = path[-1] if path and isinstance(path[-1], str) else None
        whose = f"the value of '{key}'" if key else "a value"
        self.fail(node, f"{whose} starts with a typographic quote ({value[0]}), which is not a YAML quote, so YAML "
                        "reads everything from ' #' on as a comment and drops it",
                  _wrap_fix((prefix + straight_quoted(value)).strip(), value))

    def quoted_colon(self, key_node) -> None:
        """`- “Literacy: reading”` read as a mapping: the author meant one text in typographic quotes."""
        start = key_node.start_mark
        line = self.line(start.line)
        value = line[start.column:].rstrip()
        self.fail(key_node, f"a value starts with a typographic quote ({value[:1]}), which is not a YAML quote, "
                            f"so its ': ' breaks {self.name}",
                  _wrap_fix((line[:start.column] + straight_quoted(value)).strip(), value))
