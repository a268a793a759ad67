#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_ssh_key_info
short_description: List the SSH keys of an iwinv account
version_added: 1.0.0
description:
  - Lists the SSH keys registered in the iwinv console. The API cannot create or delete them.
  - Their ids or names are what O(iwinv.cloud.iwinv_instance#module:ssh_keys) takes.
  - The key material is not returned.
  - Every page of the API's list is read, whatever page size the API allows.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the SSH key with this id. An unknown id gives an empty list.
    type: str
  name:
    description:
      - Return only the SSH keys with exactly this name (the match is exact, unlike the API's own filter).
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: List every SSH key
  iwinv.cloud.iwinv_ssh_key_info:
  register: result

- name: Fail early when the deploy key is missing
  iwinv.cloud.iwinv_ssh_key_info:
    name: ci-deploy
  register: deploy_key
  failed_when: deploy_key.ssh_keys | length != 1
"""

RETURN = r"""
ssh_keys:
  description: The SSH keys that pass every filter, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The SSH key id.
      type: str
      sample: key-laptop
    name:
      description: The SSH key's name.
      type: str
      sample: laptop
    created_at:
      description: When the key was registered, as the API reports it.
      type: str
      sample: "2026-01-02 10:11:12"
"""

from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule, select
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import list_ssh_keys


def main():
    iwinv = IwinvModule(argument_spec=dict(id=dict(type="str"), name=dict(type="str")))
    params = iwinv.params

    def body():
        return {"changed": False, "ssh_keys": select(list_ssh_keys(iwinv.client, name=params["name"]), id=params["id"])}

    iwinv.run(body)


if __name__ == "__main__":
    main()
