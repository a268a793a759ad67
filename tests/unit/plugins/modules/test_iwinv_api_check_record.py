# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_api_check's record: sanitized, written owner-only and never through a link, and a round trip through the
emulator (config X -> record -> emulator --from-record -> the same record and the same check statuses)."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest

from ansible_collections.iwinv.cloud.plugins.modules.iwinv_api_check import main

from fixture import EmulatorProcess
from module_runner import emulator_args, run_module

VM = {"zone_id": "KR1-Z08", "image_id": "img-ubuntu-2404", "flavor_id": "std.1c1g"}

# Values the record must never hold, planted in the emulator: names, ids, amounts, dates, addresses, contents.
PLANTED = {
    "bills": [{"bill_id": "BILL-ZZ7391", "usage_start": "2031-06-01", "usage_end": "2031-06-30",
               "bill_date": "2031-07-19", "type": "regular", "payment_status": "paid", "name": "zz-bill-name-5521",
               "price": 987654, "vat": 98765, "payment_price": 1086419, "currency": "KRW", "date_paid": "2031-07-23",
               "payment_method": {"type": "card", "card_number": "zz-card-4242"},
               "invoice_url": "https://zz-invoice.example.invalid/7391",
               "groups": [{"name": "zz-group-name", "items": [{"name": "zz-item-name", "price": 876543}]}]}],
    "user_scripts": [{"user_script_id": "zz-script-id-6610", "name": "zz-script-name-6611",
                      "content": "echo zz-script-content", "created_at": "2031-05-04 03:02:01"}],
}
INSTANCE_NAME = "zz-instance-name-8841"
VOLUME_NAME = "zz-volume-name-3302"


def run_check(emulator, path, **options):
    return run_module(main, emulator_args(emulator, record=str(path), **options))


def read(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def some_resources(emulator, name=INSTANCE_NAME, volume=VOLUME_NAME):
    """An active instance with a volume, and a second instance still building: every check has rows to look at."""
    offset = emulator.config()["clock_offset"]

    def ok(method, path, **kwargs):   # signed with the emulator's own clock, even when it is skewed
        return emulator.ok(method, path, timestamp=int(time.time() + offset), **kwargs)

    emulator.config(op_delays={"instance.create": 0.05, "block_storage.create": 0.05})
    instance = ok("POST", "/v1/instances", form=dict(VM, name=name))["result"][0]
    emulator.wait_for(lambda: ok("GET", "/v1/instances/" + instance["instance_id"])["result"][0]["status"] == "active")
    ok("POST", "/v1/block-storages", form={"instance_id": instance["instance_id"], "type": "ssd", "size": "10",
                                           "name": volume})
    emulator.wait_for(lambda: "creating" not in str(ok("GET", "/v1/block-storages")["result"]))
    emulator.config(op_delays={"instance.create": 60})
    ok("POST", "/v1/instances", form=dict(VM, name=name + "-2"))
    return instance


@pytest.fixture
def planted(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(PLANTED), encoding="utf-8")
    process = EmulatorProcess(seed=seed)
    try:
        yield process
    finally:
        process.stop()


def test_the_record_holds_field_names_and_types_but_no_value_of_the_account(planted, tmp_path):
    # the documented answers carry the most values to leave out; the string error result is checked below
    planted.config(bill_detail="served", user_script_list="served", error_result="string")
    instance = some_resources(planted)
    path = tmp_path / "record.json"
    result = run_check(planted, path)
    assert result["changed"] is True and not result.get("failed")
    text = read(path)
    state = planted.state()
    volume = list(state["volumes"].values())[0]
    server = state["instances"][instance["instance_id"]]
    never = ["BILL-ZZ7391", "zz-", "987654", "98765", "1086419", "876543", "2031", "KRW", "regular",
             "std.1c1g", "img-ubuntu-2404", "KR1-Z08", "https:", instance["instance_id"],
             volume["block_storage_id"], server["private"]["address"], server["public"],
             server["default_account"]["password"], server["vnc_token"], planted.secret_key, planted.access_key,
             "iwinv-api-check-0000", "127.0.0.1", "ID_INVALID: ", "not found"]
    assert [value for value in never if value in text] == []
    record = json.loads(text)
    assert record == json.loads(json.dumps(result["record"]))
    bills, detail = record["answers"]["bills"], record["answers"]["bill_detail"]
    assert bills["fields"]["price"] == "integer" and bills["fields"]["bill_id"] == "string"
    assert bills["paging"]["page_size"] == {"type": "string", "value": 1}   # the bill list echoes strings
    assert detail["fields"]["groups"] == "array" and detail["fields"]["payment_method.card_number"] == "string"
    instances = record["answers"]["instances"]
    assert instances["fields"] == {"instance_id": "string", "name": "string", "status": "string"}
    assert instances["statuses"] == ["active", "building"] and instances["paging"]["page_size"]["value"] == 100
    assert record["answers"]["block_storages"]["fields"]["size"] == "integer"
    assert record["answers"]["unknown_image"]["result"] == "string"
    assert record["checks"]["signature"] == {"status": "ok"}


def test_the_file_is_owner_only_rewritten_only_when_it_changes_and_check_mode_writes_nothing(emulator, tmp_path):
    path = tmp_path / "record.json"
    dry = run_check(emulator, path, _ansible_check_mode=True)
    assert dry["changed"] is True and not path.exists() and dry["record"]["version"] == 1
    assert run_check(emulator, path)["changed"] is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert run_check(emulator, path)["changed"] is False
    assert run_check(emulator, path, _ansible_check_mode=True)["changed"] is False
    path.chmod(0o644)
    emulator.config(firewall_family="firewall")
    assert run_check(emulator, path)["changed"] is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert json.loads(read(path))["checks"]["firewall_family"]["status"] == "differs"
    assert sorted(os.listdir(tmp_path)) == ["record.json"]   # no temporary file left behind


@pytest.mark.parametrize("make", ["link", "dangling link", "directory", "missing directory"])
def test_a_link_or_a_directory_is_refused_before_any_request(emulator, tmp_path, make):
    target = tmp_path / "target"
    target.write_text("keep me", encoding="utf-8")
    path = tmp_path / "record.json"
    if make == "link":
        path.symlink_to(target)
    elif make == "dangling link":
        path.symlink_to(tmp_path / "nowhere")
    elif make == "directory":
        path.mkdir()
    else:
        path = tmp_path / "missing" / "record.json"
    emulator.clear_requests()
    result = run_check(emulator, path)
    assert result["failed"] and result["msg"].startswith("cannot write the record to %s (" % path)
    assert emulator.requests() == [] and read(target) == "keep me"
    assert not (tmp_path / "nowhere").exists()


# --- the round trip --------------------------------------------------------------------------------------------
# Each case: emulator config X. The record of a run against X must start an emulator (--from-record) that gives
# the same record and the same check statuses. After the issue 24 switches are merged, add their cases here:
# error_result, user_script_list, bill_detail, supporting_images, volume_page_size, page_size_limit (see the
# report of branch wp3).
ROUND_TRIP = [
    pytest.param({}, id="default"),
    pytest.param({"profile": "alternative"}, id="alternative"),
    pytest.param({"firewall_family": "firewall"}, id="docs-firewall"),
    pytest.param({"firewall_family": "security-groups"}, id="security-groups"),
    pytest.param({"page_size_cap": 4}, id="page_size_cap"),
    pytest.param({"profile": "alternative", "page_size_cap": 4, "page_size_limit": 0,
                  "firewall_family": "security-groups"}, id="alternative+cap+security-groups"),
    pytest.param({"clock_offset": 900}, id="clock_offset"),
] + [
    # The LIVE points of the default profile, each with its other answer (SWITCHES in the emulator's profiles).
    pytest.param({key: value}, id="%s=%s" % (key, value)) for key, value in [
        ("error_result", "string"), ("error_result", "object"),
        ("user_script_list", "served"), ("user_script_list", "missing"),
        ("bill_detail", "served"), ("bill_detail", "check_ip"),
        ("supporting_images", True), ("supporting_images", False),
        ("volume_page_size", 50), ("volume_page_size", 0),
        ("page_size_limit", 50), ("page_size_limit", 0),
    ]
]


def checked(emulator, path):
    some_resources(emulator)
    result = run_check(emulator, path)
    assert not result.get("failed"), result
    return json.loads(read(path)), {check["name"]: check["status"] for check in result["checks"]}


@pytest.mark.parametrize("config", ROUND_TRIP)
def test_an_emulator_started_from_a_record_answers_as_recorded(emulator, tmp_path, config):
    emulator.config(**config)
    first = tmp_path / "first.json"
    record, statuses = checked(emulator, first)
    replay = EmulatorProcess(extra_args=["--from-record", str(first)])
    try:
        replayed = replay.config()
        assert {key: replayed[key] for key in config} == config
        again, again_statuses = checked(replay, tmp_path / "second.json")
    finally:
        replay.stop()
    assert again_statuses == statuses
    assert again == record
