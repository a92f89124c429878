"""Retry policy: exponential ceiling with full jitter, capped; Retry-After wins."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from jobs.policy import RetryPolicy


def test_ceiling_doubles_from_the_base_and_stops_at_the_cap() -> None:
    p = RetryPolicy(base=1.0, cap=60.0)
    assert [p.ceiling(n) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]


def test_full_jitter_spans_zero_to_the_ceiling() -> None:
    p = RetryPolicy(base=1.0, cap=60.0)
    assert p.delay(3, rand=lambda: 0.0) == 0.0
    assert p.delay(3, rand=lambda: 0.5) == 2.0
    assert p.delay(30, rand=lambda: 0.999) < 60.0


@given(st.integers(min_value=0, max_value=10**9))
def test_any_attempt_count_stays_within_the_cap(attempts: int) -> None:
    p = RetryPolicy(base=1.0, cap=60.0)
    assert 0.0 <= p.delay(attempts) <= 60.0


def test_retry_after_is_honoured_even_past_the_cap_but_clamped() -> None:
    p = RetryPolicy(base=1.0, cap=60.0, max_retry_after=3600.0)
    assert p.delay(1, retry_after=120.0) == 120.0
    assert p.delay(1, retry_after=0.0) == 0.0
    assert p.delay(1, retry_after=-5.0) == 0.0
    assert p.delay(1, retry_after=10**9) == 3600.0
