"""The window's language: Qt's translation machinery over Tableside's own catalogue.

Every string the window shows goes through `tr()` (or `core_text.shown()` for the core's
words); `resources/i18n/tableside_<lang>.ts` holds the translations, written from the
sources by `pyside6-lupdate` (python packaging/translations.py) and compiled to the `.qm`
QTranslator loads (`pyside6-lrelease`; tests/test_gui_spanish.py checks the .qm is the
.ts's). Qt's own dialog buttons come from Qt's catalogue for the language where PySide6
ships one. The language is `[display] language` in the config, or the laptop's own when
that is "auto". Receipts choose their own language per gift (pos_app/receipts/i18n.py).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from resources import RESOURCES

LANGUAGES = {"en": "English", "es": "Español"}
CATALOGUES = RESOURCES / "i18n"
_installed: list[QTranslator] = []  # kept alive while installed: Qt doesn't own them


def ui_language(setting: str, system: QLocale | None = None) -> str:
    """"en" or "es": the setting, or for "auto" the laptop's locale when we speak it."""
    if setting in LANGUAGES:
        return setting
    lang = (system or QLocale.system()).name().split("_")[0]
    return lang if lang in LANGUAGES else "en"


def install(language: str) -> bool:
    """Load the catalogues for `language` into the running application (the window must
    be built after this). True when Tableside's own catalogue was found; English needs
    none."""
    uninstall()
    if language == "en":
        return True
    app = QCoreApplication.instance()
    assert app is not None, "make the QApplication first"
    ours = QTranslator()
    found = ours.load(str(CATALOGUES / f"tableside_{language}.qm"))
    if found:
        app.installTranslator(ours)
        _installed.append(ours)
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt = QTranslator()
    if qt.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt)
        _installed.append(qt)
    return found


def uninstall() -> None:
    app = QCoreApplication.instance()
    while _installed:
        t = _installed.pop()
        if app is not None:
            app.removeTranslator(t)
