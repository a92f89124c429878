"""The central store over TLS with a real certificate: `pos-app doctor` as IT runs it, and a
station sharing a gift.

A certificate authority and a server certificate for localhost (DNS:localhost and
IP:127.0.0.1) are made at test time in a tmp dir (tests/support/tls_certs.py); a
PostgreSQL of this module's own serves them and takes TCP connections only over TLS
(`hostssl`). The station's `[central] url` says `sslmode=verify-full` and the CA's file
in `sslrootcert`, which libpq reads from the URL as written. A CA that did not sign the
server's certificate, a CA file that isn't there, and a host name the certificate doesn't
name are each one plain ✗ line with a fix, never a traceback, and the doctor exits 1.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from env_keyring import SECRETS_VAR
from support import tls_certs
from support.cli_proc import REPO, app_env, pos_app
from support.jobwait import wait_for
from support.memory_keyring import MemoryKeyring
from support.pg_server import PgServer, ServerTls, find_bindir, pg_server
from support.sync_station import all_shared, central, sharing_station

from pos_app.api import Donor
from pos_app.central import admin
from pos_app.secrets import CENTRAL_PASSWORD, SERVICE

pytestmark = pytest.mark.timeout(180)

TRAINING, NOT_READY = 3, 1  # doctor's exit codes: no ✗ but the simulator; a ✗ line


@dataclass(frozen=True)
class TlsCentre:
    pg: PgServer
    ca: tls_certs.Ca  # signed the server's certificate
    stranger: tls_certs.Ca  # never signed anything the server has


@pytest.fixture(scope="module")
def centre(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsCentre]:
    if tls_certs.backend() is None:
        pytest.skip(tls_certs.SKIP_REASON)
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (bash packaging/bootstrap.sh --tests)")
    certs = tmp_path_factory.mktemp("tls")
    ca = tls_certs.make_ca(certs / "event", "Tableside Test Event CA")
    stranger = tls_certs.make_ca(certs / "stranger", "Some Other CA")
    cert, key = tls_certs.server_cert(ca, certs / "server")
    with pg_server(bindir, tls=ServerTls(cert, key)) as server:
        admin.init(server.admin_url)  # over TLS too (libpq's default sslmode=prefer)
        yield TlsCentre(server, ca, stranger)


def station_config(tmp_path: Path, centre: TlsCentre, name: str, *, host: str = "localhost",
                   query: str) -> tuple[Path, str]:  # fmt: skip
    """A station's config as IT writes it: (config file, the station's password)."""
    new = admin.add_station(centre.pg.admin_url, name)
    url = f"postgresql://{new.role}@{host}:{centre.pg.port}/{centre.pg.dbname}?{query}"
    cfg = tmp_path / "station.toml"
    cfg.write_text(f'[event]\nname = "Gala"\nstation = "{name}"\n[central]\nurl = "{url}"\n')
    return cfg, new.password


def doctor(data_dir: Path, cfg: Path, password: str, *, as_json: bool = True):  # type: ignore[no-untyped-def]
    secrets = {f"{SERVICE}/{CENTRAL_PASSWORD}": password}  # the child's keyring
    env = app_env(
        data_dir, cfg, PYTHON_KEYRING_BACKEND="env_keyring.EnvKeyring",
        PYTHONPATH=os.pathsep.join([str(REPO / "tests"), str(REPO)]),
        **{SECRETS_VAR: json.dumps(secrets)},
    )  # fmt: skip
    done = pos_app("doctor", *(["--json"] if as_json else []), data_dir=data_dir, env=env)
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done


def checks(done) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    return {c["name"]: c for c in json.loads(done.stdout)["checks"]}


def test_doctor_sees_a_verified_encrypted_connection(
    centre: TlsCentre, data_dir: Path, tmp_path: Path
) -> None:
    query = f"sslmode=verify-full&sslrootcert={centre.ca.cert_file}"
    cfg, password = station_config(tmp_path, centre, "TLS Table 1", query=query)

    done = doctor(data_dir, cfg, password)
    found = checks(done)
    assert found["central"]["status"] == "ok", found["central"]
    assert found["central TLS"] == {"name": "central TLS", "status": "ok",
                                    "detail": "encrypted (verify-full)", "fix": ""}  # fmt: skip
    assert found["central role"]["status"] == "ok", found["central role"]
    fails = [c for c in found.values() if c["status"] == "fail"]
    assert not fails and done.returncode == TRAINING, (fails, done.stderr)

    shown = doctor(data_dir, cfg, password, as_json=False).stdout
    assert "✓ central TLS: encrypted (verify-full)" in shown


@pytest.mark.parametrize("case", ["another CA", "no CA file", "another host"])
def test_a_certificate_that_does_not_check_out_is_one_plain_line(
    centre: TlsCentre, data_dir: Path, tmp_path: Path, case: str
) -> None:
    host, ca = "localhost", centre.ca.cert_file
    if case == "another CA":
        ca = centre.stranger.cert_file
    elif case == "no CA file":
        ca = tmp_path / "not-copied-yet" / "ca.pem"
    query = f"sslmode=verify-full&sslrootcert={ca}"
    if case == "another host":  # IT typed a name the certificate doesn't carry; libpq
        host = "central.example.org"  # still reaches this server through hostaddr
        query += "&hostaddr=127.0.0.1"
    cfg, password = station_config(tmp_path, centre, f"TLS {case}", host=host, query=query)

    done = doctor(data_dir, cfg, password)
    assert done.returncode == NOT_READY, done.stdout
    found = checks(done)
    problem = found["central"]
    assert problem["status"] == "fail" and problem["fix"], problem
    assert "central TLS" not in found  # nothing to say about a connection never made
    detail = problem["detail"]
    assert "Can't reach" not in detail  # the network is fine: the set-up is not
    assert "connection failed" not in detail and "SSL error" not in detail  # libpq's words
    if case == "another CA":
        assert "certificate" in detail and "sslrootcert" in detail, detail
    elif case == "no CA file":
        assert f"file {ca} is missing" in detail and "sslrootcert" in detail, detail
    else:
        assert "is for localhost" in detail and "not for central.example.org" in detail, detail

    shown = doctor(data_dir, cfg, password, as_json=False).stdout
    assert "✗ central: " in shown and "\n    fix: " in shown, shown


def test_a_station_shares_a_gift_over_tls(
    centre: TlsCentre, tmp_path: Path, ring: MemoryKeyring
) -> None:
    """The server takes TCP only over TLS (hostssl), so a gift at the centre crossed it."""
    query = f"?sslmode=verify-full&sslrootcert={centre.ca.cert_file}"  # 127.0.0.1: the IP SAN
    with sharing_station(tmp_path, centre.pg, ring, "TLS Sharing", query=query) as st:
        st.start_jobs()
        gift = st.record_donation(4200, Donor("Ada Lovelace", "ada@example.org"), "cash")
        wait_for(lambda: all_shared(st), why="the gift shared over TLS", timeout=60)
        assert st.sync_status().last_error is None
        sid = st.parts.station_id
    rows = central(centre.pg, "SELECT id::text, amount_cents, donor_name FROM "
                   "tableside.donations WHERE station_id = %s", sid)  # fmt: skip
    assert rows == [(gift.donation_id, 4200, "Ada Lovelace")]


def test_a_certificate_it_cant_check_waits_for_a_person_not_for_the_network(
    centre: TlsCentre, tmp_path: Path, ring: MemoryKeyring
) -> None:
    """Retrying can't fix a CA file from another authority: the sync job needs attention
    with the fix in words (the station is not "offline"), and once IT puts the event's
    CA file in place, Retry shares the gift."""
    ca_file = tmp_path / "event-ca.pem"
    shutil.copyfile(centre.stranger.cert_file, ca_file)  # the wrong file, at the right path
    query = f"?sslmode=verify-full&sslrootcert={ca_file}"
    with sharing_station(tmp_path, centre.pg, ring, "TLS Attention", query=query) as st:
        st.start_jobs()
        gift = st.record_donation(1500, Donor("Grace", "grace@example.org"), "cash")
        stuck = wait_for(
            lambda: (s := st.sync_status()).state == "needs_attention" and s,
            why="the sync job to need attention",
            timeout=60,
        )
        assert stuck.online and stuck.pending >= 1, stuck
        assert stuck.last_error and "certificate" in stuck.last_error, stuck
        assert "sslrootcert" in stuck.last_error, stuck

        shutil.copyfile(centre.ca.cert_file, ca_file)  # IT's file
        st.sync_now()
        wait_for(lambda: all_shared(st), why="shared once the CA file is right", timeout=60)
        assert st.sync_status().last_error is None
    rows = central(
        centre.pg, "SELECT amount_cents FROM tableside.donations WHERE id = %s", gift.donation_id
    )
    assert rows == [(1500,)]
