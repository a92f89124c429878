"""The background queue's health as one sentence a lead reads in two seconds.

A symbol, a word and a colour together ("● All good — 3 jobs sending", "▲ Needs you — 1 job
needs attention"), so the colour is never the only signal. Shown on the event desk and at
the top of the pending-jobs tab, from the station's cheap job summary.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from jobs.records import JobSummary

OK, WAIT, BAD = "ok", "wait", "bad"


def health(s: JobSummary) -> tuple[str, str]:
    """(level, sentence): what needs the lead first, then what is on its way."""
    waiting = s.pending - s.needs_attention
    if s.needs_attention:
        n = s.needs_attention
        what = (
            QCoreApplication.translate("QueueHealth", "1 job needs attention")
            if n == 1
            else QCoreApplication.translate("QueueHealth", "{n} jobs need attention").format(n=n)
        )
        head = QCoreApplication.translate("QueueHealth", "Needs you — {what}")
        return BAD, "▲ " + head.format(what=what)
    if waiting and not s.online:
        what = (
            QCoreApplication.translate("QueueHealth", "1 job waits for the network")
            if waiting == 1
            else QCoreApplication.translate("QueueHealth", "{n} jobs wait for the network").format(
                n=waiting
            )
        )
        head = QCoreApplication.translate("QueueHealth", "Offline — {what}")
        return WAIT, "◆ " + head.format(what=what)
    if s.retrying:
        n = s.retrying
        what = (
            QCoreApplication.translate("QueueHealth", "1 job will be tried again")
            if n == 1
            else QCoreApplication.translate("QueueHealth", "{n} jobs will be tried again").format(
                n=n
            )
        )
        head = QCoreApplication.translate("QueueHealth", "Retrying — {what}")
        return WAIT, "◆ " + head.format(what=what)
    if waiting:
        what = (
            QCoreApplication.translate("QueueHealth", "1 job sending")
            if waiting == 1
            else QCoreApplication.translate("QueueHealth", "{n} jobs sending").format(n=waiting)
        )
        head = QCoreApplication.translate("QueueHealth", "All good — {what}")
        return OK, "● " + head.format(what=what)
    return OK, "● " + QCoreApplication.translate("QueueHealth", "All good — nothing waiting")


class HealthLabel(QLabel):
    """The sentence, coloured by its level through the stylesheet (`level` property)."""

    def __init__(self) -> None:
        super().__init__("")
        self.setObjectName("queueHealth")
        self.setWordWrap(True)
        self.level = ""

    def show_summary(self, summary: JobSummary) -> None:
        level, text = health(summary)
        self.setText(text)
        if level != self.level:
            self.level = level
            self.setProperty("level", level)
            self.style().unpolish(self)
            self.style().polish(self)
