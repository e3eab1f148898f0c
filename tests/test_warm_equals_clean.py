"""A warm build equals a clean build after any sequence of author actions (property-based).

Hypothesis drives a state machine over a site of 60 case studies (the
issue's floor: several list pages, and about 230 pages and files to render,
above the parallel threshold of 150): it adds, renames
and deletes case studies, edits every field an author writes, edits
site.yaml, adds, edits and removes template overrides and images. After each
step three builds must agree byte for byte: a warm `build` with its cache on
disk and one job, a `serve`-style session rendering on two processes, and a
clean build with no cache. Derandomized: CI runs the same 201 steps, in 4 runs, every time.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from conftest import ROOT, SITE_YAML, SiteFolder, builds_agree, case_study
from sitegen.build import pipeline
from sitegen.build.pipeline import PARALLEL_FROM
from sitegen.render.environment import CompiledTemplates

COUNTRIES = ["IR", "PL", "KR", "IE", "EG", "BR", "KE", "MX"]
THEMES = ["health-wellbeing", "literacy", "equity-inclusion"]
START = 60  # case studies at the start: three list pages, about 230 files from templates
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
OVERRIDES = {
    "partials/card.html": '{% macro card(item, level=2) %}<article class="card"><h{{ level }}>'
                          '<a href="{{ url(item.path) }}">{{ item.title }}</a></h{{ level }}>'
                          '<p>{{ item.city }} · {{ item.country.name }}{{ suffix }}</p></article>{% endmacro %}\n',
    "themes.html": '{% extends "base.html" %}{% block main %}<ul>{% for g in themes %}<li>{{ g.theme.name }}: '
                   '{{ g.studies[0].title if g.studies else "none" }}{{ suffix }}</li>{% endfor %}</ul>{% endblock %}\n',
    "partials/macros.html": '{% macro counted(n, one, many) %}{{ n }}&nbsp;{{ one if n == 1 else many }}{{ suffix }}'
                            '{% endmacro %}\n',
}
titles = st.sampled_from(["A reading festival", "Health on TV", "Learning at home", "Libraries for all",
                          "Night school", "Green skills"])
dates = st.dates(min_value=__import__("datetime").date(2015, 1, 1), max_value=__import__("datetime").date(2024, 12, 31))


class AuthorActions(RuleBasedStateMachine):
    """The state: a content folder (`studies`: slug -> front matter) and three output folders."""

    @initialize()
    def start(self):
        memory = Path("/dev/shm")  # a folder in memory where there is one: this test writes and deletes a lot
        self.root = Path(tempfile.mkdtemp(prefix="sitegen-warm-", dir=memory if memory.is_dir() else None))
        self.site = SiteFolder(self.root / "content")
        self.studies: dict[str, dict] = {}
        for i in range(START):
            self.save(f"study-{i:03d}", {"title": f"Case study {i}", "city": f"City {i % 40}",
                                         "country": COUNTRIES[i % len(COUNTRIES)],
                                         "themes": f"[{THEMES[i % 3]}]", "date": f"20{10 + i % 14}-0{1 + i % 9}-1{i % 9}",
                                         "summary": f"What city {i} did."})
        self.site.write("pages/about.md", "---\ntitle: About\nmenu: 1\n---\n\nSee [one](../case-studies/study-001.md).\n")
        self.counter = START
        # Compiled templates, which Jinja keys on their source: the warm builds share a store, as a
        # process running many builds may, and the clean builds one of their own; the session keeps
        # its own, as `serve` does.
        self.warm_compiled, self.clean_compiled = CompiledTemplates(), CompiledTemplates()
        self.session = pipeline.Session(self.options(self.root / "session", jobs=2, parallel_from=1, cache=False,
                                                     compiled=None))

    def teardown(self):
        shutil.rmtree(self.root, ignore_errors=True)

    def options(self, output: Path, jobs: int = 1, cache: bool = True, **extra) -> pipeline.BuildOptions:
        extra.setdefault("compiled", self.warm_compiled if cache else self.clean_compiled)
        # No search index: it is made from the pages' bytes alone (write/search.py keys it on them), so
        # equal pages give an equal index; tests/test_search.py builds it warm and clean and compares.
        extra.setdefault("search", False)
        return pipeline.BuildOptions(content=self.site.root, output=output, templates=ROOT / "templates",
                                     cache_dir=self.root / ".cache" if cache else None, jobs=jobs, **extra)

    def save(self, slug: str, fields: dict, body: str | None = None) -> None:
        self.studies[slug] = dict(fields)
        text = body if body is not None else f"What happened in {fields['city']}.\n\n## Context\n\nMore text.\n"
        self.site.write(f"case-studies/{slug}.md", case_study(**fields, body=text))

    def pick(self, data) -> str:
        return data.draw(st.sampled_from(sorted(self.studies)))

    # ------------------------------------------------------------ author actions

    @rule(title=titles, country=st.sampled_from(COUNTRIES), date=dates)
    def add(self, title, country, date):
        self.counter += 1
        self.save(f"new-{self.counter}", {"title": title, "city": "Newtown", "country": country,
                                          "themes": "[literacy]", "date": date.isoformat()})

    @rule(data=st.data())
    def rename(self, data):
        slug = self.pick(data)
        self.counter += 1
        new = f"renamed-{self.counter}"
        (self.site.root / f"case-studies/{slug}.md").rename(self.site.root / f"case-studies/{new}.md")
        self.studies[new] = self.studies.pop(slug)

    @rule(data=st.data())
    def delete(self, data):
        if len(self.studies) > START // 2:
            slug = self.pick(data)
            (self.site.root / f"case-studies/{slug}.md").unlink()
            del self.studies[slug]

    @rule(data=st.data(), key=st.sampled_from(["title", "date", "country", "themes", "summary", "draft", "city"]))
    def edit_field(self, data, key):
        slug = self.pick(data)
        fields = dict(self.studies[slug])
        fields[key] = data.draw({
            "title": titles, "date": dates.map(lambda d: d.isoformat()), "country": st.sampled_from(COUNTRIES),
            "themes": st.lists(st.sampled_from(THEMES), min_size=1, max_size=3, unique=True).map(
                lambda ts: "[" + ", ".join(ts) + "]"),
            "summary": st.sampled_from([None, "A new summary.", "Another one."]),
            "draft": st.sampled_from([None, "true", "false"]), "city": st.sampled_from(["Kashan", "Cork", "Gdynia"]),
        }[key])
        self.save(slug, fields)

    @rule(data=st.data(), words=st.sampled_from(["Fresh text.", "See [another](study-002.md#context).",
                                                 "A *new* paragraph.", "Gone."]))
    def edit_body(self, data, words):
        slug = self.pick(data)
        self.save(slug, self.studies[slug], body=f"{words}\n\n## Context\n\nMore text.\n")

    @rule(title=st.sampled_from(["Test Showcase", "Learning Cities", "Cities that learn"]))
    def edit_site_yaml(self, title):
        self.site.write("site.yaml", SITE_YAML.replace("title: Test Showcase", f"title: {title}"))

    @rule(name=st.sampled_from(sorted(OVERRIDES)), suffix=st.sampled_from(["", "!", "."]))
    def override_template(self, name, suffix):
        self.site.write(f"templates/{name}", OVERRIDES[name].replace("{{ suffix }}", suffix))

    @rule(name=st.sampled_from(sorted(OVERRIDES)))
    def remove_override(self, name):
        (self.site.root / "templates" / name).unlink(missing_ok=True)

    @rule(data=st.data())
    def add_image(self, data):
        slug = self.pick(data)
        self.site.write(f"case-studies/{slug}.gif", GIF)
        fields = dict(self.studies[slug], image=f"{slug}.gif", image_alt="A drawing")
        self.save(slug, fields)

    @rule(data=st.data())
    def remove_image(self, data):
        with_image = sorted(s for s, f in self.studies.items() if f.get("image"))
        if with_image:
            slug = data.draw(st.sampled_from(with_image))
            fields = {k: v for k, v in self.studies[slug].items() if k not in ("image", "image_alt")}
            self.save(slug, fields)
            (self.site.root / f"case-studies/{slug}.gif").unlink()

    # ------------------------------------------------------------ the property

    @invariant()
    def warm_builds_equal_a_clean_build(self):
        expected = builds_agree(self.root, self.options, self.session)
        assert expected is None or len([p for p in expected if not p.startswith("static/")]) > PARALLEL_FROM \
            or len(self.studies) < START


# Hypothesis ends a run after a random number of steps (at most stateful_step_count): these settings
# give 201 steps in all (test_the_property_takes_at_least_200_steps counts them).
SETTINGS = settings(max_examples=4, stateful_step_count=68, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
AuthorActions.TestCase.settings = SETTINGS
test_warm_builds_equal_clean_builds = AuthorActions.TestCase


class CountedSteps(AuthorActions):
    """The same runs, each step counted instead of built."""

    steps = 0

    @invariant()
    def warm_builds_equal_a_clean_build(self):
        CountedSteps.steps += 1


def test_the_property_takes_at_least_200_steps():
    CountedSteps.TestCase.settings = SETTINGS
    CountedSteps.TestCase("runTest").runTest()
    runs = SETTINGS.max_examples
    assert CountedSteps.steps - runs >= 200, "an invariant is checked after each run's start and after each step"
