"""Operations that end in `error` or outlast wait_timeout: a failure naming the resource, the status, the time waited."""

import re
import time

from harness import count, record

INSTANCE = {"name": "web-err", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04", "wait_timeout": 60}


def waited_seconds(message):
    match = re.search(r"after (\d+) s", message)
    assert match, message
    return int(match.group(1))


def test_instance_create_that_ends_in_error(stack, figures):
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="^/v1/instances$", action="async_error")
    run = stack.playbook([{"name": "Create", "iwinv.cloud.iwinv_instance": INSTANCE}])
    result = run.results["r0"]
    assert result.get("failed"), run.output
    message = result["msg"]
    instance_id = list(stack.emulator.state()["instances"])[0]
    assert "web-err" in message and instance_id in message and "'error'" in message, message
    assert waited_seconds(message) < 60
    assert count(stack.requests(), "POST") == 1
    record(figures, "instance create ends in error", "async_error on POST /v1/instances",
           "failed: %s" % message, stack, started, faults_survived=0)


def test_volume_attach_that_ends_in_error(stack, figures):
    started = time.monotonic()
    tasks = [{"name": "Create the instance", "iwinv.cloud.iwinv_instance": dict(INSTANCE, name="web-vol")},
             {"name": "Create a volume", "iwinv.cloud.iwinv_block_storage": {
                 "name": "data-err", "instance": "web-vol", "type": "ssd", "size": 20, "wait_timeout": 60}}]
    stack.emulator.fault(method="POST", path="^/v1/block-storages$", action="async_error")
    run = stack.playbook(tasks)
    assert not run.results["r0"].get("failed"), run.output
    message = run.results["r1"]["msg"]
    volume_id = list(stack.emulator.state()["volumes"])[0]
    assert "data-err" in message and volume_id in message and "'error'" in message, message
    assert waited_seconds(message) < 60
    record(figures, "block storage create ends in error", "async_error on POST /v1/block-storages",
           "failed: %s" % message, stack, started, faults_survived=0)


def test_instance_still_building_at_wait_timeout(stack, figures):
    started = time.monotonic()
    stack.emulator.config(op_delays={"instance.create": 60.0})
    run = stack.playbook([{"name": "Create", "iwinv.cloud.iwinv_instance": dict(INSTANCE, name="web-slow", wait_timeout=5)}])
    message = run.results["r0"]["msg"]
    assert "timed out after" in message and "web-slow" in message and "'building'" in message, message
    assert "wait_timeout=5)" in message and 4 <= waited_seconds(message) <= 6, message
    assert run.seconds < 5 + 10   # the budget, plus Ansible's own start-up
    record(figures, "instance still building at wait_timeout", "a 60 s build with wait_timeout=5",
           "failed in %.1f s: %s" % (run.seconds, message), stack, started, faults_survived=0)


def test_volume_still_creating_at_wait_timeout(stack, figures):
    started = time.monotonic()
    tasks = [{"name": "Create the instance", "iwinv.cloud.iwinv_instance": dict(INSTANCE, name="web-vol2")},
             {"name": "Create a volume", "iwinv.cloud.iwinv_block_storage": {
                 "name": "data-slow", "instance": "web-vol2", "type": "ssd", "size": 20, "wait_timeout": 4}}]
    stack.emulator.config(op_delays={"block_storage.create": 60.0})
    run = stack.playbook(tasks)
    message = run.results["r1"]["msg"]
    assert "timed out after" in message and "data-slow" in message and "'creating'" in message, message
    assert "wait_timeout=4)" in message and 3 <= waited_seconds(message) <= 5, message
    record(figures, "block storage still creating at wait_timeout", "a 60 s volume create with wait_timeout=4",
           "failed: %s" % message, stack, started, faults_survived=0)
