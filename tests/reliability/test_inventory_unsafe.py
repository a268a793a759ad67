"""Issue 15 item 9: strings from the API are data, never templates, on every supported ansible-core.

An instance description `{{ lookup('pipe', ...) }}` (anyone with console access can set one) must not run a
command on the controller when a play reads the host variable, and a name that looks like a template must not
become one. ansible-core 2.19 and later trust nothing an inventory plugin sets; 2.18 and older template it
unless the plugin marks it unsafe. Every variable value is marked unsafe; hostnames are safe by construction
instead (issue 27 item 2), so that `ansible-inventory --list` names hosts with strings, as AWX's inventory import
needs. This file runs alone under each ansible-core of the compatibility stage (real ansible-inventory and
ansible-playbook from the interpreter's bin directory, against the emulator).
"""

import functools
import json
import time

import ansible

from harness import record as record_scenario
from hostile import INVENTORY_ENV, create_instance, inventory_config, write_config
from hostile import record_attack

record = functools.partial(record_attack, "inventory-unsafe")

TEMPLATED_NAME = "{{7+35}}x"   # renders as 42x if anything templates it
TEMPLATED_HOST = "__7_35__x"   # its hostname: the characters templates read are replaced


def test_api_strings_are_never_templated(stack, figures):
    started = time.monotonic()
    marker = stack.workdir / "pwned"
    payload = "{{ lookup('pipe', 'touch %s') }}" % marker
    create_instance(stack, "desc-attack", description=payload)
    create_instance(stack, TEMPLATED_NAME, description="{{ 6 * 7 }}")
    config = write_config(stack, inventory_config(stack, compose={"shown": "iwinv_description"}))
    stack.emulator.clear_requests()

    tasks = [{"name": "Read the description", "ansible.builtin.debug": {"msg": "D={{ iwinv_description }}"}},
             {"name": "Read it through compose", "ansible.builtin.debug": {"msg": "C={{ shown }}"}},
             {"name": "Read the hostname", "ansible.builtin.debug": {"msg": "H={{ inventory_hostname }}"}},
             {"name": "Read it from another host", "ansible.builtin.debug": {
                 "msg": "V={{ hostvars['desc-attack'].iwinv_description }}"}}]
    run = stack.playbook(tasks, name="unsafe", hosts="iwinv", inventory=config, dump=False, env=INVENTORY_ENV)
    assert run.code == 0, run.output
    assert not marker.exists(), "the description ran a command on the controller:\n" + run.output
    assert "H=" + TEMPLATED_HOST in run.output and "H=42x" not in run.output
    assert "D=" + payload in run.output and "C=" + payload in run.output and "V=" + payload in run.output
    assert "D=42" not in run.output and "C=42" not in run.output
    listed = stack.inventory(inventory_config(stack, compose={"shown": "iwinv_description"}), name="unsafe")
    assert listed.code == 0, listed.output
    hostvars = json.JSONDecoder().raw_decode(listed.output, listed.output.index("{"))[0]["_meta"]["hostvars"]
    # --list marks unsafe strings {"__ansible_unsafe": ...}, so that a consumer of the JSON keeps them unsafe.
    assert hostvars["desc-attack"]["iwinv_description"] == {"__ansible_unsafe": payload}
    assert hostvars[TEMPLATED_HOST]["iwinv_description"] == {"__ansible_unsafe": "{{ 6 * 7 }}"}
    assert hostvars[TEMPLATED_HOST]["iwinv_name"] == {"__ansible_unsafe": TEMPLATED_NAME}

    record("instance description {{ lookup('pipe', ...) }} read by a play",
           "printed as text; no command ran (ansible-core %s)" % ansible.__version__, int(marker.exists()))
    record("instance name that is a Jinja template, as inventory_hostname",
           "hostname without template characters; the name printed as text (ansible-core %s)" % ansible.__version__, 0)
    record_scenario(figures, "API strings as templates (ansible-core %s)" % ansible.__version__,
                    "description {{ lookup('pipe', 'touch ...') }} and name {{7+35}}x, read by ansible-inventory and a play",
                    "no command ran, both printed as text", stack, started, faults_survived=0)


def awx_import(listing):
    """The groups and host variables that AWX's inventory import takes from `ansible-inventory --list --export`
    (awx/main/utils/mem_inventory.py, dict_to_mem_data): every group's `hosts` is a list of names that key its
    in-memory hosts (a dict there is unhashable: the import fails), their variables come from `_meta.hostvars`."""
    hostvars = listing.get("_meta", {}).get("hostvars", {})
    groups, hosts = {}, {}
    for group, data in listing.items():
        if group == "_meta":
            continue
        members = data.get("hosts", [])
        assert isinstance(members, list), "group %s: hosts is %r, not a list of names" % (group, members)
        for name in members:
            assert isinstance(name, str), "group %s lists a host as %r, not a name" % (group, name)
            hosts.setdefault(name, {}).update(hostvars.get(name, {}))
        groups[group] = set(members)
    return groups, hosts


HOSTILE_NAMES = {"web-1": "web-1", "db,web": "db_web", "{{ 6 * 7 }}x": "___6___7___x", "웹-2": "웹-2"}


def test_listed_hostnames_are_strings_that_awx_imports(stack, figures):
    started = time.monotonic()
    ids = {name: create_instance(stack, name, description="{{ 6 * 7 }}") for name in HOSTILE_NAMES}
    create_instance(stack, "{{ }}")   # nothing safe left: the instance id names it
    config = inventory_config(stack, keyed_groups=[{"key": "iwinv_flavor", "prefix": "flavor"}])
    for options in ([], ["--export"]):
        listed = stack.inventory(config, *options, name="awx")
        assert listed.code == 0, listed.output
        listing = json.JSONDecoder().raw_decode(listed.output, listed.output.index("{"))[0]
        groups, hosts = awx_import(listing)
        expected = set(HOSTILE_NAMES.values())
        assert expected < set(hosts) and len(hosts) == len(HOSTILE_NAMES) + 1, sorted(hosts)
        assert groups["iwinv"] == groups["flavor_std_1c1g"] == set(hosts), groups
        for name, host in HOSTILE_NAMES.items():
            # every value stays unsafe: --list marks it, so that a consumer of the JSON keeps it unsafe
            assert hosts[host]["iwinv_name"] == {"__ansible_unsafe": name}
            assert hosts[host]["iwinv_id"] == {"__ansible_unsafe": ids[name]}
            assert hosts[host]["iwinv_description"] == {"__ansible_unsafe": "{{ 6 * 7 }}"}
    record("ansible-inventory --list / --list --export read as AWX's inventory import reads them",
           "every group lists host names as strings; every value stays unsafe (ansible-core %s)"
           % ansible.__version__, 0)
    record_scenario(figures, "inventory JSON as AWX imports it (ansible-core %s)" % ansible.__version__,
                    "%d instances, names with pattern and template characters, --list and --list --export"
                    % (len(HOSTILE_NAMES) + 1), "host names are strings, values unsafe", stack, started,
                    faults_survived=0)
