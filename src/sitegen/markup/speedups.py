"""Work Python-Markdown repeats although its result is known, skipped without changing its output.

Three places, measured on the benchmark corpus (`benchmarks/`), together
about 40% of a conversion, plus work that grows faster than the text
(measured on `benchmarks/adversarial.py`):

- The inline pass applies each inline pattern (code, escapes, links, images,
  autolinks, HTML, entities, line breaks, emphasis, footnotes) to every run
  of text, one regular-expression scan per pattern, even when the text holds
  none of the characters a match must contain. `SkippingInlineProcessor` is
  the stock processor with one change: it tries a pattern only when the text
  contains one of the pattern's *triggers*, strings every match contains,
  after the place its search starts (so a text of many matches is read once,
  not once per match).
- The block parser likewise asks every block processor (headings, rules,
  quotes, tables, footnote and link definitions...) whether it wants each
  block; a processor whose pattern needs a character the block lacks is
  not asked (`skipping_parse_blocks`). The processors take each block from
  the front of the list of blocks, which moves all the others: a text of
  100,000 paragraphs took seconds in that alone. They get a `BlockQueue`
  (a deque that answers like a list) instead.
- `Markdown.is_block_level`, asked over a million times per 10,000 documents,
  searches a list of some fifty tag names; here it looks in a set kept beside
  that list (`BlockLevelElements`), updated whenever the list changes.

What they rely on: Python-Markdown's private inline loop
(`InlineProcessor.__handleInline`) and the patterns of Python-Markdown 3.11,
written out below. `install` does nothing outside 3.11.x (`SUPPORTED`), so
another release runs stock; within it, a processor whose pattern text differs
(an extension's own) gets no triggers and is always tried, as without sitegen.
What the registries and the tag list hold is read when it is used, not when
`install` runs: patterns, processors and block-level tags that extensions add
later count as they do in stock Python-Markdown.

Nothing here adds a stack frame where Python-Markdown recurses:
`BlockQuoteProcessor` stops nesting quotes by the depth of the stack
(`util.nearing_recursion_limit`), so a wrapper around a processor's `test`
would move the level where deep quotes stop.

Tests convert the showcase, the benchmark corpus, generated Markdown and
deeply nested quotes and lists with and without these changes and compare the
HTML byte for byte; scripts/markdown_upstream_tests.py runs Python-Markdown's
own test suite with them installed.
"""

from __future__ import annotations

import collections

import markdown
from markdown import blockprocessors, inlinepatterns, util
from markdown.extensions.footnotes import FootnoteBlockProcessor
from markdown.extensions.tables import TableProcessor
from markdown.treeprocessors import InlineProcessor

# Inline pattern, as Python-Markdown 3.11 writes it -> strings one of which every match contains.
INLINE_TRIGGERS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code
    r"\\(.)": ("\\",),  # escaped character
    r"(?<!\!)\[": ("[",),  # link, reference, short reference
    r"\!\[": ("![",),  # image, image reference
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),  # autolink
    r"<([^<> !]+@[^@<> ]+)>": ("<",),  # e-mail autolink
    r"""(<(\/?+[a-zA-Z][^\s"'<>@]*+(?:\s+[^\s"'=<>]++(?:\s*+=\s*+(?:"[^"]*+"|'[^']*+'|[^\s"'=<>]++))?+)*+\s*+/?"""
    r"""|!--(?:(?!<!--|-->).)*--|[?](?:(?!<[?]|[?]>).)*[?]|!\[CDATA\[(?:(?!<!\[CDATA\[|\]\]>).)*\]\])>)""": ("<",),
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),  # entity
    r"  \n": ("  \n",),  # line break
    r"\[\^([^\]]*)\]": ("[^",),  # footnote reference
}

# Block processor class and its pattern (3.11) -> strings one of which a block it takes contains.
BLOCK_TRIGGERS: dict[tuple[type, str | None], tuple[str, ...]] = {
    (blockprocessors.HashHeaderProcessor,
     r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"): ("#",),
    (blockprocessors.SetextHeaderProcessor, r"^.*?\n(?:=+|-+)[ ]*(\n|$)"): ("\n=", "\n-"),
    (blockprocessors.HRProcessor,
     r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$"):
        ("-", "_", "*"),
    (blockprocessors.BlockQuoteProcessor, r"(^|\n)[ ]{0,3}>[ ]?(.*)"): (">",),
    # these two say yes to every block and give it back unchanged when their pattern is absent
    (blockprocessors.ReferenceProcessor,
     r"""^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$"""):
        ("]:",),
    (FootnoteBlockProcessor, r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"): ("[^",),
    (TableProcessor, None): ("|",),  # no pattern: a table's first row has a pipe
}


# Python-Markdown releases the private internals and patterns above were read from: 3.11.x.
SUPPORTED = ((3, 11), (3, 12))  # from, and up to but not including


def supported(version_info: tuple) -> bool:
    """Whether a Python-Markdown of `version_info` (as `markdown.__version_info__`) is one sitegen speeds up."""
    low, high = SUPPORTED
    return low <= tuple(version_info[:2]) < high


def pattern_source(processor) -> str | None:
    """The regular expression an inline pattern or block processor uses, as text (None if it has none)."""
    pattern = getattr(processor, "pattern" if isinstance(processor, inlinepatterns.Pattern) else "RE", None)
    return getattr(pattern, "pattern", pattern)


def triggers(pattern) -> tuple[str, ...] | None:
    """What a text must contain for an inline `pattern` to match; None when unknown (always try it)."""
    delimiters = getattr(inlinepatterns, "DelimiterProcessor", None)
    if delimiters is not None and type(pattern) is delimiters and pattern.tokens:  # emphasis: * and _
        return tuple(pattern.tokens)
    return INLINE_TRIGGERS.get(pattern_source(pattern))


def block_triggers(processor) -> tuple[str, ...] | None:
    """What a block must contain for `processor` to take it; None when unknown (always ask it)."""
    return BLOCK_TRIGGERS.get((type(processor), pattern_source(processor)))


class SkippingInlineProcessor(InlineProcessor):
    """The stock inline treeprocessor, skipping each pattern whose triggers the text lacks."""

    @property
    def run(self):
        """The stock `run`, once the triggers of the patterns registered now are read.

        A property, not an override calling `super().run(...)`: the stock method then runs
        with no frame of sitegen's beneath it, as deep in the stack as without the speed-ups.
        """
        self.plan = tuple((pattern, triggers(pattern)) for pattern in self.inlinePatterns)
        return super().run

    # Python-Markdown's own loop (`InlineProcessor.__handleInline`), which its other
    # methods call by its private name, plus the trigger test.
    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern
        plan = self.plan
        start = 0
        while patternIndex < len(plan):
            pattern, needed = plan[patternIndex]
            if needed is not None:
                for trigger in needed:  # looked for only where the pattern's search starts: linear
                    if data.find(trigger, start) >= 0:  # in a text of many matches, not quadratic
                        break
                else:  # no trigger in the rest of the text: the pattern cannot match there
                    patternIndex, start = patternIndex + 1, 0
                    continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def skipping_parse_blocks(parser):
    """`parser.parseBlocks` that does not ask a processor about a block lacking all its triggers.

    The processors and their triggers are read from `parser.blockprocessors` at each call
    (each document, each quote, each list item), and kept while the registry holds the same
    processors in the same order.
    """
    plans: dict[tuple, tuple] = {}  # the processors, in order -> (processor, triggers) pairs

    # Python-Markdown's loop (`BlockParser.parseBlocks`) plus the trigger test, replacing the
    # method rather than wrapping it or the processors' `test`: the stack stays as deep as in
    # stock Python-Markdown, whose BlockQuoteProcessor measures it.
    def parseBlocks(parent, blocks: list[str]) -> None:
        if type(blocks) is list:  # processors take blocks from the front: a list moves all the others each time
            queue = BlockQueue(blocks)
            blocks.clear()  # the caller's list ends up consumed, as the stock loop leaves it
            blocks = queue
        processors = tuple(parser.blockprocessors)
        plan = plans.get(processors)
        if plan is None:
            plans.clear()
            plan = plans[processors] = tuple((processor, block_triggers(processor)) for processor in processors)
        while blocks:
            for processor, needed in plan:
                if needed is not None:
                    block = blocks[0]
                    for trigger in needed:
                        if trigger in block:
                            break
                    else:  # none of its triggers: the processor would say no
                        continue
                if processor.test(parent, blocks[0]):
                    if processor.run(parent, blocks) is not False:
                        break

    return parseBlocks


class BlockQueue(collections.deque):
    """The blocks `parseBlocks` hands its processors, as a deque: `pop(0)` and `insert(0, ...)`, which every
    processor uses, take constant time, not time in proportion to the blocks left (quadratic over a
    text of many paragraphs). What processors ask of the list (`blocks[0]`, `pop(0)`, `insert(0, b)`,
    `len`, truth) it answers as a list does."""

    def pop(self, index: int = -1):
        if index == 0:
            return self.popleft()
        if index == -1:
            return super().pop()
        if not -len(self) <= index < len(self):
            raise IndexError("pop index out of range")
        value = self[index]
        del self[index]
        return value


class BlockLevelElements(list):
    """`Markdown.block_level_elements`, still a list extensions may change, with its tags as a set in `members`."""

    def __init__(self, tags=()):
        super().__init__(tags)
        self.members = frozenset(self)

    def _keeping_members(change):
        def changed(self, *args):
            result = change(self, *args)
            self.members = frozenset(self)
            return result

        changed.__name__ = change.__name__
        return changed

    append, extend, insert, remove, pop, clear = map(
        _keeping_members, (list.append, list.extend, list.insert, list.remove, list.pop, list.clear))
    __setitem__, __delitem__, __iadd__, __imul__ = map(
        _keeping_members, (list.__setitem__, list.__delitem__, list.__iadd__, list.__imul__))
    del _keeping_members


def fast_is_block_level(md):
    """`md.is_block_level` looking in the set of `md.block_level_elements` as it is at each call."""

    def is_block_level(tag) -> bool:  # as Markdown.is_block_level
        if not isinstance(tag, str):
            return False
        tags = md.block_level_elements
        members = tags.members if type(tags) is BlockLevelElements else tags  # a list put in its place: search it
        return tag.lower().rstrip("/") in members

    return is_block_level


def install(md) -> bool:
    """Apply all three to `md`, a Markdown instance whose extensions are loaded; False (nothing
    changed, stock Python-Markdown runs) when the installed Python-Markdown is not one of `SUPPORTED`."""
    if not supported(markdown.__version_info__):
        return False
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)  # the stock one's name and priority
    md.parser.parseBlocks = skipping_parse_blocks(md.parser)
    md.block_level_elements = BlockLevelElements(md.block_level_elements)
    md.is_block_level = fast_is_block_level(md)
    return True
