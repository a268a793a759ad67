#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_flavor_info
short_description: List the flavors (instance sizes) of the iwinv cloud
version_added: 1.0.0
description:
  - Lists the flavors that the iwinv API offers, with their size, the zones and images they can be used with,
    and their price.
  - Use it to choose a value for O(iwinv.cloud.iwinv_instance#module:flavor).
  - Every page of the API's list is read, whatever page size the API allows.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the flavor with this id. An unknown id gives an empty list.
      - The other filters still apply to it.
    type: str
  zone:
    description:
      - Return only the flavors offered in this zone, given by id or by name.
      - A zone that does not exist fails, listing the zones seen.
    type: str
  image:
    description:
      - Return only the flavors that can run this image, given by id or by exact name.
      - The API filters by image itself; a flavor whose RV(flavors[].images) is null (unknown) is kept.
      - With O(zone), the image is looked up in that zone.
      - An image that does not exist (in O(zone)) fails, listing the images seen.
    type: str
  min_vcpu:
    description:
      - Return only the flavors with at least this many virtual cores.
    type: int
  max_vcpu:
    description:
      - Return only the flavors with at most this many virtual cores.
    type: int
  min_memory:
    description:
      - Return only the flavors with at least this much memory, in GB.
    type: int
  max_memory:
    description:
      - Return only the flavors with at most this much memory, in GB.
    type: int
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: List every flavor
  iwinv.cloud.iwinv_flavor_info:
  register: result

- name: Flavors of the Mokdong zone that run Ubuntu 24.04, with 2 to 8 cores and at least 4 GB
  iwinv.cloud.iwinv_flavor_info:
    zone: Seoul Mokdong
    image: Ubuntu 24.04
    min_vcpu: 2
    max_vcpu: 8
    min_memory: 4
  register: result

- name: The cheapest of them
  ansible.builtin.debug:
    msg: "{{ (result.flavors | sort(attribute='price_monthly') | first).id }}"

- name: Look up one flavor
  iwinv.cloud.iwinv_flavor_info:
    id: std.2c4g
  register: flavor
"""

RETURN = r"""
flavors:
  description: The flavors that pass every filter, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The flavor id, used by O(iwinv.cloud.iwinv_instance#module:flavor).
      type: str
      sample: std.2c4g
    name:
      description: The flavor's display name (not necessarily unique across zones).
      type: str
      sample: 2 vCore / 4GB
    type:
      description: The kind of flavor as the API reports it.
      type: str
      sample: standard
    vcpu:
      description: Virtual cores.
      type: int
      sample: 2
    memory:
      description: Memory in GB.
      type: int
      sample: 4
    disk:
      description: Root disk size in GB.
      type: int
      sample: 50
    gpu:
      description: The GPU model, or null when the flavor has none.
      type: str
      sample: A100
    zones:
      description: The ids of the zones that offer the flavor.
      type: list
      elements: str
      sample: ["KR1-Z01", "KR1-Z08", "KR2-Z01"]
    images:
      description:
        - The ids of the images the flavor can run.
        - Null when the API does not say (its flavor rows may not carry C(supporting_images)); the API then decides
          whether a flavor and an image combine when an instance is created, rebuilt or resized.
      type: list
      elements: str
      sample: ["img-ubuntu-2204", "img-ubuntu-2404"]
    price_monthly:
      description: The price of a whole month, in KRW, VAT excluded (the API's C(month) price).
      type: int
      sample: 25000
    price_hourly:
      description: The price of one hour, in KRW, VAT excluded (the API's C(hour) price).
      type: int
      sample: 34
"""

from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils._module import (
    IwinvModule,
    one_or_listed,
    select,
    text_options,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import (
    flavor_matches,
    get_flavor,
    list_flavors,
    resolve_image,
    resolve_zone,
)

BOUNDS = ("min_vcpu", "max_vcpu", "min_memory", "max_memory")


def check_bounds(params):
    """A message for size filters that cannot match anything, or None."""
    for name in BOUNDS:
        if params[name] is not None and params[name] < 0:
            return "%s must be zero or more, got %s" % (name, params[name])
    for low, high in (("min_vcpu", "max_vcpu"), ("min_memory", "max_memory")):
        if params[low] is not None and params[high] is not None and params[low] > params[high]:
            return "%s (%s) must not be greater than %s (%s)" % (low, params[low], high, params[high])
    return None


def main():
    iwinv = IwinvModule(argument_spec=dict(
        text_options("id", "zone", "image"),
        min_vcpu=dict(type="int"),
        max_vcpu=dict(type="int"),
        min_memory=dict(type="int"),
        max_memory=dict(type="int"),
    ), references=("zone", "image"))
    params = iwinv.params
    problem = check_bounds(params)
    if problem:
        iwinv.fail(problem)

    def body():
        client = iwinv.client
        zone = resolve_zone(client, params["zone"])["id"] if params["zone"] else None
        image = resolve_image(client, params["image"], zone)["id"] if params["image"] else None
        listed = partial(list_flavors, client, zone=zone, image=image)
        candidates = one_or_listed(params["id"], partial(get_flavor, client), listed)
        bounds = dict((name, params[name]) for name in BOUNDS)
        wanted = partial(flavor_matches, zone=zone, image=image, **bounds)
        return {"changed": False, "flavors": select(candidates, wanted)}

    iwinv.run(body)


if __name__ == "__main__":
    main()
