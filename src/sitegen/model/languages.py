"""Language codes: the one spelling sitegen compares them in, and what CLDR knows of them.

Owns `language_key` (a code as comparisons and output folders spell it: pt-BR,
pt_br and PT-br are one language), `cldr_locale` (the CLDR locale of a code, through
Babel; None for a code CLDR does not know; `checked_locale` for a code already
checked), `name_in_itself` (what a language calls itself) and `script_direction`
(which way a locale's script runs). The load stage checks site.yaml's languages
with these, and the index and render stages name, localise and direct pages with
the same answers.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError


def language_key(code: str) -> str:
    """`code` as sitegen compares codes: lower case, parts joined by "-"."""
    return code.replace("_", "-").lower()


@lru_cache(maxsize=256)  # pure; asked for the same few codes on every page
def cldr_locale(code: str) -> Locale | None:
    """The CLDR locale of a BCP 47 code (pt-BR, zh-Hant, ar); None for a code CLDR does not know."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def script_direction(locale: Locale | None) -> str:
    """"rtl" for a locale whose script runs right to left (ar, fa, he, ur, pa-Arab...); else, or for None, "ltr"."""
    return "rtl" if locale is not None and locale.character_order == "right-to-left" else "ltr"


def checked_locale(code: str) -> Locale:
    """`cldr_locale` of a code checked as site.yaml loaded (a ValueError for a code CLDR does not know)."""
    locale = cldr_locale(code)
    if locale is None:
        raise ValueError(f"CLDR does not know the language code {code!r}")
    return locale


def name_in_itself(locale: Locale, fallback: str) -> str:
    """What a language calls itself in CLDR ("Español", "Français"), capitalised as a name; `fallback` when
    CLDR has no name for it."""
    name = locale.get_display_name(locale) or fallback
    return name[:1].upper() + name[1:]
