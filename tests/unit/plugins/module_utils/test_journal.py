# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_state_journal.py and the TaskRun steps that read it: writes an earlier task left unknown or in flight."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._state_journal import JOURNAL_WINDOW, Journal
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_run import TaskRun

from fakes import FakeClock


def journal(tmp_path, clock):
    """A journal in this test's own cache directory (the autouse fixture sets XDG_CACHE_HOME)."""
    assert str(tmp_path) in os.environ["XDG_CACHE_HOME"]
    return Journal(Journal.for_account("http://api.test", "access-key").state, clock=clock)


def test_a_note_is_pending_until_forgotten_or_expired(tmp_path):
    clock = FakeClock(1000000.0)
    notes = journal(tmp_path, clock)
    notes.note("instance.create:web-1")
    notes.note("firewall:FW-1:attach:i-1", action="attach", instance="i-1")
    assert list(notes.pending("instance.create:web-1")) == ["instance.create:web-1"]
    assert notes.pending("firewall:FW-1:")["firewall:FW-1:attach:i-1"]["instance"] == "i-1"
    notes.forget("instance.create:web-1")
    assert notes.pending("instance.") == {}
    clock.now += JOURNAL_WINDOW + 1
    assert notes.pending("firewall:") == {}


def test_the_file_is_owner_only_and_holds_no_key(tmp_path):
    notes = journal(tmp_path, FakeClock(1000000.0))
    notes.note("instance.create:web-1")
    path = notes.state.path
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert "access-key" not in path and "access-key" not in open(path, encoding="utf-8").read()


def test_entries_that_are_not_ours_are_ignored(tmp_path):
    clock = FakeClock(1000000.0)
    notes = journal(tmp_path, clock)
    notes.note("instance.create:web-1")
    with notes.state.locked() as data:
        data.update({"instance.create:a": "text", "instance.create:b": {"at": "soon"},
                     "instance.create:c": {"at": clock.now + 10 ** 9}})
    assert list(notes.pending("instance.create:")) == ["instance.create:web-1"]
    assert json.load(open(notes.state.path, encoding="utf-8")).keys() == {"instance.create:web-1"}


def test_an_earlier_create_that_appears_late_is_adopted_and_forgotten(tmp_path):
    clock = FakeClock(0.0)
    notes = journal(tmp_path, FakeClock(1000000.0))
    notes.note("instance.create:web-1")
    run = TaskRun(600, "instance", journal=notes, clock=clock, sleep=clock.sleep)
    found = run.settle_earlier_create("instance.create:web-1", lambda: [{"id": "i-1"}] if clock.now >= 5 else [],
                                      "instance 'web-1'", exists=False)
    assert found == [{"id": "i-1"}] and 5 <= clock.now <= 8
    assert notes.pending("instance.") == {}


def test_an_earlier_create_that_never_appears_stops_a_second_one(tmp_path):
    clock = FakeClock(0.0)
    notes = journal(tmp_path, FakeClock(1000000.0))
    notes.note("instance.create:web-1")
    run = TaskRun(30, "instance", journal=notes, clock=clock, sleep=clock.sleep)
    with pytest.raises(ValueError, match="a second one is not created before"):
        run.settle_earlier_create("instance.create:web-1", lambda: [], "instance 'web-1'", exists=False)
    assert clock.now == 30 and list(notes.pending("instance."))   # still noted for the next run


def test_a_resource_already_found_drops_the_note_without_a_read(tmp_path):
    notes = journal(tmp_path, FakeClock(1000000.0))
    notes.note("instance.create:web-1")
    run = TaskRun(30, "instance", journal=notes)
    assert run.settle_earlier_create("instance.create:web-1", pytest.fail, "instance 'web-1'", exists=True) is None
    assert notes.pending("instance.") == {}


def test_earlier_writes_are_waited_for_then_forgotten(tmp_path):
    clock = FakeClock(0.0)
    notes = journal(tmp_path, FakeClock(1000000.0))
    notes.note("firewall:FW-1:attach:i-1", action="attach", instance="i-1")
    run = TaskRun(600, "firewall", journal=notes, clock=clock, sleep=clock.sleep)

    def read():
        return {"ids": ["i-1"] if clock.now >= 3 else []}
    settled = run.settle_earlier_writes("firewall:FW-1:", read, lambda obj, entry: entry["instance"] in obj["ids"], "fw")
    assert settled == {"ids": ["i-1"]} and notes.pending("firewall:") == {}
    assert run.settle_earlier_writes("firewall:FW-1:", pytest.fail, None, "fw") is None   # nothing pending: no read
