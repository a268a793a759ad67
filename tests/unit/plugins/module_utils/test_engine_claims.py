# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_engine.py's ClaimingResource and run_claiming: a fleet's name claims and shared polls (volumes, firewalls)."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._engine import (
    Action,
    ClaimingResource,
    Engine,
    run_claiming,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import NamedWrites, NameTaken

from test_engine import THING, FakeModule


class ClaimedThing(ClaimingResource):
    """A thing created under a held claim of its name; the first `taken` sends find the name taken."""

    description = THING

    def __init__(self, iwinv, writes, taken=0):
        super().__init__(iwinv, writes)
        self.taken, self.finds, self.stored = taken, 0, None

    def find(self):
        self.finds += 1
        self.looked_at = self.iwinv.clock()
        return self.stored

    def named(self, name):
        return []

    def plan(self, current):
        return ([] if current else [Action("create")]), []

    def predict(self, current, actions):
        return current or {"id": None, "name": "t"}

    def send(self, action, obj):
        if self.taken:
            self.taken -= 1
            raise NameTaken()
        self.hold(self.params["name"])
        self.stored = {"id": "t-1", "name": "t"}
        return self.stored

    def read(self, obj):
        return self.stored

    def waits(self, action):
        return False

    def label(self, obj):
        return "thing %s" % obj["id"]


class Writes:
    """What run_claiming asks of a KeptList: whether another task writes the name (never here)."""

    def __init__(self):
        self.asked = 0

    def busy(self, name):
        self.asked += 1
        return False


def failing_plan(current):
    raise RuntimeError("boom")


def named_writes(tmp_path, module):
    return NamedWrites("things", "http://api.test", "access-key", directory=str(tmp_path), clock=module.clock)


def test_a_task_whose_name_was_taken_looks_again_and_creates_once(tmp_path):
    module = FakeModule(wait=False)
    thing = ClaimedThing(module, named_writes(tmp_path, module), taken=2)
    result = run_claiming(Engine(module, thing))
    assert result["changed"] and thing.finds == 3 and thing.stored["id"] == "t-1"


def test_without_claims_a_taken_name_is_not_tried_again():
    module = FakeModule(wait=False)
    thing = ClaimedThing(module, Writes(), taken=1)
    with pytest.raises(NameTaken):
        run_claiming(Engine(module, thing), claims=False)
    assert thing.finds == 1


def test_nothing_shared_runs_once():
    module = FakeModule(wait=False)
    thing = ClaimedThing(module, None, taken=1)
    with pytest.raises(NameTaken):
        run_claiming(Engine(module, thing))


def test_a_held_claim_is_released_when_the_task_ends_even_on_failure(tmp_path):
    module = FakeModule(wait=False)
    writes = named_writes(tmp_path, module)
    thing = ClaimedThing(module, writes)
    thing.looked_at = module.clock()
    thing.hold("t")
    assert writes.busy("t")
    thing.release()
    assert not writes.busy("t") and thing.held is None
    thing.plan = failing_plan
    module.clock.sleep(1)
    thing.looked_at = module.clock()
    thing.hold("t")
    assert writes.busy("t")
    with pytest.raises(RuntimeError):
        run_claiming(Engine(module, thing))
    assert not writes.busy("t")


def test_a_claim_judged_on_the_look_up_fails_once_another_write_of_the_name_followed_it(tmp_path):
    module = FakeModule()
    writes = named_writes(tmp_path, module)
    thing = ClaimedThing(module, writes)
    thing.looked_at = module.clock()
    module.clock.sleep(1)
    writes.written(writes.writing(["t"]))   # another write of the name, after the look-up
    with pytest.raises(NameTaken):
        with thing.claimed("t", looked_up=True):
            pass
    with thing.claimed("t"):   # a write by id is noted, never refused
        assert writes.busy("t")
    assert not writes.busy("t")


def test_without_sharing_a_claim_notes_nothing_and_reads_are_direct():
    thing = ClaimedThing(FakeModule(), None)
    with thing.claimed("t", looked_up=True):
        pass
    thing.share_poll("t-1", lambda: pytest.fail("no poll is made when nothing is shared"))
    assert thing.polled("t-1", lambda: "read directly") == "read directly"


def test_a_shared_poll_reads_the_object_once_its_write_was_answered(tmp_path):
    module = FakeModule()
    thing = ClaimedThing(module, named_writes(tmp_path, module))
    assert thing.polled("t-1", lambda: "read directly") == "read directly"
    thing.share_poll("t-1", lambda: lambda: "shared")
    assert thing.polled("t-1", lambda: "read directly") == "shared"
    assert thing.polled("t-2", lambda: "read directly") == "read directly"
