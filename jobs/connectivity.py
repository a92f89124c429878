"""Online or offline, from what jobs experience plus a light TCP probe.

Any answer from a server (success, or an HTTP/SMTP error) proves the network works;
failing to connect at all suggests it doesn't. The probe (a TCP connect to the hosts
the jobs use, short timeout) runs often while offline, to notice the network coming
back, and now and then while online. When it comes back `on_back` is called, which
wakes every scheduled retry at once.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
from collections.abc import Callable, Iterable

log = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Connectivity:
    def __init__(
        self,
        targets: Iterable[tuple[str, int]] = (),
        *,
        probe_timeout: float = 2.0,
        on_back: Callable[[], None] | None = None,
        on_flip: Callable[[bool], None] | None = None,
    ) -> None:
        """`on_back`: the network came back (wake retries). `on_flip(online)`: either way,
        for whoever shows online/offline."""
        self.targets = [t for t in targets if t and t[0]]
        self.probe_timeout = probe_timeout
        self.on_back = on_back
        self.on_flip = on_flip
        self._lock = threading.Lock()
        self._online = True  # until something says otherwise
        self._online_since: dt.datetime | None = None
        self._offline_since: dt.datetime | None = None

    @property
    def online(self) -> bool:
        return self._online

    def snapshot(self) -> tuple[bool, dt.datetime | None, dt.datetime | None]:
        with self._lock:
            return self._online, self._online_since, self._offline_since

    def reached(self) -> None:
        """A server answered: the network works."""
        with self._lock:
            if self._online:
                if self._online_since is None:
                    self._online_since = _now()
                return
            self._online, self._online_since, self._offline_since = True, _now(), None
        log.info("network back")
        if self.on_back is not None:
            self.on_back()
        if self.on_flip is not None:
            self.on_flip(True)

    def unreachable(self) -> None:
        """Couldn't connect at all."""
        with self._lock:
            if not self._online:
                return
            self._online, self._online_since, self._offline_since = False, None, _now()
        log.info("network down")
        if self.on_flip is not None:
            self.on_flip(False)

    def probe(self) -> bool | None:
        """Try a TCP connect to each target; None when there is nothing to probe."""
        if not self.targets:
            return None
        for host, port in self.targets:
            try:
                with socket.create_connection((host, port), timeout=self.probe_timeout):
                    pass
            except OSError:
                continue
            self.reached()
            return True
        self.unreachable()
        return False
