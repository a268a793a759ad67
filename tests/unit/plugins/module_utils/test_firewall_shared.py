# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The reads of one firewall shared by the tasks of a fleet (issue 28): its rules and attachments (security groups)
or its detail (/v1/firewall) kept in the firewall KeptList, write-aware with precise keys, and refresh before act."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall as fw
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall_api as fw_api
from ansible_collections.iwinv.cloud.plugins.modules import iwinv_firewall

from fakes import FakeClock
from module_runner import emulator_args, run_module

RUNNING = {1001, 1002, 1003}   # process ids of the fleet's tasks
F = "FIREWALL-a"
ROW = {"id": F, "name": "fleet-fw", "description": "", "icmp": False, "rules": [], "instances": []}
RULE = {"rule_id": 7, "bound": "IN", "protocol": "TCP", "port": "22", "ip": "0.0.0.0/0", "title": "ssh"}


class FakeClient:
    """The API of one firewall on either family, counted: GET .../rules, .../instances and the detail."""

    def __init__(self, attached=("i-x", "i-y")):
        self.requests = []
        self.attached = [{"instance_id": instance_id, "name": "web-" + instance_id} for instance_id in attached]

    def get(self, path):
        self.requests.append("GET " + path)
        return [dict(RULE)] if path.endswith("/rules") else list(self.attached)

    def get_detail(self, path, firewall_id):
        self.requests.append("GET %s/%s" % (path, firewall_id))
        return {"firewall_id": firewall_id, "title": "fleet-fw", "content": "", "icmp": "N", "rules": [dict(RULE)],
                "instances": list(self.attached)}


def kept_of(tmp_path, clock, pid, alone=False):
    kept = fw_api.KeptFirewalls("firewalls", "https://api.test", "test-access", directory=str(tmp_path), clock=clock,
                                is_alive=lambda other: (other in RUNNING and not alone) or other == pid)
    kept.pid = pid
    return kept


def task(tmp_path, clock, pid, family, refs=("i-x",), whole=False, alone=False):
    """(one task's firewall as it completes ROW, whether kept reads served it, the requests it sent)."""
    client = FakeClient()
    shared = fw_api.SharedReads(kept_of(tmp_path, clock, pid, alone),
                                lambda firewall_id, attached: fw.deciding_pairs(firewall_id, attached, refs, whole))
    firewall = fw_api.FAMILIES[family](client).complete_shared(dict(ROW), shared)
    return firewall, shared.served, client.requests


def other_write(tmp_path, clock, names, answered=True):
    """A write of `names` by another task of the fleet (answered a moment later, unless `answered` is False)."""
    writer = kept_of(tmp_path, clock, 1003)
    key = writer.writing(names)
    clock.now += 1
    if answered:
        writer.written(key)
    clock.now += 1


READS = {"security-groups": ["GET /v1/security-groups/%s/rules" % F, "GET /v1/security-groups/%s/instances" % F],
         "firewall": ["GET /v1/firewall/%s" % F]}
RULES, ATTACHMENTS = READS["security-groups"]


@pytest.fixture(params=sorted(READS))
def family(request):
    return request.param


def test_two_tasks_of_a_fleet_share_one_read_of_the_rules_and_attachments(tmp_path, family):
    clock = FakeClock()
    first, first_served, first_sent = task(tmp_path, clock, 1001, family)
    second, second_served, second_sent = task(tmp_path, clock, 1002, family, refs=("i-y",))
    assert first_sent == READS[family] and not first_served          # its own reads, kept for the others
    assert second_sent == [] and second_served                       # served: no request
    assert second == first and [rule["name"] for rule in second["rules"]] == ["ssh"]
    assert fw.ids_of(second["instances"]) == ["i-x", "i-y"]


def test_a_lone_task_reads_as_without_the_kept_list(tmp_path, family):
    clock = FakeClock()
    task(tmp_path, clock, 1001, family)
    unused, served, sent = task(tmp_path, clock, 1002, family, alone=True)   # the others have ended
    assert sent == READS[family] and not served


def test_another_hosts_attach_does_not_make_this_hosts_decision_stale_but_its_own_pair_does(tmp_path, family):
    clock = FakeClock()
    task(tmp_path, clock, 1001, family)
    other_write(tmp_path, clock, fw.pair_writes(F, "i-y"))            # another task attached (F, i-y)
    assert task(tmp_path, clock, 1002, family, refs=("i-x",))[2] == []
    assert task(tmp_path, clock, 1002, family, refs=("web-i-x",))[2] == []    # named, not id: the same instance
    expected = [ATTACHMENTS] if family == "security-groups" else READS[family]
    assert task(tmp_path, clock, 1002, family, refs=("i-y",))[2] == expected  # a decision about i-y reads again
    assert task(tmp_path, clock, 1001, family, refs=("i-y",))[2] == []       # that read is newer than the write


def test_an_instance_the_kept_attachments_show_missing_is_decided_on_them(tmp_path, family):
    clock = FakeClock()
    task(tmp_path, clock, 1001, family)
    other_write(tmp_path, clock, fw.pair_writes(F, "i-new"))
    assert task(tmp_path, clock, 1002, family, refs=("i-new",))[2] == []   # attached as planned; its wait judges


def test_a_rule_or_group_write_makes_the_kept_rules_stale_for_every_decision(tmp_path, family):
    clock = FakeClock()
    task(tmp_path, clock, 1001, family)
    other_write(tmp_path, clock, ["fleet-fw"])                        # a rule or group write, noted by name
    expected = [RULES] if family == "security-groups" else READS[family]
    assert task(tmp_path, clock, 1002, family)[2] == expected           # attachments still serve (their own key)


def test_purge_or_absent_decides_on_every_attachment_so_any_pair_write_makes_them_stale(tmp_path, family):
    clock = FakeClock()
    task(tmp_path, clock, 1001, family)
    other_write(tmp_path, clock, fw.pair_writes(F, "i-z"))
    expected = [ATTACHMENTS] if family == "security-groups" else READS[family]
    assert task(tmp_path, clock, 1002, family, whole=True)[2] == expected


@pytest.mark.parametrize("answered", [False, True])
def test_a_kept_read_never_serves_a_decision_written_after_it(tmp_path, family, answered):
    clock = FakeClock()
    task(tmp_path, clock, 1001, family)
    other_write(tmp_path, clock, fw.pair_writes(F, "i-x") + ["fleet-fw"], answered=answered)   # in flight too
    unused, served, sent = task(tmp_path, clock, 1002, family)
    assert sent == READS[family] and not served
    clock.now += 1
    assert task(tmp_path, clock, 1001, family)[2] == ([] if answered else READS[family])


def test_a_kept_read_older_than_max_age_or_gone_is_read_again(tmp_path, family):
    clock = FakeClock()
    task(tmp_path, clock, 1001, family)
    clock.now += 21
    assert task(tmp_path, clock, 1002, family)[2] == READS[family]
    source = "%s %s" % (fw_api.FAMILIES[family].path, F) + ("" if family == "security-groups" else " detail")
    kept = kept_of(tmp_path, clock, 1001)
    with kept.state.locked() as data:
        data["reads"][source]["value"] = None                           # a wait read it gone
    assert len(task(tmp_path, clock, 1002, family)[2]) == 1             # never trusted: read again


@pytest.mark.parametrize("source, value", [
    ("/v1/security-groups %s rules" % F, [{"id": True, "direction": "in"}]),
    ("/v1/security-groups %s" % F, [{"id": "i-x", "name": "web", "password": "secret"}]),
    ("/v1/firewall %s detail" % F, [ROW, ROW]),
    ("/v1/firewall", [{"id": "i-x", "name": "fleet-fw"}]),
])
def test_what_the_file_holds_is_validated_by_source_before_it_serves(tmp_path, source, value):
    kept = kept_of(tmp_path, FakeClock(), 1001)
    with kept.state.locked() as data:
        data["reads"] = {source: {"at": kept.clock(), "value": value, "cost": 1}}
    assert kept.read_unless_written(source, lambda unused: [], lambda: "read now") == ("read now", False)


# --- end to end: the module against the emulator while another task of the key runs ----------------------------

def another_task_runs(emulator):
    """The test's parent process (alive) noted as a running task of the key, as a fork of a fleet would be."""
    kept = fw_api.KeptFirewalls("firewalls", emulator.url, emulator.access_key)
    kept.pid = os.getppid()
    kept.busy("nothing")


def run_firewall(emulator, **options):
    return run_module(iwinv_firewall.main, emulator_args(emulator, **dict(options, firewall_api=options.get(
        "firewall_api", "auto"))))


def gets(emulator):
    return ["%s %s" % (entry["method"], entry["path"]) for entry in emulator.requests()]


SSH = [{"direction": "in", "protocol": "tcp", "port": 22, "cidr": "0.0.0.0/0"}]


def test_a_fleet_rerun_reads_the_firewall_once_and_a_rule_change_plans_from_a_fresh_read(emulator, family):
    emulator.config(firewall_family=family)
    ids = emulator.bulk_instances(3, zones=["KR1-Z08"], name_prefix="fleet")["instance_ids"]
    assert run_firewall(emulator, name="fleet-fw", rules=SSH, instances=ids[:2])["changed"] is True
    another_task_runs(emulator)
    assert run_firewall(emulator, name="fleet-fw", rules=SSH, instances=ids[:1])["changed"] is False
    emulator.clear_requests()
    second = run_firewall(emulator, name="fleet-fw", rules=SSH, instances=ids[1:2])
    assert second["changed"] is False and gets(emulator) == []          # every read served by the first task's
    assert sorted(fw.ids_of(second["firewall"]["instances"])) == sorted(ids[:2])
    emulator.clear_requests()
    wider = SSH + [dict(SSH[0], port=443)]
    changed = run_firewall(emulator, name="fleet-fw", rules=wider, instances=ids[:1])
    assert changed["changed"] is True and len(changed["firewall"]["rules"]) == 2
    path = fw_api.FAMILIES[family].path
    fresh = ["GET %s/%s" % (path, changed["firewall"]["id"])]
    if family == "security-groups":
        fresh += ["GET %s/%s/rules" % (path, changed["firewall"]["id"]), "GET %s/%s/instances" % (path, changed[
            "firewall"]["id"])]
    assert gets(emulator)[:len(fresh)] == fresh                         # read again by id before the write
    assert "password" not in json.dumps(changed)


def test_a_fleet_attach_of_a_pair_the_kept_attachments_show_missing_is_sent_without_a_refresh(emulator, family):
    emulator.config(firewall_family=family)
    ids = emulator.bulk_instances(2, zones=["KR1-Z08"], name_prefix="fleet")["instance_ids"]
    run_firewall(emulator, name="fleet-fw", rules=SSH, instances=ids[:1])
    another_task_runs(emulator)
    run_firewall(emulator, name="fleet-fw", rules=SSH, instances=ids[:1])
    emulator.clear_requests()
    attached = run_firewall(emulator, name="fleet-fw", rules=SSH, instances=ids[1:])
    assert attached["changed"] is True and sorted(fw.ids_of(attached["firewall"]["instances"])) == sorted(ids)
    sent = gets(emulator)
    assert sent[0] == "GET /v1/instances/%s" % ids[1] and sent[1].endswith("/attach")   # no firewall read first


def test_an_attach_is_noted_under_its_pair_until_its_task_ends(emulator, family):
    emulator.config(firewall_family=family)
    ids = emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="fleet")["instance_ids"]
    result = run_firewall(emulator, name="fleet-fw", rules=SSH, instances=ids)
    kept = fw_api.KeptFirewalls("firewalls", emulator.url, emulator.access_key)
    with kept.state.locked() as data:
        notes = [write for write in data["writes"].values() if fw.pair_writes(result["firewall"]["id"], ids[0])
                 == write["names"]]
    assert len(notes) == 1 and notes[0]["done"] is not None        # ended with its task, after its wait
