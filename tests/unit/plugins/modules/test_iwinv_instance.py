# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_instance: the difference computation (a plain function), check-mode prediction, and the module end to
end against the emulator (budgets, reconciliation, failures)."""

from __future__ import annotations

from functools import partial

import pytest

from ansible_collections.iwinv.cloud.plugins.modules import iwinv_instance
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_instance_plan import (
    PlanError,
    apply_action,
    operation_taken,
    option_errors,
    plan_actions,
)

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_block_storage import list_block_storages
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import VOLUMES, KeptList
from ansible_collections.iwinv.cloud.plugins.module_utils._engine import Action
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_run import TaskRun
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_wait import WaitFailedError

from fakes import FakeClock
from module_runner import emulator_args, run_module

FLAVOR_1C = {"id": "std.1c1g", "name": "1 vCore / 1GB"}
FLAVOR_2C = {"id": "std.2c4g", "name": "2 vCore / 4GB"}
IMAGE_UBUNTU = {"id": "img-ubuntu-2204", "name": "Ubuntu 22.04", "os": "ubuntu", "version": "22.04"}
IMAGE_DEBIAN = {"id": "img-debian-12", "name": "Debian 12", "os": "debian", "version": "12"}


def instance(status="active", **changes):
    base = {
        "id": "i-1", "name": "web-1", "description": "", "status": status,
        "zone": {"id": "KR1-Z08", "name": "Seoul Mokdong"}, "flavor": dict(FLAVOR_1C),
        "image": {"id": "img-ubuntu-2204", "os": "ubuntu", "version": "22.04"},
        "public_ipv4": "203.0.113.10", "private_ipv4": "10.0.0.5", "block_storages": [], "created_at": "2026-11-27",
    }
    base.update(changes)
    return base


def desired(state="present", **options):
    base = {"state": state, "zone": None, "name": None, "description": None, "flavor": None, "image": None,
            "allow_rebuild": False}
    base.update(options)
    return base


def kinds(actions):
    return [kind for kind, argument in actions]


# --- plan_actions -----------------------------------------------------------------------------------------------

def test_an_unchanged_instance_needs_nothing():
    current = instance()
    same = desired(zone="Seoul Mokdong", description="", flavor=None, image=None)
    assert plan_actions(current, same) == ([], [])


def test_a_missing_instance_is_created_and_stopped_only_when_asked():
    assert kinds(plan_actions(None, desired())[0]) == ["create"]
    assert kinds(plan_actions(None, desired("started"))[0]) == ["create"]
    assert kinds(plan_actions(None, desired("restarted"))[0]) == ["create"]
    assert kinds(plan_actions(None, desired("stopped"))[0]) == ["create", "shutdown"]


def test_absent_deletes_only_what_exists():
    assert plan_actions(None, desired("absent")) == ([], [])
    assert kinds(plan_actions(instance(), desired("absent"))[0]) == ["delete"]


@pytest.mark.parametrize("status, state, expected", [
    ("active", "present", []), ("off", "present", []), ("error", "present", []),
    ("active", "started", []), ("off", "started", ["start"]), ("error", "started", ["start"]),
    ("off", "stopped", []), ("active", "stopped", ["shutdown"]), ("error", "stopped", ["shutdown"]),
    ("active", "restarted", ["reboot"]), ("off", "restarted", ["start"]), ("error", "restarted", ["reboot"]),
])
def test_power_state_follows_the_status_and_never_sends_what_the_api_refuses(status, state, expected):
    # start on active, shutdown or reboot on off are CHECK_PARAM in the API: never planned.
    assert kinds(plan_actions(instance(status), desired(state))[0]) == expected


def test_description_and_name_change_in_place_in_one_edit():
    actions, warnings = plan_actions(instance(), desired(name="web-2", description="new"))
    assert actions == [("edit", {"name": "web-2", "description": "new"})] and warnings == []


def test_an_empty_description_clears_it_and_none_leaves_it_alone():
    assert plan_actions(instance(description="old"), desired(description="")) == ([("edit", {"description": ""})], [])
    assert plan_actions(instance(description="old"), desired(description=None)) == ([], [])


def test_a_different_flavor_resizes_and_keeps_the_power_state():
    actions = plan_actions(instance("off"), desired("present", flavor=FLAVOR_2C))[0]
    assert actions == [("resize", FLAVOR_2C)]
    actions = plan_actions(instance("off"), desired("started", flavor=FLAVOR_2C))[0]
    assert kinds(actions) == ["resize", "start"]


def test_resizing_an_instance_in_error_fails_clearly():
    with pytest.raises(PlanError, match="status is 'error'.*active or off"):
        plan_actions(instance("error"), desired(flavor=FLAVOR_2C))


def test_a_different_image_warns_without_permission_and_rebuilds_with_it():
    actions, warnings = plan_actions(instance(), desired(image=IMAGE_DEBIAN))
    assert actions == [] and len(warnings) == 1
    assert "allow_rebuild" in warnings[0] and "img-debian-12" in warnings[0] and "i-1" in warnings[0]
    actions, warnings = plan_actions(instance(), desired(image=IMAGE_DEBIAN, allow_rebuild=True))
    assert actions == [("rebuild", IMAGE_DEBIAN)] and warnings == []


def test_the_same_image_with_permission_does_not_rebuild():
    assert plan_actions(instance(), desired(image=IMAGE_UBUNTU, allow_rebuild=True)) == ([], [])


def test_a_different_zone_fails_and_names_both():
    with pytest.raises(PlanError, match="KR1-Z08.*'KR2-Z01'.*cannot change"):
        plan_actions(instance(), desired(zone="KR2-Z01"))
    # The zone's id and its name are both the same zone.
    assert plan_actions(instance(), desired(zone="KR1-Z08")) == ([], [])


def test_operations_come_in_an_order_the_api_accepts():
    actions = plan_actions(instance("active"), desired("stopped", description="x", flavor=FLAVOR_2C,
                                                       image=IMAGE_DEBIAN, allow_rebuild=True))[0]
    assert kinds(actions) == ["edit", "resize", "rebuild", "shutdown"]


# --- prediction (check mode) ----------------------------------------------------------------------------------

def test_apply_action_predicts_the_settled_instance():
    current = instance("active")
    assert apply_action(current, ("shutdown", None))["status"] == "off"
    assert apply_action(current, ("resize", FLAVOR_2C))["flavor"] == FLAVOR_2C
    assert apply_action(instance("off"), ("resize", FLAVOR_2C))["status"] == "off"
    rebuilt = apply_action(current, ("rebuild", IMAGE_DEBIAN))
    assert rebuilt["image"] == {"id": "img-debian-12", "os": "debian", "version": "12"}
    assert apply_action(current, ("edit", {"description": "d"}))["description"] == "d"
    assert apply_action(current, ("delete", None)) is None
    assert current["status"] == "active" and current["flavor"] == FLAVOR_1C  # the input is not modified


def test_option_errors_name_the_option():
    params = {"name": "x" * 65, "description": "d" * 256, "id": None, "zone": " ", "flavor": None, "image": None,
              "user_script": None}
    errors = option_errors(params)
    assert any(error.startswith("name must be 1 to 64") for error in errors)
    assert any(error.startswith("description must be at most 255") for error in errors)
    assert "zone must not be empty" in errors


@pytest.mark.parametrize("volumes, words", [
    ([{"name": " ", "size": 20}], "volumes[0].name must not be empty"),
    ([{"name": "v" * 65, "size": 20}], "volumes[0].name must be 1 to 64 characters long, got 65"),
    ([{"name": "data", "size": 20}, {"name": "data", "size": 30}], "volumes[1].name 'data' is given twice"),
    ([{"name": "data", "size": 0}], "volumes[0].size must be a positive number of GB, got 0"),
    ([{"name": "data", "size": -5}], "volumes[0].size must be a positive number of GB, got -5"),
])
def test_option_errors_name_the_volume_at_fault(volumes, words):
    params = {"name": "db-1", "description": None, "id": None, "zone": None, "flavor": None, "image": None,
              "user_script": None, "volumes": volumes}
    assert [error for error in option_errors(params) if words in error]


def test_valid_volumes_raise_no_error():
    params = {"name": "db-1", "description": None, "id": None, "zone": None, "flavor": None, "image": None,
              "user_script": None, "volumes": [{"name": "a", "size": 1}, {"name": "b", "size": 2000}]}
    assert option_errors(params) == []


# --- the module against the emulator ---------------------------------------------------------------------------

CREATE = {"name": "web-1", "zone": "Seoul Mokdong", "flavor": "1 vCore / 1GB", "image": "Ubuntu 22.04"}


def run(emulator, **options):
    return run_module(iwinv_instance.main, emulator_args(emulator, **options))


def api_requests(emulator):
    return [(r["method"], r["path"]) for r in emulator.requests()]


def test_create_with_names_stays_in_budget_and_a_rerun_changes_nothing(emulator):
    result = run(emulator, return_default_account=True, **CREATE)
    assert result["changed"] and result["instance"]["status"] == "active"
    assert result["default_account"]["username"] == "root" and result["default_account"]["password"]
    sent = api_requests(emulator)
    posts = [r for r in sent if r[0] != "GET"]
    polls = [r for r in sent if r[1].startswith("/v1/instances/")]
    assert posts == [("POST", "/v1/instances")]
    assert len(sent) - len(posts) - len(polls) <= 4     # look-ups: the name, zone, flavor and image
    emulator.clear_requests()

    again = run(emulator, **CREATE)
    assert again["changed"] is False and "default_account" not in again
    assert len(emulator.requests()) <= 2                # the name list and the image name
    emulator.clear_requests()

    by_id = run(emulator, id=result["instance"]["id"], flavor="std.1c1g", image="img-ubuntu-2204", zone="KR1-Z08")
    assert by_id["changed"] is False and len(emulator.requests()) == 1


def test_check_mode_predicts_without_writing(emulator):
    result = run(emulator, _ansible_check_mode=True, _ansible_diff=True, state="stopped", **CREATE)
    assert result["changed"] is True
    assert result["instance"]["id"] is None and result["instance"]["status"] == "off"
    assert result["instance"]["flavor"] == {"id": "std.1c1g", "name": "1 vCore / 1GB"}
    assert result["diff"]["before"] == {} and result["diff"]["after"]["zone"]["id"] == "KR1-Z08"
    assert all(r["method"] == "GET" for r in emulator.requests())


def test_a_lost_create_answer_adopts_the_one_new_instance_and_never_resends(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="ambiguous")
    result = run(emulator, return_default_account=True, **CREATE)
    assert result["changed"] and result["instance"]["status"] == "active", result
    assert "default_account" not in result
    assert [r for r in emulator.requests() if r["method"] == "POST"].__len__() == 1
    assert len(emulator.state()["instances"]) == 1
    assert run(emulator, **CREATE)["changed"] is False


def test_an_operation_ending_in_error_names_the_instance_and_the_status(emulator):
    created = run(emulator, **CREATE)["instance"]
    emulator.fault(method="POST", path="/shutdown$", action="async_error")
    result = run(emulator, id=created["id"], state="stopped")
    assert result["failed"] and "'error'" in result["msg"] and created["id"] in result["msg"]


def test_an_ambiguous_name_fails_listing_both_ids(emulator):
    ids = emulator.bulk_instances(2, zones=["KR1-Z08"], name_prefix="twin")["instance_ids"]
    for instance_id in ids:
        emulator.ok("PUT", "/v1/instances/%s" % instance_id, form={"name": "twin"})
    result = run(emulator, name="twin")
    assert result["failed"] and all(instance_id in result["msg"] for instance_id in ids)


@pytest.mark.parametrize("options, words", [
    ({"zone": "KR1-Z08"}, "one of the following is required: id, name"),
    ({"name": "web-1", "state": "bogus"}, "state"),
    ({"name": "x" * 65}, "name must be 1 to 64"),
    ({"name": "db-1", "volumes": [{"name": "d", "size": 10}, {"name": "d", "size": 10}]}, "'d' is given twice"),
    ({"name": "db-1", "volumes": [{"name": "d", "size": 0}]}, "volumes[0].size must be a positive"),
    ({"name": "db-1", "volumes": [{"name": "d", "size": "big"}]}, "size"),
    ({"name": "db-1", "volumes": [{"name": "d"}]}, "size"),
    ({"name": "db-1", "volumes": [{"name": "d", "size": 10, "type": "sata"}]}, "type"),
])
def test_bad_input_fails_before_any_request(emulator, options, words):
    result = run(emulator, **options)
    assert result["failed"] and words in result["msg"]
    assert emulator.requests() == []


def test_an_unknown_flavor_fails_before_any_write(emulator):
    options = dict(CREATE)
    options["flavor"] = "no-such-flavor"
    result = run(emulator, **options)
    assert result["failed"] and "no-such-flavor" in result["msg"] and "flavor" in result["msg"]
    assert all(r["method"] == "GET" for r in emulator.requests())


def test_a_lost_power_answer_is_read_back_and_followed_never_resent(emulator):
    created = run(emulator, **CREATE)["instance"]
    emulator.fault(method="POST", path="/shutdown$", action="ambiguous")
    emulator.clear_requests()
    result = run(emulator, id=created["id"], state="stopped")
    assert result["changed"] and result["instance"]["status"] == "off", result
    assert any("no clear answer" in str(warning) for warning in result["warnings"])
    assert [r["path"] for r in emulator.requests() if r["method"] != "GET"] == ["/v1/instances/%s/shutdown" % created["id"]]


def test_a_lost_power_answer_for_a_request_not_performed_fails_saying_so_and_reports_changed(emulator):
    created = run(emulator, **CREATE)["instance"]
    emulator.fault(method="POST", path="/shutdown$", action="status", status=502)
    result = run(emulator, id=created["id"], state="stopped")
    assert result["failed"] and "it has not happened, or not yet" in result["msg"]
    assert "running the task again is safe" in result["msg"]
    assert result["changed"] is True and result["instance"]["id"] == created["id"]   # it may have been sent
    assert result["api_error"]["status"] == 502
    assert len([r for r in emulator.requests() if r["method"] == "POST" and r["path"].endswith("/shutdown")]) == 1


@pytest.mark.parametrize("current, action, before, taken", [
    (instance("work"), ("shutdown", None), "active", True),
    (instance("off"), ("shutdown", None), "active", True),
    (instance("active"), ("shutdown", None), "active", False),
    (instance("active"), ("reboot", None), "active", False),      # a reboot ends where it started: no proof
    (instance("work"), ("reboot", None), "active", True),
    (instance("active"), ("resize", FLAVOR_2C), "active", False),  # the old flavor: not done
    (instance("active", flavor=dict(FLAVOR_2C)), ("resize", FLAVOR_2C), "active", True),
    (instance("off"), ("rebuild", IMAGE_DEBIAN), "off", False),
    (instance("off", image={"id": "img-debian-12", "os": "debian", "version": "12"}), ("rebuild", IMAGE_DEBIAN), "off", True),
    (None, ("resize", FLAVOR_2C), "active", False),
    (None, ("delete", None), "active", True),
    (instance("deleting"), ("delete", None), "active", True),
    (instance("active"), ("delete", None), "active", False),
    (instance(description="new"), ("edit", {"description": "new"}), "active", True),
    (instance(description="old"), ("edit", {"description": "new"}), "active", False),
])
def test_operation_taken_judges_by_effect_never_by_a_status_that_held_before(current, action, before, taken):
    assert operation_taken(current, action, before) is taken


def test_present_on_an_instance_in_error_warns_how_to_recover():
    actions, warnings = plan_actions(instance("error"), desired("present"))
    assert actions == [] and "state=started" in warnings[0]


def test_a_lost_create_answer_with_nothing_to_adopt_fails_as_unknown_and_sends_one_post(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="status", status=503,
                   body="<html><body>Bad Gateway</body></html>")
    result = run(emulator, wait_timeout=2, **CREATE)
    assert result["failed"] and "it has not happened, or not yet" in result["msg"]
    assert "noted on this controller" in result["msg"] and "safe" not in result["msg"]
    assert result["changed"] is True and result["instance"]["name"] == "web-1"
    assert result["api_error"]["status"] == 503
    again = run(emulator, wait_timeout=2, **CREATE)   # the same controller: the note stops a second create
    assert again["failed"] and "a second one is not created before" in again["msg"], again
    assert len([r for r in emulator.requests() if r["method"] == "POST"]) == 1
    assert emulator.state()["instances"] in ({}, [])


class FakeModule:
    """What the engine and the instance's hooks use of IwinvModule, with a TaskRun on a fake clock."""

    def __init__(self, clock, **params):
        self.params = dict({"id": None, "name": "web-1", "state": "present", "wait": True}, **params)
        self.check_mode, self.client, self.clock = False, None, clock

    def instance_view(self):
        return None

    def task_run(self, result_key):
        return TaskRun(600, result_key, clock=self.clock, sleep=self.clock.sleep)


def test_an_instance_that_vanishes_while_an_operation_is_waited_for_fails_at_once(monkeypatch):
    clock = FakeClock(0.0)
    iwinv = FakeModule(clock)
    task = iwinv_instance.InstanceEngine(iwinv, iwinv_instance.Instance(iwinv))
    task.run_state.wrote(instance("work"))
    task.resource.before = instance("off")
    monkeypatch.setattr(instances, "get_instance", lambda client, instance_id: None)
    with pytest.raises(WaitFailedError, match="was deleted while waiting for it to become 'active'"):
        task.wait_for(Action("start"), instance("work"), last=True)
    assert clock.now <= 1.0   # the first read, not wait_timeout
    assert task.run_state.failure_result() == {"changed": True, "instance": {}}


def test_zone_never_narrows_identity_and_a_different_zone_fails_with_no_write(emulator):
    created = run(emulator, **CREATE)["instance"]
    emulator.clear_requests()
    for options in (dict(CREATE, zone="KR1-Z01"), {"name": "web-1", "zone": "KR1-Z01"},
                    {"name": "web-1", "zone": "KR1-Z01", "state": "absent"}):
        result = run(emulator, **options)
        assert result["failed"] and "the zone of an instance cannot change" in result["msg"], result
        assert not result.get("changed")
    assert [r["method"] for r in emulator.requests()] == ["GET"] * len(emulator.requests())
    assert [row["instance_id"] for row in emulator.state()["instances"].values()] == [created["id"]]


def test_without_supporting_images_the_api_decides_and_its_refusal_names_zone_flavor_and_image(emulator):
    """The observed default: flavor rows carry no supporting_images, so nothing is refused before the POST."""
    refused = run(emulator, name="win-1", zone="KR1-Z08", flavor="std.1c1g", image="Windows Server 2022")
    assert refused["failed"] and refused["api_error"]["error_code"] == "UNAVAILABLE_COMBINATION"
    assert "does not combine flavor std.1c1g with image img-windows-2022 in zone KR1-Z08" in refused["msg"]
    assert not refused.get("changed")
    assert [r["method"] for r in emulator.requests()].count("POST") == 1 and emulator.state()["instances"] == {}


def test_check_mode_refuses_what_the_flavor_does_not_take_before_any_write(emulator):
    emulator.config(supporting_images=True)   # the flavors say which images they take (TB)
    refused = run(emulator, name="win-1", zone="KR1-Z08", flavor="std.1c1g", image="Windows Server 2022",
                  _ansible_check_mode=True)
    assert refused["failed"] and "does not take image img-windows-2022" in refused["msg"]
    created = run(emulator, name="big-1", zone="KR1-Z08", flavor="std.2c4g", image="Ubuntu 22.04")["instance"]
    emulator.clear_requests()
    smaller = run(emulator, _ansible_check_mode=True, id=created["id"], flavor="std.1c1g")
    assert smaller["failed"] and "a disk cannot shrink" in smaller["msg"]
    assert all(r["method"] == "GET" for r in emulator.requests())


def test_an_edit_without_waiting_reports_its_answer_with_no_further_read(emulator):
    created = run(emulator, **CREATE)["instance"]
    emulator.clear_requests()
    result = run(emulator, id=created["id"], description="new", wait=False)
    assert result["changed"] and result["instance"]["description"] == "new"
    assert api_requests(emulator) == [("GET", "/v1/instances/%s" % created["id"]),
                                      ("PUT", "/v1/instances/%s" % created["id"])]


def test_deleting_without_waiting_reports_the_instance_being_deleted_and_sends_one_delete(emulator):
    created = run(emulator, **CREATE)["instance"]
    emulator.config(op_delays={"instance.delete": 30.0})
    first = run(emulator, id=created["id"], state="absent", wait=False)
    assert first["changed"] and first["instance"] == {}
    again = run(emulator, id=created["id"], state="absent", wait=False)
    assert again["changed"] is False and again["instance"]["status"] == "deleting"
    assert [r["method"] for r in emulator.requests()].count("DELETE") == 1


# --- volumes created with the instance -------------------------------------------------------------------------

def changed_options(base, **changes):
    options = dict(base)
    options.update(changes)
    return options


DB = changed_options(CREATE, name="db-1",
                     volumes=[{"name": "db-1-data", "size": 20}, {"name": "db-1-logs", "size": 30}])


def volumes_of(emulator):
    return sorted((volume["name"], volume["size"], volume["type"], volume["instance_id"])
                  for volume in emulator.state()["volumes"].values())


def test_volumes_are_created_by_the_instance_create_and_a_rerun_changes_nothing(emulator):
    result = run(emulator, **DB)
    assert result["changed"] and result["instance"]["status"] == "active", result
    instance_id = result["instance"]["id"]
    assert volumes_of(emulator) == [("db-1-data", 20, "ssd", instance_id), ("db-1-logs", 30, "ssd", instance_id)]
    assert sorted(result["instance"]["block_storages"]) == sorted(emulator.state()["volumes"])
    posts = [r for r in emulator.requests() if r["method"] != "GET"]
    assert [(r["method"], r["path"]) for r in posts] == [("POST", "/v1/instances")]
    emulator.clear_requests()

    # ignored on an existing instance
    again = run(emulator, **changed_options(DB, volumes=[{"name": "other", "size": 99}]))
    assert again["changed"] is False and not [w for w in again.get("warnings", []) if "exists already" in str(w)], again
    assert [r for r in emulator.requests() if r["method"] != "GET"] == []
    assert len(emulator.requests()) <= 2                # as without volumes: the name list and the image name
    assert len(emulator.state()["volumes"]) == 2


def test_check_mode_with_volumes_creates_nothing(emulator):
    result = run(emulator, _ansible_check_mode=True, _ansible_diff=True, **DB)
    assert result["changed"] is True and result["instance"]["block_storages"] == []
    assert all(r["method"] == "GET" for r in emulator.requests())
    assert emulator.state()["instances"] == {} and emulator.state()["volumes"] == {}


def test_a_volume_name_that_exists_is_not_created_again_and_warned(emulator):
    other = run(emulator, **changed_options(CREATE, name="other", volumes=[{"name": "db-1-data", "size": 20}]))
    other = other["instance"]
    result = run(emulator, **DB)
    assert result["changed"] and any("'db-1-data' exists already" in str(w) for w in result["warnings"]), result
    assert volumes_of(emulator) == [("db-1-data", 20, "ssd", other["id"]),
                                    ("db-1-logs", 30, "ssd", result["instance"]["id"])]


def test_the_created_volume_names_are_never_trusted_from_a_volume_list_read_before(emulator):
    """A fleet's iwinv_block_storage task that looks up the name after the create reads the list again."""
    kept = KeptList(VOLUMES, emulator.url, emulator.access_key)
    read = partial(list_block_storages, emulator_client(emulator))
    assert kept.named("db-1-data", read, VOLUMES)[0] == []       # kept: no such volume yet
    assert run(emulator, **DB)["changed"]
    rows, unused = kept.named("db-1-data", read, VOLUMES)
    assert [row["name"] for row in rows] == ["db-1-data"]


def test_a_lost_create_answer_with_volumes_adopts_the_instance_and_sends_one_post(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="ambiguous")
    result = run(emulator, **DB)
    assert result["changed"] and result["instance"]["status"] == "active", result
    assert len([r for r in emulator.requests() if r["method"] == "POST"]) == 1
    assert len(emulator.state()["instances"]) == 1
    assert run(emulator, **DB)["changed"] is False


def emulator_client(emulator):
    return IwinvClient(emulator.access_key, emulator.secret_key, api_url=emulator.url, rate_limit=0)


def test_without_the_shared_lists_a_taken_volume_name_is_found_by_one_volume_list_read(emulator):
    run(emulator, **changed_options(CREATE, name="other", volumes=[{"name": "db-1-data", "size": 20}]))
    emulator.clear_requests()
    result = run(emulator, instance_list_max_age=0, **DB)
    assert result["changed"] and any("'db-1-data' exists already" in str(w) for w in result["warnings"]), result
    assert [r["method"] for r in emulator.requests() if r["path"] == "/v1/block-storages"] == ["GET"]
    assert [name for name, *unused in volumes_of(emulator)] == ["db-1-data", "db-1-logs"]
