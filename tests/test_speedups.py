"""Python-Markdown with sitegen's speed-ups writes exactly what it writes without them.

`sitegen.speedups` replaces the inline treeprocessor with one that skips
patterns whose trigger characters a text lacks, lets block processors turn a
block down at once when it lacks theirs, and looks block-level tags up in a
set. These tests convert the bundled showcase, the benchmark corpus and
generated Markdown dense in every inline and block construct both ways and
compare the HTML byte for byte; and they check that the skipping really
happens, so a Python-Markdown that renamed the hook would be noticed rather
than silently slow.
"""

from __future__ import annotations

import re
import sys
import xml.etree.ElementTree

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import InlineProcessor

from conftest import ROOT
from sitegen.markup import convert as markup
from sitegen.markup import speedups
from sitegen.model import urls
from sitegen.markup.typography import TypographyExtension

sys.path.insert(0, str(ROOT / "benchmarks"))
import corpus  # noqa: E402

EXTENSIONS = ["tables", "footnotes", "fenced_code", "attr_list", "toc", "abbr", "def_list"]


def converter(skipping: bool) -> markdown.Markdown:
    md = markdown.Markdown(extensions=EXTENSIONS + [TypographyExtension()],
                           extension_configs={"toc": {"slugify": slugify_unicode}})
    if skipping:
        speedups.install(md)
    return md


STOCK, SKIPPING = converter(False), converter(True)


def both(text: str) -> tuple[str, str]:
    STOCK.reset()
    SKIPPING.reset()
    return STOCK.convert(text), SKIPPING.convert(text)


def test_the_stock_processor_still_has_the_loop_sitegen_overrides():
    assert callable(getattr(InlineProcessor, "_InlineProcessor__handleInline", None))
    assert callable(getattr(InlineProcessor, "_InlineProcessor__applyPattern", None))
    assert isinstance(SKIPPING.treeprocessors["inline"], speedups.SkippingInlineProcessor)


def test_every_pattern_and_block_processor_that_can_be_skipped_has_triggers():
    """Without triggers a pattern is tried every time: correct but slow. The site's converter has them all."""
    md = markup.Converter(urls.Urls("https://example.org/"), {}, frozenset()).md
    assert [type(p).__name__ for p in md.inlinePatterns if speedups.triggers(p) is None] == []
    unguarded = [type(p).__name__ for p in md.parser.blockprocessors if speedups.block_triggers(p) is None]
    # these look at the first characters only, or take every block: nothing to skip
    assert unguarded == ["EmptyBlockProcessor", "ListIndentProcessor", "CodeBlockProcessor", "OListProcessor",
                         "UListProcessor", "ParagraphProcessor"]


def test_a_pattern_unlike_the_one_the_triggers_were_read_from_gets_none():
    class Changed(markdown.blockprocessors.HashHeaderProcessor):
        pass

    md = markdown.Markdown()
    changed = markdown.blockprocessors.HashHeaderProcessor(md.parser)
    changed.RE = re.compile(r"(?:^|\n)(?P<level>=+)(?P<header>.*)")
    assert speedups.block_triggers(changed) is None
    assert speedups.block_triggers(Changed(md.parser)) is None
    assert speedups.triggers(markdown.inlinepatterns.SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del")) is None


def test_plain_text_tries_no_pattern_at_all():
    tried = []
    processor = SKIPPING.treeprocessors["inline"]
    original = processor._InlineProcessor__applyPattern
    processor._InlineProcessor__applyPattern = lambda *a: tried.append(a[0]) or original(*a)
    try:
        SKIPPING.reset()
        assert SKIPPING.convert("Plain words, nothing more.") == "<p>Plain words, nothing more.</p>"
        SKIPPING.reset()
        assert SKIPPING.convert("Some `code` here.") == "<p>Some <code>code</code> here.</p>"
    finally:
        del processor._InlineProcessor__applyPattern
    # once: after the match the text holds no backtick, so even code is not tried twice
    assert [type(p).__name__ for p in tried] == ["BacktickInlineProcessor"]


def test_the_showcase_converts_the_same():
    files = sorted((ROOT / "content").rglob("*.md"))
    assert len(files) > 30
    for path in files:
        stock, skipping = both(path.read_text(encoding="utf-8"))
        assert skipping == stock, path


def test_the_benchmark_corpus_converts_the_same(tmp_path):
    content = corpus.write_corpus(tmp_path / "content", 200)
    for path in sorted((content / "case-studies").glob("*.md")):
        stock, skipping = both(path.read_text(encoding="utf-8").split("---\n", 2)[2])
        assert skipping == stock, path


INLINE_TOKENS = [
    "*", "**", "***", "_", "__", "`", "``", "\\", "\\*", "\\`", "[", "]", "(", ")", "![", "!", "<", ">", "&",
    "&amp;", "&#35;", "&#x41;", "&nope", "  \n", "\n", "\n\n", "[^1]", "\n\n[^1]: A note.\n", "[^x]",
    "<b>", "</b>", "<span title='a>b'>", "<!-- c -->", "<http://example.org/a_b>", "<me@example.org>",
    "[a](b.md)", "[a](<c d.md> \"t\")", "[a][r]", "[r]", "\n\n[r]: http://example.org/r\n", "![i](p.jpg)",
    "![i][r]", "*a*", "_a_", "**b**", "__b__", "a_b_c", "snake_case_name", "`a*b`", "``a`b``", "'", '"', "...",
    "--", "---", "# ", "## H ", "- ", "1. ", "> ", "    ", "```\n", "|", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "{: #id .c }", "*[HTML]: Hyper Text\n", "HTML", "Term\n: Definition\n", "word", " ", "é", "日本", "مرحبا",
    "\n\n<div>\n", "\n</div>\n\n", "<DIV class=x>", "<p>raw</p>", "<hr/>", "<br/>", "<section>", "</section>",
    "<custom-tag>", "<pre>", "</pre>", "<table><tr><td>", "\n===\n", "\n---\n", "\n***\n", "\n_ _ _\n", "\n> ",
    "\n>> ", "\n[^2]: Note\n    more\n", "\n[id]: http://example.org/ 'Title'\n", "\n| x |\n|---|\n", "|:-:|",
    "\n    indented\n", "\n* star\n", "\n+ plus\n", "\n2. two\n", "\n###### six\n", "#", "\n\na|b\n-|-\n1|2\n", "\n[x]:http://e.org\n",
]


@settings(max_examples=1500, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(INLINE_TOKENS) | st.text(max_size=8), max_size=50).map("".join))
def test_generated_markdown_converts_the_same(text):
    stock, skipping = both(text)
    assert skipping == stock


@pytest.mark.parametrize("text", [
    "a  \nb", "1 < 2 & 3 > 2", "<a@b.co>", "[link](http://x.org) and ![img](y.png)", "**bold *nested* bold**",
    "`code with * and _`", "\\[not a link\\]", "Footnote[^1].\n\n[^1]: Note with *emphasis*.",
])
def test_each_construct_is_still_converted(text):
    stock, skipping = both(text)
    assert skipping == stock and skipping != f"<p>{text}</p>"


def test_block_level_tags_answer_as_before():
    tags = list(STOCK.block_level_elements) + [t.upper() for t in STOCK.block_level_elements] + [
        "p/", "DIV/", "span", "a", "em", "custom-tag", "", None, 3, xml.etree.ElementTree.Comment]
    assert [SKIPPING.is_block_level(t) for t in tags] == [markdown.Markdown.is_block_level(STOCK, t) for t in tags]
    assert SKIPPING.is_block_level("div") and not SKIPPING.is_block_level("span")
