"""record.py: every check of an iwinv_api_check record maps to the emulator switch that reproduces it (pure)."""

import io
import json

import pytest

import record
import server
from state import DEFAULT_CONFIG

from ansible_collections.iwinv.cloud.plugins.module_utils import _module_api_check as api_check


def success(rows=1, fields=None, **paging):
    entry = {"answered": True, "http_status": 200, "error_code": "SUCCESS", "rows": rows, "fields": fields or {}}
    if paging:
        entry["paging"] = {key: {"type": type(value).__name__.replace("str", "string").replace("int", "integer"),
                                 "value": int(value)} for key, value in paging.items()}
    return entry


def failure(status, error_code, result="object"):
    return {"answered": True, "http_status": status, "error_code": error_code, "result": result}


def a_record(checks=None, **answers):
    return {"format": record.RECORD_FORMAT, "version": 1, "checks": checks or {}, "answers": answers}


def mapped(name, status="ok", check=None, **answers):
    """What one check maps to: (key, value), None (the default is right), or the note."""
    settings, notes = record.check_settings(a_record({name: dict(check or {}, status=status)}, **answers))
    return settings[name] if name in settings else notes


def test_every_check_of_iwinv_api_check_has_a_mapping():
    names = {"signature", "clock_offset"} | set(api_check.LATER_CHECKS)
    assert set(record.CHECK_KEYS) == names


@pytest.mark.parametrize("name, status, check, answers, expected", [
    ("signature", "ok", {}, {}, None),
    ("clock_offset", "ok", {"offset_seconds": 0}, {}, ("clock_offset", 0.0)),
    ("clock_offset", "differs", {"offset_seconds": -900}, {}, ("clock_offset", 900.0)),
    ("envelope", "differs", {}, {}, None),
    ("fields_mask", "differs", {}, {}, None),
    ("error_envelope", "ok", {}, {"unknown_image": failure(400, "ID_INVALID")}, ("error_result", "object")),
    ("error_envelope", "differs", {}, {"unknown_instance": failure(400, "ID_INVALID", result="string")},
     ("error_result", "string")),
    ("page_size_echo", "ok", {}, {"small_page": success(2, page_size=2)}, ("profile", "default")),
    ("page_size_echo", "differs", {}, {"small_page": success(2, page_size="2")}, ("profile", "alternative")),
    ("count_per_page", "ok", {}, {"small_page": success(2, count=2)}, ("profile", "default")),
    ("count_per_page", "differs", {}, {"small_page": success(2, count=7)}, ("profile", "alternative")),
    ("page_size_cap", "ok", {}, {"large_page": success(4, page_size=4, total=7)}, ("page_size_cap", 4)),
    ("page_size_cap", "differs", {}, {"large_page": success(4, page_size="1000", total=7)}, ("page_size_cap", 4)),
    ("page_size_cap", "unknown", {}, {"large_page": success(7, page_size=100, total=7)},
     ["page_size_cap: unknown in the record, left at the default"]),
    ("instance_statuses", "ok", {}, {}, ("profile", "default")),
    ("instance_statuses", "differs", {}, {}, ("profile", "alternative")),
    ("block_storage_statuses", "differs", {}, {}, ("profile", "alternative")),
    ("unknown_instance", "ok", {}, {"unknown_instance": failure(400, "ID_INVALID")}, ("profile", "default")),
    ("unknown_image", "differs", {}, {"unknown_image": success(0)}, ("profile", "alternative")),
    ("unknown_flavor", "ok", {}, {"unknown_flavor": success(0)}, ("profile", "default")),
    ("unknown_flavor", "differs", {}, {"unknown_flavor": failure(400, "ID_INVALID")}, ("profile", "alternative")),
    ("firewall_family", "ok", {}, {"security_groups": success(0)}, ("firewall_family", "security-groups")),
    ("firewall_family", "differs", {}, {"security_groups": failure(404, "NOT_FOUND"), "firewall": success(0)},
     ("firewall_family", "firewall")),
    ("user_script_list", "ok", {}, {"user_scripts": failure(404, "NOT_FOUND")}, ("user_script_list", "missing")),
    ("user_script_list", "differs", {}, {"user_scripts": success(1)}, ("user_script_list", "served")),
    ("bill_detail", "ok", {}, {"bill_detail": failure(403, "CHECK_IP")}, ("bill_detail", "check_ip")),
    ("bill_detail", "differs", {}, {"bill_detail": success(1)}, ("bill_detail", "served")),
    ("supporting_images", "ok", {}, {"small_page": success(2, {"flavor_id": "string"})},
     ("supporting_images", False)),
    ("supporting_images", "differs", {}, {"small_page": success(2, {"flavor_id": "string"}),
                                          "large_page": success(7, {"supporting_images": "array"})},
     ("supporting_images", True)),
    ("volume_paging", "ok", {}, {"block_storages": success(3)}, ("volume_page_size", 0)),
    ("volume_paging", "differs", {}, {"block_storages": success(3, page_no=1, page_size=50)},
     ("volume_page_size", 50)),
    ("page_size_limit", "ok", {}, {"instances": success(2)}, ("page_size_limit", 0)),
    ("page_size_limit", "differs", {}, {"instances": failure(400, "CHECK_PARAM"), "instances_fallback": success(2)},
     ("page_size_limit", 50)),
    ("page_size_limit", "differs", {}, {"instances": failure(400, "CHECK_PARAM"),
                                        "instances_fallback": failure(400, "CHECK_PARAM")}, ("page_size_limit", 2)),
    ("rate_limit_headers", "ok", {}, {}, ("profile", "default")),
    ("rate_limit_headers", "differs", {}, {}, ("profile", "alternative")),
])
def test_each_check_maps_to_the_switch_value_that_reproduces_it(name, status, check, answers, expected):
    assert mapped(name, status, check, **answers) == expected


@pytest.mark.parametrize("name, answers, words", [
    ("signature", {}, "the first request was refused"),
    ("firewall_family", {"firewall": failure(404, "NOT_FOUND"), "security_groups": failure(404, "NOT_FOUND")},
     "neither firewall family"),
    ("bill_detail", {"bill_detail": failure(400, "ID_INVALID")}, "neither 403 CHECK_IP"),
    ("user_script_list", {"user_scripts": {"answered": False}}, "was not answered"),
    ("unknown_image", {"unknown_image": failure(500, "DEV_CHECK_RETURN")}, "neither 200 [] nor 400"),
])
def test_an_answer_no_switch_reproduces_is_a_note_and_the_default(name, answers, words):
    notes = mapped(name, "differs", **answers)
    assert len(notes) == 1 and notes[0].startswith(name + ": ") and words in notes[0]


def test_an_unknown_check_is_left_at_the_default_with_a_note():
    assert mapped("user_script_list", "unknown", user_scripts=success(1)) == [
        "user_script_list: unknown in the record, left at the default"]
    assert "no emulator switch" in mapped("a_future_check", "ok")[0]


def test_the_profile_is_the_majority_of_its_votes_and_the_outvoted_are_named():
    answers = {"small_page": success(2, page_size="2", count=9), "unknown_image": success(0)}
    checks = {"page_size_echo": {"status": "differs"}, "count_per_page": {"status": "differs"},
              "unknown_image": {"status": "differs"}, "instance_statuses": {"status": "ok"},
              "firewall_family": {"status": "ok"}}
    config, notes = record.config_from_record(a_record(checks, security_groups=success(0), **answers))
    assert config == {"profile": "alternative", "firewall_family": "security-groups"}
    assert notes == ["the alternative profile does not answer instance_statuses as recorded"]
    tie = {"page_size_echo": {"status": "differs"}, "instance_statuses": {"status": "ok"}}
    assert record.config_from_record(a_record(tie, **answers))[0] == {"profile": "default"}


def test_the_server_applies_the_switches_it_has_and_names_the_others(tmp_path):
    path = tmp_path / "record.json"
    checks = {"page_size_cap": {"status": "ok"}, "user_script_list": {"status": "ok"}}
    path.write_text(json.dumps(a_record(checks, large_page=success(4, page_size=4, total=7),
                                        user_scripts=failure(404, "NOT_FOUND"))), encoding="utf-8")
    log = io.StringIO()
    config = server.config_from_record(dict(DEFAULT_CONFIG, op_delays={}), str(path), log=log)
    assert config["page_size_cap"] == 4
    if "user_script_list" in DEFAULT_CONFIG:   # the switch of issue 24 item 2, once merged
        assert config["user_script_list"] == "missing" and log.getvalue() == ""
    else:
        assert "user_script_list: this emulator has no such switch" in log.getvalue()


@pytest.mark.parametrize("content, words", [("{", "not JSON"), ('{"format": "other"}', "not an iwinv_api_check"),
                                            ("[]", "not an iwinv_api_check"), ("x" * (2 << 20), "larger than")])
def test_a_file_that_is_no_record_is_refused(tmp_path, content, words):
    path = tmp_path / "record.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(record.RecordError, match=words):
        record.load_record(str(path))
