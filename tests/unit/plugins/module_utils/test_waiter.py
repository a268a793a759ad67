# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._engine_wait import (
    WaitFailedError,
    WaitTimeoutError,
    wait_until,
)

from fakes import FakeClock


def reader(clock, settles_at, status_before="work", status_after="active"):
    """An object whose status settles once the fake clock reaches `settles_at`; counts reads."""
    reads = []

    def read():
        reads.append(clock.now)
        return {"status": status_after if clock.now >= settles_at else status_before}
    return read, reads


def is_active(obj):
    return obj["status"] == "active"


def is_error(obj):
    return obj["status"] == "error"


def test_first_read_comes_after_the_first_interval_and_returns_when_done():
    """The caller has just written or read the object: reading again at once would waste a request."""
    clock = FakeClock(0.0)
    read, reads = reader(clock, settles_at=0.5)
    assert wait_until(read, is_active, clock=clock, sleep=clock.sleep) == {"status": "active"}
    assert reads == [1.0] and clock.sleeps == [1.0]


def test_interval_grows_from_one_second_to_the_cap():
    clock = FakeClock(0.0)
    read, reads = reader(clock, settles_at=60.0)
    wait_until(read, is_active, timeout=600, clock=clock, sleep=clock.sleep)
    assert clock.sleeps[:5] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert max(clock.sleeps) == 10.0
    # reads at 1, 3, 7, 15 s, then one every 10 s up to 65 s
    assert reads == [1.0, 3.0, 7.0, 15.0, 25.0, 35.0, 45.0, 55.0, 65.0]


def test_polls_of_an_operation_stay_within_the_budget():
    """About log2(D) + D / cap + 2 requests for an operation lasting D seconds."""
    import math
    for duration in (2, 10, 60, 300):
        clock = FakeClock(0.0)
        read, reads = reader(clock, settles_at=float(duration))
        wait_until(read, is_active, timeout=600, clock=clock, sleep=clock.sleep)
        assert len(reads) <= math.log2(duration) + duration / 10.0 + 2


def test_failure_status_stops_early_and_names_resource_and_status():
    clock = FakeClock(0.0)
    read, reads = reader(clock, settles_at=3.0, status_after="error")
    with pytest.raises(WaitFailedError) as caught:
        wait_until(read, is_active, is_failed=is_error, timeout=600, what="instance web-1 (i-1)", clock=clock, sleep=clock.sleep)
    assert "instance web-1 (i-1)" in caught.value.message
    assert "'error'" in caught.value.message
    assert clock.now < 10


def test_deadline_is_in_seconds_and_the_message_names_status_and_time():
    clock = FakeClock(0.0)
    read, reads = reader(clock, settles_at=10_000.0, status_before="building")
    with pytest.raises(WaitTimeoutError) as caught:
        wait_until(read, is_active, timeout=30, what="instance web-1", clock=clock, sleep=clock.sleep)
    assert clock.now == 30.0  # never sleeps past the deadline, reads once more at it
    message = caught.value.message
    assert "30 s" in message and "instance web-1" in message and "'building'" in message
    assert caught.value.last == {"status": "building"}


def test_gone_is_a_status_the_caller_can_wait_for():
    clock = FakeClock(0.0)
    answers = [{"status": "deleting"}, {"status": "deleting"}, None]
    assert wait_until(lambda: answers.pop(0), lambda obj: obj is None, clock=clock, sleep=clock.sleep) is None
    assert clock.sleeps == [1.0, 2.0, 4.0]


def test_a_pause_function_sets_each_sleep_but_never_past_the_deadline():
    clock = FakeClock(0.0)
    read, reads = reader(clock, settles_at=1000.0)
    with pytest.raises(WaitTimeoutError):
        wait_until(read, is_active, timeout=20, clock=clock, sleep=clock.sleep, pause=lambda interval: interval * 1.4)
    assert clock.sleeps[:3] == [1.4, 2.8, 5.6]
    assert reads[-1] == 20.0 and clock.now == 20.0
