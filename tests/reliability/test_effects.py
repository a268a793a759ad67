"""Every write proven by its effect (issue 14): lost, late and partial answers never misreport or duplicate.

Each test drives real ansible-playbook runs against the emulator with the fault injected by the emulator, and
records a figure. `lost_write` names the kind of write whose answer was lost or late; `misreported` counts the
task results that claimed a write done that the emulator does not show (or a failure that claimed nothing was
written); docs/reliability.md totals them.
"""

import json
import time

import pytest

from harness import attached_ids, count, duplicate_rules, duplicates, firewalls_of, instances_of, record, volumes_of

BASE = {"zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04", "wait_timeout": 60}


def instance_task(name, **options):
    """An iwinv_instance task; an option given as None is left out (unmanaged)."""
    options = dict(BASE, name=name, **options)
    return {"name": "Instance %s" % name,
            "iwinv.cloud.iwinv_instance": dict((key, value) for key, value in options.items() if value is not None)}


def firewall_task(name, **options):
    return {"name": "Firewall %s" % name, "iwinv.cloud.iwinv_firewall": dict(name=name, **options)}


def volume_task(name, **options):
    return {"name": "Volume %s" % name, "iwinv.cloud.iwinv_block_storage": dict(dict(name=name, type="ssd", size=20), **options)}


def firewalls_titled(stack, title):
    return [row for row in firewalls_of(stack.emulator.state()) if row["title"] == title]


# --- 1. a create that lands after the client gave up -----------------------------------------------------------

LATE = {
    "instance": (instance_task, "^/v1/instances$", instances_of, "name"),
    "firewall": (firewall_task, "^/v1/security-groups$", firewalls_of, "title"),
    "firewall (/v1/firewall)": (firewall_task, "^/v1/firewall$", firewalls_of, "title"),
    "volume": (volume_task, "^/v1/block-storages$", volumes_of, "name"),
}


@pytest.mark.parametrize("kind", sorted(LATE))
def test_a_create_that_lands_after_the_client_gave_up_is_adopted_by_the_rerun_never_duplicated(stack, figures, kind):
    started = time.monotonic()
    make_task, path, rows_of, key = LATE[kind]
    if kind == "firewall (/v1/firewall)":
        stack.emulator.config(firewall_family="firewall")
    if kind == "volume":   # on an instance made through the control API: no playbook run for it
        host = stack.emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="late-host")["instance_ids"][0]

        def make_task(name, **options):   # pylint: disable=function-redefined
            return volume_task(name, instance=host, **options)
    # The API answers after 12 s; the client waits 2 s (api_timeout), the task 3 s (wait_timeout).
    stack.emulator.fault(method="POST", path=path, action="delay", seconds=12)
    first = stack.playbook([make_task("late-1", api_timeout=2, wait_timeout=3)], name="first")
    failure = first.results["r0"]
    assert failure.get("failed") and failure["changed"] is True, first.output
    assert "it has not happened, or not yet" in failure["msg"] and "noted on this controller" in failure["msg"]
    assert "is safe" not in failure["msg"]
    rerun = stack.playbook([make_task("late-1", wait_timeout=60)], name="rerun")   # a new process, at once
    assert not rerun.results["r0"].get("failed") and rerun.results["r0"]["changed"] is False, rerun.output
    rows = [row for row in rows_of(stack.emulator.state()) if row[key] == "late-1"]
    assert len(rows) == 1 and count(stack.requests(), "POST", path.strip("^$")) == 1
    record(figures, "%s create answered after the client gave up" % kind,
           "POST executed 12 s late; api_timeout=2, wait_timeout=3; rerun in a new process at once",
           "first run failed saying the outcome is unknown (noted); the rerun waited and adopted it: 1 %s, 1 POST" % kind,
           stack, started, faults_survived=1, lost_write="%s create (late)" % kind, misreported=0)


# --- 2. resize, rebuild, reboot lost before the API saw them -----------------------------------------------------

def test_resize_rebuild_reboot_lost_before_the_api_saw_them_fail_and_the_rerun_does_them(stack, figures):
    started = time.monotonic()
    stack.playbook([instance_task("op-1")], name="create")
    for action in ("resize", "rebuild", "reboot"):
        stack.emulator.fault(method="POST", path="/%s$" % action, action="status", status=502)
    tasks = [instance_task("op-1", flavor="std.2c4g"),
             instance_task("op-1", flavor=None, image="Debian 12", allow_rebuild=True),
             instance_task("op-1", flavor=None, image=None, state="restarted")]
    first = stack.playbook(tasks, name="first")
    instance = instances_of(stack.emulator.state())[0]
    misreported = sum(1 for result in first.results.values() if not result.get("failed"))
    assert misreported == 0, first.output
    assert all("it has not happened, or not yet" in result["msg"] for result in first.results.values())
    assert instance["flavor_id"] == "std.1c1g" and instance["image_id"] == "img-ubuntu-2204"
    rerun = stack.playbook(tasks, name="rerun")
    assert all(result["changed"] and not result.get("failed") for result in rerun.results.values()), rerun.output
    instance = instances_of(stack.emulator.state())[0]
    assert instance["flavor_id"] == "std.2c4g" and instance["image_id"] == "img-debian-12"
    record(figures, "resize, rebuild and reboot lost before the API saw them", "502 on POST /resize, /rebuild, /reboot",
           "each failed: 'it has not happened, or not yet' (old flavor and image kept); the rerun did all three",
           stack, started, faults_survived=0, lost_write="instance resize/rebuild/reboot (502)", misreported=misreported)


# --- 3. a different zone on an instance found by name -------------------------------------------------------------

def test_a_different_zone_on_an_instance_found_by_name_fails_with_no_write(stack, figures):
    started = time.monotonic()
    run = stack.playbook([instance_task("zoned"), instance_task("zoned", zone="KR1-Z01"),
                          {"name": "Without flavor and image", "iwinv.cloud.iwinv_instance": {"name": "zoned", "zone": "KR1-Z01"}}])
    assert not run.results["r0"].get("failed"), run.output
    for key in ("r1", "r2"):
        assert run.results[key].get("failed") and "the zone of an instance cannot change" in run.results[key]["msg"]
    assert len(instances_of(stack.emulator.state())) == 1 and count(stack.requests(), "POST") == 1
    record(figures, "different zone on an instance found by name", "zone KR1-Z01 for 'zoned', which is in KR1-Z08",
           "failed clearly, with and without flavor/image; 1 instance, no second POST", stack, started, faults_survived=0)


# --- 4 and 5. firewall attaches: left in flight by wait=false, or lost ----------------------------------------------

def test_a_firewall_attach_started_with_wait_false_is_settled_by_the_next_task(stack, figures, firewall_family):
    started = time.monotonic()
    stack.emulator.config(op_delays={"firewall.attach": 3.0})
    run = stack.playbook([instance_task("fw-host"),
                          firewall_task("fw-gone", instances=["fw-host"], wait=False),
                          firewall_task("fw-gone", state="absent"),
                          firewall_task("fw-kept", instances=["fw-host"], wait=False),
                          firewall_task("fw-kept", instances=[], purge_instances=True)])
    assert all(not result.get("failed") for result in run.results.values()), run.output
    assert firewalls_titled(stack, "fw-gone") == []
    assert run.results["r4"]["changed"] and attached_ids(stack.emulator.state(), "fw-kept") == []
    record(figures, "firewall attach started with wait=false, then absent / purge (%s)" % firewall_family[1],
           "a 3 s attach; the next task at once",
           "the next task waited for the attach, then deleted / detached: no IN_USE, nothing left attached",
           stack, started, faults_survived=0)


def test_a_firewall_attach_lost_before_the_api_saw_it_is_sent_again(stack, figures, firewall_family):
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="/attach$", action="status", status=502)
    run = stack.playbook([instance_task("fw-host"), firewall_task("fw-lost", instances=["fw-host"], wait_timeout=20)])
    result = run.results["r1"]
    assert not result.get("failed") and result["changed"], run.output
    host = instances_of(stack.emulator.state())[0]["instance_id"]
    assert [i["id"] for i in result["firewall"]["instances"]] == [host]
    assert attached_ids(stack.emulator.state(), "fw-lost") == [host]
    assert [r["status"] for r in stack.requests() if r["path"].endswith("/attach")] == [502, 202]
    assert result["firewall"] and run.seconds < 20
    record(figures, "firewall attach lost before the API saw it (%s)" % firewall_family[1],
           "502 on POST %s/{id}/attach" % firewall_family[1],
           "read back: not attached, so sent again once; attached, well within wait_timeout", stack, started,
           faults_survived=1, lost_write="firewall attach (502)", misreported=0)


RULES = [{"direction": "in", "protocol": "tcp", "port": port, "cidr": "0.0.0.0/0"} for port in (22, 80, 443)]
# The write that adds a rule to an existing firewall: its edit (D1a), one rule create (D1b).
RULE_WRITE = {"/v1/firewall": ("PUT", "^/v1/firewall/[^/]+$"), "/v1/security-groups": ("POST", "/rules$")}


@pytest.mark.parametrize("fault", ["ambiguous", "drop"])
def test_a_rule_write_whose_answer_is_lost_is_judged_by_reading_back(stack, figures, firewall_family, fault):
    """Performed, then the answer lost (a 500 after the write, or a dropped connection): read back, never doubled."""
    started = time.monotonic()
    stack.playbook([firewall_task("fw-rules", rules=RULES[:1])], name="create")
    method, path = RULE_WRITE[firewall_family[1]]
    stack.emulator.fault(method=method, path=path, action=fault, perform=True, count=1)
    run = stack.playbook([firewall_task("fw-rules", rules=RULES)], name="add")
    result = run.results["r0"]
    assert not result.get("failed") and result["changed"] and len(result["firewall"]["rules"]) == 3, run.output
    firewall, = firewalls_of(stack.emulator.state())
    assert len(firewall["rules"]) == 3 and duplicate_rules(stack.emulator.state()) == 0
    rerun = stack.playbook([firewall_task("fw-rules", rules=RULES)], name="rerun")
    assert rerun.recap("changed") == 0 and rerun.recap("failed") == 0, rerun.output
    record(figures, "firewall rule write, answer lost (%s, %s)" % (fault, firewall_family[1]),
           "%s %s performed, answer lost (%s)" % (method, path.strip("^$"), fault),
           "read back: done, not sent again; 3 rules, no duplicate; rerun changed=0", stack, started,
           faults_survived=1, lost_write="firewall rule write (%s)" % fault, misreported=0)


def test_a_group_given_its_rules_one_by_one_reports_changed_when_refused_midway_and_a_rerun_converges(stack, figures):
    """D1b: the group is created, then its rules one by one; a refusal of the second leaves a group with one rule."""
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="/rules$", action="status", status=403, error_code="CHECK_IP", after=1)
    run = stack.playbook([firewall_task("fw-partial", rules=RULES)], name="partial")
    result = run.results["r0"]
    assert result.get("failed") and result["changed"] is True and result["firewall"]["id"], run.output
    firewall, = firewalls_of(stack.emulator.state())
    assert result["firewall"]["id"] == firewall["firewall_id"] and len(firewall["rules"]) == 1
    rerun = stack.playbook([firewall_task("fw-partial", rules=RULES)], name="rerun")
    assert rerun.results["r0"]["changed"] and not rerun.results["r0"].get("failed"), rerun.output
    firewall, = firewalls_of(stack.emulator.state())
    assert len(firewall["rules"]) == 3 and duplicate_rules(stack.emulator.state()) == 0
    assert count(stack.requests(), "POST", "/v1/security-groups/") == 4   # 2 rule POSTs (1 refused), then 2 more
    record(figures, "firewall created, a rule refused midway (/v1/security-groups)",
           "403 CHECK_IP on the second POST .../rules after the group and its first rule",
           "failed with changed=true and the group's id; the rerun added the 2 missing rules: 1 group, 3 rules",
           stack, started, faults_survived=0, misreported=0)


# --- 6. a volume in status error --------------------------------------------------------------------------------

def test_a_volume_in_error_warns_on_the_rerun(stack, figures):
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="^/v1/block-storages$", action="async_error")
    run = stack.playbook([instance_task("vol-host"), volume_task("broken", instance="vol-host"),
                          volume_task("broken", instance="vol-host")])
    assert run.results["r1"].get("failed") and "'error'" in run.results["r1"]["msg"], run.output
    rerun = run.results["r2"]
    assert "status 'error'" in json.dumps(rerun.get("warnings")) and "delete it" in json.dumps(rerun.get("warnings")), run.output
    record(figures, "volume in status error, task run again", "async_error on POST /v1/block-storages",
           "the rerun warns that the volume is in error and says to delete and re-create it", stack, started,
           faults_survived=0)


# --- 7. a failure after a write ----------------------------------------------------------------------------------

def test_a_task_that_wrote_then_failed_reports_changed_and_the_new_id(stack, figures, firewall_family):
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="/attach$", action="status", status=400, error_code="LIMIT_EXCEEDED")
    stack.emulator.config(op_delays={"instance.create": 30.0})
    run = stack.playbook([instance_task("web-full", wait_timeout=2), firewall_task("fw-full", instances=["web-full"])])
    state = stack.emulator.state()
    instance, firewall = run.results["r0"], run.results["r1"]
    assert firewall.get("failed") and instance.get("failed"), run.output
    assert firewall.get("changed") is True and firewall["firewall"]["id"] == firewalls_of(state)[0]["firewall_id"]
    assert instance.get("changed") is True and instance["instance"]["id"] == instances_of(state)[0]["instance_id"]
    record(figures, "task wrote, then failed (%s)" % firewall_family[1], "a 30 s build with wait_timeout=2; "
           "LIMIT_EXCEEDED on the attach after a firewall create", "both failures report changed=true and the new id",
           stack, started, faults_survived=0, misreported=0)


# --- 8. the lines of a bill ---------------------------------------------------------------------------------------

def test_a_bill_by_id_returns_its_lines(stack, figures):
    started = time.monotonic()
    stack.emulator.config(bill_detail="served")   # the docs' answer (LIVE: 403 CHECK_IP, test_iwinv_bill_info)
    run = stack.playbook([{"name": "Bills", "iwinv.cloud.iwinv_bill_info": {}},
                          {"name": "One bill", "iwinv.cloud.iwinv_bill_info": {"id": "{{ r0.bills[0].id }}"}}])
    lines = run.results["r1"]["bills"][0]["lines"]
    assert [(line["group"], line["name"]) for line in lines] == [("Server", "Compute"), ("Storage", "Block storage")]
    record(figures, "bill by id", "none", "the bill's lines from groups[].items, with their group", stack, started,
           faults_survived=0)


# --- 9. check mode refuses what the API refuses ----------------------------------------------------------------------

def test_check_mode_refuses_an_image_the_flavor_does_not_take_and_a_smaller_disk(stack, figures):
    started = time.monotonic()
    stack.emulator.config(supporting_images=True)   # the flavors say which images they take (TB; LIVE rows do not)
    windows = dict(instance_task("win-1", image="Windows Server 2022"), check_mode=True)
    run = stack.playbook([windows, instance_task("big-1", flavor="std.2c4g"),
                          dict(instance_task("big-1", flavor="std.1c1g"), check_mode=True)])
    assert "does not take image" in run.results["r0"]["msg"], run.output
    assert "a disk cannot shrink" in run.results["r2"]["msg"], run.output
    assert count(stack.requests(), "POST") == 1   # only big-1's create
    record(figures, "check mode on changes the API refuses", "Windows on std.1c1g; a resize from 50 to 25 GB of disk",
           "both fail in check mode, before any write", stack, started, faults_survived=0)


# --- 10. a create answered without an id ------------------------------------------------------------------------------

def test_a_create_answered_without_an_id_is_adopted_not_resent(stack, figures):
    started = time.monotonic()
    stack.emulator.fault(method="POST", path="^/v1/instances$", action="empty_result")
    run = stack.playbook([instance_task("no-id")], name="first")
    rerun = stack.playbook([instance_task("no-id")], name="rerun")
    result = run.results["r0"]
    assert not result.get("failed") and result["changed"] and result["instance"]["id"], run.output
    assert rerun.recap("changed") == 0 and rerun.recap("failed") == 0, rerun.output
    assert len(instances_of(stack.emulator.state())) == 1 and count(stack.requests(), "POST") == 1
    record(figures, "instance create answered without an id", "POST /v1/instances performed, answer result []",
           "read back and adopted with a warning; rerun changed=0; 1 instance", stack, started, faults_survived=1,
           lost_write="instance create (no id)", misreported=0)


# --- issue 20: a task after a wait=false deletion of the same name ------------------------------------------------------

def test_a_volume_deleted_with_wait_false_is_settled_before_its_name_is_reused(stack, figures):
    started = time.monotonic()
    stack.emulator.config(op_delays={"block_storage.delete": 3.0})
    run = stack.playbook([instance_task("h-001"), instance_task("h-002", zone="KR1-Z01"),
                          volume_task("data", instance="h-001"), volume_task("data2", instance="h-001"),
                          volume_task("data", state="absent", wait=False), volume_task("data2", state="absent", wait=False),
                          volume_task("data", instance="h-001", size=30), volume_task("data2", instance="h-002")])
    assert all(not result.get("failed") for result in run.results.values()), run.output
    volumes = dict((volume["name"], volume) for volume in volumes_of(stack.emulator.state()))
    assert volumes["data"]["size"] == 30 and volumes["data2"]["zone_id"] == "KR1-Z01"
    assert duplicates(volumes_of(stack.emulator.state())) == 0
    record(figures, "volume deleted with wait=false, name reused at once", "a 3 s delete; then a 30 GB volume of the "
           "name, and one of the name on an instance in another zone", "both waited for the deletion, then created",
           stack, started, faults_survived=0)


def test_a_firewall_deleted_with_wait_false_is_created_again_at_once(stack, figures, firewall_family):
    started = time.monotonic()
    stack.emulator.config(op_delays={"firewall.detach": 2.0})
    run = stack.playbook([instance_task("fw-h"), firewall_task("fw-again", instances=["fw-h"]),
                          firewall_task("fw-again", state="absent", wait=False), firewall_task("fw-again")])
    assert all(not result.get("failed") for result in run.results.values()), run.output
    assert run.results["r3"]["changed"] and len(firewalls_of(stack.emulator.state())) == 1
    record(figures, "firewall deleted with wait=false, created again at once (%s)" % firewall_family[1],
           "a 2 s detach before the delete",
           "the delete waited for the detach; the create made one new firewall", stack, started, faults_survived=0)


# --- 11 and 12. a resource removed (as from the console) while the task waits for it ------------------------------

def test_an_instance_that_vanishes_while_its_creation_is_waited_for_fails_at_once(stack, figures):
    started = time.monotonic()
    stack.emulator.config(op_delays={"instance.create": 600.0})   # it would stay building past wait_timeout
    stack.emulator.fault(method="GET", path="^/v1/instances/[^/]+$", action="vanish")   # the wait's first read finds it gone
    run = stack.playbook([instance_task("vanishing", wait_timeout=600)])
    result = run.results["r0"]
    assert result.get("failed") and "was deleted while waiting for it to become 'active'" in result["msg"], run.output
    assert result["changed"] is True   # it was created: the failure does not hide the write
    assert count(stack.requests(), "GET", "/v1/instances/") == 1   # failed at its first read, not after wait_timeout
    assert count(stack.requests(), "POST", "/v1/instances") == 1 and instances_of(stack.emulator.state()) == []
    record(figures, "instance deleted (as from the console) while its creation is waited for",
           "vanish on the wait's first GET /v1/instances/{id}; a 600 s build, wait_timeout=600",
           "failed at once ('was deleted while waiting'), changed=true; 1 read of it, 1 POST, nothing re-created",
           stack, started, faults_survived=0, misreported=0)


def busy_instance(stack):
    """A building instance (made through the control API: it stays building) and a task naming it by id."""
    instance_id = stack.emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="by-id", status="building")["instance_ids"][0]
    return instance_id, "/v1/instances/", instance_task("by-id-00001", id=instance_id, wait_timeout=600)


def busy_volume(stack):
    """A volume still being created (for 600 s) and a task naming it by id."""
    host = stack.emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="vol-host")["instance_ids"][0]
    stack.emulator.config(op_delays={"block_storage.create": 600.0})
    form = {"instance_id": host, "type": "ssd", "size": "20", "name": "by-id"}
    volume_id = stack.emulator.ok("POST", "/v1/block-storages", form=form)["result"][0]["block_storage_id"]
    return volume_id, "/v1/block-storages/", volume_task("by-id", id=volume_id, instance=host, wait_timeout=600)


@pytest.mark.parametrize("kind", ["instance", "volume"])
def test_a_resource_named_by_id_that_vanishes_while_waited_for_is_never_created_again(stack, figures, kind):
    started = time.monotonic()
    resource_id, path, task = {"instance": busy_instance, "volume": busy_volume}[kind](stack)
    stack.emulator.fault(method="GET", path="^%s%s$" % (path, resource_id), action="vanish", after=1)   # found, then gone
    posts = count(stack.requests(), "POST")
    run = stack.playbook([task])
    result = run.results["r0"]
    assert result.get("failed") and "named by id is never created again" in result["msg"], run.output
    assert resource_id in result["msg"] and not result["changed"]
    assert count(stack.requests(), "GET", path) == 2   # found busy, then found gone at the first wait read
    assert count(stack.requests(), "POST") == posts   # nothing created
    state = stack.emulator.state()
    assert resource_id not in state["instances"] and resource_id not in state["volumes"]
    record(figures, "%s named by id deleted (as from the console) while it is waited for" % kind,
           "a busy %s; vanish on the second GET %s{id}; wait_timeout=600" % (kind, path),
           "failed at once: never created again; 2 reads of it, no POST from the task", stack, started, faults_survived=0,
           misreported=0)
