"""The volunteer's window: training banner, donation form, result panel, status bar.

Every call into the station that may touch the network or disk runs through TaskRunner;
the GUI thread only validates input (pure checks) and paints. With a card reader, Card
means "on the reader": Enter sends the amount to the reader, the result panel waits for the
tap (in training it carries the donor's part, F5-F8), and Esc cancels on the reader.
F9 opens give-again (ui/give_again.py) in the result panel's place: a returning donor's
card on file, charged off the GUI thread like any other gift.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.api import Donor, InvalidDonation, SavedDonor, Station, StatusSnapshot
from pos_app.changes import Topic
from pos_app.domain.money import AmountError, format_cents
from pos_app.domain.states import Method
from pos_app.services.give_again import ASK_FOR_CARD
from pos_app.services.records import Outcome
from resources import RESOURCES

from .check_in_window import CheckInWindow
from .core_text import shown
from .displays import screen_of
from .donation_form import DonationForm
from .give_again import KEY as GIVE_AGAIN_KEY
from .give_again import GiveAgainPanel
from .lead_window import LeadWindow
from .live import LiveChanges, Refresher
from .result_panel import DONOR_PARTS, ResultPanel
from .scale import base_stylesheet, factor_for, scaled
from .tasks import TaskRunner
from .tray import AlertTray

log = logging.getLogger(__name__)

PLEDGE_KEY = "Alt+P"  # take the gift as a pledge the donor pays by link
CHECK_IN_KEY = "F10"  # the check-in window (ui/check_in_window.py)

# A gift the volunteer is done with: the form moves on to the next donor. "pending" (with
# the bank) and "mismatch" (the lead checks it) finish by themselves, away from the table.
FINISHED = ("approved", "recorded", "pending", "mismatch")
# Results that may still change while shown; the panel follows them.
UNSETTLED = ("in_doubt", "pending")
# What the status bar, banners and the in-doubt result show; all pushed (ui/live.py).
STATUS_TOPICS = (Topic.GIFT, Topic.JOB, Topic.SETTINGS, Topic.NETWORK)


COMPACT_BELOW = 1200  # px: narrower windows get the compact status bar
HEADER_FROM = 1600  # px: the event and station name in the status bar too


def mode_text(station: Station) -> str:
    """Which account a charge really hits, always in view (colour is not the only signal);
    the words are the processor's own (its registered spec)."""
    from pos_app.payments import registry

    return registry.get(station.processor.name).mode_label(station.processor)


class MainWindow(QMainWindow):
    def __init__(self, station: Station) -> None:
        super().__init__()
        self.station = station
        self.tasks = TaskRunner(self)
        self.live = LiveChanges(station.changes, self)
        self._busy = False
        self.scale_factor = 1.0  # ui/scale.py: bigger type on a bigger window
        settings = station.settings
        self.setWindowTitle(
            self.tr("Tableside — {event} — {station}").format(
                event=settings.event.name, station=settings.event.station
            )
        )
        screen = screen_of(self).availableGeometry()  # never larger than the laptop's screen
        self.resize(min(1366, screen.width()), min(768, screen.height()))

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = QLabel(
            self.tr(
                "TRAINING MODE — practice only: no real card is charged, and receipts go to "
                "the outbox folder."
            )
            if settings.receipts.provider == "outbox"
            else self.tr(
                "TRAINING MODE — practice only: no real card is charged, but receipts ARE "
                "emailed to donors."
            )
        )
        self.banner.setObjectName("trainingBanner")
        self.banner.setWordWrap(True)  # never wider than a small laptop, in any language
        self.banner.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.banner.setVisible(station.training)
        outer.addWidget(self.banner)
        self.alert_banner = QLabel("")
        self.alert_banner.setObjectName("alertBanner")
        self.alert_banner.setWordWrap(True)
        self.alert_banner.hide()
        outer.addWidget(self.alert_banner)
        # The event, the station and the lead's door sit in the status bar: on a 1024x600
        # laptop every line of height belongs to the form.
        self.header = QLabel(f"{settings.event.name}  ·  {settings.event.station}")
        self.header.setObjectName("header")
        self.lead_btn = QPushButton(self.tr("Lead desk (Ctrl+L)"))
        self.lead_btn.setObjectName("leadButton")
        self.lead_btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lead_btn.clicked.connect(self.open_lead_desk)
        self.lead_window: LeadWindow | None = None
        self.closing_summary: str | None = None
        # Asked before closing with unfinished work; replaced in tests (no modal dialogs).
        self.confirm_close = self._ask_close

        body = QHBoxLayout()
        body.setContentsMargins(12, 6, 12, 6)
        body.setSpacing(16)
        left = QVBoxLayout()
        self.form = DonationForm(settings.payments.currency)
        self.form.set_entry(station.card_entry)
        self.form.set_save_default(station.can_save_cards, station.save_cards_default)
        self.form.cover_fee.configure(
            station.fee_for, station.fee_cause, station.cover_fee_default
        )
        self.form.more.set_goods(station.goods_items())
        self.form.submitted.connect(self.submit)
        arrow = (RESOURCES / "icons" / "combo-arrow.png").as_posix()  # absolute: see style.qss
        self.form.setStyleSheet(
            f"QComboBox::down-arrow {{ image: url({arrow}); width: 12px; height: 8px; }}"
        )
        self.form.changed.connect(self._update_action)
        scroll = QScrollArea()  # field errors never push the window past a laptop screen
        scroll.setObjectName("formScroll")
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
        scroll.setAccessibleName(self.tr("Donation form"))
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left.addWidget(scroll, 1)
        self.form_scroll = scroll
        # More options opened on a small screen: scroll them into view (the form scrolls)
        self.form.more.opened.connect(
            lambda on: on and QTimer.singleShot(0, self._show_more_options)
        )
        self.action = QPushButton()
        self.action.setObjectName("charge")
        self.action.setMinimumHeight(52)
        self.action.clicked.connect(self.submit)
        left.addWidget(self.action)
        body.addLayout(left, 3)
        self.result = ResultPanel()
        self.result.retry_clicked.connect(self.retry)
        self.result.next_clicked.connect(self.next_donor)
        self.result.donor_part.connect(self.play_donor)
        # The panel's width is its share of the window, whatever it says: a long result
        # never squeezes the form (which would cut its fields on a small screen).
        self.result.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # Give again (F9) takes the result panel's place while it is open.
        self.give_again = GiveAgainPanel(self.tasks, station.find_saved_donors, self._give_words)
        self.give_again.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.give_again.give.connect(self.give_again_to)
        self.give_again.closed.connect(self.close_give_again)
        self.form.changed.connect(self.give_again.refresh_button)
        self._giving: tuple[SavedDonor, int] | None = None  # the gift on a card on file
        self.right = QStackedWidget()
        self.right.addWidget(self.result)
        self.right.addWidget(self.give_again)
        self.right.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        body.addWidget(self.right, 2)
        outer.addLayout(body, 1)
        self.setCentralWidget(central)

        self.mode_label = QLabel(shown(mode_text(station)))
        self.mode_label.setObjectName("mode")
        self.online_label = QLabel("")
        self.jobs_label = QLabel("")
        self.totals_label = QLabel("")
        bar = self.statusBar()
        bar.addWidget(self.mode_label)
        bar.addWidget(self.online_label)
        bar.addWidget(self.jobs_label)
        bar.addPermanentWidget(self.totals_label)
        bar.addPermanentWidget(self.header)
        # Give again, findable by mouse too (where cards can be kept on this processor)
        self.give_again_btn = QPushButton(self.tr("Give again (F9)"))
        self.give_again_btn.setObjectName("leadButton")  # the same quiet look
        self.give_again_btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.give_again_btn.clicked.connect(self.open_give_again)
        self.give_again_btn.setVisible(station.can_save_cards)
        bar.addPermanentWidget(self.give_again_btn)
        # Check-in at the door: a window of its own (ui/check_in_window.py)
        self.check_in_btn = QPushButton(self.tr("Check-in (F10)"))
        self.check_in_btn.setObjectName("leadButton")
        self.check_in_btn.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.check_in_btn.clicked.connect(self.open_check_in)
        bar.addPermanentWidget(self.check_in_btn)
        bar.addPermanentWidget(self.lead_btn)
        self.check_in_window: CheckInWindow | None = None
        self._compact, self._all_done = False, False
        self._buttons = (
            (self.give_again_btn, self.give_again_btn.text(), self.tr("Give again")),
            (self.check_in_btn, self.check_in_btn.text(), self.tr("Check-in")),
            (self.lead_btn, self.lead_btn.text(), self.tr("Lead desk")),
        )

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.clear_form)
        for kind, _text, key in DONOR_PARTS:
            QShortcut(QKeySequence(key), self, lambda k=kind: self.play_donor(k))
        QShortcut(QKeySequence("Ctrl+N"), self, self.next_donor)
        QShortcut(QKeySequence(GIVE_AGAIN_KEY), self, self.open_give_again)
        QShortcut(QKeySequence(PLEDGE_KEY), self, self.take_as_pledge)
        self.result.pledge_clicked.connect(self.take_as_pledge)
        self.result.pledge_allowed = station.can_take_pledges
        QShortcut(QKeySequence("Ctrl+L"), self, self.open_lead_desk)
        QShortcut(QKeySequence(CHECK_IN_KEY), self, self.open_check_in)
        self.tray = AlertTray(self, settings.event.station)  # a balloon when an alert starts
        self.status = Refresher(
            self,
            self.tasks,
            self.live,
            STATUS_TOPICS,
            self._read_status,
            self._show_status,
            self._status_failed,
        )
        self._update_action()
        self.form.amount.setFocus()
        self.status.start()

    # ---- the action button ----
    def _update_action(self) -> None:
        method = self.form.method
        try:
            cents = self.form.amount_cents()
            if method is Method.CARD and self.form.cover_fee.isChecked():
                cents += self.station.fee_for(cents)  # the charge says what the card pays
            amount = format_cents(cents, self.station.settings.payments.currency)
        except AmountError:
            amount = ""
        if method is Method.CARD and self.form.card_on_reader:
            text = (
                self.tr("Charge {amount} on the reader").format(amount=amount)
                if amount
                else self.tr("Charge on the reader")
            )
        elif method is Method.CARD:
            text = self.tr("Charge {amount}").format(amount=amount) if amount else self.tr("Charge")
        elif method is Method.CASH:
            text = (
                self.tr("Record {amount} cash").format(amount=amount)
                if amount
                else self.tr("Record cash")
            )
        else:
            text = (
                self.tr("Record {amount} check").format(amount=amount)
                if amount
                else self.tr("Record check")
            )
        if self._busy:
            waiting = self.result.state == "reader"
            text = self.tr("Waiting for the card — Esc cancels") if waiting else self.tr("Working…")
        self.action.setText(text)

    # ---- submitting ----
    def submit(self) -> None:
        if self._busy or self.form.swipe.capturing:
            return  # a second Enter or click never sends a second charge
        if (self.result.outcome is not None and self.result.outcome.status in FINISHED
                or self.result.state == "pledged"):  # fmt: skip
            self.next_donor()  # after a finished gift, Enter moves on
            return
        errors: dict[str, str] = {}
        try:
            amount = self.form.amount_cents()
        except AmountError as exc:
            errors["amount"], amount = str(exc), 0
        method = self.form.method
        donor = self.form.donor()
        on_reader = self.form.card_on_reader
        card = self.form.card() if method is Method.CARD and not on_reader else None
        if card is not None and (exp := self.form.expiry_error()):
            errors["expiry"] = exp
        if method is Method.CHECK and not self.form.check_number.text().strip():
            errors["check_number"] = self.tr("Enter the check number.")
        errors.update(self.form.option_errors())
        options = self.form.gift_options()
        try:
            self.station.validate(amount, donor, card, options)
        except InvalidDonation as exc:
            errors = {**exc.errors, **errors}
        if errors:
            self.form.show_errors(errors)
            return
        self.form.show_errors({})
        currency = self.station.settings.payments.currency
        # what the card pays: the gift plus the fee the donor covers
        paid = amount + (self.station.fee_for(amount) if options.cover_fee else 0)
        if on_reader:
            station, entry = self.station, self.form.entry
            self.result.show_reader_waiting(paid, currency, entry.reader_label, entry.simulated)
            self._start(lambda: station.take_reader_donation(amount, donor, options))
        elif card is not None:
            self.form.clear_card()  # card data now lives only in this one call
            station, c = self.station, card
            self._start(lambda: station.take_card_donation(amount, donor, c, options))
            self.result.show_busy(paid, currency, self.tr("Charging"))
        else:
            check = self.form.check_number.text().strip()
            station = self.station
            self._start(
                lambda: station.record_donation(amount, donor, method.value, check, options)
            )
            self.result.show_busy(amount, currency, self.tr("Recording"))

    # ---- a pledge the donor pays by link (services/pledge_links.py) ----
    def take_as_pledge(self) -> None:
        """Alt+P: the amount and the donor as a pledge; a link to pay goes by email. For a
        gift the table can't charge (no card, the processor out of reach, a decline the
        donor wants to settle later); never for one that may have been charged."""
        if self._busy or not self.station.can_take_pledges:
            return
        if self.result.state in ("approved", "recorded", "in_doubt", "pledged"):
            return  # done, or maybe charged: never a second way to pay it
        errors: dict[str, str] = {}
        try:
            amount = self.form.amount_cents()
        except AmountError as exc:
            errors["amount"], amount = str(exc), 0
        donor = self.form.donor()
        if not donor.email.strip():
            errors["email"] = self.tr("The pay link goes by email: enter the donor's email.")
        errors.update(self.form.option_errors())
        if errors:
            self.form.show_errors(errors)
            return
        self.form.show_errors({})
        options = dataclasses.replace(self.form.gift_options(), cover_fee=False, save_card=False)
        self.form.clear_card()  # no card data is kept for a pledge
        station, currency = self.station, self.station.settings.payments.currency
        self._busy = True
        self.form.set_enabled(False)
        self.action.setEnabled(False)
        self.result.show_busy(amount, currency, self.tr("Taking the pledge"))
        self.tasks.run(lambda: station.take_pledge(amount, donor, options),
                       lambda p: self._pledged(p, donor.email.strip()), self._failed)  # fmt: skip

    def _pledged(self, pledge: Any, email: str) -> None:
        self._finish()
        self.result.show_pledged(pledge.amount_cents, self.station.settings.payments.currency,
                                 email)  # fmt: skip
        self.form.set_enabled(False)
        self.action.setEnabled(False)  # this gift is done; Next donor starts another
        self.result.next.setDefault(True)
        self.result.next.setFocus()
        self.poll()

    def _show_more_options(self) -> None:
        self.form_scroll.ensureWidgetVisible(self.form.more, 0, 0)
        focused = self.form.focusWidget()
        if focused is not None and self.form.more.isAncestorOf(focused):
            self.form_scroll.ensureWidgetVisible(focused)

    # ---- give again (F9) ----
    def open_give_again(self) -> None:
        if self._busy:
            return
        if self.result.outcome is not None and self.result.outcome.status in FINISHED:
            self.next_donor()  # a new gift starts from a clean form
        self.right.setCurrentWidget(self.give_again)
        self.give_again.start()

    def close_give_again(self) -> None:
        self.right.setCurrentWidget(self.result)
        self.form.amount.setFocus()

    def _give_amount(self, donor: SavedDonor) -> int:
        """The form's amount when one is typed, else the donor's last gift."""
        if not self.form.amount.text().strip():
            return donor.last_gift_cents
        try:
            return self.form.amount_cents()
        except AmountError:
            return 0

    def _give_words(self, donor: SavedDonor) -> str:
        currency = self.station.settings.payments.currency
        cents = self._give_amount(donor)
        if cents <= 0:
            return ""
        amount = format_cents(cents, currency)
        if self.form.cover_fee.isChecked():
            fee = format_cents(self.station.fee_for(cents), currency)
            return self.tr("{amount} (+ {fee} fee)").format(amount=amount, fee=fee)
        return amount

    def give_again_to(self, donor: SavedDonor) -> None:
        """One key: the chosen donor's card on file, for the form's amount and options."""
        if self._busy:
            return
        errors: dict[str, str] = {}
        amount = self._give_amount(donor)
        if self.form.amount.text().strip():
            try:
                self.form.amount_cents()
            except AmountError as exc:
                errors["amount"] = str(exc)
        self.form.method_buttons[Method.CARD].setChecked(True)  # a card gift: the fee applies
        options = dataclasses.replace(self.form.gift_options(), save_card=False)  # on file
        errors.update(self.form.option_errors())
        if not errors:
            try:
                self.station.validate(amount, Donor(donor.name, donor.email), None, options)
            except InvalidDonation as exc:
                errors = dict(exc.errors)
        if errors:
            self.form.show_errors(errors)
            return
        self.form.show_errors({})
        self._giving = (donor, amount)
        self.right.setCurrentWidget(self.result)
        station, ref = self.station, donor.ref
        fee = self.station.fee_for(amount) if options.cover_fee else 0
        self._start(lambda: station.give_again(ref, amount, options))
        currency = self.station.settings.payments.currency
        what = self.tr("Charging {card}").format(card=donor.card_label)
        self.result.show_busy(amount + fee, currency, what)

    def _ask_for_card(self, outcome: Outcome) -> None:
        """The card on file was refused: the donor's details stay; take the card by hand."""
        if self._giving is None:
            return
        donor, amount = self._giving
        f = self.form
        if not f.name.text().strip():
            f.name.setText(donor.name)
        if not f.email.text().strip():
            f.email.setText(donor.email)
        if not f.amount.text().strip():
            f.set_amount(amount)
        f.method_buttons[Method.CARD].setChecked(True)

    def retry(self) -> None:
        outcome = self.result.outcome
        if self._busy or outcome is None or not outcome.donation_id:
            return
        station, donation_id = self.station, outcome.donation_id
        self._start(lambda: station.retry_charge(donation_id))
        what = self.tr("Retrying the same charge")
        self.result.show_busy(outcome.amount_cents, outcome.currency, what)

    def _start(self, fn: Any) -> None:
        self._busy = True
        self.form.set_enabled(False)
        self.action.setEnabled(False)
        self._update_action()
        self.tasks.run(fn, self._done, self._failed)

    def _done(self, outcome: Outcome) -> None:
        self._finish()
        asked = outcome.ask_for_card
        if asked:
            self._ask_for_card(outcome)
            # the panel words it: "Ask for the card" heads the processor's reason
            outcome = dataclasses.replace(
                outcome, message=outcome.message.removeprefix(f"{ASK_FOR_CARD}: ")
            )
        self._giving = None
        self.result.show_outcome(outcome)
        if asked:
            self.result.heading.setText(self.tr("Ask for the card: the card on file was refused"))
            self.result.announce()
        if outcome.status in FINISHED:
            self.form.set_enabled(False)
            self.action.setEnabled(False)  # this gift is done; Next donor starts another
            self.result.next.setDefault(True)
            self.result.next.setFocus()
        elif self.form.card_on_reader:
            self.form.amount.setFocus()  # Enter sends the same amount to the reader again
        elif self.form.method is Method.CARD:
            self.form.number.setFocus()  # ready for another card
        self.poll()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, InvalidDonation):
            self.form.show_errors(exc.errors)
            self.result.show_ready()
            return
        log.error("taking a donation failed", exc_info=exc)
        self.result.show_error(
            self.tr(
                "Tableside hit a problem and did not finish this gift. Nothing you typed is "
                "lost except the card. Details are in {log}."
            ).format(log=self.station.log_file)
        )

    def _finish(self) -> None:
        self._busy = False
        self.form.set_enabled(True)
        self.action.setEnabled(True)
        self._update_action()

    def next_donor(self) -> None:
        if self._busy:
            return
        outcome = self.result.outcome
        self.station.forget_card(outcome.donation_id if outcome else None)
        self.form.set_enabled(True)
        self.action.setEnabled(True)  # the finished gift disabled it; the new one needs it
        self.result.next.setDefault(False)
        self.form.clear_all()
        self.give_again.reset()
        self.right.setCurrentWidget(self.result)
        self.result.show_ready()
        self._update_action()

    def clear_form(self) -> None:
        """Esc: clear the card right away; a second Esc clears the rest. While the card is
        wanted on the reader, Esc cancels it there (the result says if anything was charged)."""
        if self._busy:
            if self.result.state == "reader" and self.station.cancel_reader():
                self.result.show_cancelling()
            return
        if self.right.currentWidget() is self.give_again:
            self.close_give_again()
            return
        if any(f.text() for f in (self.form.number, self.form.expiry, self.form.cvc)):
            self.form.clear_card()
        else:
            self.next_donor()

    def play_donor(self, kind: str) -> None:
        """Training: the donor's part on the simulated reader (off the GUI thread)."""
        if self.result.state != "reader" or not self.result.donor_box.isVisible():
            return
        station = self.station
        self.result.donor_note.setText("")
        self.tasks.run(
            lambda: station.present_on_reader(kind),
            lambda _r: None,
            self._donor_part_failed,
        )

    def _donor_part_failed(self, exc: BaseException) -> None:
        message = getattr(exc, "message", None) or str(exc)
        self.result.donor_note.setText(f"{message} Try again in a moment.")
        self.result.donor_note.show()

    # ---- the status bar (read off the GUI thread when a change notice names it) ----
    def poll(self) -> None:
        """Read the status now (after a gift of ours, or from a test)."""
        self.status.refresh()

    def _read_status(self) -> Any:
        station = self.station
        watched = self.result.outcome
        watch_id = watched.donation_id if watched and watched.status in UNSETTLED else None

        def work() -> dict[str, Any]:
            return {
                "status": station.status(),
                "settled": station.outcome(watch_id) if watch_id else None,
                "entry": station.card_entry,
                "save_default": (station.can_save_cards, station.save_cards_default),
                "fee": (station.fee_cause, station.cover_fee_default),
                "goods": station.goods_items(),
            }

        return work

    def _status_failed(self, exc: BaseException) -> None:
        log.warning("reading the status failed: %s", exc)

    def _show_status(self, data: dict[str, Any]) -> None:
        status: StatusSnapshot = data["status"]
        if not self._busy:  # the lead may have allowed or stopped typed cards
            self.form.set_entry(data["entry"])
            self.form.set_save_default(*data["save_default"])
            self.form.cover_fee.configure(self.station.fee_for, *data["fee"])
            self.form.more.set_goods(data["goods"])
        t = status.totals
        currency = self.station.settings.payments.currency
        raised = format_cents(t.raised_cents, currency)
        gifts = self.tr("1 gift") if t.gifts == 1 else self.tr("{n} gifts").format(n=t.gifts)
        short = self.tr("Raised {raised} · {gifts}").format(raised=raised, gifts=gifts)
        self.totals_label.setText(
            self.tr("Raised {raised} of {goal} · {gifts}").format(
                raised=raised, goal=format_cents(t.goal_cents, currency), gifts=gifts
            )
            if t.goal_cents and not self._compact
            else short
        )
        self.totals_label.setToolTip(self.totals_label.text())
        s = status.summary
        if s is not None:
            self.online_label.setText(
                self.tr("● Online") if s.online else self.tr("○ Offline — work is queued")
            )
            if s.pending == 1:
                jobs = self.tr("1 job pending")
            elif s.pending:
                jobs = self.tr("{n} jobs pending").format(n=s.pending)
            else:
                jobs = self.tr("All jobs done")
            self.jobs_label.setText(jobs)
            self._all_done = s.pending == 0
            self._fit_status_bar()
        volunteer = [a.message for a in status.alerts if a.audience == "volunteer"]
        self.alert_banner.setText("  ·  ".join(volunteer))
        self.alert_banner.setVisible(bool(volunteer))
        if self.lead_window is not None:
            self.lead_window.show_alerts(status.alerts)
        self.tray.show_alerts(status.alerts)
        self.closing_summary = status.closing
        self._show_header()
        event = self.station.settings.event  # the lead may have renamed it at the desk
        self.setWindowTitle(
            self.tr("Tableside — {event} — {station}").format(
                event=event.name, station=event.station
            )
        )
        settled: Outcome | None = data["settled"]
        current = self.result.outcome
        if (
            settled is not None
            and current is not None
            and current.donation_id == settled.donation_id
            and settled.status != current.status
            and not self._busy
        ):
            self.result.show_outcome(settled)
            if settled.status == "approved":
                self.result.next.setDefault(True)

    # ---- the lead desk ----
    def open_check_in(self) -> None:
        if self.check_in_window is None:
            self.check_in_window = CheckInWindow(self.station, self.tasks)
        self.check_in_window.show()
        self.check_in_window.raise_()
        self.check_in_window.activateWindow()

    def open_lead_desk(self) -> None:
        if self.lead_window is None:
            self.lead_window = LeadWindow(self.station, self.tasks, self.live)
        self.lead_window.show()
        self.lead_window.raise_()
        self.lead_window.activateWindow()

    # ---- size ----
    def _show_header(self) -> None:
        """The event and station in the status bar; just the station on a narrow screen."""
        event = self.station.settings.event
        full = f"{event.name}  ·  {event.station}"
        self.header.setText(full)
        self.header.setVisible(self.width() >= HEADER_FROM)  # the window title says it too
        self.header.setToolTip(full)
        self.header.setAccessibleName(full)

    def _fit_status_bar(self) -> None:
        """Below COMPACT_BELOW px wide the status bar keeps what a volunteer needs, whole:
        the buttons without their keys (kept in the tooltip), the total without its goal,
        the jobs line only while something waits, and in training no mode words (the
        yellow banner says it). A live mode always shows which account a charge hits."""
        compact = self._compact
        for button, full, word in self._buttons:
            button.setText(word if compact else full)
            button.setToolTip(full)
        self.jobs_label.setVisible(not (compact and self._all_done))
        self.mode_label.setVisible(not (compact and self.station.training))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        compact = event.size().width() < COMPACT_BELOW
        status = getattr(self, "status", None)  # None: still being built
        if status is not None and compact != self._compact:
            self._compact = compact
            self._fit_status_bar()
            if status.running:
                status.refresh()  # the total's words follow the width
        self._show_header()
        factor = factor_for(event.size().width(), event.size().height())
        if factor != self.scale_factor:
            self.scale_factor = factor
            central = self.centralWidget()
            central.setStyleSheet(scaled(base_stylesheet(), factor) if factor > 1 else "")

    # ---- closing ----
    def _ask_close(self, summary: str) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Close Tableside?"),
            self.tr("{summary}\n\nNothing is lost. Close now?").format(summary=summary),
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Close

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt API)
        if self._busy:
            QMessageBox.information(
                self,
                self.tr("A charge is in progress"),
                self.tr("Wait for the result before closing Tableside."),
            )
            event.ignore()
            return
        if self.closing_summary and not self.confirm_close(self.closing_summary):
            event.ignore()
            return
        if self.lead_window is not None:
            self.lead_window.close_event_screen()  # the projector's window goes with the app
            self.lead_window.close()
        if self.check_in_window is not None:
            self.check_in_window.close()
        self.status.stop()
        self.tray.close()
        self.live.close()
        self.tasks.shutdown(wait=False)
        event.accept()
