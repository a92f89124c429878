"""How the station's figures grow with the night: 1,000, 10,000 and 100,000 gifts, side by side.

    .venv/bin/python bench/growth.py                      # 1,000, 10,000 and 100,000 gifts
    .venv/bin/python bench/growth.py --sizes 1000,20000   # any sizes, ascending
    .venv/bin/python bench/growth.py --quick              # 1,000 and 5,000, few repeats (tests)

One station (training mode, the simulator at 0 ms; its job workers not started, so nothing
but the measured work runs) is filled to each size in turn with gifts and their jobs written
in the app's own shape: the same tables and columns the app writes (donations, jobs with
receipt numbers from the station's own counter, refunds and voids, saved-card tokens, and the
sync outbox rows the tables' triggers add), in bulk through SQLAlchemy Core, modelled on rows
the app wrote itself: card 70 % (approved, declined, refunded), cash 18 % and check 12 %
(recorded, voided), the fee covered on some card gifts, goods received on some gifts, a
receipt job for every gift that counts or counted and a save-card job where the donor said
yes, mostly done, some queued, retrying, needing attention or discarded; spread over the four
hours before the run. At each size it measures, side by side:

- each read the lead desk polls (pos_app/ui/desk.py `DeskView._read`: job_summary,
  desk_stamp, donations_changed, totals, gifts_over_time; `desk_poll` is that whole read),
  the first page of donations (what the list loads), and `job_counts` (on the facade; no
  screen calls it today), each alone, median of `--reads`;
- export: `export_donations_csv`; the jobs panel's read (pos_app/ui/jobs_panel.py: the
  unfinished jobs, the newest FINISHED_SHOWN finished ones, the summary and the counts on
  its first load and every 60th refresh, only the changed jobs between), median of
  `--heavy`;
- a card gift through `Station.take_card_donation`, p50 and p90 of `--gifts`, once alone
  and once while a thread runs the desk's poll back to back (what the lead's open desk does
  while gifts keep arriving: one read per burst of changes, never two at once).

Each size has a station (and data dir) of its own, filled once; the sizes take turns in
every measurement, the order rotating, so the machine's other work falls on all of them
alike. Prints one line per figure per size (`  100k  totals  12.34 ms`), a table, and the
ratio of each figure at the largest size to the smallest (`ratio totals 100k/1k: 43.0x`).
No thresholds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, update  # noqa: E402
from sqlalchemy.dialects.sqlite import insert as sqlite_insert  # noqa: E402

from pos_app.api import Card, Donor, Station, open_station  # noqa: E402
from pos_app.domain.gift import GiftOptions  # noqa: E402
from pos_app.payments.simulator import SimulatorProcessor  # noqa: E402
from pos_app.services.desk_reads import PageQuery  # noqa: E402
from pos_app.store.models import Counter, Donation, DonorToken, Job, Refund  # noqa: E402
from pos_app.ui.jobs_panel import FINISHED_SHOWN  # noqa: E402 (the panel's own number)

OVERLAP = dt.timedelta(seconds=2)  # the desk's and the panel's look-back (ui/desk.py)
NIGHT = dt.timedelta(hours=4)  # the filled gifts are spread over this, ending at the run
CARD = Card("4242424242424242", 12, dt.date.today().year + 3, "123", postal_code="62701")
AMOUNTS = [1000, 2500, 2500, 5000, 5000, 5000, 10000, 10000, 25000, 50000, 100000]
BRANDS = [("visa", "4242"), ("visa", "1881"), ("mastercard", "4444"), ("amex", "8431")]
DECLINES = [
    ("generic_decline", "The card was declined. Ask for another card."),
    ("insufficient_funds", "The card was declined (not enough funds). Ask for another card."),
    ("incorrect_cvc", "The security code is wrong. Check it and try again."),
]
GOODS = [("Dinner ticket", 7500), ("Raffle ticket", 1000), ("Auction item: weekend cabin", 40000)]

# ---- filling: rows in the app's own shape ----------------------------------------------------


def _all_columns(model: type, values: dict[str, object]) -> dict[str, object]:
    """Every column present (None where the app writes nothing): one executemany per table."""
    row: dict[str, object] = dict.fromkeys(model.__table__.c.keys())  # type: ignore[attr-defined]
    row.update(values)
    return row


def _dollars(cents: int) -> str:
    return f"${cents // 100:,}.{cents % 100:02d}"


class Filler:
    """Adds gifts to a station's database in bulk, as the app would have written them."""

    def __init__(self, station: Station, seed: int) -> None:
        self.station = station
        self.rng = random.Random(seed)
        self.end = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        self.prefix = station.jobs_system.ledger.receipt_prefix
        self.outbox = station.paths.data_dir / "outbox"
        self.event = station.settings.event
        self.gifts = 0
        self.jobs = 0
        self.refunds = 0
        self.tokens = 0
        self.next_receipt = 0

    def add(self, count: int, batch: int = 5000) -> None:
        with self.station.db.session() as s:  # the receipt counter, as the ledger keeps it
            s.execute(
                sqlite_insert(Counter)
                .values(name="receipt", value=0)
                .on_conflict_do_nothing(index_elements=["name"])
            )
            value = s.query(Counter.value).filter(Counter.name == "receipt").scalar()
        self.next_receipt = int(value or 0)
        for start in range(0, count, batch):
            donations, jobs, refunds, tokens = [], [], [], []
            for _ in range(min(batch, count - start)):
                self._gift(donations, jobs, refunds, tokens)
            with self.station.db.session() as s:
                # Core executemany on the tables (the ORM's bulk path adds nothing here)
                for model, rows in ((Donation, donations), (Job, jobs), (Refund, refunds),
                                    (DonorToken, tokens)):  # fmt: skip
                    if rows:
                        s.execute(insert(model.__table__), rows)
                s.execute(
                    update(Counter).where(Counter.name == "receipt").values(value=self.next_receipt)
                )
            self.gifts += len(donations)
            self.jobs += len(jobs)
            self.refunds += len(refunds)
            self.tokens += len(tokens)

    def _gift(self, donations: list, jobs: list, refunds: list, tokens: list) -> None:  # type: ignore[type-arg]
        rng = self.rng
        n = self.gifts + len(donations)
        did = str(uuid.uuid4())
        created = self.end - NIGHT * rng.random()
        updated = created + dt.timedelta(milliseconds=rng.randint(15, 80))
        base = rng.choice(AMOUNTS) if rng.random() < 0.8 else rng.randint(5, 2000) * 100
        method = rng.choices(("card", "cash", "check"), (70, 18, 12))[0]
        goods = rng.choice(GOODS) if rng.random() < 0.10 else None
        if goods and base < goods[1]:
            base = goods[1] * 2
        fee = 0
        row: dict[str, object] = dict(
            id=did, currency="usd", method=method, donor_name=f"Guest {n}",
            donor_email=f"guest{n}@example.org", station=self.event.station,
            event_name=self.event.name, charge_attempts=0, created_at=created,
            updated_at=updated, fee_cents=0, anonymous=rng.random() < 0.03,
            off_session=False, save_card=False,
            receipt_language="es" if rng.random() < 0.08 else None,
        )  # fmt: skip
        if goods:
            row.update(goods_description=goods[0], goods_value_cents=goods[1])
        save = False
        if method == "card":
            brand, last4 = rng.choice(BRANDS)
            state = rng.choices(("approved", "declined", "refunded"), (885, 90, 25))[0]
            save = state != "declined" and rng.random() < 0.4
            if state != "declined" and rng.random() < 0.3:
                fee = self.station.fee_for(base)
            row.update(
                processor="simulator", idempotency_key=f"tableside-{uuid.uuid4().hex}",
                payment_method_id=f"pm_sim_ok_{uuid.uuid4().hex[:12]}", brand=brand,
                last4=last4, charge_attempts=1, save_card=save, fee_cents=fee,
            )  # fmt: skip
            if state == "declined":
                code, message = rng.choice(DECLINES)
                row.update(decline_code=code, message=message)
            else:
                row.update(payment_intent_id=f"pi_sim_{uuid.uuid4().hex[:20]}", message="Approved.")
        else:
            state = "voided" if rng.random() < 0.03 else "recorded"
            row.update(message=f"Recorded {_dollars(base)} {method}.")
            if method == "check":
                row.update(check_number=str(rng.randint(100, 9999)))
        amount = base + fee
        row.update(amount_cents=amount, state=state)
        if state in ("refunded", "voided"):
            # given back a little later, never after the run began
            when = min(created + dt.timedelta(minutes=rng.randint(2, 60)), self.end)
            row.update(updated_at=when)
            card = method == "card"
            refunds.append(_all_columns(Refund, dict(
                id=str(uuid.uuid4()), donation_id=did, kind="refund" if card else "void",
                state=state, amount_cents=amount, currency="usd",
                reason="duplicate gift" if card else "entered twice",
                category="duplicate" if card else None,
                processor="simulator" if card else None,
                payment_intent_id=row.get("payment_intent_id"),
                idempotency_key=f"tableside-refund-{uuid.uuid4().hex}" if card else None,
                reference=f"re_sim_{uuid.uuid4().hex[:20]}" if card else None,
                message=(f"Refunded {_dollars(amount)} to {str(row.get('brand')).title()} "
                         f"•••• {row.get('last4')}. It no longer counts in the totals.") if card
                else f"Voided the {_dollars(amount)} {method} gift. It no longer counts in the "
                     "totals.",
                attempts=1 if card else 0, created_at=when, updated_at=when,
            )))  # fmt: skip
        donations.append(_all_columns(Donation, row))
        if state == "declined":
            return  # no receipt, no saved card
        self.next_receipt += 1
        jobs.append(self._job(did, "receipt", created, state, row))
        if save:
            job = self._job(did, "save_card", created, state, row)
            jobs.append(job)
            if job["state"] == "done":
                tokens.append(_all_columns(DonorToken, dict(
                    donation_id=did, processor="simulator", customer_id=job["result_ref"],
                    payment_method_id=row["payment_method_id"], brand=row["brand"],
                    last4=row["last4"], created_at=job["finished_at"],
                )))  # fmt: skip

    def _job(self, did: str, kind: str, created: dt.datetime, gift_state: str,
             gift: dict[str, object]) -> dict[str, object]:  # fmt: skip
        rng = self.rng
        at = created + dt.timedelta(milliseconds=rng.randint(20, 60))
        number = f"{self.prefix}-{self.next_receipt:05d}" if kind == "receipt" else None
        values: dict[str, object] = dict(
            id=str(uuid.uuid4()), kind=kind, donation_id=did, receipt_number=number,
            created_at=at, updated_at=at, attempts=0,
        )  # fmt: skip
        roll = rng.random()
        if kind == "receipt" and not gift["donor_email"]:
            roll = 1.0
        if roll < 0.955 or gift_state in ("refunded", "voided"):
            done = at + dt.timedelta(milliseconds=rng.randint(200, 3000))
            ref = (str(self.outbox / f"receipt-{number}.eml") if kind == "receipt"
                   else f"cus_sim_{uuid.uuid4().hex[:14]}")  # fmt: skip
            values.update(state="done", attempts=1, result_ref=ref, started_at=done,
                          finished_at=done, updated_at=done,
                          sent_at=done if kind == "receipt" else None)  # fmt: skip
        elif roll < 0.965:
            values.update(state="queued")
        elif roll < 0.98:
            later = self.end + dt.timedelta(seconds=rng.randint(30, 600))  # due soon
            values.update(
                state="retry_scheduled", attempts=rng.randint(1, 4), next_attempt_at=later,
                last_error="The email server is busy; trying again.", error_kind="transient",
                last_error_detail="HTTP 503 from the email service", fix="retry",
                started_at=at, updated_at=at + dt.timedelta(seconds=5),
            )  # fmt: skip
        elif roll < 0.995:
            receipt = kind == "receipt"
            values.update(
                state="needs_attention", attempts=1, error_kind="permanent",
                fix="fix_email" if receipt else "check_settings",
                last_error="The email address was refused. Correct it and send again."
                if receipt else "The card couldn't be saved: the processor refused it.",
                last_error_detail="HTTP 400: invalid email" if receipt else "HTTP 402",
                started_at=at, finished_at=at, updated_at=at + dt.timedelta(seconds=1),
            )  # fmt: skip
        else:
            values.update(state="discarded", discard_reason="The lead discarded it.",
                          updated_at=at + dt.timedelta(minutes=5))  # fmt: skip
        return _all_columns(Job, values)


# ---- measuring -------------------------------------------------------------------------------


def desk_poll(station: Station) -> object:
    """What DeskView._read runs on a worker for every refresh (pos_app/ui/desk.py)."""
    since = dt.datetime.now(dt.UTC) - OVERLAP
    summary = station.job_summary()
    stamp = (*station.desk_stamp(), station.settings.event.goal, summary)
    changed = station.donations_changed(since)
    return stamp, changed, station.totals(), station.gifts_over_time()


# figure name -> (what it is, the read); card gifts are measured apart
READS: dict[str, tuple[str, Callable[[Station, Path], object]]] = {
    "desk_poll": ("the desk's whole poll (the five below)", lambda st, _t: desk_poll(st)),
    "job_summary": ("station.job_summary()", lambda st, _t: st.job_summary()),
    "desk_stamp": ("station.desk_stamp()", lambda st, _t: st.desk_stamp()),
    "donations_changed": (
        "station.donations_changed(2 s ago)",
        lambda st, _t: st.donations_changed(dt.datetime.now(dt.UTC) - OVERLAP),
    ),
    "totals": ("station.totals()", lambda st, _t: st.totals()),
    "gifts_over_time": ("station.gifts_over_time()", lambda st, _t: st.gifts_over_time()),
    "donations_page": (
        "station.donations_page() (first page)",
        lambda st, _t: st.donations_page(PageQuery()),
    ),
    "job_counts": ("station.job_counts()", lambda st, _t: st.job_counts()),
    "jobs_panel_changed": (
        "jobs panel, changed only (jobs(since) + summary)",
        lambda st, _t: (
            st.jobs(changed_since=dt.datetime.now(dt.UTC) - OVERLAP),
            st.job_summary(),
        ),
    ),
}
HEAVY: dict[str, tuple[str, Callable[[Station, Path], object]]] = {
    "export_donations_csv": (
        "station.export_donations_csv()",
        lambda st, tmp: st.export_donations_csv(tmp / "donations.csv"),
    ),
    "jobs_panel_full": (
        "jobs panel, full read (unfinished + newest finished, summary, counts)",
        lambda st, _t: (st.jobs(finished_limit=FINISHED_SHOWN), st.job_summary(),
                        st.job_counts()),
    ),
}
GIFTS = {
    "card_gift_p50": "card gift p50, desk closed",
    "card_gift_p90": "card gift p90, desk closed",
    "card_gift_desk_p50": "card gift p50, desk polling",
    "card_gift_desk_p90": "card gift p90, desk polling",
}
FIGURES = {
    **{k: words for k, (words, _fn) in READS.items()},
    **{k: words for k, (words, _fn) in HEAVY.items()},
    **GIFTS,
}


def interleaved(
    stations: dict[int, Station], tmp: Path, reads: dict[str, tuple[str, Callable]], reps: int
) -> dict[int, dict[str, float]]:  # type: ignore[type-arg]
    """Median of `reps` of each read at each size, the sizes taking turns (the order rotating)
    so a moment of load on the machine falls on every size alike."""
    sizes = list(stations)
    samples: dict[int, dict[str, list[float]]] = {n: {k: [] for k in reads} for n in sizes}
    for rep in range(reps + 1):  # the first round warms the caches, unmeasured
        for name, (_words, fn) in reads.items():
            for size in sizes[rep % len(sizes) :] + sizes[: rep % len(sizes)]:
                t0 = time.perf_counter()
                fn(stations[size], tmp / str(size))
                elapsed = time.perf_counter() - t0
                if rep:
                    samples[size][name].append(elapsed)
    return {n: {k: statistics.median(v) for k, v in samples[n].items()} for n in sizes}


def card_gifts(
    stations: dict[int, Station], count: int, warmup: int, desk: bool
) -> dict[int, dict[str, float]]:
    """p50 and p90 of `count` card gifts per size, the sizes taking turns; with `desk`, a
    thread runs the desk's poll back to back on the station being charged, as the lead's
    open desk does while gifts keep arriving (one read per burst of changes)."""
    sizes = list(stations)
    current = [stations[sizes[0]]]
    stop = threading.Event()

    def poll_loop() -> None:
        while not stop.is_set():
            desk_poll(current[0])

    poller = threading.Thread(target=poll_loop, daemon=True) if desk else None
    if poller is not None:
        poller.start()
    samples: dict[int, list[float]] = {n: [] for n in sizes}
    try:
        for i in range(warmup + count):
            for size in sizes[i % len(sizes) :] + sizes[: i % len(sizes)]:
                station = current[0] = stations[size]
                donor = Donor(f"Card {i}", f"card{i}@example.org")
                options = GiftOptions(save_card=i % 3 == 0, cover_fee=i % 4 == 0)
                t0 = time.perf_counter()
                outcome = station.take_card_donation(5000, donor, CARD, options)
                elapsed = time.perf_counter() - t0
                if outcome.status != "approved":
                    raise RuntimeError(f"card gift: {outcome.status} {outcome.message}")
                if i >= warmup:
                    samples[size].append(elapsed)
    finally:
        stop.set()
        if poller is not None:
            poller.join()
    kind = "card_gift_desk" if desk else "card_gift"
    out = {}
    for size, got in samples.items():
        cuts = statistics.quantiles(got, n=10) if len(got) > 1 else got * 9
        out[size] = {f"{kind}_p50": statistics.median(got), f"{kind}_p90": cuts[-1]}
    return out


def label(size: int) -> str:
    if size >= 1000 and size % 100 == 0:
        return f"{size / 1000:g}k"
    return str(size)


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 10 else f"{seconds:.1f} s"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="gift counts, comma-separated")
    ap.add_argument("--reads", type=int, default=15, help="repeats of each light read")
    ap.add_argument("--heavy", type=int, default=3, help="repeats of export and the full panel")
    ap.add_argument("--gifts", type=int, default=60, help="card gifts measured per size and kind")
    ap.add_argument("--seed", type=int, default=24)
    ap.add_argument("--quick", action="store_true", help="1,000 and 5,000 gifts, few repeats")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.reads, args.heavy, args.gifts = "1000,5000", 3, 1, 10
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    if not sizes or sizes[0] <= 0:
        ap.error("--sizes: one or more gift counts above 0")

    results: dict[int, dict[str, float]] = {n: {} for n in sizes}
    stations: dict[int, Station] = {}
    with tempfile.TemporaryDirectory(prefix="tableside-growth-") as tmp_s:
        tmp = Path(tmp_s)
        os.environ["POS_APP_CONFIG"] = str(tmp / "no-config.toml")  # training settings
        print(
            f"growth: a station per size (training, simulator 0 ms, job workers stopped), "
            f"SQLite WAL, the sizes measured in turn; Python {sys.version.split()[0]}, "
            f"{os.cpu_count()} cores",
            flush=True,
        )
        try:
            for size in sizes:
                (tmp / str(size)).mkdir()
                stations[size] = station = open_station(
                    data_dir=tmp / str(size) / "data", processor=SimulatorProcessor(latency_ms=0)
                )
                filler = Filler(station, args.seed + size)
                t0 = time.perf_counter()
                filler.add(size)
                print(
                    f"{label(size):>6} gifts: {filler.gifts:,} gifts, {filler.jobs:,} jobs, "
                    f"{filler.refunds:,} refunds/voids, {filler.tokens:,} saved cards "
                    f"(filled in {time.perf_counter() - t0:.1f} s)",
                    flush=True,
                )
            for part in (
                interleaved(stations, tmp, READS, args.reads),
                interleaved(stations, tmp, HEAVY, args.heavy),
                card_gifts(stations, args.gifts, max(1, args.gifts // 10), desk=False),
                card_gifts(stations, args.gifts, max(1, args.gifts // 10), desk=True),
            ):
                for size, figures in part.items():
                    results[size].update(figures)
        finally:
            for station in stations.values():
                station.close()

    for size in sizes:
        for name in FIGURES:
            print(f"{label(size):>6}  {name:22} {fmt(results[size][name]):>10}")
    small, big = sizes[0], sizes[-1]
    print(
        f"\n{'figure (median; card gifts: p50/p90)':70}" + "".join(f"{label(s):>11}" for s in sizes)
    )
    for name, words in FIGURES.items():
        print(f"{name + ': ' + words:70}" + "".join(f"{fmt(results[s][name]):>11}" for s in sizes))
    if big != small:
        for name in FIGURES:
            ratio = results[big][name] / max(results[small][name], 1e-9)
            print(f"ratio {name} {label(big)}/{label(small)}: {ratio:.2f}x")
    else:
        ratio = results[big]["card_gift_desk_p50"] / results[big]["card_gift_p50"]
        print(f"ratio card_gift_desk_p50/card_gift_p50 {label(big)}: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
