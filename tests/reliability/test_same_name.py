"""Two forks of one controller create the same name at the same moment: one instance, never two.

Names are not unique in iwinv (the API accepts duplicates), so a look-up that runs while another task's create
is still on its way cannot see it. The emulator holds every create 3 s before performing it, so that both
forks look the name up while neither create has landed. With the shared instance list (the default), the
second create's claim finds the first in flight: that task waits, looks again, and finds the instance. With
instance_list_max_age: 0 (every task on its own) both tasks create: the race this guards against.
"""

import sys
import time

from harness import count, duplicates, instances_of, record

HOSTS = ["fork-a", "fork-b"]
TASKS = [{"name": "Both hosts create the same name", "iwinv.cloud.iwinv_instance": {
    "name": "twin", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04", "wait_timeout": 120}}]


def create_twin_from_two_forks(stack, max_age):
    stack.emulator.fault(method="POST", path="^/v1/instances$", action="delay", seconds=3, count=2)
    inventory = stack.workdir / "hosts.ini"
    inventory.write_text("[forks]\n%s\n\n[forks:vars]\nansible_connection=local\nansible_python_interpreter=%s\n"
                         % ("\n".join(HOSTS), sys.executable), encoding="utf-8")
    defaults = stack.credentials(instance_list_max_age=max_age)
    return stack.playbook(TASKS, "-f", "2", hosts="forks", inventory=inventory, defaults=defaults, dump=False)


def test_two_forks_creating_one_name_make_one_instance(stack, figures):
    started = time.monotonic()
    run = create_twin_from_two_forks(stack, max_age=20)
    assert all(run.recap("failed", host) == 0 for host in HOSTS), run.output
    assert sorted(run.recap("changed", host) for host in HOSTS) == [0, 1], run.output
    rows = instances_of(stack.emulator.state())
    assert [row["name"] for row in rows] == ["twin"] and rows[0]["status"] == "active"
    assert count(stack.requests(), "POST", "/v1/instances") == 1
    record(figures, "two forks create one name at once",
           "both forks of one playbook create 'twin'; every create held 3 s by the emulator before it lands",
           "1 instance: the second fork's claim met the first create in flight, it looked again and found it",
           stack, started, faults_survived=1, resources=len(rows), duplicates=duplicates(rows))


def test_without_the_shared_list_the_race_makes_two(stack):
    """The control: what the claim prevents happens without it (or the first test proves nothing)."""
    run = create_twin_from_two_forks(stack, max_age=0)
    assert all(run.recap("changed", host) == 1 for host in HOSTS), run.output
    assert duplicates(instances_of(stack.emulator.state())) == 1
