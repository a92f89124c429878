"""An SMTP server on 127.0.0.1 that greets, then drips its reply to EHLO one byte at a time.

No single read waits longer than `drip_s`, so smtplib's per-operation timeout never fires;
only a deadline on the whole exchange ends it. Each connection drips for at most `hang_s`.
"""

from __future__ import annotations

import socket
import threading
import time


class DripSmtpServer:
    def __init__(self, *, drip_s: float = 0.5, hang_s: float = 60.0) -> None:
        self.drip_s, self.hang_s = drip_s, hang_s
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="drip-smtp", daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        end = time.monotonic() + self.hang_s
        with conn:
            try:
                conn.sendall(b"220 drip.example ESMTP\r\n")
                conn.recv(1024)  # EHLO
                reply = b"250-drip.example\r\n" * 1000
                for i in range(len(reply)):
                    if self._stop.is_set() or time.monotonic() >= end:
                        return
                    time.sleep(self.drip_s)
                    conn.sendall(reply[i : i + 1])
            except OSError:
                return

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(5)

    def __enter__(self) -> DripSmtpServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
