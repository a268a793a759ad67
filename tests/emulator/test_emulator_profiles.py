"""The alternative profile answers every DECISIONS.md "Tolerate" point the other way; the default is untouched."""

import pytest

from emulator_helpers import assert_error
from fixture import EmulatorProcess

KOREAN_ID_INVALID = "유효하지 않은 ID 입니다."

FORM = {"zone_id": "KR1-Z08", "image_id": "img-ubuntu-2404", "flavor_id": "std.1c1g", "name": "alt-1"}


@pytest.fixture
def alternative(emulator):
    emulator.config(profile="alternative")
    return emulator


OBSERVED = {"error_result": "object", "restricted_zones": ["KR3-Z01"], "user_script_list": "missing",
            "bill_detail": "check_ip", "supporting_images": False}
DOCUMENTED = {"error_result": "string", "restricted_zones": [], "user_script_list": "served",
              "bill_detail": "served", "supporting_images": True}


def observed(config):
    return dict((key, config[key]) for key in OBSERVED)


def test_selecting_a_profile_sets_its_config_and_back(emulator):
    assert observed(emulator.config()) == OBSERVED   # the default is the API as observed (LIVE)
    config = emulator.config(profile="alternative")
    assert (config["profile"], config["page_size_cap"], config["rate_limit_status"]) == ("alternative", 100, 400)
    assert observed(config) == DOCUMENTED
    assert (config["volume_page_size"], config["page_size_limit"]) == (50, 50)
    config = emulator.config(profile="default")
    assert (config["profile"], config["rate_limit_status"]) == ("default", 429)
    assert observed(config) == OBSERVED
    assert (config["volume_page_size"], config["page_size_limit"]) == (0, 0)
    assert emulator.config(rate_limit_status=503, profile="alternative")["rate_limit_status"] == 503   # explicit value wins


def test_unknown_profile_or_family_is_refused(emulator):
    for body in ({"profile": "lenient"}, {"firewall_family": "acl"}, {"error_result": "html"},
                 {"user_script_list": True}, {"bill_detail": "denied"}):
        response = emulator.control.put(emulator.url + "/_emulator/config", json=body, timeout=30)
        assert response.status_code == 400 and "must be one of" in response.json()["error"]
    for body in ({"restricted_zones": "KR3-Z01"}, {"restricted_zones": [1]}, {"supporting_images": "yes"}):
        response = emulator.control.put(emulator.url + "/_emulator/config", json=body, timeout=30)
        assert response.status_code == 400 and "must be" in response.json()["error"]


def test_a_capped_page_echoes_the_request_as_strings_and_counts_the_total(alternative):
    alternative.config(page_size_cap=10, page_size_limit=0)   # the cap, not the limit: 100 is asked
    body = alternative.ok("GET", "/v1/bill", query={"page_size": "100"})
    assert len(body["result"]) == 10
    assert (body["page_no"], body["page_size"], body["count"]) == ("1", "100", 12)
    last = alternative.ok("GET", "/v1/bill", query={"page_size": "100", "page_no": "2"})
    assert len(last["result"]) == 2


def test_a_cap_below_the_default_page_size_is_echoed_as_it_is(alternative):
    alternative.config(page_size_cap=4, page_size_limit=0)
    body = alternative.ok("GET", "/v1/flavors", query={"page_size": "100"})
    assert len(body["result"]) == 4
    assert (body["page_no"], body["page_size"], body["count"], body["total"]) == ("1", "4", 5, 5)


def test_default_paging_is_unchanged(emulator):
    body = emulator.ok("GET", "/v1/flavors", query={"page_size": "1000"})
    assert (len(body["result"]), body["page_no"], body["page_size"], body["count"]) == (5, 1, 100, 5)


@pytest.mark.parametrize("path", ["/v1/instances/nope", "/v1/images/nope", "/v1/block-storages/nope", "/v1/bill/nope"])
def test_unknown_ids_answer_an_empty_list_instead_of_id_invalid(alternative, path):
    body = alternative.ok("GET", path)
    assert body["result"] == [] and body["count"] == 0


def assert_korean_error(response, status, error_code):
    body = response.json()
    assert (response.status_code, body["error_code"]) == (status, error_code), body
    assert body["result"] == {"code": int(body["code"], 16), "message": body["message"]}
    return body


def assert_string_error(response, status, error_code):
    body = response.json()
    assert (response.status_code, body["error_code"], body["result"]) == (status, error_code, "error"), body
    return body


@pytest.mark.parametrize("path", ["/v1/flavors/nope", "/v1/firewall/nope"])
def test_empty_detail_answers_become_id_invalid(alternative, path):
    assert "not found" in assert_string_error(alternative.signed("GET", path), 400, "ID_INVALID")["message"]


def test_writes_on_unknown_ids_keep_their_error(alternative):
    assert_string_error(alternative.signed("POST", "/v1/instances/nope/start"), 400, "ID_INVALID")


def test_default_errors_are_korean_with_an_object_result(emulator):
    response = emulator.signed("GET", "/v1/zones", secret_key="wrong")
    body = assert_korean_error(response, 401, "INVALID_SIGNATURE")
    assert body["message"] == "서명이 올바르지 않습니다." and body["result"]["code"] == 8
    body = assert_korean_error(emulator.signed("GET", "/v1/images/nope"), 400, "ID_INVALID")
    assert body["message"] == KOREAN_ID_INVALID


def test_alternative_errors_are_the_string_result(alternative):
    response = alternative.signed("GET", "/v1/zones", secret_key="wrong")
    assert "signature" in assert_string_error(response, 401, "INVALID_SIGNATURE")["message"]
    assert response.headers["X-RateLimit-Limit"]


def test_rate_limit_is_a_400_with_retry_after(alternative):
    alternative.config(rate_limit=1)
    alternative.ok("GET", "/v1/zones")
    response = alternative.signed("GET", "/v1/zones")
    assert_string_error(response, 400, "LIMIT_EXCEEDED")
    assert response.headers["Retry-After"] == "2" and response.headers["X-RateLimit-Limit"] == "1"


def test_default_has_no_rate_limit_headers(emulator):
    emulator.config(rate_limit=1)
    assert "X-RateLimit-Limit" not in emulator.signed("GET", "/v1/zones").headers
    response = emulator.signed("GET", "/v1/zones")
    assert_error(response, 429, "LIMIT_EXCEEDED")
    assert "Retry-After" not in response.headers


def test_statuses_use_other_words(alternative):
    alternative.config(op_delays={"instance.create": 0.5, "block_storage.create": 0.5, "block_storage.detach": 30})
    created = alternative.ok("POST", "/v1/instances", form=FORM)["result"][0]
    assert created["status"] == "spawning"
    instance_id = created["instance_id"]
    alternative.wait_for(lambda: alternative.ok("GET", "/v1/instances/" + instance_id)["result"][0]["status"] == "active")
    volume = alternative.ok("POST", "/v1/block-storages", form={"instance_id": instance_id, "type": "ssd", "size": "10"})
    volume_id = volume["result"][0]["block_storage_id"]
    alternative.wait_for(lambda: alternative.ok("GET", "/v1/block-storages/" + volume_id)["result"][0]["status"] == "in-use")
    nested = alternative.ok("GET", "/v1/instances/" + instance_id, query={"fields": "8200"})["result"][0]
    assert [v["status"] for v in nested["block_storage"]] == ["in-use"]
    alternative.ok("POST", "/v1/block-storages/%s/detach" % volume_id)
    detaching = alternative.ok("GET", "/v1/block-storages/" + volume_id)["result"][0]
    assert (detaching["status"], detaching["instance_id"]) == ("detaching", None)
    assert alternative.state()["volumes"][volume_id]["instance_id"] == instance_id   # only the answer differs


def test_the_default_security_groups_family_refuses_the_firewall_paths(emulator):
    assert emulator.config()["firewall_family"] == "security-groups"
    assert_error(emulator.signed("GET", "/v1/firewall"), 404, "NOT_FOUND")
    assert_error(emulator.signed("POST", "/v1/firewall", json={"title": "web-fw"}), 404, "NOT_FOUND")
    assert emulator.state()["firewalls"] == {}
    assert emulator.ok("GET", "/v1/security-groups", query={"page_size": "1"})["result"] == []


def test_the_firewall_family_and_the_alternative_profile_have_no_security_groups(emulator):
    emulator.config(firewall_family="firewall")
    assert_error(emulator.signed("GET", "/v1/security-groups"), 404, "NOT_FOUND")
    assert emulator.ok("GET", "/v1/firewall")["result"] == []
    emulator.config(firewall_family="security-groups")
    assert emulator.config(profile="alternative")["firewall_family"] == "firewall"
    assert_error(emulator.signed("GET", "/v1/security-groups"), 404, "NOT_FOUND")


def test_a_create_in_a_restricted_zone_is_refused_and_creates_nothing(emulator):
    form = dict(FORM, zone_id="KR3-Z01")
    body = assert_korean_error(emulator.signed("POST", "/v1/instances", form=form), 500, "DEV_CHECK_RETURN")
    assert body["result"]["code"] == 12 and emulator.state()["instances"] == {}
    assert body["message"] == "선택하신 존에서는 자원 사용이 제한되어 있습니다."   # "resource use is restricted ..."
    emulator.fault(method="POST", path="^/v1/block-storages$", action="status", status=500)
    other = assert_korean_error(emulator.signed("POST", "/v1/block-storages", form={}), 500, "DEV_CHECK_RETURN")
    assert other["message"] != body["message"]
    emulator.config(restricted_zones=[])
    assert emulator.ok("POST", "/v1/instances", form=form)["result"][0]["name"] == "alt-1"


def test_a_restricted_zone_is_checked_after_the_combination(emulator):
    form = dict(FORM, zone_id="KR3-Z01", image_id="img-rocky-9")   # Rocky is not offered there
    assert_korean_error(emulator.signed("POST", "/v1/instances", form=form), 400, "UNAVAILABLE_COMBINATION")


@pytest.mark.parametrize("profile", ["default", "alternative"])
def test_bulk_instances_avoid_restricted_zones(emulator, profile):
    emulator.config(profile=profile)
    emulator.bulk_instances(8)
    assert {row["zone_id"] for row in emulator.state()["instances"].values()} == {"KR1-Z01", "KR1-Z08", "KR2-Z01"}


def test_the_user_script_list_is_missing_unless_served(emulator):
    assert_korean_error(emulator.signed("GET", "/v1/instance/script"), 404, "NOT_FOUND")
    created = emulator.ok("POST", "/v1/instances", form=dict(FORM, user_script_id="script-bootstrap"))["result"][0]
    assert created["user_script_id"] == "script-bootstrap"   # a script given by id still works
    unknown = emulator.signed("POST", "/v1/instances", form=dict(FORM, user_script_id="nope"))
    assert_korean_error(unknown, 400, "ID_INVALID")
    emulator.config(user_script_list="served")
    assert len(emulator.ok("GET", "/v1/instance/script")["result"]) == 2


def test_the_bill_detail_answers_check_ip_unless_served(emulator):
    bill_id = emulator.ok("GET", "/v1/bill")["result"][0]["bill_id"]
    assert assert_korean_error(emulator.signed("GET", "/v1/bill/" + bill_id), 403, "CHECK_IP")["result"]["code"] == 9
    emulator.ok("GET", "/v1/bill/live")
    emulator.config(bill_detail="served")
    assert emulator.ok("GET", "/v1/bill/" + bill_id)["result"][0]["groups"]


def test_flavors_carry_supporting_images_only_when_switched_on(emulator):
    rows = emulator.ok("GET", "/v1/flavors")["result"] + emulator.ok("GET", "/v1/flavors/std.1c1g")["result"]
    assert not any("supporting_images" in row for row in rows)
    form = dict(FORM, image_id="img-windows-2022")   # std.1c1g does not take Windows: the API still decides
    assert_korean_error(emulator.signed("POST", "/v1/instances", form=form), 400, "UNAVAILABLE_COMBINATION")
    emulator.config(supporting_images=True)
    assert "img-windows-2022" not in emulator.ok("GET", "/v1/flavors/std.1c1g")["result"][0]["supporting_images"]


def test_config_options_on_the_command_line():
    process = EmulatorProcess(extra_args=["--profile", "alternative", "--config", "restricted_zones=[\"KR1-Z01\"]",
                                          "--config", "bill_detail=check_ip"])
    try:
        config = process.config()
        assert (config["restricted_zones"], config["bill_detail"], config["user_script_list"]) == (
            ["KR1-Z01"], "check_ip", "served")
    finally:
        process.stop()
