"""Reading YAML the way authors mean it: every scalar stays text, every value keeps its line.

YAML 1.1 turns `NO` into false, `012` into 10 and `2020-13-45` into a crash
with no file or line. This module composes the YAML node tree (PyYAML's safe
composer: no object is ever constructed) and walks it into plain dicts, lists
and strings, recording where each value stands. Typing is left to `schema`.
Tags that construct objects, duplicate keys, alias bombs and runaway nesting
are refused with a located message.
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


def parse(text: str, line_offset: int = 0) -> tuple[Document | None, YamlProblem | None]:
    """Parse one YAML document. Returns (document, None) or (None, problem)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.reader.ReaderError:
        return None, _unprintable(text, line_offset)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Mark(mark.line + 1 + line_offset, mark.column + 1) if mark else Mark(line_offset + 1, 1)
        what = exc.problem or exc.context or "is not valid YAML"
        return None, YamlProblem(where, f"YAML syntax error: {what}", _syntax_fix(what))
    except yaml.YAMLError as exc:
        return None, YamlProblem(Mark(line_offset + 1, 1), f"YAML error: {exc}")
    except RecursionError:
        return None, YamlProblem(Mark(line_offset + 1, 1), "YAML is nested too deeply", "Flatten the structure.")
    doc = Document(None)
    if root is None:
        return doc, None
    walker = _Walker(doc, line_offset)
    try:
        doc.value = walker.walk(root, (), 0)
    except _TooBig as exc:
        return None, YamlProblem(exc.mark, str(exc), "Write the values out plainly, without anchors and aliases.")
    if walker.problem:
        return None, walker.problem
    return doc, None


def _unprintable(text: str, line_offset: int) -> YamlProblem:
    """The located message for a character YAML cannot read (control characters, mostly)."""
    found = UNPRINTABLE.search(text)
    if found is None:  # the reader refused something we cannot point at
        return YamlProblem(Mark(line_offset + 1, 1), "YAML error: the text holds a character YAML cannot read",
                           "Retype the line in a plain text editor.")
    start = found.start()
    line = text.count("\n", 0, start) + 1 + line_offset
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return YamlProblem(Mark(line, column),
                       f"the front matter holds an invisible control character (U+{ord(found.group()):04X})",
                       "Delete it: retype the value, or paste it as plain text (it often comes from copying "
                       "out of a PDF or a word processor).")


def _syntax_fix(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "A value with ': ' in it must be quoted, e.g. title: \"Cork: a city of festivals\"."
    if "found character '\\t'" in problem:
        return "Indent with spaces, not tabs."
    if "could not find expected ':'" in problem:
        return "Each line must be 'key: value'; check the line above for a missing colon or an unclosed quote."
    return "Check quotes, colons and indentation on this line and the one before it."


class _Walker:
    def __init__(self, doc: Document, line_offset: int):
        self.doc = doc
        self.offset = line_offset
        self.nodes = 0
        self.problem: YamlProblem | None = None
        self.top: Mark | None = None  # the top-level key being read (aliases point elsewhere)

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
