#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_instance_info
short_description: List iwinv cloud instances
version_added: 1.0.0
description:
  - Lists the instances of the account, paging through all of them, optionally filtered.
  - Every item has the shape of the RV(iwinv.cloud.iwinv_instance#module:instance) return value of
    M(iwinv.cloud.iwinv_instance), without secrets.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the instance with this id (one request). An unknown id gives an empty list.
    type: str
  name:
    description:
      - Return only the instances with exactly this name (names are not unique).
    type: str
  zone:
    description:
      - Return only the instances in this zone, given by id (such as C(KR1-Z08)) or by name.
      - An unknown zone fails, listing the zones there are.
    type: str
  status:
    description:
      - Return only the instances with this status, such as C(active), C(off), C(error), C(building) or C(work).
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
seealso:
  - module: iwinv.cloud.iwinv_instance
"""

EXAMPLES = r"""
- name: List every instance
  iwinv.cloud.iwinv_instance_info:
  register: result

- name: Show the names of the running instances in one zone
  iwinv.cloud.iwinv_instance_info:
    zone: KR1-Z08
    status: active
  register: running

- name: Print them
  ansible.builtin.debug:
    msg: "{{ running.instances | map(attribute='name') | list }}"

- name: Look up one instance by id
  iwinv.cloud.iwinv_instance_info:
    id: i-3f9c2a7b1d04
  register: one
"""

RETURN = r"""
instances:
  description: The instances that pass every filter given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The instance id.
      type: str
      sample: i-3f9c2a7b1d04
    name:
      description: The instance name.
      type: str
      sample: web-1
    description:
      description: The description (empty string when unset).
      type: str
      sample: front web server
    status:
      description: C(active), C(off), C(error), or a transitional status such as C(building) or C(work).
      type: str
      sample: active
    zone:
      description: The zone, as C(id) and C(name).
      type: dict
      sample: {"id": "KR1-Z08", "name": "Seoul Mokdong"}
    flavor:
      description: The flavor, as C(id) and C(name).
      type: dict
      sample: {"id": "std.2c4g", "name": "2 vCore / 4GB"}
    image:
      description: The image, as C(id), C(os) and C(version).
      type: dict
      sample: {"id": "img-ubuntu-2404", "os": "ubuntu", "version": "24.04"}
    public_ipv4:
      description: The public IPv4 address (empty string when there is none).
      type: str
      sample: 203.0.113.10
    private_ipv4:
      description: The private IPv4 address (empty string when there is none).
      type: str
      sample: 10.0.3.17
    block_storages:
      description: Ids of the block storages attached to the instance.
      type: list
      elements: str
      sample: ["bs-0a1b2c3d4e5f"]
    created_at:
      description: When the instance was created, as the API reports it.
      type: str
      sample: "2026-11-27 21:04:34"
"""

from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils._module import (
    IwinvModule,
    one_or_listed,
    select,
    text_options,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import resolve_zone
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_instances import (
    get_instance,
    in_zone,
    list_instances,
)


def listed(client, params):
    """The instances the API lists for the filters. It filters by zone id: a zone name is resolved once, which spares
    pages of other zones."""
    zone_id = resolve_zone(client, params["zone"])["id"] if params["zone"] else None
    return list_instances(client, zone=zone_id, name=params["name"], status=params["status"])


def main():
    iwinv = IwinvModule(argument_spec=text_options("id", "name", "zone", "status"), references=("zone",))
    params = iwinv.params

    def body():
        client = iwinv.client
        candidates = one_or_listed(params["id"], partial(get_instance, client), partial(listed, client, params))
        in_the_zone = partial(in_zone, zone=params["zone"]) if params["zone"] else None
        selected = select(candidates, in_the_zone, name=params["name"], status=params["status"])
        return {"changed": False, "instances": selected}

    iwinv.run(body)


if __name__ == "__main__":
    main()
