# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Adaptive pacing: 429s from another user of the key lower the rate of every process of it; it recovers slowly."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _api_pacer as pacer_mod
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._api_pacer import FilePacer

from fakes import DROPPED, FakeClock, FakeSession, error, ok


def pacer(tmp_path, clock, rate_limit=60):
    return FilePacer("key", rate_limit, directory=str(tmp_path), clock=clock, sleep=clock.sleep)


def burst(pacer_, clock):
    """How many requests go at once from now on, each answered at once."""
    start, count = clock.now, 0
    while True:
        pacer_.done(pacer_.acquire())
        if clock.now > start:
            return count
        count += 1


def test_a_429_halves_the_allowed_count_and_holds_off_every_process(tmp_path):
    clock = FakeClock()
    paced = pacer(tmp_path, clock)
    assert burst(paced, clock) == 60
    clock.now += 61                               # the window is empty again
    paced.limited()
    assert paced.current_rate == pytest.approx(30.0)
    other = pacer(tmp_path, clock)                # another fork of the key
    before = clock.now
    other.done(other.acquire())
    assert clock.now - before == pytest.approx(60.0 / 30)   # held off: the API's window was full
    assert burst(other, clock) == 30 - 1            # 30 in the window with the one above


def test_the_allowed_count_recovers_with_the_rate(tmp_path):
    clock = FakeClock()
    paced = pacer(tmp_path, clock)
    paced.limited()
    clock.now += 60
    assert burst(paced, clock) == 36              # a tenth of rate_limit back per minute


def test_the_429s_of_one_burst_count_once(tmp_path):
    clock = FakeClock()
    paced = pacer(tmp_path, clock)
    for _fork in range(10):
        paced.limited()
        clock.now += 0.5
    assert paced.current_rate == pytest.approx(30.0, abs=1)
    clock.now += pacer_mod.SLOWDOWN_HOLD
    paced.limited()
    assert paced.current_rate == pytest.approx(15.0, abs=1)


def test_the_rate_never_drops_below_its_floor(tmp_path):
    clock = FakeClock()
    paced = pacer(tmp_path, clock)
    for _burst in range(20):
        paced.limited()
        clock.now += pacer_mod.SLOWDOWN_HOLD
    assert paced.current_rate == pytest.approx(60 * pacer_mod.MIN_RATE_FACTOR, abs=1)


def test_the_rate_recovers_slowly_without_429s(tmp_path):
    clock = FakeClock()
    paced = pacer(tmp_path, clock)
    paced.limited()
    clock.now += 60
    assert paced.current_rate == pytest.approx(36.0)    # a tenth of rate_limit back per minute
    clock.now += 4 * 60
    assert paced.current_rate == pytest.approx(60.0)
    clock.now += 60
    assert paced.current_rate == pytest.approx(60.0)    # never above rate_limit


def test_every_process_of_the_key_slows_down(tmp_path):
    clock = FakeClock()
    pacer(tmp_path, clock).limited()
    assert pacer(tmp_path, clock).current_rate == pytest.approx(30.0)


@pytest.mark.parametrize("stored", [
    {"factor": -5, "factor_at": 0}, {"factor": "fast"}, {"factor": 1e308, "factor_at": 1e308},
    {"factor": 0.5, "factor_at": -1e308}, {"factor": True, "slowed": "x"},
])
def test_what_the_file_holds_is_bounded(tmp_path, stored):
    clock = FakeClock()
    paced = pacer(tmp_path, clock)
    with paced.state.locked() as state:
        state.update(stored)
    assert 60 * pacer_mod.MIN_RATE_FACTOR <= paced.current_rate <= 60
    paced.limited()
    assert 60 * pacer_mod.MIN_RATE_FACTOR <= paced.current_rate <= 60


def test_with_pacing_off_a_429_changes_nothing(tmp_path):
    clock = FakeClock()
    paced = pacer(tmp_path, clock, rate_limit=0)
    paced.limited()
    paced.acquire()
    assert clock.sleeps == []


class RecordingPacer:
    def __init__(self):
        self.limits = 0
        self.taken, self.done_with = [], []

    def acquire(self):
        self.taken.append(len(self.taken))
        return self.taken[-1]

    def done(self, ticket):
        self.done_with.append(ticket)

    def limited(self):
        self.limits += 1


@pytest.mark.parametrize("answer, limits", [
    (error(429, "LIMIT_EXCEEDED", headers={"Retry-After": "1"}), 1),
    (error(503, "SERVICE_UNAVAILABLE"), 0),
])
def test_the_client_tells_the_pacer_of_429s_only(answer, limits):
    clock = FakeClock()
    recording = RecordingPacer()
    client = IwinvClient("k", "s", api_url="https://api.test", session=FakeSession(answer, ok([])), pacer=recording,
                         clock=clock, sleep=clock.sleep)
    client.get("/v1/zones")
    assert recording.limits == limits


@pytest.mark.parametrize("answers", [
    (ok([]),),
    (error(429, "LIMIT_EXCEEDED", headers={"Retry-After": "1"}), ok([])),
    (DROPPED, ok([])),
])
def test_the_client_tells_the_pacer_when_each_request_is_over(answers):
    clock = FakeClock()
    recording = RecordingPacer()
    client = IwinvClient("k", "s", api_url="https://api.test", session=FakeSession(*answers), pacer=recording,
                         clock=clock, sleep=clock.sleep)
    client.get("/v1/zones")
    assert recording.done_with == recording.taken == list(range(len(answers)))
