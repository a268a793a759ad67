#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_image_info
short_description: List the OS images of the iwinv cloud
version_added: 1.0.0
description:
  - Lists the images that instances can be created from, with the zones that offer them.
  - Use it to choose a value for O(iwinv.cloud.iwinv_instance#module:image).
  - Every page of the API's list is read, whatever page size the API allows.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the image with this id. An unknown id gives an empty list.
      - The other filters still apply to it.
    type: str
  name:
    description:
      - Return only the images with exactly this name (the match is exact, unlike the API's own filter).
    type: str
  zone:
    description:
      - Return only the images offered in this zone, given by id or by name.
      - A zone that does not exist fails, listing the zones seen.
    type: str
  os:
    description:
      - Return only the images of this operating system family, as the API names it
        (for example V(ubuntu), V(rocky), V(debian), V(windows)); see RV(images[].os).
      - The API rejects a family it does not know.
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: List every image
  iwinv.cloud.iwinv_image_info:
  register: result

- name: Ubuntu images offered in Busan
  iwinv.cloud.iwinv_image_info:
    zone: Busan
    os: ubuntu
  register: result

- name: Show their names
  ansible.builtin.debug:
    msg: "{{ result.images | map(attribute='name') | list }}"

- name: Look up one image by its exact name
  iwinv.cloud.iwinv_image_info:
    name: Debian 12
  register: debian
"""

RETURN = r"""
images:
  description: The images that pass every filter, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The image id, used by O(iwinv.cloud.iwinv_instance#module:image).
      type: str
      sample: img-ubuntu-2204
    name:
      description: The image's display name.
      type: str
      sample: Ubuntu 22.04
    os:
      description: The operating system family, in the vocabulary of the O(os) filter.
      type: str
      sample: ubuntu
    version:
      description: The operating system version.
      type: str
      sample: "22.04"
    os_type:
      description: The kind of operating system.
      type: str
      sample: linux
    type:
      description: The image type as the API reports it.
      type: str
      sample: os_linux
    visibility:
      description: Whether the image is public or private to the account.
      type: str
      sample: public
    zones:
      description: The ids of the zones that offer the image.
      type: list
      elements: str
      sample: ["KR1-Z01", "KR1-Z08", "KR2-Z01"]
    min_disk:
      description: The smallest root disk the image needs, in GB.
      type: int
      sample: 20
    min_ram:
      description: The least memory the image needs, in GB.
      type: int
      sample: 1
    status:
      description: The image status as the API reports it.
      type: str
      sample: active
"""

from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils._module import (
    IwinvModule,
    one_or_listed,
    select,
    text_options,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import (
    get_image,
    image_matches,
    list_images,
    resolve_zone,
)


def main():
    iwinv = IwinvModule(argument_spec=text_options("id", "name", "zone", "os"), references=("zone",))
    params = iwinv.params

    def body():
        client = iwinv.client
        zone = resolve_zone(client, params["zone"])["id"] if params["zone"] else None
        filters = dict(zone=zone, os=params["os"], name=params["name"])
        candidates = one_or_listed(params["id"], partial(get_image, client), partial(list_images, client, **filters))
        return {"changed": False, "images": select(candidates, partial(image_matches, **filters))}

    iwinv.run(body)


if __name__ == "__main__":
    main()
