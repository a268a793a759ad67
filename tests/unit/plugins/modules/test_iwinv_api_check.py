# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_api_check end to end against the emulator: both profiles, the request budget, no secret in the result.

The checks that differ follow from the emulator's switches (expected_differs): so these tests hold before and after
the issue 24 switches (error_result, user_script_list, ...) exist; an absent key means the emulator's old answer.
"""

from __future__ import annotations

import json

from ansible_collections.iwinv.cloud.plugins.modules.iwinv_api_check import main

from module_runner import emulator_args, run_module

VM = {"zone_id": "KR1-Z08", "image_id": "img-ubuntu-2404", "flavor_id": "std.1c1g", "name": "checked"}
TOLERATED_ON_ALTERNATIVE = {"page_size_echo", "count_per_page", "instance_statuses",
                            "block_storage_statuses", "unknown_instance", "unknown_image", "unknown_flavor"}
BASE_REQUESTS = 12   # the 11 fixed GETs and the detail of the first bill (the emulator has bills)


def expected_differs(config):
    """The checks that differ on the emulator with this config (a switch it does not have yet: its old answer)."""
    alternative = config.get("profile") == "alternative"
    differs = TOLERATED_ON_ALTERNATIVE | {"rate_limit_headers"} if alternative else set()
    switches = {"error_envelope": config.get("error_result", "object" if alternative else "string") == "string",
                "user_script_list": config.get("user_script_list", "served") == "served",
                "bill_detail": config.get("bill_detail", "served") == "served",
                "supporting_images": bool(config.get("supporting_images", True)),
                "volume_paging": bool(config.get("volume_page_size", 0)),
                "page_size_limit": bool(config.get("page_size_limit", 0)),
                "page_size_cap": bool(config.get("page_size_limit", 0)),
                "firewall_family": config.get("firewall_family", "security-groups") == "firewall"}
    return differs | {name for name, differ in switches.items() if differ}


def expected_requests(config):
    return BASE_REQUESTS + bool(config.get("page_size_limit", 0)) + (config.get("firewall_family", "security-groups") == "firewall")


def an_instance_with_a_volume(emulator):
    emulator.config(op_delays={"instance.create": 0.05, "block_storage.create": 0.05})
    instance = emulator.ok("POST", "/v1/instances", form=VM)["result"][0]
    emulator.wait_for(lambda: emulator.ok("GET", "/v1/instances/" + instance["instance_id"])["result"][0]["status"] == "active")
    emulator.ok("POST", "/v1/block-storages", form={"instance_id": instance["instance_id"], "type": "ssd", "size": "10"})
    emulator.wait_for(lambda: "creating" not in str(emulator.ok("GET", "/v1/block-storages")["result"]))
    return instance


def statuses(result):
    return {check["name"]: check["status"] for check in result["checks"]}


def test_default_profile_differs_only_where_its_switches_say_in_gets_that_never_ask_for_secrets(emulator):
    instance = an_instance_with_a_volume(emulator)
    config = emulator.config(page_size_cap=4)
    emulator.clear_requests()
    result = run_module(main, emulator_args(emulator, _ansible_check_mode=True))
    assert result["changed"] is False
    differs = expected_differs(config)
    assert {name for name, status in statuses(result).items() if status != "ok"} == differs, result["checks"]
    if not config.get("page_size_limit"):
        assert [c["observed"] for c in result["checks"] if c["name"] == "page_size_cap"][0].startswith("cap 4 (echoed)")
    requests = expected_requests(config)
    assert result["summary"] == {"ok": 20 - len(differs), "differs": len(differs), "unknown": 0, "requests": requests}
    log = emulator.requests()
    assert len(log) == requests and {entry["method"] for entry in log} == {"GET"}
    assert not any(entry["path"].endswith("/remote-console") for entry in log)
    assert {entry["query"].get("fields") for entry in log if entry["path"] == "/v1/instances"} == {"11"}
    secrets = emulator.state()["instances"][instance["instance_id"]]
    assert secrets["default_account"]["password"] not in json.dumps(result)
    assert secrets["vnc_token"] not in json.dumps(result) and emulator.secret_key not in json.dumps(result)


def test_alternative_profile_differs_where_it_answers_the_other_way(emulator):
    emulator.config(profile="alternative")
    an_instance_with_a_volume(emulator)
    config = emulator.config(op_delays={"instance.create": 60}, page_size_cap=4)
    emulator.ok("POST", "/v1/instances", form=dict(VM, name="still-building"))
    emulator.clear_requests()
    result = run_module(main, emulator_args(emulator))
    checks = {check["name"]: check for check in result["checks"]}
    differs = {name for name, check in checks.items() if check["status"] == "differs"}
    assert differs == expected_differs(config)
    assert all(checks[name]["advice"].startswith("tolerated") for name in differs - {"rate_limit_headers"})
    assert checks["block_storage_statuses"]["observed"] == "seen: in-use"
    assert checks["instance_statuses"]["observed"] == "seen: active, spawning"
    if not config.get("page_size_limit"):
        assert checks["page_size_cap"]["observed"].startswith("cap 4 (echoed)")   # below 10 the profile echoes it
    assert checks["rate_limit_headers"]["observed"].startswith("x-ratelimit-limit: ")
    assert result["summary"]["requests"] == len(emulator.requests()) == expected_requests(config)


def test_a_cap_below_the_default_page_size_is_echoed_on_the_alternative_profile_without_a_limit(emulator):
    emulator.config(profile="alternative", page_size_cap=4, page_size_limit=0)
    checks = {check["name"]: check for check in run_module(main, emulator_args(emulator))["checks"]}
    assert checks["page_size_cap"]["observed"].startswith("cap 4 (echoed)")   # below 10 the profile echoes it


def test_a_docs_firewall_only_api_costs_one_more_request(emulator):
    emulator.config(firewall_family="firewall")
    result = run_module(main, emulator_args(emulator))
    check = [c for c in result["checks"] if c["name"] == "firewall_family"][0]
    assert check["status"] == "differs" and "/v1/security-groups: HTTP 404 NOT_FOUND" in check["observed"]
    assert check["advice"].startswith("tolerated")
    paths = [entry["path"] for entry in emulator.requests()]
    assert paths.index("/v1/firewall") > paths.index("/v1/security-groups")   # the docs' family only after a 404
    assert result["summary"]["requests"] == expected_requests(emulator.config()) == BASE_REQUESTS + 1


def test_a_wrong_secret_stops_after_one_request_and_is_not_a_task_failure(emulator):
    result = run_module(main, emulator_args(emulator, secret_key="wrong-secret-5b1d"))
    assert not result.get("failed")
    signature = result["checks"][0]
    assert (signature["status"], signature["observed"]) == ("differs", "HTTP 401 INVALID_SIGNATURE")
    assert "wrong-secret-5b1d" not in json.dumps(result)
    assert len(emulator.requests()) == 1 and result["summary"] == {"ok": 1, "differs": 1, "unknown": 18, "requests": 1}


def test_a_skewed_clock_is_measured_even_when_refused(emulator):
    emulator.config(clock_offset=900)
    result = run_module(main, emulator_args(emulator))
    clock = [c for c in result["checks"] if c["name"] == "clock_offset"][0]
    assert clock["status"] == "differs" and "behind the API server" in clock["observed"] and "NTP" in clock["advice"]
    assert 890 <= int(clock["observed"].split()[1]) <= 910


def test_no_api_gives_unknown_not_a_crash(emulator):
    result = run_module(main, emulator_args(emulator, api_url="http://127.0.0.1:9", api_timeout=2))
    assert result["checks"][0]["status"] == "unknown" and "GET /v1/zones failed" in result["checks"][0]["observed"]
