#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_block_storage_info
short_description: List iwinv block storage volumes and volume types
version_added: 1.0.0
description:
  - Lists the block storage volumes of the account, and the block storage types with their size ranges and zones.
  - Every volume is listed, on every page when the API pages the volume list (its documentation says it does not;
    it is asked as documented, and an unpaginated answer costs one request, two when it holds 10 volumes or more).
  - Each volume has the shape of the C(block_storage) return value of M(iwinv.cloud.iwinv_block_storage).
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the volume with this id. An unknown id gives an empty list.
    type: str
  name:
    description:
      - Return only the volumes with this exact name.
    type: str
  zone:
    description:
      - Return only the volumes in this zone (a zone id or name), and only the types offered there.
    type: str
  type:
    description:
      - Return only the volumes, and the type, of this type.
    type: str
    choices: [ssd, sata]
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: List every volume and every volume type
  iwinv.cloud.iwinv_block_storage_info:
  register: result

- name: Show the SSD volumes of one zone
  iwinv.cloud.iwinv_block_storage_info:
    zone: KR1-Z08
    type: ssd
  register: ssd_volumes

- name: Look up one volume by id
  iwinv.cloud.iwinv_block_storage_info:
    id: bs-3f9a1c2b7d4e
  register: volume

- name: Fail early when SATA is not offered in a zone
  ansible.builtin.assert:
    that: result.block_storage_types | selectattr('type', 'equalto', 'sata') | list | length > 0
"""

RETURN = r"""
block_storages:
  description: The volumes that match every filter given.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The volume's id.
      type: str
      sample: bs-3f9a1c2b7d4e
    name:
      description: The volume's name.
      type: str
      sample: web-1-data
    description:
      description: The volume's description (an empty string when it has none).
      type: str
      sample: database files
    type:
      description: The volume type.
      type: str
      sample: ssd
    size:
      description: The size in GB.
      type: int
      sample: 100
    zone:
      description: The id of the zone the volume lives in.
      type: str
      sample: KR1-Z08
    instance_id:
      description: The id of the instance it is attached to, or null when it is attached to nothing.
      type: str
      sample: 2b0c8f5e-6f0e-4a57-9a3c-1d2e3f4a5b6c
    status:
      description:
        - V(attached), V(available) (attached to nothing), V(error), or an operation in progress
          (V(creating), V(attaching), V(detaching), V(deleting)).
      type: str
      sample: attached
block_storage_types:
  description: The volume types (narrowed by O(type) and O(zone) when given).
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description: The type's name, as O(iwinv.cloud.iwinv_block_storage#module:type) takes it.
      type: str
      sample: sata
    min:
      description: The smallest size in GB.
      type: int
      sample: 10
    max:
      description: The largest size in GB.
      type: int
      sample: 20000
    zones:
      description: The ids of the zones that offer the type, or null when every zone does.
      type: list
      elements: str
      sample: ["KR1-Z08"]
"""

from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_block_storage as bs
from ansible_collections.iwinv.cloud.plugins.module_utils._module import (
    IwinvModule,
    one_or_listed,
    select,
    text_options,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import resolve_zone


def offered(volume_type, zone=None, only_type=None):
    return (only_type is None or volume_type["type"] == only_type) and (
        zone is None or volume_type["zones"] is None or zone in volume_type["zones"])


def main():
    options = dict(text_options("id", "name", "zone"), type=dict(type="str", choices=["ssd", "sata"]))
    iwinv = IwinvModule(argument_spec=options, references=("zone",))
    params = iwinv.params

    def body():
        zone = resolve_zone(iwinv.client, params["zone"])["id"] if params["zone"] else None
        filters = dict(zone=zone, name=params["name"])
        listed = partial(bs.list_block_storages, iwinv.client, volume_type=params["type"], **filters)
        volumes = select(one_or_listed(params["id"], partial(bs.get_block_storage, iwinv.client), listed),
                         type=params["type"], **filters)
        types = [row for row in bs.list_types(iwinv.client) if offered(row, zone, params["type"])]
        return {"changed": False, "block_storages": volumes, "block_storage_types": types}

    iwinv.run(body)


if __name__ == "__main__":
    main()
