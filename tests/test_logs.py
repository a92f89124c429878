"""The log file never receives card numbers, CVCs, track data or API secrets.

Each test logs them on purpose through the real handler set up by `setup_logging`, then reads
the file back.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_app.logs import LOG_FILE, RedactingFilter, redact, setup_logging

log = logging.getLogger("pos_app.tests.logs")

TRACK = "%B4111111111111111^DOE/JANE^2812101000000000?;4111111111111111=28121010000000000?"
CARDS = (
    "4242424242424242",
    "4000000000000002",
    "5555555555554444",
    "378282246310005",
    "6011111111111117",
    "4111111111111111",
)


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    root = logging.getLogger()
    handlers_before, level_before = list(root.handlers), root.level
    path = setup_logging(tmp_path / "logs", level=logging.DEBUG)
    yield path
    for handler in list(root.handlers):
        if handler not in handlers_before:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level_before)


def contents(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


def luhn_check_digit(payload: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


# --- setup ----------------------------------------------------------------------------------


def test_setup_logging_writes_to_the_log_dir(log_file: Path, tmp_path: Path) -> None:
    assert log_file == tmp_path / "logs" / LOG_FILE
    log.info("station opened")
    text = contents(log_file)
    assert "station opened" in text
    assert "INFO" in text and "pos_app.tests.logs" in text


def test_setup_logging_is_idempotent(log_file: Path) -> None:
    root = logging.getLogger()
    count = len(root.handlers)
    assert setup_logging(log_file.parent) == log_file
    assert len(root.handlers) == count
    log.warning("once")
    assert contents(log_file).count("once") == 1


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_log_file_is_private(log_file: Path) -> None:
    assert log_file.stat().st_mode & 0o777 == 0o600


# --- card numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("logged", "last4"),
    [
        ("4242424242424242", "4242"),
        ("4242 4242 4242 4242", "4242"),
        ("4242-4242-4242-4242", "4242"),
        ("5555555555554444", "4444"),
        ("3782 822463 10005", "0005"),
        ("378282246310005", "0005"),
        ("6011111111111117", "1117"),
        ("4000000000000002", "0002"),
    ],
)
def test_card_number_is_masked(log_file: Path, logged: str, last4: str) -> None:
    log.warning("charging card %s for $50.00", logged)
    log.error(f"declined: number={logged}!")
    text = contents(log_file)
    assert logged not in text
    assert logged.replace(" ", "").replace("-", "") not in text
    assert text.count(f"•••• {last4}") == 2
    assert "for $50.00" in text


def test_card_in_args_of_any_type(log_file: Path) -> None:
    log.info("payload %r", {"card": {"number": "4242424242424242", "exp": "12/28"}})
    log.info("as int %d", 4242424242424242)
    text = contents(log_file)
    assert "4242424242424242" not in text
    assert text.count("•••• 4242") == 2


@pytest.mark.parametrize(
    "logged",
    [
        "Table 3 4242 4242 4242 4242",
        "amount 50 4242424242424242",
        "4242424242424242-12",
        "4242 4242 4242 4242 28",
        "1 2 3 4242 4242 4242 4242",
        "12345 4242424242424242",
        "4242424242424242 1234 5678",
    ],
)
def test_card_next_to_other_digits_is_still_masked(log_file: Path, logged: str) -> None:
    log.warning(logged)
    text = contents(log_file)
    assert "4242424242424242" not in re.sub(r"[ -]", "", text)
    assert "•••• 4242" in text


@pytest.mark.parametrize(
    "logged",
    [
        "order 12345678 printed",
        "donation 1234567812345678 saved",  # 16 digits, fails Luhn: not a card
        "took 1700000000001 ms",  # 13 digits, fails Luhn
        "total $1,250.00 of $25,000.00",
        "at 2025-06-15 12:30:45",
        "phone 217-555-0123",
        "ids 1 2 3 4 5",
    ],
)
def test_non_card_digits_pass_untouched(log_file: Path, logged: str) -> None:
    log.warning(logged)
    assert logged in contents(log_file)


# --- track data, CVC, secrets ---------------------------------------------------------------


def test_track_data_is_removed(log_file: Path) -> None:
    log.warning("reader typed %s", TRACK)
    log.warning("track 2 only: ;4111111111111111=28121010000000000?")
    text = contents(log_file)
    assert "4111111111111111" not in text
    assert "DOE/JANE" not in text
    assert "2812101" not in text
    assert "%B" not in text
    assert "=2812" not in text
    assert text.count("[track data removed]") >= 2


@pytest.mark.parametrize(
    ("logged", "kept"),
    [
        ("cvc=123", "cvc=***"),
        ("CVC: 4567", "CVC: ***"),
        ("cvv=987", "cvv=***"),
        ('{"cvc": "321"}', '"cvc": "***'),
        ("card[number]=4242424242424242&card[cvc]=314", "card[cvc]=***"),
    ],
)
def test_cvc_is_masked(log_file: Path, logged: str, kept: str) -> None:
    log.warning("request %s", logged)
    text = contents(log_file)
    assert logged not in text
    assert kept in text
    assert logged[-3:] not in text.split("request", 1)[1]


@pytest.mark.parametrize(
    "secret",
    [
        "sk_test_abc123XYZ",
        "sk_live_51HxYzAbCdEf",
        "rk_live_abcDEF123",
        "SG.abcdefghijk.lmnopqrstuvwxyz0123",
    ],
)
def test_api_secrets_are_removed(log_file: Path, secret: str) -> None:
    log.warning("Authorization: Bearer %s", secret)
    log.warning("key=%s;", secret)
    text = contents(log_file)
    assert secret not in text
    assert text.count("[secret removed]") == 2


# --- exceptions and stacks ------------------------------------------------------------------


def test_exception_message_with_card_number_is_masked(log_file: Path) -> None:
    try:
        raise ValueError("processor rejected 4242 4242 4242 4242 with cvc=123")
    except ValueError:
        log.exception("charge failed")
    text = contents(log_file)
    assert "Traceback" in text and "ValueError" in text
    assert "4242 4242 4242 4242" not in text
    assert "4242424242424242" not in text
    assert "cvc=123" not in text
    assert "•••• 4242" in text


def test_chained_exception_is_masked(log_file: Path) -> None:
    number = "5555555555554444"
    try:
        try:
            raise KeyError(f"card {number}")
        except KeyError as inner:
            raise RuntimeError(f"retry with {TRACK}") from inner
    except RuntimeError:
        log.error("job failed", exc_info=True)
    text = contents(log_file)
    assert number not in text
    assert "4111111111111111" not in text
    assert "•••• 4444" in text
    assert "[track data removed]" in text


def test_exception_formatted_by_a_later_formatter_is_still_masked() -> None:
    # The filter fills exc_text; a formatter must reuse it rather than format the raw exception.
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom", None, None)
    try:
        raise ValueError("4242424242424242")
    except ValueError:
        record.exc_info = sys.exc_info()
    RedactingFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "4242424242424242" not in formatted
    assert "•••• 4242" in formatted


def test_stack_info_is_masked(log_file: Path) -> None:
    log.warning("where am I", stack_info=True)  # 4242424242424242 on the source line
    text = contents(log_file)
    assert "Stack (most recent call last)" in text
    assert "4242424242424242" not in text


# --- robustness -----------------------------------------------------------------------------


def test_bad_format_arguments_do_not_raise_into_the_caller(log_file: Path) -> None:
    # Without the filter, logging reports such mistakes on stderr and carries on; a redacting
    # filter must not turn a log call into an exception in (say) the charge path.
    log.warning("card %s exp %s", "4242424242424242")
    log.warning("amount %d", "not a number 4000000000000002")
    log.warning("fine afterwards")
    text = contents(log_file)
    assert "fine afterwards" in text
    assert "4242424242424242" not in text
    assert "4000000000000002" not in text


def test_other_threads_and_loggers_are_masked(log_file: Path) -> None:
    def work() -> None:
        logging.getLogger("huey.consumer").warning("task args %s", ["4242424242424242"])
        logging.getLogger("httpx").warning("POST card[cvc]=123")

    t = threading.Thread(target=work, name="jobs-1")
    t.start()
    t.join()
    text = contents(log_file)
    assert "4242424242424242" not in text
    assert "card[cvc]=123" not in text
    assert "jobs-1" in text


def test_nothing_on_disk_after_logging_everything(log_file: Path) -> None:
    for number in CARDS:
        log.warning("n=%s", number)
        log.warning("spaced %s", " ".join(number[i : i + 4] for i in range(0, len(number), 4)))
    log.warning(TRACK)
    for path in log_file.parent.rglob("*"):
        blob = path.read_bytes()
        for number in CARDS:
            assert number.encode() not in blob


# --- property -------------------------------------------------------------------------------


@given(
    payload=st.text(alphabet="0123456789", min_size=12, max_size=18),
    sep=st.sampled_from(["", " ", "-"]),
    size=st.sampled_from([4, 5, 6]),
    before=st.text(max_size=20),
    after=st.text(max_size=20),
    joiner=st.sampled_from([" ", ": ", "=", "\n", "card ", " #"]),
)
def test_redact_hides_any_valid_card(
    payload: str, sep: str, size: int, before: str, after: str, joiner: str
) -> None:
    number = payload + luhn_check_digit(payload)
    shown = sep.join(number[i : i + size] for i in range(0, len(number), size))
    out = redact(before + joiner + shown + joiner + after)
    assert number not in out
    assert shown not in out
    assert "[card •••• " in out


@given(st.text())
def test_redact_never_raises_and_is_stable(text: str) -> None:
    once = redact(text)
    assert isinstance(once, str)
    assert redact(once) == once


@pytest.mark.parametrize(
    "swipe",
    [
        "%B4111111111111111^DOE/JANE^2812101000000000",  # no end sentinel
        "%B4111111111111111^DOE/JANE^28121",
        ";4111111111111111=28121010000000000",
        ";4111111111111111=2812101",
    ],
)
def test_truncated_track_data_is_removed(log_file: Path, swipe: str) -> None:
    # A bad swipe is exactly what someone might log while debugging a reader.
    log.warning("unreadable swipe %r from reader", swipe)
    text = contents(log_file)
    assert "4111111111111111" not in text
    assert "DOE/JANE" not in text
    assert "=2812" not in text and "^2812" not in text
    assert "[track data removed]" in text
    assert "from reader" in text
