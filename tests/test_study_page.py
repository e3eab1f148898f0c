"""What a case-study page offers besides its text: "On this page", its neighbours in its first theme,
and more from its country; built from real files and read back."""

from __future__ import annotations

import re

from conftest import ROOT

from sitegen.build import pipeline


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
