"""Work Python-Markdown repeats although its result is known, skipped without changing its output.

Three places, measured on the benchmark corpus (`benchmarks/`), together
about 40% of a conversion:

- The inline pass applies each inline pattern (code, escapes, links, images,
  autolinks, HTML, entities, line breaks, emphasis, footnotes) to every run
  of text, one regular-expression scan per pattern, even when the text holds
  none of the characters a match must contain. `SkippingInlineProcessor` is
  the stock processor with one change: it tries a pattern only when the text
  contains one of the pattern's *triggers*, strings every match contains.
- The block parser likewise asks every block processor (headings, rules,
  quotes, tables, footnote and link definitions...) whether it wants each
  block; a processor whose pattern needs a character the block lacks is
  told "no" at once.
- `Markdown.is_block_level`, asked over a million times per 10,000 documents,
  searches a list of some fifty tag names; here it looks in a set made from
  the same list once the extensions have added theirs.

The triggers were read off the patterns of Python-Markdown 3.11, which are
written out below: a processor whose pattern text differs (another version, an
extension's own) gets no triggers and is always tried, as without sitegen.
Tests convert the showcase, the benchmark corpus and generated Markdown with
and without these changes and compare the HTML byte for byte.
"""

from __future__ import annotations

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

    def run(self, tree, ancestors=None):
        self.plan = tuple((pattern, triggers(pattern)) for pattern in self.md.inlinePatterns)
        return super().run(tree, ancestors)

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
                for trigger in needed:
                    if trigger in data:
                        break
                else:  # no trigger in the text: the pattern cannot match
                    patternIndex, start = patternIndex + 1, 0
                    continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


def guard_block_processor(processor, needed: tuple[str, ...]) -> None:
    """Answer `test` with False at once when the block holds none of `needed`."""
    test = processor.test

    def guarded(parent, block: str) -> bool:
        for trigger in needed:
            if trigger in block:
                return test(parent, block)
        return False

    processor.test = guarded


def install(md) -> None:
    """Apply all three to `md`, a Markdown instance whose extensions are all loaded."""
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)  # the stock one's name and priority
    for processor in md.parser.blockprocessors:
        needed = block_triggers(processor)
        if needed is not None:
            guard_block_processor(processor, needed)
    block_level = frozenset(md.block_level_elements)

    def is_block_level(tag) -> bool:  # as Markdown.is_block_level, with a set
        return isinstance(tag, str) and tag.lower().rstrip("/") in block_level

    md.is_block_level = is_block_level
