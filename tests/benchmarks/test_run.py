# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The benchmark's own arithmetic and bookkeeping, checked in seconds rather than at the end of a long run."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import run  # noqa: E402  pylint: disable=wrong-import-position


@pytest.mark.parametrize("duration, reads, overshoot", [(2, 2, 1), (10, 4, 5), (60, 9, 5)])
def test_waiter_schedule_matches_the_documented_one(duration, reads, overshoot):
    # Reads at 1, 3, 7, 15, 25, ... s after the write (docs/waiting-and-rate-limits.md).
    assert run.expected_polls(duration, run.WAITER_SCHEDULE) == (reads, overshoot)


@pytest.mark.parametrize("duration, interval, reads, overshoot", [(2, 1, 2, 0), (10, 3, 4, 2), (2, 10, 1, 8), (60, 10, 6, 0)])
def test_fixed_polling_is_exact(duration, interval, reads, overshoot):
    assert run.expected_polls(duration, (interval,) * 1000) == (reads, overshoot)


def test_every_module_step_has_a_budget_no_lower_than_its_minimum():
    steps = {(module, operation): minimum for module, operation, unused, unused_changed, minimum, unused_why in run.MODULE_STEPS}
    assert set(steps) == set(run.BUDGETS)
    assert all(run.BUDGETS[key] >= minimum for key, minimum in steps.items())


def test_endpoints_group_requests_by_path_with_ids_replaced():
    log = [{"method": "GET", "path": "/v1/block-storages/types"},
           {"method": "POST", "path": "/v1/block-storages/bs-1a2b3c/attach/0f1e2d3c-aaaa-4bbb-8ccc-123456789abc"},
           {"method": "GET", "path": "/v1/instances/bulk-00001"}, {"method": "GET", "path": "/v1/instances/bulk-00002"},
           {"method": "POST", "path": "/v1/firewall/FIREWALL-pgMcpwDRyOVK/attach"}]
    assert run.by_endpoint(log) == ("GET /v1/block-storages/types, POST /v1/block-storages/{id}/attach/{id}, "
                                    "GET /v1/instances/{id} ×2, POST /v1/firewall/{id}/attach")


def test_changed_count_sums_the_recap():
    recap = "localhost : ok=1 changed=1 unreachable=0\nweb-2 : ok=1 changed=0 unreachable=0\n"
    assert run.changed_count(recap) == 1


def test_a_section_is_spliced_into_the_page_and_the_rest_left_as_it_was():
    page = "# Performance\n\nintro\n\n## Inventory\n\nold table\n\n## Fleets under the rate limit\n\nfleet\n"
    spliced = run.splice_section(page, run.INVENTORY_HEADING, "## Inventory\n\nnew table\n\n")
    assert spliced == "# Performance\n\nintro\n\n## Inventory\n\nnew table\n\n## Fleets under the rate limit\n\nfleet\n"


def test_the_inventory_table_puts_each_before_row_above_its_size(monkeypatch):
    before = {1000: [12, "0.40", "0.05", "8.00", "0.10", "**2.67**", "-", "-"]}
    monkeypatch.setattr(run, "BEFORE_INVENTORY", [("before", before), ("first pass", {})])
    # (plugin s, requests, plain requests s, hosts, Ansible's own s) of two runs: no figure for the plugin's calls
    report = {"inventory": {100: [(0.02, 3, 0.01, 100, 0.01)] * 2,
                            1000: [(0.2, 12, 0.05, 1000, 0.1), (0.3, 12, 0.05, 1000, 0.1)]}}
    lines = run.inventory_section(report).splitlines()[2:]
    assert lines == ["| 100 | 3 | 0.02 | 0.01 | 2.00 | 0.01 | **1.00** | - | - |",
                     "| 1000 (before) | 12 | 0.40 | 0.05 | 8.00 | 0.10 | **2.67** | - | - |",
                     "| 1000 | 12 | 0.25 | 0.05 | 5.00 | 0.10 | **1.67** | - | - |"]


def test_the_ratio_to_ansible_cores_calls_is_the_median_of_the_per_run_ratios():
    # (plugin s, requests, plain requests s, hosts, Ansible's own s, ansible-core's s for the plugin's calls)
    samples = [(0.6, 12, 0.1, 1000, 0.2, 0.4), (0.9, 12, 0.1, 1000, 0.2, 0.5), (1.2, 12, 0.2, 1000, 0.2, 0.6)]
    assert run.inventory_row(samples)[-2:] == ["0.50", "**1.50**"]   # 0.6 / 0.5, 0.9 / 0.6, 1.2 / 0.8


def role_sample(**changes):
    sample = {"size": 3, "family": "security-groups", "requests": 35, "rerun_requests": 14, "limited": 0,
              "rerun_limited": 0, "instances": 3, "volumes": 3, "firewalls": 1, "attached": 3}
    return dict(sample, **changes)


@pytest.mark.parametrize("changes, problem", [
    ({}, None),
    ({"requests": 36}, "36 requests, budget 35"),
    ({"rerun_requests": 15}, "rerun 15 requests, budget 14"),
    ({"limited": 1}, "1 and 0 answers 429"),
    ({"firewalls": 2}, "2 firewalls named fleet-fw"),
    ({"attached": 2}, "attached to 2 of them"),
    ({"volumes": 4}, "4 volumes"),
])
def test_a_role_fleet_is_held_to_its_counts(changes, problem):
    problems = run.role_fleet_problems(dict(role_sample(**changes), budgets=((5, 20), (4, 2))))
    assert problems == [] if problem is None else len(problems) == 1 and problem in problems[0]


def test_the_role_fleet_section_is_added_above_the_overhead_once():
    page = "# P\n\n## Fleets under the rate limit\n\nf\n\n## Per-task overhead: x\n\no\n"
    heading = run.ROLE_FLEET_HEADING
    once = run.add_section(page, heading, heading + "\n\nnew\n\n", run.OVERHEAD_HEADING)
    assert once == "# P\n\n## Fleets under the rate limit\n\nf\n\n" + heading + "\n\nnew\n\n## Per-task overhead: x\n\no\n"
    twice = run.add_section(once, heading, heading + "\n\nnewer\n\n", run.OVERHEAD_HEADING)
    assert twice == once.replace("new\n", "newer\n")
