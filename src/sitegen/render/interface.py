"""The interface in each of the site's languages: gettext catalogues, dates and numbers.

Owns reading the theme's catalogues (`locales/<lang>/LC_MESSAGES/messages.po`,
compiled in memory with Babel: no .mo file is kept in the repository), the
`gettext` a language's pages and Python-made labels use, and the formats of
dates and numbers from CLDR. The site's own language needs no catalogue
when it is the language the templates are written in (English); any other
language without one shows the English interface, and `check` says so.
A catalogue's digest is part of every fingerprint of its language's pages.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations
from jinja2 import pass_eval_context
from markupsafe import Markup

from ..model.diagnostics import Report
from ..model.languages import checked_locale
from ..model.records import Language

LOCALES_DIR = "locales"  # in the theme
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"  # the language the templates' messages are written in


@dataclass(frozen=True)
class Interface:
    """One language's interface: its catalogue, and its CLDR locale for dates and numbers."""

    language: Language
    digest: str = ""  # of its catalogue ("" for none)
    translations: NullTranslations = field(default_factory=NullTranslations, compare=False, repr=False)

    @property
    def locale(self) -> Locale:
        return formats_locale(self.language.code)

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def template_callables(self) -> dict:
        """gettext, ngettext, pgettext and npgettext as Jinja's newstyle gettext calls them (a message and its
        variables by name, `num` the count): the message from the catalogue, escaped as the template is,
        with every whole number in it written as the language writes numbers (`format_decimal`)."""
        translations = self.translations

        # Each takes the evaluation context (is the template autoescaped?), not the whole context: Jinja
        # would derive a new context for every call made inside a loop or a block.
        def fill(eval_ctx, message: str, variables: dict):
            if eval_ctx.autoescape:
                message = Markup(message)
            if not variables and "%" not in message:  # what `%` would give, without its work
                return message
            return message % {name: self.number(value) if type(value) is int else value
                              for name, value in variables.items()}

        @pass_eval_context
        def gettext(eval_ctx, message, **variables):
            return fill(eval_ctx, translations.gettext(message), variables)

        @pass_eval_context
        def ngettext(eval_ctx, singular, plural, num, **variables):
            variables.setdefault("num", num)
            return fill(eval_ctx, translations.ngettext(singular, plural, num), variables)

        @pass_eval_context
        def pgettext(eval_ctx, message_context, message, **variables):
            return fill(eval_ctx, translations.pgettext(message_context, message), variables)

        @pass_eval_context
        def npgettext(eval_ctx, message_context, singular, plural, num, **variables):
            variables.setdefault("num", num)
            return fill(eval_ctx, translations.npgettext(message_context, singular, plural, num), variables)

        return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}

    def plural_forms(self, singular: str, plural: str) -> dict[str, str]:
        """A message in each of the language's CLDR plural categories ("one", "few", "other"...), for a
        script that picks one with `Intl.PluralRules` (its %(num)s left for the script to fill)."""
        rule = self.locale.plural_form
        forms: dict[str, str] = {}
        for n in PLURAL_SAMPLES:
            forms.setdefault(rule(n), self.ngettext(singular, plural, n))
        return dict(sorted(forms.items()))

    def long_date(self, value: dt.date) -> str:
        """A date as the language writes it in full: "27 October 2021", "27 octobre 2021", "27 أكتوبر 2021"."""
        return long_date(value, self.language.code)

    def number(self, value: int) -> str:
        return decimal(value, self.language.code)


PLURAL_SAMPLES = (*range(0, 112), 1000, 1000000)  # numbers that reach every plural category of every CLDR locale


@lru_cache(maxsize=64)  # pure, and asked for each date and number not formatted before (long_date, decimal)
def formats_locale(code: str) -> Locale:
    """The CLDR locale whose formats a language's pages use. English with no region is CLDR's
    international English (en_001: "27 October 2021"), not US English, as fits a worldwide network."""
    locale = checked_locale(code)
    if locale.language == "en" and not locale.territory:
        return Locale.parse("en_001")
    return locale


# Pure, and asked for the same counts and dates on many pages (Babel reads its patterns again each time)
@lru_cache(maxsize=4096)
def long_date(value: dt.date, code: str) -> str:
    return format_date(value, "long", locale=formats_locale(code))


@lru_cache(maxsize=4096)
def decimal(value: int, code: str) -> str:
    return format_decimal(value, locale=formats_locale(code))


PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def placeholders_hold(catalog, path: Path, report: Report) -> bool:
    """Does each translation use only the placeholders its message has (`%(name)s`)? Each that does not is
    reported at its line in the catalogue (a page would otherwise fail where it uses the message)."""
    clean = True
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        known = {name for text in ids for name in PLACEHOLDER.findall(text)}
        for text in strings:
            unknown = sorted(set(PLACEHOLDER.findall(text or "")) - known)
            if unknown:
                report.error(path, message.lineno, f"the translation of '{ids[0]}' uses %({unknown[0]})s, which the "
                             f"message does not have", "Write the placeholders as the message has them: "
                             + ", ".join(f"%({name})s" for name in sorted(known)) if known else "Remove it.")
                clean = False
    return clean


def catalogue_file(theme: Path, code: str) -> Path:
    return theme / LOCALES_DIR / code.replace("-", "_") / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_interfaces(theme: Path, languages: tuple[Language, ...], report: Report) -> dict[str, Interface]:
    """Each language's interface, by code; a language without a catalogue gets the messages as written
    (a warning, unless it is the templates' own language); a catalogue that cannot be read is an error."""
    found = {}
    for language in languages:
        path = catalogue_file(theme, language.code)
        if not path.is_file():
            if checked_locale(language.code).language != SOURCE_LANGUAGE:
                report.warning(path, None, f"the theme has no interface catalogue for '{language.code}', so pages "
                               f"in {language.name} show their menus, labels and messages in English",
                               "Add the catalogue (see \"Languages\" in the README: pybabel init), or remove the "
                               "language from site.yaml.")
            found[language.code] = Interface(language)
            continue
        data = path.read_bytes()
        try:
            catalog = read_po(io.BytesIO(data), locale=language.code.replace("-", "_"), domain=DOMAIN)
            if not placeholders_hold(catalog, path, report):
                continue
            compiled = io.BytesIO()
            write_mo(compiled, catalog)
            compiled.seek(0)
            translations = Translations(compiled, domain=DOMAIN)
        except Exception as exc:  # noqa: BLE001 - a broken catalogue is the theme's, told at its file
            report.error(path, getattr(exc, "lineno", None), f"the catalogue cannot be read: {exc}",
                         "Check it with 'pybabel compile --statistics -d templates/locales' and fix the line.")
            continue
        found[language.code] = Interface(language, hashlib.blake2b(data, digest_size=16).hexdigest(), translations)
    return found
