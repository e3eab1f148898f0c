"""Every call a template makes goes through sitegen's `Context` (render/environment.py), which hands
plain functions and methods straight to Python instead of looking for Jinja's `pass_context`-style
marks first. Each kind of callable, called from each kind of place in a template, in the plain and
the sandboxed environment, must give exactly what Jinja's own Context gives.

sitegen's environments also hand each template its globals as `TemplateGlobals`, whose `keys()` is a
set: every kind of import, with and without the page's own globals, must show what Jinja's shows.
And sitegen's sandbox remembers, per type and attribute name, which attributes Jinja's sandbox allows:
for any sequence of objects and names, it must answer as Jinja's does. Two helpers save template work:
`fragment` draws a call block once for the very values it is given, and `lang_attributes` writes what
the `lang_of` macro it replaced wrote, for any code and language.
"""

from __future__ import annotations

import asyncio
import collections
import functools
import itertools
import sys
import types
from collections.abc import MutableMapping

import jinja2
import jinja2.sandbox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup
from sitegen.model.records import Language
from sitegen.render.environment import Context, Environment, FragmentMemo, SandboxedEnvironment, lang_attributes


def show(*args, **kwargs) -> str:
    return f"{args}{sorted(kwargs.items())}"


class Holder:
    def method(self, *args, **kwargs) -> str:
        return "method" + show(*args, **kwargs)

    @jinja2.pass_context
    def marked_method(self, context, *args) -> str:
        return f"marked {context.get('x')}{args}"


class AskingForContext:
    """A callable object whose `__call__` asks for the context (Jinja looks at `__call__` too)."""

    @jinja2.pass_context
    def __call__(self, context, *args) -> str:
        return f"object {context.get('x')}{args}"


def stops(*args, **kwargs):
    raise StopIteration


CALLABLES = {
    "function": show,
    "lambda": lambda *args, **kwargs: "lambda" + show(*args, **kwargs),
    "method": Holder().method,
    "marked method": Holder().marked_method,
    "builtin": max,
    "partial": functools.partial(show, "bound"),
    "pass_context": jinja2.pass_context(lambda context, *args, **kwargs: f"context {context.get('x')}{args}"),
    "pass_eval_context": jinja2.pass_eval_context(lambda eval_ctx, *args, **kwargs: f"eval {eval_ctx.autoescape}{args}"),
    "pass_environment": jinja2.pass_environment(lambda env, *args, **kwargs: f"env {type(env).__name__}{args}"),
    "object asking for the context": AskingForContext(),
    "macro of another template": jinja2.Environment().from_string(
        "{% macro m(a, b=0) %}macro {{ a }} {{ b }}{% endmacro %}").module.m,
    "raises StopIteration": stops,
}
PLACES = {
    "top level": "{% set x = 0 %}{{ f(1, 2) }}",
    "loop": "{% for y in [1, 2] %}{% set x = y * 10 %}{{ f(y, 7) }};{% endfor %}",
    "block": "{% block b %}{% set x = 3 %}{{ f(x, 8) }}{% endblock %}",
    "macro": "{% macro m(x) %}{{ f(x, 9) }}{% endmacro %}{{ m(4) }}",
    "loop in a block": "{% block c %}{% for y in [5] %}{% set x = y %}{{ f(y, 6) }}{% endfor %}{% endblock %}",
}


@pytest.mark.parametrize("kind", [jinja2.Environment, jinja2.sandbox.ImmutableSandboxedEnvironment],
                         ids=["plain", "sandboxed"])
@pytest.mark.parametrize("place", sorted(PLACES))
@pytest.mark.parametrize("name", sorted(CALLABLES))
def test_every_callable_is_called_as_jinja_calls_it(kind, place, name):
    rendered = []
    for context_class in (jinja2.runtime.Context, Context):
        env = kind(autoescape=True)
        env.context_class = context_class
        rendered.append(env.from_string(PLACES[place]).render(f=CALLABLES[name]))
    assert rendered[0] == rendered[1]
    assert rendered[0].strip(";") or name == "raises StopIteration", "the call must show something"


MACROS = "{% macro m() %}{{ g }} {{ h | default('no h') }}{% endmacro %}"
IMPORTS = {
    "from": '{% from "m.html" import m %}{{ m() }}',
    "from with context": '{% set h = "set" %}{% from "m.html" import m with context %}{{ m() }}',
    "import": '{% import "m.html" as x %}{{ x.m() }}',
    "import in a loop": '{% for i in [1, 2] %}{% import "m.html" as x %}{{ x.m() }};{% endfor %}',
    "include": '{% include "n.html" %}',
}


@pytest.mark.parametrize("kinds", [(jinja2.Environment, Environment),
                                   (jinja2.sandbox.ImmutableSandboxedEnvironment, SandboxedEnvironment)],
                         ids=["plain", "sandboxed"])
@pytest.mark.parametrize("own", [None, {"h": "own"}], ids=["environment's globals", "the page's own too"])
@pytest.mark.parametrize("page", sorted(IMPORTS))
def test_every_import_sees_the_globals_jinja_gives_it(kinds, own, page):
    rendered = []
    for kind in kinds:
        loader = jinja2.DictLoader({"m.html": MACROS, "n.html": '{% from "m.html" import m %}{{ m() }}',
                                    "page.html": IMPORTS[page]})
        env = kind(loader=loader, autoescape=True)
        env.globals["g"] = "first"
        template = env.get_template("page.html", globals=own)
        shown = [template.render()]
        env.globals["g"] = "changed"  # after a template loaded: whatever Jinja shows then
        shown.append(env.get_template("page.html").render())
        rendered.append(shown)
    assert rendered[0] == rendered[1]
    assert "first" in rendered[0][0]
    if own is not None and page in ("from", "import", "import in a loop"):
        assert "own" in rendered[0][0]  # a module made for the page's own globals, not the cached one


class Registered:
    """Neither a dict nor a subclass of one, but registered as a mutable mapping."""


MutableMapping.register(Registered)


class Shifty:
    """Objects of one type that tell `isinstance` different things: some say they are a generator or a dict."""

    def __init__(self, claims: type | None = None):
        self.claims = claims

    @property
    def __class__(self):
        return self.claims or Shifty


def generator():
    yield 1


async def coroutine():
    return 1


async def async_generator():
    yield 1


def some_objects() -> dict[str, object]:
    """One object of each kind Jinja's sandbox tells apart, and some it does not."""
    try:
        raise ValueError
    except ValueError:
        traceback = sys.exc_info()[2]
    running = coroutine()
    running.close()
    return {"function": show, "method": Holder().method, "builtin": max, "class": Holder, "type": type,
            "abstract class": MutableMapping, "code": show.__code__, "traceback": traceback,
            "frame": sys._getframe(), "generator": generator(), "coroutine": running,
            "async generator": async_generator(), "dict": {"a": 1}, "list": [1], "set": {1}, "deque": collections.deque(),
            "ordered dict": collections.OrderedDict(), "registered mapping": Registered(), "str": "text",
            "markup": Markup("<b>"), "tuple": (1,), "int": 3, "module": types, "object": Holder(),
            "partial": functools.partial(show), "library function": asyncio.new_event_loop, "plain shifty": Shifty(),
            "shifty generator": Shifty(types.GeneratorType), "shifty dict": Shifty(dict)}


OBJECTS = some_objects()
NAMES = sorted({name for value in OBJECTS.values() for name in dir(value)}
               | {"mro", "clear", "append", "update", "pop", "format", "format_map", "gi_frame", "cr_frame",
                  "ag_frame", "f_globals", "tb_frame", "co_code", "func_globals", "__globals__", "im_func",
                  "__self__", "_private", "plain", "title"})


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(OBJECTS)), st.sampled_from(NAMES)), min_size=1, max_size=60))
def test_the_sandbox_allows_what_jinjas_sandbox_allows_however_often_it_is_asked(asked):
    ours, jinjas = SandboxedEnvironment(), jinja2.sandbox.ImmutableSandboxedEnvironment()
    for name, attribute in asked + asked:  # each pair asked again, once remembered
        value = OBJECTS[name]
        found = getattr(value, attribute, None)
        assert ours.is_safe_attribute(value, attribute, found) == jinjas.is_safe_attribute(value, attribute, found), (
            name, attribute)


@pytest.mark.parametrize("name", ["gi_frame", "clear", "mro", "title"])
def test_objects_of_one_type_that_claim_other_types_are_each_asked_of_jinja(name):
    """`isinstance` asks an object's `__class__` too: what one such object was allowed says nothing of another."""
    shifty = [Shifty(), Shifty(types.GeneratorType), Shifty(dict), Shifty(type)]
    for order in itertools.permutations(shifty):
        ours, jinjas = SandboxedEnvironment(), jinja2.sandbox.ImmutableSandboxedEnvironment()
        assert [ours.is_safe_attribute(obj, name, None) for obj in order] == [
            jinjas.is_safe_attribute(obj, name, None) for obj in order]


def test_a_template_in_the_sandbox_is_refused_what_it_was_refused_before_a_safe_read():
    env = SandboxedEnvironment()
    reads = "{{ h.method(1) }} {{ h.method.__func__ is defined }} {{ h.__class__ is defined }} {{ d.keys() | list }}"
    assert env.from_string(reads).render(h=Holder(), d={"a": 1}) == "method(1,)[] False False ['a']"
    assert env.from_string(reads).render(h=Holder(), d={"b": 2}) == "method(1,)[] False False ['b']"
    for call in ("{{ d.clear() }}", "{{ d.keys() }}{{ d.clear() }}"):
        with pytest.raises(jinja2.sandbox.SecurityError):
            env.from_string(call).render(d={"a": 1})


@pytest.mark.parametrize("context_class", [jinja2.runtime.Context, Context], ids=["Jinja's context", "sitegen's"])
@pytest.mark.parametrize("kind", [Environment, SandboxedEnvironment], ids=["plain", "sandboxed"])
def test_a_fragment_is_drawn_once_for_the_same_values_and_again_for_others(kind, context_class):
    drawn = itertools.count(1)
    env = kind(autoescape=True)
    env.context_class = context_class
    env.globals.update(fragment=FragmentMemo(), drawn=lambda: next(drawn))
    page = env.from_string("{% for v in values %}{% call fragment(v, suffix) %}{{ v.name }}{{ suffix }}"
                           "#{{ drawn() }}{% endcall %};{% endfor %}")
    first, second = Language("fr", "<b>Français</b>"), Language("fr", "Français")  # equal codes, two objects
    assert page.render(values=[first, second, first, second], suffix="!") == (
        "&lt;b&gt;Français&lt;/b&gt;!#1;Français!#2;&lt;b&gt;Français&lt;/b&gt;!#1;Français!#2;")
    assert page.render(values=[second], suffix="?") == "Français?#3;"  # another value: drawn again
    assert page.render(values=[second], suffix="!") == "Français!#2;"  # the same: still kept
    env.globals["fragment"] = FragmentMemo()  # a new environment's memo (a new build) keeps nothing
    assert page.render(values=[second], suffix="!") == "Français!#4;"


LANG_OF_MACRO = ("{% macro lang_of(code, language) %}{% if code and language and code != language.code %} "
                 'lang="{{ code }}" dir="{{ text_dir(code) }}"{% endif %}{% endmacro %}')  # as the theme had it


@settings(max_examples=200, deadline=None)
@given(code=st.one_of(st.none(), st.sampled_from(["", "en", "fr", "ar", "fa", "pt-BR", "zz"]), st.text(max_size=8)),
       language=st.one_of(st.none(), st.sampled_from(["en", "fr", "ar", '"x"']).map(lambda c: Language(c, c))))
def test_lang_attributes_writes_what_the_macro_it_replaced_wrote(code, language):
    from sitegen.render.environment import text_direction

    env = Environment(autoescape=True)
    env.context_class = Context
    env.globals.update(text_dir=text_direction, lang_attributes=lang_attributes)
    macro = env.from_string(LANG_OF_MACRO + "<a{{ lang_of(code, language) }}>").render(code=code, language=language)
    function = env.from_string("<a{{ lang_attributes(code, language) }}>").render(code=code, language=language)
    assert macro == function
