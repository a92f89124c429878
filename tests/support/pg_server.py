"""A throwaway PostgreSQL server for the test session, from the machine's own binaries.

pytest-postgresql's process fixture runs `pg_ctl` as the current user, and PostgreSQL
refuses to run as root (CI runs as root on a fresh machine). So this starts `initdb` and
`postgres` itself, as the unprivileged `postgres` system user when we are root (Debian's
`postgresql` package creates it; we create a `tableside-pg` user when it is missing), on
127.0.0.1 and a Unix socket in a private directory, and removes everything afterwards.

`find_bindir()` returns None where no binaries exist; the fixture then skips with the reason.

`pg_server(bindir, tls=ServerTls(cert, key))` serves TLS with that certificate: the files
are copied into the cluster's folder (the key 0600, owned by the server's user, as
PostgreSQL insists), `ssl=on`, and pg_hba.conf's TCP lines become `hostssl` lines, so a
connection over TCP is encrypted or refused (the Unix socket stays trusted, for createdb).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import random
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ADMIN = "tableside_admin"
ADMIN_PASSWORD = "admin-pass"
DBNAME = "gala"


def find_bindir() -> Path | None:
    """The newest installed PostgreSQL server's bin dir, or None."""
    env = os.environ.get("PG_BINDIR")
    candidates = [env] if env else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
    for c in candidates:
        if c and (Path(c) / "postgres").exists() and (Path(c) / "initdb").exists():
            return Path(c)
    found = shutil.which("postgres")
    return Path(found).parent if found and shutil.which("initdb") else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.name.split(".")[0])
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run_as() -> pwd.struct_passwd | None:
    """The user the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "tableside-pg"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "tableside-pg"],
        check=True,
        capture_output=True,
    )
    return pwd.getpwnam("tableside-pg")


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    admin: str
    dbname: str
    socket_dir: Path

    def url(
        self, user: str | None = None, password: str | None = None, db: str | None = None
    ) -> str:
        auth = user or self.admin
        if password is not None:
            auth += f":{password}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{db or self.dbname}"

    @property
    def admin_url(self) -> str:
        return self.url(password=ADMIN_PASSWORD)


@dataclass(frozen=True)
class ServerTls:
    """The server's certificate (PEM, chain included) and its private key (PEM)."""

    cert_file: Path
    key_file: Path


@contextlib.contextmanager
def pg_server(bindir: Path, tls: ServerTls | None = None) -> Iterator[PgServer]:
    """Start a fresh cluster (serving `tls` when given); stop it and delete its files on
    exit."""
    owner = _run_as()
    root = Path(tempfile.mkdtemp(prefix="tableside-pg-"))
    data, sock = root / "data", root / "sock"
    data.mkdir()
    sock.mkdir()
    pwfile = root / "pw"
    pwfile.write_text(ADMIN_PASSWORD + "\n")
    owned = [root, data, sock, pwfile]
    ssl_opts: list[str] = []
    if tls is not None:
        cert, key = root / "server.crt", root / "server.key"
        shutil.copyfile(tls.cert_file, cert)
        key.touch(mode=0o600)
        os.chmod(key, 0o600)  # whatever the umask: PostgreSQL refuses a readable key
        key.write_bytes(tls.key_file.read_bytes())
        owned += [cert, key]
        ssl_opts = ["-c", "ssl=on", "-c", f"ssl_cert_file={cert}", "-c", f"ssl_key_file={key}"]
    kwargs: dict[str, object] = {}
    if owner is not None:
        for p in owned:
            os.chown(p, owner.pw_uid, owner.pw_gid)
        kwargs = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    port = _free_port()
    proc: subprocess.Popen[bytes] | None = None
    try:
        subprocess.run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                ADMIN,
                "--pwfile",
                str(pwfile),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            env=env,
            cwd=root,
            **kwargs,  # type: ignore[arg-type]
        )
        pwfile.unlink()
        if tls is not None:
            _tls_only_over_tcp(data / "pg_hba.conf")
        log = open(root / "server.log", "wb")  # noqa: SIM115 - kept for the server's life
        proc = subprocess.Popen(
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={sock}",
                "-c",
                "fsync=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
                "-c",
                "shared_buffers=32MB",
                *ssl_opts,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=root,
            **kwargs,  # type: ignore[arg-type]
        )
        log.close()
        _wait_ready(bindir, sock, port, proc, root)
        subprocess.run(
            [str(bindir / "createdb"), "-h", str(sock), "-p", str(port), "-U", ADMIN, DBNAME],
            check=True,
            capture_output=True,
            env=env,
        )
        yield PgServer("127.0.0.1", port, ADMIN, DBNAME, sock)
    finally:
        if proc is not None:
            proc.terminate()  # smart shutdown; then fast if clients linger
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        shutil.rmtree(root, ignore_errors=True)


def _tls_only_over_tcp(hba: Path) -> None:
    """Every `host` line becomes `hostssl`: TCP without TLS finds no entry and is refused."""
    lines = hba.read_text().splitlines()
    hba.write_text("".join(
        ("hostssl" + line[len("host"):] if line.split()[:1] == ["host"] else line) + "\n"
        for line in lines
    ))  # fmt: skip


def _wait_ready(
    bindir: Path, sock: Path, port: int, proc: subprocess.Popen[bytes], root: Path
) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                "PostgreSQL exited at start: " + (root / "server.log").read_text(errors="replace")
            )
        ok = subprocess.run(
            [str(bindir / "pg_isready"), "-h", str(sock), "-p", str(port), "-U", ADMIN],
            capture_output=True,
        )
        if ok.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("PostgreSQL did not become ready within 60 s")


class TcpRelay:
    """A plain TCP relay in front of PostgreSQL on 127.0.0.1 that can be cut: `cut()` closes
    every relayed connection and stops listening (a connect is refused, as with the Wi-Fi
    gone); `restore()` listens again on the same port.

    With `rate` > 0 each new connection meets a fault with that probability, picked by a
    seeded RNG: `drop` (closed at once), `reset` (relayed, then both sides closed after a
    random moment: a push may be cut before, during or after its commit) or `stall`
    (nothing relayed for up to `stall_s`, then closed). `faults` counts them."""

    def __init__(
        self, upstream: tuple[str, int], *, rate: float = 0.0, seed: int = 0,
        stall_s: float = 2.0,
    ) -> None:
        self.upstream = upstream
        self.port = _free_port()
        self.rate = rate
        self.stall_s = stall_s
        self._rng = random.Random(seed)
        self.faults: dict[str, int] = {"drop": 0, "reset": 0, "stall": 0}
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._listener: socket.socket | None = None
        self.restore()

    def _listen(self) -> socket.socket:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        for _ in range(100):  # the port may linger a moment after a cut
            try:
                s.bind(("127.0.0.1", self.port))
                break
            except OSError:
                time.sleep(0.05)
        s.listen(64)
        return s

    def restore(self) -> None:
        with self._lock:
            if self._listener is not None:
                return
            self._listener = listener = self._listen()
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            conns, self._conns = self._conns, []
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
            c.close()

    def close(self) -> None:
        self.cut()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            fault, delay = self._pick()
            if fault == "drop":
                client.close()
                continue
            if fault == "stall":
                threading.Timer(delay, client.close).start()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            if fault == "reset":
                threading.Timer(delay, self._reset, args=(client, server)).start()
            server.settimeout(None)
            with self._lock:
                if self._listener is not listener:
                    client.close()
                    server.close()
                    return
                self._conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pick(self) -> tuple[str | None, float]:
        with self._lock:
            if self.rate <= 0 or self._rng.random() >= self.rate:
                return None, 0.0
            fault = self._rng.choice(("drop", "reset", "stall"))
            self.faults[fault] += 1
            limit = self.stall_s if fault == "stall" else 0.3
            return fault, self._rng.uniform(0.0, limit)

    @staticmethod
    def _reset(*socks: socket.socket) -> None:
        for s in socks:
            with contextlib.suppress(OSError):
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
