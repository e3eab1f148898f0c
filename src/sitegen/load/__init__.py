"""Load stage: a content folder in, validated records out.

What the rest of sitegen uses of the stage; the work is done in `content`
(the order of loading), `files`, `documents`, `config`, `studies` and
`yamltext`. The stage imports nothing downstream of it: what it must know of
the later stages (the names the site makes, how a card's excerpt is made)
is passed in as `LoadRules`.
"""

from .config import ThemeVocabulary, load_site_config
from .content import LoadRules, load_content
from .documents import body_text
from .files import CASE_STUDY_DIR, HOME_FILE, OVERRIDES_DIR, PAGES_DIR, SITE_FILE, folded, read_text
from .studies import StudyLoader, load_case_study

__all__ = ["CASE_STUDY_DIR", "HOME_FILE", "OVERRIDES_DIR", "PAGES_DIR", "SITE_FILE", "LoadRules", "StudyLoader",
           "ThemeVocabulary", "body_text", "folded", "load_case_study", "load_content", "load_site_config",
           "read_text"]
