"""Bigger type on bigger screens: the stylesheet's pixel sizes scaled to the window.

The stylesheet (resources/style.qss) is written for a 1366x768 laptop and fits 1024x600.
On a 1920x1080 screen the same sizes leave half the window empty and the words small at
arm's length, so the volunteer's window re-applies the stylesheet with every `px` scaled
by how much bigger than 1366x768 it is (in steps, at most 1.4x). Scaling happens only when
the step changes, never per resize event.
"""

from __future__ import annotations

import functools
import re

from resources import RESOURCES

BASE = (1366, 768)
MAX_FACTOR = 1.4
_PX = re.compile(r"(\d+)px")


@functools.cache
def base_stylesheet() -> str:
    return (RESOURCES / "style.qss").read_text(encoding="utf-8")


def factor_for(width: int, height: int) -> float:
    """1.0 up to 1366x768, then in 0.1 steps with the smaller of the two ratios."""
    ratio = min(width / BASE[0], height / BASE[1])
    return max(1.0, min(MAX_FACTOR, int(ratio * 10) / 10))


def scaled(stylesheet: str, factor: float) -> str:
    if factor == 1.0:
        return stylesheet
    return _PX.sub(lambda m: f"{round(int(m.group(1)) * factor)}px", stylesheet)
