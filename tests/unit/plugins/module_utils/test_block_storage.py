# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Block storage: row translation, the decision of what to do, the checks made before a write, the
reconciliation of a lost create, and the module end to end against the emulator."""

from __future__ import annotations

import json

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_block_storage as bs
from ansible_collections.iwinv.cloud.plugins.module_utils import _api_client as client_mod
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    IwinvAmbiguousWriteError,
    IwinvApiError,
    IwinvClient,
)
from ansible_collections.iwinv.cloud.plugins.modules import iwinv_block_storage, iwinv_block_storage_info

from fakes import FakeSession, NoPacer, error, ok
from module_runner import emulator_args, run_module

TYPES = [{"type": "ssd", "min": 10, "max": 2000, "zones": None}, {"type": "sata", "min": 10, "max": 20000, "zones": ["KR1-Z08"]}]


def row(**fields):
    base = {"block_storage_id": "bs-1", "name": "data", "description": None, "type": "ssd", "size": 50,
            "zone_id": "KR1-Z08", "instance_id": "i-1", "status": "attached", "created_at": "2026-01-01 00:00:00"}
    base.update(fields)
    return base


def volume(**fields):
    return bs.block_storage_from_api(row(**fields))


def instance(instance_id="i-2", zone="KR1-Z08", volumes=(), status="active", name="host"):
    return {"id": instance_id, "name": name, "zone": {"id": zone, "name": zone}, "status": status, "block_storages": list(volumes)}


# --- translation ----------------------------------------------------------------------------------------------

def test_row_becomes_the_return_value_shape():
    assert volume() == {"id": "bs-1", "name": "data", "description": "", "type": "ssd", "size": 50, "zone": "KR1-Z08",
                        "instance_id": "i-1", "status": "attached"}


@pytest.mark.parametrize("fields, status", [
    ({"status": "in-use"}, "attached"),                             # attached = instance_id set and not transitional
    ({"status": "available", "instance_id": None}, "available"),
    ({"status": "detached", "instance_id": None}, "available"),
    ({"status": "detaching"}, "detaching"),                         # still shows its instance_id (D3)
    ({"status": "resizing"}, "resizing"),                           # any '-ing' status is transitional
    ({"status": "error"}, "error"),
])
def test_statuses(fields, status):
    assert volume(**fields)["status"] == status


def test_a_detaching_volume_is_settling_towards_no_instance():
    assert bs.settled_instance_id(volume(status="detaching")) is None
    assert bs.settled_instance_id(volume(status="attaching")) == "i-1"
    assert not bs.is_settled(volume(status="detaching")) and bs.is_settled(volume()) and bs.is_settled(None)


def test_zone_is_read_from_zone_id_or_zone():
    assert bs.block_storage_from_api({"block_storage_id": "x", "zone": "KR2-Z01"})["zone"] == "KR2-Z01"


# --- API calls (fake transport) --------------------------------------------------------------------------------

def fake_client(*answers):
    session = FakeSession(*answers)
    return IwinvClient("k", "s", api_url="https://api.test", session=session, pacer=NoPacer()), session


@pytest.mark.parametrize("answer", [error(400, "ID_INVALID", code="0x16"), ok([])])
def test_detail_of_an_unknown_volume_is_none(answer):
    client, session = fake_client(answer)
    assert bs.get_block_storage(client, "bs-gone") is None
    assert session.calls[0]["url"] == "https://api.test/v1/block-storages/bs-gone"


def test_an_id_that_cannot_be_in_a_path_is_unknown_without_a_request():
    client, session = fake_client()
    assert bs.get_block_storage(client, "a/b") is None
    assert session.calls == []


def test_find_by_name_is_one_unpaginated_list_matched_exactly():
    client, session = fake_client(ok([row(name="data"), row(block_storage_id="bs-2", name="data-old")]))
    assert bs.find_block_storage(client, name="data")["id"] == "bs-1"
    assert len(session.calls) == 1 and session.calls[0]["params"] == {"name": "data"}   # as documented: no paging


# --- the volume list may page (DECISIONS.md D3) -----------------------------------------------------------------

def volume_rows(start, count):
    return [row(block_storage_id="bs-%d" % n, name="vol-%d" % n) for n in range(start, start + count)]


def listed(*answers):
    """The ids list_block_storages returns from these answers, and the (page_no, page_size) of each request."""
    client, session = fake_client(*answers)
    ids = [volume["id"] for volume in bs.list_block_storages(client)]
    return ids, paging_params(session)


def paging_params(session):
    return [(call["params"].get("page_no"), call["params"].get("page_size")) for call in session.calls]


def ids(start, count):
    return ["bs-%d" % n for n in range(start, start + count)]


DOCUMENTED = (None, None)   # the documented request: no page_no, no page_size


@pytest.mark.parametrize("count", [0, 1, 9])
def test_a_short_unpaginated_answer_is_the_whole_list_in_the_documented_request(count):
    assert listed(ok(volume_rows(0, count))) == (ids(0, count), [DOCUMENTED])


@pytest.mark.parametrize("count", [10, 50, 99, 101, 250])
def test_an_answer_that_may_be_a_full_page_asks_page_two_at_its_size_and_an_empty_one_ends_it(count):
    assert listed(ok(volume_rows(0, count)), ok([])) == (ids(0, count), [DOCUMENTED, (2, count)])


def test_a_page_two_that_repeats_page_one_means_the_server_ignores_paging():
    assert listed(ok(volume_rows(0, 100)), ok(volume_rows(0, 100))) == (ids(0, 100), [DOCUMENTED, (2, 100)])


def test_a_page_two_refused_with_check_param_means_the_server_has_no_paging_parameters():
    refused = error(400, "CHECK_PARAM", message="unknown parameter page_no")
    assert listed(ok(volume_rows(0, 30)), refused) == (ids(0, 30), [DOCUMENTED, (2, 30)])
    assert client_mod.SMALLER_PAGES == set()


@pytest.mark.parametrize("answer", [error(400, "CHECK_PARAM_ENUM"), error(403, "CHECK_IP"), error(404, "NOT_FOUND")])
def test_another_error_on_page_two_is_reported_not_taken_for_the_whole_list(answer):
    client, session = fake_client(ok(volume_rows(0, 30)), answer)
    with pytest.raises(IwinvApiError):
        bs.find_block_storage(client, name="vol-40")
    assert len(session.calls) == 2


def test_a_full_page_without_paging_fields_is_paged_on_at_its_size():
    answers = [ok(volume_rows(0, 50)), ok(volume_rows(50, 50)), ok(volume_rows(100, 7))]
    assert listed(*answers) == (ids(0, 107), [DOCUMENTED, (2, 50), (3, 50)])


def test_an_answer_with_paging_fields_is_paged_from_page_two_at_the_echoed_size():
    answers = [ok(volume_rows(0, 50), page_no=1, page_size=50), ok(volume_rows(50, 10), page_no=2, page_size=50)]
    assert listed(*answers) == (ids(0, 60), [DOCUMENTED, (2, 50)])


def test_paging_fields_as_strings_count_too_and_a_short_first_page_ends_it():
    assert listed(ok(volume_rows(0, 5), page_no="1", page_size="100")) == (ids(0, 5), [DOCUMENTED])
    assert listed(ok(volume_rows(0, 30), page_size="100"), ok([])) == (ids(0, 30), [DOCUMENTED, (2, 100)])


@pytest.mark.parametrize("echoed", [{}, {"page_size": 0}, {"page_size": "-5"}, {"page_size": "many"}])
def test_paging_fields_without_a_usable_page_size_go_on_at_the_row_count(echoed):
    answers = [ok(volume_rows(0, 20), page_no=1, **echoed), ok(volume_rows(20, 5), page_no=2)]
    assert listed(*answers) == (ids(0, 25), [DOCUMENTED, (2, 20)])


def test_a_paged_answer_that_repeats_a_page_is_refused_not_taken_as_a_partial_list():
    page = ok(volume_rows(0, 50), page_no=1, page_size=50)
    client, session = fake_client(page, page)
    with pytest.raises(IwinvApiError, match="page 2 repeats page 1.*partial list"):
        bs.find_block_storage(client, name="vol-55")
    assert len(session.calls) == 2


def test_the_page_bound_holds_for_the_volume_list(monkeypatch):
    monkeypatch.setattr(client_mod, "MAX_PAGES", 2)
    client, session = fake_client(*[ok(volume_rows(n * 50, 50), page_size=50) for n in range(3)])
    with pytest.raises(IwinvApiError, match="more than 2 pages"):
        bs.list_block_storages(client)
    assert len(session.calls) == 2


def test_a_volume_past_the_first_page_is_found_by_name():
    answers = [ok(volume_rows(0, 50), page_no=1, page_size=50), ok(volume_rows(50, 10), page_no=2, page_size=50)]
    client, session = fake_client(*answers)
    assert bs.find_block_storage(client, name="vol-54")["id"] == "bs-54"
    assert [call["params"]["name"] for call in session.calls] == ["vol-54", "vol-54"]


def test_the_volume_list_asks_the_size_it_was_served_not_the_page_size_of_the_other_lists():
    client_mod.SMALLER_PAGES.add("https://api.test")   # the other lists of this process ask 50
    assert listed(ok(volume_rows(0, 60)), ok(volume_rows(60, 3))) == (ids(0, 63), [DOCUMENTED, (2, 60)])


def test_a_name_that_several_volumes_carry_fails_with_their_ids():
    client, _session = fake_client(ok([row(), row(block_storage_id="bs-2")]))
    with pytest.raises(Exception, match="bs-1, bs-2"):
        bs.find_block_storage(client, name="data")


# --- the decision ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("current, state, instance_id, actions", [
    (None, "present", "i-1", ["create"]),
    (None, "detached", "i-1", ["create", "detach"]),
    (None, "absent", None, []),
    (volume(), "present", "i-1", []),                                   # idempotent
    (volume(), "present", None, []),                                    # instance omitted: attachment untouched
    (volume(instance_id=None, status="available"), "present", None, []),
    (volume(), "present", "i-2", ["detach", "attach"]),                 # move
    (volume(instance_id=None, status="available"), "present", "i-2", ["attach"]),
    (volume(status="detaching"), "present", "i-1", ["attach"]),         # on its way off i-1: attach again
    (volume(status="attaching"), "present", "i-1", []),
    (volume(), "detached", None, ["detach"]),
    (volume(instance_id=None, status="available"), "detached", None, []),
    (volume(status="detaching"), "detached", None, []),
    (volume(), "absent", None, ["detach", "delete"]),
    (volume(instance_id=None, status="available"), "absent", None, ["delete"]),
    (volume(status="deleting", instance_id=None), "absent", None, []),
])
def test_decide(current, state, instance_id, actions):
    assert bs.decide(current, state, instance_id, "ssd", 50)[0] == actions


def test_creating_needs_instance_type_and_size_and_says_which_are_missing():
    with pytest.raises(ValueError, match="creating it needs instance, size"):
        bs.decide(None, "present", None, "ssd", None)


def test_a_different_size_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match="cannot resize.*set size to 50"):
        bs.decide(volume(), "present", "i-1", size=100)


def test_a_different_type_is_refused():
    with pytest.raises(ValueError, match="cannot change a volume's type"):
        bs.decide(volume(), "present", "i-1", volume_type="sata")


def test_same_size_and_type_pass_and_a_different_description_only_warns():
    actions, warnings = bs.decide(volume(), "present", "i-1", "ssd", 50, "new words")
    assert actions == [] and "only when creating" in warnings[0]


def test_predict_follows_the_actions():
    target = instance()
    assert bs.predict(volume(), ["detach", "attach"], target)["instance_id"] == "i-2"
    assert bs.predict(volume(), ["detach"])["status"] == "available"
    assert bs.predict(volume(), ["detach", "delete"]) is None
    created = bs.predict(None, ["create"], target, "new", "ssd", 20, None)
    assert created == {"id": None, "name": "new", "description": "", "type": "ssd", "size": 20, "zone": "KR1-Z08",
                       "instance_id": "i-2", "status": "attached"}


def params(state="present", volume_type="ssd", size=50, description=None):
    return {"state": state, "type": volume_type, "size": size, "description": description}


def test_plan_refuses_an_attach_the_api_would_refuse_before_any_write():
    with pytest.raises(bs.PlanError, match="a volume can only be attached to an instance in its own zone"):
        bs.plan(volume(zone_id="KR1-Z01"), params(), instance(zone="KR1-Z08"))
    with pytest.raises(bs.PlanError, match="already carries 8 volumes"):
        bs.plan(None, params(), instance(volumes=["v%d" % n for n in range(8)]))
    assert bs.plan(volume(), params(), instance())[0] == ["detach", "attach"]


def test_plan_warns_of_a_volume_in_error_unless_it_is_removed():
    assert "in status 'error'" in bs.plan(volume(status="error"), params(), None)[1][0]
    assert bs.plan(volume(status="error"), params("absent"), None)[1] == []


@pytest.mark.parametrize("current, state, ref, needed", [
    (volume(), "present", "host", True),
    (volume(), "present", None, False),
    (volume(), "detached", "host", False),   # a volume that exists is detached from wherever it is
    (None, "detached", "host", True),        # created attached to it, then detached
    (volume(), "absent", "host", False),
])
def test_the_instance_is_read_only_when_the_plan_needs_it(current, state, ref, needed):
    assert bs.instance_needed(current, state, ref) is needed


@pytest.mark.parametrize("action, read_back, effect", [
    ("detach", volume(status="detaching"), True),       # on its way to nothing: the detach was taken
    ("detach", volume(), False),                         # still attached: the status proves nothing
    ("attach", volume(instance_id="i-2", status="attaching"), True),
    ("attach", volume(instance_id=None, status="available"), False),
    ("delete", None, True),
    ("delete", volume(status="deleting"), True),
    ("delete", volume(), False),
])
def test_a_lost_answer_is_judged_by_the_effect_it_was_for(action, read_back, effect):
    assert bs.took_effect(action, read_back, instance()) is effect


def test_a_write_is_done_once_settled_and_not_failed_and_a_delete_once_gone():
    assert bs.write_done("attach", volume()) and not bs.write_done("attach", volume(status="attaching"))
    assert not bs.write_done("attach", volume(status="error")) and bs.gone_or_failed(volume(status="error"))
    assert bs.write_done("delete", None) and not bs.write_done("delete", volume(status="deleting"))


# --- checks before a write --------------------------------------------------------------------------------------

@pytest.mark.parametrize("volume_type, size, zone, words", [
    ("ssd", 5, "KR1-Z01", "outside the range of type 'ssd' (10 to 2000 GB)"),
    ("sata", 20001, "KR1-Z08", "outside the range"),
    ("sata", 100, "KR1-Z01", "type 'sata' is not offered in zone KR1-Z01"),
    ("nvme", 100, "KR1-Z01", "not offered by the API"),
])
def test_placement_problems(volume_type, size, zone, words):
    assert words in bs.placement_problem(TYPES, volume_type, size, zone)


def test_placements_that_fit_have_no_problem():
    assert bs.placement_problem(TYPES, "ssd", 2000, "KR2-Z01") is None
    assert bs.placement_problem(TYPES, "sata", 10, "KR1-Z08") is None


def test_attach_problems_zone_and_volume_limit():
    assert "zone" in bs.attach_problem(volume(zone_id="KR1-Z01"), instance(zone="KR1-Z08"))
    full = instance(volumes=["v%d" % n for n in range(8)])
    assert "already carries 8 volumes" in bs.attach_problem(volume(), full)
    assert bs.attach_problem(volume(), instance(volumes=["v%d" % n for n in range(7)])) is None


# --- against the emulator ---------------------------------------------------------------------------------------

def hosts(emulator, zone="KR1-Z08", count=2, prefix="bs-host"):
    return emulator.bulk_instances(count, zones=[zone], name_prefix=prefix)["instance_ids"]


def writes(emulator):
    return [r for r in emulator.requests() if r["method"] != "GET"]


def emulator_client(emulator):
    return IwinvClient(emulator.access_key, emulator.secret_key, api_url=emulator.url, rate_limit=0)


def run(emulator, **options):
    options.setdefault("wait_timeout", 30)
    return run_module(iwinv_block_storage.main, emulator_args(emulator, **options))


def test_a_lost_create_answer_is_reconciled_by_name_never_resent(emulator):
    host = hosts(emulator, count=1)[0]
    emulator.fault(method="POST", path="^/v1/block-storages$", action="ambiguous")
    result = run(emulator, name="lost-answer", type="ssd", size=20, instance=host)
    assert result["changed"] and result["block_storage"]["instance_id"] == host, result
    assert [v["block_storage_id"] for v in emulator.state()["volumes"].values()] == [result["block_storage"]["id"]]
    assert len(writes(emulator)) == 1


def test_a_create_never_seen_fails_as_unknown_never_as_safe_to_rerun(emulator):
    host = hosts(emulator, count=1)[0]
    # A gateway page says nothing (an error envelope would be the API's refusal, DECISIONS.md D2).
    emulator.fault(method="POST", path="^/v1/block-storages$", action="status", status=500,
                   body="<html><body>Bad Gateway</body></html>")
    result = run(emulator, name="never-made", type="ssd", size=20, instance=host, wait_timeout=2)
    assert result["failed"] and "it has not happened, or not yet" in result["msg"], result
    assert "noted on this controller" in result["msg"] and "is safe" not in result["msg"]
    assert result["changed"] is True and result["block_storage"]["name"] == "never-made"
    again = run(emulator, name="never-made", type="ssd", size=20, instance=host, wait_timeout=2)
    assert again["failed"] and "a second one is not created before" in again["msg"], again
    assert len(writes(emulator)) == 1


def test_a_create_answer_without_an_id_is_ambiguous():
    client, session = fake_client(ok([{"name": "data", "status": "creating"}]))
    with pytest.raises(IwinvAmbiguousWriteError, match="does not give the created volume's id"):
        bs.create_block_storage(client, "i-1", "ssd", 20, "data")
    assert len(session.calls) == 1


def test_module_create_rerun_move_and_absent(emulator):
    emulator.config(op_delay=0.1)
    first, second = hosts(emulator)
    created = run(emulator, name="data", type="ssd", size=20, instance=first)
    assert created["changed"] and created["block_storage"]["status"] == "attached"
    assert created["block_storage"]["instance_id"] == first and created["diff"]["before"] == {}

    emulator.clear_requests()
    again = run(emulator, name="data", type="ssd", size=20, instance=first)
    assert again["changed"] is False and len(emulator.requests()) == 1

    emulator.clear_requests()
    by_name = run(emulator, name="data", instance="bs-host-00001")
    assert by_name["changed"] is False and len(emulator.requests()) == 2

    moved = run(emulator, name="data", instance="bs-host-00002")
    assert moved["changed"] and moved["block_storage"]["instance_id"] == second
    assert moved["diff"]["before"]["instance_id"] == first

    emulator.clear_requests()
    gone = run(emulator, name="data", state="absent")
    assert gone["changed"] and gone["block_storage"] == {} and gone["diff"]["after"] == {}
    assert [(r["method"], r["path"].rsplit("/", 1)[-1]) for r in writes(emulator)] == [("POST", "detach"), ("DELETE", gone["diff"]["before"]["id"])]


def test_module_check_mode_predicts_without_writing(emulator):
    first = hosts(emulator, count=1)[0]
    result = run(emulator, name="data", type="ssd", size=20, instance=first, _ansible_check_mode=True)
    assert result["changed"] and result["block_storage"]["instance_id"] == first and result["block_storage"]["id"] is None
    assert writes(emulator) == []


def test_module_refuses_sata_outside_its_zones_without_writing(emulator):
    gasan = hosts(emulator, zone="KR1-Z01", count=1, prefix="bs-gasan")[0]
    result = run(emulator, name="slow", type="sata", size=100, instance=gasan)
    assert result["failed"] and "type 'sata' is not offered in zone KR1-Z01" in result["msg"] and "api_error" not in result
    assert writes(emulator) == []


def test_module_bad_options_fail_before_any_request(emulator):
    result = run(emulator, name="data", type="ssd", size=0, instance="x")
    assert result["failed"] and "size must be a positive number" in result["msg"]
    assert emulator.requests() == []


def test_module_reports_a_failed_attach_in_words(emulator):
    emulator.config(op_delay=0.1)
    first, second = hosts(emulator)
    run(emulator, name="data", type="ssd", size=20, instance=first)
    emulator.fault(method="POST", path="/attach/", action="status", status=400, error_code="LIMIT_EXCEEDED")
    result = run(emulator, name="data", instance=second)
    assert result["failed"] and result["api_error"]["error_code"] == "LIMIT_EXCEEDED"
    assert "attaching block storage 'data'" in result["msg"] and "most volumes it may have" in result["msg"]
    assert "detached from instance %s first" % first in result["msg"]
    assert emulator.secret_key not in json.dumps(result)


def test_module_adopts_an_attach_whose_answer_was_lost(emulator):
    emulator.config(op_delay=0.1)
    first, second = hosts(emulator)
    run(emulator, name="data", type="ssd", size=20, instance=first, state="detached")
    emulator.fault(method="POST", path="/attach/", action="ambiguous")
    emulator.clear_requests()
    result = run(emulator, name="data", instance=second)
    assert result["changed"] and result["block_storage"]["instance_id"] == second
    assert len(writes(emulator)) == 1


def test_module_unknown_id_fails_unless_absent(emulator):
    assert "the API assigns ids" in run(emulator, id="bs-000000000000", type="ssd", size=10, instance="x")["msg"]
    assert run(emulator, id="bs-000000000000", state="absent")["changed"] is False
    assert writes(emulator) == []


def test_module_wait_timeout_names_the_last_status_and_the_seconds(emulator):
    emulator.config(op_delay=0.1)
    first = hosts(emulator, count=1)[0]
    run(emulator, name="data", type="ssd", size=20, instance=first)
    emulator.config(op_delays={"block_storage.detach": 10.0})
    result = run(emulator, name="data", state="detached", wait_timeout=1)
    assert result["failed"] and "timed out after 1 s" in result["msg"] and "(wait_timeout=1)" in result["msg"]
    assert "its last status was 'detaching'" in result["msg"]
    assert "block storage 'data'" in result["msg"]


def test_module_a_description_change_only_warns(emulator):
    emulator.config(op_delay=0.1)
    first = hosts(emulator, count=1)[0]
    run(emulator, name="data", type="ssd", size=20, instance=first, description="old")
    result = run(emulator, name="data", description="new")
    assert result["changed"] is False and result["block_storage"]["description"] == "old"
    assert "used only when creating" in json.dumps(result["warnings"])   # 2.19 warnings are structured


def test_info_filters_and_types(emulator):
    emulator.config(op_delay=0.1)
    first = hosts(emulator, count=1)[0]
    run(emulator, name="fast", type="ssd", size=20, instance=first)
    run(emulator, name="slow", type="sata", size=100, instance=first)

    def info(**filters):
        return run_module(iwinv_block_storage_info.main, emulator_args(emulator, **filters))
    assert sorted(v["name"] for v in info()["block_storages"]) == ["fast", "slow"]
    assert [v["name"] for v in info(type="sata")["block_storages"]] == ["slow"]
    assert info(zone="KR1-Z01")["block_storages"] == [] and [t["type"] for t in info(zone="KR1-Z01")["block_storage_types"]] == ["ssd"]
    assert info(id="bs-000000000000")["block_storages"] == []
    assert info(name="fast")["block_storages"][0]["size"] == 20


def test_a_volume_being_deleted_is_settled_before_its_name_is_judged(emulator):
    """Issue 20: the size of the volume on its way out is not judged; once it is gone, the new one is created."""
    emulator.config(op_delay=0.1, op_delays={"block_storage.delete": 1.5})
    host = hosts(emulator, count=1)[0]
    old = run(emulator, name="data", type="ssd", size=20, instance=host)["block_storage"]
    assert run(emulator, name="data", state="absent", wait=False)["changed"]
    new = run(emulator, name="data", type="ssd", size=30, instance=host)
    assert new["changed"] and new["block_storage"]["size"] == 30 and new["block_storage"]["id"] != old["id"], new


def test_a_volume_named_by_id_that_vanishes_while_settled_is_never_created_again(emulator):
    emulator.config(op_delay=0.1, op_delays={"block_storage.delete": 1.5})
    host = hosts(emulator, count=1)[0]
    old = run(emulator, name="data", type="ssd", size=20, instance=host)["block_storage"]
    run(emulator, id=old["id"], state="absent", wait=False)
    result = run(emulator, id=old["id"], type="ssd", size=20, instance=host)
    assert result["failed"] and "never created again" in result["msg"], result
    assert len([r for r in writes(emulator) if r["path"] == "/v1/block-storages"]) == 1   # the first create only


def test_a_volume_in_error_warns_what_to_do(emulator):
    emulator.config(op_delay=0.1)
    host = hosts(emulator, count=1)[0]
    emulator.fault(method="POST", path="^/v1/block-storages$", action="async_error")
    assert run(emulator, name="broken", type="ssd", size=20, instance=host)["failed"]
    again = run(emulator, name="broken", type="ssd", size=20, instance=host)
    assert "status 'error'" in json.dumps(again["warnings"]) and "delete it" in json.dumps(again["warnings"]), again
