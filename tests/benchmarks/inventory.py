# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark (not a test) of the iwinv inventory plugin against the emulator.

    .venv/bin/python tests/benchmarks/inventory.py [--sizes 100,1000,10000] [--cli]

For each size: reset the emulator, bulk-add that many instances over the three zones, then build the
inventory with Ansible's InventoryManager (what ansible-playbook does) and report the wall time, the API
requests the emulator logged, and the same with a warm cache (which must make no request). With --cli it
also times `ansible-inventory --list` (process start-up and JSON output included).
Client-side pacing is off (rate_limit: 0): at the default 60 requests/minute the pacer adds about
(requests - 10) * 1.2 s once the first 10 are spent.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "emulator"))

from fixture import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position


def link_collection(directory):
    """A collections path in which iwinv.cloud is this checkout; returns the path."""
    namespace = os.path.join(directory, "ansible_collections", "iwinv")
    os.makedirs(namespace)
    os.symlink(ROOT, os.path.join(namespace, "cloud"))
    return directory


def write_config(path, emulator, cache_dir=None):
    config = {"plugin": "iwinv.cloud.iwinv", "api_url": emulator.url, "access_key": emulator.access_key,
              "secret_key": emulator.secret_key, "rate_limit": 0}
    if cache_dir:
        config.update(cache=True, cache_plugin="ansible.builtin.jsonfile", cache_connection=cache_dir)
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config, handle)
    return path


def timed(emulator, build):
    """(seconds, API requests, result) of one inventory build."""
    emulator.clear_requests()
    start = time.perf_counter()
    result = build()
    return time.perf_counter() - start, len(emulator.requests()), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--cli", action="store_true", help="also time ansible-inventory --list")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="iwinv-inventory-bench-") as work:
        collections = link_collection(os.path.join(work, "collections"))
        from ansible.plugins.loader import init_plugin_loader  # pylint: disable=import-outside-toplevel
        from ansible.inventory.manager import InventoryManager  # pylint: disable=import-outside-toplevel
        from ansible.parsing.dataloader import DataLoader  # pylint: disable=import-outside-toplevel
        init_plugin_loader([collections])

        emulator = EmulatorProcess(op_delay=0.3, rate_limit=0)
        try:
            print("%8s %7s %10s %9s %12s %10s %10s %8s"
                  % ("instances", "hosts", "seconds", "requests", "cached s", "cached req", "cli s", "cli req"))
            for size in [int(value) for value in args.sizes.split(",")]:
                emulator.reset()
                emulator.bulk_instances(size)
                path = write_config(os.path.join(work, "cached.iwinv.yml"), emulator, os.path.join(work, "cache-%d" % size))

                seconds, requests, inventory = timed(emulator, lambda: InventoryManager(loader=DataLoader(), sources=[path]))
                hosts = len(inventory.groups["iwinv"].get_hosts())
                cached_seconds, cached_requests, unused = timed(emulator, lambda: InventoryManager(loader=DataLoader(), sources=[path]))
                cli = cli_requests = "-"
                if args.cli:
                    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=collections)
                    uncached = write_config(os.path.join(work, "uncached.iwinv.yml"), emulator)
                    command = [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", uncached, "--list"]
                    cli_seconds, cli_requests, unused = timed(emulator, lambda: subprocess.run(
                        command, env=environment, check=True, stdout=subprocess.DEVNULL))
                    cli = "%.2f" % cli_seconds
                print("%8d %7d %10.2f %9d %12.2f %10d %10s %8s"
                      % (size, hosts, seconds, requests, cached_seconds, cached_requests, cli, cli_requests))
        finally:
            emulator.stop()


if __name__ == "__main__":
    main()
