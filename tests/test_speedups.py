"""Python-Markdown with sitegen's speed-ups writes exactly what it writes without them.

`sitegen.speedups` replaces the inline treeprocessor with one that skips
patterns whose trigger characters a text lacks, lets the block parser skip
processors whose triggers a block lacks, and looks block-level tags up in a
set. These tests convert the bundled showcase, the benchmark corpus and
generated Markdown dense in every inline and block construct both ways and
compare the HTML byte for byte; and they check that the skipping really
happens, so a Python-Markdown that renamed the hook would be noticed rather
than silently slow. They also check what must stay as in stock
Python-Markdown: outside 3.11.x nothing is installed; tags, patterns and
processors added after `install` count; quotes and lists nested close to the
recursion limit stop (or fail) at the same depth.
"""

from __future__ import annotations

import re
import sys
import tomllib
import xml.etree.ElementTree

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown.blockparser import BlockParser
from markdown.extensions.toc import slugify_unicode
from markdown.test_tools import recursionlimit
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


# Python-Markdown releases sitegen is not written against: the speed-ups must stay off.
OTHER_RELEASES = [(3, 10, 2, "final", 0), (3, 12, 0, "final", 0), (3, 12, 0, "beta", 1), (4, 0, 0, "final", 0)]


@pytest.mark.parametrize("version_info", OTHER_RELEASES)
def test_outside_the_supported_releases_stock_python_markdown_runs(monkeypatch, version_info):
    monkeypatch.setattr(markdown, "__version_info__", version_info)
    md = converter(False)
    assert speedups.install(md) is False
    assert type(md.treeprocessors["inline"]) is InlineProcessor
    assert "parseBlocks" not in vars(md.parser) and "is_block_level" not in vars(md)
    assert type(md.block_level_elements) is list
    site = markup.Converter(urls.Urls("https://example.org/"), {}, frozenset()).md
    assert type(site.treeprocessors["inline"]) is InlineProcessor and "parseBlocks" not in vars(site.parser)
    for path in sorted((ROOT / "content").rglob("*.md"))[:10]:
        text = path.read_text(encoding="utf-8")
        md.reset()
        STOCK.reset()
        assert md.convert(text) == STOCK.convert(text), path


@pytest.mark.parametrize("version_info", [(3, 11, 0, "final", 0), (3, 11, 3, "final", 0), (3, 11, 9, "rc", 1)])
def test_within_the_supported_releases_the_speedups_go_on(monkeypatch, version_info):
    monkeypatch.setattr(markdown, "__version_info__", version_info)
    md = converter(False)
    assert speedups.install(md) is True
    assert isinstance(md.treeprocessors["inline"], speedups.SkippingInlineProcessor)
    assert "parseBlocks" in vars(md.parser) and "is_block_level" in vars(md)


def test_pyproject_pins_markdown_to_the_supported_releases():
    """The range pip installs and the range the speed-ups switch on for are the same."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (pin,) = [d for d in pyproject["project"]["dependencies"] if re.match(r"markdown\b", d, re.I)]
    (low, high) = speedups.SUPPORTED
    assert pin.replace(" ", "").lower() == "markdown>={}.{},<{}.{}".format(*low, *high)
    assert speedups.supported(markdown.__version_info__), "the installed Python-Markdown is outside the pin"


CUSTOM_BLOCK = "<custom-tag>\n*not emphasis in a raw block*\n</custom-tag>\n\nText after."


def test_block_level_tags_added_after_setup_count_as_in_stock():
    stock, skipping = converter(False), converter(True)
    before = skipping.convert(CUSTOM_BLOCK)
    assert before == stock.convert(CUSTOM_BLOCK) and "<em>" in before
    for md in (stock, skipping):
        md.reset()
        md.block_level_elements.append("custom-tag")
    after = skipping.convert(CUSTOM_BLOCK)
    assert after == stock.convert(CUSTOM_BLOCK) and "<em>" not in after  # now a raw HTML block
    assert skipping.is_block_level("CUSTOM-TAG") and not converter(True).is_block_level("custom-tag")


@pytest.mark.parametrize("change", [
    lambda tags: tags.remove("div"),
    lambda tags: tags.pop(tags.index("div")),
    lambda tags: tags.__setitem__(tags.index("div"), "custom-tag"),
    lambda tags: tags.__delitem__(slice(0, None)),
    lambda tags: tags.clear(),
    lambda tags: tags.extend(["custom-tag"]),
    lambda tags: tags.insert(0, "custom-tag"),
    lambda tags: tags.__iadd__(["custom-tag"]),
    lambda tags: tags.__imul__(0),
], ids=["remove", "pop", "setitem", "delitem", "clear", "extend", "insert", "iadd", "imul"])
def test_every_change_to_the_block_level_list_counts(change):
    text = "<div>\n*a*\n</div>\n\n" + CUSTOM_BLOCK
    stock, skipping = converter(False), converter(True)
    for md in (stock, skipping):
        change(md.block_level_elements)
    assert skipping.block_level_elements == stock.block_level_elements
    assert skipping.block_level_elements.members == set(stock.block_level_elements)
    assert skipping.convert(text) == stock.convert(text)


def test_a_block_level_list_put_in_place_of_the_old_one_counts():
    stock, skipping = converter(False), converter(True)
    for md in (stock, skipping):
        md.block_level_elements = ["custom-tag"]
    assert skipping.convert(CUSTOM_BLOCK) == stock.convert(CUSTOM_BLOCK)
    assert skipping.is_block_level("custom-tag") and not skipping.is_block_level("div")


def test_md_in_html_sees_tags_added_after_setup():
    text = '<custom-tag markdown="1">\n*a*\n</custom-tag>'
    stock, skipping = (markdown.Markdown(extensions=["md_in_html"]) for _ in range(2))
    speedups.install(skipping)
    for md in (stock, skipping):
        md.block_level_elements.append("custom-tag")
    assert skipping.convert(text) == stock.convert(text) == "<custom-tag>\n<p><em>a</em></p>\n</custom-tag>"


def test_patterns_and_processors_registered_after_setup_are_used():
    class Shout(markdown.blockprocessors.BlockProcessor):
        def test(self, parent, block):
            return block.startswith("!!")

        def run(self, parent, blocks):
            xml.etree.ElementTree.SubElement(parent, "strong").text = blocks.pop(0)[2:]

    text = "!!loud\n\n> !!quoted\n\nsome ~~struck~~ words"
    stock, skipping = converter(False), converter(True)
    first = skipping.convert(text)
    assert first == stock.convert(text)
    for md in (stock, skipping):
        md.reset()
        md.parser.blockprocessors.register(Shout(md.parser), "shout", 200)
        md.inlinePatterns.register(markdown.inlinepatterns.SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del"), "del", 5)
    second = skipping.convert(text)
    assert second == stock.convert(text) != first
    assert "<strong>loud</strong>" in second and "<del>struck</del>" in second


def outcome(md: markdown.Markdown, text: str):
    try:
        return md.convert(text)
    except RecursionError:
        return RecursionError


DEEP = {
    "quotes": "> " * 40 + "x",
    "lists": "".join("    " * level + "- item\n" for level in range(40)),
    "lists in quotes": "".join("> " * level + "- a\n" for level in range(1, 40)),
    "quote, list, quote...": "> - " * 40 + "x",
    "list, quote, list...": "- > " * 40 + "x",
}


@pytest.mark.parametrize("name", DEEP)
def test_deep_nesting_stops_where_it_stops_in_stock(name):
    """BlockQuoteProcessor stops nesting 100 frames short of the recursion limit, and lists nest until
    RecursionError: with the limit at each of 100 depths, both ways nest exactly as deep."""
    text = DEEP[name]
    results = []
    for headroom in range(100, 200):  # one more frame each time: every depth a level can start at
        stock, skipping = converter(False), converter(True)
        with recursionlimit(headroom):
            results.append((outcome(stock, text), outcome(skipping, text)))
    assert [skipping == stock for stock, skipping in results] == [True] * len(results)
    depths = {-1 if html is RecursionError else html.count("<blockquote>") + html.count("<li>") for html, _ in results}
    assert len(depths) > 1  # the limit was reached, and not at every headroom


def nested(depth: int, call):
    return call() if depth == 0 else nested(depth - 1, call)


@pytest.mark.parametrize("extra_frames", range(4))
def test_quotes_stop_nesting_at_the_same_level_under_the_real_limit(extra_frames):
    text = "> " * (sys.getrecursionlimit() // 2) + "x"
    stock, skipping = converter(False), converter(True)
    html = nested(extra_frames, lambda: stock.convert(text))
    assert nested(extra_frames, lambda: skipping.convert(text)) == html
    assert 10 < html.count("<blockquote>") < sys.getrecursionlimit() // 2


def test_the_block_loop_sitegen_replaces_is_the_stock_one():
    """skipping_parse_blocks copies BlockParser.parseBlocks; the stock one still calls processors this way."""
    import inspect
    source = inspect.getsource(BlockParser.parseBlocks)
    assert "for processor in self.blockprocessors:" in source
    assert "if processor.test(parent, blocks[0]):" in source
    assert "if processor.run(parent, blocks) is not False:" in source
