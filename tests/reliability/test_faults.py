"""Transient trouble on the way to the API: tasks still succeed, within their wait budget."""

import time

from harness import count, instances_of, record

CREATE = {"name": "Create an instance", "iwinv.cloud.iwinv_instance": {
    "name": "web-1", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04", "wait_timeout": 60}}


def test_a_429_storm_without_retry_after_is_ridden_out(stack, figures):
    started = time.monotonic()
    # Every request, reads and the create alike, is refused until the storm is over; no Retry-After header.
    stack.emulator.fault(path="^/v1/", action="status", status=429, error_code="LIMIT_EXCEEDED", count=4)
    run = stack.playbook([CREATE])
    result = run.results["r0"]
    assert not result.get("failed"), run.output
    assert result["changed"] and result["instance"]["status"] == "active"
    log = stack.requests()
    assert count(log, status=429) == 4
    assert count(log, "POST", "/v1/instances", 202) == 1
    assert len(stack.instances_named("web-1")) == 1
    assert run.seconds < 60
    record(figures, "429 storm", "4 answers 429 LIMIT_EXCEEDED without Retry-After, on every path",
           "instance created, active; one create accepted", stack, started)


def test_server_errors_and_dropped_connections_on_reads(stack, figures):
    started = time.monotonic()
    stack.emulator.fault(method="GET", path="^/v1/zones$", action="status", status=503, count=2)
    stack.emulator.fault(method="GET", path="^/v1/flavors", action="status", status=502, body="<html>Bad gateway</html>")
    stack.emulator.fault(method="GET", path="^/v1/images", action="drop")
    stack.emulator.fault(method="GET", path="^/v1/instances/", action="drop", count=2)
    run = stack.playbook([CREATE, {"name": "Read it", "iwinv.cloud.iwinv_instance_info": {"name": "web-1"}}])
    assert not run.results["r0"].get("failed"), run.output
    assert run.results["r0"]["instance"]["status"] == "active"
    assert [i["name"] for i in run.results["r1"]["instances"]] == ["web-1"]
    log = stack.requests()
    assert sum(1 for r in log if r.get("fault")) == 6
    assert count(log, "POST", "/v1/instances") == 1
    record(figures, "5xx and dropped connections on reads",
           "503 x2 (zones), 502 HTML page (flavors), dropped connection (images), dropped connection x2 (instance detail)",
           "instance created and read back; reads retried, the write sent once", stack, started)


def test_answers_slower_than_api_timeout_are_retried(stack, figures):
    started = time.monotonic()
    stack.emulator.fault(method="GET", path="^/v1/zones$", action="delay", seconds=4, count=2)
    slow_create = {"name": "Create with a short api_timeout",
                   "iwinv.cloud.iwinv_instance": dict(CREATE["iwinv.cloud.iwinv_instance"], api_timeout=2)}
    run = stack.playbook([slow_create])
    result = run.results["r0"]
    assert not result.get("failed"), run.output
    assert result["instance"]["status"] == "active"
    log = stack.requests()
    assert count(log, "GET", "/v1/zones") == 3   # two answers came too late, the third in time
    assert len(instances_of(stack.emulator.state())) == 1
    assert run.seconds < 60
    record(figures, "slow answers past api_timeout", "2 zone reads delayed 4 s with api_timeout=2",
           "instance created; the late reads were retried", stack, started)
