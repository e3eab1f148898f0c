"""The outputs registry and context fingerprints: the reproductions of stale warm builds, and the contract.

Each page kind is declared once in `sitegen.render.outputs`; a page's fingerprint
is the digest of the context its template receives. These tests rebuild after an
edit and compare with a clean build, byte for byte.
"""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest

from conftest import ROOT, SiteFolder, made_from_templates
from sitegen.build import cache, pipeline
from sitegen.index.site import build_model
from sitegen.model.diagnostics import Report
from sitegen.render import outputs
from sitegen.render.digest import Digester


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


class Site:
    def __init__(self, root: Path):
        self.root = root
        self.content = SiteFolder(root / "content")
        self.output = root / "output"

    def options(self, output: Path | None = None, cache: bool = True, **extra) -> pipeline.BuildOptions:
        return pipeline.BuildOptions(content=self.content.root, output=output or self.output,
                                     templates=ROOT / "templates", jobs=1,
                                     cache_dir=self.root / ".cache" if cache else None, **extra)

    def build(self) -> pipeline.BuildResult:
        result = pipeline.build(self.options())
        assert result.ok, result.report.as_text()
        return result

    def clean(self) -> Path:
        clean = self.root / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        result = pipeline.build(self.options(clean, cache=False))
        assert result.ok, result.report.as_text()
        return clean

    def assert_warm_equals_clean(self) -> None:
        assert tree(self.output) == tree(self.clean())


def thirty_in_one_country(site: Site) -> None:
    for i in range(30):
        site.content.study(f"study-{i:02d}", title=f"Study {i:02d}", city="Kashan", country="IR",
                           date=f"2020-01-{i + 1:02d}", summary=f"Summary {i}.")


def test_reproduction_1_a_new_country_updates_every_list_page(tmp_path):
    site = Site(tmp_path)
    thirty_in_one_country(site)
    site.build()
    second = (site.output / "case-studies/page/2/index.html").read_text()
    assert "30 case studies from 1 country" in second
    site.content.study("study-29", title="Study 29", city="Gdynia", country="PL", date="2020-01-30",
                       summary="Summary 29.")
    result = site.build()
    assert "case-studies/page/2/index.html" in result.rendered
    assert "30 case studies from 2 countries" in (site.output / "case-studies/page/2/index.html").read_text()
    site.assert_warm_equals_clean()


def test_reproduction_2_an_override_sees_what_its_context_holds(tmp_path):
    site = Site(tmp_path)
    thirty_in_one_country(site)
    site.content.write("templates/themes.html", '{% extends "base.html" %}{% block main %}'
                       '<p id="newest">{{ themes[0].studies[0].title }}</p>{% endblock %}\n')
    site.build()
    assert '<p id="newest">Study 29</p>' in (site.output / "themes/index.html").read_text()
    site.content.study("study-29", title="Study twenty-nine", city="Kashan", country="IR", date="2020-01-30",
                       summary="Summary 29.")
    result = site.build()
    assert "themes/index.html" in result.rendered
    assert '<p id="newest">Study twenty-nine</p>' in (site.output / "themes/index.html").read_text()
    site.assert_warm_equals_clean()


def test_an_override_cannot_reach_the_site_model(tmp_path):
    site = Site(tmp_path)
    site.content.study("kashan")
    site.content.write("templates/themes.html", '{% extends "base.html" %}{% block main %}'
                       '{{ model.studies | length }}{% endblock %}\n')
    result = pipeline.build(site.options())
    assert not result.ok
    assert "'model' is undefined" in result.report.as_text()


def rendered_count(stdout: str) -> int:
    return int(re.search(r"(\d+) rendered", stdout).group(1))


def test_reproduction_3_a_new_markdown_release_renders_every_page_again(tmp_path):
    """A library that shapes output reports another version: the warm build renders everything."""
    site = Site(tmp_path)
    site.content.study("kashan")
    args = [sys.executable, str(ROOT / "build.py"), "--content", str(site.content.root), "--output",
            str(site.output), "--templates", str(ROOT / "templates")]
    first = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=True)
    again = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert rendered_count(again.stdout) == 0
    fake = tmp_path / "fake-site-packages" / "markdown-99.0.dist-info"
    fake.mkdir(parents=True)
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: Markdown\nVersion: 99.0\n")
    real = importlib.metadata.distribution("markdown")  # its extensions are found through its entry points
    (fake / "entry_points.txt").write_text(real.read_text("entry_points.txt"))
    newer = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONPATH": str(fake.parent)})
    assert rendered_count(newer.stdout) == rendered_count(first.stdout) > 0


def test_versions_that_shape_output_are_in_every_fingerprint(tmp_path):
    versions = dict(cache.library_versions())
    assert {"python", "jinja2", "markdown", "nh3", "pycountry", "python-frontmatter", "pyyaml"} <= set(versions)
    assert "missing" not in versions.values()
    options = pipeline.BuildOptions(content=tmp_path, output=tmp_path / "out")
    assert repr(cache.library_versions()) in options.render_options().site_key


# --------------------------------------------------------------------------- the registry's contract

def test_every_kind_is_declared_once_with_a_template_that_exists():
    kinds = [o.kind for o in outputs.OUTPUTS]
    assert len(kinds) == len(set(kinds))
    for output in outputs.OUTPUTS:
        if output.template:
            assert (ROOT / "templates" / output.template).is_file(), output.template
            assert output.pages is not None and output.context is not None, output.kind


def test_reserved_names_come_from_the_registry():
    reserved = outputs.reserved()
    for output in outputs.OUTPUTS:
        top = output.route.split("/")[0]
        if top and "{" not in top:
            assert top in reserved.slugs
    assert {"case-studies", "countries", "themes", "regions", "static", "404", "sitemap.xml", "robots.txt"} <= reserved.slugs
    assert "index.html" in reserved.names and "static/" in reserved.copied


@pytest.mark.parametrize("slug", ["countries", "static", "regions", "404"])
def test_a_page_cannot_take_a_registry_name(site, slug):
    site.write(f"pages/{slug.replace('.', '-')}.md", f"---\ntitle: Mine\nslug: {slug}\n---\n\nText.\n")
    result = pipeline.build(pipeline.BuildOptions(content=site.root, output=site.root.parent / "out",
                                                  templates=ROOT / "templates", cache_dir=None))
    assert not result.ok
    assert f"the page slug '{slug}' is taken by the site's own pages" in result.report.as_text()


def test_every_page_of_the_model_comes_from_the_registry(tmp_path):
    site = Site(tmp_path)
    thirty_in_one_country(site)
    site.content.write("pages/about.md", "---\ntitle: About\n---\n\nText.\n")
    result = site.build()
    declared = {out for o in outputs.OUTPUTS if o.pages
                for out in (p + "index.html" if p == "" or p.endswith("/") else p
                            for p, _ in o.pages(result.model))}
    rendered = set(made_from_templates(result.files))  # every file a template could have made
    assert declared == rendered


def test_sitemap_lists_exactly_the_registry_pages_in_the_sitemap(tmp_path):
    site = Site(tmp_path)
    thirty_in_one_country(site)
    result = site.build()
    sitemap = (site.output / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>https://example\.org/showcase/([^<]*)</loc>", sitemap)
    expected = sorted(p for o in outputs.OUTPUTS if o.in_sitemap and o.pages for p, _ in o.pages(result.model))
    assert locs == expected and "404.html" not in locs


def test_contexts_hold_only_values_with_a_canonical_digest(tmp_path):
    """Every context of every page digests (no repr fallback), the same in a second process."""
    site = Site(tmp_path)
    thirty_in_one_country(site)
    content = pipeline.load.load_content(site.content.root, Report(), rules=pipeline.load_rules())
    model = build_model(content, outputs.routes())
    from sitegen.render.pages import own_context, site_context
    from sitegen.render.views import site_views
    views = site_views(model)
    digester = Digester()
    digests = {path: digester.hexdigest({**site_context(model), **own_context(o, model, path, ref, views)})
               for o in outputs.OUTPUTS if o.pages for path, ref in o.pages(model)}
    assert len(set(digests.values())) == len(digests)
    script = (
        "import sys, json\n"
        "from sitegen.build import pipeline\nfrom sitegen.index.site import build_model\n"
        "from sitegen.model.diagnostics import Report\nfrom sitegen.render import outputs\n"
        "from sitegen.render.digest import Digester\nfrom sitegen.render.pages import own_context, site_context\n"
        "from sitegen.render.views import site_views\nfrom pathlib import Path\n"
        "c = pipeline.load.load_content(Path(sys.argv[1]), Report(), rules=pipeline.load_rules())\n"
        "m = build_model(c, outputs.routes()); v = site_views(m); d = Digester()\n"
        "print(json.dumps({p: d.hexdigest({**site_context(m), **own_context(o, m, p, r, v)}) for o in outputs.OUTPUTS if o.pages "
        "for p, r in o.pages(m)}))\n")
    for seed in ("1", "2"):
        other = subprocess.run([sys.executable, "-c", script, str(site.content.root)], capture_output=True,
                               text=True, check=True, env={**__import__("os").environ, "PYTHONHASHSEED": seed})
        assert __import__("json").loads(other.stdout) == digests


def test_a_context_refuses_a_value_it_cannot_digest():
    with pytest.raises(TypeError, match="cannot hold a builtins.object"):
        Digester().digest({"x": object()})
    with pytest.raises(TypeError):
        Digester().digest({"env": jinja2.Environment()})
