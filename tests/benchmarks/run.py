# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmarks of the collection against the emulator; writes docs/performance.md.

    .venv/bin/python tests/benchmarks/run.py            full run (about 15 minutes): docs/performance.md
    .venv/bin/python tests/benchmarks/run.py --smoke    short run (CI, under 2 minutes): tests/output/performance-smoke.md
    .venv/bin/python tests/benchmarks/run.py --fleet-only   the fleets only (about 10 minutes): their section of the page
    .venv/bin/python tests/benchmarks/run.py --inventory-only   the inventory only (about 3 minutes): its section

Sections: API requests per module operation next to the minimum the API allows; the waiter next to fixed
1/3/10 s polling; the inventory plugin next to plain signed `requests` calls; a fleet under the 60/minute
limit; the per-task cost of an info module next to an `ansible.builtin.uri` task. Modules run through real
`ansible-playbook` processes against a private emulator; requests are counted from its request log.
Exits 1 when a request count exceeds its budget (BUDGETS; counts are exact, timings are never asserted).
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import types

import requests
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))
sys.path.insert(0, HERE)

from fixture import EmulatorProcess, auth_headers  # noqa: E402  pylint: disable=wrong-import-position
from inventory import link_collection, timed, write_config  # noqa: E402  pylint: disable=wrong-import-position

BIN = os.path.dirname(sys.executable)
OP_DELAY = 0.3          # the integration stage's per-operation delay
ZONE = "KR1-Z08"
FLAVOR = "std.1c1g"
IMAGE = "img-ubuntu-2204"

# --- request budgets (checked in every run, --smoke included) -------------------------------------------
# (module, operation) -> the most API requests the operation may make: what it made when measured, plus one
# for the operations that wait (how many reads see an operation finish depends on timing).
BUDGETS = {
    ("iwinv_instance", "create, wait"): 8,
    ("iwinv_instance", "unchanged"): 1,
    ("iwinv_instance", "update description"): 2,
    ("iwinv_instance", "delete, wait"): 5,
    ("iwinv_block_storage", "create, wait"): 8,
    ("iwinv_block_storage", "unchanged"): 2,
    ("iwinv_block_storage", "move to another instance"): 11,
    ("iwinv_block_storage", "delete attached, wait"): 8,
    ("iwinv_firewall", "create, attach, wait"): 8,
    ("iwinv_firewall", "unchanged"): 2,
    ("iwinv_firewall", "update rules"): 3,
    ("iwinv_firewall", "delete attached, wait"): 7,
    # The security-group family (D1b): rules and attachments are sub-resources (issue 25's budgets).
    ("iwinv_firewall", "D1b: create, two rules, attach by id, wait"): 7,
    ("iwinv_firewall", "D1b: unchanged"): 3,
    ("iwinv_firewall", "D1b: add one rule"): 4,
    ("iwinv_firewall", "D1b: rename one rule"): 4,
    ("iwinv_firewall", "D1b: delete attached, wait"): 7,
}
FLEET_429_BUDGET = 0
# A fleet's requests (every fleet case that shares the instance list, --smoke included): per instance its create
# and a share of the list reads that answer the name look-ups and the waits (issue 17's goal: 2), plus the three
# catalog lists (zones, flavors, images) once per controller and per CATALOG_MAX_AGE of wall time (the catalog
# cache's default age), plus FLEET_TIMING_SLACK per controller: the first fork looks its name up alone, and how
# many list reads see every instance `active` depends on timing.
FLEET_REQUESTS_PER_INSTANCE = 2
FLEET_TIMING_SLACK = 2
CATALOG_LISTS = ("GET /v1/zones", "GET /v1/flavors", "GET /v1/images")
CATALOG_MAX_AGE = 300
# The fleet before the catalog cache (docs/performance.md, 22:30 UTC, median of 3 runs), for the before/after table.
BEFORE_FLEET_ROW = ["1 x 20 (before: no catalog cache)", 10, "134.5", 120, "6.00", 0, 120, "1.12", "20 / 20"]
# The inventory before issue 28 (the plugin of commit f9cd1f0, this benchmark, medians of 9 runs at
# BEFORE_INVENTORY_WHEN), for the before/after table: instances -> the cells of inventory_row.
BEFORE_INVENTORY_WHEN = "2026-12-03 13:22 UTC"
BEFORE_INVENTORY_ROWS = {
    100: [3, "0.14", "0.03", "4.22", "0.04", "**1.90**", "-", "-"],
    1000: [12, "1.11", "0.23", "4.77", "0.29", "**2.04**", "-", "-"],
    10000: [102, "12.61", "1.84", "6.83", "2.08", "**2.87**", "-", "-"],
}
# The plugin after issue 28's first pass (commit f1f9e08), measured with this benchmark at FIRST_PASS_WHEN.
FIRST_PASS_WHEN = "2026-12-03 16:50 UTC"
FIRST_PASS_INVENTORY_ROWS = {
    100: [3, "0.08", "0.02", "4.58", "0.02", "**2.11**", "0.02", "**1.44**"],
    1000: [12, "0.47", "0.12", "3.49", "0.19", "**1.61**", "0.27", "**1.37**"],
    10000: [102, "7.13", "2.20", "3.24", "2.70", "**1.62**", "2.43", "**1.18**"],
}
BEFORE_INVENTORY = [("before", BEFORE_INVENTORY_ROWS), ("first pass", FIRST_PASS_INVENTORY_ROWS)]


# --- operations of the resource modules ------------------------------------------------------------------

INSTANCE = {"name": "bench-vm", "zone": ZONE, "flavor": FLAVOR, "image": IMAGE}
VOLUME = {"name": "bench-data", "type": "ssd", "size": 20, "instance": "bulk-00001"}
RULES = [{"direction": "in", "protocol": "tcp", "port": 22, "cidr": "198.51.100.7/32"},
         {"direction": "in", "protocol": "tcp", "port": 443, "cidr": "0.0.0.0/0"}]
FIREWALL = {"name": "bench-fw", "rules": RULES, "instances": ["bulk-00001"], "firewall_api": "firewall"}
# The security-group family, pinned (firewall_api=auto adds one GET /v1/security-groups per key and hour).
GROUPS = dict(FIREWALL, firewall_api="security-groups")
FIRST_INSTANCE = "{{ first_instance }}"   # the id of bulk-00001, given to the play (an id costs one read, a name two)

# (module, operation, options, expected changed, minimum requests, why that is the minimum)
MODULE_STEPS = [
    ("iwinv_instance", "create, wait", INSTANCE, True, 3,
     "1 list to learn the name is free, 1 POST, 1 read that sees `active`"),
    ("iwinv_instance", "unchanged", INSTANCE, False, 1,
     "1 list by name: its rows carry zone, flavor, image and status"),
    ("iwinv_instance", "update description", dict(INSTANCE, description="benchmark"), True, 2,
     "1 list by name, 1 PUT (its answer is the new state)"),
    ("iwinv_instance", "delete, wait", {"name": "bench-vm", "zone": ZONE, "state": "absent"}, True, 3,
     "1 list by name, 1 DELETE, 1 read that finds it gone"),
    ("iwinv_block_storage", "create, wait", VOLUME, True, 4,
     "1 volume list (name free), 1 instance list (name to id and zone), 1 POST, 1 read that sees `attached`"),
    ("iwinv_block_storage", "unchanged", VOLUME, False, 2,
     "1 volume list by name, 1 read of the instance it is attached to (does its name match?)"),
    ("iwinv_block_storage", "move to another instance", dict(VOLUME, instance="bulk-00002"), True, 6,
     "1 volume list, 1 instance list (name to id), detach POST + 1 read (`available`), attach POST + 1 read (`attached`)"),
    ("iwinv_block_storage", "delete attached, wait", {"name": "bench-data", "state": "absent"}, True, 5,
     "1 volume list, detach POST + 1 read (the API refuses to delete an attached volume), DELETE + 1 read (gone)"),
    ("iwinv_firewall", "create, attach, wait", FIREWALL, True, 5,
     "1 list (name free), 1 instance list (name to id), 1 POST with the rules, attach POST, 1 read that sees it attached"),
    ("iwinv_firewall", "unchanged", FIREWALL, False, 2,
     "1 list by name (its rows have no rules), 1 detail (rules and instances); the instance name needs no "
     "look-up when the detail already lists it"),
    ("iwinv_firewall", "update rules", dict(FIREWALL, rules=RULES + [{"direction": "in", "protocol": "tcp", "port": 80,
                                                                     "cidr": "0.0.0.0/0"}]), True, 3,
     "1 list by name, 1 detail, 1 PUT (its answer is the new state)"),
    ("iwinv_firewall", "delete attached, wait", {"name": "bench-fw", "state": "absent", "firewall_api": "firewall"},
     True, 5,
     "1 list, 1 detail (attachments), detach POST + 1 read (the API refuses to delete an attached firewall), "
     "1 DELETE (answered at once)"),
    ("iwinv_firewall", "D1b: create, two rules, attach by id, wait", dict(GROUPS, instances=[FIRST_INSTANCE]), True, 7,
     "1 list (name free), 1 instance read (id), 1 POST of the group, 2 rule POSTs, attach POST, 1 read of "
     "`.../instances` that sees it attached (by name: one more, the id read then the list)"),
    ("iwinv_firewall", "D1b: unchanged", GROUPS, False, 3,
     "1 list by name (its rows carry name, description, icmp), 1 rule list, 1 instance list; the instance name "
     "needs no look-up when that list already names it"),
    ("iwinv_firewall", "D1b: add one rule", dict(GROUPS, rules=RULES + [{"direction": "in", "protocol": "tcp",
                                                                         "port": 80, "cidr": "0.0.0.0/0"}]), True, 4,
     "the 3 reads of `unchanged`, 1 rule POST (its answer is the new rule): the other rules are not rewritten"),
    ("iwinv_firewall", "D1b: rename one rule", dict(GROUPS, rules=[dict(RULES[0], name="ssh-office")] + RULES[1:] + [
        {"direction": "in", "protocol": "tcp", "port": 80, "cidr": "0.0.0.0/0"}]), True, 4,
     "the 3 reads, 1 partial PUT of that rule (it keeps its id)"),
    ("iwinv_firewall", "D1b: delete attached, wait", dict(GROUPS, state="absent"), True, 6,
     "the 3 reads (attachments), detach POST + 1 read of `.../instances`, 1 DELETE (answered at once)"),
]
# The firewall family each firewall step runs on (the emulator serves one; the module is pinned to it).
STEP_FAMILY = {"iwinv_firewall": "firewall"}

WAITER_DURATIONS = (2, 10, 60)
FIXED_INTERVALS = (1, 3, 10)
WAITER_SCHEDULE = (1, 2, 4, 8) + (10,) * 100   # _engine_wait.py: first 1 s, doubling, capped at 10 s


# --- small helpers ---------------------------------------------------------------------------------------

def median(values):
    return statistics.median(values) if values else float("nan")


def endpoint(entry):
    """'GET /v1/instances/{id}' for a request log entry: ids replaced so that rows group."""
    version, rest = entry["path"].strip("/").split("/", 1)
    # Ids hold digits (bs-1a2b..., UUIDs, bulk-00001); collection and action words (types, attach) do not.
    # Firewall ids (FIREWALL-...) may hold none: their prefix marks them.
    parts = ["{id}" if re.search(r"[0-9]", part) or part.startswith("FIREWALL-") else part for part in rest.split("/")]
    return "%s /%s/%s" % (entry["method"], version, "/".join(parts))


def by_endpoint(log):
    counts = {}
    for entry in log:
        counts[endpoint(entry)] = counts.get(endpoint(entry), 0) + 1
    return ", ".join("%s ×%d" % (name, count) if count > 1 else name for name, count in counts.items())


def expected_polls(duration, intervals):
    """Reads and overshoot of a poller that reads after each interval (exact, no latency)."""
    elapsed, reads = 0.0, 0
    for interval in intervals:
        if elapsed >= duration:
            break
        elapsed += interval
        reads += 1
    return reads, elapsed - duration


class Bench:
    """A private emulator, a collections path holding this checkout, and ansible-playbook runs against them."""

    def __init__(self, work):
        self.work = work
        self.collections = link_collection(os.path.join(work, "collections"))
        self.emulator = EmulatorProcess(access_key="bench-access", secret_key="bench-secret-%d" % os.getpid(),
                                        op_delay=OP_DELAY, rate_limit=0)
        self.runs = 0

    def stop(self):
        self.emulator.stop()

    def connection(self, rate_limit=0):
        options = {"api_url": self.emulator.url, "access_key": self.emulator.access_key,
                   "secret_key": self.emulator.secret_key}
        if rate_limit is not None:
            options["rate_limit"] = rate_limit
        return options

    def playbook(self, tasks, hosts="localhost", inventory="localhost,", forks=5, rate_limit=0, extra_vars=None):
        """Run one play with these tasks; returns (wall seconds, stdout). Fails loudly when the play fails."""
        start = time.perf_counter()
        stdout = self.finish(self.start_playbook(tasks, hosts, inventory, forks, rate_limit, extra_vars))
        return time.perf_counter() - start, stdout

    def start_playbook(self, tasks, hosts="localhost", inventory="localhost,", forks=5, rate_limit=0, extra_vars=None,
                       home=None):
        """Start one ansible-playbook run in a home of its own (HOME and XDG_CACHE_HOME): a controller that shares
        no file with any other run, like a job container of AWX; or in `home`, that of an earlier run (the same
        controller again). Returns the process."""
        self.runs += 1
        path = os.path.join(self.work, "play-%d.yml" % self.runs)
        play = {"name": "benchmark", "hosts": hosts, "gather_facts": False, "connection": "local",
                "vars": {"ansible_python_interpreter": sys.executable},
                "module_defaults": {"group/iwinv.cloud.iwinv": self.connection(rate_limit)}, "tasks": tasks}
        with open(path, "w", encoding="utf-8") as handle:
            yaml.safe_dump([play], handle, sort_keys=False)
        command = [os.path.join(BIN, "ansible-playbook"), "-i", inventory, "-f", str(forks), path]
        if extra_vars:
            command += ["-e", yaml.safe_dump(extra_vars, default_flow_style=True, width=100000).strip()]
        # A pacer file of its own per run: the fleet starts with a full bucket, and no other user's state counts.
        if home is None:
            home = os.path.join(self.work, "home-%d" % self.runs)
            os.makedirs(home, mode=0o700)
        environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=self.collections, ANSIBLE_NOCOLOR="1", HOME=home,
                           XDG_CACHE_HOME=os.path.join(home, ".cache"), ANSIBLE_FORCE_COLOR="0")
        return subprocess.Popen(command, env=environment, cwd=self.work, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)

    @staticmethod
    def finish(process):
        """The stdout of a started run, once it ends; fails loudly when the play failed."""
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            raise RuntimeError("ansible-playbook failed (exit %d):\n%s\n%s"
                               % (process.returncode, stdout[-3000:], stderr[-2000:]))
        return stdout


def changed_count(stdout):
    return sum(int(value) for value in re.findall(r"changed=(\d+)", stdout))


# --- 1. requests per module operation --------------------------------------------------------------------

def bench_modules(bench):
    """One run of every module step: {(module, operation): (requests, seconds, endpoints)}."""
    results = {}
    group_now, instance_ids = None, []
    for module, operation, options, changed, unused_minimum, unused_why in MODULE_STEPS:
        family = options.get("firewall_api", STEP_FAMILY.get(module))
        if (module, family) != group_now:   # each module (and family) starts from the seed plus two instances
            bench.emulator.reset(config=False)
            if family:
                bench.emulator.config(firewall_family=family)
            instance_ids = bench.emulator.bulk_instances(2, zones=[ZONE])["instance_ids"]
            group_now = (module, family)
        bench.emulator.clear_requests()
        seconds, stdout = bench.playbook([{"name": operation, "iwinv.cloud.%s" % module: options}],
                                         extra_vars={"first_instance": instance_ids[0]})
        log = bench.emulator.requests()
        if (changed_count(stdout) > 0) != changed:
            raise RuntimeError("%s %s: expected changed=%s:\n%s" % (module, operation, changed, stdout[-2000:]))
        results[(module, operation)] = (len(log), seconds, by_endpoint(log))
    return results


# --- 2. the waiter next to fixed polling -----------------------------------------------------------------

def fixed_poller(bench, instance_id, interval, duration, out):
    """Shut an instance down with the collection's client, then poll every `interval` s with the same waiter."""
    from ansible_collections.iwinv.cloud.plugins.module_utils import _api_client as client  # pylint: disable=import-outside-toplevel
    from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances  # pylint: disable=import-outside-toplevel
    from ansible_collections.iwinv.cloud.plugins.module_utils import _engine_wait as waiter  # pylint: disable=import-outside-toplevel
    api = client.IwinvClient(bench.emulator.access_key, bench.emulator.secret_key, api_url=bench.emulator.url,
                             rate_limit=0)
    instances.shutdown_instance(api, instance_id)
    waiter.wait_until(lambda: instances.get_instance(api, instance_id), lambda row: row["status"] == "off",
                      timeout=duration + 120, first_interval=interval, max_interval=interval)
    out[interval] = (api.request_count - 1, time.time())


def module_waiter(bench, instance_id, duration, out):
    stamp = os.path.join(bench.work, "returned-%s" % instance_id)
    bench.playbook([
        {"name": "stop and wait", "iwinv.cloud.iwinv_instance": {"id": instance_id, "state": "stopped",
                                                                 "wait_timeout": duration + 120}},
        # Rendered as soon as the module has returned its result to the controller.
        {"name": "when the module returned", "ansible.builtin.copy": {"content": "{{ now().timestamp() }}", "dest": stamp}},
    ])
    with open(stamp, encoding="utf-8") as handle:
        out["module"] = (None, float(handle.read()))


def bench_waiter(bench, duration):
    """Shut down 4 instances side by side (module, fixed 1/3/10 s): {strategy: (polls, overshoot seconds)}."""
    bench.emulator.reset(config=False)
    ids = bench.emulator.bulk_instances(4, zones=[ZONE])["instance_ids"]
    bench.emulator.config(op_delays={"instance.shutdown": float(duration)})
    bench.emulator.clear_requests()
    out = {}
    threads = [threading.Thread(target=module_waiter, args=(bench, ids[0], duration, out))]
    threads += [threading.Thread(target=fixed_poller, args=(bench, ids[n + 1], interval, duration, out))
                for n, interval in enumerate(FIXED_INTERVALS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    bench.emulator.config(op_delays={"instance.shutdown": OP_DELAY})
    log = bench.emulator.requests()
    results = {}
    for strategy, instance_id in zip(["module"] + list(FIXED_INTERVALS), ids):
        if strategy not in out:
            raise RuntimeError("the %s poller did not finish" % strategy)
        posted = [e["time"] for e in log if e["method"] == "POST" and e["path"].endswith(instance_id + "/shutdown")][0]
        polls = len([e for e in log if e["method"] == "GET" and e["path"].endswith(instance_id) and e["time"] > posted])
        results[strategy] = (polls, out[strategy][1] - (posted + duration))
    return results


# --- 3. the inventory next to plain signed requests ------------------------------------------------------

def replay(emulator, log):
    """The same GETs with plain signed `requests` calls on one keep-alive connection, JSON decoded: the floor."""
    session = requests.Session()
    gc.collect()   # no measurement pays for the garbage of the one before
    start = time.perf_counter()
    for entry in log:
        response = session.get(emulator.url + entry["path"], params=entry["query"],
                               headers=auth_headers(emulator.access_key, emulator.secret_key, entry["path"]))
        response.raise_for_status()
        response.json()
    return time.perf_counter() - start


def ansible_floor(inventory):
    """Seconds that Ansible alone takes to hold the same hosts, groups and variables (no API, no plugin code):
    add_group, add_host and set_variable on a fresh InventoryData, through the proxy that ansible-core 2.19
    puts in front of every inventory plugin when it can be built."""
    from ansible.inventory.data import InventoryData  # pylint: disable=import-outside-toplevel
    hosts = [(host.name, [group.name for group in host.get_groups()], dict(host.vars)) for host in inventory.get_hosts()]
    target = InventoryData()
    try:
        from ansible.inventory.manager import _InventoryDataWrapper  # pylint: disable=import-outside-toplevel
        from ansible._internal._datatag._tags import Origin  # pylint: disable=import-outside-toplevel
        target = _InventoryDataWrapper(target, target_plugin=types.SimpleNamespace(trusted_by_default=False),
                                       origin=Origin(path=os.path.join(ROOT, "benchmark")))
    except ImportError:   # older ansible-core: no proxy
        pass
    gc.collect()
    start = time.perf_counter()
    for name, groups, variables in hosts:
        for group in groups:
            target.add_host(name, group=target.add_group(group))
        for key, value in variables.items():
            target.set_variable(name, key, value)
    return time.perf_counter() - start


def ansible_core_floor(inventory, source, loader):
    """Seconds that ansible-core takes for exactly the calls the plugin makes, with the same inputs, and for what
    InventoryManager does after them (no API, no plugin code): add_group once per group; add_host per group of each
    host, with the source set as InventoryManager sets it (so add_host sets inventory_file and inventory_dir, a
    basedir per host); set_variable per variable the plugin set, through the proxy of ansible-core 2.19, with a
    fresh copy of each value where the plugin handed one (the proxy tags its origin on a copy) and, where hosts
    share one object, the copy this inventory holds from the first host; then reconcile_inventory and the vars
    plugins' pass over every host. The cyclic collector is paused for the calls, as the plugin pauses it."""
    from ansible.inventory.data import InventoryData  # pylint: disable=import-outside-toplevel
    from ansible.utils.vars import combine_vars  # pylint: disable=import-outside-toplevel
    from ansible.vars.plugins import get_vars_from_inventory_sources  # pylint: disable=import-outside-toplevel
    hosts, first = [], {}   # first: id of a value object -> (host, variable) that holds it first
    for host in inventory.get_hosts():
        names = [name for name in host.vars if name not in ("inventory_file", "inventory_dir")]
        fresh = json.loads(json.dumps({name: host.vars[name] for name in names}))   # untagged copies
        held = {name: first.setdefault(id(host.vars[name]), (host.name, name)) for name in names}
        inputs = [(name, None if held[name] == (host.name, name) else held[name], fresh[name]) for name in names]
        hosts.append((host.name, [group.name for group in host.get_groups()], inputs))
    data = InventoryData()
    data.current_source = source
    target = proxied(data)
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        for group in inventory.groups:
            target.add_group(group)
        for name, groups, inputs in hosts:
            for group in groups:
                target.add_host(name, group=group)
            for key, shared, value in inputs:
                target.set_variable(name, key, value if shared is None else data.hosts[shared[0]].vars[shared[1]])
    finally:
        gc.enable()
    data.reconcile_inventory()
    for host in data.hosts.values():
        host.vars = combine_vars(host.vars, get_vars_from_inventory_sources(loader, [source], [host], "inventory"))
    return time.perf_counter() - start


def proxied(data):
    """`data` behind the proxy that ansible-core 2.19 and later put in front of an inventory plugin; older: as it is."""
    try:
        from ansible.inventory.manager import _InventoryDataWrapper  # pylint: disable=import-outside-toplevel
        from ansible._internal._datatag._tags import Origin  # pylint: disable=import-outside-toplevel
    except ImportError:   # older ansible-core: no proxy
        return data
    return _InventoryDataWrapper(data, target_plugin=types.SimpleNamespace(trusted_by_default=False),
                                 origin=Origin(description="<inventory plugin 'benchmark'>"))


def bench_inventory(bench, size):
    """(plugin s, requests, plain requests s, hosts, Ansible's own s, ansible-core's s for the plugin's calls) for
    one inventory build of `size` instances."""
    from ansible.inventory.manager import InventoryManager  # pylint: disable=import-outside-toplevel
    from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
    bench.emulator.reset(config=False)
    bench.emulator.bulk_instances(size)
    path = write_config(os.path.join(bench.work, "bench.iwinv.yml"), bench.emulator)
    seconds, count, inventory = timed(bench.emulator, lambda: InventoryManager(loader=DataLoader(), sources=[path]))
    log = bench.emulator.requests()
    hosts = len(inventory.groups["iwinv"].get_hosts())
    if hosts != size:
        raise RuntimeError("the inventory holds %d hosts, not %d" % (hosts, size))
    return (seconds, count, replay(bench.emulator, log), hosts, ansible_floor(inventory),
            ansible_core_floor(inventory, path, DataLoader()))


# --- 4. fleets under the 60/minute limit -----------------------------------------------------------------

def fleet_names(size, controller, controllers):
    width = 3 if size >= 100 else 2
    prefix = "c%d-fleet" % controller if controllers > 1 else "fleet"
    return ["%s-%0*d" % (prefix, width, n) for n in range(1, size + 1)]


def bench_fleet(bench, size, forks, controllers=1, build=OP_DELAY, shared=True):
    """`controllers` ansible-playbook runs at once, each in a home of its own, each creating `size` instances (one
    per host, `forks` at a time) with the default rate_limit (60) against an emulator that enforces 60 per rolling
    minute and builds an instance in `build` seconds; `shared=False` turns the shared instance list off. A dict of
    seconds, requests, 429s, endpoints, creates (POSTs answered 2xx) and instances (those of the fleet's names that
    exist, counted by name: a name twice is a duplicate)."""
    bench.emulator.reset(config=False)
    bench.emulator.config(rate_limit=60, rate_window=60, op_delays={"instance.create": float(build)})
    names, processes = [], []
    create = dict(INSTANCE, name="{{ inventory_hostname }}")
    if not shared:
        create["instance_list_max_age"] = 0
    start = time.perf_counter()
    try:
        for controller in range(1, controllers + 1):
            hosts = fleet_names(size, controller, controllers)
            names += hosts
            inventory = os.path.join(bench.work, "fleet-%d.ini" % controller)
            with open(inventory, "w", encoding="utf-8") as handle:
                handle.write("[fleet]\n" + "".join(host + "\n" for host in hosts))
            processes.append(bench.start_playbook([{"name": "create", "iwinv.cloud.iwinv_instance": create}],
                                                  hosts="fleet", inventory=inventory, forks=forks, rate_limit=None))
        for process in processes:
            bench.finish(process)
        seconds = time.perf_counter() - start
    finally:
        bench.emulator.config(rate_limit=0, op_delays={"instance.create": OP_DELAY})
    log = bench.emulator.requests()
    instances = bench.emulator.state()["instances"]
    rows = instances.values() if isinstance(instances, dict) else instances
    wanted = set(names)
    return {"size": size, "forks": forks, "controllers": controllers, "build": build, "shared": shared,
            "seconds": seconds, "requests": len(log),
            "limited": len([e for e in log if e["status"] == 429]), "endpoints": by_endpoint(log),
            "creates": len([e for e in log if e["method"] == "POST" and e["path"] == "/v1/instances"
                            and 200 <= e["status"] < 300]),
            "instances": len([row for row in rows if row.get("name") in wanted]), "expected": len(names),
            "catalog": len([e for e in log if "%s %s" % (e["method"], e["path"]) in CATALOG_LISTS])}


# --- 4b. role fleets: iwinv.cloud.server on every host, one shared firewall -------------------------------

ROLE_FIREWALL = "fleet-fw"
ROLE_FAMILIES = ("security-groups", "firewall")


def role_vars():
    """The role's variables for every host: its own instance and data volume, one firewall of two rules for all."""
    return {"server_name": "{{ inventory_hostname }}", "server_zone": ZONE, "server_flavor": FLAVOR,
            "server_image": IMAGE, "server_volumes": [{"name": "{{ inventory_hostname }}-data", "size": 20}],
            "server_firewall": {"name": ROLE_FIREWALL, "rules": RULES}}


def role_fleet_state(bench, hosts):
    """(instances, volumes, firewalls named ROLE_FIREWALL, instances attached to it) among the fleet's names."""
    state = bench.emulator.state()
    ids = set(row["instance_id"] for row in state["instances"].values() if row.get("name") in hosts)
    volumes = [row for row in state["volumes"].values() if row.get("name") in set(h + "-data" for h in hosts)]
    firewalls = [row["firewall_id"] for row in state["firewalls"].values() if row.get("title") == ROLE_FIREWALL]
    attached = set(link["instance_id"] for link in state["links"].values()
                   if link["firewall_id"] in firewalls and link["state"] == "attached")
    return len(ids), len(volumes), len(firewalls), len(attached & ids)


def role_play(bench, inventory, forks, home=None):
    """One run of the role on every host of the inventory: (seconds, requests log)."""
    bench.emulator.clear_requests()
    start = time.perf_counter()
    role = {"name": "server", "ansible.builtin.include_role": {"name": "iwinv.cloud.server"}, "vars": role_vars()}
    bench.finish(bench.start_playbook([role], hosts="fleet", inventory=inventory, forks=forks, rate_limit=None,
                                      home=home))
    return time.perf_counter() - start, bench.emulator.requests()


def bench_role_fleet(bench, size, forks, family):
    """`size` hosts running the role iwinv.cloud.server, `forks` at a time, on the firewall API `family`, against an
    emulator enforcing 60 requests per rolling minute; then the same play again, unchanged, on the same controller
    (the rerun: its pacer knows the first run's requests)."""
    bench.emulator.reset(config=False)
    bench.emulator.config(rate_limit=60, rate_window=60, firewall_family=family)
    hosts = fleet_names(size, 1, 1)
    inventory = os.path.join(bench.work, "role-fleet.ini")
    with open(inventory, "w", encoding="utf-8") as handle:
        handle.write("[fleet]\n" + "".join(host + "\n" for host in hosts))
    try:
        seconds, log = role_play(bench, inventory, forks)
        home = os.path.join(bench.work, "home-%d" % bench.runs)   # the first run's: the same controller again
        rerun_seconds, rerun_log = role_play(bench, inventory, forks, home=home)
    finally:
        bench.emulator.config(rate_limit=0, firewall_family=ROLE_FAMILIES[0])
    instances, volumes, firewalls, attached = role_fleet_state(bench, hosts)
    return {"size": size, "forks": forks, "family": family, "seconds": seconds, "requests": len(log),
            "limited": len([e for e in log if e["status"] == 429]), "endpoints": by_endpoint(log),
            "rerun_seconds": rerun_seconds, "rerun_requests": len(rerun_log),
            "rerun_limited": len([e for e in rerun_log if e["status"] == 429]),
            "rerun_endpoints": by_endpoint(rerun_log),
            "instances": instances, "volumes": volumes, "firewalls": firewalls, "attached": attached}


# --- 5. per-task overhead: info module versus ansible.builtin.uri ----------------------------------------

def bench_overhead(bench, tasks):
    """Wall seconds of `tasks` iwinv_zone_info tasks, `tasks` uri tasks (same signed GET), and an empty play."""
    empty, unused = bench.playbook([{"name": "nothing", "ansible.builtin.meta": "noop"}])
    module, unused = bench.playbook([{"name": "zones %d" % n, "iwinv.cloud.iwinv_zone_info": {}} for n in range(tasks)])
    uri_task = {"ansible.builtin.uri": {"url": bench.emulator.url + "/v1/zones", "headers": "{{ signed_headers }}",
                                        "return_content": True}}
    # Signed just before the play starts: the API accepts timestamps within 300 s.
    headers = auth_headers(bench.emulator.access_key, bench.emulator.secret_key, "/v1/zones")
    uri, unused = bench.playbook([dict(uri_task, name="zones %d" % n) for n in range(tasks)],
                                 extra_vars={"signed_headers": headers})
    return empty, module, uri


# --- the report --------------------------------------------------------------------------------------------

def run_all(bench, args):
    runs = args.runs
    report = {"runs": runs}
    module_runs = [bench_modules(bench) for unused in range(runs)]
    report["modules"] = module_runs
    log_progress("modules")
    durations = [d for d in WAITER_DURATIONS if not (args.smoke and d >= 60)]
    report["waiter"] = {d: [bench_waiter(bench, d) for unused in range(runs)] for d in durations}
    log_progress("waiter")
    report["inventory"] = run_inventory(bench, runs)
    log_progress("inventory")
    report["fleet"] = run_fleets(bench, args)
    log_progress("fleet")
    report["role_fleet"] = run_role_fleets(bench, args)
    log_progress("role fleet")
    report["overhead"] = (args.tasks, [bench_overhead(bench, args.tasks) for unused in range(runs)])
    log_progress("overhead")
    return report


INVENTORY_SIZES = (100, 1000, 10000)


def run_inventory(bench, runs):
    return {size: [bench_inventory(bench, size) for unused in range(runs)] for size in INVENTORY_SIZES}


# (instances per controller, forks, controllers, runs in a full run, options of bench_fleet): the heavy cases run
# once (minutes each). A case without the shared instance list is the "before" of the case after it.
SLOW_BUILD = 30
FLEETS = [(20, 10, 1, 1, {"shared": False}), (20, 10, 1, 2, {}), (100, 20, 1, 1, {}), (20, 10, 3, 1, {}),
          (20, 10, 1, 1, {"build": SLOW_BUILD, "shared": False}), (20, 10, 1, 1, {"build": SLOW_BUILD})]
SMOKE_FLEETS = [(5, 5, 1, 1, {}), (3, 3, 2, 1, {})]


ROLE_FLEETS = [(20, 10, family) for family in ROLE_FAMILIES]
SMOKE_ROLE_FLEETS = [(3, 3, "security-groups")]   # fits one minute of the limit: no pacing


def run_role_fleets(bench, args):
    budgets = (SMOKE_ROLE_BUDGET, SMOKE_ROLE_RERUN_BUDGET) if args.smoke else (ROLE_BUDGET, ROLE_RERUN_BUDGET)
    return [dict(bench_role_fleet(bench, size, forks, family), budgets=budgets)
            for size, forks, family in (SMOKE_ROLE_FLEETS if args.smoke else ROLE_FLEETS)]


def run_fleets(bench, args):
    fleets = SMOKE_FLEETS if args.smoke else FLEETS
    return [[bench_fleet(bench, size, forks, controllers, **options) for unused in range(min(runs, args.runs))]
            for size, forks, controllers, runs, options in fleets]


STARTED = time.perf_counter()


def log_progress(section):
    sys.stderr.write("benchmark: %s done after %.0f s\n" % (section, time.perf_counter() - STARTED))


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for unused in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def modules_section(report):
    rows, over = [], []
    for module, operation, unused_options, unused_changed, minimum, why in MODULE_STEPS:
        samples = [run[(module, operation)] for run in report["modules"]]
        counts = [sample[0] for sample in samples]
        budget = BUDGETS[(module, operation)]
        if max(counts) > budget:
            over.append("%s %s: %d requests, budget %d" % (module, operation, max(counts), budget))
        shown = "%d" % counts[0] if len(set(counts)) == 1 else "%s (runs: %s)" % (median(counts), counts)
        rows.append(["`%s`" % module, operation, shown, minimum, budget, why, samples[0][2],
                     "%.2f" % median([sample[1] for sample in samples])])
    text = table(["module", "operation", "requests", "minimum", "budget", "why that is the minimum", "requests made",
                  "wall s"], rows)
    return text, over


def waiter_section(report):
    rows = []
    for duration, samples in report["waiter"].items():
        for strategy in ["module"] + list(FIXED_INTERVALS):
            polls = [sample[strategy][0] for sample in samples]
            overshoot = [sample[strategy][1] for sample in samples]
            if strategy == "module":
                name, exact = "collection's waiter (1, 2, 4, 8, then 10 s)", expected_polls(duration, WAITER_SCHEDULE)
            else:
                name, exact = "fixed %d s" % strategy, expected_polls(duration, (strategy,) * 1000)
            rows.append([duration, name, "%g" % median(polls), "%.2f" % median(overshoot), exact[0], "%g" % exact[1]])
    return table(["operation s", "polling", "reads after the write", "overshoot s (median)", "reads (exact schedule)",
                  "overshoot s (exact schedule)"], rows)


def inventory_row(samples):
    """The cells after "instances" of one size's row, from its samples: (plugin s, requests, plain requests s,
    hosts, Ansible's own s, ansible-core's s for the plugin's calls); a sample without the last has "-" there."""
    seconds = median([sample[0] for sample in samples])
    floor = median([sample[2] for sample in samples])
    ratio = median([sample[0] / sample[2] for sample in samples])
    ansible = median([sample[4] for sample in samples])
    both = median([sample[0] / (sample[2] + sample[4]) for sample in samples])
    cells = [samples[0][1], "%.2f" % seconds, "%.2f" % floor, "%.2f" % ratio, "%.2f" % ansible, "**%.2f**" % both]
    if any(len(sample) < 6 for sample in samples):
        return cells + ["-", "-"]
    core = median([sample[5] for sample in samples])
    exact = median([sample[0] / (sample[2] + sample[5]) for sample in samples])
    return cells + ["%.2f" % core, "**%.2f**" % exact]


def inventory_section(report):
    rows = []
    for size, samples in report["inventory"].items():
        for label, before in BEFORE_INVENTORY:
            if size in before:
                rows.append(["%d (%s)" % (size, label)] + before[size])
        rows.append([size] + inventory_row(samples))
    return table(["instances", "requests", "plugin s", "plain requests s (floor)", "ratio plugin / floor",
                  "Ansible's own s", "ratio plugin / (floor + Ansible's own)",
                  "ansible-core's s for the plugin's calls", "ratio plugin / (floor + ansible-core's)"], rows)


def inventory_spread(report):
    """One line per size: the lowest and highest per-run ratio of each of the last two columns."""
    lines = []
    for size, samples in report["inventory"].items():
        own = [sample[0] / (sample[2] + sample[4]) for sample in samples]
        text = "- %d: plugin / (floor + Ansible's own) %.2f to %.2f" % (size, min(own), max(own))
        if all(len(sample) > 5 for sample in samples):
            core = [sample[0] / (sample[2] + sample[5]) for sample in samples]
            text += "; plugin / (floor + ansible-core's) %.2f to %.2f" % (min(core), max(core))
        lines.append(text)
    return "\n".join(lines)


def inventory_page(report):
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    runs = len(report["inventory"][INVENTORY_SIZES[0]])
    samples = [sample for size_samples in report["inventory"].values() for sample in size_samples if len(sample) > 5]
    at_least = "%d of the %d" % (len([sample for sample in samples if sample[5] >= sample[4]]), len(samples))
    return INVENTORY_PAGE.format(inventory=inventory_section(report), when=when, runs=runs, at_least=at_least,
                                 spread=inventory_spread(report),
                                 before=BEFORE_INVENTORY_WHEN, first_pass=FIRST_PASS_WHEN)


def fleet_label(sample):
    """'1 x 20', with what differs from the default case: slow builds, no shared instance list."""
    label = "%d x %d" % (sample["controllers"], sample["size"])
    if sample.get("build", OP_DELAY) != OP_DELAY:
        label += ", %g s builds" % sample["build"]
    if not sample.get("shared", True):
        label += " (before: no shared instance list)"
    return label


def fleet_row(sample):
    per_instance = sample["requests"] / max(sample["creates"], 1)
    return [fleet_label(sample), sample["forks"], "%.1f" % sample["seconds"],
            sample["requests"], "%.2f" % per_instance, sample["limited"], sample["requests"],
            "%.2f" % (sample["seconds"] / sample["requests"]), "%d / %d" % (sample["instances"], sample["expected"])]


def fleet_problems(sample):
    """What a fleet run breaks of its budget: counts only, never times."""
    problems = []
    what = "fleet " + fleet_label(sample)
    if sample["instances"] != sample["expected"] or sample["creates"] != sample["expected"]:
        problems.append("%s: %d instances exist and %d creates succeeded, for %d names"
                        % (what, sample["instances"], sample["creates"], sample["expected"]))
    catalog_reads = sample["controllers"] * len(CATALOG_LISTS) * (1 + int(sample["seconds"] // CATALOG_MAX_AGE))
    if sample["catalog"] > catalog_reads:
        problems.append("%s: %d catalog list reads, budget %d" % (what, sample["catalog"], catalog_reads))
    slack = FLEET_TIMING_SLACK * sample["controllers"]
    if sample.get("shared", True) and sample["requests"] > FLEET_REQUESTS_PER_INSTANCE * sample["expected"] + catalog_reads + slack:
        problems.append("%s: %d requests, budget %d per instance + %d catalog reads + %d"
                        % (what, sample["requests"], FLEET_REQUESTS_PER_INSTANCE, catalog_reads, slack))
    if sample["controllers"] == 1 and sample["limited"] > FLEET_429_BUDGET:
        problems.append("%s: %d answers 429, budget %d" % (what, sample["limited"], FLEET_429_BUDGET))
    return problems


def fleet_section(report):
    rows = [BEFORE_FLEET_ROW]
    over = []
    for samples in report["fleet"]:
        rows += [fleet_row(sample) for sample in samples]
        over += [problem for sample in samples for problem in fleet_problems(sample)]
    text = table(["controllers x instances", "forks", "wall s", "requests", "requests per instance", "429s",
                  "floor s (requests at 60/min)", "wall / floor", "instances / names"], rows)
    endpoints = "".join("- %s: %s\n" % (fleet_label(samples[0]), samples[0]["endpoints"]) for samples in report["fleet"])
    return text + "\nRequests of the first run of each case:\n\n" + endpoints, over


# (family: (requests, 429s, wall s, rerun requests)) measured before issue 28, on the same machine and emulator
BEFORE_ROLE_WHEN = "2026-12-03 16:08 UTC"
BEFORE_ROLE_ROWS = {"security-groups": (250, 0, 256, 122), "firewall": (231, 0, 222, 102)}
# Where their requests went (the endpoints of the run and of the rerun)
BEFORE_ROLE_ENDPOINTS = {
    "security-groups": (
        "GET /v1/instances ×4, GET /v1/zones, GET /v1/flavors, GET /v1/images, POST /v1/instances"
        " ×20, GET /v1/block-storages ×20, GET /v1/instances/{id} ×60, GET /v1/block-"
        "storages/types, POST /v1/block-storages ×20, GET /v1/block-storages/{id} ×20, GET "
        "/v1/security-groups ×21, POST /v1/security-groups, POST /v1/security-groups/{id}/rules "
        "×2, POST /v1/security-groups/{id}/attach ×20, GET /v1/security-groups/{id}/instances "
        "×39, GET /v1/security-groups/{id}/rules ×19",
        "GET /v1/instances ×3, GET /v1/instances/{id} ×38, GET /v1/block-storages ×20, GET "
        "/v1/security-groups ×21, GET /v1/security-groups/{id}/rules ×20, GET /v1/security-"
        "groups/{id}/instances ×20"),
    "firewall": (
        "GET /v1/instances ×6, GET /v1/zones, GET /v1/flavors, GET /v1/images, POST /v1/instances"
        " ×20, GET /v1/block-storages ×20, GET /v1/instances/{id} ×60, GET /v1/block-"
        "storages/types, POST /v1/block-storages ×20, GET /v1/block-storages/{id} ×20, GET "
        "/v1/security-groups, GET /v1/firewall ×20, POST /v1/firewall, POST "
        "/v1/firewall/{id}/attach ×20, GET /v1/firewall/{id} ×39",
        "GET /v1/instances ×3, GET /v1/instances/{id} ×38, GET /v1/block-storages ×20, GET "
        "/v1/security-groups, GET /v1/firewall ×20, GET /v1/firewall/{id} ×20"),
}
# The budgets the benchmark enforces: (requests per server, requests for the whole fleet), of the run and the
# rerun. Per server: the instance, volume and attach writes, what a task found read by id, the firewall's detail;
# for the fleet: the catalog, the lists, the firewall's create and rules, and the waits' shared reads. A 20-host
# fleet spends more per server: at 60 a minute its kept instance rows are often older than instance_list_max_age.
ROLE_BUDGET = (3, 20)
ROLE_RERUN_BUDGET = (0.5, 5)
SMOKE_ROLE_BUDGET = (4, 16)
SMOKE_ROLE_RERUN_BUDGET = (1, 5)
ROLE_GOALS = (3.0, 1.5)   # issue 28's goals per server (run, rerun): shown next to the figures


def role_fleet_row(label, family, size, requests, limited, seconds, rerun_requests, counts):
    floor = float(requests)   # 60 a minute: one second a request
    return ["%s (%s)" % (label, family), size, requests, "%.2f" % (requests / size), limited, "%.0f" % seconds,
            "%.0f" % floor, "%.2f" % (seconds / floor), rerun_requests, "%.2f" % (rerun_requests / size), counts]


def role_fleet_problems(sample):
    """What a role-fleet run breaks of its budgets (sample["budgets"]): counts only, never times."""
    size, what = sample["size"], "role fleet of %d (%s)" % (sample["size"], sample["family"])
    budget, rerun_budget = sample.get("budgets", (ROLE_BUDGET, ROLE_RERUN_BUDGET))
    allowed, rerun_allowed = budget[0] * size + budget[1], rerun_budget[0] * size + rerun_budget[1]
    problems = []
    if (sample["instances"], sample["volumes"], sample["firewalls"], sample["attached"]) != (size, size, 1, size):
        problems.append("%s: %d instances, %d volumes, %d firewalls named %s attached to %d of them"
                        % (what, sample["instances"], sample["volumes"], sample["firewalls"], ROLE_FIREWALL,
                           sample["attached"]))
    if sample["requests"] > allowed:
        problems.append("%s: %d requests, budget %d" % (what, sample["requests"], allowed))
    if sample["rerun_requests"] > rerun_allowed:
        problems.append("%s: rerun %d requests, budget %d" % (what, sample["rerun_requests"], rerun_allowed))
    if sample["limited"] or sample["rerun_limited"]:
        problems.append("%s: %d and %d answers 429 (run, rerun)" % (what, sample["limited"], sample["rerun_limited"]))
    return problems


def role_fleet_section(report):
    rows, over = [], []
    for sample in report["role_fleet"]:
        before = BEFORE_ROLE_ROWS.get(sample["family"]) if sample["size"] == 20 else None
        if before:
            rows.append(role_fleet_row("before", sample["family"], 20, *before, counts="20 / 20 / 1 / 20"))
        counts = "%d / %d / %d / %d" % (sample["instances"], sample["volumes"], sample["firewalls"], sample["attached"])
        rows.append(role_fleet_row("after", sample["family"], sample["size"], sample["requests"], sample["limited"],
                                   sample["seconds"], sample["rerun_requests"], counts))
        over += role_fleet_problems(sample)
    text = table(["run (firewall API)", "servers", "requests", "per server", "429s", "wall s", "floor s",
                  "wall / floor", "rerun requests", "rerun per server", "instances / volumes / firewalls / attached"],
                 rows)
    families = sorted(set(sample["family"] for sample in report["role_fleet"] if sample["size"] == 20))
    endpoints = "".join("- before (%s): %s; rerun: %s\n" % ((family,) + BEFORE_ROLE_ENDPOINTS[family])
                        for family in families)
    endpoints += "".join("- after (%s): %s; rerun: %s\n"
                         % (sample["family"], sample["endpoints"], sample["rerun_endpoints"])
                         for sample in report["role_fleet"])
    return text + "\nRequests of each run:\n\n" + endpoints, over


def role_fleet_page(report):
    section, over = role_fleet_section(report)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return ROLE_FLEET_PAGE.format(fleet=section, when=when, before_when=BEFORE_ROLE_WHEN, budget=ROLE_BUDGET,
                                  rerun_budget=ROLE_RERUN_BUDGET, smoke=SMOKE_ROLE_BUDGET,
                                  smoke_rerun=SMOKE_ROLE_RERUN_BUDGET, goals=ROLE_GOALS), over


def overhead_section(report):
    tasks, samples = report["overhead"]
    per_module = [(module - empty) / tasks for empty, module, unused in samples]
    per_uri = [(uri - empty) / tasks for empty, unused, uri in samples]
    ratios = [(module - empty) / (uri - empty) for empty, module, uri in samples]
    rows = [["`iwinv.cloud.iwinv_zone_info`", "%.2f" % median([s[1] for s in samples]), "%.3f" % median(per_module)],
            ["`ansible.builtin.uri` (signed GET)", "%.2f" % median([s[2] for s in samples]), "%.3f" % median(per_uri)],
            ["empty play (start-up)", "%.2f" % median([s[0] for s in samples]), ""]]
    return table(["%d tasks of" % tasks, "wall s", "per task s (wall - empty play) / tasks"], rows), median(ratios)


def render(report, args):
    modules, over = modules_section(report)
    fleet, fleet_over = fleet_page(report)
    role_fleet, role_fleet_over = role_fleet_page(report)
    overhead, overhead_ratio = overhead_section(report)
    kind = "**smoke run** (`--smoke`)" if args.smoke else "full run"
    text = PAGE.format(
        kind=kind, date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        python=platform.python_version(), ansible=ansible_version(), cpus=os.cpu_count(), runs=report["runs"],
        op_delay=OP_DELAY, modules=modules, waiter=waiter_section(report), inventory=inventory_page(report),
        fleet=fleet, role_fleet=role_fleet, overhead=overhead, overhead_ratio=overhead_ratio, tasks=args.tasks,
        seconds=time.perf_counter() - STARTED)
    return text, over + fleet_over + role_fleet_over


def fleet_page(report):
    """The fleet section of the page (its own heading on): (text, budget problems)."""
    fleet, over = fleet_section(report)
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return FLEET_PAGE.format(fleet=fleet, per_instance=FLEET_REQUESTS_PER_INSTANCE, slack=FLEET_TIMING_SLACK, when=when,
                             op_delay=OP_DELAY), over


OVERHEAD_HEADING = "## Per-task overhead"


def add_section(page, heading, text, before):
    """The page with the section under `heading` replaced, or inserted above the section `before` when it has none."""
    if heading in page:
        return splice_section(page, heading, text)
    start = page.index(before)
    return page[:start] + text + page[start:]


def splice_section(page, heading, text):
    """The page with the section under `heading` (up to the next section) replaced with `text`."""
    start = page.index(heading)
    end = page.index("\n## ", start + len(heading)) + 1
    return page[:start] + text + page[end:]


def ansible_version():
    from ansible.release import __version__  # pylint: disable=import-outside-toplevel
    return __version__


INVENTORY_HEADING = "## Inventory"
INVENTORY_PAGE = INVENTORY_HEADING + """

`iwinv.cloud.iwinv` built in-process by Ansible's `InventoryManager` (what `ansible-playbook -i` does),
without cache and without pacing (`rate_limit: 0`), next to the same GETs (paths and queries from the
request log) sent with plain signed `requests` calls on one keep-alive connection, JSON decoded (the floor:
no host variables). Ratios are medians of the per-run ratios ({runs} runs, these rows: {when}). Most of the
difference is ansible-core's own work, measured two ways with no API and no plugin code:

- "Ansible's own s" (the figure of issue 28's first pass, kept for comparison): `add_host` and `set_variable`
  through the proxy that ansible-core 2.19 puts in front of inventory plugins, re-adding the values the built
  inventory holds. It under-counts: those values already carry ansible-core's origin tag, which the proxy keeps,
  whereas it tags a fresh value from a plugin on a copy; and with no source set, `add_host` skips
  `inventory_file` and `inventory_dir` (a `basedir` per host).
- "ansible-core's s for the plugin's calls": exactly the calls the plugin makes, with the same inputs, and what
  `InventoryManager` does after them. `add_group` per group; `add_host` per group of each host, with the source
  set as `InventoryManager` sets it; `set_variable` per variable through the proxy, with a fresh copy where the
  plugin handed a fresh value and, where hosts share one object (the plugin passes a shared zone, status,
  flavor, image, OS or description as the inventory holds it after the first host), the copy held from the first
  host; then `reconcile_inventory` and the vars plugins' pass over every host. The cyclic collector is paused
  for the calls, as the plugin pauses it. It was at least "Ansible's own s" in {at_least} runs of these rows.

Where the time went (cProfile of one build of 10,000 instances, ansible-core 2.19.14, the first-pass plugin,
5.8 s under the profiler): 64% in ansible-core's handling of the plugin's calls (`set_variable` through the
proxy 47%, most of it the origin tag on a copy of each fresh value; `add_host` 17%, with `inventory_file` and a
`basedir` per host), 18% reading the pages (14% the HTTP exchanges and 1% JSON decoding, as in the plain
requests; the client's own per-page work under 1%), 5% InventoryManager after the plugin (the vars plugins' pass
over every host), and about 14% the plugin's own code (rows to host variables, unsafe marking, hostnames, group
names; the profiler inflates these many small calls). Sharing the values that hosts share cut the origin tags
by half (140,000 to 70,000 at 10,000 hosts).

Each measurement starts after a full garbage collection, so that none pays for the garbage of the one before.
The "before" rows are the plugin before issue 28 ({before}, same benchmark then, same machine): it marked
values unsafe with `wrap_var`'s generic walk, and Python's cyclic collector re-scanned the growing inventory many times
over while it was built. The "first pass" rows are the plugin after issue 28's first pass (commit f1f9e08,
{first_pass}, this benchmark): every value handed to `set_variable` fresh, so the proxy tagged a copy of each.
With pacing at the default 60/minute, a build of more than 60 requests waits about one second for each request
beyond the 60th.

{inventory}

Spread of the per-run ratios (lowest to highest) in these rows:

{spread}

"""

FLEET_HEADING = "## Fleets under the rate limit"
FLEET_PAGE = FLEET_HEADING + """

Hosts each creating one instance with `iwinv_instance` (names for zone, flavor and image, wait for `active`) with
the default `rate_limit: 60`, against an emulator that enforces 60 requests per rolling minute and answers 429
beyond. Builds take {op_delay} s unless the row says "30 s builds" (a real build takes a minute or more: then the
waits dominate). "1 x 100" is one `ansible-playbook` run of 100 hosts; "3 x 20" is three runs at once, each in a
home of its own (`HOME`, `XDG_CACHE_HOME`: no shared file, like three AWX job containers), on the same key. The
floor is the time that the API's limit imposes on a long run: requests / 60 per minute, one second a request;
"wall / floor" compares the whole run with it (a run of fewer than 60 requests may beat it: the API's window
is rolling, so a whole minute's budget may go at once). A row "before: no shared instance list" is the same
fleet with `instance_list_max_age: 0`, measured in the same run. Heavy cases run once (the 100-instance and the
three-controller fleets take minutes each), the 20-instance fleet twice (these rows: {when}); `--smoke` runs
1 x 5 and 2 x 3 and enforces, for every case, that each name exists once with one successful create, the zone,
flavor and image lists read once per controller (and per 300 s, the catalog cache's age), and, when the
instance list is shared, at most {per_instance} requests per instance besides them (plus {slack} per controller: the
first fork looks its name up alone, and how many reads see every instance `active` depends on timing), and no
429 for one controller.

Within one controller the forks share one pacer, one catalog cache and one instance list
([waiting and rate limits](waiting-and-rate-limits.md)). The pacer keeps a log of the key's requests and lets one
go while fewer than 60 reached the API in the last minute: the whole budget may go at once, then requests go as
fast as the oldest leave the window. The zone, flavor and image lists are read once for the whole fleet (the first
row, before the catalog cache, read them 20 times each). One read of the instance list tells every fork that its
name is free, and one read of its first page per poll serves every fork waiting for its instance; what is left
per host is its create. Several controllers on one key share no file: each meets the 429s the others cause;
adaptive pacing halves its budget at the first 429 (once per 10 s, down to a tenth of `rate_limit`), holds off
briefly, and recovers a tenth of `rate_limit` a minute, so the 429s are bounded and every task succeeds (reads
and the creates that a 429 proves unexecuted are retried).

{fleet}
"""

ROLE_FLEET_HEADING = "## Role fleets: iwinv.cloud.server on every host"
ROLE_FLEET_PAGE = ROLE_FLEET_HEADING + """

20 hosts, 10 forks, each running the role `iwinv.cloud.server` (its own instance and one 20 GB data volume,
attached to one firewall of two rules that all 20 share, no `throttle`), default `rate_limit: 60`, against an
emulator that enforces 60 requests per rolling minute; then the same play again, unchanged, on the same
controller ("rerun"). Once on each firewall API family (`security-groups`, the emulator's default, and `firewall`, the
alternative profile's; `firewall_api: auto`). The floor is requests at 60 a minute (one second a request). The
last column counts what exists afterwards: instances and volumes of the fleet's names, firewalls named
`fleet-fw`, and the fleet's instances attached to it. "before" rows: measured {before_when} on the code before
issue 28 (the role then had `throttle: 1` on its firewall task and read the instance back; its rerun ran in a
new home, which costs one more request: the firewall family's question); "after" rows: {when}. Each run
enforces no 429, the counts of the last column, and at most {budget[0]} requests per server + {budget[1]} for the
fleet ({rerun_budget[0]} + {rerun_budget[1]} on the rerun); `--smoke` (CI: 3 hosts on `security-groups`)
{smoke[0]} + {smoke[1]} ({smoke_rerun[0]} + {smoke_rerun[1]}). Issue 28 asks for {goals[0]} and {goals[1]} per server.

{fleet}
What changed since "before":
- The data volume comes with the instance's create (`iwinv_instance` option `volumes`: `block_storage.N` fields);
  the role's volume task still runs and finds it attached. Writes per server: 2 (create, attach), was 3.
- Refresh before act: what a task finds in a kept (shared, write-aware) list decides "unchanged" as listed; it is
  read by id only before a write that depends on it. The rerun no longer reads each instance, volume and firewall
  by id.
- The tasks that find the shared firewall share the reads that complete it (`security-groups`: its rules and its
  attachments; `firewall`: its detail), write-aware per firewall and per (firewall, instance) pair; an attach of a
  pair those reads show missing is sent without a refresh (its wait judges it). A task whose firewall name another
  task is writing waits for that write before it reads the list.
- The volume and firewall tasks resolve their instance through the shared instance list; `throttle: 1` is gone (the
  firewall's name is claimed) and the role no longer reads the instance back.

What is left on the run, per 20 servers: 40 writes (create, attach) and the firewall's own (3 on
`security-groups`: the group and two rules; 1 on `firewall`), the 3 catalog reads (zones, flavors, images), and the
reads that the fleet shares but that timing splits into several: the instance list (the names are free, then the
waits' first pages), the volume list (the create's volume names are free, then the volume task), the firewall
list and its detail (read again when a kept read is older than `instance_list_max_age`, 20 s, or written since),
and the attach waits. These shared reads are what stands between the figures and {goals[0]} per server.
"""

PAGE = """# Performance

These figures: {kind}, {date}, {seconds:.0f} s in all; Python {python}, ansible-core {ansible}, {cpus} CPUs;
medians of {runs} run(s) per measurement.

Regenerate this page with `.venv/bin/python tests/benchmarks/run.py` (about 30 minutes; `--role-fleet-only`
replaces the role fleets' section alone, about 10). `--smoke` is the short version that `bash tests/run.sh bench`
runs in CI (1 run, no 60 s operation, fleets of 1 x 5 and 2 x 3, a role fleet of 3 hosts; it writes
`tests/output/performance-smoke.md` and fails when a request count exceeds its budget).

Everything runs against a private emulator (`tests/emulator/server.py`, operations take {op_delay} s unless said
otherwise); requests are counted from its request log (`/_emulator/requests`), so they are exact. Modules run
through real `ansible-playbook` processes with `ANSIBLE_COLLECTIONS_PATH` pointing at this checkout. Timings
come from a small, shared, noisy machine: compare the ratios, measured side by side in the same run, rather
than the seconds.

## API requests per module operation

Each row is one `ansible-playbook` run of one task (names for every reference, as in the modules' examples;
the catalog by id). "minimum" is the fewest requests the API allows for the same task, by the reasoning in its
column; "budget" is what `tests/run.sh bench` enforces. "wall s" includes about 1.5 s of `ansible-playbook`
start-up.

{modules}
Where the collection makes more requests than the minimum, the endpoints column says which; the reasons are:

- **Checks before a write.** `iwinv_instance` reads the zones, flavors and images (3 requests) before a create,
  to resolve each reference (id or name) and check that they go together: a flavor not offered in the zone or
  an image the flavor does not take fails before anything is created, with a message naming the option.
  Each run here starts with an empty catalog cache; on one controller these lists are read once per
  `catalog_cache_max_age` (300 s) for every task and fork (see the fleets below).
  `iwinv_block_storage` reads the volume types (1 request) before a create, for their size ranges and zones.
- **A name that looks like an id.** `bulk-00001` could be an instance id, so resolving it tries the detail
  (`GET /v1/instances/{{id}}`, answered `ID_INVALID`) before the list: one extra request per such reference.
  Names with a space or other characters an id cannot hold go straight to the list.
- **The wait after a write.** The waiter's first read comes 1 s after the API accepted the operation (202),
  then after 2, 4, 8 and 10 s: an operation that takes a few seconds costs one or two reads more than the
  minimum of one (see the next section).

## Waiting: the collection's waiter next to fixed polling

An instance shutdown that the emulator completes after 2, 10 and 60 seconds. Four pollers run side by side
against the same emulator, each on its own instance: `iwinv_instance` with `state: stopped` through
`ansible-playbook`, and the collection's client with the same `wait_until` set to a fixed 1, 3 or 10 s
interval (simulated, not computed). "reads after the write" counts the reads of the instance sent after the
shutdown POST; "overshoot" is the time from the emulator's `done_at` (POST time in the request log + the
operation's delay) to the poller returning (for the module: to the next task's start, so it includes Ansible's
result handling). The last two columns are the exact figures of each schedule, without latency.

{waiter}
Fixed 1 s polling sees the end soonest but costs a read per second: 60 reads of a 60-per-minute budget for
one 60 s operation. Fixed 10 s polling is cheap but adds up to 10 s to every short operation. The waiter
sees a short operation within about a second and spends at most 6 reads a minute on a long one.

{inventory}{fleet}{role_fleet}## Per-task overhead: an info module versus `ansible.builtin.uri`

{tasks} tasks of `iwinv_zone_info`, then {tasks} `ansible.builtin.uri` tasks sending the same signed GET of
`/v1/zones` (headers signed just before the play, well within the API's 300 s), then an empty play; per task
= (wall - empty play) / tasks. Ratio module / uri (median of the per-run ratios): **{overhead_ratio:.2f}**.

{overhead}"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="1 run, no 60 s operation, fleets of 1 x 5 and 2 x 3 instances, a role fleet of 3")
    parser.add_argument("--runs", type=int, help="runs per measurement (default: 3; 1 with --smoke)")
    parser.add_argument("--tasks", type=int, help="tasks per play in the overhead measurement (default 20; 5 with --smoke)")
    parser.add_argument("--fleet-only", action="store_true",
                        help="run only the fleets and replace the fleet section of the page in --output")
    parser.add_argument("--role-fleet-only", action="store_true",
                        help="run only the role fleets and replace (or add) their section of the page in --output")
    parser.add_argument("--inventory-only", action="store_true",
                        help="run only the inventory and replace the inventory section of the page in --output")
    parser.add_argument("--output", help="default: docs/performance.md, or $IWINV_TEST_OUTPUT/performance-smoke.md with --smoke")
    args = parser.parse_args()
    args.runs = args.runs or (1 if args.smoke else 3)
    args.tasks = args.tasks or (5 if args.smoke else 20)
    output = args.output or (os.path.join(os.environ.get("IWINV_TEST_OUTPUT") or os.path.join(ROOT, "tests", "output"),
                                          "performance-smoke.md") if args.smoke else os.path.join(ROOT, "docs", "performance.md"))

    with tempfile.TemporaryDirectory(prefix="iwinv-bench-") as work:
        bench = Bench(work)
        try:
            from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
            init_plugin_loader([bench.collections])
            if args.fleet_only:
                report = {"fleet": run_fleets(bench, args)}
            elif args.role_fleet_only:
                report = {"role_fleet": run_role_fleets(bench, args)}
            elif args.inventory_only:
                report = {"inventory": run_inventory(bench, args.runs)}
            else:
                report = run_all(bench, args)
        finally:
            bench.stop()
    if args.fleet_only or args.inventory_only:
        heading, (section, over) = (FLEET_HEADING, fleet_page(report)) if args.fleet_only \
            else (INVENTORY_HEADING, (inventory_page(report), []))
        with open(output, encoding="utf-8") as handle:
            text = splice_section(handle.read(), heading, section)
    elif args.role_fleet_only:
        section, over = role_fleet_page(report)
        with open(output, encoding="utf-8") as handle:
            text = add_section(handle.read(), ROLE_FLEET_HEADING, section, before=OVERHEAD_HEADING)
    else:
        text, over = render(report, args)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    with open(output, "w", encoding="utf-8") as handle:
        handle.write(text)
    sys.stdout.write(text)
    sys.stdout.write("\nwritten: %s\n" % output)
    if over:
        sys.stdout.write("OVER BUDGET:\n  " + "\n  ".join(over) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
