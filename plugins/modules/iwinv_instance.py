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
  - A write whose answer was lost (server error, dropped connection, O(api_timeout)) is judged by its effect, never
    sent twice. A creation is looked for by reading the instances of that name back, for up to a minute within
    O(wait_timeout), since the API may execute it late; the one new instance is adopted, else the task fails and
    says the outcome is unknown.
    The create is then noted on the controller (a journal in the collection's cache directory, kept 15 minutes), so
    that a rerun, even in a new process, adopts it when it appears and never creates a second one meanwhile.
  - A resize, rebuild or power operation whose answer was lost is taken only when the new flavor, the new image or
    an operation in progress shows; otherwise the task fails saying it has not happened (or not yet).
  - A failure after a write reports C(changed=true) and the instance as far as it is known.
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
attributes:
  check_mode:
    support: full
    description: Predicts the resulting instance (unknown values such as a new id are null) without any write request.
  diff_mode:
    support: full
    description: Shows the instance before and after.
seealso:
  - module: iwinv.cloud.iwinv_instance_info
  - module: iwinv.cloud.iwinv_instance_console_info
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
      description: Ids of the block storages attached to the instance.
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
import time

from ansible_collections.iwinv.cloud.plugins.module_utils import catalog, instance_plan, instances
from ansible_collections.iwinv.cloud.plugins.module_utils.client import IwinvAmbiguousWriteError
from ansible_collections.iwinv.cloud.plugins.module_utils.common import IwinvModule, result_with_diff
from ansible_collections.iwinv.cloud.plugins.module_utils.instance_plan import NameTaken
from ansible_collections.iwinv.cloud.plugins.module_utils.instance_view import NEWER, aligned_pause
from ansible_collections.iwinv.cloud.plugins.module_utils.lookup import only_new
from ansible_collections.iwinv.cloud.plugins.module_utils.task_run import (
    LATE_WRITE_WINDOW,
    create_unknown_advice,
    refused_create_advice,
    rerun_advice,
)
from ansible_collections.iwinv.cloud.plugins.module_utils.waiter import WaitFailedError

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
    state=dict(type="str", default="present", choices=["present", "absent", "started", "stopped", "restarted"]),
    return_default_account=dict(type="bool", default=False),
)

RERUN_ADVICE = rerun_advice("instance")
CREATE_KEY = "instance.create:%s"   # the journal's note of a create whose outcome stayed unknown
CREATE_UNKNOWN_ADVICE = create_unknown_advice("iwinv.cloud.iwinv_instance_info", "instance")
REFUSED_CREATE_ADVICE = refused_create_advice("instance", "choose another zone")

# How often a task looks again when other tasks of this controller keep writing the name it would create.
LOOK_AGAIN_LIMIT = 3


class InstanceTask:
    """find -> settle what is in progress -> judge and plan -> act (or predict) -> wait -> report, for one instance."""

    def __init__(self, iwinv):
        self.iwinv = iwinv
        self.client = iwinv.client
        self.params = iwinv.params
        self.run_state = iwinv.task_run("instance")
        self.view = iwinv.instance_view()
        # Waits through the shared list wake on aligned moments, so that one read serves every waiting fork.
        self.pause = aligned_pause if self.view is not None else None
        self.ids_with_name = set()
        self.looked_at = None
        self.default_account = None

    # --- find and settle -------------------------------------------------------------------------

    def find(self):
        """The instance named by id, or by name across the account: the zone never narrows identity (it is checked)."""
        params = self.params
        if params["id"]:
            instance = instances.get_instance(self.client, params["id"])
            if instance is None and params["state"] != "absent":
                raise instance_plan.unknown_id(params["id"])
            return instance
        return self.only_named(self.look_up(params["name"]))

    def only_named(self, named):
        """The one instance of the name; the ids seen are remembered, as a lost create's new one is not among them."""
        self.ids_with_name = set(instance["id"] for instance in named)
        return instances.only_instance(named, self.params["name"])

    def look_up(self, name):
        """The instances of this name, through the shared list when there is one; notes when the answer was true."""
        if self.view is None:
            self.looked_at = time.time()
            return instances.named_instances(self.client, name)
        named, self.looked_at = self.view.named(name, fresh=self.looked_at is not None)
        return named

    def earlier_create(self, found):
        """An earlier task's create of this name whose outcome stayed unknown: what it made, once it shows."""
        if self.params["id"]:
            return found
        name = self.params["name"]
        appeared = self.run_state.settle_earlier_create(
            CREATE_KEY % name, lambda: instances.named_instances(self.client, name), "instance '%s'" % name,
            found is not None)
        return self.only_named(appeared) if appeared else found

    def settle(self, instance):
        """An instance busy with an operation is waited for (within the run's budget) before anything is judged."""
        if instance is None or not instances.is_transitional(instance["status"]):
            return instance
        if instance["status"] == "deleting" and self.params["state"] == "absent" and not self.params["wait"]:
            return None
        settled = self.run_state.wait(self.reader(instance), instances.is_settled, instances.describe(instance),
                                      pause=self.pause)
        if settled is None and self.params["id"] and self.params["state"] != "absent":
            raise instance_plan.deleted_while_settling(instance)
        return settled

    def reader(self, instance):
        """What a wait reads: the shared list once it is newer than what this task saw last, else the instance."""
        if self.view is None:
            return self.fresh_reader(instance)
        seen = {"after": time.time()}

        def read():
            current, seen_at = self.view.read(instance["id"], seen["after"])
            seen["after"] = max(seen["after"], seen_at) + NEWER
            return current
        return read

    def fresh_reader(self, instance):
        """Judging a write by its effect reads the instance itself."""
        return lambda: instances.get_instance(self.client, instance["id"])

    # --- desired -------------------------------------------------------------------------------

    def desired(self, current):
        """The wanted state, resolving only the references that cannot be compared with `current` directly."""
        if current is None or self.params["state"] == "absent":
            return instance_plan.desired_state(self.params)
        zone_id = current["zone"]["id"]
        flavor = instance_plan.flavor_to_resolve(self.params["flavor"], current)
        image = instance_plan.image_to_resolve(self.params["image"], current)
        return instance_plan.desired_state(
            self.params, flavor and catalog.resolve_flavor(self.client, flavor, zone_id),
            image and catalog.resolve_image(self.client, image, zone_id))

    def creation_refs(self):
        """Zone, flavor and image (and the create-only SSH keys and user script) resolved for a create."""
        params = self.params
        instance_plan.check_create_options(params)
        zone = catalog.resolve_zone(self.client, params["zone"])
        refs = {
            "zone": zone,
            "flavor": catalog.resolve_flavor(self.client, params["flavor"], zone["id"]),
            "image": catalog.resolve_image(self.client, params["image"], zone["id"]),
            "ssh_key_ids": catalog.resolve_ssh_keys(self.client, params["ssh_keys"]),
            "user_script": None,
        }
        instance_plan.check_combination(refs["flavor"], refs["image"])
        if params["user_script"]:
            refs["user_script"] = catalog.resolve_user_script(self.client, params["user_script"])
        return refs

    # --- run -----------------------------------------------------------------------------------

    def run(self):
        """The task; when another task of this controller takes the name first, it starts over (nothing written yet)."""
        for unused in range(LOOK_AGAIN_LIMIT):
            try:
                return self.run_once()
            except NameTaken:
                self.wait_for_other_writes()
        raise instance_plan.crowded_name(self.params["name"])

    def wait_for_other_writes(self):
        """Until no other task of this controller writes the name (within wait_timeout); no API request."""
        name = self.params["name"]
        self.run_state.wait(lambda: self.view.busy(name), lambda busy: not busy,
                            "another task's write of instance '%s'" % name,
                            status_of=lambda busy: "in progress" if busy else "done")

    def run_once(self):
        before = self.settle(self.earlier_create(self.find()))
        actions, warnings = instance_plan.plan_actions(before, self.desired(before))
        instance_plan.check_catalog(before, actions, lambda flavor_id: catalog.get_flavor(self.client, flavor_id))
        for warning in warnings:
            self.iwinv.warn(warning)
        refs = self.creation_refs() if actions and instance_plan.creates(actions[0]) else None
        if self.iwinv.check_mode:
            after = instance_plan.predict(before, actions, self.params["name"], self.params["description"], refs)
        else:
            after = self.act(before, actions, refs)
        result = result_with_diff(bool(actions), "instance", before, after)
        if self.default_account is not None:
            result["default_account"] = self.default_account
        return result

    def act(self, instance, actions, refs):
        """Send the operations in order; each settles before the next (the API refuses writes on a busy instance)."""
        for index, action in enumerate(actions):
            target = instance_plan.target_status(action, instance)
            with self.noted_write(instance, action):
                instance = self.perform(instance, action, refs)
            self.run_state.wrote(instance)
            if action[0] == "edit":
                continue
            if self.params["wait"] or index < len(actions) - 1:
                instance = self.wait_for(instance, target)
            else:
                instance = self.accepted(instance, target)
            self.run_state.wrote(instance)
        return instance

    def wait_for(self, instance, target):
        """Wait until the operation ends in `target` (None: gone); `error`, or vanishing, fails at once."""
        what = instances.describe(instance)
        if target is None:
            return self.run_state.wait(self.reader(instance), lambda current: current is None, what, pause=self.pause)
        try:
            return self.run_state.wait(self.reader(instance), lambda current: instances.has_status(current, target),
                                       what, is_failed=instances.has_failed_or_gone, pause=self.pause)
        except WaitFailedError as exc:
            if exc.last is not None:
                raise
            self.run_state.resource = {}
            raise WaitFailedError("%s was deleted while waiting for it to become '%s' (by another task or person)"
                                  % (what, target)) from None

    def accepted(self, instance, target):
        """With wait=false: the instance as the API shows it now (building, work), or nothing once deletion started."""
        if target is None:
            return None
        return instances.get_instance(self.client, instance["id"])

    @contextlib.contextmanager
    def noted_write(self, instance, action):
        """Tell the shared list which names a write touches, while it is sent and once it is answered."""
        if self.view is None:
            yield
            return
        if instance_plan.creates(action):
            key = self.view.claim(self.params["name"], self.looked_at)
            if key is None:
                raise NameTaken(self.params["name"])
        else:
            key = self.view.writing(instance_plan.names_written(instance, action))
        try:
            yield
        finally:
            self.view.written(key)

    def perform(self, instance, action, refs):
        """Send one operation; returns the instance to follow (for a create, the new one)."""
        if instance_plan.creates(action):
            return self.create(refs)
        try:
            return instances.send_action(self.client, instance, action)
        except IwinvAmbiguousWriteError as exc:
            return self.reconcile(instance, action, exc)

    def reconcile(self, instance, action, error):
        """A write whose answer was lost: read back, carry on if its effect shows, never send it again."""
        what = "the %s of %s" % (action[0], instances.describe(instance))
        current = self.run_state.reconcile(
            error, self.fresh_reader(instance),
            lambda current: instance_plan.operation_taken(current, action, instance["status"]), what,
            known=instance, advice=RERUN_ADVICE)
        self.iwinv.warn("the API gave no clear answer to %s; reading it back shows the operation was taken" % what)
        return current if current is not None else instance

    def create(self, refs):
        params = self.params
        try:
            created = instances.create_from_refs(self.client, params["name"], params["description"], refs)
        except IwinvAmbiguousWriteError as error:
            return self.adopt_created(refs, error)
        if params["return_default_account"]:
            self.default_account = created["default_account"]
        return {"id": created["id"], "name": created["name"], "status": created["status"]}

    def adopt_created(self, refs, error):
        """A create whose answer was lost (or late): the one new instance of that name, looked for while it may land."""
        name, zone_id = self.params["name"], refs["zone"]["id"]
        adopted = self.run_state.reconcile(
            error, lambda: instances.new_instances(self.client, name, zone_id, self.ids_with_name), bool,
            "a new instance named '%s' in zone %s" % (name, zone_id), window=LATE_WRITE_WINDOW,
            known={"id": None, "name": name, "status": "unknown"}, advice=CREATE_UNKNOWN_ADVICE,
            journal_key=CREATE_KEY % name, refused_advice=REFUSED_CREATE_ADVICE)
        adopted = only_new(adopted, "instance '%s' in zone %s" % (name, zone_id))
        self.iwinv.warn("the API gave no clear answer to the creation of %s; reading back found it, so it was adopted"
                        % instances.describe(adopted))
        if self.params["return_default_account"]:
            self.iwinv.warn("default_account cannot be returned: the creation's answer, which carries it, was lost")
        return adopted


def main():
    iwinv = IwinvModule(argument_spec=ARGUMENT_SPEC, with_wait=True, required_one_of=[("id", "name")],
                        references=("zone", "flavor", "image", "ssh_keys", "user_script"))
    errors = instance_plan.option_errors(iwinv.params)
    if errors:
        iwinv.fail("; ".join(errors))
    iwinv.run(InstanceTask(iwinv).run)


if __name__ == "__main__":
    main()
