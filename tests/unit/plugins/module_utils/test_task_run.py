# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_engine_run.py: one deadline for every wait of a task, and writes judged by their effect (a fake clock)."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvAmbiguousWriteError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_run import TaskRun
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_wait import WaitTimeoutError

from fakes import FakeClock


def task_run(wait_timeout=60, clock=None):
    clock = clock or FakeClock(0.0)
    return TaskRun(wait_timeout, "instance", clock=clock, sleep=clock.sleep), clock


def appears_at(clock, seconds, obj):
    """A read-back that finds nothing until the fake clock reaches `seconds` (a write that lands late)."""
    reads = []

    def read():
        reads.append(clock.now)
        return obj if clock.now >= seconds else None
    return read, reads


def lost_answer():
    return IwinvAmbiguousWriteError("POST /v1/instances failed: no answer", status=502, method="POST", path="/v1/instances")


def test_every_wait_shares_the_one_deadline_of_the_task():
    run, clock = task_run(wait_timeout=30)
    read, _reads = appears_at(clock, 20, {"status": "active"})
    run.wait(read, bool, "instance 'a' (i-1)")
    assert 19 <= clock.now <= 25
    with pytest.raises(WaitTimeoutError) as error:
        run.wait(lambda: {"status": "work"}, lambda obj: False, "instance 'b' (i-2)")
    assert clock.now == 30   # the second wait had only what was left of the 30 s
    # The message names the user's budget and the seconds of the whole task, not those of the last wait.
    assert "timed out after 30 s" in error.value.message and "wait_timeout=30)" in error.value.message
    assert "instance 'b' (i-2)" in error.value.message and "'work'" in error.value.message


def test_no_write_no_change_in_a_failure():
    run, _clock = task_run()
    assert run.failure_result() == {}


def test_after_a_write_a_failure_reports_changed_and_the_resource_known():
    run, _clock = task_run()
    run.wrote({"id": "i-1", "status": "building"})
    run.wrote()   # a later write that knows nothing new keeps what was known
    assert run.failure_result() == {"changed": True, "instance": {"id": "i-1", "status": "building"}}


def test_a_write_whose_effect_shows_at_once_is_taken_with_one_read():
    run, clock = task_run()
    read, reads = appears_at(clock, 0, {"status": "work"})
    assert run.reconcile(lost_answer(), read, lambda obj: obj is not None, "the resize") == {"status": "work"}
    assert reads == [0.0] and run.changed


def test_a_late_write_is_looked_for_within_the_window_and_adopted():
    """A create that the API executes after the client gave up shows later: it is found, not called missing."""
    run, clock = task_run(wait_timeout=600)
    read, reads = appears_at(clock, 12, {"id": "i-9"})
    assert run.reconcile(lost_answer(), read, lambda obj: obj is not None, "a new instance", window=60) == {"id": "i-9"}
    assert reads[0] == 0.0 and 12 <= clock.now <= 20


def test_an_effect_never_seen_fails_as_unknown_after_the_window_keeping_the_api_error():
    run, clock = task_run(wait_timeout=600)
    error = lost_answer()
    with pytest.raises(IwinvAmbiguousWriteError) as raised:
        run.reconcile(error, lambda: [], bool, "a new instance named 'web-1'", window=20, known={"name": "web-1"},
                      advice="; check before running again")
    assert raised.value is error and raised.value.status == 502
    message = raised.value.message
    assert message.startswith("POST /v1/instances failed: no answer; reading back for 20 s")
    assert "does not show a new instance named 'web-1' (read: none found): it has not happened, or not yet" in message
    assert message.endswith("; check before running again")
    assert clock.now == 20 and run.failure_result() == {"changed": True, "instance": {"name": "web-1"}}


def test_the_window_never_outlasts_the_task_deadline():
    run, clock = task_run(wait_timeout=5)
    with pytest.raises(IwinvAmbiguousWriteError):
        run.reconcile(lost_answer(), lambda: None, lambda obj: obj is not None, "the creation", window=60)
    assert clock.now == 5


def test_without_a_window_a_write_not_seen_fails_after_one_read():
    run, clock = task_run()
    read, reads = appears_at(clock, 1, {"status": "active"})
    with pytest.raises(IwinvAmbiguousWriteError, match="read: gone"):
        run.reconcile(lost_answer(), read, lambda obj: obj is not None, "the reboot")
    assert reads == [0.0] and clock.now == 0
