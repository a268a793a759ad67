"""Creates the API refused with an error envelope that names a reason: one read-back, changed=false, no block.

LIVE (REFERENCE.md 2.2, DECISIONS.md D2): a create in a zone the account may not use answers HTTP 500
DEV_CHECK_RETURN (nested code 12, "resource use is restricted in the selected zone") and creates nothing. The
emulator's default restricts zone KR3-Z01 so; for volumes and firewalls a fault rule answers the same envelope
without performing the create. Each refusal must fail at once with changed=false and the API's reason after
exactly one read-back, and an immediate rerun with the same name must create exactly one resource (no journal
entry holds the name for 15 minutes).
"""

import time

import pytest

from harness import count, firewalls_of, instances_of, record, volumes_of

ALLOWED = {"name": "Create in an allowed zone", "iwinv.cloud.iwinv_instance": {
    "name": "app-1", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04", "wait_timeout": 60}}
RESTRICTED = {"name": "Create in the restricted zone", "iwinv.cloud.iwinv_instance": dict(
    ALLOWED["iwinv.cloud.iwinv_instance"], zone="KR3-Z01")}
VOLUME = {"name": "Create a volume", "iwinv.cloud.iwinv_block_storage": {
    "name": "app-1-data", "instance": "app-1", "type": "ssd", "size": 20, "wait_timeout": 60}}
FIREWALL = {"name": "Create a firewall", "iwinv.cloud.iwinv_firewall": {
    "name": "app-fw", "rules": [{"direction": "in", "protocol": "tcp", "port": 22, "cidr": "10.0.0.0/8"}]}}
REFUSAL = {"action": "status", "status": 500, "error_code": "DEV_CHECK_RETURN", "message": "injected refusal"}


def after_the_post(requests, path):
    """The requests that followed the (one) refused POST to `path`."""
    posts = [number for number, entry in enumerate(requests) if entry["method"] == "POST" and entry["path"] == path]
    assert len(posts) == 1 and requests[posts[0]]["status"] == 500, requests
    return requests[posts[0] + 1:]


def assert_refused_once(result, requests, path, read_path):
    """Failed, changed=false, the API's reason and what to do, after one POST and exactly one read-back."""
    assert result.get("failed") and not result.get("changed"), result
    message = result["msg"]
    assert "DEV_CHECK_RETURN" in message and "the API's answer stands: nothing was done" in message, message
    assert "noted on this controller" in message and "may still land" not in message, message
    followed = after_the_post(requests, path)
    assert [(entry["method"], entry["path"]) for entry in followed] == [("GET", read_path)], followed
    return message


def test_a_create_in_a_restricted_zone_fails_at_once_and_a_rerun_elsewhere_creates_one(stack, figures):
    started = time.monotonic()
    refused = stack.playbook([RESTRICTED], name="refused")
    message = assert_refused_once(refused.results["r0"], stack.requests(), "/v1/instances", "/v1/instances")
    assert "choose another zone" in message and "KR3-Z01" in message
    assert instances_of(stack.emulator.state()) == []
    seen = len(stack.requests())
    rerun = stack.playbook([ALLOWED], name="allowed")
    assert rerun.results["r0"]["changed"] and not rerun.results["r0"].get("failed"), rerun.output
    assert "earlier task" not in rerun.output
    assert count(stack.requests()[seen:], "POST", "/v1/instances") == 1
    rows = instances_of(stack.emulator.state())
    assert [(row["name"], row["zone_id"]) for row in rows] == [("app-1", "KR1-Z08")]
    record(figures, "refused instance create (restricted zone)",
           "POST /v1/instances in KR3-Z01 answered 500 DEV_CHECK_RETURN (LIVE), nothing created",
           "failed at once, changed=false, after 1 read-back; a rerun in KR1-Z08 created 1 instance", stack, started,
           faults_survived=0, resources=len(rows), misreported=0)


REFUSED_CREATES = {   # kind: (what the create needs first, its task, its path, the resources in the state, their names)
    "block storage": ([ALLOWED], VOLUME, "/v1/block-storages", volumes_of, lambda row: row["name"]),
    "firewall": ([], FIREWALL, "/v1/security-groups", firewalls_of, lambda row: row["title"]),
    "firewall (/v1/firewall)": ([], FIREWALL, "/v1/firewall", firewalls_of, lambda row: row["title"]),
}


@pytest.mark.parametrize("kind", sorted(REFUSED_CREATES))
def test_a_refused_create_fails_after_one_read_and_a_rerun_creates_one(stack, figures, kind):
    started = time.monotonic()
    needs, task, path, resources, name_of = REFUSED_CREATES[kind]
    if path == "/v1/firewall":
        stack.emulator.config(firewall_family="firewall")
    if needs:
        stack.playbook(needs, name="needs")
        stack.emulator.clear_requests()
    stack.emulator.fault(method="POST", path="^%s$" % path, **REFUSAL)
    refused = stack.playbook([task], name="refused")
    assert_refused_once(refused.results["r0"], stack.requests(), path, path)
    assert resources(stack.emulator.state()) == []
    rerun = stack.playbook([task], name="rerun")
    assert rerun.results["r0"]["changed"] and not rerun.results["r0"].get("failed"), rerun.output
    created = resources(stack.emulator.state())
    assert [name_of(row) for row in created] == ["app-1-data" if kind == "block storage" else "app-fw"]
    record(figures, "refused %s create" % kind, "POST %s answered 500 DEV_CHECK_RETURN, not performed" % path,
           "failed at once, changed=false, after 1 read-back; the rerun created 1 %s" % kind, stack, started,
           faults_survived=0, resources=len(created), misreported=0)
