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

from ansible_collections.iwinv.cloud.plugins.module_utils import catalog, instances
from ansible_collections.iwinv.cloud.plugins.module_utils.client import IwinvAmbiguousWriteError, IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils.common import IwinvModule, result_with_diff
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

# The status an instance settles in after each operation (None: the instance is gone; "previous": unchanged).
# An edit is synchronous: nothing to wait for.
TARGET_STATUS = {"create": "active", "start": "active", "shutdown": "off", "reboot": "active",
                 "resize": "previous", "rebuild": "previous", "edit": "previous", "delete": None}


RERUN_ADVICE = rerun_advice("instance")
CREATE_KEY = "instance.create:%s"   # the journal's note of a create whose outcome stayed unknown
CREATE_UNKNOWN_ADVICE = create_unknown_advice("iwinv.cloud.iwinv_instance_info", "instance")
REFUSED_CREATE_ADVICE = refused_create_advice("instance", "choose another zone")


class PlanError(ValueError):
    """The desired state cannot be reached from the current one; the message says why and what to do."""


class NameTaken(Exception):
    """Another task of this controller is creating this name, or wrote it after this task looked: look again."""


# How often a task looks again when other tasks of this controller keep writing the name it would create.
LOOK_AGAIN_LIMIT = 3


def option_errors(params):
    """Messages for option values that are wrong whatever the API holds (checked before any request)."""
    errors = []
    if params["name"] is not None and not 1 <= len(params["name"]) <= 64:
        errors.append("name must be 1 to 64 characters long, got %d" % len(params["name"]))
    if params["description"] is not None and len(params["description"]) > 255:
        errors.append("description must be at most 255 characters long, got %d" % len(params["description"]))
    for option in ("id", "zone", "flavor", "image", "user_script"):
        if params[option] is not None and not params[option].strip():
            errors.append("%s must not be empty" % option)
    return errors


def power_actions(status, state):
    """The power operation that brings an instance in a stable `status` to `state` (restarted always acts)."""
    if state == "started" and status in ("off", "error"):
        return [("start", None)]
    if state == "stopped" and status in ("active", "error"):
        return [("shutdown", None)]
    if state == "restarted":
        return [("start", None)] if status == "off" else [("reboot", None)]
    return []


def plan_actions(current, desired):
    """The operations that turn `current` (an instance, or None) into `desired`, and warnings.

    `desired` holds `state`, `zone` (a ref or None), `name` (a new name or None), `description` (None: unmanaged),
    `flavor` and `image` (the resolved {id, ...} wanted, or None: unmanaged) and `allow_rebuild`.
    Returns (actions, warnings); an action is (kind, argument), in an order the API accepts.
    """
    state = desired["state"]
    if current is None:
        return ([] if state == "absent" else [("create", None)] + ([("shutdown", None)] if state == "stopped" else [])), []
    check_zone(current, desired.get("zone"))
    if state == "absent":
        return [("delete", None)], []
    actions, warnings = attribute_actions(current, desired)
    actions.extend(power_actions(current["status"], state))
    if current["status"] == "error" and state == "present":
        warnings.append("%s is in status 'error': use state=started or state=restarted to recover it"
                        % instances.describe(current))
    return actions, warnings


def check_zone(current, zone):
    if zone is not None and not instances.in_zone(current, zone):
        raise PlanError("%s is in zone %s (%s), not '%s': the zone of an instance cannot change; create a new instance "
                        "instead" % (instances.describe(current), current["zone"]["id"], current["zone"]["name"], zone))


def attribute_actions(current, desired):
    """Edit (name, description), resize (flavor) and rebuild (image, only when allowed) of an existing instance."""
    where = instances.describe(current)
    actions, warnings = [], []
    edits = dict((key, desired[key]) for key in ("name", "description")
                 if desired.get(key) is not None and desired[key] != current[key])
    if edits:
        actions.append(("edit", edits))
    flavor = desired.get("flavor")
    if flavor is not None and flavor["id"] != current["flavor"]["id"]:
        if current["status"] not in ("active", "off"):
            raise PlanError("%s cannot be resized to %s while its status is '%s': resizing works from active or off; "
                            "start or stop it first" % (where, flavor["id"], current["status"]))
        actions.append(("resize", flavor))
    image = desired.get("image")
    if image is not None and image["id"] != current["image"]["id"]:
        if desired.get("allow_rebuild"):
            actions.append(("rebuild", image))
        else:
            warnings.append("%s runs image %s, not %s: set allow_rebuild=true to rebuild it from that image (this erases "
                            "its disk)" % (where, current["image"]["id"], image["id"]))
    return actions, warnings


def predicted_instance(name, description, refs):
    """What check mode reports for an instance it would create (before its first operation settles)."""
    zone, flavor, image = refs["zone"], refs["flavor"], refs["image"]
    return {
        "id": None, "name": name, "description": description or "", "status": "building",
        "zone": {"id": zone["id"], "name": zone["name"]},
        "flavor": {"id": flavor["id"], "name": flavor["name"]},
        "image": {"id": image["id"], "os": image.get("os"), "version": image.get("version")},
        "public_ipv4": None, "private_ipv4": None, "block_storages": [], "created_at": None,
    }


def apply_action(instance, action):
    """The instance as it will be once `action` has settled (check mode's prediction); None when deleted."""
    kind, argument = action
    if kind == "delete":
        return None
    after = dict(instance)
    if kind == "edit":
        after.update(argument)
    elif kind == "resize":
        after["flavor"] = {"id": argument["id"], "name": argument["name"]}
    elif kind == "rebuild":
        after["image"] = {"id": argument["id"], "os": argument.get("os"), "version": argument.get("version")}
    target = TARGET_STATUS.get(kind)
    if target not in (None, "previous"):
        after["status"] = target
    return after


def operation_taken(current, action, before_status):
    """Whether the instance read back after an unanswered write shows the write's effect.

    `current` is the instance read back (None when gone); `before_status` its status before the write. The
    effect is the write's own (a new name, flavor or image, gone) or an operation in progress; a status that
    also held before the write proves nothing (a resize, rebuild or reboot ends where it started).
    """
    kind, argument = action
    if kind == "delete":
        return current is None or current["status"] == "deleting"
    if current is None:
        return False
    if kind == "edit":
        return all(current[key] == value for key, value in argument.items())
    if instances.is_transitional(current["status"]):
        return True
    if kind in ("resize", "rebuild"):
        field = "flavor" if kind == "resize" else "image"
        return current[field]["id"] == argument["id"]
    return current["status"] == TARGET_STATUS[kind] != before_status


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
                raise PlanError("no instance has the id '%s'; to create an instance, give name, zone, flavor and image "
                                "without id" % params["id"])
            return instance
        named = self.look_up(params["name"])
        # Remembered for a create whose answer gets lost: the new instance is the one not seen here.
        self.ids_with_name = set(instance["id"] for instance in named)
        return instances.only_instance(named, params["name"])

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
            CREATE_KEY % name, lambda: instances.named_instances(self.client, name), "instance '%s'" % name, found is not None)
        if not appeared:
            return found
        self.ids_with_name = set(instance["id"] for instance in appeared)
        return instances.only_instance(appeared, name)

    def settle(self, instance):
        """An instance busy with an operation is waited for (within the run's budget) before anything is judged."""
        if instance is None or not instances.is_transitional(instance["status"]):
            return instance
        if instance["status"] == "deleting" and self.params["state"] == "absent" and not self.params["wait"]:
            return None
        settled = self.run_state.wait(self.reader(instance), instances.is_settled, instances.describe(instance),
                                      pause=self.pause)
        if settled is None and self.params["id"] and self.params["state"] != "absent":
            raise PlanError("%s was deleted while its operation in progress was waited for; an instance named by id is "
                            "never created again" % instances.describe(instance))
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
        params = self.params
        desired = {"state": params["state"], "zone": params["zone"], "description": params["description"],
                   "allow_rebuild": params["allow_rebuild"], "name": params["name"] if params["id"] else None}
        if current is not None and params["state"] != "absent":
            desired["flavor"] = self.wanted_flavor(current)
            desired["image"] = self.wanted_image(current)
        return desired

    def wanted_flavor(self, current):
        ref = self.params["flavor"]
        if ref is None or ref in (current["flavor"]["id"], current["flavor"]["name"]):
            return None
        return catalog.resolve_flavor(self.client, ref, current["zone"]["id"])

    def wanted_image(self, current):
        ref = self.params["image"]
        if ref is None or ref == current["image"]["id"]:
            return None
        return catalog.resolve_image(self.client, ref, current["zone"]["id"])

    def creation_refs(self):
        """Zone, flavor and image (and the create-only SSH keys and user script) resolved for a create."""
        params = self.params
        missing = [option for option in ("zone", "flavor", "image") if not params[option]]
        if missing:
            raise PlanError("instance '%s' does not exist; to create it, %s %s required"
                            % (params["name"], " and ".join(missing), "is" if len(missing) == 1 else "are"))
        zone = catalog.resolve_zone(self.client, params["zone"])
        refs = {
            "zone": zone,
            "flavor": catalog.resolve_flavor(self.client, params["flavor"], zone["id"]),
            "image": catalog.resolve_image(self.client, params["image"], zone["id"]),
            "ssh_key_ids": catalog.resolve_ssh_keys(self.client, params["ssh_keys"]),
            "user_script": None,
        }
        check_combination(refs["flavor"], refs["image"])
        if params["user_script"]:
            refs["user_script"] = catalog.resolve_user_script(self.client, params["user_script"])
        return refs

    def check_catalog(self, current, actions):
        """What the API would refuse, known from the flavors' own data: refused before any write, in check mode too."""
        kinds = dict(actions)
        if "resize" not in kinds and "rebuild" not in kinds:
            return
        flavor = kinds.get("resize") or catalog.get_flavor(self.client, current["flavor"]["id"])
        check_combination(flavor, kinds.get("rebuild") or current["image"])
        if "resize" in kinds:
            check_disk(current, catalog.get_flavor(self.client, current["flavor"]["id"]), flavor)

    # --- run -----------------------------------------------------------------------------------

    def run(self):
        """The task; when another task of this controller takes the name first, it starts over (nothing written yet)."""
        for unused in range(LOOK_AGAIN_LIMIT):
            try:
                return self.run_once()
            except NameTaken:
                self.wait_for_other_writes()
        raise PlanError("instance '%s' is being created or changed by other tasks of this controller again and again; "
                        "give each task its own name" % self.params["name"])

    def wait_for_other_writes(self):
        """Until no other task of this controller writes the name (within wait_timeout); no API request."""
        name = self.params["name"]
        self.run_state.wait(lambda: self.view.busy(name), lambda busy: not busy,
                            "another task's write of instance '%s'" % name,
                            status_of=lambda busy: "in progress" if busy else "done")

    def run_once(self):
        before = self.settle(self.earlier_create(self.find()))
        desired = self.desired(before)
        actions, warnings = plan_actions(before, desired)
        self.check_catalog(before, actions)
        for warning in warnings:
            self.iwinv.warn(warning)
        refs = self.creation_refs() if actions and actions[0][0] == "create" else None
        if self.iwinv.check_mode:
            after = self.predict(before, actions, refs)
        else:
            after = self.act(before, actions, refs)
        result = result_with_diff(bool(actions), "instance", before, after)
        if self.default_account is not None:
            result["default_account"] = self.default_account
        return result

    def predict(self, before, actions, refs):
        """Check mode: the instance once every action has settled; unknown values (a new id) are null."""
        instance = before
        for action in actions:
            if action[0] == "create":
                instance = predicted_instance(self.params["name"], self.params["description"], refs)
            instance = apply_action(instance, action)
        return instance

    def act(self, instance, actions, refs):
        """Send the operations in order; each one settles before the next (the API refuses writes on a busy instance)."""
        for index, action in enumerate(actions):
            target = TARGET_STATUS[action[0]]
            if target == "previous":
                target = instance["status"]
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
        if target is None:
            return self.run_state.wait(self.reader(instance), lambda current: current is None, instances.describe(instance),
                                       pause=self.pause)
        try:
            return self.run_state.wait(self.reader(instance), lambda current: current is not None and current["status"] == target,
                                       instances.describe(instance), is_failed=instances.has_failed_or_gone, pause=self.pause)
        except WaitFailedError as exc:
            if exc.last is not None:
                raise
            self.run_state.resource = {}
            raise WaitFailedError("%s was deleted while waiting for it to become '%s' (by another task or person)"
                                  % (instances.describe(instance), target)) from None

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
        kind, argument = action
        if kind == "create":
            key = self.view.claim(self.params["name"], self.looked_at)
            if key is None:
                raise NameTaken()
        else:
            key = self.view.writing([instance["name"], argument.get("name") if kind == "edit" else None])
        try:
            yield
        finally:
            self.view.written(key)

    def perform(self, instance, action, refs):
        """Send one operation; returns the instance to follow (for a create, the new one)."""
        kind, argument = action
        if kind == "create":
            return self.create(refs)
        client, instance_id = self.client, instance["id"]
        operations = {
            "edit": lambda: instances.edit_instance(client, instance_id, **argument),
            "resize": lambda: instances.resize_instance(client, instance_id, argument["id"]),
            "rebuild": lambda: instances.rebuild_instance(client, instance_id, argument["id"]),
            "start": lambda: instances.start_instance(client, instance_id),
            "shutdown": lambda: instances.shutdown_instance(client, instance_id),
            "reboot": lambda: instances.reboot_instance(client, instance_id),
            "delete": lambda: instances.delete_instance(client, instance_id),
        }
        try:
            answer = operations[kind]()
        except IwinvAmbiguousWriteError as exc:
            return self.reconcile(instance, action, exc)
        except IwinvApiError as exc:
            if kind not in ("resize", "rebuild"):
                raise
            flavor = argument if kind == "resize" else instance["flavor"]
            image = argument if kind == "rebuild" else instance["image"]
            raise explain_combination(exc, instance["zone"]["id"], flavor["id"], image["id"]) from None
        return answer if kind == "edit" else instance

    def reconcile(self, instance, action, error):
        """A write whose answer was lost: read back, carry on if its effect shows, never send it again."""
        what = "the %s of %s" % (action[0], instances.describe(instance))
        current = self.run_state.reconcile(error, self.fresh_reader(instance),
                                           lambda current: operation_taken(current, action, instance["status"]), what,
                                           known=instance, advice=RERUN_ADVICE)
        self.iwinv.warn("the API gave no clear answer to %s; reading it back shows the operation was taken" % what)
        return current if current is not None else instance

    def create(self, refs):
        params = self.params
        try:
            created = instances.create_instance(
                self.client, params["name"], refs["zone"]["id"], refs["flavor"]["id"], refs["image"]["id"],
                description=params["description"], ssh_key_ids=refs["ssh_key_ids"],
                user_script_id=refs["user_script"]["id"] if refs["user_script"] else None)
        except IwinvAmbiguousWriteError as error:
            return self.adopt_created(refs, error)
        except IwinvApiError as exc:
            catalog.explain_unverified_user_script(exc, refs["user_script"])
            raise explain_combination(exc, refs["zone"]["id"], refs["flavor"]["id"], refs["image"]["id"]) from None
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


def check_combination(flavor, image):
    """The API refuses (UNAVAILABLE_COMBINATION) an image that the flavor does not take, when the flavor says which
    it takes; a flavor without that list (images None) leaves the decision to the API (explain_combination)."""
    if flavor["images"] is not None and image["id"] not in flavor["images"]:
        raise PlanError("flavor %s (%s) does not take image %s (it takes: %s): choose another flavor or image"
                        % (flavor["id"], flavor["name"], image["id"], ", ".join(flavor["images"]) or "none"))


def explain_combination(exc, zone_id, flavor_id, image_id):
    """The API's UNAVAILABLE_COMBINATION in words that name what was combined (the flavor list may not say it)."""
    if exc.error_code == "UNAVAILABLE_COMBINATION":
        exc.message = ("the API does not combine flavor %s with image %s in zone %s: choose another flavor, image or "
                       "zone (the flavor list does not say which images a flavor takes); %s"
                       % (flavor_id, image_id, zone_id, exc.message))
        exc.args = (exc.message,)
    return exc


def check_disk(current, flavor_now, flavor):
    """The API refuses (UNAVAILABLE_FLAVOR) a resize to a flavor with a smaller disk."""
    if flavor_now is not None and (flavor["disk"] or 0) < (flavor_now["disk"] or 0):
        raise PlanError("%s cannot be resized to %s: its disk (%s GB) is smaller than the disk of %s (%s GB), and a disk "
                        "cannot shrink; choose a flavor with at least %s GB of disk"
                        % (instances.describe(current), flavor["id"], flavor["disk"], flavor_now["id"], flavor_now["disk"],
                           flavor_now["disk"]))


def main():
    iwinv = IwinvModule(argument_spec=ARGUMENT_SPEC, with_wait=True, required_one_of=[("id", "name")],
                        references=("zone", "flavor", "image", "ssh_keys", "user_script"))
    errors = option_errors(iwinv.params)
    if errors:
        iwinv.fail("; ".join(errors))
    iwinv.run(InstanceTask(iwinv).run)


if __name__ == "__main__":
    main()
