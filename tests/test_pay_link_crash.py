"""A pay link survives kill -9 at any instant of its job: killed before the email, after
the session was made, or after the email went but before it was marked, a restart makes no
second Checkout Session and sends the link once, or once more with the same Message-ID
(email is at least once). Real processes, real SIGKILLs, the bridged localstripe and a
real SMTP server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.crash import env, kill_at_crashpoint, stripe_url  # noqa: F401 - fixtures
from support.processes import localstripe_stats
from support.smtp_server import SmtpServer

pytestmark = pytest.mark.slow  # real processes and servers: scheduled first

TESTS = Path(__file__).resolve().parent
PROC = TESTS / "support" / "pledge_link_proc.py"


@pytest.fixture
def smtp(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = SmtpServer(tmp_path / "smtp-tls")
    yield server
    server.close()


@pytest.mark.parametrize("point", ["paylink_before_email", "paylink_after_email"])
def test_killed_while_sending_the_link_makes_one_session_and_sends_it(
    tmp_path: Path, env: dict[str, str], stripe_url: str, smtp: SmtpServer, point: str  # noqa: F811
) -> None:
    config = tmp_path / "station.toml"
    config.write_text('[organization]\nname = "Riverside Food Bank"\n'
                      '[event]\nname = "Spring Gala"\nstation = "Table 3"\n'
                      '[receipts]\nfrom = "receipts@riverside.example"\n'
                      '[pledges]\nsuccess_url = "https://riverside.example/thanks"\n')  # fmt: skip
    args = [sys.executable, str(PROC), str(config), env["POS_APP_DATA_DIR"], stripe_url,
            str(smtp.port), str(smtp.cert_file), smtp.password]  # fmt: skip
    kill_at_crashpoint([*args, "take"], env, point, 60)
    links = [m for m in smtp.received() if m["X-Tableside-Paylink"]]
    assert len(links) == (1 if point == "paylink_after_email" else 0)
    assert localstripe_stats(stripe_url)["checkout_sessions_created"] == 1  # made and kept

    done = subprocess.run([*args, "resume"], env=env, capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["state"] == "link_sent" and out["session"].startswith("cs_test_")
    assert localstripe_stats(stripe_url)["checkout_sessions_created"] == 1  # never a second
    links = [m for m in smtp.received() if m["X-Tableside-Paylink"]]
    assert 1 <= len(links) <= 2 and len({str(m["Message-ID"]) for m in links}) == 1
    assert all(out["session"] in m.get_body(("plain",)).get_content() for m in links)
