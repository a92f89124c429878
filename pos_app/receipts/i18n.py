"""Receipt languages: which locales a receipt can be written in, and their catalogs.

Templates carry English text inside Jinja2's i18n tags; a language other than English has a
gettext catalog (`resources/receipts/locale/<lang>/LC_MESSAGES/receipts.po`). The .po is
compiled in memory with Babel when first used, so there is no build step and no .mo file to
forget. Money and dates are formatted by Babel for the language's US locale (es_US writes
"$1,250.50" and "14 de marzo de 2026"): the donor is American, the words are Spanish.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from resources import RESOURCES

if TYPE_CHECKING:  # Babel is loaded with the first receipt, not at start-up
    from babel.support import NullTranslations

CATALOGS = RESOURCES / "receipts" / "locale"
DOMAIN = "receipts"
DEFAULT_LANGUAGE = "en"
# language code stored on a gift -> the Babel locale its money and dates are written in
LOCALES = {"en": "en_US", "es": "es_US"}
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def normalize(language: str | None) -> str:
    """'es', 'es_US', 'es-MX', 'ES' -> 'es'; anything unknown or empty -> 'en'."""
    code = (language or "").strip().replace("-", "_").split("_")[0].lower()
    return code if code in LOCALES else DEFAULT_LANGUAGE


def babel_locale(language: str | None) -> str:
    return LOCALES[normalize(language)]


@lru_cache(maxsize=8)
def translations(language: str, catalogs: Path = CATALOGS) -> NullTranslations:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    lang = normalize(language)
    po = catalogs / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT_LANGUAGE or not po.exists():
        return NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf, domain=DOMAIN)
