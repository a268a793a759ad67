# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_resource_instances.py: the create form, reconciliation of a lost create, the wait helpers, zone narrowing."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    IwinvAmbiguousWriteError,
    IwinvApiError,
    IwinvClient,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError, only_new

from fakes import FakeSession, NoPacer, error, ok

CREATED_ROW = {"instance_id": "i-new", "name": "web 1/é", "status": "building", "ssh_key": ["key-ci"],
               "user_script_id": None, "default_account": {"username": "root", "password": "pw"}}


def fake_client(*answers):
    session = FakeSession(*answers)
    return IwinvClient("ak", "sk", api_url="https://api.test", session=session, pacer=NoPacer()), session


def emulator_client(emulator):
    return IwinvClient(emulator.access_key, emulator.secret_key, api_url=emulator.url, rate_limit=0)


def form_of(call):
    return {name: value for name, (filename, value) in call["files"]}


def test_create_sends_count_one_and_url_encodes_name_and_description():
    client, session = fake_client(ok([CREATED_ROW]))
    created = instances.create_instance(client, "web 1/é", "KR1-Z08", "std.1c1g", "img-ubuntu-2204",
                                        description="a b&c", ssh_key_ids=["key-ci", "key-laptop"], user_script_id="s-1")
    form = form_of(session.calls[0])
    assert form == {"zone_id": "KR1-Z08", "flavor_id": "std.1c1g", "image_id": "img-ubuntu-2204", "count": "1",
                    "name": "web+1%2F%C3%A9", "description": "a+b%26c", "ssh_key_id": "key-ci,key-laptop",
                    "user_script_id": "s-1"}
    assert created == {"id": "i-new", "name": "web 1/é", "status": "building",
                       "default_account": {"username": "root", "password": "pw"}}


def test_create_sends_each_volume_as_block_storage_fields_indexed_from_zero_and_never_a_type():
    client, session = fake_client(ok([CREATED_ROW]))
    instances.create_instance(client, "db-1", "KR1-Z08", "std.1c1g", "img-ubuntu-2204",
                              volumes=[{"name": "db 1/data", "size": 100}, {"name": "db-1-logs", "size": 20}])
    form = form_of(session.calls[0])
    volume_fields = {name: value for name, value in form.items() if name.startswith("block_storage.")}
    assert volume_fields == {"block_storage.0.size": "100", "block_storage.0.name": "db 1/data",
                             "block_storage.1.size": "20", "block_storage.1.name": "db-1-logs"}


def test_create_without_volumes_sends_no_block_storage_field():
    client, session = fake_client(ok([CREATED_ROW]))
    instances.create_instance(client, "web-1", "KR1-Z08", "std.1c1g", "img-ubuntu-2204", volumes=[])
    assert not [name for name in form_of(session.calls[0]) if name.startswith("block_storage")]


def test_reads_never_ask_for_secret_fields():
    assert instances.READ_FIELDS & instances.SECRET_FIELD_BITS == 0


def test_named_instances_narrow_by_zone_id_or_name_without_a_zone_lookup(emulator):
    emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="app")
    emulator.bulk_instances(1, zones=["KR2-Z01"], name_prefix="app")
    client = emulator_client(emulator)
    emulator.clear_requests()
    assert len(instances.named_instances(client, "app-00001")) == 2
    assert [i["zone"]["id"] for i in instances.named_instances(client, "app-00001", "Busan")] == ["KR2-Z01"]
    assert [i["zone"]["id"] for i in instances.named_instances(client, "app-00001", "KR1-Z08")] == ["KR1-Z08"]
    assert all(r["path"] == "/v1/instances" for r in emulator.requests())


# --- reconciliation of a create whose answer was lost -----------------------------------------------------------

def create_form(name="web-1", zone="KR1-Z08"):
    return {"zone_id": zone, "flavor_id": "std.1c1g", "image_id": "img-ubuntu-2204", "name": name}


def test_a_lost_create_answer_raises_ambiguous_after_one_post(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="ambiguous")
    client = emulator_client(emulator)
    with pytest.raises(IwinvAmbiguousWriteError):
        instances.create_instance(client, "web-1", "KR1-Z08", "std.1c1g", "img-ubuntu-2204")
    assert [r["method"] for r in emulator.requests()] == ["POST"]


def test_a_create_answer_without_an_id_is_ambiguous_never_a_crash():
    """Accepted, but which instance it made is unknown: the caller reads back, as for a lost answer."""
    client, session = fake_client(ok([{"name": "web-1", "status": "building"}], status=202))
    with pytest.raises(IwinvAmbiguousWriteError, match="does not give the one created instance's id"):
        instances.create_instance(client, "web-1", "KR1-Z08", "std.1c1g", "img-ubuntu-2204")
    assert len(session.calls) == 1


def test_new_instances_are_those_of_the_name_and_zone_not_there_before(emulator):
    client = emulator_client(emulator)
    old = emulator.ok("POST", "/v1/instances", form=create_form())["result"][0]["instance_id"]
    emulator.ok("POST", "/v1/instances", form=create_form(zone="KR2-Z01"))   # same name, another zone
    new = emulator.ok("POST", "/v1/instances", form=create_form())["result"][0]["instance_id"]
    emulator.clear_requests()
    found = instances.new_instances(client, "web-1", "KR1-Z08", ids_before={old})
    assert [instance["id"] for instance in found] == [new]
    assert [r["method"] for r in emulator.requests()] == ["GET"]   # one read back, never a second POST


def test_several_new_instances_fail_listing_their_ids(emulator):
    client = emulator_client(emulator)
    ids = [emulator.ok("POST", "/v1/instances", form=create_form())["result"][0]["instance_id"] for index in range(2)]
    with pytest.raises(ResolveError) as error:
        only_new(instances.new_instances(client, "web-1", "KR1-Z08", set()), "instance 'web-1'")
    assert all(instance_id in str(error.value) for instance_id in ids)


# --- what a wait looks for -------------------------------------------------------------------------------------

@pytest.mark.parametrize("status, settled, failed", [
    ("building", False, False), ("work", False, False), ("deleting", False, False), ("rebooting", False, False),
    ("active", True, False), ("off", True, False), ("error", True, True),
])
def test_settled_and_failed_statuses(status, settled, failed):
    current = {"id": "i-1", "name": "web-1", "status": status}
    assert instances.is_settled(current) is settled
    assert instances.has_failed_or_gone(current) is failed


def test_gone_is_settled_and_a_failure_of_an_operation_waited_for():
    assert instances.is_settled(None) and instances.has_failed_or_gone(None)


def test_console_returns_url_and_type(emulator):
    client = emulator_client(emulator)
    instance_id = emulator.bulk_instances(1)["instance_ids"][0]
    console = instances.get_console(client, instance_id)
    assert console["type"] == "novnc" and console["url"].startswith("https://")


def test_has_status_needs_the_instance_and_the_status():
    assert instances.has_status({"status": "off"}, "off")
    assert not instances.has_status({"status": "active"}, "off") and not instances.has_status(None, "off")


# --- one operation by the kind of its action ---------------------------------------------------------------------

@pytest.mark.parametrize("kind, argument, method, suffix, form", [
    ("start", None, "POST", "/start", {}), ("shutdown", None, "POST", "/shutdown", {}),
    ("reboot", None, "POST", "/reboot", {}), ("delete", None, "DELETE", "", {}),
    ("resize", {"id": "std.2c4g"}, "POST", "/resize", {"flavor_id": "std.2c4g"}),
    ("rebuild", {"id": "img-debian-12"}, "POST", "/rebuild", {"image_id": "img-debian-12"}),
    ("edit", {"description": "a b"}, "PUT", "", {"description": "a+b"}),
])
def test_send_operation_sends_the_one_request_of_its_kind(kind, argument, method, suffix, form):
    client, session = fake_client(ok([{"instance_id": "i-1", "description": "a b"}] if kind == "edit" else []))
    answer = instances.send_operation(client, "i-1", kind, argument)
    assert [(call["method"], call["url"].split("?")[0]) for call in session.calls] == [
        (method, "https://api.test/v1/instances/i-1%s" % suffix)]
    assert form_of(session.calls[0]) == form if session.calls[0].get("files") else form == {}
    assert answer["description"] == "a b" if kind == "edit" else answer is None


# --- the API's refusal of a combination ----------------------------------------------------------------------

FLAVOR_2C = {"id": "std.2c4g", "name": "2 vCore / 4GB"}
IMAGE_DEBIAN = {"id": "img-debian-12", "os": "debian", "version": "12"}


def instance(**changes):
    return dict({"id": "i-1", "name": "web-1", "status": "active", "zone": {"id": "KR1-Z08", "name": "Seoul Mokdong"},
                 "flavor": {"id": "std.1c1g"}, "image": {"id": "img-ubuntu-2204"}}, **changes)


def test_the_apis_refused_combination_names_zone_flavor_and_image_and_other_errors_stay():
    refused = IwinvApiError("the combination is not available", status=400, error_code="UNAVAILABLE_COMBINATION")
    explained = instances.explain_combination(refused, "KR1-Z08", "std.1c1g", "img-windows-2022")
    assert explained is refused and str(explained).startswith(
        "the API does not combine flavor std.1c1g with image img-windows-2022 in zone KR1-Z08")
    assert explained.message.endswith("the combination is not available")
    other = IwinvApiError("no", status=400, error_code="CHECK_PARAM")
    assert instances.explain_combination(other, "KR1-Z08", "std.1c1g", "img-windows-2022").message == "no"


def test_a_resize_or_rebuild_combines_the_new_part_with_the_current_other():
    assert instances.combination_of(instance(), ("resize", FLAVOR_2C)) == ("KR1-Z08", "std.2c4g", "img-ubuntu-2204")
    rebuilt = instances.combination_of(instance(), ("rebuild", IMAGE_DEBIAN))
    assert rebuilt == ("KR1-Z08", "std.1c1g", "img-debian-12")


def test_send_action_names_the_refused_combination_of_a_resize_and_follows_the_instance():
    client, session = fake_client(error(400, "UNAVAILABLE_COMBINATION", message="no such combination"))
    with pytest.raises(IwinvApiError, match="does not combine flavor std.2c4g with image img-ubuntu-2204 in zone KR1"):
        instances.send_action(client, instance(), ("resize", FLAVOR_2C))
    client, session = fake_client(error(400, "UNAVAILABLE_COMBINATION", message="no such combination"))
    with pytest.raises(IwinvApiError) as refused:
        instances.send_action(client, instance(), ("shutdown", None))
    assert "does not combine" not in str(refused.value)
    client, session = fake_client(ok([]))
    assert instances.send_action(client, instance(), ("rebuild", IMAGE_DEBIAN)) == instance()
    assert len(session.calls) == 1


def test_create_from_refs_names_the_refused_combination_and_an_unverified_user_script():
    refs = {"zone": {"id": "KR1-Z08"}, "flavor": {"id": "std.1c1g"}, "image": {"id": "img-windows-2022"},
            "ssh_key_ids": [], "user_script": None}
    client, session = fake_client(error(400, "UNAVAILABLE_COMBINATION"))
    with pytest.raises(IwinvApiError, match="does not combine flavor std.1c1g with image img-windows-2022 in zone"):
        instances.create_from_refs(client, "web-1", None, refs)
    client, session = fake_client(error(400, "ID_INVALID"))
    with pytest.raises(IwinvApiError, match="user_script 's-9' was sent as an id without a check"):
        instances.create_from_refs(client, "web-1", None, dict(refs, user_script={"id": "s-9", "unverified": True}))
    client, session = fake_client(ok([CREATED_ROW]))
    assert instances.create_from_refs(client, "web-1", "d", refs)["id"] == "i-new"
    assert form_of(session.calls[0])["description"] == "d"
