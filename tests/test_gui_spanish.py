"""The window in Spanish: the same states walked in English and in Spanish, and any visible
text that reads the same in both (beyond names, amounts and keys) is an untranslated string.
Also: the compiled catalogue is the .ts's, and every fixed message the core shows is in the
catalogue's "core" list; check-in's refusals (fixed, and with a name or paddle in them) are
shown in Spanish, in the check-in window too."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QWidget

from pos_app.api import Station
from pos_app.domain.states import Method
from pos_app.payments.simulator import SimulatorProcessor
from pos_app.ui import core_text, i18n
from pos_app.ui.main_window import MainWindow

# Words that are the same in both languages: names, brands, keys, codes.
SAME_IN_BOTH = re.compile(
    r"^(Tableside|Training Event|Station 1|Ada|Visa|CVC|Esc|chip|Tableside — .*"
    r"|Training Event\s+·\s+Station 1"
    r"|\$[\d,.]+ — [A-Za-z ]+ •••• \d{4})$"
)


def visible_texts(root: QWidget) -> set[str]:
    found = {root.windowTitle()}
    for w in root.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, (QLabel, QAbstractButton)):
            found.add(w.text())
        elif isinstance(w, QGroupBox):
            found.add(w.title())
        elif isinstance(w, QLineEdit):
            found.add(w.placeholderText())
    return {t.strip() for t in found if re.search("[A-Za-z]{3,}", t or "")}


def walk(qtbot, station: Station, simulator: SimulatorProcessor) -> set[str]:
    """The volunteer's window through its main states; every text seen on the way."""
    station.reader_service.poll_s = 0.01
    w = MainWindow(station)
    w.confirm_close = lambda _summary: True
    qtbot.addWidget(w)
    w.show()
    seen = visible_texts(w)
    try:
        f = w.form
        for m in (Method.CASH, Method.CHECK, Method.CARD):
            f.method_buttons[m].setChecked(True)
            seen |= visible_texts(w)
        f.expiry.setText("13/40")
        w.submit()  # every card field complains
        seen |= visible_texts(w)
        f.choose_entry("reader")
        f.set_amount(5000)
        w.submit()
        qtbot.waitUntil(lambda: station.reader_service.reader._action.status == "in_progress")
        seen |= visible_texts(w)
        qtbot.keyClick(w.form.name, Qt.Key.Key_Escape)  # cancelled on the reader
        qtbot.waitUntil(lambda: w.result.state == "failed" and not w._busy, timeout=10000)
        seen |= visible_texts(w)
        w.submit()
        qtbot.waitUntil(lambda: station.reader_service.reader._action.status == "in_progress")
        station.present_on_reader("approve")
        qtbot.waitUntil(lambda: w.result.state == "approved" and not w._busy, timeout=10000)
        seen |= visible_texts(w)
        for number, state in (("4000000000000002", "declined"), ("4242424242424242", "in_doubt")):
            w.next_donor()
            f.choose_entry("keyed")
            f.set_amount(2500)
            for field, text in ((f.number, number), (f.expiry, "12/30"), (f.cvc, "123"),
                                (f.name, "Ada")):  # fmt: skip
                field.setText(text)
            simulator.lose_next_response = state == "in_doubt"
            w.submit()
            qtbot.waitUntil(lambda s=state: w.result.state == s and not w._busy, timeout=10000)
            seen |= visible_texts(w)
    finally:
        w.close()
    return seen


@pytest.fixture
def spanish() -> Iterator[None]:
    assert i18n.install("es"), "resources/i18n/tableside_es.qm is missing"
    yield
    i18n.uninstall()


def test_the_volunteers_window_speaks_spanish(
    qtbot, station: Station, simulator: SimulatorProcessor, data_dir: Path, tmp_path: Path
) -> None:
    english = walk(qtbot, station, simulator)
    assert "Ready for the next donor" in english and "Charge" in english
    from pos_app.api import open_station

    assert i18n.install("es")
    try:
        other = SimulatorProcessor(latency_ms=0)
        with open_station(data_dir=tmp_path / "es", processor=other) as st_es:
            spanish = walk(qtbot, st_es, other)
    finally:
        i18n.uninstall()
    assert "Listo para el siguiente donante" in spanish and "Cobrar" in spanish
    untranslated = sorted(t for t in english & spanish if not SAME_IN_BOTH.match(t))
    assert untranslated == []


def test_ui_language_follows_the_setting_then_the_laptop() -> None:
    from PySide6.QtCore import QLocale

    assert i18n.ui_language("es") == "es" and i18n.ui_language("en") == "en"
    assert i18n.ui_language("auto", QLocale("es_MX")) == "es"
    assert i18n.ui_language("auto", QLocale("fr_FR")) == "en"


def test_the_compiled_catalogue_is_the_sources(tmp_path: Path) -> None:
    ts = i18n.CATALOGUES / "tableside_es.ts"
    fresh = tmp_path / "fresh.qm"
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), str(ts), "-qm", str(fresh)], check=True,
                   capture_output=True)  # fmt: skip
    assert fresh.read_bytes() == ts.with_suffix(".qm").read_bytes(), (
        "run: python3 -m uv run --frozen python packaging/translations.py"
    )
    assert 'type="unfinished"' not in ts.read_text(encoding="utf-8")


def test_every_fixed_message_of_the_core_is_in_the_catalogue() -> None:
    from pos_app.payments import base, card_present
    from pos_app.services import check_in, donations, reader

    known = set(core_text.SENTENCES)
    missing = []
    for mod in (donations, reader, card_present, check_in):
        for name, value in vars(mod).items():
            if name.isupper() and isinstance(value, str) and " " in value:
                missing += [s for s in re.split(r"(?<=[.!?])\s+", value.strip())
                            if s.endswith(".") and "{" not in s and s not in known]  # fmt: skip
    for value in (*base.DECLINE_MESSAGES.values(), *base.DECLINE_ADVICE.values()):
        missing += [s for s in re.split(r"(?<=[.!?])\s+", value) if s not in known]
    assert missing == []


def walk_desk(qtbot, station: Station) -> set[str]:
    """The lead window: choosing a PIN, then each tab with a gift and its job selected."""
    from test_gui_lead_desk import set_pin

    from pos_app.api import Donor
    from pos_app.ui.lead_window import LeadWindow
    from pos_app.ui.tasks import TaskRunner

    tasks = TaskRunner()
    w = LeadWindow(station, tasks)
    qtbot.addWidget(w)
    w.show()
    try:
        qtbot.waitUntil(lambda: w.gate.confirm.isVisible() and w.gate.button.isEnabled())
        seen = visible_texts(w)
        set_pin(qtbot, w)
        qtbot.waitUntil(lambda: w.desk.loads >= 1 and w.jobs.loads >= 1)
        station.start_jobs()
        gift = station.record_donation(2000, Donor("Ada", "ada@example.org"), "cash")
        qtbot.waitUntil(lambda: w.desk.model.row_of(gift.donation_id) is not None, timeout=20000)
        w.desk.select_donation(gift.donation_id)
        qtbot.waitUntil(lambda: bool(w.jobs.model.records()), timeout=20000)
        w.jobs.select_job(station.jobs(gift.donation_id)[0].id)
        for screen in w.screens.values():
            w.tabs.setCurrentWidget(screen)
            seen |= visible_texts(w)
            seen |= {w.tabs.tabText(i) for i in range(w.tabs.count())}
    finally:
        w.close()
        tasks.shutdown()
        station.stop_jobs()
    return seen


def test_the_lead_desk_speaks_spanish(qtbot, station: Station, tmp_path: Path) -> None:
    english = walk_desk(qtbot, station)
    assert "Settings" in english
    from pos_app.api import open_station

    assert i18n.install("es")
    try:
        other = SimulatorProcessor(latency_ms=0)
        with open_station(data_dir=tmp_path / "es", processor=other) as st:
            spanish = walk_desk(qtbot, st)
    finally:
        i18n.uninstall()
    assert "Ajustes" in spanish
    untranslated = sorted(t for t in english & spanish if not SAME_IN_BOTH.match(t))
    assert untranslated == []


# ---- check-in at the door (services/check_in.py, ui/check_in_window.py) ------------------
def check_in_sentences() -> list[str]:
    """Every sentence of check-in's fixed messages, and each with a name or number in it
    as the service writes it."""
    from pos_app.services import check_in

    fixed = [s for name, value in vars(check_in).items()
             if name.isupper() and isinstance(value, str) and " " in value
             for s in re.split(r"(?<=[.!?])\s+", value.strip()) if s.endswith(".")]  # fmt: skip
    return fixed + [
        "Paddle 112 is taken (Grace Hopper).",
        "Paddle 112 is taken.",
        "Grace Hopper is already checked in with paddle 112.",
        "Saved with the stripe processor.",
    ]


def test_check_ins_sentences_are_shown_in_spanish(qapp, spanish: None) -> None:
    untranslated = [s for s in check_in_sentences() if core_text.shown(s) == s]
    assert untranslated == []
    assert core_text.shown("Paddle 112 is taken (Grace Hopper). Ask for another card.") == (
        "La paleta 112 ya está asignada (Grace Hopper). Pida otra tarjeta."
    )
    assert core_text.shown("Grace Hopper is already checked in with paddle 112.") == (
        "Grace Hopper ya está registrado/a con la paleta 112."
    )


def test_the_paddle_raises_sentences_are_shown_in_spanish(
    qapp, spanish: None, station: Station
) -> None:
    """What the raise says to the lead, made by the services with a paddle and a reason in
    them: the services' own sentences, each translated with its number put back."""
    from pos_app.api import InvalidDonation
    from pos_app.services.pledge_charges import ask_for_card

    raise_id = station.open_paddle_raise("Fund a kitchen", [10000])
    try:
        station.pledge(raise_id, "999", 10000)
    except InvalidDonation as exc:
        refused = " ".join(exc.errors.values())
    assert core_text.shown(refused) == (
        "Ningún invitado tiene la paleta 999. Revise el número o regístrelo primero.")
    assert core_text.shown(ask_for_card("112", "the card was declined.")) == (
        "Pida otra tarjeta a la paleta 112: la tarjeta fue rechazada.")
    closed = station.close_paddle_raise(raise_id)
    try:
        station.pledge(raise_id, "999", 10000)
    except InvalidDonation as exc:
        assert core_text.shown(" ".join(exc.errors.values())) == (
            f"“{closed.title}” está cerrada.")


def test_check_ins_sentences_stay_english_in_english() -> None:
    assert all(core_text.shown(s) == s for s in check_in_sentences())


def walk_door(qtbot, station: Station) -> set[str]:
    """The check-in window: a guest in Spanish, then each refusal the service gives."""
    from pos_app.ui.check_in_window import CheckInWindow
    from pos_app.ui.tasks import TaskRunner

    tasks = TaskRunner()
    door = CheckInWindow(station, tasks)
    qtbot.addWidget(door)
    door.show()
    try:
        qtbot.waitUntil(lambda: door.paddle.placeholderText() != "", timeout=10000)
        seen = visible_texts(door)

        def send(name: str, email: str, paddle: str = "", card: str = "") -> str:
            before = door.answer.text()
            door.name.setText(name)
            door.email.setText(email)
            door.paddle.setText(paddle)
            if card:
                for field, text in ((door.card.number, card), (door.card.expiry, "12/30"),
                                    (door.card.cvc, "123")):  # fmt: skip
                    field.setText(text)
            door.check_in()
            qtbot.waitUntil(lambda: door.check_btn.isEnabled()
                            and door.answer.text() != before, timeout=10000)  # fmt: skip
            seen.update(visible_texts(door))
            return door.answer.text()

        door.show_language("es")
        said = {"checked in": send("Grace Hopper", "grace@example.org", "112")}
        door.next_guest()
        said["taken"] = send("Alan Turing", "alan@example.org", "112")
        said["digits"] = send("Alan Turing", "alan@example.org", "11a")
        said["no name"] = send("", "alan@example.org")
        said["already"] = send("Grace H.", "grace@example.org", "113")
        said["declined"] = send("Alan Turing", "alan@example.org", card="4000000000000002")
        return seen | set(said.values())
    finally:
        door.close()
        tasks.shutdown()


def test_the_check_in_window_speaks_spanish(qtbot, station: Station, tmp_path: Path) -> None:
    english = walk_door(qtbot, station)
    assert "Paddle 112 is taken (Grace Hopper)." in english
    from pos_app.api import open_station

    assert i18n.install("es")
    try:
        with open_station(data_dir=tmp_path / "es",
                          processor=SimulatorProcessor(latency_ms=0)) as st:  # fmt: skip
            spanish = walk_door(qtbot, st)
    finally:
        i18n.uninstall()
    for words in ("Paleta 112 · sin tarjeta guardada\nGrace Hopper · recibos en Español",
                  "La paleta 112 ya está asignada (Grace Hopper).",
                  "Escriba un número de paleta (solo dígitos, como 112).",
                  "Escriba el nombre del invitado.",
                  "Grace Hopper ya está registrado/a con la paleta 112."):  # fmt: skip
        assert words in spanish, (words, sorted(spanish))
    untranslated = sorted(t for t in english & spanish if not SAME_IN_BOTH.match(t))
    assert untranslated == []
