"""Template overrides and links from a content folder cannot run code, read files or publish drafts.

A content folder's `templates/` renders in Jinja's immutable sandbox: the
known escape payloads fail with a located template error and run nothing.
No link under the content folder (a template, a static file, a folder) and
no link among the theme's static files is followed outside its folder.
A draft's image is published only with the draft.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jinja2.sandbox
import pytest
from conftest import ROOT, SiteFolder, image_bytes, run_cli
from sitegen.model.urls import Urls
from sitegen.render import outputs
from sitegen.render.environment import CompiledTemplates, make_environment

TEMPLATES = ROOT / "templates"

PAYLOADS = [
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ joiner.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ namespace.__init__.__globals__.os.system('touch PWNED') }}",
    "{{ lipsum.__globals__['os'].popen('touch PWNED').read() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{% if c.__name__ == 'Popen' %}"
    "{{ c(['touch', 'PWNED']) }}{% endif %}{% endfor %}",
    "{{ url.__globals__ }}",
    "{{ url.__self__.__dict__ }}",
    "{{ path_for.__func__.__globals__['os'].system('touch PWNED') }}",
    "{{ url|attr('__globals__') }}",
    "{{ '{0.__class__.__init__.__globals__}'.format(site) }}",
    "{{ '{x.__class__.__init__.__globals__}'.format_map({'x': site}) }}",
    "{{ self._TemplateReference__context }}",
    "{{ site.__dict__ }}",
    "{{ cached_card.cards.clear() }}",  # changes data: refused by the immutable sandbox
    "{{ nav.append(1) }}",
    "{{ range(10 ** 9) | list | length }}",  # the sandbox caps range()
]


def build(cwd: Path, content: Path, *args: str, templates: Path = TEMPLATES):
    return run_cli("build", "--content", content, "--output", cwd / "output", "--templates", templates,
                   *args, cwd=cwd)


@pytest.fixture
def small(tmp_path) -> SiteFolder:
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv")
    return site


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sandbox_escapes_in_an_override_fail_located_and_run_nothing(tmp_path, small, payload):
    small.write("templates/404.html", f"<!doctype html><title>x</title>{payload}\n")
    proc = build(tmp_path, small.root)
    assert proc.returncode == 1, proc.stdout
    assert "templates/404.html" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "PWNED").exists() and not (small.root / "PWNED").exists()
    assert not (tmp_path / "output").exists()


def test_an_ordinary_override_still_renders(tmp_path, small):
    small.write("templates/404.html", "<!doctype html><title>Lost</title><p>{{ site.title }}: "
                                      "{{ '%s pages' % 3 }} {{ '{} more'.format(2) }} {{ nav | length }}</p>\n")
    proc = build(tmp_path, small.root)
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "output" / "404.html").read_text()
    assert "3 pages 2 more" in text


def outside_file(tmp_path: Path) -> Path:
    secret = tmp_path / "secret.txt"
    secret.write_text("the build machine's secret\n")
    return secret


@pytest.mark.parametrize("where", ["templates/404.html", "templates/partials/card.html",
                                   "templates/static/style.css", "templates/static/leak.txt"])
def test_a_link_in_the_overrides_to_a_file_outside_is_refused(tmp_path, small, where):
    link = small.root / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(outside_file(tmp_path))
    proc = build(tmp_path, small.root, "--strict")
    assert proc.returncode == 1 and "outside the content folder" in proc.stderr
    assert where in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "output").exists()
    check = run_cli("check", "--content", small.root, "--templates", TEMPLATES, "--strict", cwd=tmp_path)
    assert check.returncode == 1


@pytest.mark.parametrize("target", ["/etc", "outside", "nowhere"])
def test_a_linked_folder_in_the_overrides_is_refused(tmp_path, small, target):
    (tmp_path / "outside").mkdir()
    (small.root / "templates").mkdir()
    (small.root / "templates" / "static").symlink_to(tmp_path / target if target != "/etc" else Path(target))
    proc = build(tmp_path, small.root)
    assert proc.returncode == 1 and "is a link" in proc.stderr and "Traceback" not in proc.stderr


def test_a_linked_overrides_folder_is_refused(tmp_path, small):
    theme_copy = tmp_path / "elsewhere"
    theme_copy.mkdir()
    (theme_copy / "404.html").write_text("<!doctype html><title>x</title>")
    (small.root / "templates").symlink_to(theme_copy)
    proc = build(tmp_path, small.root)
    assert proc.returncode == 1 and "is a link" in proc.stderr


def test_a_link_inside_the_content_folder_is_followed(tmp_path, small):
    small.write("templates/static/real.css", "body { color: black }\n")
    (small.root / "templates" / "static" / "alias.css").symlink_to(small.root / "templates" / "static" / "real.css")
    proc = build(tmp_path, small.root)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "output" / "static" / "alias.css").read_text() == "body { color: black }\n"
    assert not (tmp_path / "output" / "static" / "alias.css").is_symlink()


def test_a_theme_static_file_linking_outside_the_theme_is_refused(tmp_path, small):
    theme = tmp_path / "theme"
    shutil.copytree(TEMPLATES, theme, ignore=shutil.ignore_patterns("__pycache__"))
    (theme / "static" / "leak.txt").symlink_to(outside_file(tmp_path))
    proc = build(tmp_path, small.root, templates=theme)
    assert proc.returncode == 1 and "static/leak.txt" in proc.stderr
    assert not (tmp_path / "output").exists()


# --------------------------------------------------------------------------- drafts keep their images

def test_a_drafts_image_is_published_only_with_the_draft(tmp_path):
    site = SiteFolder(tmp_path / "content")
    site.study("kashan-health-tv", image="img/shared.png", image_alt="A classroom")
    site.study("plan", city="Cork", country="IE", draft="true", image="img/plan.png", image_alt="A plan")
    site.study("other-plan", city="Gdynia", country="PL", draft="true", image="img/shared.png", image_alt="Shared")
    site.write("case-studies/img/plan.png", image_bytes("PNG", colour=(200, 40, 40)))
    site.write("case-studies/img/shared.png", image_bytes("PNG"))
    proc = build(tmp_path, site.root)
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "output"

    def published() -> list[str]:  # the files made of each image (never the image as it is)
        return sorted(p.name.split(".")[0] for p in (out / "media").iterdir())

    assert published() == ["shared-4", "shared-4"]  # PNG and WebP
    assert "plan" not in os.listdir(out / "case-studies")
    proc = build(tmp_path, site.root, "--drafts")
    assert proc.returncode == 0, proc.stderr
    assert published() == ["plan-4", "plan-4", "shared-4", "shared-4"]


def test_a_named_pipe_among_the_overrides_is_refused_not_waited_on(tmp_path, small):
    (small.root / "templates" / "static").mkdir(parents=True)
    os.mkfifo(small.root / "templates" / "static" / "style.css")
    proc = run_cli("build", "--content", small.root, "--output", tmp_path / "output", "--templates", TEMPLATES,
                   cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and "not an ordinary file" in proc.stderr and "templates/static/style.css" in proc.stderr


def test_compiled_templates_are_kept_apart_for_the_sandbox(tmp_path):
    """A `serve` session keeps compiled templates between builds, and its environment turns sandboxed
    once the content folder has an override. Jinja compiles a call differently in a sandbox (through
    its checks), so code compiled before must not be reused there."""
    (tmp_path / "t.html").write_text("{{ act() }}", encoding="utf-8")

    def act():
        return "acted"

    act.unsafe_callable = True  # what the sandbox refuses to call
    compiled = CompiledTemplates()
    site = Urls("https://example.org/")
    plain = make_environment([tmp_path], site, outputs.routes(), compiled)
    assert plain.get_template("t.html").render(act=act) == "acted"
    sandboxed = make_environment([tmp_path], site, outputs.routes(), compiled, sandboxed=True)
    with pytest.raises(jinja2.sandbox.SecurityError):
        sandboxed.get_template("t.html").render(act=act)


@pytest.mark.parametrize("template", ["{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}",  # deeper than Python's stack
                                      "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}"])  # a macro without end
@pytest.mark.parametrize("command", ["build", "check"])
def test_a_template_too_deep_for_jinja_is_a_located_error(tmp_path, small, template, command):
    small.write("templates/404.html", template)
    args = ("--output", tmp_path / "output") if command == "build" else ()
    proc = run_cli(command, "--content", small.root, "--templates", TEMPLATES, *args, cwd=tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "templates/404.html: error: the template (or one it includes) nests too deeply" in proc.stdout + proc.stderr
    assert not (tmp_path / "output").exists()


def test_a_fragment_in_an_override_is_drawn_for_each_page(tmp_path, small):
    """`fragment` reuses a block's HTML for the same values, trusting the block to read nothing else: the
    theme's blocks keep that promise, a stranger's override need not (this one shows the page's path),
    so in the sandbox every page draws its fragments itself."""
    small.write("templates/theme.html", '{% extends "base.html" %}{% block main %}{% call fragment(site) %}'
                                        '<p id="where">{{ path }}</p>{% endcall %}{% endblock %}\n')
    proc = build(tmp_path, small.root)
    assert proc.returncode == 0, proc.stderr
    pages = sorted((tmp_path / "output" / "themes").glob("*/index.html"))
    assert len(pages) >= 2
    for page in pages:
        path = page.parent.relative_to(tmp_path / "output").as_posix() + "/"
        assert f'<p id="where">{path}</p>' in page.read_text(encoding="utf-8"), path
