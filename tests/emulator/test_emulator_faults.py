"""Fault rules of the control API: status (JSON and HTML), drop, ambiguous, delay, async_error, empty_result, vanish."""

import time

import pytest
import requests

from emulator_helpers import UBUNTU_VM, assert_error, create_instance, instance, volume, wait_status, wait_volume


def test_status_fault_json(emulator):
    emulator.fault(method="GET", path="^/v1/zones$", action="status", status=503, error_code="DEV_CHECK_RETURN",
                   headers={"Retry-After": "1"})
    response = emulator.signed("GET", "/v1/zones")
    assert_error(response, 503, "DEV_CHECK_RETURN")
    assert response.headers["Retry-After"] == "1" and response.json()["code"] == "0xc"
    emulator.ok("GET", "/v1/zones")   # count defaults to 1: the rule is spent


def test_status_fault_html_body(emulator):
    emulator.fault(path="^/v1/images", action="status", status=502, body="<html><body>Bad Gateway</body></html>", count=2)
    for _index in range(2):
        response = emulator.signed("GET", "/v1/images")
        assert response.status_code == 502 and response.headers["Content-Type"].startswith("text/html")
        assert "Bad Gateway" in response.text
    emulator.ok("GET", "/v1/images")


def test_fault_matches_method_and_path(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="status", status=500)
    emulator.ok("GET", "/v1/instances")   # other method: not matched, rule kept
    assert emulator.signed("POST", "/v1/instances", form=UBUNTU_VM).status_code == 500
    assert emulator.ok("GET", "/v1/instances")["count"] == 0


def test_faults_apply_after_authentication(emulator):
    emulator.fault(path="^/v1/zones$", action="status", status=503)
    assert_error(emulator.signed("GET", "/v1/zones", secret_key="bad"), 401, "INVALID_SIGNATURE")
    assert emulator.signed("GET", "/v1/zones").status_code == 503


def test_drop(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.signed("POST", "/v1/instances", form=UBUNTU_VM, session=None)
    assert emulator.ok("GET", "/v1/instances")["count"] == 0   # not performed
    log = emulator.requests()
    assert any(e["path"] == "/v1/instances" and e["method"] == "POST" and e["status"] is None for e in log)


def test_drop_after_performing(emulator):
    emulator.fault(method="POST", path="^/v1/security-groups$", action="drop", perform=True)
    with pytest.raises(requests.exceptions.ConnectionError):
        emulator.signed("POST", "/v1/security-groups", json={"title": "dropped", "content": "test"}, session=None)
    assert [f["title"] for f in emulator.ok("GET", "/v1/security-groups")["result"]] == ["dropped"]


def test_ambiguous_performs_then_500(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="ambiguous")
    response = emulator.signed("POST", "/v1/instances", form=UBUNTU_VM)
    assert response.status_code == 500 and response.json()["error_code"] == "DEV_CHECK_RETURN"
    rows = emulator.ok("GET", "/v1/instances")["result"]
    assert len(rows) == 1 and rows[0]["name"] == "web"   # the write happened


def test_empty_result_performs_then_answers_success_without_rows(emulator):
    emulator.fault(method="POST", path="^/v1/security-groups$", action="empty_result")
    response = emulator.signed("POST", "/v1/security-groups", json={"title": "no-id", "content": "test"})
    assert response.status_code == 200 and response.json()["result"] == [] and response.json()["count"] == 0
    assert [f["title"] for f in emulator.ok("GET", "/v1/security-groups")["result"]] == ["no-id"]   # the write happened


def test_a_delay_longer_than_the_client_waits_still_performs_the_write_late(emulator):
    """What a client's timeout looks like from the API: the create lands after the client gave up."""
    emulator.fault(method="POST", path="^/v1/security-groups$", action="delay", seconds=1.0)
    with pytest.raises(requests.exceptions.Timeout):
        emulator.signed("POST", "/v1/security-groups", json={"title": "late", "content": "test"}, session=None,
                        timeout=0.2)
    assert emulator.ok("GET", "/v1/security-groups")["result"] == []
    assert emulator.wait_for(lambda: emulator.ok("GET", "/v1/security-groups")["result"], timeout=5)


def test_delay(emulator):
    emulator.fault(path="^/v1/zones$", action="delay", seconds=0.5)
    start = time.monotonic()
    emulator.ok("GET", "/v1/zones")
    assert time.monotonic() - start >= 0.5


def test_async_error_instance_create(emulator):
    emulator.fault(method="POST", path="^/v1/instances$", action="async_error")
    row = emulator.ok("POST", "/v1/instances", form=UBUNTU_VM)["result"][0]
    assert row["status"] == "building"
    wait_status(emulator, row["instance_id"], "error")
    emulator.ok("DELETE", "/v1/instances/" + row["instance_id"])   # an error instance can be deleted


def test_async_error_shutdown_and_volume_attach(emulator):
    iid = create_instance(emulator)["instance_id"]
    emulator.fault(path="/shutdown$", action="async_error")
    emulator.ok("POST", "/v1/instances/%s/shutdown" % iid)
    wait_status(emulator, iid, "error")
    assert instance(emulator, iid)["status"] == "error"
    emulator.ok("POST", "/v1/instances/%s/start" % iid)   # start recovers from error
    wait_status(emulator, iid, "active")
    vid = emulator.ok("POST", "/v1/block-storages", form={"instance_id": iid, "type": "ssd", "size": "10"})["result"][0]["block_storage_id"]
    wait_volume(emulator, vid, "attached")
    emulator.fault(path="/detach$", action="async_error")
    emulator.ok("POST", "/v1/block-storages/%s/detach" % vid)
    wait_volume(emulator, vid, "error")
    assert volume(emulator, vid)["status"] == "error"


def test_vanish_removes_the_instance_after_the_reads_let_through(emulator):
    """As if deleted from the console while a client waits: the first read sees it, the next finds nothing."""
    iid = create_instance(emulator)["instance_id"]
    vid = emulator.ok("POST", "/v1/block-storages", form={"instance_id": iid, "type": "ssd", "size": "10"})["result"][0]["block_storage_id"]
    emulator.ok("POST", "/v1/instances/%s/reboot" % iid)
    emulator.fault(method="GET", path="^/v1/instances/%s$" % iid, action="vanish", after=1)
    assert instance(emulator, iid)["status"] == "work"   # let through
    assert_error(emulator.signed("GET", "/v1/instances/" + iid), 400, "ID_INVALID")
    state = emulator.state()
    assert iid not in state["instances"] and state["volumes"][vid]["instance_id"] is None   # its volume stays, detached
    assert [entry.get("fault") for entry in emulator.requests() if entry["path"] == "/v1/instances/" + iid][-2:] == [None, "vanish"]
    assert requests.get(emulator.url + "/_emulator/faults", timeout=10).json()["faults"] == []   # spent


def test_vanish_removes_a_volume_and_needs_a_path_that_names_one(emulator):
    iid = create_instance(emulator)["instance_id"]
    vid = emulator.ok("POST", "/v1/block-storages", form={"instance_id": iid, "type": "ssd", "size": "10"})["result"][0]["block_storage_id"]
    emulator.fault(method="GET", path="^/v1/block-storages/", action="vanish")
    assert_error(emulator.signed("GET", "/v1/block-storages/" + vid), 400, "ID_INVALID")
    assert emulator.state()["volumes"] == {} and instance(emulator, iid)["status"] == "active"
    emulator.fault(path="^/v1/zones$", action="vanish")
    assert emulator.signed("GET", "/v1/zones").status_code == 500


def test_bad_fault_rule_refused(emulator):
    response = requests.post(emulator.url + "/_emulator/faults", json={"action": "explode"}, timeout=10)
    assert response.status_code == 400
    response = requests.post(emulator.url + "/_emulator/faults", json={"action": "status", "path": "("}, timeout=10)
    assert response.status_code == 400
    response = requests.post(emulator.url + "/_emulator/faults", json={"action": "vanish", "after": -1}, timeout=10)
    assert response.status_code == 400


def test_clear_faults_and_reset(emulator):
    emulator.fault(path="^/v1/zones$", action="status", status=503, count=5)
    emulator.clear_faults()
    emulator.ok("GET", "/v1/zones")
    emulator.fault(path="^/v1/zones$", action="status", status=503, count=5)
    emulator.config(rate_limit=7)
    emulator.reset(config=False)
    emulator.ok("GET", "/v1/zones")
    assert emulator.config()["rate_limit"] == 7
    emulator.reset(config=True)
    assert emulator.config()["rate_limit"] == 100000
