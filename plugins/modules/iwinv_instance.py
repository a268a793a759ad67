#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_instance
short_description: Create, change, power and delete iwinv cloud instances
version_added: 1.0.0
description:
  - Manages the whole life of an iwinv instance, idempotently (creation, description and name changes, resizing,
    rebuilding, power state and deletion).
  - The instance is identified by O(id), or by O(name) across the whole account (O(zone) never narrows it). A name
    that matches several instances fails and lists their ids.
  - An instance that is busy with another operation (C(building), C(work), ...) is waited for, within
    O(wait_timeout), before the module acts on it.
  - A write whose answer was lost is never sent twice.
  - A resize, rebuild or power operation whose answer was lost is taken only when the new flavor, the new image or
    an operation in progress shows; otherwise the task fails saying it has not happened (or not yet).
  - Before any write, in check mode too, an image the flavor does not take and a resize to a flavor with a smaller
    disk fail.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - The id of an existing instance. When given, it identifies the instance and O(name) renames it.
      - An instance cannot be created with a chosen id; with O(state=absent) an unknown id changes nothing.
    type: str
  name:
    description:
      - The instance's name (1 to 64 characters). Identifies the instance when O(id) is not given; names are not
        unique in iwinv, so a name that matches several instances fails and lists their ids.
    type: str
  zone:
    description:
      - Zone id (such as C(KR1-Z08)) or zone name. Required to create.
      - The zone of an existing instance cannot change; a different zone fails, before any write, whether the instance
        is named by O(id) or by O(name) (another instance of the same name is never created in another zone).
    type: str
  flavor:
    description:
      - Flavor id or name (names are looked up within the zone). Required to create.
      - A different flavor on an existing instance resizes it; the instance keeps its power state.
    type: str
  image:
    description:
      - Image id or name (names are looked up within the zone). Required to create.
      - A different image on an existing instance only warns, unless O(allow_rebuild=true), which rebuilds the
        instance from that image (its disk is replaced).
    type: str
  allow_rebuild:
    description:
      - Whether a different O(image) may rebuild an existing instance. Rebuilding erases its disk.
    type: bool
    default: false
  description:
    description:
      - The instance's description (0 to 255 characters), changed in place. Omitted, it is left alone.
    type: str
  ssh_keys:
    description:
      - SSH key ids or names to install at creation.
      - Used only when the instance is created. The API cannot read them back, so they are never compared
        and changing them later does nothing.
    type: list
    elements: str
  user_script:
    description:
      - User script id or name to run at first boot.
      - Used only when the instance is created. The API cannot read it back, so it is never compared.
      - Resolved through the user-script list. Some accounts' API does not serve that list (it answers 404); then a
        value with an id's format (letters, digits, C(_), C(.) and C(-)) is sent as the id as given, and the API
        refuses an unknown id at creation; a name cannot be resolved there.
    type: str
  volumes:
    description:
      - Block storages (volumes) to create with the instance and attach to it, in the same create request.
      - Used only when the instance is created, like O(ssh_keys). They are never compared with the volumes of an
        existing instance, which ignores this option (no change, no warning); manage the volumes of an existing
        instance with M(iwinv.cloud.iwinv_block_storage).
      - The volumes get the API's default type; the API's way to choose another type at creation is
        deprecated and never used. For another type, create the volume with M(iwinv.cloud.iwinv_block_storage).
      - A name that a volume of the account has already is not created again (a warning says so), so that a name
        keeps meaning one volume; attach that volume with M(iwinv.cloud.iwinv_block_storage). Finding out costs one
        volume list read per create (shared by the tasks of a fleet).
      - The API's limits on sizes and on how many volumes an instance takes are the API's to tell; it refuses the
        whole create then, and nothing is created.
      - When the answer to the create is lost, the instance is judged as without volumes (found by name, adopted);
        the volumes are whatever the API made; check them by name with M(iwinv.cloud.iwinv_block_storage).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The volume's name (1 to 64 characters), unique within O(volumes).
        type: str
        required: true
      size:
        description:
          - The volume's size in GB (a positive integer; the API says which sizes it takes).
        type: int
        required: true
  state:
    description:
      - V(present) the instance exists; its power state is left as it is.
      - V(absent) the instance does not exist. Attached block storages are detached and kept.
      - V(started) the instance exists and runs.
      - V(stopped) the instance exists and is shut down.
      - V(restarted) reboots a running instance and starts a stopped one; always reports a change.
    type: str
    choices: [present, absent, started, stopped, restarted]
    default: present
  return_default_account:
    description:
      - When V(true) and the instance was just created, return RV(default_account) with the initial user name and
        password.
      - Ansible prints returned values in verbose output (C(-v)) and may log them; protect the output accordingly.
      - With V(false) the password is never returned, and it is never read from the API.
    type: bool
    default: false
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.WAIT
  - iwinv.cloud.iwinv.WRITES
attributes:
  check_mode:
    support: full
    description:
      - Predicts the resulting instance (unknown values such as a new id are null) without any write request.
      - The volumes of O(volumes) are not in the predicted RV(instance.block_storages), which holds ids; theirs are
        not known before the create. The volume list is read to tell which names exist already (warned).
  diff_mode:
    support: full
    description: Shows the instance before and after.
seealso:
  - module: iwinv.cloud.iwinv_instance_info
  - module: iwinv.cloud.iwinv_instance_console_info
  - module: iwinv.cloud.iwinv_block_storage
"""

EXAMPLES = r"""
- name: Create a web server (or leave it as it is)
  iwinv.cloud.iwinv_instance:
    name: web-1
    zone: KR1-Z08
    flavor: std.2c4g
    image: Ubuntu 24.04
    ssh_keys: [laptop]
    description: front web server
  register: web

- name: Create a database server with a 100 GB data volume, made in the same request
  iwinv.cloud.iwinv_instance:
    name: db-1
    zone: KR1-Z08
    flavor: std.2c4g
    image: Ubuntu 24.04
    volumes:
      - name: db-1-data
        size: 100

- name: Resize it (keeps its power state)
  iwinv.cloud.iwinv_instance:
    id: "{{ web.instance.id }}"
    flavor: 4 vCore / 8GB

- name: Rebuild it from another image (erases its disk)
  iwinv.cloud.iwinv_instance:
    id: "{{ web.instance.id }}"
    image: img-debian-12
    allow_rebuild: true

- name: Shut it down without waiting
  iwinv.cloud.iwinv_instance:
    name: web-1
    zone: KR1-Z08
    state: stopped
    wait: false

- name: Reboot it
  iwinv.cloud.iwinv_instance:
    name: web-1
    state: restarted

- name: Delete it
  iwinv.cloud.iwinv_instance:
    name: web-1
    zone: KR1-Z08
    state: absent
"""

RETURN = r"""
instance:
  description: The instance after the task (the prediction in check mode; an empty dict when absent).
  returned: always
  type: dict
  contains:
    id:
      description: The instance id (null for an instance that check mode would create).
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
      description: The image, as C(id), C(os) and C(version) (the instance object carries no image name).
      type: dict
      sample: {"id": "img-ubuntu-2404", "os": "ubuntu", "version": "24.04"}
    public_ipv4:
      description: The public IPv4 address (empty string when there is none, null when not known yet).
      type: str
      sample: 203.0.113.10
    private_ipv4:
      description: The private IPv4 address (empty string when there is none, null when not known yet).
      type: str
      sample: 10.0.3.17
    block_storages:
      description:
        - Ids of the block storages attached to the instance (after a create, those of O(volumes) once the API shows
          them attached; an empty list in check mode).
      type: list
      elements: str
      sample: ["bs-0a1b2c3d4e5f"]
    created_at:
      description: When the instance was created, as the API reports it.
      type: str
      sample: "2026-11-27 21:04:34"
default_account:
  description:
    - The initial account of a newly created instance. A secret.
  returned: when O(return_default_account=true) and the instance was created by this task (not in check mode)
  type: dict
  contains:
    username:
      description: The user name.
      type: str
      sample: root
    password:
      description: The initial password.
      type: str
      sample: S3cret-Example
"""

import contextlib
import operator
from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_catalog as catalog
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instance_plan as instance_plan
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances
from ansible_collections.iwinv.cloud.plugins.module_utils import _state_instance_list as instance_list
from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule
from ansible_collections.iwinv.cloud.plugins.module_utils._engine import Action, Description, Engine, Resource
from ansible_collections.iwinv.cloud.plugins.module_utils._engine import result_with_diff
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_block_storage import list_block_storages
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import (
    VOLUMES, KeptList, NameTaken, aligned_pause)

ARGUMENT_SPEC = dict(
    id=dict(type="str"),
    name=dict(type="str"),
    zone=dict(type="str"),
    flavor=dict(type="str"),
    image=dict(type="str"),
    allow_rebuild=dict(type="bool", default=False),
    description=dict(type="str"),
    ssh_keys=dict(type="list", elements="str", no_log=False),
    user_script=dict(type="str"),
    volumes=dict(type="list", elements="dict", options=dict(name=dict(type="str", required=True),
                                                            size=dict(type="int", required=True))),
    state=dict(type="str", default="present", choices=["present", "absent", "started", "stopped", "restarted"]),
    return_default_account=dict(type="bool", default=False),
)

# How often a task looks again when other tasks of this controller keep writing the name it would create.
LOOK_AGAIN_LIMIT = 3


class Instance(Resource):
    """An instance's hooks of the one task sequence (_engine.py); what it plans is _resource_instance_plan.py's."""

    description = Description("instance", "instance", "instance", "iwinv.cloud.iwinv_instance_info",
                              "instance.create:%s", "choose another zone")
    settled = staticmethod(instances.is_settled)
    label = staticmethod(instances.describe)
    warns_taken = True

    def __init__(self, iwinv):
        super().__init__(iwinv)
        self.view = iwinv.instance_view()
        # Waits through the shared list wake on aligned moments, so that one read serves every waiting fork.
        self.pause = aligned_pause if self.view is not None else None
        # The volume names a create writes are noted in the fleet's volume list, as iwinv_block_storage notes its own.
        self.volume_writes = self.view and KeptList(VOLUMES, iwinv.params["api_url"], iwinv.params["access_key"],
                                                    iwinv.params["instance_list_max_age"], warn=iwinv.warn)
        self.ids_with_name, self.looked_at = set(), None   # what the name look-up saw, and when
        self.kept = None   # the instance as a kept list showed it: read by id before a write (refresh)
        self.refs = self.before = self.default_account = None   # a create's references, the instance written to

    def find(self):
        """The instance named by id, or by name across the account: the zone never narrows identity (it is checked)."""
        name = self.params["name"]
        if not self.params["id"]:
            named, self.looked_at, kept = instance_list.look_up(self.view, self.client, name,
                                                                self.looked_at is not None)
            found = instances.only_instance(self.remember(named), name)
            self.kept = found if kept else None
            return found
        found = instances.get_instance(self.client, self.params["id"])
        if found is None and self.params["state"] != "absent":
            raise instance_plan.unknown_id(self.params["id"])
        return found

    def refresh(self, found):
        """The instance a kept list showed, read by id before a write (looked up afresh when renamed or gone)."""
        if found is None or found is not self.kept:
            return found
        self.kept = None
        named, self.looked_at = self.view.refreshed(found, self.params["name"], self.looked_at)
        return instances.only_instance(self.remember(named), self.params["name"])

    def name(self):
        return None if self.params["id"] else self.params["name"]

    def named(self, name):
        return self.remember(instances.named_instances(self.client, name))

    def remember(self, named):
        """The ids that carry the name now: a create whose answer is lost made the one not among them."""
        self.ids_with_name = set(instance["id"] for instance in named)
        return named

    def plan(self, current):
        desired = instance_plan.desired(self.client, self.params, current)
        actions, warnings = instance_plan.plan_actions(current, desired)
        instance_plan.check_catalog(current, actions, partial(catalog.get_flavor, self.client))
        if actions and instance_plan.creates(actions[0]):
            self.refs = instance_plan.creation_refs(self.client, self.params)
            self.refs["volumes"], taken = self.volumes_to_create()
            warnings.extend(instance_plan.taken_volume_warning(name) for name in taken)
        return [Action(*action) for action in actions], warnings

    def volumes_to_create(self):
        """(the volumes to create with the instance, the names of them that a volume has already): a volume is never
        made twice under one name (iwinv_block_storage attaches the one there is). Looked up only for a create."""
        wanted = self.params["volumes"] or []
        if not wanted:
            return [], []
        names = [volume["name"] for volume in wanted]
        taken = set(names) & self.volume_names_taken(names)
        return [volume for volume in wanted if volume["name"] not in taken], [name for name in names if name in taken]

    def volume_names_taken(self, names):
        """Which of `names` some volume has: from the fleet's shared volume list when there is one (write-aware:
        never for a name written since it was read), else from one list read."""
        if self.volume_writes is None:
            return set(volume["name"] for volume in list_block_storages(self.client))
        read = partial(list_block_storages, self.client)
        return set(name for name in names if self.volume_writes.named(name, read, VOLUMES, self.client)[0])

    def predict(self, current, actions):
        return instance_plan.predict(current, actions, self.params["name"], self.params["description"], self.refs)

    def send(self, action, obj):
        """Send one operation; returns the instance to follow (for a create, the new one)."""
        self.before = obj
        if not action.creates:
            return instances.send_action(self.client, obj, action)
        with self.noting_volumes():
            created = instances.create_from_refs(self.client, self.params["name"], self.params["description"],
                                                 self.refs)
        if self.params["return_default_account"]:
            self.default_account = created["default_account"]
        return {"id": created["id"], "name": created["name"], "status": created["status"]}

    def noting_volumes(self):
        """The names of the volumes a create makes, noted while it runs: a volume list read before it is never
        trusted for them (a later iwinv_block_storage task of this controller reads the list again)."""
        names = [volume["name"] for volume in self.refs["volumes"]]
        if self.volume_writes is None or not names:
            return contextlib.nullcontext()
        return self.volume_writes.claimed(names[0], None, names[1:])

    def noted_write(self, action, obj):
        """The shared list's note of the names a write touches (a create claims its name) until it is judged."""
        if obj is None:
            return instance_list.noted_write(self.view, [self.params["name"]], self.looked_at)
        return instance_list.noted_write(self.view, instance_plan.names_written(obj, action))

    def read(self, obj):
        return instances.get_instance(self.client, obj["id"])

    def waiting(self, obj):
        """What a wait reads: the shared list once it is newer than what this task saw last, else the instance."""
        return instance_list.ViewReader(self.view, obj["id"]) if self.view is not None else super().waiting(obj)

    def new_ones(self, action):
        return instances.new_instances(self.client, self.params["name"], self.refs["zone"]["id"], self.ids_with_name)

    def took_effect(self, action, obj):
        return instance_plan.operation_taken(obj, action, self.before["status"])

    def waits(self, action):
        return action.kind != "edit"

    def done(self, action, obj):
        target = self.awaited_status(action)
        return obj is None if target is None else instances.has_status(obj, target)

    def awaited_status(self, action):
        return instance_plan.target_status(action, self.before)

    def failed(self, action, obj):
        return action.kind != "delete" and instances.has_failed_or_gone(obj)

    def unwaited(self, action, obj):
        """With wait=false: an edit's answer, nothing once a deletion started, else the instance as it is now."""
        if not self.waits(action):
            return obj
        return None if action.kind == "delete" else self.read(obj)

    def adopted(self, obj):
        self.iwinv.warn("the API gave no clear answer to the creation of %s; reading back found it, so it was adopted"
                        % instances.describe(obj))
        if self.params["return_default_account"]:
            self.iwinv.warn("default_account cannot be returned: the creation's answer, which carries it, was lost")
        return obj

    def created(self, action):
        return "instance named '%s' in zone %s" % (self.params["name"], self.refs["zone"]["id"])

    def doing(self, action, obj):
        return instance_plan.in_words(action, instances.describe(obj) if obj else self.created(action))

    def report(self, changed, before, after):
        result = result_with_diff(changed, "instance", before, after)
        if self.default_account is not None:
            result["default_account"] = self.default_account
        return result


class InstanceEngine(Engine):
    """The engine, with what only instances need: the shared list's notes and name claims."""

    def run(self):
        """When another task of this controller takes the name first, the task starts over (nothing written yet)."""
        for unused in range(LOOK_AGAIN_LIMIT):
            try:
                return super().run()
            except NameTaken:
                self.wait_for_other_writes()
        raise instance_plan.crowded_name(self.params["name"])

    def wait_for_other_writes(self):
        """Until no other task of this controller writes the name (within wait_timeout); no API request."""
        name = self.params["name"]
        self.run_state.wait(partial(self.resource.view.busy, name), operator.not_,
                            "another task's write of instance '%s'" % name, status_of=instance_plan.busy_word)

    def write(self, action, obj):
        """A write and the judgement of a lost answer hold the shared list's note of the names it touches."""
        with self.resource.noted_write(action, obj):
            return super().write(action, obj)


def main():
    iwinv = IwinvModule(argument_spec=ARGUMENT_SPEC, with_wait=True, required_one_of=[("id", "name")],
                        references=("zone", "flavor", "image", "ssh_keys", "user_script"))
    errors = instance_plan.option_errors(iwinv.params)
    if errors:
        iwinv.fail("; ".join(errors))
    iwinv.run(InstanceEngine(iwinv, Instance(iwinv)).run)


if __name__ == "__main__":
    main()
