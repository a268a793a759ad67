#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_block_storage
short_description: Create, attach, move, detach and delete iwinv block storage volumes
version_added: 1.0.0
description:
  - Manages a block storage volume (a data disk) of the iwinv cloud and the instance it is attached to.
  - The API creates a volume attached to an instance, in that instance's zone. An existing volume can be moved
    to another instance of its zone (it is detached, then attached), detached, or deleted.
  - The API cannot resize a volume or change its type, so a different O(size) or O(type) fails with a message
    that says what to do instead.
  - Before any write, the module checks what the block storage types (size ranges and zones) and the target
    instance already tell it, so that a size out of range, a type not offered in the instance's zone, a volume
    in another zone, or an instance that already carries 8 volumes fail without a write request.
  - A volume, or an instance, that is busy with an earlier operation is waited for (within O(wait_timeout))
    before anything is judged or done, so that a task that follows a O(wait=false) task on the same volume (or
    on a volume of the same name being deleted) acts on what that operation left.
  - A volume in status C(error) warns that the API cannot repair it, and to delete it and create it again.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  name:
    description:
      - The volume's name (1 to 64 characters), its identity when O(id) is not given.
      - A name that several volumes carry fails and lists their ids.
      - The look-up reads every page of the volume list when the API pages it (its documentation says it does not).
      - Required to create a volume. The API cannot rename a volume.
    type: str
  id:
    description:
      - The volume's id (assigned by the API). Wins over O(name).
      - An id that does not exist fails with O(state=present) or O(state=detached), and is already absent with
        O(state=absent).
    type: str
  type:
    description:
      - The volume type. Required to create a volume; an existing volume of another type fails.
      - V(sata) is offered only in some zones (see M(iwinv.cloud.iwinv_block_storage_info)).
    type: str
    choices: [ssd, sata]
  size:
    description:
      - The size in GB, within the range of O(type). Required to create a volume.
      - An existing volume of another size fails, since the API cannot resize.
    type: int
  description:
    description:
      - The volume's description (up to 255 characters), used only when creating it.
      - A different description on an existing volume gives a warning and is not changed.
    type: str
  instance:
    description:
      - The id or name of the instance that the volume is attached to.
      - With O(state=present), required to create a volume (the API creates volumes attached); an existing
        volume attached elsewhere, or to nothing, is moved to this instance.
      - When omitted, the attachment of an existing volume is left as it is.
      - When the volume is already attached to an instance with this id or name, no other instance is looked up.
      - With O(state=detached) it is used only to create a missing volume (which is then detached); with
        O(state=absent) it is not used.
    type: str
  state:
    description:
      - V(present) - the volume exists (attached to O(instance) when given).
      - V(detached) - the volume exists and is attached to nothing. A missing volume is created on O(instance),
        then detached.
      - V(absent) - the volume does not exist. An attached volume is detached first, then deleted.
    type: str
    choices: [present, detached, absent]
    default: present
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.WAIT
  - iwinv.cloud.iwinv.WRITES
attributes:
  check_mode:
    support: full
    description: In check mode the module reads only, and returns the volume as it would be.
  diff_mode:
    support: full
    description: The diff shows the volume before and after (an empty object for a volume that does not exist).
notes:
  - With O(wait=false) the module still waits where the next step needs it (a move waits for the detach to
    end before attaching; O(state=absent) waits for the detach before deleting), and returns once the last
    request was accepted.
  - A write whose answer was lost is never sent again. A volume's creation whose answer was lost is looked for by
    its name on its instance.
"""

EXAMPLES = r"""
- name: Create a 100 GB SSD volume attached to an instance
  iwinv.cloud.iwinv_block_storage:
    name: web-1-data
    type: ssd
    size: 100
    instance: web-1
  register: volume

- name: Move the volume to another instance of the same zone
  iwinv.cloud.iwinv_block_storage:
    name: web-1-data
    instance: web-2

- name: Detach it from every instance, keeping the data
  iwinv.cloud.iwinv_block_storage:
    name: web-1-data
    state: detached

- name: Delete it (detaching it first when it is attached), by id
  iwinv.cloud.iwinv_block_storage:
    id: "{{ volume.block_storage.id }}"
    state: absent
"""

RETURN = r"""
block_storage:
  description:
    - The volume as it is after the task (in check mode, as it would be; its id is null when it would be created).
    - An empty object when the volume is absent.
  returned: always
  type: dict
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
"""

from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_block_storage as bs
from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule
from ansible_collections.iwinv.cloud.plugins.module_utils._engine import (
    Action, ClaimingResource, Description, Engine, run_claiming)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import (
    VOLUMES, KeptList, find_volume, instance_reference, noting_volume_writes, refreshed_volume, shared_row_poll)
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_instances import get_instance, is_settled

VOLUME = Description(
    label="block storage", kind="volume", result_key="block_storage",
    info_module="iwinv.cloud.iwinv_block_storage_info",
    journal_key="block_storage.create:%s", error_advice=bs.VOLUME_ERROR_ADVICE,
    refused_create="a volume lives in its instance's zone: choose an instance in another zone or another type")


def argument_spec():
    return dict(
        name=dict(type="str"),
        id=dict(type="str"),
        type=dict(type="str", choices=["ssd", "sata"]),
        size=dict(type="int"),
        description=dict(type="str"),
        instance=dict(type="str"),
        state=dict(type="str", default="present", choices=["present", "detached", "absent"]),
    )


class BlockStorage(ClaimingResource):
    """A volume: the engine's hooks; what to do is block_storage.plan's, the sequence the engine's."""

    description = VOLUME
    before = None   # the volume as found: an attach that fails after its detach says where it was

    def __init__(self, iwinv):
        view = iwinv.instance_view()
        # A fleet's volume look-ups and waits share the volume list (off with instance_list_max_age=0).
        super().__init__(iwinv, view and KeptList("volumes", iwinv.params["api_url"], iwinv.params["access_key"],
                                                  iwinv.params["instance_list_max_age"], warn=iwinv.warn))
        self.view = view
        self.kept = None        # the volume as the kept volume list showed it: read by id before a write (refresh)
        self.instances = {}     # instance ref -> the instance it names, read once a task (plan() may run twice)

    def find(self):
        volume, self.looked_at, kept = find_volume(self.writes, self.client, self.params["id"], self.params["name"])
        self.kept = volume if kept else None
        error, warning = bs.found_problem(volume, self.params["id"], self.params["name"], self.params["state"])
        if error:
            raise IwinvError(error)
        if warning:
            self.iwinv.warn(warning)
        return volume

    def refresh(self, found):
        """The volume the kept list showed, read by id before a write (looked up afresh when renamed or gone)."""
        if found is None or found is not self.kept:
            return found
        self.kept = None
        volume, self.looked_at = refreshed_volume(self.writes, self.client, found, self.params["name"],
                                                  self.looked_at)
        return volume

    def named(self, name):
        return bs.list_block_storages(self.client, name=name)

    def instance(self, ref):
        """The instance `ref` names (InstanceView.reference), read once for the task."""
        if ref not in self.instances:
            self.instances[ref] = instance_reference(self.view, self.client, ref, with_volumes=True)
        return self.instances[ref]

    def plan(self, current):
        """The actions, with the target instance they need; fails on what the API would refuse."""
        self.before = current
        instance = bs.target_instance(current, self.params["state"], self.params["instance"],
                                      partial(get_instance, self.client),
                                      self.instance)
        kinds, warnings = bs.plan(current, self.params, instance)
        problem = "create" in kinds and bs.offered_placement_problem(self.client, self.params["type"],
                                                                     self.params["size"], instance["zone"]["id"])
        if problem:
            raise IwinvError(problem)
        return [Action(kind, instance) for kind in kinds], warnings

    def predict(self, current, actions):
        return bs.predict(current, [action.kind for action in actions], actions[0].argument if actions else None,
                          self.params["name"], self.params["type"], self.params["size"], self.params["description"])

    def send(self, action, volume):
        """One write, noted for the fleet's look-ups (a create claims its name: NameTaken makes the task look again)
        and for the instances whose volumes it changes; its waits then share the volume list."""
        instances = [action.argument and action.argument["id"], self.before and self.before["instance_id"]]
        name = volume["name"] if volume else self.params["name"]
        with self.claimed(name, action.creates), noting_volume_writes(self.view, instances):
            sent = self.send_one(action, volume)
        self.share_poll(sent["id"], partial(shared_row_poll, self.writes, self.client, VOLUMES,
                                            partial(bs.list_block_storages, self.client), sent["id"],
                                            partial(bs.get_block_storage, self.client, sent["id"])))
        return sent

    def send_one(self, action, volume):
        instance = action.argument
        if action.kind in ("create", "attach"):
            self.wait_instance(instance)
        if action.kind == "create":
            return {"id": bs.create_block_storage(self.client, instance["id"], self.params["type"], self.params["size"],
                                                  self.params["name"], self.params["description"]),
                    "name": self.params["name"]}
        if action.kind == "attach":
            bs.attach_block_storage(self.client, volume["id"], instance["id"])
        elif action.kind == "detach":
            bs.detach_block_storage(self.client, volume["id"])
        else:
            bs.delete_block_storage(self.client, volume["id"])
        return volume

    def wait_instance(self, instance):
        """The API refuses to create or attach a volume on a busy instance: wait for it to settle."""
        if is_settled(instance):
            return
        what = "instance '%s' (%s)" % (instance["name"], instance["id"])
        read = partial(get_instance, self.client, instance["id"])
        if self.run_state.wait(read, is_settled, what + " to settle") is None:
            raise IwinvError("%s was deleted while waiting for it" % what)

    def new_ones(self, action):
        return bs.new_volumes(self.client, self.params["name"], action.argument["id"])

    def created(self, action):
        return "volume named '%s' on instance %s" % (self.params["name"], action.argument["id"])

    def read(self, volume):
        return self.polled(volume["id"], partial(bs.get_block_storage, self.client, volume["id"]))

    def took_effect(self, action, volume):
        return bs.took_effect(action.kind, volume, action.argument)

    def settled(self, volume):
        return bs.is_settled(volume)

    def done(self, action, volume):
        return bs.write_done(action.kind, volume)

    def failed(self, action, volume):
        return bs.gone_or_failed(volume)

    def label(self, volume):
        return "block storage '%s' (%s)" % (volume.get("name") or self.params["name"] or volume["id"], volume["id"])

    def doing(self, action, volume):
        return bs.doing(action.kind, volume and self.label(volume), action.argument, self.params["name"])

    def error_note(self, action, obj):
        return bs.error_note(action.kind, self.before)


def main():
    iwinv = IwinvModule(argument_spec=argument_spec(), with_wait=True, required_one_of=[("id", "name")],
                        references=("instance",))
    problem = bs.option_problem(iwinv.params)
    if problem:
        iwinv.fail(problem)
    iwinv.run(partial(run_claiming, Engine(iwinv, BlockStorage(iwinv))))


if __name__ == "__main__":
    main()
