# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_engine.py, what a resource may change of the engine's waits: what they read (Resource.waiting, made anew for
each wait) and how long they sleep (Resource.pause); and that an Action unpacks as (kind, argument)."""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils._engine import Action, Description, Engine, Resource
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_run import TaskRun

from fakes import FakeClock

THING = Description(label="thing", kind="thing", result_key="thing", info_module="iwinv.cloud.iwinv_thing_info",
                    journal_key="thing.create:%s", refused_create="choose another zone")


class FakeModule:
    def __init__(self, **params):
        self.params = dict({"id": "t-1", "name": "t", "state": "present", "wait": True, "wait_timeout": 30}, **params)
        self.check_mode, self.client, self.clock = False, None, FakeClock(0.0)

    def warn(self, message):
        raise AssertionError(message)

    def task_run(self, result_key):
        return TaskRun(self.params["wait_timeout"], result_key, clock=self.clock, sleep=self.clock.sleep)


class Thing(Resource):
    """Found busy, planned to be stopped; its waits read through `waiting` (counted per wait) with a pause."""

    description = THING

    def __init__(self, iwinv):
        super().__init__(iwinv)
        self.waits_made, self.direct_reads, self.paused = [], 0, []

    def pause(self, interval):
        self.paused.append(interval)
        return 0.5

    def find(self):
        return {"id": "t-1", "name": "t", "status": "busy"}

    def name(self):
        return None

    def plan(self, current):
        return [Action("stop")], []

    def predict(self, current, actions):
        return dict(current, status="off")

    def send(self, action, obj):
        return dict(obj, status="stopping")

    def read(self, obj):
        self.direct_reads += 1
        return obj

    def waiting(self, obj):
        reads = []
        self.waits_made.append(reads)

        def read():
            reads.append(obj["status"])
            return dict(obj, status={"busy": "ready", "stopping": "off"}[obj["status"]])
        return read

    def settled(self, obj):
        return obj["status"] in ("ready", "off")

    def done(self, action, obj):
        return obj["status"] == "off"

    def failed(self, action, obj):
        return False

    def label(self, obj):
        return "thing 't'"

    def doing(self, action, obj):
        return "stopping thing 't'"


def test_each_wait_reads_through_a_reader_of_its_own_and_sleeps_the_resources_pause():
    iwinv = FakeModule()
    thing = Thing(iwinv)
    result = Engine(iwinv, thing).run()
    assert result["changed"] and result["thing"]["status"] == "off"
    assert thing.waits_made == [["busy"], ["stopping"]]   # the busy object's wait, then the write's
    assert thing.direct_reads == 0
    assert thing.paused == [1.0, 1.0] and iwinv.clock.sleeps == [0.5, 0.5]


def test_without_a_pause_or_a_reader_of_its_own_a_wait_reads_the_object_again():
    assert Resource.pause is None
    thing = Thing(FakeModule())
    assert Resource.waiting(thing, {"id": "t-1", "status": "busy"})() == {"id": "t-1", "status": "busy"}
    assert thing.direct_reads == 1


def test_an_action_unpacks_as_its_kind_and_argument():
    kind, argument = Action("resize", {"id": "std.2c4g"})
    assert (kind, argument) == ("resize", {"id": "std.2c4g"}) and dict([Action("start")]) == {"start": None}
