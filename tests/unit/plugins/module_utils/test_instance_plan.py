# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_resource_instance_plan.py: the instance's planning as pure functions (the wanted state, the actions, their prediction,
the catalog checks and the proof of a lost write). plan_actions, apply_action, operation_taken and option_errors
are also covered by tests/unit/plugins/modules/test_iwinv_instance.py."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instance_plan as instance_plan
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_instance_plan import PlanError

FLAVOR_1C = {"id": "std.1c1g", "name": "1 vCore / 1GB", "disk": 25, "images": None}
FLAVOR_2C = {"id": "std.2c4g", "name": "2 vCore / 4GB", "disk": 50, "images": ["img-ubuntu-2204"]}
IMAGE_DEBIAN = {"id": "img-debian-12", "name": "Debian 12", "os": "debian", "version": "12"}
ZONE = {"id": "KR1-Z08", "name": "Seoul Mokdong"}


def instance(status="active", **changes):
    base = {"id": "i-1", "name": "web-1", "description": "", "status": status, "zone": dict(ZONE),
            "flavor": {"id": "std.1c1g", "name": "1 vCore / 1GB"},
            "image": {"id": "img-ubuntu-2204", "os": "ubuntu", "version": "22.04"}}
    base.update(changes)
    return base


def params(**options):
    base = {"id": None, "name": "web-1", "zone": None, "flavor": None, "image": None, "description": None,
            "allow_rebuild": False, "state": "present", "user_script": None}
    base.update(options)
    return base


def test_user_errors_are_iwinv_errors_never_value_errors():
    for error in (PlanError("x"), instance_plan.unknown_id("i-9"),
                  instance_plan.deleted_while_settling(instance()), instance_plan.crowded_name("web-1")):
        assert isinstance(error, IwinvError) and not isinstance(error, ValueError)


# --- options and the wanted state ------------------------------------------------------------------------

def test_a_create_names_every_missing_reference():
    with pytest.raises(PlanError, match="to create it, zone and image are required"):
        instance_plan.check_create_options(params(flavor="std.1c1g"))
    with pytest.raises(PlanError, match="to create it, flavor is required"):
        instance_plan.check_create_options(params(zone="KR1-Z08", image="Ubuntu 22.04"))
    instance_plan.check_create_options(params(zone="KR1-Z08", flavor="std.1c1g", image="Ubuntu 22.04"))


def test_an_unknown_id_says_that_an_id_never_creates():
    assert "no instance has the id 'i-9'" in str(instance_plan.unknown_id("i-9"))
    assert "without id" in str(instance_plan.unknown_id("i-9"))


@pytest.mark.parametrize("ref, expected", [
    (None, None), ("std.1c1g", None), ("1 vCore / 1GB", None), ("std.2c4g", "std.2c4g"), ("2 vCore", "2 vCore"),
])
def test_only_a_flavor_other_than_the_current_one_is_resolved(ref, expected):
    assert instance_plan.flavor_to_resolve(ref, instance()) == expected


@pytest.mark.parametrize("ref, expected", [
    (None, None), ("img-ubuntu-2204", None), ("Ubuntu 22.04", "Ubuntu 22.04"), ("img-debian-12", "img-debian-12"),
])
def test_only_an_image_other_than_the_current_id_is_resolved(ref, expected):
    # An image is compared by id only: its name is not part of the instance row.
    assert instance_plan.image_to_resolve(ref, instance()) == expected


def test_the_wanted_state_renames_only_an_instance_named_by_id():
    by_name = instance_plan.desired_state(params(description="d", state="stopped"))
    assert by_name == {"state": "stopped", "zone": None, "description": "d", "allow_rebuild": False, "name": None,
                       "flavor": None, "image": None}
    by_id = instance_plan.desired_state(params(id="i-1", name="web-2"), FLAVOR_2C, IMAGE_DEBIAN)
    assert by_id["name"] == "web-2" and by_id["flavor"] is FLAVOR_2C and by_id["image"] is IMAGE_DEBIAN


# --- planning --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("state, expected", [
    ("absent", []), ("present", ["create"]), ("started", ["create"]), ("restarted", ["create"]),
    ("stopped", ["create", "shutdown"]),
])
def test_a_missing_instance_is_created_and_stopped_only_when_asked(state, expected):
    assert [kind for kind, argument in instance_plan.create_actions(state)] == expected


def test_a_zone_given_by_id_or_name_matches_and_another_fails_naming_both():
    instance_plan.check_zone(instance(), None)
    instance_plan.check_zone(instance(), "KR1-Z08")
    instance_plan.check_zone(instance(), "Seoul Mokdong")
    with pytest.raises(PlanError, match=r"is in zone KR1-Z08 \(Seoul Mokdong\), not 'KR2-Z01'"):
        instance_plan.check_zone(instance(), "KR2-Z01")


@pytest.mark.parametrize("status, allowed", [("active", True), ("off", True), ("error", False), ("work", False)])
def test_a_resize_works_from_active_or_off_only(status, allowed):
    if allowed:
        instance_plan.check_resizable(instance(status), FLAVOR_2C)
    else:
        with pytest.raises(PlanError, match="while its status is '%s'" % status):
            instance_plan.check_resizable(instance(status), FLAVOR_2C)


# --- what the flavor list refuses ------------------------------------------------------------------------

def flavors(*rows):
    """A catalog stand-in that records which flavors were asked for."""
    asked = []

    def flavor_of(flavor_id):
        asked.append(flavor_id)
        return next((row for row in rows if row["id"] == flavor_id), None)
    return flavor_of, asked


def test_the_catalog_is_asked_only_for_a_resize_or_a_rebuild():
    flavor_of, asked = flavors(FLAVOR_1C)
    instance_plan.check_catalog(instance(), [("edit", {"description": "d"}), ("shutdown", None)], flavor_of)
    instance_plan.check_catalog(None, [("create", None)], flavor_of)
    assert asked == []


def test_a_rebuild_is_checked_against_the_current_flavor():
    limited = dict(FLAVOR_1C, images=["img-ubuntu-2204"])
    flavor_of, asked = flavors(limited)
    with pytest.raises(PlanError, match="flavor std.1c1g .* does not take image img-debian-12 .*img-ubuntu-2204"):
        instance_plan.check_catalog(instance(), [("rebuild", IMAGE_DEBIAN)], flavor_of)
    assert asked == ["std.1c1g"]


def test_a_resize_is_checked_for_its_image_and_its_disk_with_one_catalog_read():
    flavor_of, asked = flavors(FLAVOR_1C)
    instance_plan.check_catalog(instance(), [("resize", FLAVOR_2C)], flavor_of)
    assert asked == ["std.1c1g"]
    with pytest.raises(PlanError, match="does not take image img-debian-12"):
        instance_plan.check_catalog(instance(), [("resize", FLAVOR_2C), ("rebuild", IMAGE_DEBIAN)], flavor_of)
    big_flavor_of, unused = flavors(dict(FLAVOR_2C, id="std.1c1g"))
    with pytest.raises(PlanError, match=r"its disk \(25 GB\) is smaller than the disk of std.1c1g \(50 GB\)"):
        instance_plan.check_catalog(instance(), [("resize", FLAVOR_1C)], big_flavor_of)


def test_a_flavor_without_an_image_list_leaves_the_combination_to_the_api():
    instance_plan.check_combination(FLAVOR_1C, IMAGE_DEBIAN)
    with pytest.raises(PlanError, match=r"\(it takes: none\)"):
        instance_plan.check_combination(dict(FLAVOR_1C, images=[]), IMAGE_DEBIAN)


def test_a_disk_never_shrinks_and_an_unknown_current_flavor_is_not_judged():
    instance_plan.check_disk(instance(), None, FLAVOR_1C)
    instance_plan.check_disk(instance(), FLAVOR_1C, FLAVOR_2C)
    instance_plan.check_disk(instance(), dict(FLAVOR_1C, disk=None), FLAVOR_1C)
    with pytest.raises(PlanError, match="at least 50 GB"):
        instance_plan.check_disk(instance(), FLAVOR_2C, FLAVOR_1C)


# --- prediction ------------------------------------------------------------------------------------------

REFS = {"zone": ZONE, "flavor": FLAVOR_1C, "image": IMAGE_DEBIAN}


def test_a_predicted_create_has_no_id_and_the_resolved_references():
    predicted = instance_plan.predicted_instance("web-1", None, REFS)
    assert predicted["id"] is None and predicted["status"] == "building" and predicted["description"] == ""
    assert predicted["flavor"] == {"id": "std.1c1g", "name": "1 vCore / 1GB"}
    assert predicted["image"] == {"id": "img-debian-12", "os": "debian", "version": "12"}


def test_predict_follows_every_action_in_order():
    created = instance_plan.predict(None, [("create", None), ("shutdown", None)], "web-1", "d", REFS)
    assert created["status"] == "off" and created["description"] == "d" and created["id"] is None
    changed = instance_plan.predict(instance(), [("edit", {"name": "web-2"}), ("resize", FLAVOR_2C)], None, None,
                                    None)
    assert changed["name"] == "web-2" and changed["flavor"]["id"] == "std.2c4g" and changed["status"] == "active"
    assert instance_plan.predict(instance(), [("delete", None)], None, None, None) is None
    assert instance_plan.predict(None, [], "web-1", None, None) is None


# --- acting and judging ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, status, target", [
    ("create", None, "active"), ("start", "off", "active"), ("shutdown", "active", "off"),
    ("reboot", "active", "active"), ("resize", "off", "off"), ("rebuild", "active", "active"),
    ("edit", "off", "off"), ("delete", "active", None),
])
def test_the_target_status_of_an_operation_keeps_the_status_it_does_not_change(kind, status, target):
    assert instance_plan.target_status((kind, None), {"status": status}) == target


def test_a_rename_touches_both_names_any_other_write_its_own():
    assert instance_plan.names_written(instance(), ("edit", {"name": "web-2"})) == ["web-1", "web-2"]
    assert instance_plan.names_written(instance(), ("edit", {"description": "d"})) == ["web-1", None]
    assert instance_plan.names_written(instance(), ("shutdown", None)) == ["web-1", None]


def test_the_messages_of_a_vanished_or_crowded_instance_say_what_to_do():
    assert "never created again" in str(instance_plan.deleted_while_settling(instance()))
    assert "give each task its own name" in str(instance_plan.crowded_name("web-1"))


def test_an_instance_being_deleted_is_not_deleted_again():
    assert instance_plan.plan_actions(instance("deleting"), instance_plan.desired_state(params(state="absent"))) == (
        [], [])
    assert instance_plan.plan_actions(instance("off"), instance_plan.desired_state(params(state="absent"))) == (
        [("delete", None)], [])


def test_every_kind_of_action_has_words_and_a_target_status():
    assert set(instance_plan.DOING) == set(instance_plan.TARGET_STATUS)
    words = instance_plan.in_words(("shutdown", None), "instance 'web-1' (i-1)")
    assert words == "shutting down instance 'web-1' (i-1)"
    assert [instance_plan.busy_word(busy) for busy in (True, False)] == ["in progress", "done"]
