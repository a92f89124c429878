"""When to try a job again: exponential backoff with full jitter, capped; Retry-After wins.

Full jitter (a uniform pick between 0 and the exponential ceiling) spreads a burst of
failed receipts so they don't all hit the server again in the same instant. The cap
(about a minute) means work resumes soon after Wi-Fi returns even without a wake-up.
There is no attempt limit: a transient error never gives up on its own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    base: float = 1.0  # seconds: the ceiling after the first failure
    cap: float = 60.0  # seconds: the ceiling never grows past this
    max_retry_after: float = 3600.0  # a server asking for longer is clamped to this

    @property
    def longest(self) -> float:
        """The furthest ahead a retry may ever be due: the cap, or a long Retry-After."""
        return max(self.cap, self.max_retry_after)

    def ceiling(self, attempts: int) -> float:
        # 2**n overflows floats past ~1000 attempts: stop growing once past the cap.
        n = max(0, attempts - 1)
        return self.cap if n > 62 else min(self.cap, self.base * 2**n)

    def delay(
        self,
        attempts: int,
        retry_after: float | None = None,
        rand: Callable[[], float] = random.random,
    ) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        if retry_after is not None:
            return min(max(float(retry_after), 0.0), self.max_retry_after)
        return rand() * self.ceiling(attempts)
