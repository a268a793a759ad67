# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_engine.py's refresh before act: an object found in a kept read decides "unchanged" as found; a plan on it
with writes (or that fails) is made again from the object read by id, before anything is sent."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine import Action, Engine, Resource

from test_engine import THING, FakeModule

KEPT = {"id": "t-1", "name": "t", "description": "old", "status": "ready"}


class KeptThing(Resource):
    """A thing whose look-up answers from a kept list (`kept`); the API holds `stored`. `events` is the order of
    by-id reads and writes."""

    description = THING

    def __init__(self, iwinv, kept, stored):
        super().__init__(iwinv)
        self.kept, self.stored, self.events, self.found = kept, stored, [], None

    def find(self):
        self.found = dict(self.kept) if self.kept else None
        return self.found

    def refresh(self, found):
        if found is None or found is not self.found:
            return found
        self.found = None
        return self.read(found)

    def name(self):
        return "t"

    def named(self, name):
        return []

    def plan(self, current):
        if current is not None and current["status"] == "error":
            raise IwinvError("thing 't' is in error")
        if current is None:
            return [Action("create")], []
        wanted = self.params.get("description")
        return ([Action("edit", wanted)] if wanted is not None and wanted != current["description"] else []), []

    def predict(self, current, actions):
        after = dict(current or {"id": None, "name": "t", "status": "ready"})
        for action in actions:
            after["description"] = action.argument or ""
        return after

    def send(self, action, obj):
        self.events.append(action.kind)
        self.stored = dict(obj or {"id": "t-2", "name": "t", "status": "ready"}, description=action.argument or "")
        return dict(self.stored)

    def read(self, obj):
        self.events.append("read")
        return dict(self.stored) if self.stored else None

    def settled(self, obj):
        return obj is None or obj["status"] in ("ready", "error")

    def done(self, action, obj):
        return True

    def waits(self, action):
        return False

    def label(self, obj):
        return "thing 't' (%s)" % obj["id"]

    def doing(self, action, obj):
        return "%s thing 't'" % action.kind


def run(thing):
    return Engine(thing.iwinv, thing).run()


def test_a_kept_object_decides_unchanged_with_no_read_by_id():
    thing = KeptThing(FakeModule(description="old"), KEPT, dict(KEPT, description="changed since"))
    result = run(thing)
    assert thing.events == [] and not result["changed"] and result["thing"]["description"] == "old"


def test_a_change_reads_the_kept_object_once_by_id_before_the_write_and_plans_from_that_read():
    thing = KeptThing(FakeModule(description="new"), KEPT, dict(KEPT, description="other"))
    result = run(thing)
    assert thing.events == ["read", "edit"] and result["changed"]
    assert result["diff"]["before"]["description"] == "other"   # the plan's object is the one read now


def test_a_change_that_the_read_by_id_shows_done_already_writes_nothing():
    thing = KeptThing(FakeModule(description="new"), KEPT, dict(KEPT, description="new"))
    result = run(thing)
    assert thing.events == ["read"] and not result["changed"] and result["thing"]["description"] == "new"


def test_a_kept_object_deleted_before_the_refresh_is_planned_as_not_found():
    thing = KeptThing(FakeModule(description="new"), KEPT, None)
    result = run(thing)
    assert thing.events == ["read", "create"] and result["changed"] and result["thing"]["id"] == "t-2"


def test_check_mode_decides_from_the_kept_object_without_a_read():
    thing = KeptThing(FakeModule(check_mode=True, description="new"), KEPT, dict(KEPT, description="new"))
    result = run(thing)
    assert thing.events == [] and result["changed"] and result["thing"]["description"] == "new"


def test_a_failure_planned_on_a_kept_object_is_judged_again_on_the_read_by_id():
    thing = KeptThing(FakeModule(description="new"), dict(KEPT, status="error"), dict(KEPT))
    assert run(thing)["changed"] and thing.events == ["read", "edit"]
    still = KeptThing(FakeModule(description="new"), dict(KEPT, status="error"), dict(KEPT, status="error"))
    with pytest.raises(IwinvError, match="is in error"):
        run(still)
    assert still.events == ["read"]


def test_an_object_read_again_by_the_wait_for_its_operation_is_not_refreshed():
    thing = KeptThing(FakeModule(description="new"), dict(KEPT, status="making"), dict(KEPT))
    result = run(thing)
    assert thing.events == ["read", "edit"] and result["changed"]   # the one read is the wait's


def test_a_resource_without_kept_reads_is_never_refreshed():
    thing = KeptThing(FakeModule(description="new"), KEPT, dict(KEPT))
    thing.refresh = lambda found: Resource.refresh(thing, found)
    assert run(thing)["changed"] and thing.events == ["edit"]
