"""The role iwinv.cloud.server, run by a real ansible-playbook against the emulator.

Bad role variables fail before any API request; check mode sends no write; a second run reports no change
and sends no write; the facts describe what was made; state=absent removes the instance and its volumes
and keeps the shared firewall.
"""

import json
import os
import pathlib
import subprocess
import sys

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


def run_role(emulator, tmp_path, role_vars, *options):
    """Runs the role on localhost; returns (exit code, the facts it set, everything printed)."""
    facts_file = tmp_path / "facts.json"
    play = [{
        "name": "Role under test",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [
            {"name": "Run the role", "ansible.builtin.include_role": {"name": "iwinv.cloud.server"}, "vars": role_vars},
            {"name": "Save the facts", "ansible.builtin.copy": {
                "dest": str(facts_file), "mode": "0600",
                "content": "{{ {'instance': server_instance, 'volumes': server_block_storages, "
                           "'firewall': server_firewall_object, 'instances': server_instances} | to_json }}"},
             "check_mode": False, "changed_when": False},
        ],
    }]
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(play), encoding="utf-8")
    env = dict(os.environ, IWINV_API_URL=emulator.url, IWINV_ACCESS_KEY=emulator.access_key,
               IWINV_SECRET_KEY=emulator.secret_key, IWINV_RATE_LIMIT="0", ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_NOCOLOR="1")
    done = subprocess.run([str(ANSIBLE_PLAYBOOK), str(playbook)] + list(options), env=env, capture_output=True, text=True,
                          timeout=300, check=False)
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

    emulator.clear_requests()
    code, again, output = run_role(emulator, tmp_path, SERVER)
    assert code == 0, output
    assert recap_changed(output) == 0
    assert writes(emulator) == []
    # instance by name, image name, volumes, the firewall (list and detail; list, rules and instances), instance read
    assert len(emulator.requests()) <= {"firewall": 6, "security-groups": 7}[family]
    assert again["instance"]["id"] == instance["id"]

    code, facts, output = run_role(emulator, tmp_path, dict(SERVER, server_state="absent"))
    assert code == 0, output
    assert facts["instance"] == {} and facts["instances"] == {}
    state = emulator.state()
    assert state["instances"] == {} and state["volumes"] == {}
    assert [firewall["title"] for firewall in state["firewalls"].values()] == ["app-tier"]
