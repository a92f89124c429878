"""`pos-app reader list|register|use` as IT runs it: a real `python -m pos_app` process.

The Stripe key reaches the child through a keyring backend named in PYTHON_KEYRING_BACKEND
(tests/env_keyring.py), read the way the app reads any keyring. Training mode, a missing
key, an unreachable Stripe and the config file edit need no peer; the Stripe Terminal peer
(localstripe, one of this module's own) covers registering, listing and picking.
"""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import TERMINAL_TEST_KEY
from env_keyring import SECRETS_VAR
from support.cli_proc import REPO, app_env, pos_app
from support.processes import localstripe_process, set_reader_status
from support.smtp_server import free_port

from pos_app.config_edit import ConfigEditError, edited
from pos_app.secrets import SERVICE, STRIPE_SECRET_KEY

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]


def keyring_env(data_dir: Path, config: Path | None, key: str | None) -> dict[str, str]:
    secrets = {f"{SERVICE}/{STRIPE_SECRET_KEY}": key} if key else {}
    return app_env(
        data_dir,
        config,
        PYTHON_KEYRING_BACKEND="env_keyring.EnvKeyring",
        PYTHONPATH=os.pathsep.join([str(REPO / "tests"), str(REPO)]),
        **{SECRETS_VAR: json.dumps(secrets)},
    )


def reader_cli(data_dir: Path, *args: str, config: Path | None = None, key: str | None = None):
    env = keyring_env(data_dir, config, key)
    head = ["--config", str(config)] if config else []
    return pos_app(*head, "reader", *args, data_dir=data_dir, env=env, stdin=subprocess.DEVNULL)


def stripe_config(tmp_path: Path, api_base: str, **payments: str) -> Path:
    cfg = tmp_path / "config.toml"
    extra = "".join(f'{k} = "{v}"\n' for k, v in payments.items())
    cfg.write_text(
        "# Spring Gala, table stations\n"
        '[event]\nname = "Spring Gala"\nstation = "Table 3"\n\n'
        f'[payments]\nprovider = "stripe"  # typed cards until the reader is set up\n'
        f'api_base = "{api_base}"\n{extra}\n'
        '[receipts]\nprovider = "outbox"\n',
        encoding="utf-8",
    )
    return cfg


# ---- no peer needed ----


def test_training_mode_lists_the_training_reader(data_dir: Path) -> None:
    done = reader_cli(data_dir, "list")
    assert done.returncode == 0, done.stderr
    header, row, footer = done.stdout.splitlines()
    assert header.split() == ["ID", "LABEL", "NETWORK", "ACTION", "DEVICE"]
    assert row.split()[:2] == ["*", "tmr_training"] and "online" in row and "idle" in row
    assert "TRAINING MODE" in footer
    done = reader_cli(data_dir, "list", "--json")
    report = json.loads(done.stdout)
    assert report["training"] is True and report["station_reader"] == "tmr_training"
    (reader,) = report["readers"]
    assert (reader["id"], reader["online"], reader["idle"], reader["in_use"]) == (
        "tmr_training", True, True, True,
    )  # fmt: skip


def test_training_mode_registers_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    for args in (["register", "simulated-wpe", "--label", "Table 3"], ["use", "tmr_abc"]):
        done = reader_cli(data_dir, *args)
        assert done.returncode == 2, done.stderr
        assert "training mode" in done.stderr and 'provider = "stripe"' in done.stderr
        assert "Traceback" not in done.stderr
    assert not list(tmp_path.glob("*.toml"))


def test_no_key_in_the_keyring_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    cfg = stripe_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    for args in (["list"], ["register", "simulated-wpe", "--label", "T3"], ["use", "tmr_a"]):
        done = reader_cli(data_dir, *args, config=cfg)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert "stripe_secret_key" in done.stderr and "pos-app configure" in done.stderr
        assert "Traceback" not in done.stderr


def test_stripe_out_of_reach_is_a_clear_error(data_dir: Path, tmp_path: Path) -> None:
    before = stripe_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    text = before.read_text()
    for args in (["list"], ["register", "simulated-wpe", "--label", "T3"], ["use", "tmr_a"]):
        done = reader_cli(data_dir, *args, config=before, key="sk_test_reader123456")
        assert done.returncode == 1, (args, done.stderr)
        assert "Couldn't reach the processor" in done.stderr and "network" in done.stderr
        assert "Traceback" not in done.stderr and "sk_test_reader123456" not in done.stderr
    assert before.read_text() == text  # nothing written when the reader wasn't checked


def test_bad_reader_id_and_usage(data_dir: Path, tmp_path: Path) -> None:
    cfg = stripe_config(tmp_path, f"http://127.0.0.1:{free_port()}")
    done = reader_cli(data_dir, "use", "table-3", config=cfg, key="sk_test_reader123456")
    assert done.returncode == 2 and "not a reader id" in done.stderr
    done = reader_cli(data_dir, "register", "simulated-wpe", config=cfg)
    assert done.returncode == 2 and "--label" in done.stderr  # argparse's own usage line


# ---- the config file edit (pure) ----


def test_edit_keeps_comments_and_other_tables() -> None:
    text = (
        "# gala\n[payments]\n"
        'provider = "stripe"  # typed\napi_base = "https://api.stripe.com"\n\n'
        '[receipts]\nprovider = "outbox"\n'
    )
    new = edited(text, "payments", {"provider": "stripe_terminal", "reader": "tmr_1"})
    assert new.startswith("# gala\n[payments]\n") and new.endswith(
        '[receipts]\nprovider = "outbox"\n'
    )
    raw = tomllib.loads(new)
    assert raw["payments"] == {
        "provider": "stripe_terminal", "api_base": "https://api.stripe.com", "reader": "tmr_1"
    }  # fmt: skip
    assert raw["receipts"] == {"provider": "outbox"}
    again = edited(new, "payments", {"reader": "tmr_2"})
    assert tomllib.loads(again)["payments"]["reader"] == "tmr_2" and again.count("reader") == 1


def test_edit_adds_a_missing_table_and_refuses_inline_tables() -> None:
    new = edited('[event]\nname = "Gala"', "payments", {"reader": "tmr_1"})
    assert tomllib.loads(new) == {"event": {"name": "Gala"}, "payments": {"reader": "tmr_1"}}
    with pytest.raises(ConfigEditError, match="by hand"):
        edited('payments = { provider = "stripe" }\n', "payments", {"reader": "tmr_1"})


# ---- against the Stripe Terminal peer ----


@pytest.fixture(scope="module")
def peer() -> Iterator[str]:
    """A Terminal peer of this module's own: it starts with no location and no reader, so
    what `register` finds and makes is this module's doing alone."""
    with localstripe_process() as url:
        yield url


def peer_get(url: str, path: str) -> list[dict[str, object]]:
    auth = {"Authorization": f"Bearer {TERMINAL_TEST_KEY}"}
    return httpx.get(f"{url}{path}", headers=auth, params={"limit": 100}, timeout=5).json()["data"]


def make_location(url: str, name: str) -> str:
    made = httpx.post(
        f"{url}/v1/terminal/locations",
        headers={"Authorization": f"Bearer {TERMINAL_TEST_KEY}"},
        data={"display_name": name, "address[country]": "US"},
        timeout=5,
    )
    made.raise_for_status()
    return str(made.json()["id"])


def registered_id(stdout: str) -> str:
    m = re.search(r"✓ registered (tmr_\w+)", stdout)
    assert m, stdout
    return m.group(1)


ADDRESS = ("--line1", "12 Main St", "--city", "Springfield", "--state", "IL",
           "--postal-code", "62701")  # fmt: skip


def test_register_pick_and_list_a_reader(peer: str, data_dir: Path, tmp_path: Path) -> None:
    cfg = stripe_config(tmp_path, peer)
    key = TERMINAL_TEST_KEY

    # No location on the account: Stripe needs the venue's address before one is made.
    done = reader_cli(data_dir, "register", "simulated-wpe", "--label", "Table 3",
                      "--city", "Springfield", config=cfg, key=key)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "line1, state, postal_code missing" in done.stderr
    assert "--line1" in done.stderr and "--postal-code" in done.stderr
    assert peer_get(peer, "/v1/terminal/locations") == []  # nothing made half-way

    done = reader_cli(data_dir, "register", "simulated-wpe", "--label", "Table 3", *ADDRESS,
                      config=cfg, key=key)  # fmt: skip
    assert done.returncode == 0, done.stderr
    first = registered_id(done.stdout)
    assert "'Table 3' (simulated_wisepos_e, online)" in done.stdout
    assert "(new location)" in done.stdout and f"reader use {first}" in done.stdout
    (location,) = peer_get(peer, "/v1/terminal/locations")
    assert location["display_name"] == "Spring Gala"
    assert location["address"] == {
        "line1": "12 Main St", "line2": None, "city": "Springfield", "state": "IL",
        "postal_code": "62701", "country": "US",
    }  # fmt: skip

    # A second reader goes to the event's location: no second location.
    done = reader_cli(data_dir, "register", "simulated-wpe", "--label", "Bar", config=cfg, key=key)
    assert done.returncode == 0, done.stderr
    second = registered_id(done.stdout)
    assert f"at location {location['id']} 'Spring Gala'." in done.stdout
    assert len(peer_get(peer, "/v1/terminal/locations")) == 1

    # Listed, none of them this station's yet (the config still takes typed cards).
    set_reader_status(peer, second, "offline")
    done = reader_cli(data_dir, "list", config=cfg, key=key)
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line for line in done.stdout.splitlines()[1:-1]}
    assert rows[second].split()[:4] == [second, "Bar", "offline", "idle"]
    assert rows[first].split()[:5] == [first, "Table", "3", "online", "idle"]
    assert "has no reader yet" in done.stdout

    # Picked: the config file says so, everything else in it as IT wrote it.
    before = cfg.read_text()
    done = reader_cli(data_dir, "use", first, config=cfg, key=key)
    assert done.returncode == 0, done.stderr
    assert f"now takes cards on {first} 'Table 3' (online)" in done.stdout
    after = cfg.read_text()
    assert tomllib.loads(after)["payments"] == {
        "provider": "stripe_terminal", "api_base": peer, "reader": first,
    }  # fmt: skip
    assert "# typed cards until the reader is set up" in after
    assert after.replace("stripe_terminal", "stripe").replace(f'reader = "{first}"\n', "") == (
        before
    )

    done = reader_cli(data_dir, "list", "--json", config=cfg, key=key)
    report = json.loads(done.stdout)
    assert report["station_reader"] == first and report["training"] is False
    by_id = {r["id"]: r for r in report["readers"]}
    assert by_id[first]["in_use"] is True and by_id[second]["in_use"] is False
    assert (by_id[second]["online"], by_id[second]["status"]) == (False, "offline")
    assert by_id[first]["device_type"] == "simulated_wisepos_e"
    assert by_id[first]["location"] == location["id"]
    done = reader_cli(data_dir, "list", config=cfg, key=key)
    assert f"* this station's reader ({first})" in done.stdout
    assert next(line for line in done.stdout.splitlines() if first in line).startswith("*")


def test_several_locations_need_one_named(peer: str, data_dir: Path, tmp_path: Path) -> None:
    make_location(peer, "North hall")
    south = make_location(peer, "South hall")
    cfg = stripe_config(tmp_path, peer)
    text = cfg.read_text().replace("Spring Gala", "Autumn Fair")
    cfg.write_text(text)
    done = reader_cli(data_dir, "register", "simulated-wpe", "--label", "Door",
                      config=cfg, key=TERMINAL_TEST_KEY)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "several Terminal locations" in done.stderr and "--location" in done.stderr
    done = reader_cli(data_dir, "register", "simulated-wpe", "--label", "Door", "--location",
                      south, config=cfg, key=TERMINAL_TEST_KEY)  # fmt: skip
    assert done.returncode == 0, done.stderr
    reader = registered_id(done.stdout)
    assert (
        next(r for r in peer_get(peer, "/v1/terminal/readers") if r["id"] == reader)["location"]
        == south
    )


def test_unknown_code_unknown_reader_unknown_location(
    peer: str, data_dir: Path, tmp_path: Path
) -> None:
    cfg = stripe_config(tmp_path, peer)
    before = cfg.read_text()
    done = reader_cli(data_dir, "register", "simulated-wpe", "--label", "Table 9",
                      "--location", "tml_whatever", config=cfg, key=TERMINAL_TEST_KEY)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "no Terminal location tml_whatever" in done.stderr
    location = make_location(peer, "Side room")
    done = reader_cli(data_dir, "register", "pink-elephant-42", "--label", "Table 9",
                      "--location", str(location), config=cfg, key=TERMINAL_TEST_KEY)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "didn't accept the registration code 'pink-elephant-42'" in done.stderr
    assert "Generate pairing code" in done.stderr and "simulated-wpe" in done.stderr
    done = reader_cli(data_dir, "use", "tmr_NotOnThisAccount", config=cfg, key=TERMINAL_TEST_KEY)
    assert done.returncode == 1, done.stderr
    assert "tmr_NotOnThisAccount is not a reader on this Stripe account" in done.stderr
    assert cfg.read_text() == before
    for out in (done.stdout, done.stderr):
        assert "Traceback" not in out and TERMINAL_TEST_KEY not in out


def test_register_at_a_terminal_asks_for_the_missing_address(
    data_dir: Path, tmp_path: Path
) -> None:
    """Typed at a terminal (stdin a tty), the address parts Stripe needs are asked for,
    then the location is made; piped (the other tests), it is an exit-2 line instead."""
    with localstripe_process() as fresh:  # an account with no location yet
        cfg = stripe_config(tmp_path, fresh)
        leader, follower = pty.openpty()
        try:
            os.write(leader, b"9 Elm St\nSpringfield\nIL\n62701\n")
            done = subprocess.run(
                [sys.executable, "-m", "pos_app", "--config", str(cfg), "reader", "register",
                 "simulated-wpe", "--label", "Coat check"],
                env=keyring_env(data_dir, cfg, TERMINAL_TEST_KEY), cwd=REPO, stdin=follower,
                capture_output=True, text=True, timeout=90,
            )  # fmt: skip
        finally:
            os.close(follower)
            os.close(leader)
        assert done.returncode == 0, done.stderr
        assert "line1, city, state, postal_code missing" in done.stderr
        assert "Street address: " in done.stderr and "ZIP or postal code: " in done.stderr
        assert "(new location)" in done.stdout
        (location,) = peer_get(fresh, "/v1/terminal/locations")
        assert location["display_name"] == "Spring Gala"
        assert location["address"] == {
            "line1": "9 Elm St", "line2": None, "city": "Springfield", "state": "IL",
            "postal_code": "62701", "country": "US",
        }  # fmt: skip
