#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_user_script_info
short_description: List the user scripts of an iwinv account
version_added: 1.0.0
description:
  - Lists the user scripts (run at an instance's first boot) registered in the iwinv console.
    The API cannot create or change them.
  - Their ids or names are what O(iwinv.cloud.iwinv_instance#module:user_script) takes.
  - Every page of the API's list is read, whatever page size the API allows.
  - Some accounts' API does not serve the list (it answers 404); the task then fails saying so.
    O(iwinv.cloud.iwinv_instance#module:user_script) still takes a script's id there, as the iwinv console shows it.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
notes:
  - The script content is returned when the API sends it. Ansible prints returned values in verbose output,
    so keep secrets out of user scripts, or out of verbose logs.
options:
  id:
    description:
      - Return only the user script with this id. An unknown id gives an empty list.
    type: str
  name:
    description:
      - Return only the user scripts with exactly this name (the match is exact, unlike the API's own filter).
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: List every user script
  iwinv.cloud.iwinv_user_script_info:
  register: result

- name: Show the script that installs Docker
  iwinv.cloud.iwinv_user_script_info:
    name: install-docker
  register: docker_script
"""

RETURN = r"""
user_scripts:
  description: The user scripts that pass every filter, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The user script id.
      type: str
      sample: script-docker
    name:
      description: The user script's name.
      type: str
      sample: install-docker
    created_at:
      description: When the script was registered, as the API reports it.
      type: str
      sample: "2026-01-06 09:00:00"
    content:
      description: The script itself.
      type: str
      returned: when the API sends it
      sample: "#!/bin/sh\ncurl -fsSL https://get.docker.com | sh\n"
"""

from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule, select
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import list_user_scripts


def main():
    iwinv = IwinvModule(argument_spec=dict(id=dict(type="str"), name=dict(type="str")))
    params = iwinv.params

    def body():
        scripts = select(list_user_scripts(iwinv.client, name=params["name"]), id=params["id"])
        return {"changed": False, "user_scripts": scripts}

    iwinv.run(body)


if __name__ == "__main__":
    main()
