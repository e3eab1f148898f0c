"""The build cache on disk cannot run code, is read only under its own key, and cleans up after itself.

A planted pickle or a forged JSON body at the cache path runs nothing and
gives a clean build; another sitegen, another library version or a damaged
file counts as no cache; a cache read back equals the one written (a warm
build renders nothing); there is one cache file per output folder, in the
cache folder under the current folder, and stale or old-format files are
removed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import json
import pickle
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, SiteFolder, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from sitegen.build import cache, pipeline
from sitegen.model.countries import Region
from sitegen.model.diagnostics import Diagnostic
from sitegen.model.records import Source, Text, Theme
from sitegen.render.pages import PageEntry, RenderCache

TEMPLATES = ROOT / "templates"


def make_site(root: Path) -> SiteFolder:
    site = SiteFolder(root)
    site.study("kashan-health-tv")
    site.study("gdynia", title="Learning at home", city="Gdynia", country="PL",
               themes="[health-wellbeing, literacy]", date="2020-05-01",
               body="Gdynia went online. See [Kashan](kashan-health-tv.md).\n\n## Context\n\nText.\n")
    site.study("cork", title="A festival", city="Cork", country="IE", themes="[literacy]", date="2019-09-01")
    return site


def cli_build(cwd: Path, content: Path, output: Path, *args: str):
    """`python build.py build ...` run from `cwd`, so the default cache folder is cwd/.cache."""
    proc = run_cli("build", "--content", content, "--output", output, "--templates", TEMPLATES, "--jobs", "1",
                   *args, cwd=cwd)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


def rendered(proc) -> int:
    found = re.search(r"(\d+) rendered", proc.stdout)
    assert found, proc.stdout
    return int(found.group(1))


def cache_files(cwd: Path) -> list[Path]:
    folder = cwd / ".cache" / "sitegen"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def split(path: Path) -> tuple[bytes, dict, bytes]:
    """A cache file's first line, header and (compressed) body."""
    first, header, body = path.read_bytes().split(b"\n", 2)
    return first + b"\n", json.loads(header), body


def framed(sections: list[bytes]) -> bytes:
    """A body made of these (compressed) sections, each after its size."""
    return b"".join(b"%d\n" % len(section) + section for section in sections)


def sections_of(path: Path) -> list[bytes]:
    return cache.split_sections(split(path)[2])


def options(root: Path, output: Path | None = None, **extra) -> pipeline.BuildOptions:
    return pipeline.BuildOptions(content=root / "content", output=output or root / "output", templates=TEMPLATES,
                                 cache_dir=root / ".cache", jobs=1, **extra)


@dataclasses.dataclass
class Built:
    content: Path
    output: Path
    file: Path  # its cache file
    where: cache.CacheFile  # the same, as pipeline.build finds it
    total: int  # pages rendered by a clean build


@pytest.fixture
def built(tmp_path) -> Built:
    """A site built with the CLI from tmp_path (so its cache is in tmp_path/.cache), with a cache that reads."""
    site = make_site(tmp_path / "content")
    output = tmp_path / "output"
    total = rendered(cli_build(tmp_path, site.root, output))
    assert total > 10
    [file] = cache_files(tmp_path)
    where = cache.cache_path(options(tmp_path))
    assert where.path == file and cache.read_cache(where) is not None
    return Built(site.root, output, file, where, total)


# --------------------------------------------------------------------------- nothing planted runs

class Opens:
    """Unpickling this calls open(path, "w"): a file appears if a pickle is ever loaded."""

    def __init__(self, path: Path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_planted_pickle_runs_no_code_and_the_build_is_clean(built, tmp_path):
    content, output, file, total = built.content, built.output, built.file, built.total
    planted = pickle.dumps({"format": 3, "code": cache.code_digest(), "caches": Opens(tmp_path / "pwned")})
    proof = tmp_path / "proof"
    pickle.loads(pickle.dumps(Opens(proof))).close()  # such a pickle does run code when loaded
    assert proof.exists()
    file.write_bytes(planted)
    (file.parent / "0123456789abcdef01234567.pickle").write_bytes(planted)  # where the old sitegen kept it
    proc = cli_build(tmp_path, content, output)
    assert not (tmp_path / "pwned").exists()
    assert rendered(proc) == total
    assert cache_files(tmp_path) == [file]  # the old .pickle is removed, the cache written again
    assert rendered(cli_build(tmp_path, content, output)) == 0


CACHES_FIELDS = [f.name for f in dataclasses.fields(pipeline.Caches)]


@pytest.mark.parametrize("table, value", [
    ([["subprocess:Popen", ["args"]]], {"$0": [["touch", "{marker}"]]}),  # a class outside sitegen
    ([["sitegen.build.pipeline:Caches", CACHES_FIELDS]], {"$0": [{"$x": "{marker}"}] * len(CACHES_FIELDS)}),
    ([], {"$P": ["{marker}"]}),  # a known tag with a value of the wrong kind
    ([["sitegen.model.records:Theme", ["id", "name"]]], {"$0": ["a", "b"]}),  # a field list that differs
], ids=["unknown-class", "unknown-tag", "wrong-kind", "other-fields"])
def test_a_forged_json_body_is_no_cache(built, tmp_path, table, value):
    first, header, _ = split(built.file)
    marker = tmp_path / "pwned"
    forged = (json.dumps(table) + "\n" + json.dumps(value).replace("{marker}", str(marker))).encode()
    sections = [gzip.compress(forged)] + sections_of(built.file)[1:]  # in the first section, or in a shard
    built.file.write_bytes(first + json.dumps(header).encode() + b"\n" + framed(sections))
    assert cache.read_cache(built.where) is None
    sections = sections_of(built.file)[:2] + [gzip.compress(forged)] + sections_of(built.file)[3:]
    built.file.write_bytes(first + json.dumps(header).encode() + b"\n" + framed(sections))
    assert cache.read_cache(built.where) is None
    proc = cli_build(tmp_path, built.content, built.output)
    assert not marker.exists()
    assert rendered(proc) == built.total
    assert rendered(cli_build(tmp_path, built.content, built.output)) == 0


# --------------------------------------------------------------------------- read only under its own key

@pytest.mark.parametrize("change", [
    lambda h: h.update(code="another-sitegen"),
    lambda h: h["libraries"].update(jinja2="0.1"),
    lambda h: h["libraries"].update(python="cpython 2.7.18"),
    lambda h: h.update(format=cache.CACHE_FORMAT + 1),
    lambda h: h.update(content="/elsewhere"),
], ids=["code", "library", "python", "format", "content"])
def test_a_cache_under_another_key_is_ignored_without_reading_its_body(built, monkeypatch, change):
    first, header, body = split(built.file)
    change(header)
    built.file.write_bytes(first + json.dumps(header).encode() + b"\n" + body)
    decoded = []
    monkeypatch.setattr(cache, "decode", lambda *args: decoded.append(args))
    assert cache.read_cache(built.where) is None
    assert decoded == []


def test_another_sitegen_gets_a_clean_build(built, tmp_path):
    first, header, body = split(built.file)
    header["code"] = "another-sitegen"
    built.file.write_bytes(first + json.dumps(header).encode() + b"\n" + body)
    assert rendered(cli_build(tmp_path, built.content, built.output)) == built.total
    assert split(built.file)[1]["code"] == cache.code_digest()


def test_the_drafts_flag_and_base_url_are_part_of_the_key(built, tmp_path):
    content, output, file, total = built.content, built.output, built.file, built.total
    assert rendered(cli_build(tmp_path, content, output, "--drafts")) == total
    assert rendered(cli_build(tmp_path, content, output, "--drafts", "--base-url", "https://example.com/")) == total
    assert rendered(cli_build(tmp_path, content, output, "--drafts", "--base-url", "https://example.com/")) == 0
    assert cache_files(tmp_path) == [file]  # still one file for the one output folder


def test_a_damaged_cache_file_is_no_cache(built, tmp_path):
    content, output, file, total, where = built.content, built.output, built.file, built.total, built.where
    good = file.read_bytes()
    original = cache.read_cache(where)
    assert original is not None
    header_end = good.index(b"\n", len(cache.FIRST_LINE)) + 1
    for cut in sorted({0, 1, 5, len(cache.FIRST_LINE), header_end - 1, header_end, header_end + 5,
                       *range(header_end + 10, len(good), max(1, len(good) // 40)), len(good) - 1}):
        file.write_bytes(good[:cut])
        assert cache.read_cache(where) is None, cut
    for at in range(0, len(good), max(1, len(good) // 60)):  # one flipped byte: no cache, or the same cache
        file.write_bytes(good[:at] + bytes([good[at] ^ 0x5A]) + good[at + 1:])
        assert cache.read_cache(where) in (None, original), at
    file.write_bytes(good[:len(good) // 2])
    assert rendered(cli_build(tmp_path, content, output)) == total


# --------------------------------------------------------------------------- what is read is what was written

def test_a_save_encodes_only_the_sections_whose_entries_changed(built, tmp_path, monkeypatch):
    before = sections_of(built.file)
    assert len(before) == 1 + len(cache.BULKY) * cache.SHARDS
    study = built.content / "case-studies" / "cork.md"
    study.write_text(study.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    caches = cache.read_cache(built.where)
    bodies_before = set(caches.render.bodies)
    encoded = []
    real_encode = cache.encode
    monkeypatch.setattr(cache, "encode", lambda value, classes: encoded.append(value) or real_encode(value, classes))
    result = pipeline.run(options(tmp_path), caches, in_place=True)
    feeds = [path for path in result.rendered if path.endswith("feed.xml")]
    assert result.rendered == ["case-studies/cork/index.html", *feeds] and len(feeds) == 4  # site, theme, country, region
    cache.save_cache(built.where, caches)
    after = sections_of(built.file)
    changed = [name for name, old, new in zip(["rest"] + cache.section_names(), before, after) if old != new]
    load_shard = ("load", cache.shard_of("case-studies/cork.md"))
    page_shards = {("pages", cache.shard_of(path)) for path in result.rendered}
    new_bodies = set(caches.render.bodies) ^ bodies_before  # cork's body as it was, and as it is: the feeds carry it
    assert len(new_bodies) == 2 and all("case-studies/cork.md" in key for key in new_bodies)
    body_shards = {("bodies", cache.shard_of(key)) for key in new_bodies}
    assert set(changed) <= {"rest", load_shard} | page_shards | body_shards
    assert {load_shard} | page_shards | body_shards <= set(changed)
    # the first section and the changed shards; the rest is copied
    assert len(encoded) == 1 + 1 + len(page_shards) + len(body_shards)
    assert cache.read_cache(built.where).load == caches.load
    monkeypatch.undo()
    assert rendered(cli_build(tmp_path, built.content, built.output)) == 0


def test_an_entry_in_the_wrong_shard_is_no_cache(built):
    first, header, _ = split(built.file)
    sections = sections_of(built.file)
    names = cache.section_names()
    full = next(n for n, name in enumerate(names, 1) if name[0] == "pages" and gzip.decompress(sections[n]) != b"[]\n{}")
    wrong = (full % cache.SHARDS) + 1 + cache.SHARDS  # another pages shard
    sections[full], sections[wrong] = sections[wrong], sections[full]
    built.file.write_bytes(first + json.dumps(header).encode() + b"\n" + framed(sections))
    assert cache.read_cache(built.where) is None


def test_real_caches_round_trip_and_a_warm_build_renders_nothing(tmp_path):
    make_site(tmp_path / "content")
    opts = options(tmp_path)
    caches = pipeline.Caches()
    result = pipeline.run(opts, caches, in_place=False)
    assert result.ok and result.rendered
    where = cache.cache_path(opts)
    cache.save_cache(where, caches)
    back = cache.read_cache(where)
    assert back is not None and back is not caches
    assert back.load == caches.load and back.load.entries
    assert back.render.pages == caches.render.pages and back.render.copies == caches.render.copies
    for f in dataclasses.fields(RenderCache):  # memory-only fields come back as their default
        if f.metadata.get("persist", True) is False:
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            assert getattr(back.render, f.name) == default, f.name
    warm = pipeline.build(opts)
    assert warm.ok and warm.rendered == []
    assert cache.read_cache(where).load == caches.load


def test_shared_records_stay_shared_and_memory_only_fields_are_not_written():
    region = Region("africa", "Africa", "africa")
    problem = Diagnostic("case-studies/a.md", 3, None, "warning", "a message", "a fix")
    entry = PageEntry("fp", "digest", (problem, problem), (("a.md", ("a/", False)),))
    render = RenderCache(pages={"a/index.html": entry, "b/index.html": entry}, copies={"x.css": ("s", 1, 2)})
    for f in dataclasses.fields(RenderCache):
        if f.metadata.get("persist", True) is False and f.default is None:
            setattr(render, f.name, object())  # would not even be encodable
    value = {"render": render, "regions": [region, region]}
    back = cache.decode(cache.encode(value, cache.registry()), cache.registry())
    assert back["render"].pages == render.pages and back["render"].copies == render.copies
    assert back["regions"][0] is back["regions"][1]
    assert back["render"].pages["a/index.html"] is back["render"].pages["b/index.html"]
    assert b"a message" in cache.encode(value, cache.registry())


class NotSitegen:
    pass


@dataclasses.dataclass(frozen=True)
class ForeignRecord:  # a dataclass, but not sitegen's own
    name: str


@pytest.mark.parametrize("value", [NotSitegen(), ForeignRecord("x"), Markup("<b>"), b"bytes", dt.datetime(2020, 1, 1),
                                   1 + 2j, range(3)], ids=lambda value: type(value).__name__)
def test_values_the_format_cannot_hold_are_refused_when_writing(value):
    with pytest.raises(TypeError, match="cannot hold"):
        cache.encode({"key": (1, [value])}, cache.registry())


text = st.text(st.characters(codec="utf-8") | st.sampled_from("$\x00\udcff\u2028"), max_size=8)
atoms = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | text
leaves = atoms | st.dates() | st.builds(Path, text.filter(lambda s: "\x00" not in s))
hashables = st.recursive(
    leaves,
    lambda inner: (st.tuples(inner, inner) | st.lists(inner, max_size=3).map(tuple) | st.frozensets(inner, max_size=3)
                   | st.builds(Theme, inner, inner, inner) | st.builds(Region, text, text, text)
                   | st.builds(Diagnostic, text, inner, inner, text, text, text)),
    max_leaves=12)
values = st.recursive(
    hashables,
    lambda inner: (st.lists(inner, max_size=4) | st.lists(inner, max_size=4).map(tuple)
                   | st.dictionaries(text, inner, max_size=4) | st.dictionaries(hashables, inner, max_size=4)
                   | st.sets(hashables, max_size=4) | st.builds(PageEntry, inner, inner, inner, inner)
                   | st.builds(Source, inner, inner, inner, inner) | st.builds(Text, text, inner, inner, inner)
                   | st.builds(lambda pages, copies: RenderCache(pages=pages, copies=copies),
                               st.dictionaries(text, inner, max_size=3), st.dictionaries(text, inner, max_size=3))),
    max_leaves=30)


def assert_same(a, b) -> None:
    """Equal, and of the same types all the way down (1 == True == 1.0 and {1} == frozenset({1}) are not enough)."""
    assert type(a) is type(b), (a, b)
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name))
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, dict):
        assert len(a) == len(b)
        for (k, v), (k2, v2) in zip(a.items(), b.items()):
            assert_same(k, k2)
            assert_same(v, v2)
    elif isinstance(a, (set, frozenset)):
        assert a == b
        for x in a:
            [y] = [y for y in b if y == x]
            assert_same(x, y)
    else:
        assert a == b, (a, b)


# Hypothesis warns when it writes out a generated value of over 30 kB (a large RenderCache can be);
# that is about reporting the example, not about what is tested.
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(derandomize=True, max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values)
def test_the_codec_round_trips_every_supported_value(value):
    classes = cache.registry()
    body = cache.encode(value, classes)
    assert_same(cache.decode(body, classes), value)
    assert body.isascii()


# --------------------------------------------------------------------------- where caches live, and pruning

def test_caches_live_in_the_current_folder_one_per_output_and_stale_ones_are_pruned(tmp_path):
    site = make_site(tmp_path / "content")
    work = tmp_path / "work"
    work.mkdir()
    first, second = tmp_path / "site-a", tmp_path / "site-b"
    total = rendered(cli_build(work, site.root, first))
    assert rendered(cli_build(work, site.root, second)) == total
    assert rendered(cli_build(work, site.root, first)) == 0  # a cache written by one process, read by another
    assert rendered(cli_build(work, site.root, second)) == 0
    files = {split(f)[1]["output"]: f for f in cache_files(work)}
    assert set(files) == {str(first.resolve()), str(second.resolve())}
    assert all(f.suffix == cache.SUFFIX for f in files.values())
    assert not (tmp_path / ".cache").exists() and not (site.root / ".cache").exists()

    folder = work / ".cache" / "sitegen"
    old = [folder / "2ffe99b314e181777d490f7f.pickle", folder / "a7ad9673bd2dc671159ee594.tmp",
           folder / "0123456789abcdef01234567.cache"]
    old[0].write_bytes(pickle.dumps({"format": 3}))
    old[1].write_bytes(b"")
    old[2].write_bytes(b"sitegen-cache 3\n{}\n")  # an earlier format
    other = folder / "notes.txt"
    other.write_text("not sitegen's")
    shutil.rmtree(first)
    (site.root / "case-studies" / "cork.md").unlink()  # something to save
    assert rendered(cli_build(work, site.root, second)) > 0
    assert cache_files(work) == sorted([other, files[str(second.resolve())]])


def test_no_cache_writes_no_cache_folder(tmp_path):
    site = make_site(tmp_path / "content")
    cli_build(tmp_path, site.root, tmp_path / "output", "--no-cache")
    assert not (tmp_path / ".cache").exists()


def test_a_cache_folder_that_cannot_be_written_does_not_fail_the_build(tmp_path):
    site = make_site(tmp_path / "content")
    (tmp_path / ".cache").write_text("a file where the cache folder would be")
    proc = cli_build(tmp_path, site.root, tmp_path / "output")
    assert rendered(proc) > 10


def test_compiled_templates_are_kept_across_builds_and_a_changed_source_is_compiled_again(site, tmp_path, monkeypatch):
    """Builds in one process share what each template source compiles to (render/environment.py, which
    relies on the checksum Jinja 3.1 gives its buckets): the second build parses and compiles nothing,
    and an edited template is read again."""
    import jinja2

    from sitegen.render.environment import CompiledTemplates

    store = CompiledTemplates()
    override = '{% extends "base.html" %}{% block main %}<p>Lost.</p>{% endblock %}\n'
    site.write("templates/404.html", override)
    build_options = pipeline.BuildOptions(content=site.root, output=tmp_path / "one", templates=ROOT / "templates",
                                          cache_dir=None, search=False, compiled=store)
    assert pipeline.build(build_options).ok
    parsed: list[str] = []  # every parse, whether to read a template's references or to compile it
    real_parse = jinja2.Environment._parse  # what both Environment.parse and Environment.compile call
    monkeypatch.setattr(jinja2.Environment, "_parse",
                        lambda env, source, name, filename: parsed.append(name) or real_parse(env, source, name, filename))
    assert pipeline.build(dataclasses.replace(build_options, output=tmp_path / "two")).ok
    assert parsed == []
    site.write("templates/404.html", override.replace("Lost.", "Lost, edited."))
    assert pipeline.build(dataclasses.replace(build_options, output=tmp_path / "three")).ok
    assert parsed == ["404.html"]
    assert "Lost, edited." in (tmp_path / "three" / "404.html").read_text(encoding="utf-8")
    assert (tmp_path / "one" / "index.html").read_bytes() == (tmp_path / "three" / "index.html").read_bytes()
