#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_zone_info
short_description: List the zones of the iwinv cloud
version_added: 1.0.0
description:
  - Lists the zones (regions) that the iwinv API offers to this account.
  - Zone ids such as C(KR1-Z08) are what O(iwinv.cloud.iwinv_instance#module:zone) and the inventory's groups use.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the zone with this id. An unknown id gives an empty list.
    type: str
  name:
    description:
      - Return only the zones with this exact name.
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: List every zone
  iwinv.cloud.iwinv_zone_info:
  register: result

- name: Show the zone ids
  ansible.builtin.debug:
    msg: "{{ result.zones | map(attribute='id') | list }}"

- name: Look up one zone, with credentials given explicitly
  iwinv.cloud.iwinv_zone_info:
    access_key: "{{ iwinv_access_key }}"
    secret_key: "{{ iwinv_secret_key }}"
    id: KR1-Z08
  register: zone
"""

RETURN = r"""
zones:
  description: The zones, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The zone id, used wherever a zone is named.
      type: str
      sample: KR1-Z08
    name:
      description: The zone's display name.
      type: str
      sample: Seoul Mokdong
    status:
      description: The zone's status as the API reports it.
      type: str
      sample: available
    features:
      description: Free-text lines describing what the zone offers.
      type: list
      elements: str
      sample: ["SSD block storage", "GPU flavors"]
"""

from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule, select
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import list_zones


def main():
    iwinv = IwinvModule(argument_spec=dict(id=dict(type="str"), name=dict(type="str")))

    def body():
        zones = select(list_zones(iwinv.client), id=iwinv.params["id"], name=iwinv.params["name"])
        return {"changed": False, "zones": zones}

    iwinv.run(body)


if __name__ == "__main__":
    main()
