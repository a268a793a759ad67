# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_engine.py: the rules a resource opts into (warns_taken, awaited_status), on test_engine's fake resource."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._engine_wait import WaitFailedError

from test_engine import FakeModule, Thing, run

TAKEN = "the API gave no clear answer to delete thing 't'; reading it back shows the operation was taken"


def lost_delete(warns_taken):
    thing = Thing(FakeModule(state="absent"), stored={"id": "t-1", "name": "t", "status": "ready"}, lose=["delete"])
    thing.warns_taken = warns_taken
    return thing


def test_a_lost_answer_found_taken_is_warned_of_when_the_resource_opts_in():
    thing = lost_delete(warns_taken=True)
    result = run(thing)
    assert thing.sent == ["delete"] and result["changed"] and thing.iwinv.warnings == [TAKEN]


def test_a_lost_answer_found_taken_is_silent_by_default():
    thing = lost_delete(warns_taken=False)
    assert run(thing)["changed"] and thing.iwinv.warnings == []


class VanishingThing(Thing):
    """A thing deleted by someone else right after its create was sent: every read finds it gone."""

    def read(self, obj):
        self.reads += 1
        return None

    def failed(self, action, obj):
        return obj is None


def test_an_object_that_vanishes_while_its_write_is_waited_for_fails_at_once_reporting_nothing():
    thing = VanishingThing(FakeModule())
    thing.awaited_status = lambda action: "ready"
    with pytest.raises(WaitFailedError, match=r"^thing 't' \(t-1\) was deleted while waiting for it to become "
                                              r"'ready' \(by another task or person\)$") as failure:
        run(thing)
    assert failure.value.__cause__ is None and thing.run_state.failure_result() == {"changed": True, "thing": {}}
    assert thing.reads == 1 and thing.sent == ["create"]   # the first read that finds it gone ends the wait


def test_without_awaited_status_a_vanishing_object_keeps_the_waits_own_failure():
    thing = VanishingThing(FakeModule())
    with pytest.raises(WaitFailedError, match="failed: its status is 'gone'"):
        run(thing)
