"""Every call a template makes goes through sitegen's `Context` (render/environment.py), which hands
plain functions and methods straight to Python instead of looking for Jinja's `pass_context`-style
marks first. Each kind of callable, called from each kind of place in a template, in the plain and
the sandboxed environment, must give exactly what Jinja's own Context gives.
"""

from __future__ import annotations

import functools

import jinja2
import jinja2.sandbox
import pytest
from sitegen.render.environment import Context


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
