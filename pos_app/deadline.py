"""A total deadline for one outside call, whatever the peer does.

httpx's and smtplib's timeouts bound each socket operation, not the call: a processor that
sends its headers and then one byte a second never trips a 3 s read timeout, and held a
charge for 11 s; an email API the same way held a receipt for 29 s. Here a call runs
`within(seconds)`, and every socket operation under it is given only what is left of that
budget (and fails at once when nothing is left):

- httpx: `http_transport()` is the real transport with httpcore's network backend wrapped,
  so connect, TLS, every write and every read is clamped. httpx has no whole-request timeout
  of its own (encode/httpx#1450); a loop over a streamed body would still wait one full read
  timeout past the deadline, this does not. Past the deadline httpx raises its own
  ConnectTimeout / ReadTimeout / WriteTimeout, so each adapter's existing mapping applies:
  a processor call that had sent its request "may have acted" (a charge is in doubt), a
  receipt send is transient.
- smtplib reads a reply line byte by byte through a file over the socket, so clamping
  before each command is not enough: `watchdog()` shuts the socket down when the deadline
  passes, which wakes a blocked read at once, and the sender reports a timeout.

The deadline is per thread (sync httpx does all its I/O on the calling thread); an inner
`within()` never extends an outer one. DNS resolution is not bounded (getaddrinfo blocks).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

_local = threading.local()


class Deadline:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.at - time.monotonic())

    @property
    def passed(self) -> bool:
        return time.monotonic() >= self.at

    def clamp(self, timeout: float | None) -> float:
        left = self.remaining()
        return left if timeout is None else min(timeout, left)


def current() -> Deadline | None:
    return getattr(_local, "deadline", None)


@contextmanager
def within(seconds: float) -> Iterator[Deadline]:
    """Run the block under a total deadline of `seconds` (or the outer one, if sooner)."""
    outer = current()
    mine = Deadline(seconds)
    if outer is not None and outer.at < mine.at:
        mine = outer
    _local.deadline = mine
    try:
        yield mine
    finally:
        _local.deadline = outer


def _clamped(timeout: float | None, expired: type[Exception]) -> float | None:
    d = current()
    if d is None:
        return timeout
    if d.passed:
        raise expired(f"the call's total deadline of {d.seconds:g} s passed")
    return d.clamp(timeout)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _clamped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _clamped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:  # fmt: skip
        t = _clamped(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, t))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:  # fmt: skip
        t = _clamped(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_tcp(host, port, t, local_address, socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:  # fmt: skip
        t = _clamped(timeout, httpcore.ConnectTimeout)
        return _Stream(self._inner.connect_unix_socket(path, t, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def http_transport() -> httpx.HTTPTransport:
    """httpx's own transport, with every socket operation held to the thread's deadline.

    httpx.HTTPTransport takes no network backend, so it is put into the pool it built
    (httpcore reads it each time it opens a connection); pinned httpx 0.28 / httpcore 1.0,
    and the dripping-server tests fail if a new version moves it."""
    transport = httpx.HTTPTransport()
    pool = transport._pool
    pool._network_backend = _Backend(pool._network_backend)  # type: ignore[attr-defined]
    return transport


@contextmanager
def watchdog(deadline: Deadline, sock: Callable[[], socket.socket | None]) -> Iterator[None]:
    """Shut down `sock()` once the deadline passes, waking any read or write blocked on the
    connection. Give it a duplicate of the connection's socket (`socket.dup()`), owned by
    the caller until the block has ended: shutdown acts on the connection, whichever
    descriptor names it, so this works after STARTTLS has moved the original into an
    SSLSocket (whose own shutdown would drop its SSL object under the reading thread), and
    a descriptor number closed and reused elsewhere is never touched."""
    lock = threading.Lock()
    live = True

    def fire() -> None:
        with lock:
            s = sock() if live else None
            if s is None:
                return
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    timer = threading.Timer(deadline.remaining(), fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            live = False
        timer.cancel()
