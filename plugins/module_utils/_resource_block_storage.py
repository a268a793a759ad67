# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Block storage: API calls, the translation of API rows into the collection's vocabulary, statuses,
and the plain functions of the plan: what to do to reach a desired state, what the volume will then be, and what
proves a write took effect.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils._state_catalog_cache import cached_use
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvAmbiguousWriteError, api_path
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import only_named

MAX_VOLUMES_PER_INSTANCE = 8
FAILED_STATUSES = frozenset(["error"])
VOLUMES_PATH = "/v1/block-storages"

# Words for the API errors of volume writes, so that a failure says what to do.
VOLUME_ERROR_ADVICE = {
    "UNAVAILABLE_COMBINATION": "the volume type is not offered in the instance's zone, or the volume and the instance "
                               "are in different zones",
    "LIMIT_EXCEEDED": "the instance already carries the most volumes it may have (%d)" % MAX_VOLUMES_PER_INSTANCE,
    "IN_USE": "the volume is attached or busy with another operation",
    "DELETED_OR_WORKING_INSTANCE": "the instance is deleted or busy with another operation; try again once it has "
                                   "settled",
    "CHECK_PARAM": "the API refused a parameter (for example a size outside the type's range)",
}


class PlanError(IwinvError, ValueError):
    """The desired state cannot be reached from the current one (the message says why and what to do).

    A ValueError too, for callers that still catch that."""


# --- statuses ---------------------------------------------------------------------------------------------

def is_transitional(status):
    """creating, attaching, detaching, deleting, and any other '-ing' status the API may invent."""
    return str(status or "").endswith("ing")


def is_failed(volume):
    return volume is not None and volume["status"] in FAILED_STATUSES


def is_settled(volume):
    """Gone, or in a status that no operation in flight will change."""
    return volume is None or not is_transitional(volume["status"])


def settled_instance_id(volume):
    """The instance the volume is (or will be, once its operation in flight ends) attached to.

    A `detaching` volume may still show its instance_id: it is on its way to nothing.
    """
    if volume is None or volume["status"] in ("detaching", "deleting"):
        return None
    return volume["instance_id"]


def status_from_api(row):
    status = row.get("status")
    if is_transitional(status) or status in FAILED_STATUSES:
        return status
    return "attached" if row.get("instance_id") else "available"


def block_storage_from_api(row):
    """An API volume row as the `block_storage` return value."""
    return {
        "id": row.get("block_storage_id"),
        "name": row.get("name"),
        "description": row.get("description") or "",
        "type": row.get("type"),
        "size": row.get("size"),
        "zone": row.get("zone_id") or row.get("zone"),
        "instance_id": row.get("instance_id") or None,
        "status": status_from_api(row),
    }


def type_from_api(row):
    return {"type": row.get("type"), "min": row.get("min"), "max": row.get("max"), "zones": row.get("zones")}


# --- API calls --------------------------------------------------------------------------------------------

def list_types(client):
    """Every block storage type with its size range and zones (None = every zone); unpaginated."""
    return [type_from_api(row) for row in client.get("/v1/block-storages/types")]


def list_block_storages(client, zone=None, name=None, volume_type=None):
    """Every volume, narrowed by zone id, exact name and type.

    The docs call the list unpaginated: it is asked as documented (no paging parameters), and a short answer
    costs one request; one that shows paging or may be a full page is read to its last page (IwinvClient.paginate),
    so a volume past the first page is never missed.
    The API's `name` filter may match substrings, so the exact match is made here.
    """
    query = {}
    if zone:
        query["zone_id"] = zone
    if name:
        query["name"] = name
    if volume_type:
        query["type"] = volume_type
    rows = client.paginate(VOLUMES_PATH, query=query, documented_unpaginated=True)
    volumes = [block_storage_from_api(row) for row in rows]
    if name:
        volumes = [volume for volume in volumes if volume["name"] == name]
    return volumes


def get_block_storage(client, volume_id):
    """The volume with this id, or None when the API says it does not exist (400 ID_INVALID or 200 [])."""
    row = client.get_detail(VOLUMES_PATH, volume_id)
    return block_storage_from_api(row) if row else None


def find_block_storage(client, volume_id=None, name=None):
    """The volume named by id (wins) or by exact name; None when there is none. One request (a paged list: one a page).

    A name that several volumes carry is an error that lists their ids.
    """
    if volume_id:
        return get_block_storage(client, volume_id)
    return only_named(list_block_storages(client, name=name), name, "block storage", plural="volumes")


def create_block_storage(client, instance_id, volume_type, size, name, description=None):
    """Create a volume named `name` attached to the instance; return its id.

    Raises IwinvAmbiguousWriteError when the answer was lost or names no id: read back (new_volumes), never resend.
    """
    form = {"instance_id": instance_id, "type": volume_type, "size": size, "name": name}
    if description:
        form["description"] = description
    rows = client.post(VOLUMES_PATH, form=form)
    if len(rows) != 1 or not isinstance(rows[0], dict) or not rows[0].get("block_storage_id"):
        raise IwinvAmbiguousWriteError("POST /v1/block-storages: the answer does not give the created volume's id",
                                       status=202, method="POST", path=VOLUMES_PATH)
    return rows[0]["block_storage_id"]


def new_volumes(client, name, instance_id, known_ids=()):
    """The volumes named `name` on the instance that are not among `known_ids` (reading back a lost create)."""
    return [volume for volume in list_block_storages(client, name=name)
            if volume["instance_id"] == instance_id and volume["id"] not in known_ids]


def attach_block_storage(client, volume_id, instance_id):
    client.post(api_path(VOLUMES_PATH, volume_id, "attach", instance_id))


def detach_block_storage(client, volume_id):
    client.post(api_path(VOLUMES_PATH, volume_id, "detach"))


def delete_block_storage(client, volume_id):
    client.delete(api_path(VOLUMES_PATH, volume_id))


# --- checks the catalog allows before any write -------------------------------------------------------------

def find_type(types, volume_type):
    for row in types:
        if row["type"] == volume_type:
            return row
    return None


def placement_problem(types, volume_type, size, zone):
    """Why a volume of this type and size cannot live in this zone (a message naming the option), or None."""
    row = find_type(types, volume_type)
    if row is None:
        return "type '%s' is not offered by the API (types: %s)" % (volume_type, ", ".join(t["type"] for t in types))
    if size is not None and row["min"] is not None and row["max"] is not None and not row["min"] <= size <= row["max"]:
        return ("size %s GB is outside the range of type '%s' (%s to %s GB)"
                % (size, volume_type, row["min"], row["max"]))
    if zone and row["zones"] is not None and zone not in row["zones"]:
        return ("type '%s' is not offered in zone %s, where the instance is (only in: %s); use type 'ssd' or an "
                "instance in %s" % (volume_type, zone, ", ".join(row["zones"]) or "no zone",
                                    " or ".join(row["zones"]) or "another zone"))
    return None


def offered_placement_problem(client, volume_type, size, zone):
    """placement_problem() on the volume types of the catalog cache; a problem seen there is checked on a fresh list."""
    def check(types):
        problem = placement_problem(types, volume_type, size, zone)
        if problem:
            raise PlanError(problem)
    try:
        cached_use(client, "volume-types", lambda: list_types(client), check, misses=(PlanError,))
    except PlanError as exc:
        return str(exc)
    return None


def attach_problem(volume, instance):
    """Why this volume cannot be attached to this instance, known before asking the API, or None."""
    if volume is not None and volume["zone"] and instance["zone"]["id"] and volume["zone"] != instance["zone"]["id"]:
        return ("the volume is in zone %s and instance '%s' is in zone %s: a volume can only be attached to an "
                "instance in its own zone" % (volume["zone"], instance["name"], instance["zone"]["id"]))
    attached = [volume_id for volume_id in instance.get("block_storages") or []
                if volume is None or volume_id != volume["id"]]
    if len(attached) >= MAX_VOLUMES_PER_INSTANCE:
        return ("instance '%s' already carries %d volumes, the most it may have; detach one first"
                % (instance["name"], len(attached)))
    return None


# --- the plan -----------------------------------------------------------------------------------------------

def plan(current, params, instance):
    """(actions, warnings) that bring `current` (a volume, or None) to what the options ask, `instance` the target
    instance they name (None when the plan needs none); fails (PlanError) on what the API would refuse."""
    actions, warnings = decide(current, params["state"], instance["id"] if instance else None, params["type"],
                               params["size"], params["description"])
    for action, volume in (("create", None), ("attach", current)):
        if action in actions:
            problem = attach_problem(volume, instance)
            if problem:
                raise PlanError(problem)
    return actions, warnings + error_warning(current, params["state"])


def instance_needed(current, state, ref):
    """Whether the plan needs the instance `ref` names: to attach to it (present), or to create on it."""
    return bool(ref) and (state == "present" or current is None and state == "detached")


def error_warning(volume, state):
    """A volume in status error is a fact a user must act on (unless it is being removed)."""
    if volume is None or not is_failed(volume) or state == "absent":
        return []
    return ["block storage '%s' (%s) is in status 'error' (its last operation failed) and the API cannot repair it: "
            "delete it (state=absent) and create it again" % (volume["name"], volume["id"])]


def write_done(action, volume):
    """Whether the operation of a write has ended: gone after a delete, else settled and not failed (`error` is
    settled too, but it is the operation's failure, not its end: gone_or_failed reports it)."""
    if action == "delete":
        return volume is None
    return volume is not None and is_settled(volume) and not is_failed(volume)


def gone_or_failed(volume):
    """Checked after write_done: a volume that vanished while it was not meant to is a failure too."""
    return volume is None or is_failed(volume)


def took_effect(action, volume, instance=None):
    """Whether `volume` read back after a lost answer to `action` shows it (never a status that held before)."""
    if action == "delete":
        return volume is None or volume["status"] == "deleting"
    if action == "detach":
        return volume is not None and settled_instance_id(volume) is None
    return volume is not None and settled_instance_id(volume) == instance["id"]


def decide(current, state, instance_id=None, volume_type=None, size=None, description=None):
    """What to do to bring `current` (a block_storage dict, or None) to the desired state.

    `instance_id` is the resolved instance option (None when omitted). Returns (actions, warnings) where
    actions is an ordered list among "create", "detach", "attach", "delete". Raises PlanError with a
    message for a request that cannot be met (the API cannot resize or retype).
    """
    if state == "absent":
        return _decide_absent(current), []
    if current is None:
        return _decide_create(state, instance_id, volume_type, size), []
    warnings = _check_immutable(current, volume_type, size, description)
    attached_to = settled_instance_id(current)
    if state == "detached":
        return (["detach"] if attached_to else []), warnings
    if instance_id is None or instance_id == attached_to:
        return [], warnings
    return (["detach", "attach"] if attached_to else ["attach"]), warnings


def _decide_absent(current):
    if current is None or current["status"] == "deleting":
        return []
    return ["detach", "delete"] if settled_instance_id(current) else ["delete"]


def _decide_create(state, instance_id, volume_type, size):
    given = (("instance", instance_id), ("type", volume_type), ("size", size))
    missing = [option for option, value in given if value is None]
    if missing:
        why = " (the API creates volumes attached to an instance)" if instance_id is None else ""
        raise PlanError("the block storage does not exist, and creating it needs %s%s" % (", ".join(missing), why))
    return ["create", "detach"] if state == "detached" else ["create"]


def _check_immutable(current, volume_type, size, description):
    if size is not None and size != current["size"]:
        raise PlanError("size is %s GB but block storage '%s' (%s) has %s GB: the API cannot resize a volume; "
                        "create a new volume with another name and copy the data, or set size to %s"
                        % (size, current["name"], current["id"], current["size"], current["size"]))
    if volume_type is not None and volume_type != current["type"]:
        raise PlanError("type is '%s' but block storage '%s' (%s) is '%s': the API cannot change a volume's type; "
                        "create a new volume with another name, or set type to '%s'"
                        % (volume_type, current["name"], current["id"], current["type"], current["type"]))
    if description is not None and description != current["description"]:
        return ["description is used only when creating a volume: block storage '%s' (%s) keeps its description '%s'"
                % (current["name"], current["id"], current["description"])]
    return []


def predict(current, actions, instance=None, name=None, volume_type=None, size=None, description=None):
    """The volume as it will be once the actions are done (check mode, and the diff's `after`)."""
    volume = dict(current) if current is not None else None
    for action in actions:
        if action == "create":
            volume = {"id": None, "name": name, "description": description or "", "type": volume_type, "size": size,
                      "zone": instance["zone"]["id"], "instance_id": instance["id"], "status": "attached"}
        elif action == "detach":
            volume.update(instance_id=None, status="available")
        elif action == "attach":
            volume.update(instance_id=instance["id"], status="attached")
        elif action == "delete":
            volume = None
    return volume


# --- the module's options, look-ups and words (iwinv_block_storage) ---------------------------------------------

def option_problem(params):
    """What is wrong with the options on their own (before any request), or None."""
    if params["size"] is not None and params["size"] <= 0:
        return "size must be a positive number of GB, got %s" % params["size"]
    if params["name"] is not None and not 1 <= len(params["name"]) <= 64:
        return "name must be 1 to 64 characters long, got %d" % len(params["name"])
    if params["description"] is not None and len(params["description"]) > 255:
        return "description must be at most 255 characters long, got %d" % len(params["description"])
    return None


def found_problem(volume, volume_id, name, state):
    """(an error, a warning) about the volume a look-up found (or not), each None when there is nothing to say."""
    if volume is None and volume_id and state != "absent":
        return ("no block storage has the id '%s'; to create a volume, give name (and no id): the API assigns ids"
                % volume_id), None
    if volume is not None and name and volume["name"] != name:
        return None, ("block storage %s is named '%s', not '%s': the API cannot rename a volume"
                      % (volume["id"], volume["name"], name))
    return None, None


def target_instance(current, state, ref, read_instance, reference):
    """The instance `ref` names, read only when the plan needs it: the one `current` is attached to when it carries
    that id or name (one request, not a detail and a list), else reference(ref)."""
    if not instance_needed(current, state, ref):
        return None
    attached_to = settled_instance_id(current)
    if ref == attached_to:
        return {"id": attached_to}
    if attached_to:
        attached = read_instance(attached_to)
        if attached is not None and attached["name"] == ref:
            return attached
    return reference(ref)


def doing(action, label, instance, name):
    """A write in words for an API error ("attaching block storage 'data' (bs-1) to instance 'web' (i-1)")."""
    if action == "create":
        return "creating block storage '%s' on instance '%s' (%s)" % (name, instance["name"], instance["id"])
    if action == "attach":
        return "attaching %s to instance '%s' (%s)" % (label, instance["name"], instance["id"])
    return "%s %s" % ("detaching" if action == "detach" else "deleting", label)


def error_note(action, before):
    """More words for an API error: an attach that fails after its detach leaves the volume attached to nothing."""
    moved_from = before["instance_id"] if before else None
    if action == "attach" and moved_from:
        return "; the volume was detached from instance %s first and is now attached to nothing" % moved_from
    return ""
