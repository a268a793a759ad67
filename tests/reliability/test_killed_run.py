"""An ansible-playbook run killed while it creates resources: the rerun converges, with no duplicates."""

import signal
import time

import pytest

from harness import count, duplicates, instances_of, record

NAMES = ["kill-1", "kill-2", "kill-3"]
TASKS = [{"name": "Create %s" % name, "iwinv.cloud.iwinv_instance": {
    "name": name, "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04", "wait_timeout": 120}}
    for name in NAMES]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_rerun_after_a_kill_mid_create_converges(stack, figures, sig):
    started = time.monotonic()
    # A slow build, so that the kill lands while the first create is in flight (accepted, not yet active).
    stack.emulator.config(op_delays={"instance.create": 8.0})
    process = stack.start_playbook(TASKS, name="killed")
    stack.emulator.wait_for(lambda: count(stack.requests(), "POST", "/v1/instances", 202), timeout=60)
    time.sleep(1.0)
    stack.kill_playbook(process, sig)
    stack.emulator.config(op_delays={"instance.create": 0.3})   # the in-flight build keeps its 8 s
    assert [i["status"] for i in instances_of(stack.emulator.state())] == ["building"]

    rerun = stack.playbook(TASKS, name="rerun")
    assert all(not result.get("failed") for result in rerun.results.values()), rerun.output
    assert rerun.results["r0"]["changed"] is False   # the in-flight one was waited for, not created again
    assert rerun.results["r1"]["changed"] and rerun.results["r2"]["changed"]
    seen = len(stack.requests())
    third = stack.playbook(TASKS, name="third")
    assert third.recap("changed") == 0 and count(stack.requests()[seen:], "POST") == 0, third.output

    rows = instances_of(stack.emulator.state())
    assert sorted(row["name"] for row in rows) == NAMES and duplicates(rows) == 0
    assert all(row["status"] == "active" for row in rows)
    assert count(stack.requests(), "POST", "/v1/instances", 202) == 3
    record(figures, "playbook killed mid-create (%s)" % sig.name,
           "%s to ansible-playbook and its forks 1 s after the first create was accepted (build takes 8 s)" % sig.name,
           "rerun waited for the in-flight instance and created the 2 others; third run changed=0, no write",
           stack, started, faults_survived=1, resources=len(rows),
           creates_accepted=count(stack.requests(), "POST", "/v1/instances", 202))
