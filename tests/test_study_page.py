"""What a case-study page offers besides its text ("On this page", its neighbours in its first theme,
more from its country), and how lists show case studies (cards, years); built from real files and read back."""

from __future__ import annotations

import re

from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.build import pipeline
from sitegen.render.views import cut_at_sentence


def build_site(site, tmp_path):
    out = tmp_path / "out"
    result = pipeline.build(pipeline.BuildOptions(content=site.root, output=out, templates=ROOT / "templates",
                                                  cache_dir=None))
    assert result.ok, result.report.as_text()
    return out


def page(out, slug: str) -> str:
    return (out / "case-studies" / slug / "index.html").read_text(encoding="utf-8")


def test_on_this_page_lists_the_sections_and_each_leads_to_its_heading(site, tmp_path):
    site.study("kashan-health-tv", body="Intro.\n\n## Context & aims\n\nText.\n\n### A detail\n\nMore.\n\n"
                                        "## What the city did\n\nText.\n")
    site.study("short", city="Giza", country="EG", body="One paragraph only.\n")
    out = build_site(site, tmp_path)
    html = page(out, "kashan-health-tv")
    nav = html.split('<nav class="on-this-page"', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="[^"#]+#([^"]+)">([^<]+)</a>', nav)
    assert [text for _, text in links] == ["Context &amp; aims", "What the city did"], "## headings only, escaped once"
    for anchor, _ in links:
        assert f'<h2 id="{anchor}">' in html
    assert "on-this-page" not in page(out, "short"), "no list for a text with fewer than two sections"


def test_the_trail_goes_through_the_first_theme_by_date(site, tmp_path):
    for n, date in enumerate(["2019-01-01", "2020-01-01", "2022-01-01"]):
        site.study(f"s{n}", title=f"Study {n}", date=date, themes="[literacy, health-wellbeing]")
    out = build_site(site, tmp_path)
    middle = page(out, "s1")
    trail = middle.split('<nav class="trail"', 1)[1].split("</nav>", 1)[0]
    assert "Literacy" in trail
    assert re.search(r'href="[^"]*/case-studies/s0/" rel="prev">Study 0<', trail)
    assert re.search(r'href="[^"]*/case-studies/s2/" rel="next">Study 2<', trail)
    assert 'rel="next"' not in page(out, "s2").split('<nav class="trail"', 1)[1].split("</nav>", 1)[0]


def test_more_from_the_country_leaves_out_what_related_shows(site, tmp_path):
    for n in range(9):
        site.study(f"iran-{n}", title=f"Iran {n}", date=f"2020-01-{n + 1:02d}")
    out = build_site(site, tmp_path)
    html = page(out, "iran-4")
    related = set(re.findall(r'<section class="wrap related".*?</section>', html, re.S)[0] and
                  re.findall(r'case-studies/(iran-\d)/', html.split('<section class="wrap related"', 1)[1]))
    more = html.split('<nav class="more-from"', 1)[1].split("</nav>", 1)[0]
    listed = re.findall(r'case-studies/(iran-\d|kashan-health-tv)/', more)
    assert listed and len(listed) <= 5 and "iran-4" not in listed and not set(listed) & related
    assert "All 10 case studies from Iran" in more


@settings(derandomize=True, max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab .!?,;:。؟") + ["word", "Kashan", ". ", "? "]), max_size=200).map("".join),
       st.integers(min_value=10, max_value=300))
def test_a_card_summary_is_whole_sentences_or_whole_words_within_its_limit(text, limit):
    cut = cut_at_sentence(text, limit)
    if len(text) <= limit:
        assert cut == text
        return
    assert len(cut) <= limit
    if cut.endswith("…"):
        kept = cut[:-1]
        assert text.startswith(kept)
        assert kept == "" or len(kept) < limit and (text[len(kept)] in " ,;:" or kept == text[:limit - 1])
    else:
        assert text.startswith(cut) and cut.endswith(tuple(".!?。؟")) and len(cut) >= limit // 3
        assert text[len(cut):len(cut) + 1] in (" ", "") or cut.endswith("。")


def test_cards_leave_off_the_chip_of_the_page_they_are_on_and_the_pager_shows_years(site, tmp_path):
    for n in range(30):
        site.study(f"s{n:02d}", title=f"Study {n}", date=f"{2000 + n}-05-01", themes="[literacy, health-wellbeing]",
                   summary="First sentence here. " + "Second sentence, which runs on and on. " * 8)
    out = build_site(site, tmp_path)
    literacy = (out / "themes" / "literacy" / "index.html").read_text(encoding="utf-8")
    cards = literacy.split('<ul class="cards">', 1)[1]
    assert "themes/literacy/" not in cards.split("</ul>\n</nav>")[0].split('class="pager"')[0]
    assert "themes/health-wellbeing/" in cards and "countries/iran/" in cards
    iran = (out / "countries" / "iran" / "index.html").read_text(encoding="utf-8")
    assert "chip-country" not in iran
    summaries = re.findall(r'<p class="card-summary">([^<]*)</p>', literacy)
    assert summaries and all(len(s) <= 220 and s.endswith(".") for s in summaries)
    listing = (out / "case-studies" / "index.html").read_text(encoding="utf-8")
    assert "Page 1 of 2: 2029–2007" in listing  # 24 a page: 2029 down to 2007, and the 2021 one
    years = re.findall(r'<nav class="years".*?</nav>', listing, re.S)[0]
    assert re.search(r'href="[^"]*/case-studies/page/2/#sg-year-2000">2000<', years)
    assert 'id="sg-year-2029"' in listing
