"""Interface text made in Python rather than in a template, marked for translation.

`N_` marks a message for `pybabel extract` (babel.cfg) and returns it as it
is (`NP_` a message with its plural); the stage that shows the text translates it with the page's language
(`gettext`, passed in). The theme's catalogues hold the translations.
"""

from __future__ import annotations

from collections.abc import Callable

Gettext = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - gettext's name for a marker
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802
    """Marks a message with a plural for `pybabel extract` (babel.cfg: -k NP_:1,2): (singular, plural)."""
    return singular, plural


def untranslated(message: str) -> str:
    """The `gettext` of the site's own language when it has no catalogue: every message as written."""
    return message


# UNESCO's regions (model/data/unesco_regions.json names them in English), for the catalogues
REGION_NAMES = (N_("Africa"), N_("Arab States"), N_("Asia and the Pacific"), N_("Europe and North America"),
                N_("Latin America and the Caribbean"))
