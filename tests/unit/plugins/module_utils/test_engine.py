# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_engine.py: the one task sequence, run on a fake resource (no API): its rules hold for every resource."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvAmbiguousWriteError, IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine import (
    Action,
    Description,
    Engine,
    Resource,
    explained,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._state_journal import Journal
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_run import TaskRun

from fakes import FakeClock

THING = Description(label="thing", kind="thing", result_key="thing", info_module="iwinv.cloud.iwinv_thing_info",
                    journal_key="thing.create:%s", refused_create="choose another zone",
                    error_advice={"IN_USE": "the thing is busy"})


class FakeModule:
    """What the engine uses of IwinvModule: params, check mode, warnings and a TaskRun on a fake clock."""

    def __init__(self, check_mode=False, **params):
        self.params = dict({"id": None, "name": "t", "state": "present", "wait": True, "wait_timeout": 30}, **params)
        self.check_mode = check_mode
        self.client = None
        self.warnings = []
        self.clock = FakeClock(0.0)
        self.journal = Journal(Journal.for_account("http://api.test", "access-key").state)

    def warn(self, message):
        self.warnings.append(message)

    def task_run(self, result_key):
        return TaskRun(self.params["wait_timeout"], result_key, journal=self.journal, clock=self.clock,
                       sleep=self.clock.sleep)


class Thing(Resource):
    """A resource whose object lives in `self.stored`; its operations end `takes` reads after they are sent."""

    description = THING

    def __init__(self, iwinv, stored=None, takes=1, lose=()):
        super().__init__(iwinv)
        self.stored, self.takes, self.lose, self.sent, self.reads = stored, takes, set(lose), [], 0

    def find(self):
        return dict(self.stored) if self.stored else None

    def name(self):
        return self.params["name"]

    def named(self, name):
        return [dict(self.stored)] if self.stored else []

    def plan(self, current):
        if self.params["state"] == "absent":
            return ([Action("delete")] if current and current["status"] != "deleting" else []), []
        return ([] if current else [Action("create")]), []

    def predict(self, current, actions):
        return None if actions and actions[-1].kind == "delete" else current or {"id": None, "name": "t"}

    def send(self, action, obj):
        self.sent.append(action.kind)
        self.stored = None if action.kind == "delete" else {"id": "t-1", "name": "t", "status": "making"}
        if action.kind in self.lose:
            raise IwinvAmbiguousWriteError("POST /things: no answer", status=502, method="POST", path="/things")
        return dict(self.stored) if self.stored else None

    def new_ones(self, action):
        return self.named("t")

    def created(self, action):
        return "thing named 't'"

    def read(self, obj):
        self.reads += 1
        if self.stored and self.reads >= self.takes:
            self.stored["status"] = "ready"
        return dict(self.stored) if self.stored else None

    def took_effect(self, action, obj):
        return obj is None if action.kind == "delete" else obj is not None

    def settled(self, obj):
        return obj is None or obj["status"] == "ready"

    def done(self, action, obj):
        return obj is None if action.kind == "delete" else obj is not None and obj["status"] == "ready"

    def failed(self, action, obj):
        return False

    def label(self, obj):
        return "thing '%s' (%s)" % (obj["name"], obj["id"])

    def doing(self, action, obj):
        return "%s thing 't'" % action.kind


def run(resource):
    return Engine(resource.iwinv, resource).run()


def test_a_busy_object_is_waited_for_before_the_plan():
    thing = Thing(FakeModule(), stored={"id": "t-1", "name": "t", "status": "making"}, takes=3)
    result = run(thing)
    assert thing.reads == 3 and result["thing"]["status"] == "ready" and not result["changed"]


def test_check_mode_never_waits_on_a_busy_object():
    iwinv = FakeModule(check_mode=True)
    thing = Thing(iwinv, stored={"id": "t-1", "name": "t", "status": "making"}, takes=3)
    result = run(thing)
    assert thing.reads == 0 and iwinv.clock.sleeps == [] and result["thing"]["status"] == "making"


def test_a_deleting_object_with_absent_and_wait_false_is_reported_as_read_without_waiting():
    thing = Thing(FakeModule(state="absent", wait=False), stored={"id": "t-1", "name": "t", "status": "deleting"})
    result = run(thing)
    assert thing.reads == 0 and thing.sent == []
    assert not result["changed"] and result["thing"]["status"] == "deleting"


def test_an_object_named_by_id_deleted_while_waited_for_fails():
    thing = Thing(FakeModule(id="t-1"), stored={"id": "t-1", "name": "t", "status": "making"}, takes=9)
    thing.read = lambda obj: None
    with pytest.raises(IwinvError, match="was deleted while its operation in progress was waited for; a thing named "
                                         "by id is never created again"):
        run(thing)


def test_a_lost_create_is_adopted_once_never_resent():
    thing = Thing(FakeModule(), lose=["create"])
    result = run(thing)
    assert thing.sent == ["create"] and result["changed"] and result["thing"]["id"] == "t-1"


def test_a_create_that_never_shows_is_journaled_and_check_mode_keeps_the_note():
    iwinv = FakeModule()
    thing = Thing(iwinv, lose=["create"])
    thing.new_ones = lambda action: []
    with pytest.raises(IwinvAmbiguousWriteError, match="does not show a new thing named 't'"):
        run(thing)
    assert list(iwinv.journal.pending("thing.create:t")) == ["thing.create:t"]
    checking = Thing(FakeModule(check_mode=True), stored={"id": "t-1", "name": "t", "status": "ready"})
    checking.iwinv.journal = iwinv.journal
    assert run(checking)["thing"]["id"] == "t-1"
    assert list(iwinv.journal.pending("thing.create:t")) == ["thing.create:t"]   # check mode forgets nothing
    run(Thing(iwinv, stored={"id": "t-1", "name": "t", "status": "ready"}))
    assert iwinv.journal.pending("thing.create:t") == {}


def test_check_mode_with_a_journaled_create_that_does_not_show_fails_without_waiting():
    iwinv = FakeModule(check_mode=True)
    iwinv.journal.note("thing.create:t")
    with pytest.raises(IwinvError, match="an earlier task's creation of thing 't'"):
        run(Thing(iwinv))
    assert iwinv.clock.sleeps == []


def test_each_write_settles_before_the_next_and_the_last_is_not_waited_for_with_wait_false():
    thing = Thing(FakeModule(wait=False), takes=5)
    result = run(thing)
    assert thing.reads == 1 and result["thing"]["status"] == "making"


def test_an_api_error_of_a_write_names_what_was_done_and_what_its_code_means():
    thing = Thing(FakeModule(state="absent"), stored={"id": "t-1", "name": "t", "status": "ready"})

    def refuse(action, obj):
        raise IwinvApiError("the API says no", error_code="IN_USE", status=400)
    thing.send = refuse
    with pytest.raises(IwinvApiError, match="^delete thing 't' failed: the API says no; the thing is busy$"):
        run(thing)


def test_explained_leaves_an_unknown_code_in_the_api_words():
    exc = explained(IwinvApiError("no", error_code="OTHER", status=400), "doing it", {"IN_USE": "busy"}, "; note")
    assert exc.message == "doing it failed: no; note" and exc.args == ("doing it failed: no; note",)
