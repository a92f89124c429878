"""Formula guarding in the CSV exports: what a donor typed opens as text in a spreadsheet.

The rule (`safe_text`) is checked by properties over any text (Hypothesis), and the files
the desk writes are opened by a real LibreOffice (`soffice --headless --convert-to fods`),
with its CSV import trimming spaces and not, and every cell checked for a formula. That
test is skipped where LibreOffice is absent (about 280 MB; not installed by CI).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.services.export import safe_text, write_csv

# Every way of writing a formula sign that a spreadsheet (or an IME) may take as one.
SIGNS = "=+-@＝＋－＠﹦﹢﹣﹫−"
# What may stand before it and be trimmed away or read as blank.
BLANKS = " \t\r\n\u00a0\u2007\u202f\u3000\u200b\u2060\ufeff"

HOSTILE = [
    "=1+1", " =1+1", "  =HYPERLINK(\"http://x.invalid\",\"x\")", "\u3000=1+1", "\u00a0=1+1",
    "\t=1+1", "\r=1+1", "\n=1+1", "\u200b=1+1", "\ufeff=1+1",
    "＝1+1", " ＝1+1", "＋1+1", "－1+1", "＠SUM(1,2)", "﹦1+1", "−1+1",
    "+1+1", "-1+1", "@SUM(1,2)", " +1", " -1", " @SUM(1)",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_behind_blanks_or_in_a_look_alike_is_guarded(text: str) -> None:
    assert safe_text(text) == "'" + text


@pytest.mark.parametrize("text", ["Ann", " Ann", "O'Brien", "Zoë", "1+1", "", "a=b", "'=1"])
def test_plain_text_is_left_alone(text: str) -> None:
    assert safe_text(text) == text


def visible_start(text: str) -> str:
    """An independent reading of 'the first thing a spreadsheet sees': blanks dropped, the
    character folded to its plain form."""
    stripped = "".join(
        c for c in text if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Zs"))
    )
    return unicodedata.normalize("NFKC", stripped[:1])


@given(st.text(alphabet=BLANKS, max_size=4), st.sampled_from(SIGNS), st.text(max_size=20))
def test_any_blanks_then_any_sign_is_guarded(blanks: str, sign: str, rest: str) -> None:
    text = blanks + sign + rest
    assert safe_text(text) == "'" + text


@given(st.text())
def test_the_guard_only_ever_adds_one_apostrophe(text: str) -> None:
    out = safe_text(text)
    assert out in (text, "'" + text)
    assert safe_text(out) == out  # the guarded text is itself safe
    if out == text:  # left alone only when nothing formula-like leads
        assert visible_start(text) not in "=+-@−" or visible_start(text) == ""
        assert text[:1] not in ("\t", "\r", "\n")


# ---- a real spreadsheet ---------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# CSV import options: comma, double quote, UTF-8, from line 1, ..., then "trim spaces".
CSV_FILTER = "CSV:44,34,76,1,,0,false,true,false,false,{trim}"


def formulas_in(csv_file: Path, tmp_path: Path, *, trim: bool) -> list[str]:
    """Open the CSV in LibreOffice Calc as a person would, save it as flat ODS, and list
    the cells it made formulas of."""
    out = tmp_path / ("trim" if trim else "as-is")
    done = subprocess.run(
        [SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         f"--infilter={CSV_FILTER.format(trim='true' if trim else 'false')}",
         "--convert-to", "fods", "--outdir", str(out), str(csv_file)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    converted = out / (csv_file.stem + ".fods")
    assert converted.exists(), (done.returncode, done.stdout, done.stderr)
    return re.findall(r'table:formula="([^"]*)"', converted.read_text(encoding="utf-8"))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
@pytest.mark.timeout(600)
def test_libreoffice_opens_every_hostile_cell_as_text(tmp_path: Path) -> None:
    columns = ("Donor name", "Refund reason")
    raw, guarded = tmp_path / "raw.csv", tmp_path / "guarded.csv"
    write_csv(raw, columns, [{"Donor name": t, "Refund reason": "x"} for t in HOSTILE])
    write_csv(guarded, columns,
              [{"Donor name": safe_text(t), "Refund reason": "x"} for t in HOSTILE])
    # The harness sees formulas when they are there: unguarded, Calc runs some of them.
    assert formulas_in(raw, tmp_path, trim=True)
    for trim in (False, True):
        assert formulas_in(guarded, tmp_path, trim=trim) == [], trim
