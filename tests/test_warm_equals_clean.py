"""A warm build equals a clean build after any sequence of author actions (property-based).

Hypothesis drives a state machine over a site of 60 case studies (the
issue's floor: several list pages, and about 230 pages and files to render,
above the parallel threshold of 150): it adds, renames
and deletes case studies, edits every field an author writes, edits
site.yaml, adds, edits and removes template overrides and images. After each
step three builds must agree byte for byte: a warm `build` with its cache on
disk and one job, a `serve`-style session rendering on two processes, and a
clean build with no cache. Derandomized: CI runs the same 201 steps every time, in two tests of
five runs each (one machine under two seeds), which xdist runs side by side.

Every step changes the content folder, and every action runs: Hypothesis
leans towards the simplest choices and, in each run, leaves some rules out
altogether (swarm testing). With four long runs and actions that could find
nothing to do, 84 of the 205 checks once followed a step that changed
nothing, and four of the ten actions never ran (rename, site.yaml edits,
removing an override or an image), while adding an image ran 107 times,
mostly to a case study that had it already. The test that counts the
steps replays the runs without building and checks both. It replays these
very runs because the seed is set on each machine's class: derandomized,
Hypothesis seeds a machine from its class's source, so the subclass that
once counted the steps ran steps of its own.
"""

from __future__ import annotations

import collections
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from conftest import ROOT, SITE_YAML, SiteFolder, action, builds_agree, case_study, replay
from sitegen.build import pipeline
from sitegen.build.pipeline import PARALLEL_FROM
from sitegen.render.environment import CompiledTemplates

COUNTRIES = ["IR", "PL", "KR", "IE", "EG", "BR", "KE", "MX"]
THEMES = ["health-wellbeing", "literacy", "equity-inclusion"]
SEEDS = (11, 22)  # the two machines' and their replays' (see the docstring): each runs every action
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
FIELD_VALUES = {  # what an edit may write into each front-matter field (None: the line goes)
    "title": titles, "date": dates.map(lambda d: d.isoformat()), "country": st.sampled_from(COUNTRIES),
    "themes": st.lists(st.sampled_from(THEMES), min_size=1, max_size=3, unique=True).map(
        lambda ts: "[" + ", ".join(ts) + "]"),
    "summary": st.sampled_from([None, "A new summary.", "Another one."]),
    "draft": st.sampled_from([None, "true", "false"]), "city": st.sampled_from(["Kashan", "Cork", "Gdynia"]),
}
BODY_WORDS = ["Fresh text.", "See [another](study-002.md#context).", "A *new* paragraph.", "Gone."]
SITE_TITLES = ["Test Showcase", "Learning Cities", "Cities that learn"]
SUFFIXES = ["", "!", "."]
ACTIONS = ("add", "rename", "delete", "edit_field", "edit_body", "edit_site_yaml", "add_override", "edit_override",
           "remove_override", "add an image", "remove an image")


def body_text(words: str) -> str:
    return f"{words}\n\n## Context\n\nMore text.\n"


@seed(SEEDS[0])
class AuthorActions(RuleBasedStateMachine):
    """The state: a content folder (`studies`: slug -> front matter; `overrides`: template -> the suffix its
    copy writes; `site_title`) and three output folders."""

    done: collections.Counter = collections.Counter()  # what the actions did -> how often

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
        self.overrides: dict[str, str] = {}
        self.site_title = "Test Showcase"
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
    # Each action changes the content folder (the replay checks it): an action with nothing to act on
    # waits for its precondition, and an edit draws a value other than the one there.

    @rule(title=titles, country=st.sampled_from(COUNTRIES), date=dates)
    @action
    def add(self, title, country, date):
        self.counter += 1
        self.save(f"new-{self.counter}", {"title": title, "city": "Newtown", "country": country,
                                          "themes": "[literacy]", "date": date.isoformat()})

    @rule(data=st.data())
    @action
    def rename(self, data):
        slug = self.pick(data)
        self.counter += 1
        new = f"renamed-{self.counter}"
        (self.site.root / f"case-studies/{slug}.md").rename(self.site.root / f"case-studies/{new}.md")
        self.studies[new] = self.studies.pop(slug)

    @precondition(lambda self: len(self.studies) > START // 2)
    @rule(data=st.data())
    @action
    def delete(self, data):
        slug = self.pick(data)
        (self.site.root / f"case-studies/{slug}.md").unlink()
        if self.studies[slug].get("image"):
            (self.site.root / "case-studies" / self.studies[slug]["image"]).unlink()
        del self.studies[slug]

    @rule(data=st.data(), key=st.sampled_from(sorted(FIELD_VALUES)))
    @action
    def edit_field(self, data, key):
        slug = self.pick(data)
        fields = dict(self.studies[slug])
        fields[key] = data.draw(FIELD_VALUES[key].filter(lambda value: value != fields.get(key)))
        self.save(slug, fields)

    @rule(data=st.data())
    @action
    def edit_body(self, data):
        slug = self.pick(data)
        path = self.site.root / f"case-studies/{slug}.md"
        now = path.read_text(encoding="utf-8")
        words = data.draw(st.sampled_from([w for w in BODY_WORDS if not now.endswith(body_text(w))]))
        self.save(slug, self.studies[slug], body=body_text(words))

    @rule(data=st.data())
    @action
    def edit_site_yaml(self, data):
        self.site_title = data.draw(st.sampled_from([t for t in SITE_TITLES if t != self.site_title]))
        self.site.write("site.yaml", SITE_YAML.replace("title: Test Showcase", f"title: {self.site_title}"))

    @precondition(lambda self: len(self.overrides) < len(OVERRIDES))
    @rule(data=st.data(), suffix=st.sampled_from(SUFFIXES))
    @action
    def add_override(self, data, suffix):
        self.write_override(data.draw(st.sampled_from(sorted(set(OVERRIDES) - set(self.overrides)))), suffix)

    @precondition(lambda self: self.overrides)
    @rule(data=st.data())
    @action
    def edit_override(self, data):
        name = data.draw(st.sampled_from(sorted(self.overrides)))
        self.write_override(name, data.draw(st.sampled_from([s for s in SUFFIXES if s != self.overrides[name]])))

    @precondition(lambda self: self.overrides)
    @rule(data=st.data())
    @action
    def remove_override(self, data):
        name = data.draw(st.sampled_from(sorted(self.overrides)))
        (self.site.root / "templates" / name).unlink()
        del self.overrides[name]

    def write_override(self, name: str, suffix: str) -> None:
        self.site.write(f"templates/{name}", OVERRIDES[name].replace("{{ suffix }}", suffix))
        self.overrides[name] = suffix

    @rule(data=st.data())
    @action
    def change_image(self, data):
        """Give a case study an image, or take its image away."""
        with_image = sorted(s for s, f in self.studies.items() if f.get("image"))
        can = (["remove"] if with_image else []) + (["add"] if len(with_image) < len(self.studies) else [])
        if data.draw(st.sampled_from(can)) == "remove":
            slug = data.draw(st.sampled_from(with_image))
            image = self.studies[slug]["image"]
            self.save(slug, {k: v for k, v in self.studies[slug].items() if k not in ("image", "image_alt")})
            (self.site.root / "case-studies" / image).unlink()
            return "remove an image"
        slug = data.draw(st.sampled_from(sorted(set(self.studies) - set(with_image))))
        self.site.write(f"case-studies/{slug}.gif", GIF)
        self.save(slug, dict(self.studies[slug], image=f"{slug}.gif", image_alt="A drawing"))
        return "add an image"

    # ------------------------------------------------------------ the property

    @invariant()
    def warm_builds_equal_a_clean_build(self):
        expected = builds_agree(self.root, self.options, self.session)
        assert expected is None or len([p for p in expected if not p.startswith("static/")]) > PARALLEL_FROM \
            or len(self.studies) < START


@seed(SEEDS[1])
class MoreAuthorActions(AuthorActions):
    """The same actions in runs of their own: a second test, which xdist may run beside the first."""


# Hypothesis ends a run after a random number of steps (at most stateful_step_count) and leaves some rules
# out of each run: these settings give 201 steps in all, each action at least 8 times, every action in
# each machine (test_the_property_takes_at_least_200_steps_and_each_changes_the_content counts them).
SETTINGS = settings(max_examples=5, stateful_step_count=26, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
MACHINES = (AuthorActions, MoreAuthorActions)
for machine in MACHINES:
    machine.TestCase.settings = SETTINGS
# Each its own unit of work under xdist (`spread`): one test of 200 steps would keep one worker busy for
# as long as the rest of the suite keeps the other.
test_warm_builds_equal_clean_builds = pytest.mark.spread(AuthorActions.TestCase)
test_more_warm_builds_equal_clean_builds = pytest.mark.spread(MoreAuthorActions.TestCase)


def test_the_property_takes_at_least_200_steps_and_each_changes_the_content():
    replayed = [replay(machine, SETTINGS) for machine in MACHINES]
    runs = SETTINGS.max_examples * len(MACHINES)
    steps = sum(r.steps for r in replayed) - runs
    done = sum((r.done for r in replayed), collections.Counter())
    print(f"{steps} steps in {runs} runs: {dict(done)}")
    assert steps >= 200, "an invariant is checked after each run's start and after each step"
    assert all(r.unchanged == 0 for r in replayed), "a step that changes nothing proves nothing"
    assert all(set(r.done) == set(ACTIONS) for r in replayed), [r.done for r in replayed]
    assert min(done.values()) >= 5, done
