# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instance planning, pure: the wanted state, the operations that reach it, their prediction and their proof.

An action is a pair (kind, argument), or anything that unpacks as one (engine.Action): kind one of create, edit,
resize, rebuild, start, shutdown, reboot, delete; the argument is the edited fields (edit), the wanted flavor
(resize) or image (rebuild), else None.
Nothing here sends a request except the catalog look-ups at the end (references resolved for a plan); what the
planners need from the catalog is passed in.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_catalog as catalog
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError

# The status an instance settles in after each operation (None: the instance is gone; "previous": unchanged).
# An edit is synchronous: nothing to wait for.
TARGET_STATUS = {"create": "active", "start": "active", "shutdown": "off", "reboot": "active",
                 "resize": "previous", "rebuild": "previous", "edit": "previous", "delete": None}

# Each kind of action in words, for messages ("shutting down instance 'web-1' (i-1)").
DOING = {"create": "creating", "edit": "editing", "resize": "resizing", "rebuild": "rebuilding", "start": "starting",
         "shutdown": "shutting down", "reboot": "rebooting", "delete": "deleting"}

# The operations that change what the flavor list can refuse (a flavor takes some images, a disk never shrinks).
CATALOG_CHECKED = ("resize", "rebuild")


class PlanError(IwinvError):
    """The desired state cannot be reached from the current one; the message says why and what to do."""


# --- options and the wanted state ------------------------------------------------------------------------

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
    return errors + volume_errors(params.get("volumes") or [])


def volume_errors(volumes):
    """The volumes to create with an instance: each named (1 to 64 characters, unique in the list), of a positive
    size in GB. The API's own limits (sizes, how many) are left to it."""
    errors, seen = [], set()
    for index, volume in enumerate(volumes):
        name, size = volume["name"], volume["size"]
        if not name.strip():
            errors.append("volumes[%d].name must not be empty" % index)
        elif len(name) > 64:
            errors.append("volumes[%d].name must be 1 to 64 characters long, got %d" % (index, len(name)))
        elif name in seen:
            errors.append("volumes[%d].name '%s' is given twice: each volume needs its own name" % (index, name))
        seen.add(name)
        if size <= 0:
            errors.append("volumes[%d].size must be a positive number of GB, got %d" % (index, size))
    return errors


def creates(action):
    """Whether the action is a create (a plan holds at most one, first)."""
    kind, unused = action
    return kind == "create"


def check_create_options(params):
    """A create needs zone, flavor and image: which are missing, before anything is resolved."""
    missing = [option for option in ("zone", "flavor", "image") if not params[option]]
    if missing:
        raise PlanError("instance '%s' does not exist; to create it, %s %s required"
                        % (params["name"], " and ".join(missing), "is" if len(missing) == 1 else "are"))


def taken_volume_warning(name):
    """A volume of the create's `volumes` that is not made with the instance: a volume has that name already."""
    return ("a volume named '%s' exists already: it is not created with the instance (attach it with "
            "iwinv.cloud.iwinv_block_storage)" % name)


def unknown_id(instance_id):
    """An id that names no instance, with a state that needs one: an id never creates."""
    return PlanError("no instance has the id '%s'; to create an instance, give name, zone, flavor and image "
                     "without id" % instance_id)


def flavor_to_resolve(ref, current):
    """The flavor reference that needs the catalog: None when unmanaged or when it names the current flavor."""
    return None if ref is None or ref in (current["flavor"]["id"], current["flavor"]["name"]) else ref


def image_to_resolve(ref, current):
    """The image reference that needs the catalog: None when unmanaged or when it is the current image's id."""
    return None if ref is None or ref == current["image"]["id"] else ref


def desired_state(params, flavor=None, image=None):
    """What plan_actions compares with: `flavor` and `image` resolved (None: unmanaged); a name changes by id only."""
    return {"state": params["state"], "zone": params["zone"], "description": params["description"],
            "allow_rebuild": params["allow_rebuild"], "name": params["name"] if params["id"] else None,
            "flavor": flavor, "image": image}


# --- planning --------------------------------------------------------------------------------------------

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
    Returns (actions, warnings); the actions come in an order the API accepts.
    """
    state = desired["state"]
    if current is None:
        return create_actions(state), []
    check_zone(current, desired.get("zone"))
    if state == "absent":
        # An instance being deleted (not waited for: wait=false) needs no second delete.
        return ([] if current["status"] == "deleting" else [("delete", None)]), []
    actions, warnings = attribute_actions(current, desired)
    actions.extend(power_actions(current["status"], state))
    if current["status"] == "error" and state == "present":
        warnings.append("%s is in status 'error': use state=started or state=restarted to recover it"
                        % instances.describe(current))
    return actions, warnings


def create_actions(state):
    """A missing instance: nothing for absent; else a create, then a shutdown for stopped (a create starts it)."""
    if state == "absent":
        return []
    return [("create", None)] + ([("shutdown", None)] if state == "stopped" else [])


def check_zone(current, zone):
    """The zone of an instance never changes, and never narrows which instance a name means."""
    if zone is not None and not instances.in_zone(current, zone):
        raise PlanError("%s is in zone %s (%s), not '%s': the zone of an instance cannot change; create a new "
                        "instance instead"
                        % (instances.describe(current), current["zone"]["id"], current["zone"]["name"], zone))


def attribute_actions(current, desired):
    """Edit (name, description), resize (flavor) and rebuild (image, only when allowed) of an existing instance."""
    actions, warnings = [], []
    edits = dict((key, desired[key]) for key in ("name", "description")
                 if desired.get(key) is not None and desired[key] != current[key])
    if edits:
        actions.append(("edit", edits))
    flavor = desired.get("flavor")
    if flavor is not None and flavor["id"] != current["flavor"]["id"]:
        check_resizable(current, flavor)
        actions.append(("resize", flavor))
    image = desired.get("image")
    if image is not None and image["id"] != current["image"]["id"]:
        if desired.get("allow_rebuild"):
            actions.append(("rebuild", image))
        else:
            warnings.append("%s runs image %s, not %s: set allow_rebuild=true to rebuild it from that image (this "
                            "erases its disk)" % (instances.describe(current), current["image"]["id"], image["id"]))
    return actions, warnings


def check_resizable(current, flavor):
    """A resize works from active or off only."""
    if current["status"] not in ("active", "off"):
        raise PlanError("%s cannot be resized to %s while its status is '%s': resizing works from active or off; "
                        "start or stop it first" % (instances.describe(current), flavor["id"], current["status"]))


# --- what the flavor list refuses ------------------------------------------------------------------------

def check_catalog(current, actions, flavor_of):
    """What the API would refuse, known from the flavors' own data: refused before any write, in check mode too.

    `flavor_of(flavor_id)` is the catalog's flavor row (or None); it is asked only for a resize or a rebuild.
    """
    kinds = dict(actions)
    if not any(kind in kinds for kind in CATALOG_CHECKED):
        return
    flavor_now = flavor_of(current["flavor"]["id"])
    flavor = kinds.get("resize") or flavor_now
    check_combination(flavor, kinds.get("rebuild") or current["image"])
    if "resize" in kinds:
        check_disk(current, flavor_now, flavor)


def check_combination(flavor, image):
    """The API refuses (UNAVAILABLE_COMBINATION) an image that the flavor does not take, when the flavor says which
    it takes; a flavor without that list (images None) leaves the decision to the API (instances.send_action)."""
    if flavor["images"] is not None and image["id"] not in flavor["images"]:
        raise PlanError("flavor %s (%s) does not take image %s (it takes: %s): choose another flavor or image"
                        % (flavor["id"], flavor["name"], image["id"], ", ".join(flavor["images"]) or "none"))


def check_disk(current, flavor_now, flavor):
    """The API refuses (UNAVAILABLE_FLAVOR) a resize to a flavor with a smaller disk."""
    if flavor_now is not None and (flavor["disk"] or 0) < (flavor_now["disk"] or 0):
        raise PlanError("%s cannot be resized to %s: its disk (%s GB) is smaller than the disk of %s (%s GB), and a "
                        "disk cannot shrink; choose a flavor with at least %s GB of disk"
                        % (instances.describe(current), flavor["id"], flavor["disk"], flavor_now["id"],
                           flavor_now["disk"], flavor_now["disk"]))


# --- prediction (check mode) -----------------------------------------------------------------------------

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


def predict(before, actions, name, description, refs):
    """Check mode: the instance once every action has settled; unknown values (a new id) are null."""
    instance = before
    for action in actions:
        if creates(action):
            instance = predicted_instance(name, description, refs)
        instance = apply_action(instance, action)
    return instance


# --- acting and judging ----------------------------------------------------------------------------------

def target_status(action, instance):
    """The status the instance settles in after `action` (None: gone); an unchanged one is its status now."""
    kind, unused = action
    target = TARGET_STATUS[kind]
    return instance["status"] if target == "previous" else target


def in_words(action, what):
    """The action done to `what` (an instance in words), as messages say it."""
    kind, unused = action
    return "%s %s" % (DOING[kind], what)


def busy_word(busy):
    """A wait for other tasks' writes of a name, in a word."""
    return "in progress" if busy else "done"


def names_written(instance, action):
    """The names a write to an existing instance touches: its own, and the new one of a rename."""
    kind, argument = action
    return [instance["name"], argument.get("name") if kind == "edit" else None]


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
    if kind in CATALOG_CHECKED:
        field = "flavor" if kind == "resize" else "image"
        return current[field]["id"] == argument["id"]
    return current["status"] == TARGET_STATUS[kind] != before_status


def deleted_while_settling(instance):
    """An instance named by id that vanished while its operation in progress was waited for."""
    return PlanError("%s was deleted while its operation in progress was waited for; an instance named by id is "
                     "never created again" % instances.describe(instance))


def crowded_name(name):
    """Other tasks of this controller kept taking the name this task would create."""
    return PlanError("instance '%s' is being created or changed by other tasks of this controller again and again; "
                     "give each task its own name" % name)


# --- the catalog look-ups a plan needs (the only requests of this file) ------------------------------------------

def desired(client, params, current):
    """The wanted state, resolving only the references that cannot be compared with `current` directly."""
    if current is None or params["state"] == "absent":
        return desired_state(params)
    zone_id = current["zone"]["id"]
    flavor = flavor_to_resolve(params["flavor"], current)
    image = image_to_resolve(params["image"], current)
    return desired_state(params, flavor and catalog.resolve_flavor(client, flavor, zone_id),
                         image and catalog.resolve_image(client, image, zone_id))


def creation_refs(client, params):
    """Zone, flavor and image (and the create-only SSH keys and user script) resolved for a create; the volumes to
    create with it are the caller's (refs["volumes"]: it knows which names are taken)."""
    check_create_options(params)
    zone = catalog.resolve_zone(client, params["zone"])
    refs = {"zone": zone, "flavor": catalog.resolve_flavor(client, params["flavor"], zone["id"]),
            "image": catalog.resolve_image(client, params["image"], zone["id"]),
            "ssh_key_ids": catalog.resolve_ssh_keys(client, params["ssh_keys"])}
    check_combination(refs["flavor"], refs["image"])
    refs["user_script"] = params["user_script"] and catalog.resolve_user_script(client, params["user_script"])
    return refs
