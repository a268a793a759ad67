#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_instance_console_info
short_description: Get the remote console link of an iwinv cloud instance
version_added: 1.0.0
description:
  - Returns the link of the instance's web console (noVNC).
  - B(The link is a secret); whoever has it can use the instance's console. The module never prints it, but
    Ansible shows returned values in verbose output (C(-v)) and callbacks may log them; do not print or log
    RV(console), and use C(no_log) on tasks that handle it.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - The instance id. Wins over O(name).
    type: str
  name:
    description:
      - The instance name; it must match exactly one instance.
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
seealso:
  - module: iwinv.cloud.iwinv_instance
"""

EXAMPLES = r"""
- name: Get the console link of web-1, without showing it
  iwinv.cloud.iwinv_instance_console_info:
    name: web-1
  register: console
  no_log: true

- name: Open it on the controller (the link stays out of the output)
  ansible.builtin.command: xdg-open "{{ console.console.url }}"
  no_log: true
  changed_when: false
"""

RETURN = r"""
console:
  description:
    - The remote console. Sensitive; see the description.
  returned: success
  type: dict
  contains:
    url:
      description: The console link (a secret).
      type: str
      sample: https://console.example.invalid/vnc_auto.html?token=REDACTED
    type:
      description: The kind of console.
      type: str
      sample: novnc
instance:
  description: The instance whose console this is, as C(id) and C(name).
  returned: success
  type: dict
  sample: {"id": "i-3f9c2a7b1d04", "name": "web-1"}
"""

from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError
from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_instances import find_instance, get_console


def main():
    iwinv = IwinvModule(argument_spec=dict(id=dict(type="str"), name=dict(type="str")),
                        required_one_of=[("id", "name")])
    params = iwinv.params

    def body():
        instance = find_instance(iwinv.client, instance_id=params["id"], name=params["name"])
        if instance is None:
            by_what = ("id", params["id"]) if params["id"] else ("name", params["name"])
            raise ResolveError("no instance has the %s '%s'" % by_what)
        console = get_console(iwinv.client, instance["id"])
        return {"changed": False, "console": console, "instance": {"id": instance["id"], "name": instance["name"]}}

    iwinv.run(body)


if __name__ == "__main__":
    main()
