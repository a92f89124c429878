"""Receipt rendering from resources/receipts: what a donor needs for their taxes."""

from __future__ import annotations

import datetime as dt

from pos_app.receipts.render import NO_GOODS, NoticeData, ReceiptData, render, render_notice

WHEN = dt.datetime(2026, 3, 14, 18, 30, tzinfo=dt.UTC)


def gift(**overrides: object) -> ReceiptData:
    values: dict[str, object] = {
        "receipt_number": "TABLE3-00042",
        "donation_id": "d-1",
        "amount_cents": 12550,
        "currency": "usd",
        "donated_at": WHEN,
        "method": "card",
        "donor_name": "Ada Lovelace",
        "donor_email": "ada@example.org",
        "brand": "visa",
        "last4": "4242",
        "payment_reference": "pi_123",
        "org_name": "Riverside Food Bank",
        "org_address": "12 Main St, Springfield, IL 62701",
        "tax_id": "12-3456789",
        "event_name": "Spring Gala",
    }
    values.update(overrides)
    return ReceiptData(**values)  # type: ignore[arg-type]


def test_both_parts_carry_everything_the_donor_needs() -> None:
    r = render(gift())
    assert r.subject == "Your donation receipt from Riverside Food Bank (No. TABLE3-00042)"
    for part in (r.text, r.html):
        for needle in (
            "Riverside Food Bank",
            "12 Main St, Springfield, IL 62701",
            "12-3456789",
            "$125.50",
            "Visa •••• 4242",
            "TABLE3-00042",
            "Spring Gala",
            "Ada Lovelace",
        ):
            assert needle in part, (needle, part[:200])
    assert NO_GOODS in r.text and NO_GOODS in r.html
    assert "pi_123" not in r.text + r.html  # the processor's id is for the books
    local = WHEN.astimezone()
    assert f"{local:%B} {local.day}, {local:%Y}" in r.text


def test_fair_market_value_replaces_the_no_goods_line() -> None:
    r = render(gift(goods_description="a dinner", goods_value_cents=6000))
    text = " ".join(r.text.split())
    assert NO_GOODS not in text
    assert "a dinner with an estimated fair market value of $60.00" in text
    assert "over that value: $65.50" in text
    small = render(gift(amount_cents=5000, goods_value_cents=6000))
    assert "over that value: $0.00" in " ".join(small.text.split())


def test_cash_and_check_gifts() -> None:
    cash = render(gift(method="cash", brand=None, last4=None, payment_reference=None))
    assert "Method:     Cash" in cash.text and "d-1" not in cash.text
    check = render(gift(method="check", check_number="1042", payment_reference=None))
    assert "Check #1042" in check.text


def test_html_escapes_what_people_typed() -> None:
    r = render(gift(donor_name="<script>alert(1)</script> & Co"))
    assert "<script>" not in r.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in r.html
    assert "<script>alert(1)</script> & Co" in r.text


def test_no_card_number_can_appear_only_last4() -> None:
    r = render(gift())
    assert "4242424242424242" not in r.text + r.html


def test_what_is_not_configured_is_not_printed() -> None:
    """No "Tax ID (EIN): —" and no empty address line: the line is left out."""
    r = render(gift(org_address="", tax_id=""))
    assert "EIN" not in r.text + r.html and "—" not in r.text + r.html
    assert r.text.startswith("Riverside Food Bank\n\nDONATION RECEIPT No. TABLE3-00042\n")
    only_ein = render(gift(org_address="  ", tax_id="12-3456789"))
    assert only_ein.text.startswith("Riverside Food Bank\nTax ID (EIN): 12-3456789\n\n")
    assert '<p style="margin-top: 4px; color: #555;">Tax ID (EIN): 12-3456789</p>' in only_ein.html
    only_address = render(gift(tax_id=""))
    assert only_address.text.startswith(
        "Riverside Food Bank\n12 Main St, Springfield, IL 62701\n\nDONATION RECEIPT"
    )
    assert "12 Main St, Springfield, IL 62701</p>" in only_address.html


def test_a_training_receipt_is_marked_in_subject_and_both_parts() -> None:
    for lang, mark in (("en", "TRAINING — not a real receipt"),
                       ("es", "ENTRENAMIENTO — no es un recibo real")):  # fmt: skip
        r = render(gift(training=True, language=lang))
        assert r.subject.startswith(f"{mark}: ")
        assert r.text.startswith(f"*** {mark} ***\n")
        assert f"<title>{mark}: " in r.html and r.html.index(mark) < r.html.index("<h1")
        real = render(gift(language=lang))
        assert mark not in real.subject + real.text + real.html
    assert "no real donation was made" in " ".join(render(gift(training=True)).text.split())


def test_a_training_dedication_notice_is_marked_too() -> None:
    notice = NoticeData("Ada", "memory", "Grace Hopper", org_name="RFB", training=True)
    n = render_notice(notice)
    assert n.subject == "TRAINING — not a real gift: A gift to RFB in memory of Grace Hopper"
    assert n.text.startswith("*** TRAINING — not a real gift ***\n")
    assert "TRAINING — not a real gift" in n.html
    real = render_notice(NoticeData("Ada", "memory", "Grace Hopper", org_name="RFB"))
    assert "TRAINING" not in real.subject + real.text + real.html
