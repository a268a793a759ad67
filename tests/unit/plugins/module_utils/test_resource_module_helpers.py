# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The volume and firewall modules' look-up glue, predictions and words, as pure functions of the resources layer."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_block_storage as bs
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall as fw
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall_api as fw_api
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError

OPTIONS = {"size": 10, "name": "data", "description": None}
ATTACHED = {"id": "bs-1", "name": "data", "status": "attached", "instance_id": "i-1"}
WEB = {"id": "i-1", "name": "web"}


@pytest.mark.parametrize("change, words", [
    ({"size": 0}, "size must be a positive number of GB, got 0"),
    ({"name": ""}, "name must be 1 to 64 characters long, got 0"),
    ({"name": "x" * 65}, "name must be 1 to 64 characters long, got 65"),
    ({"description": "d" * 256}, "description must be at most 255 characters long, got 256"),
])
def test_volume_options_wrong_on_their_own(change, words):
    assert bs.option_problem(dict(OPTIONS, **change)) == words


def test_volume_options_within_their_limits():
    assert bs.option_problem(dict(OPTIONS, name="x" * 64, description="d" * 255)) is None


def test_a_volume_id_that_nothing_has_fails_unless_it_is_to_be_absent():
    assert "no block storage has the id 'bs-9'" in bs.found_problem(None, "bs-9", None, "present")[0]
    assert bs.found_problem(None, "bs-9", None, "absent") == (None, None)


def test_a_volume_found_by_id_under_another_name_is_a_warning():
    error, warning = bs.found_problem(ATTACHED, "bs-1", "other", "present")
    assert error is None and "named 'data', not 'other'" in warning


def test_the_instance_a_volume_is_attached_to_costs_no_request_when_named_by_id():
    reads = []
    target = bs.target_instance(ATTACHED, "present", "i-1", reads.append, reads.append)
    assert target == {"id": "i-1"} and reads == []


def test_the_instance_a_volume_is_attached_to_named_by_name_is_read_by_id():
    looked_up = []
    target = bs.target_instance(ATTACHED, "present", "web", lambda instance_id: WEB, looked_up.append)
    assert target == WEB and looked_up == []


def test_another_instance_is_looked_up_by_reference():
    target = bs.target_instance(ATTACHED, "present", "db", lambda instance_id: WEB, lambda ref: {"id": "i-2"})
    assert target == {"id": "i-2"}


def test_no_instance_is_read_when_the_plan_needs_none():
    assert bs.target_instance(ATTACHED, "absent", "web", pytest.fail, pytest.fail) is None


def test_volume_writes_in_words():
    assert bs.doing("create", None, WEB, "data") == "creating block storage 'data' on instance 'web' (i-1)"
    assert bs.doing("attach", "block storage 'data' (bs-1)", WEB, "data") == (
        "attaching block storage 'data' (bs-1) to instance 'web' (i-1)")
    assert bs.doing("detach", "block storage 'data' (bs-1)", None, "data") == "detaching block storage 'data' (bs-1)"
    assert bs.doing("delete", "block storage 'data' (bs-1)", None, "data") == "deleting block storage 'data' (bs-1)"


def test_an_attach_after_a_detach_says_the_volume_is_attached_to_nothing():
    assert "detached from instance i-1 first" in bs.error_note("attach", ATTACHED)
    assert bs.error_note("attach", dict(ATTACHED, instance_id=None)) == ""
    assert bs.error_note("delete", ATTACHED) == ""


DESIRED = {"name": "web", "rules": [{"id": None, "port": "22"}], "instances": []}


def test_check_mode_predicts_the_firewall():
    assert fw.predicted("absent", {"id": "f-1"}, True, None, pytest.fail) is None
    assert fw.predicted("present", {"id": "f-1"}, False, None, pytest.fail) == {"id": "f-1"}
    created = fw.predicted("present", None, True, dict(DESIRED, rules=[{"id": "r-1", "port": "22"}]), pytest.fail)
    assert created["rules"] == [{"id": None, "port": "22"}]
    edited = fw.predicted("present", {"rules": []}, True, DESIRED, lambda current, desired: ["by the family"])
    assert edited == dict(DESIRED, rules=["by the family"])


def test_a_lost_firewall_write_is_judged_by_what_reading_back_shows():
    assert fw.took_effect("delete", None, None) and not fw.took_effect("delete", None, {"instances": []})
    assert fw.took_effect("attach", "i-1", {"instances": [{"id": "i-1"}]})
    assert not fw.took_effect("attach", "i-1", None)


def test_attaches_and_detaches_are_waited_for_after_the_last_one():
    pairs = (["i-1", "i-2"], ["i-3"])
    assert [fw.last_pair(kind, instance_id, *pairs) for kind, instance_id in
            (("detach", "i-3"), ("attach", "i-1"), ("attach", "i-2"), ("update", "i-2"))] == [False, False, True, False]


def test_pairs_left_in_flight_are_noted_under_the_firewall():
    notes = fw.pair_notes("f-1", ["i-1"], ["i-2"])
    assert notes == [("firewall:f-1:attach:i-1", "attach", "i-1"), ("firewall:f-1:detach:i-2", "detach", "i-2")]
    assert all(key.startswith(fw.PAIR_PREFIX % "f-1") for key, kind, instance_id in notes)


def test_firewall_writes_in_words():
    assert fw.doing("create", None, None, "web") == "creating firewall 'web'"
    assert fw.doing("update", "f-1", None, "web") == "editing firewall f-1"
    assert fw.doing("detach", "f-1", "i-1", "web") == "detaching firewall f-1 from instance i-1"


def test_a_failure_names_the_lost_answers_before_it():
    assert fw.lost_answers_note([]) == ""
    assert fw.lost_answers_note(["POST /a (x)", "PUT /b (y)"]) == (
        "; requests whose answer was lost before: POST /a (x); PUT /b (y)")


def test_a_firewall_id_that_nothing_has_fails_unless_it_is_to_be_absent():
    with pytest.raises(ResolveError, match="no firewall has the id 'f-9'"):
        fw.found_by_id(None, "f-9", "present")
    assert fw.found_by_id(None, "f-9", "absent") is None


def test_a_lost_create_made_the_rows_of_the_name_not_seen_before():
    rows = [{"id": "f-1", "name": "web"}, {"id": "f-2", "name": "web"}, {"id": "f-3", "name": "db"}]
    assert fw.new_rows(rows, "web", {"f-1"}) == [{"id": "f-2", "name": "web"}]


def test_a_create_without_a_name_fails_before_any_request():
    with pytest.raises(IwinvError, match="name is required"):
        fw.desired_with_instances(None, {"name": None}, [], None)


class Family(fw_api.DocsFirewalls):
    def __init__(self):
        super().__init__(client=None)
        self.updates = []

    def update(self, current, desired, judge):
        self.updates.append(desired)
        return desired


def test_an_edit_writes_only_what_differs_and_tells_of_its_writes():
    current = {"id": "f-1", "name": "web", "description": "d", "icmp": True, "rules": [], "instances": []}
    family, told = Family(), []
    assert family.edit(current, dict(current), None, told.append) == current and family.updates == []
    family.edit(current, dict(current, description="e"), None, told.append)
    assert family.updates == [dict(current, description="e")] and family.on_write == told.append
