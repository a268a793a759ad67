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
  - A write whose answer was lost (a server error, a dropped connection, O(api_timeout)) is never sent again; it
    is judged by its effect. A create is looked for by name on the instance for up to a minute within
    O(wait_timeout) (the API may execute it late) and adopted; when it does not show, the task fails saying the
    outcome is unknown, and notes it on the controller (a journal kept 15 minutes) so that a rerun adopts it when it
    appears and never creates a second one meanwhile.
  - A failure after a write reports C(changed=true) and the volume as far as it is known.
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

import contextlib

from ansible_collections.iwinv.cloud.plugins.module_utils import block_storage as bs
from ansible_collections.iwinv.cloud.plugins.module_utils.client import IwinvAmbiguousWriteError, IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils.common import IwinvModule, result_with_diff
from ansible_collections.iwinv.cloud.plugins.module_utils.instance_view import (
    VOLUMES,
    KeptList,
    aligned_pause,
    find_volume,
    instance_reference,
    noting_volume_writes,
    run_claimed,
    shared_row_poll,
)
from ansible_collections.iwinv.cloud.plugins.module_utils.instances import get_instance, is_settled
from ansible_collections.iwinv.cloud.plugins.module_utils.lookup import only_new
from ansible_collections.iwinv.cloud.plugins.module_utils.task_run import (
    LATE_WRITE_WINDOW,
    create_unknown_advice,
    refused_create_advice,
    rerun_advice,
)


PAST = {"create": "created", "detach": "detached", "attach": "attached", "delete": "deleted"}
RERUN_ADVICE = rerun_advice("volume")
CREATE_KEY = "block_storage.create:%s"   # the journal's note of a create whose outcome stayed unknown
CREATE_UNKNOWN_ADVICE = create_unknown_advice("iwinv.cloud.iwinv_block_storage_info", "volume")
REFUSED_CREATE_ADVICE = refused_create_advice("volume", "a volume lives in its instance's zone: choose an instance in "
                                                        "another zone or another type")


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


def option_problem(params):
    """What is wrong with the options on their own (before any request), or None."""
    if params["size"] is not None and params["size"] <= 0:
        return "size must be a positive number of GB, got %s" % params["size"]
    if params["name"] is not None and not 1 <= len(params["name"]) <= 64:
        return "name must be 1 to 64 characters long, got %d" % len(params["name"])
    if params["description"] is not None and len(params["description"]) > 255:
        return "description must be at most 255 characters long, got %d" % len(params["description"])
    return None


def gone_or_failed(volume):
    """Checked after is_done: a volume that vanished while it was not meant to is a failure."""
    return volume is None or bs.is_failed(volume)


class BlockStorage:
    """One run: find the volume -> settle what is in progress -> judge and plan -> act (or predict) -> wait -> report."""

    def __init__(self, iwinv):
        self.iwinv = iwinv
        self.client = iwinv.client
        self.params = iwinv.params
        self.run_state = iwinv.task_run("block_storage")
        self.view = iwinv.instance_view()
        # The waits of a fleet share each read of the volume list (off with instance_list_max_age=0).
        self.volumes = self.view and KeptList("volumes", self.params["api_url"], self.params["access_key"],
                                              self.params["instance_list_max_age"], warn=iwinv.warn)
        self.volume_name = None
        self.looked_at = None

    def run(self):
        name = self.params["name"]
        if self.volumes is None or self.params["id"] or not name:
            return self.run_once()
        return run_claimed(self.run_state, self.volumes, name, self.run_once, "block storage '%s'" % name)

    def run_once(self):
        before = self.settle(self.earlier_create(self.find()))
        self.volume_name = before["name"] if before else self.params["name"]
        current, instance, actions, warnings = self.plan(before)
        for warning in warnings + self.error_warning(current):
            self.iwinv.warn(warning)
        after = bs.predict(current, actions, instance, self.params["name"], self.params["type"], self.params["size"],
                           self.params["description"])
        if actions and not self.iwinv.check_mode:
            after = self.apply(current, instance, actions)
        return result_with_diff(bool(actions), "block_storage", before, after)

    # --- find, settle, judge ------------------------------------------------------------------------------

    def find(self):
        volume, self.looked_at = find_volume(self.volumes, self.client, self.params["id"], self.params["name"])
        if volume is None and self.params["id"] and self.params["state"] != "absent":
            raise ValueError("no block storage has the id '%s'; to create a volume, give name (and no id): the API "
                             "assigns ids" % self.params["id"])
        if volume is not None and self.params["name"] and volume["name"] != self.params["name"]:
            self.iwinv.warn("block storage %s is named '%s', not '%s': the API cannot rename a volume"
                            % (volume["id"], volume["name"], self.params["name"]))
        return volume

    def earlier_create(self, found):
        """An earlier task's create of this name whose outcome stayed unknown: what it made, once it shows."""
        if self.params["id"]:
            return found
        name = self.params["name"]
        appeared = self.run_state.settle_earlier_create(
            CREATE_KEY % name, lambda: bs.list_block_storages(self.client, name=name), "block storage '%s'" % name,
            found is not None)
        return only_new(appeared, "block storage '%s'" % name) if appeared else found

    def settle(self, volume):
        """A volume busy with an operation is waited for before anything is judged (the API refuses to act on it,
        and its size, type and zone may belong to a volume on its way out)."""
        if volume is None or bs.is_settled(volume):
            return volume
        if volume["status"] == "deleting" and self.params["state"] == "absent" and not self.params["wait"]:
            return volume
        self.volume_name = volume["name"]
        settled = self.wait_volume(volume["id"], "to end its operation in progress", bs.is_settled, None)
        if settled is None and self.params["id"] and self.params["state"] != "absent":
            raise ValueError("%s was deleted while its operation in progress was waited for; a volume named by id is "
                             "never created again" % self.label(volume["id"]))
        return settled

    def error_warning(self, volume):
        if volume is None or not bs.is_failed(volume) or self.params["state"] == "absent":
            return []
        return ["%s is in status 'error' (its last operation failed) and the API cannot repair it: delete it "
                "(state=absent) and create it again" % self.label(volume["id"])]

    def plan(self, current):
        """(current, the target instance or None, the actions, warnings); fails on what the API would refuse."""
        instance = self.target_instance(current)
        actions, warnings = bs.decide(current, self.params["state"], instance["id"] if instance else None,
                                      self.params["type"], self.params["size"], self.params["description"])
        if "create" in actions:
            self.check_create(instance)
        if "attach" in actions:
            self.check_problem(bs.attach_problem(current, instance))
        return current, instance, actions, warnings

    def target_instance(self, current):
        """The instance the options name, read only when the decision needs it."""
        ref = self.params["instance"]
        needed = ref and (self.params["state"] == "present" or current is None and self.params["state"] == "detached")
        if not needed:
            return None
        attached_to = bs.settled_instance_id(current)
        if ref == attached_to:
            return {"id": attached_to}
        if attached_to:
            # A name that the current instance carries costs one request, not a detail and a list.
            attached = get_instance(self.client, attached_to)
            if attached is not None and attached["name"] == ref:
                return attached
        return instance_reference(self.view, self.client, ref, with_volumes=True)

    def check_create(self, instance):
        self.check_problem(bs.offered_placement_problem(self.client, self.params["type"], self.params["size"],
                                                        instance["zone"]["id"]))
        self.check_problem(bs.attach_problem(None, instance))

    def check_problem(self, problem):
        if problem:
            raise ValueError(problem)

    # --- act and wait -------------------------------------------------------------------------------------

    def apply(self, current, instance, actions):
        """Do the actions in order; each one settles before the next (the API refuses to act on a busy volume)."""
        steps = {"create": self.create, "detach": self.detach, "attach": self.attach, "delete": self.delete}
        volume_id = current["id"] if current else None
        volume = current
        with self.noted(current, actions), \
                noting_volume_writes(self.view, [instance and instance["id"], current and current["instance_id"]]):
            for number, action in enumerate(actions, start=1):
                volume_id = steps[action](volume_id, instance, current)
                self.run_state.wrote(volume if volume is not None else {"id": volume_id, "name": self.params["name"]})
                volume = self.settle_write(volume_id, action, last=number == len(actions))
                self.run_state.wrote(volume)
        return volume

    def noted(self, current, actions):
        """The fleet's volume look-ups see this write; a create claims its name (NameTaken: look again)."""
        if self.volumes is None:
            return contextlib.nullcontext()
        name = current["name"] if current else self.params["name"]
        return self.volumes.claimed(name, self.looked_at if "create" in actions else None)

    def create(self, volume_id, instance, current):
        self.wait_instance(instance)
        doing = "creating block storage '%s' on instance '%s' (%s)" % (self.params["name"], instance["name"], instance["id"])
        try:
            try:
                return bs.create_block_storage(self.client, instance["id"], self.params["type"], self.params["size"],
                                               self.params["name"], self.params["description"])
            except IwinvAmbiguousWriteError as exc:
                return self.adopt_created(instance, exc)
        except IwinvApiError as exc:
            raise bs.explain_volume_error(exc, doing)

    def adopt_created(self, instance, error):
        """A create whose answer was lost (or late): the one new volume of the name on the instance, looked for while
        it may land."""
        name = self.params["name"]
        where = "volume named '%s' on instance %s" % (name, instance["id"])
        created = self.run_state.reconcile(
            error, lambda: bs.new_volumes(self.client, name, instance["id"]), bool, "a new " + where,
            window=LATE_WRITE_WINDOW, known={"id": None, "name": name, "status": "unknown"}, advice=CREATE_UNKNOWN_ADVICE,
            journal_key=CREATE_KEY % name, refused_advice=REFUSED_CREATE_ADVICE)
        return only_new(created, where)["id"]

    def detach(self, volume_id, instance, current):
        self.write(volume_id, "detaching %s" % self.label(volume_id), lambda: bs.detach_block_storage(self.client, volume_id),
                   lambda volume: volume is not None and bs.settled_instance_id(volume) is None)
        return volume_id

    def attach(self, volume_id, instance, current):
        self.wait_instance(instance)
        self.write(volume_id, "attaching %s to instance '%s' (%s)" % (self.label(volume_id), instance["name"], instance["id"]),
                   lambda: bs.attach_block_storage(self.client, volume_id, instance["id"]),
                   lambda volume: volume is not None and bs.settled_instance_id(volume) == instance["id"], moved_from=current)
        return volume_id

    def delete(self, volume_id, instance, current):
        self.write(volume_id, "deleting %s" % self.label(volume_id), lambda: bs.delete_block_storage(self.client, volume_id),
                   lambda volume: volume is None or volume["status"] == "deleting")
        return volume_id

    def write(self, volume_id, doing, send, took_effect, moved_from=None):
        """Send one write; after an ambiguous failure, judge it by reading back instead of sending it again."""
        try:
            try:
                send()
            except IwinvAmbiguousWriteError as exc:
                self.run_state.reconcile(exc, lambda: bs.get_block_storage(self.client, volume_id), took_effect,
                                         "the effect of " + doing, known=moved_from, advice=RERUN_ADVICE)
        except IwinvApiError as exc:
            raise self.explain(exc, doing, moved_from)

    def explain(self, exc, doing, moved_from):
        exc = bs.explain_volume_error(exc, doing)
        if moved_from is not None and moved_from["instance_id"]:
            bs.reworded(exc, "%s; the volume was detached from instance %s first and is now attached to nothing"
                        % (exc.message, moved_from["instance_id"]))
        return exc

    def settle_write(self, volume_id, action, last):
        """Wait for a write to take effect (always when a next step needs it), else read the volume once."""
        if last and not self.params["wait"]:
            return bs.get_block_storage(self.client, volume_id)
        if action == "delete":
            return self.wait_volume(volume_id, "to be deleted", lambda volume: volume is None)
        # `error` is settled too, but it is the operation's failure, not its end: gone_or_failed reports it.
        return self.wait_volume(volume_id, "to be %s" % PAST[action],
                                lambda volume: volume is not None and bs.is_settled(volume) and not bs.is_failed(volume))

    def wait_volume(self, volume_id, what, is_done, is_failed=gone_or_failed):
        def read_one():
            return bs.get_block_storage(self.client, volume_id)
        read = read_one if self.volumes is None else shared_row_poll(
            self.volumes, self.client, VOLUMES, lambda: bs.list_block_storages(self.client), volume_id, read_one)
        return self.run_state.wait(read, is_done, "%s %s" % (self.label(volume_id), what), is_failed=is_failed,
                                   pause=aligned_pause)

    def label(self, volume_id):
        return "block storage '%s' (%s)" % (self.volume_name or volume_id, volume_id)

    def wait_instance(self, instance):
        """The API refuses to create or attach a volume on a busy instance: wait for it to settle."""
        if is_settled(instance):
            return
        settled = self.run_state.wait(lambda: get_instance(self.client, instance["id"]), is_settled,
                                      "instance '%s' (%s) to settle" % (instance["name"], instance["id"]))
        if settled is None:
            raise ValueError("instance '%s' (%s) was deleted while waiting for it" % (instance["name"], instance["id"]))


def main():
    iwinv = IwinvModule(argument_spec=argument_spec(), with_wait=True, required_one_of=[("id", "name")],
                        references=("instance",))
    problem = option_problem(iwinv.params)
    if problem:
        iwinv.fail(problem)
    iwinv.run(BlockStorage(iwinv).run)


if __name__ == "__main__":
    main()
