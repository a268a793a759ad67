"""The reliability suite's harness: real ansible-playbook / ansible-inventory runs against a private emulator.

Each run is a subprocess (module -> client -> HTTP -> emulator), with the collection found through
tests/output/pytest/ansible_collections/iwinv/cloud (the link tests/conftest.py makes to this checkout)
and a private XDG_CACHE_HOME, so the pacer file of every test starts fresh.
"""

import collections
import hashlib
import hmac
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import yaml

TESTS = pathlib.Path(__file__).resolve().parents[1]
# IWINV_RELIABILITY_COLLECTIONS runs the scenarios against another copy of the collection (such as an older commit's).
COLLECTIONS = pathlib.Path(os.environ.get("IWINV_RELIABILITY_COLLECTIONS") or TESTS / "output" / "pytest")
OUTPUT = pathlib.Path(os.environ.get("IWINV_TEST_OUTPUT") or TESTS / "output") / "reliability"
FIGURES_FILE = OUTPUT / "figures.json"
BIN = pathlib.Path(sys.executable).parent
GROUP = "group/iwinv.cloud.iwinv"


class Run:
    """One finished (or killed) Ansible process: exit code, output, per-task results, wall time."""

    def __init__(self, code, output, results, seconds):
        self.code, self.output, self.results, self.seconds = code, output, results, seconds

    def recap(self, field, host="localhost"):
        """A number of the PLAY RECAP line of `host` (ok, changed, failed ...)."""
        for line in self.output.splitlines():
            if line.startswith(host + " ") and (field + "=") in line:
                return int(line.split(field + "=")[1].split()[0])
        raise AssertionError("no PLAY RECAP for %s in:\n%s" % (host, self.output[-3000:]))


class Stack:
    """The emulator of the suite plus the Ansible runs that talk to it."""

    def __init__(self, emulator, workdir):
        self.emulator = emulator
        self.workdir = pathlib.Path(workdir)
        self.cache_home = self.workdir / "cache"
        self.transcript = []   # every output of this test, for the secret scans

    def env(self, **extra):
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_LOCALHOST_WARNING="0",
                   ANSIBLE_NOCOLOR="1", ANSIBLE_HOST_KEY_CHECKING="0", ANSIBLE_RETRY_FILES_ENABLED="0",
                   XDG_CACHE_HOME=str(self.cache_home), ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
        for name in ("IWINV_ACCESS_KEY", "IWINV_SECRET_KEY", "IWINV_API_URL", "IWINV_RATE_LIMIT"):
            env.pop(name, None)
        env.update(extra)
        return env

    def credentials(self, **overrides):
        values = {"api_url": self.emulator.url, "access_key": self.emulator.access_key,
                  "secret_key": self.emulator.secret_key, "rate_limit": 0}
        values.update(overrides)
        return values

    # --- playbooks ------------------------------------------------------------------------------------

    def write_playbook(self, tasks, name="play", hosts="localhost", defaults=None, dump=True):
        """A playbook whose tasks register r0, r1 ... and never stop the play; a last task saves them."""
        tasks = [dict(task, register="r%d" % number, ignore_errors=True) for number, task in enumerate(tasks)]
        results = self.workdir / ("%s-results.json" % name)
        if dump:   # only for a play on localhost
            names = ", ".join("'r%d': r%d" % (number, number) for number in range(len(tasks)))
            tasks.append({"name": "Save the results", "changed_when": False, "ansible.builtin.copy": {
                "dest": str(results), "content": "{{ {%s} | to_json }}" % names, "mode": "0600"}})
        play = [{"name": name, "hosts": hosts, "gather_facts": False,
                 "module_defaults": {GROUP: defaults if defaults is not None else self.credentials()},
                 "tasks": tasks}]
        path = self.workdir / ("%s.yml" % name)
        path.write_text(yaml.safe_dump(play, sort_keys=False), encoding="utf-8")
        return path, results

    def playbook(self, tasks, *options, name="play", hosts="localhost", defaults=None, inventory=None, dump=True,
                 env=None, timeout=900):
        path, results = self.write_playbook(tasks, name, hosts, defaults, dump)
        command = [str(BIN / "ansible-playbook"), str(path)] + list(options)
        if inventory:
            command += ["-i", str(inventory)]
        run = self.run(command, env=env, timeout=timeout)
        if results.exists():
            run.results = json.loads(results.read_text(encoding="utf-8"))
            results.unlink()
        return run

    def start_playbook(self, tasks, name="play", defaults=None):
        """Starts a playbook in a process group of its own (to be killed with kill_playbook)."""
        path, _results = self.write_playbook(tasks, name, defaults=defaults, dump=False)
        log = open(self.workdir / ("%s.log" % name), "w", encoding="utf-8")  # pylint: disable=consider-using-with
        process = subprocess.Popen([str(BIN / "ansible-playbook"), str(path)], env=self.env(), stdout=log,  # pylint: disable=consider-using-with
                                   stderr=subprocess.STDOUT, start_new_session=True)
        process.log = log
        return process

    def kill_playbook(self, process, sig):
        """Sends `sig` to ansible-playbook and every fork and module process it started."""
        os.killpg(process.pid, sig)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.log.close()
        output = pathlib.Path(process.log.name).read_text(encoding="utf-8")
        self.transcript.append(output)
        return output

    def inventory(self, config, *options, env=None, name="test"):
        """ansible-inventory --list on a config file `<name>.iwinv.yml`; returns the Run."""
        path = self.workdir / ("%s.iwinv.yml" % name)
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        extra = {"ANSIBLE_INVENTORY_ENABLED": "iwinv.cloud.iwinv", "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"}
        extra.update(env or {})
        return self.run([str(BIN / "ansible-inventory"), "-i", str(path), "--list"] + list(options), env=extra)

    def run(self, command, env=None, timeout=900):
        started = time.monotonic()
        done = subprocess.run(command, env=self.env(**(env or {})), capture_output=True, text=True, timeout=timeout,
                              check=False, cwd=str(self.workdir))
        output = done.stdout + done.stderr
        self.transcript.append(output)
        return Run(done.returncode, output, {}, time.monotonic() - started)

    # --- what the emulator saw --------------------------------------------------------------------------

    def requests(self):
        return self.emulator.requests()

    def instances_named(self, name):
        return [i for i in instances_of(self.emulator.state()) if i["name"] == name]


def instances_of(state):
    return list(state["instances"].values())


def volumes_of(state):
    return list(state["volumes"].values())


def firewalls_of(state):
    return list(state.get("firewalls", {}).values())


def duplicate_rules(state):
    """How many firewall rules repeat the identity (bound, protocol, port, ip) of another rule of their firewall."""
    def identity(rule):
        return (rule["bound"], rule["protocol"], rule["port"], rule["ip"])
    return sum(duplicates(firewall["rules"], key=identity) for firewall in firewalls_of(state))


def attached_ids(state, title):
    """The instances the firewall titled `title` is attached to now (settled attachments), in either family."""
    ids = [row["firewall_id"] for row in firewalls_of(state) if row["title"] == title]
    return [link["instance_id"] for link in state.get("links", {}).values()
            if link["firewall_id"] in ids and link["state"] == "attached"]


def duplicates(rows, key="name"):
    """How many resources share a name with an earlier one (0 when every name is unique)."""
    counts = collections.Counter(key(row) if callable(key) else row[key] for row in rows)
    return sum(count - 1 for count in counts.values())


def count(requests, method=None, path=None, status=None):
    """Requests of the log matching a method, a path prefix and a status (None: any)."""
    return sum(1 for r in requests if (method is None or r["method"] == method)
               and (path is None or r["path"].startswith(path)) and (status is None or r["status"] == status))


def faulted(requests):
    return sum(1 for r in requests if r.get("fault"))


def signatures(secret_key, paths, since, until):
    """Every X-iwinv-Signature the collection could have sent for `paths` between two epoch seconds."""
    found = set()
    for second in range(int(since) - 2, int(until) + 3):
        for path in paths:
            found.add(hmac.new(secret_key.encode(), (str(second) + path).encode(), hashlib.sha256).hexdigest())
    return found


def record(figures, scenario, injected, result, stack, started, **numbers):
    """Adds a scenario's figure (requests and faults from the emulator log, duplicates from its state, time).

    `faults_survived` defaults to the faulted requests of the log; scenarios that end in an expected failure
    pass 0, and those whose fault is not a fault rule (a kill) pass their own count.
    """
    log = stack.requests()
    state = stack.emulator.state()
    figure = {"scenario": scenario, "injected": injected, "result": result, "requests": len(log),
              "faults_survived": faulted(log), "status_429": count(log, status=429),
              "duplicates": duplicates(instances_of(state)) + duplicates(volumes_of(state))
              + duplicates(firewalls_of(state), "title") + duplicate_rules(state),
              "seconds": round(time.monotonic() - started, 1)}
    figure.update(numbers)
    figures.append(figure)
    return figure
