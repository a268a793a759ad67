"""Creates whose answer is lost after the API performed them: one resource exists, and a rerun converges."""

import time

import pytest

from harness import count, duplicates, instances_of, record, volumes_of

INSTANCE = {"name": "Create an instance", "iwinv.cloud.iwinv_instance": {
    "name": "app-1", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04", "wait_timeout": 60}}
VOLUME = {"name": "Create a volume", "iwinv.cloud.iwinv_block_storage": {
    "name": "app-1-data", "instance": "app-1", "type": "ssd", "size": 20, "wait_timeout": 60}}

LOST_ANSWERS = {
    "ambiguous": {"action": "ambiguous"},                  # performed, then 500 DEV_CHECK_RETURN
    "drop": {"action": "drop", "perform": True},           # performed, then the connection is closed
}


def converge(stack, tasks):
    """Runs the tasks twice: the first must succeed, the second must change nothing and write nothing."""
    first = stack.playbook(tasks, name="first")
    for key, result in first.results.items():
        assert not result.get("failed"), (key, first.output)
    seen = len(stack.requests())
    second = stack.playbook(tasks, name="second")
    assert second.recap("changed") == 0 and second.recap("failed") == 0, second.output
    assert count(stack.requests()[seen:], "POST") == 0
    return first


@pytest.mark.parametrize("how", sorted(LOST_ANSWERS))
def test_lost_instance_create_is_adopted_not_repeated(stack, figures, how):
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="^/v1/instances$", **LOST_ANSWERS[how])
    first = converge(stack, [INSTANCE])
    assert first.results["r0"]["changed"] and first.results["r0"]["instance"]["status"] == "active"
    assert "gave no clear answer to the creation" in first.output
    state = stack.emulator.state()
    assert len(instances_of(state)) == 1 and duplicates(instances_of(state)) == 0
    record(figures, "ambiguous instance create (%s)" % how, "POST /v1/instances performed, answer lost (%s)" % how,
           "1 instance exists, adopted with a warning; rerun changed=0, no write", stack, started,
           faults_survived=1, resources=len(instances_of(state)), lost_write="instance create (%s)" % how, misreported=0)


@pytest.mark.parametrize("how", sorted(LOST_ANSWERS))
def test_lost_block_storage_create_is_adopted_not_repeated(stack, figures, how):
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="^/v1/block-storages$", **LOST_ANSWERS[how])
    first = converge(stack, [INSTANCE, VOLUME])
    assert first.results["r1"]["changed"] and first.results["r1"]["block_storage"]["status"] == "attached"
    state = stack.emulator.state()
    assert len(volumes_of(state)) == 1 and duplicates(volumes_of(state)) == 0
    record(figures, "ambiguous block storage create (%s)" % how,
           "POST /v1/block-storages performed, answer lost (%s)" % how,
           "1 volume exists, attached; rerun changed=0, no write", stack, started,
           faults_survived=1, resources=len(volumes_of(state)), lost_write="block storage create (%s)" % how, misreported=0)
