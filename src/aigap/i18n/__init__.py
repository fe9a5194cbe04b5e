"""Languages: one catalogue of labels and sentence templates, number formats, Korean particles.

``t(key, lang, **fields)`` reads ``locales/<lang>.yaml`` (see :mod:`aigap.i18n.catalogue`);
:mod:`aigap.i18n.numbers` formats numbers with Babel; :mod:`aigap.i18n.korean` chooses
particles; :mod:`aigap.i18n.english` articles and possessives.
"""

from aigap.i18n.catalogue import join, pillar_name, t, t_or
from aigap.i18n.store import (
    DEFAULT_LANG,
    I18nError,
    add_catalogue_dir,
    has,
    lang_of,
    languages,
    remove_catalogue_dir,
)

__all__ = ["DEFAULT_LANG", "I18nError", "add_catalogue_dir", "has", "join", "lang_of",
           "languages", "pillar_name", "remove_catalogue_dir", "t", "t_or"]
