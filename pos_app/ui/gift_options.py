"""The gift's options on the volunteer's form, keyboard-first and out of the way until asked.

- **Cover the fee** (Alt+F toggles): "Add $1.40 so all of your $50 goes to <cause>", the
  amounts live as the gift is typed; card gifts only (cash and checks have no fee). Its
  default is `[fees] cover_by_default`.
- **More options** (Alt+O opens and closes the row; a collapsed row says what is chosen):
  in honour / in memory of a name, with an optional email that is told of the gift
  without its amount; anonymous (named on no list or screen); the item or ticket bought,
  from the lead's goods list (Settings), whose fair market value goes on the receipt.

Everything here is reset by the form's clear_all(); an error in a collapsed option opens
the row so the volunteer sees it. Every control has an accessible name.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QResizeEvent, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from pos_app.domain.money import format_cents
from pos_app.services.goods import Goods

from .form_parts import ErrorLine, FieldError, field_label

NO_KIND = ""
FEE_KEY = "Alt+F"
MORE_KEY = "Alt+O"


def whole(cents: int, currency: str) -> str:
    """$50 for 5000, $1.40 for 140: the words a donor says."""
    text = format_cents(cents, currency)
    return text[:-3] if text.endswith(".00") else text


class CoverFee(QCheckBox):
    """The donor adds the processor's fee so the whole gift reaches the cause.

    The sentence wraps onto a second line rather than being cut (a long cause, Spanish, a
    1024-wide screen): a QCheckBox can't wrap its own text, so the words sit in a wrapping
    label beside the indicator (`words`), and the box answers for its height at a width.
    A click anywhere on the sentence toggles it, as on a plain checkbox's text."""

    def __init__(self, currency: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coverFee")
        self.words = QLabel(self)
        self.words.setObjectName("coverFeeWords")
        self.words.setWordWrap(True)
        self.words.setTextFormat(Qt.TextFormat.PlainText)
        self.words.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # never widens the form: the sentence wraps to the width the form has
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.currency = currency
        self.fee_for: Callable[[int], int] = lambda _cents: 0
        self.cause = ""
        self.default = False
        self.touched = False
        self.toggled.connect(lambda _on: setattr(self, "touched", True))
        self.show_for(0)

    def configure(self, fee_for: Callable[[int], int], cause: str, default: bool) -> None:
        """The station's fee rule, cause and default; a box the volunteer touched stays."""
        self.fee_for, self.cause, self.default = fee_for, cause, default
        if not self.touched:
            self.reset()

    def reset(self) -> None:
        self.blockSignals(True)
        self.setChecked(self.default)
        self.blockSignals(False)
        self.touched = False

    def show_for(self, gift_cents: int) -> None:
        """The sentence with tonight's amounts (0: no amount yet)."""
        cause = self.cause or self.tr("the cause")
        if gift_cents > 0:
            text = self.tr("Add {fee} so all of your {gift} goes to {cause}").format(
                fee=whole(self.fee_for(gift_cents), self.currency),
                gift=whole(gift_cents, self.currency),
                cause=cause,
            )
        else:
            text = self.tr("Cover the fee so all of the gift goes to {cause}").format(cause=cause)
        self.words.setText(f"{text}  ({FEE_KEY})")
        self.setAccessibleName(text)
        self.setToolTip(text)
        self._place()
        self.updateGeometry()

    def sentence(self) -> str:
        """What the volunteer reads beside the box (with its key)."""
        return self.words.text()

    # ---- the wrapping sentence -------------------------------------------------------
    def _indent(self) -> int:
        """Where the words start: past the indicator and its spacing, as a checkbox's text."""
        opt = QStyleOptionButton()
        self.initStyleOption(opt)
        box = self.style().subElementRect(QStyle.SubElement.SE_CheckBoxContents, opt, self)
        return max(box.left(), 0)

    def _margin(self) -> int:
        return 2  # the focus ring's border (style.qss), kept clear of the words

    def _words_height(self, width: int) -> int:
        return self.words.heightForWidth(max(width - self._indent() - self._margin(), 1))

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        one_line = super().sizeHint().height()
        return max(one_line, self._words_height(width) + 2 * self._margin())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        hint = self.words.sizeHint()
        width = self._indent() + hint.width() + self._margin()
        return QSize(width, self.heightForWidth(self.width() if self.width() > 1 else width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self._indent() + 80, super().sizeHint().height())

    def hitButton(self, pos: QPoint) -> bool:  # noqa: N802 - Qt's name
        return self.rect().contains(pos)  # the sentence too, not only the indicator

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._place()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.StyleChange, QEvent.Type.FontChange):
            self.words.setFont(self.font())
            self._place()
            self.updateGeometry()

    def _place(self) -> None:
        left, m = self._indent(), self._margin()
        width = max(self.width() - left - m, 1)
        height = self.words.heightForWidth(width)
        top = max((self.height() - height) // 2, 0)
        self.words.setGeometry(left, top, width, max(height, self.height() - 2 * top))


class MoreOptions(QWidget):
    """The collapsible row: dedication, anonymous, the item bought."""

    opened = Signal(bool)
    changed = Signal()

    def __init__(
        self, currency: str, enter: QObject, language: QComboBox, parent: QWidget | None = None
    ) -> None:
        """`language`: the form's receipt-language box, shown in this row."""
        super().__init__(parent)
        self.currency = currency
        self.errors: dict[str, FieldError] = {}
        self.lines: list[ErrorLine] = []
        self._goods: list[Goods] = []

        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        # The toggle and the summary are placed by the form, beside the save-card consent.
        self.toggle = QPushButton()
        self.toggle.setObjectName("moreOptions")
        self.toggle.setCheckable(True)
        self.toggle.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Alt+O is its key
        self.toggle.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.toggle.setAutoDefault(False)
        self.toggle.toggled.connect(self.set_open)
        self.summary = QLabel("")
        self.summary.setObjectName("hint")
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

        self.box = QWidget()
        self.box.setObjectName("moreOptionsBox")
        grid = QGridLayout(self.box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        outer.addWidget(self.box, 0, 0)

        # ---- in honour / in memory of ----
        self.kind = QComboBox()
        self.kind.setObjectName("dedicationKind")
        for code, text in (
            (NO_KIND, self.tr("No dedication")),
            ("honour", self.tr("In honour of")),
            ("memory", self.tr("In memory of")),
        ):
            self.kind.addItem(text, code)
        self.kind.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.kind.installEventFilter(enter)
        self.honoree = QLineEdit()
        self.honoree.setObjectName("dedicationName")
        self.honoree.setMaxLength(200)
        self.honoree.setPlaceholderText(self.tr("the name, as it goes on the receipt"))
        row = QHBoxLayout()
        row.addWidget(self.kind)
        row.addWidget(self.honoree, 1)
        grid.addWidget(field_label(self.tr("Dedication"), self.kind), 0, 0)
        grid.addLayout(row, 0, 1)
        self.honoree.setAccessibleName(self.tr("Name of the person honoured or remembered"))
        self.notice = QLineEdit()
        self.notice.setObjectName("dedicationEmail")
        self.notice.setMaxLength(254)
        self.notice.setPlaceholderText(
            self.tr("optional: we tell them of the gift, never the amount")
        )
        grid.addWidget(self._line("dedication_kind", "dedication_name"), 1, 1)
        grid.addWidget(field_label(self.tr("Tell by email"), self.notice), 2, 0)
        grid.addWidget(self.notice, 2, 1)
        # goods come from the lead's checked list: a (rare) error there shows on this line
        grid.addWidget(self._line("dedication_email", "goods_description", "goods_value"), 3, 1)

        # ---- anonymous, and the item bought ----
        self.goods = QComboBox()
        self.goods.setObjectName("goodsItem")
        self.goods.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.goods.setMinimumContentsLength(12)
        self.goods.installEventFilter(enter)
        self.goods.currentIndexChanged.connect(lambda _i: self._summarise())
        self.anonymous = QCheckBox(self.tr("Anonymous: named on no list or screen"))
        self.anonymous.setObjectName("anonymous")
        self.anonymous.setAccessibleDescription(
            self.tr("The receipt still goes to the donor by name.")
        )
        self.anonymous.installEventFilter(enter)
        self.anonymous.toggled.connect(lambda _on: self._summarise())
        grid.addWidget(field_label(self.tr("Item bought"), self.goods), 4, 0)
        grid.addWidget(self.goods, 4, 1)
        grid.addWidget(self.anonymous, 5, 1)
        # the receipt's language: a row of its own, so no language's words cut another's
        self.language = language
        language.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        grid.addWidget(field_label(self.tr("Receipt in"), language), 6, 0)
        grid.addWidget(language, 6, 1, Qt.AlignmentFlag.AlignLeft)
        language.currentIndexChanged.connect(lambda _i: self._summarise())

        for f, names in ((self.honoree, ("dedication_name",)),
                         (self.notice, ("dedication_email",))):  # fmt: skip
            f.textChanged.connect(lambda _t: self._summarise())
            f.textEdited.connect(lambda _t, n=names: self.clear_errors(n))
        self.kind.currentIndexChanged.connect(
            lambda _i: self.clear_errors(("dedication_kind", "dedication_name"))
        )
        self.set_goods([])
        self.reset()

    # ---- building ----
    def _line(self, *fields: str) -> ErrorLine:
        errs = []
        for name in fields:
            self.errors[name] = FieldError()
            errs.append(self.errors[name])
        line = ErrorLine(*errs)
        self.lines.append(line)
        return line

    def shortcut(self, window: QWidget) -> None:
        QShortcut(QKeySequence(MORE_KEY), window, self.toggle_by_key)

    # ---- reading ----
    @property
    def is_open(self) -> bool:
        return self.toggle.isChecked()

    def dedication(self) -> tuple[str, str, str]:
        return (self.kind.currentData() or NO_KIND, self.honoree.text().strip(),
                self.notice.text().strip())  # fmt: skip

    def item(self) -> Goods | None:
        i = self.goods.currentIndex() - 1
        return self._goods[i] if 0 <= i < len(self._goods) else None

    def local_errors(self) -> dict[str, str]:
        """What the core would drop silently: a name or email typed with no dedication."""
        kind, name, email = self.dedication()
        if not kind and (name or email):
            return {"dedication_kind": self.tr("Choose “in honour of” or “in memory of”.")}
        return {}

    # ---- writing ----
    def set_open(self, on: bool) -> None:
        self.toggle.blockSignals(True)
        self.toggle.setChecked(on)
        self.toggle.blockSignals(False)
        self.setVisible(on)
        arrow = "▾" if on else "▸"
        self.toggle.setText(f"{arrow} " + self.tr("More options") + f"  ({MORE_KEY})")
        self.toggle.setAccessibleName(self.tr("More options"))
        self._summarise()
        self.opened.emit(on)

    def toggle_by_key(self) -> None:
        """Alt+O: open and put the cursor on the first option, or close."""
        if not self.toggle.isEnabled():  # a finished gift: Next donor first
            return
        self.set_open(not self.is_open)
        if self.is_open:
            self.kind.setFocus()

    def set_goods(self, items: list[Goods]) -> None:
        """The lead's list; the item chosen for this gift stays if it is still there."""
        if items == self._goods and self.goods.count():
            return
        current = self.item()
        self._goods = list(items)
        self.goods.blockSignals(True)
        self.goods.clear()
        self.goods.addItem(self.tr("Nothing bought"))
        for g in items:
            what = g.description or self.tr("Goods or services")
            self.goods.addItem(
                self.tr("{item} — worth {value}").format(
                    item=what, value=format_cents(g.value_cents, self.currency)
                )
            )
        keep = items.index(current) + 1 if current in items else 0
        self.goods.setCurrentIndex(keep)
        self.goods.blockSignals(False)
        self.goods.setEnabled(bool(items))
        self.goods.setToolTip(
            "" if items else self.tr("The lead keeps the list of items and tickets in Settings.")
        )
        self._summarise()

    def reset(self) -> None:
        self.kind.setCurrentIndex(0)
        for f in (self.honoree, self.notice):
            f.clear()
        self.anonymous.setChecked(False)
        self.goods.setCurrentIndex(0)
        self.clear_errors(tuple(self.errors))
        self.set_open(False)
        self._kind_changed()

    def show_errors(self, errors: dict[str, str]) -> QWidget | None:
        """Show this row's messages; returns the first field at fault (the row opens)."""
        for name, label in self.errors.items():
            label.show_message(errors.get(name, ""))
        for line in self.lines:
            line.refresh()
        target = {
            "dedication_kind": self.kind, "dedication_name": self.honoree,
            "dedication_email": self.notice, "goods_description": self.goods,
            "goods_value": self.goods,
        }  # fmt: skip
        first = next((target[n] for n in self.errors if errors.get(n)), None)
        if first is not None and not self.is_open:
            self.set_open(True)
        return first

    def clear_errors(self, names: tuple[str, ...]) -> None:
        for name in names:
            if name in self.errors:
                self.errors[name].show_message("")
        for line in self.lines:
            line.refresh()

    def set_enabled(self, enabled: bool) -> None:
        for f in (self.honoree, self.notice):
            f.setReadOnly(not enabled)
        for w in (self.kind, self.anonymous, self.toggle):
            w.setEnabled(enabled)
        self.goods.setEnabled(enabled and bool(self._goods))

    # ---- live ----
    def _kind_changed(self) -> None:
        chosen = bool(self.kind.currentData())
        for f in (self.honoree, self.notice):
            f.setEnabled(chosen or bool(f.text()))  # never hide what was typed
        self._summarise()

    def _summarise(self) -> None:
        """The collapsed row says what is chosen, so nothing is set out of sight."""
        parts = []
        kind, name, _email = self.dedication()
        if kind:
            parts.append(f"{self.kind.currentText()} {name}".strip())
        if self.anonymous.isChecked():
            parts.append(self.tr("Anonymous"))
        item = self.item()
        if item is not None:
            parts.append(self.goods.currentText())
        if self.language.currentIndex() > 0:
            parts.append(self.tr("Receipt in {language}").format(
                language=self.language.currentText()))  # fmt: skip
        text = "" if self.is_open else " · ".join(parts)
        self.summary.setText(text)
        self.summary.setToolTip(text)
        self.toggle.setAccessibleDescription(text)
        self.changed.emit()
