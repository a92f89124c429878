"""Refresh the window's translation catalogues from the sources, then compile them.

    python3 -m uv run --frozen python packaging/translations.py

1. `pyside6-lupdate` reads every `tr()`, `QCoreApplication.translate()` and
   `QT_TRANSLATE_NOOP()` in pos_app/ui/ into resources/i18n/tableside_<lang>.ts, keeping
   the translations already there (new strings come in "unfinished").
2. Translate the unfinished ones in the .ts (Qt Linguist: `pyside6-linguist`, or any
   editor: they are plain XML).
3. `pyside6-lrelease` compiles each .ts to the .qm the window loads (pos_app/ui/i18n.py).
tests/test_gui_spanish.py fails while a visible string is untranslated or a .qm is stale.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "pos_app" / "ui").glob("*.py"))
CATALOGUES = ROOT / "resources" / "i18n"
LANGUAGES = ("es",)


def tool(name: str) -> str:
    found = shutil.which(name) or str(Path(sys.executable).parent / name)
    return found


def main() -> int:
    for lang in LANGUAGES:
        ts = CATALOGUES / f"tableside_{lang}.ts"
        subprocess.run(
            [tool("pyside6-lupdate"), *SOURCES, "-no-obsolete", "-locations", "none",
             "-target-language", lang, "-ts", str(ts)],
            cwd=ROOT, check=True,
        )  # fmt: skip
        subprocess.run(
            [tool("pyside6-lrelease"), str(ts), "-qm", str(ts.with_suffix(".qm"))],
            cwd=ROOT, check=True,
        )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
