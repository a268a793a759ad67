#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_firewall_info
short_description: List iwinv firewalls with their rules and attached instances
version_added: 1.0.0
description:
  - Lists the firewalls of the iwinv account, each with its rules and the instances it is attached to.
  - Each item has the same shape as the C(firewall) return value of M(iwinv.cloud.iwinv_firewall).
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the firewall with this id (one request on C(/v1/firewall); three on C(/v1/security-groups),
        the group, its rules and its instances). An unknown id gives an empty list.
    type: str
  name:
    description:
      - Return only the firewalls with this exact name (names are not unique).
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
notes:
  - The API lists firewalls without their rules, so the module reads each listed firewall's details too, one
    request per firewall on C(/v1/firewall) (its detail) and two on C(/v1/security-groups) (its rules and its
    instances), plus the list. O(firewall_api) says which family is used.
"""

EXAMPLES = r"""
- name: Every firewall
  iwinv.cloud.iwinv_firewall_info:
  register: result

- name: The names of the instances behind the web firewall
  ansible.builtin.debug:
    msg: "{{ result.firewalls | selectattr('name', 'equalto', 'web') | map(attribute='instances') | flatten
             | map(attribute='name') | list }}"

- name: One firewall by id
  iwinv.cloud.iwinv_firewall_info:
    id: FIREWALL-a1B2c3D4e5F6
  register: one
"""

RETURN = r"""
firewalls:
  description: The firewalls, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The firewall id.
      type: str
      sample: FIREWALL-a1B2c3D4e5F6
    name:
      description: The firewall's name.
      type: str
      sample: web
    description:
      description: The description, HTML-decoded.
      type: str
      sample: R&D web servers
    icmp:
      description: Whether ICMP is allowed.
      type: bool
      sample: true
    rules:
      description: The rules in the vocabulary of M(iwinv.cloud.iwinv_firewall)'s C(rules) option, plus their C(id).
      type: list
      elements: dict
      sample:
        - {id: 1234567, direction: in, protocol: tcp, port: "22", cidr: 198.51.100.7/32, name: ssh-office,
           description: ""}
        - {id: 1234568, direction: in, protocol: tcp, port: "1000-2000", cidr: 0.0.0.0/0, name: in-tcp-1000-2000,
           description: ""}
    instances:
      description: The instances that carry the firewall, sorted by name.
      type: list
      elements: dict
      sample: [{id: 7d9c1f0e-inst, name: web-1}]
"""

from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule, one_or_listed, select
from ansible_collections.iwinv.cloud.plugins.module_utils._state_firewall_family import firewall_api


def main():
    iwinv = IwinvModule(argument_spec=dict(id=dict(type="str"), name=dict(type="str")))

    def body():
        api = firewall_api(iwinv.client, iwinv.params["firewall_api"], iwinv.firewall_family_memory())
        candidates = one_or_listed(iwinv.params["id"], api.get, partial(api.list_full, name=iwinv.params["name"]))
        return {"changed": False, "firewalls": select(candidates, name=iwinv.params["name"])}

    iwinv.run(body)


if __name__ == "__main__":
    main()
