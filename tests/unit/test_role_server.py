"""The role iwinv.cloud.server, run by a real ansible-playbook against the emulator.

Bad role variables fail before any API request; check mode sends no write; a second run reports no change
and sends no write; the facts describe what was made; state=absent removes the instance and its volumes
and keeps the shared firewall. With the opt-ins, the new server lands in an inventory group with the
inventory plugin's variables, and the role waits for its SSH port: on 127.0.0.1 only (an emulated instance's
addresses are documentation addresses, never connected to).
"""

import json
import os
import pathlib
import socket
import subprocess
import sys
import threading

import pytest
import yaml

TESTS = pathlib.Path(__file__).resolve().parents[1]
COLLECTIONS = TESTS / "output" / "pytest"
ANSIBLE_PLAYBOOK = pathlib.Path(sys.executable).parent / "ansible-playbook"

SERVER = {
    "server_name": "app-1",
    "server_zone": "KR1-Z08",
    "server_flavor": "std.1c1g",
    "server_image": "Ubuntu 24.04",
    "server_ssh_keys": ["laptop"],
    "server_volumes": [{"name": "app-1-data", "size": 20}],
    "server_firewall": {
        "name": "app-tier",
        "icmp": True,
        "rules": [{"direction": "in", "protocol": "tcp", "port": 443, "cidr": "0.0.0.0/0"}],
    },
}


FACTS = ("{{ {'instance': server_instance, 'volumes': server_block_storages, "
         "'firewall': server_firewall_object, 'instances': server_instances} | to_json }}")


def ansible_env(emulator):
    return dict(os.environ, IWINV_API_URL=emulator.url, IWINV_ACCESS_KEY=emulator.access_key,
                IWINV_SECRET_KEY=emulator.secret_key, IWINV_RATE_LIMIT="0", ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
                ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_NOCOLOR="1")


def run_role(emulator, tmp_path, role_vars, *options, report=FACTS):
    """Runs the role on localhost; returns (exit code, `report` as saved after the role, everything printed)."""
    facts_file = tmp_path / "facts.json"
    play = [{
        "name": "Role under test",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {"name": "Run the role", "ansible.builtin.include_role": {"name": "iwinv.cloud.server"}, "vars": role_vars},
            {"name": "Save the facts", "ansible.builtin.copy": {
                "dest": str(facts_file), "mode": "0600",
                "content": report},
             "check_mode": False, "changed_when": False},
        ],
    }]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play), encoding="utf-8")
    done = subprocess.run([str(ANSIBLE_PLAYBOOK), str(playbook)] + list(options), env=ansible_env(emulator),
                          capture_output=True, text=True, timeout=300, check=False)
    output = done.stdout + done.stderr
    facts = json.loads(facts_file.read_text(encoding="utf-8")) if facts_file.exists() else None
    facts_file.unlink(missing_ok=True)
    return done.returncode, facts, output


def recap_changed(output):
    line = next(line for line in output.splitlines() if line.startswith("localhost "))
    return int(line.split("changed=")[1].split()[0])


def writes(emulator):
    return [(r["method"], r["path"]) for r in emulator.requests() if r["method"] != "GET"]


def test_bad_role_variables_fail_before_any_request(emulator, tmp_path):
    code, _facts, output = run_role(emulator, tmp_path, dict(SERVER, server_volumes=[{"name": "x", "size": "big"}]))
    assert code != 0
    assert "server_volumes" in output and "size" in output
    code, _facts, output = run_role(emulator, tmp_path, dict(SERVER, server_state="gone"))
    assert code != 0 and "server_state" in output
    code, _facts, output = run_role(emulator, tmp_path, {"server_name": "app-1"})
    assert code != 0 and "server_zone, server_flavor and server_image are required" in output
    assert emulator.requests() == []


def test_check_mode_predicts_the_server_without_any_write(emulator, tmp_path):
    code, facts, output = run_role(emulator, tmp_path, SERVER, "--check")
    assert code == 0, output
    assert recap_changed(output) >= 1
    assert facts["instance"]["name"] == "app-1"
    assert writes(emulator) == []


@pytest.mark.parametrize("family", ["security-groups", "firewall"])
def test_provision_then_a_second_run_changes_nothing_then_remove(emulator, tmp_path, family):
    emulator.config(firewall_family=family)   # the role's firewall on both API families (firewall_api: auto)
    code, facts, output = run_role(emulator, tmp_path, SERVER)
    assert code == 0, output
    instance = facts["instance"]
    assert instance["status"] == "active" and instance["zone"]["id"] == "KR1-Z08"
    assert [volume["name"] for volume in facts["volumes"]] == ["app-1-data"]
    assert instance["block_storages"] == [facts["volumes"][0]["id"]]
    assert [attached["id"] for attached in facts["firewall"]["instances"]] == [instance["id"]]
    assert facts["instances"] == {"app-1": instance}
    # the data volume came with the instance's own create: no volume create of its own
    assert writes(emulator).count(("POST", "/v1/instances")) == 1
    assert ("POST", "/v1/block-storages") not in writes(emulator)

    emulator.clear_requests()
    code, again, output = run_role(emulator, tmp_path, SERVER)
    assert code == 0, output
    assert recap_changed(output) == 0
    assert writes(emulator) == []
    # instance by name, image name, volumes, the firewall (list and detail; list, rules and instances); no read-back
    assert len(emulator.requests()) <= {"firewall": 5, "security-groups": 6}[family]
    assert again["instance"]["id"] == instance["id"]

    code, facts, output = run_role(emulator, tmp_path, dict(SERVER, server_state="absent"))
    assert code == 0, output
    assert facts["instance"] == {} and facts["instances"] == {}
    state = emulator.state()
    assert state["instances"] == {} and state["volumes"] == {}
    assert [firewall["title"] for firewall in state["firewalls"].values()] == ["app-tier"]


def test_a_sata_volume_is_created_by_the_volume_task_and_an_ssd_one_by_the_instance_create(emulator, tmp_path):
    volumes = [{"name": "app-1-data", "size": 20}, {"name": "app-1-archive", "size": 100, "type": "sata"}]
    code, facts, output = run_role(emulator, tmp_path, dict(SERVER, server_firewall={}, server_volumes=volumes))
    assert code == 0, output
    assert writes(emulator).count(("POST", "/v1/instances")) == 1
    assert writes(emulator).count(("POST", "/v1/block-storages")) == 1
    made = sorted((volume["name"], volume["type"], volume["instance_id"])
                  for volume in emulator.state()["volumes"].values())
    instance_id = facts["instance"]["id"]
    assert made == [("app-1-archive", "sata", instance_id), ("app-1-data", "ssd", instance_id)]
    assert sorted(facts["instance"]["block_storages"]) == sorted(emulator.state()["volumes"])


BARE_SERVER = {key: SERVER[key] for key in ("server_name", "server_zone", "server_flavor", "server_image")}
# The group the role added, and app-1's connection and iwinv_* variables.
INVENTORY_REPORT = ("{{ {'group': groups['web'] | default([]), 'host': hostvars['app-1'] | default({}) | dict2items "
                    "| selectattr('key', 'match', '^(ansible_host|ansible_port|iwinv_)') | items2dict} | to_json }}")


def plugin_host_vars(emulator, tmp_path, hostname):
    """The host's variables as ansible-inventory --list shows them with the inventory plugin (unsafe unwrapped)."""
    source = tmp_path / "emulator.iwinv.yml"
    source.write_text("plugin: iwinv.cloud.iwinv\n", encoding="utf-8")
    listed = subprocess.run([str(ANSIBLE_PLAYBOOK.parent / "ansible-inventory"), "-i", str(source), "--list"],
                            env=ansible_env(emulator), capture_output=True, text=True, timeout=120, check=True)
    host_vars = json.loads(listed.stdout)["_meta"]["hostvars"][hostname]
    return json.loads(json.dumps(host_vars), object_hook=lambda obj: obj.get("__ansible_unsafe", obj))


class SshBanner:
    """A listener on 127.0.0.1 that greets every connection as an SSH server does; counts the connections."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.listener.accept()
            except OSError:  # closed
                return
            self.connections += 1
            with connection:
                connection.sendall(b"SSH-2.0-OpenSSH_9.6 test\r\n")

    def close(self):
        self.listener.close()


def unused_port():
    """A port of 127.0.0.1 that nothing listens on (it was free a moment ago)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


def test_the_new_server_lands_in_its_group_with_the_inventory_plugins_variables(emulator, tmp_path):
    code, report, output = run_role(emulator, tmp_path, dict(BARE_SERVER, server_inventory_group="web"),
                                    report=INVENTORY_REPORT)
    assert code == 0, output
    assert report["group"] == ["app-1"]
    assert report["host"]["iwinv_status"] == "active" and report["host"]["ansible_host"]
    # the very names and values the inventory plugin gives the same instance
    assert report["host"] == plugin_host_vars(emulator, tmp_path, "app-1")


def test_the_role_waits_for_the_ssh_port_then_says_which_did_not_answer(emulator, tmp_path):
    banner = SshBanner()
    try:
        waits = dict(BARE_SERVER, server_inventory_group="web", server_wait_for_ssh=True,
                     server_ssh_host="127.0.0.1", server_ssh_port=banner.port, server_ssh_timeout=30)
        code, report, output = run_role(emulator, tmp_path, waits, report=INVENTORY_REPORT)
        assert code == 0, output
        assert banner.connections >= 1
        # ansible-core before 2.19 templates the port into a string
        assert report["host"]["ansible_host"] == "127.0.0.1" and int(report["host"]["ansible_port"]) == banner.port
    finally:
        banner.close()

    closed = unused_port()
    code, _report, output = run_role(emulator, tmp_path, dict(waits, server_ssh_port=closed, server_ssh_timeout=2),
                                     report=INVENTORY_REPORT)
    assert code != 0
    assert "server app-1 (instance " in output
    assert "no SSH server answered on 127.0.0.1 port %d from the controller within 2 s" % closed in output
