# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instances: API calls, the translation of API rows into the collection's vocabulary, statuses.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

from urllib.parse import quote_plus

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_catalog as catalog
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    IwinvAmbiguousWriteError,
    IwinvApiError,
    api_path,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError, resolve

INSTANCES_PATH = "/v1/instances"

# The `fields` bits (REFERENCE.md 2.4) of what the collection reads: never default_account (128) or vnc (16384).
FIELD_BITS = {
    "instance_id": 1, "name": 2, "description": 4, "status": 8, "start_date": 32, "ip": 256,
    "zone": 512, "flavor": 1024, "image": 2048, "block_storage": 8192,
}
READ_FIELDS = sum(FIELD_BITS.values())
SECRET_FIELD_BITS = 128 | 16384

STABLE_STATUSES = frozenset(["active", "off", "error"])
FAILED_STATUSES = frozenset(["error"])
# The statuses the list endpoint can filter on; others are filtered here.
LIST_STATUS_FILTERS = frozenset(["pending", "active", "error", "work", "off"])


def is_transitional(status):
    """Any status that is not stable: an unknown status is transitional too (waited for, never acted on)."""
    return status not in STABLE_STATUSES


def _addresses(ip_rows):
    """The first public and private IPv4 addresses of an instance ('' when absent)."""
    public = private = ""
    for entry in ip_rows or []:
        if not public and isinstance(entry.get("public"), dict):
            public = entry["public"].get("address") or ""
        if not private and isinstance(entry.get("private"), dict):
            private = entry["private"].get("address") or ""
    return public, private


def _volume_ids(volumes):
    ids = []
    for volume in volumes or []:
        ids.append(volume.get("block_storage_id") or volume.get("volume_id") if isinstance(volume, dict) else volume)
    return [volume_id for volume_id in ids if volume_id]


def instance_from_api(row):
    """An API instance row as the `instance` return value (no secrets, whatever the row holds)."""
    zone = row.get("zone") or {}
    flavor = row.get("flavor") or {}
    image = row.get("image") or {}
    os_info = image.get("os") or {}
    public, private = _addresses(row.get("ip"))
    return {
        "id": row.get("instance_id"),
        "name": row.get("name"),
        "description": row.get("description") or "",
        "status": row.get("status"),
        "zone": {"id": zone.get("zone_id"), "name": zone.get("name")},
        "flavor": {"id": flavor.get("flavor_id"), "name": flavor.get("name")},
        "image": {"id": image.get("image_id"), "os": os_info.get("os_type") or os_info.get("name"),
                  "version": os_info.get("version")},
        "public_ipv4": public,
        "private_ipv4": private,
        "block_storages": _volume_ids(row.get("block_storage")),
        "created_at": row.get("start_date"),
    }


def get_instance(client, instance_id):
    """The instance with this id, or None when the API says it does not exist (400 ID_INVALID or 200 [])."""
    row = client.get_detail(INSTANCES_PATH, instance_id, query={"fields": READ_FIELDS})
    return instance_from_api(row) if row else None


def list_instances(client, zone=None, name=None, status=None, fields=READ_FIELDS):
    """Every instance (all pages), narrowed by zone id, exact name and status.

    The API's `name` filter may match substrings, so the exact match is made here.
    """
    query = {"fields": fields}
    if zone:
        query["zone_id"] = zone
    if name:
        query["name"] = name
    if status in LIST_STATUS_FILTERS:
        query["status"] = status
    instances = [instance_from_api(row) for row in client.paginate(INSTANCES_PATH, query=query)]
    if name:
        instances = [instance for instance in instances if instance["name"] == name]
    if status:
        instances = [instance for instance in instances if instance["status"] == status]
    return instances


def first_page_of_instances(client):
    """The instances of the list's first page (one request): maybe not all of them, but each as it is now."""
    return [instance_from_api(row) for row in client.first_page(INSTANCES_PATH, query={"fields": READ_FIELDS})]


def in_zone(instance, zone):
    """Whether the instance is in the zone given by id or by name (the instance carries both: no look-up)."""
    return zone in (instance["zone"]["id"], instance["zone"]["name"])


def named_instances(client, name, zone=None):
    """The instances with exactly this name, narrowed to a zone (id or name) when one is given."""
    return [instance for instance in list_instances(client, name=name) if zone is None or in_zone(instance, zone)]


def only_instance(instances, name):
    """The one instance of a name lookup, or None; several are an error that lists their ids."""
    if len(instances) > 1:
        raise ResolveError("the instance name '%s' matches %d instances (ids: %s); use id to choose one "
                           "(the zone does not pick among instances of one name)"
                           % (name, len(instances), ", ".join(instance["id"] for instance in instances)))
    return instances[0] if instances else None


def find_instance(client, instance_id=None, name=None, zone=None):
    """The instance named by id (wins) or by name within an optional zone (id or name); None when there is none.

    A name that matches several instances is an error that lists their ids.
    """
    if instance_id:
        return get_instance(client, instance_id)
    return only_instance(named_instances(client, name, zone), name)


def resolve_instance(client, ref):
    """The instance whose id, or else whose exact name, is `ref` (one request when it is an id)."""
    instance = get_instance(client, ref)
    if instance is not None:
        return instance
    return resolve(list_instances(client, name=ref), ref, "instance")


# --- writes ---------------------------------------------------------------------------------------

def instance_path(instance_id, action=None):
    return api_path(INSTANCES_PATH, instance_id, *([action] if action else []))


def _encoded(text):
    """Instance names and descriptions travel URL-encoded inside the multipart form (the API decodes them)."""
    return quote_plus(text)


def created_from_api(row):
    """A row of the create answer: the new instance's id, name and status, and its default account (a secret)."""
    account = row.get("default_account") or {}
    return {
        "id": row.get("instance_id"),
        "name": row.get("name"),
        "status": row.get("status"),
        "default_account": {"username": account.get("username"), "password": account.get("password")},
    }


def create_instance(client, name, zone_id, flavor_id, image_id, description=None, ssh_key_ids=None,
                    user_script_id=None, volumes=()):
    """Create one instance (count=1 always), with `volumes` ({name, size}) created and attached to it.
    Returns created_from_api of the answer.

    Raises IwinvAmbiguousWriteError when the answer was lost or names no id: read back (new_instances), never resend.
    """
    form = {"zone_id": zone_id, "flavor_id": flavor_id, "image_id": image_id, "name": _encoded(name), "count": 1}
    if description:
        form["description"] = _encoded(description)
    if ssh_key_ids:
        form["ssh_key_id"] = ",".join(ssh_key_ids)
    if user_script_id:
        form["user_script_id"] = user_script_id
    form.update(volume_fields(volumes))
    rows = client.post(INSTANCES_PATH, form=form)
    if len(rows) != 1 or not isinstance(rows[0], dict) or not rows[0].get("instance_id"):
        # Accepted, but which instance it made is unknown: as ambiguous as a lost answer (never resent).
        raise IwinvAmbiguousWriteError("POST %s: the answer does not give the one created instance's id"
                                       % INSTANCES_PATH, status=202, method="POST", path=INSTANCES_PATH)
    return created_from_api(rows[0])


def volume_fields(volumes):
    """The create's fields of the volumes made with the instance: block_storage.N.size and .name, N from 0 (D2).
    The deprecated .type is never sent: they get the API's default type. A volume name is sent as it is (D3)."""
    fields = {}
    for index, volume in enumerate(volumes):
        fields["block_storage.%d.size" % index] = volume["size"]
        fields["block_storage.%d.name" % index] = volume["name"]
    return fields


def new_instances(client, name, zone_id, ids_before):
    """The instances named `name` in the zone that were not there before a create (reading back a lost answer)."""
    return [instance for instance in named_instances(client, name, zone_id) if instance["id"] not in ids_before]


def edit_instance(client, instance_id, name=None, description=None):
    """Rename and/or change the description in place; returns the updated instance."""
    form = {}
    if name is not None:
        form["name"] = _encoded(name)
    if description is not None:
        form["description"] = _encoded(description)
    rows = client.put(instance_path(instance_id), form=form, query={"fields": READ_FIELDS})
    return instance_from_api(rows[0]) if rows else get_instance(client, instance_id)


def delete_instance(client, instance_id):
    client.delete(instance_path(instance_id))


def start_instance(client, instance_id):
    client.post(instance_path(instance_id, "start"))


def shutdown_instance(client, instance_id):
    client.post(instance_path(instance_id, "shutdown"))


def reboot_instance(client, instance_id):
    client.post(instance_path(instance_id, "reboot"))


def rebuild_instance(client, instance_id, image_id):
    client.post(instance_path(instance_id, "rebuild"), form={"image_id": image_id})


def resize_instance(client, instance_id, flavor_id):
    client.post(instance_path(instance_id, "resize"), form={"flavor_id": flavor_id})


POWER_OPERATIONS = {"start": start_instance, "shutdown": shutdown_instance, "reboot": reboot_instance}


def send_operation(client, instance_id, kind, argument=None):
    """Send one operation (an action of _resource_instance_plan.py) on an existing instance.

    An edit answers the instance.
    """
    if kind == "edit":
        return edit_instance(client, instance_id, **argument)
    if kind == "resize":
        return resize_instance(client, instance_id, argument["id"])
    if kind == "rebuild":
        return rebuild_instance(client, instance_id, argument["id"])
    if kind == "delete":
        return delete_instance(client, instance_id)
    return POWER_OPERATIONS[kind](client, instance_id)


# --- the actions of a plan (_resource_instance_plan.py), with the API's refusals in words -----------------------------

def create_from_refs(client, name, description, refs):
    """Create the instance a plan wants from its resolved references (zone, flavor, image, ssh_key_ids,
    user_script, volumes); returns created_from_api of the answer. A lost answer raises IwinvAmbiguousWriteError."""
    zone_id, flavor_id, image_id = refs["zone"]["id"], refs["flavor"]["id"], refs["image"]["id"]
    script = refs["user_script"]
    try:
        return create_instance(client, name, zone_id, flavor_id, image_id, description=description,
                               ssh_key_ids=refs["ssh_key_ids"], user_script_id=script["id"] if script else None,
                               volumes=refs.get("volumes") or ())
    except IwinvAmbiguousWriteError:
        raise
    except IwinvApiError as exc:
        catalog.explain_unverified_user_script(exc, script)
        raise explain_combination(exc, zone_id, flavor_id, image_id) from None


def send_action(client, instance, action):
    """Send one action (kind, argument) to an existing instance; returns the instance to follow (an edit's answer).

    A lost answer raises IwinvAmbiguousWriteError (judged by its effect, never resent)."""
    kind, argument = action
    try:
        answer = send_operation(client, instance["id"], kind, argument)
    except IwinvAmbiguousWriteError:
        raise
    except IwinvApiError as exc:
        if kind not in ("resize", "rebuild"):
            raise
        raise explain_combination(exc, *combination_of(instance, action)) from None
    return answer if kind == "edit" else instance


def explain_combination(exc, zone_id, flavor_id, image_id):
    """The API's UNAVAILABLE_COMBINATION in words that name what was combined (the flavor list may not say it)."""
    if exc.error_code == "UNAVAILABLE_COMBINATION":
        exc.message = ("the API does not combine flavor %s with image %s in zone %s: choose another flavor, image or "
                       "zone (the flavor list does not say which images a flavor takes); %s"
                       % (flavor_id, image_id, zone_id, exc.message))
        exc.args = (exc.message,)
    return exc


def combination_of(instance, action):
    """The zone, flavor and image ids a resize or rebuild would combine (what explain_combination names)."""
    kind, argument = action
    flavor = argument if kind == "resize" else instance["flavor"]
    image = argument if kind == "rebuild" else instance["image"]
    return instance["zone"]["id"], flavor["id"], image["id"]


def get_console(client, instance_id):
    """The remote console of an instance: {url, type}. The url is a secret: never put it in a message."""
    rows = client.get(instance_path(instance_id, "remote-console"))
    row = rows[0] if rows else {}
    return {"url": row.get("link"), "type": row.get("type")}


# --- waiting ---------------------------------------------------------------------------------------

def describe(instance):
    """How messages name an instance: its name and id."""
    return "instance '%s' (%s)" % (instance.get("name"), instance.get("id"))


def is_settled(instance):
    """Gone, or in a stable status (an instance found in `error` is settled: it is stable)."""
    return instance is None or not is_transitional(instance["status"])


def has_status(instance, status):
    """Whether the instance exists and is in `status`."""
    return instance is not None and instance["status"] == status


def has_failed_or_gone(instance):
    """While waiting for an operation to end: `error`, or vanishing, is its failure (no use waiting on)."""
    return instance is None or instance["status"] in FAILED_STATUSES
