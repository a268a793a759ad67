"""Issue 15 item 9: strings from the API are data, never templates, on every supported ansible-core.

An instance description `{{ lookup('pipe', ...) }}` (anyone with console access can set one) must not run a
command on the controller when a play reads the host variable, and a hostname that looks like a template must
stay as it is. ansible-core 2.19 and later trust nothing an inventory plugin sets; 2.18 and older template it
unless the plugin marks it unsafe. This file runs alone under each ansible-core of the compatibility stage
(real ansible-inventory and ansible-playbook from the interpreter's bin directory, against the emulator).
"""

import functools
import json
import time

import ansible

from harness import record as record_scenario
from hostile import INVENTORY_ENV, create_instance, inventory_config, write_config
from hostile import record_attack

record = functools.partial(record_attack, "inventory-unsafe")

TEMPLATED_NAME = "{{7+35}}x"   # renders as 42x if anything templates the hostname


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
    assert "H=" + TEMPLATED_NAME in run.output and "H=42x" not in run.output
    assert "D=" + payload in run.output and "C=" + payload in run.output and "V=" + payload in run.output
    assert "D=42" not in run.output and "C=42" not in run.output
    listed = stack.inventory(inventory_config(stack, compose={"shown": "iwinv_description"}), name="unsafe")
    assert listed.code == 0, listed.output
    hostvars = json.JSONDecoder().raw_decode(listed.output, listed.output.index("{"))[0]["_meta"]["hostvars"]
    # --list marks unsafe strings {"__ansible_unsafe": ...}, so that a consumer of the JSON keeps them unsafe.
    assert hostvars["desc-attack"]["iwinv_description"] == {"__ansible_unsafe": payload}
    assert hostvars[TEMPLATED_NAME]["iwinv_description"] == {"__ansible_unsafe": "{{ 6 * 7 }}"}

    record("instance description {{ lookup('pipe', ...) }} read by a play",
           "printed as text; no command ran (ansible-core %s)" % ansible.__version__, int(marker.exists()))
    record("instance name that is a Jinja template, as inventory_hostname",
           "printed as text (ansible-core %s)" % ansible.__version__, 0)
    record_scenario(figures, "API strings as templates (ansible-core %s)" % ansible.__version__,
                    "description {{ lookup('pipe', 'touch ...') }} and name {{7+35}}x, read by ansible-inventory and a play",
                    "no command ran, both printed as text", stack, started, faults_survived=0)
