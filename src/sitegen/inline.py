"""Python-Markdown's inline pass, without trying patterns that cannot match.

Python-Markdown applies each of its inline patterns (code, escapes, links,
images, autolinks, HTML, entities, line breaks, emphasis, footnotes) to
every run of text, one regular-expression scan per pattern, even when the
text holds none of the characters a match must contain. On a case study
that pass is nearly half of the conversion. `SkippingInlineProcessor`
is the stock processor with one change: it tries a pattern only when the
text contains one of the pattern's *triggers*, strings that every match
contains. A pattern it knows no triggers for is always tried, so output is
the same as the stock processor's (tests compare the two).
"""

from __future__ import annotations

from markdown import inlinepatterns, util
from markdown.treeprocessors import InlineProcessor

FOOTNOTE_RE = r"\[\^([^\]]*)\]"  # the footnotes extension's pattern (defined inside its extendMarkdown)

# Pattern source -> strings one of which every match of that pattern contains. Keyed by
# the regular expression itself, so a pattern that a new Python-Markdown changes is
# simply tried every time, as the stock processor does.
TRIGGERS: dict[str, tuple[str, ...]] = {
    inlinepatterns.BACKTICK_RE: ("`",),
    inlinepatterns.ESCAPE_RE: ("\\",),
    inlinepatterns.LINK_RE: ("[",),  # also reference and short reference links
    inlinepatterns.IMAGE_LINK_RE: ("![",),  # also image references
    inlinepatterns.AUTOLINK_RE: ("<",),
    inlinepatterns.AUTOMAIL_RE: ("<",),
    inlinepatterns.HTML_RE: ("<",),
    inlinepatterns.ENTITY_RE: ("&",),
    inlinepatterns.LINE_BREAK_RE: ("  \n",),
    FOOTNOTE_RE: ("[^",),
}


def triggers(pattern) -> tuple[str, ...] | None:
    """What a text must contain for `pattern` to match; None when unknown (always try it)."""
    tokens = getattr(pattern, "tokens", None)  # emphasis: one processor for all its delimiters (* and _)
    if isinstance(tokens, list) and tokens and all(isinstance(t, str) and t for t in tokens):
        return tuple(tokens)
    return TRIGGERS.get(getattr(pattern, "pattern", None))


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


def install(md) -> None:
    """Put the skipping processor in the stock one's place (same name, same priority)."""
    md.treeprocessors.register(SkippingInlineProcessor(md), "inline", 20)
