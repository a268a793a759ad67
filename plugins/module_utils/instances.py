# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Instances: API calls, the translation of API rows into the collection's vocabulary, statuses."""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils.client import IwinvApiError, is_path_safe_id
from ansible_collections.iwinv.cloud.plugins.module_utils.lookup import ResolveError, resolve

# The `fields` bits (REFERENCE.md 2.4) of what the collection reads: never default_account (128) or vnc (16384).
FIELD_BITS = {
    "instance_id": 1, "name": 2, "description": 4, "status": 8, "start_date": 32, "ip": 256,
    "zone": 512, "flavor": 1024, "image": 2048, "block_storage": 8192,
}
READ_FIELDS = sum(FIELD_BITS.values())
SECRET_FIELD_BITS = 128 | 16384

STABLE_STATUSES = frozenset(["active", "off", "error"])
FAILED_STATUSES = frozenset(["error"])


def is_transitional(status):
    """Any status that is not stable (DECISIONS.md D2: unknown statuses are transitional too)."""
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
    if not is_path_safe_id(instance_id):
        return None
    try:
        rows = client.get("/v1/instances/%s" % instance_id, query={"fields": READ_FIELDS})
    except IwinvApiError as exc:
        if exc.not_found:
            return None
        raise
    return instance_from_api(rows[0]) if rows else None


def list_instances(client, zone=None, name=None, status=None, fields=READ_FIELDS):
    """Every instance (all pages), narrowed by zone id, exact name and status.

    The API's `name` filter may match substrings, so the exact match is made here.
    """
    query = {"fields": fields}
    if zone:
        query["zone_id"] = zone
    if name:
        query["name"] = name
    if status:
        query["status"] = status
    instances = [instance_from_api(row) for row in client.paginate("/v1/instances", query=query)]
    if name:
        instances = [instance for instance in instances if instance["name"] == name]
    return instances


def find_instance(client, instance_id=None, name=None, zone=None):
    """The instance named by id (wins) or by name within an optional zone; None when there is none.

    A name that matches several instances is an error that lists their ids.
    """
    if instance_id:
        return get_instance(client, instance_id)
    matches = list_instances(client, zone=zone, name=name)
    if len(matches) > 1:
        raise ResolveError("the instance name '%s' matches %d instances (ids: %s); use id, or zone to narrow it"
                           % (name, len(matches), ", ".join(instance["id"] for instance in matches)))
    return matches[0] if matches else None


def resolve_instance(client, ref):
    """The instance whose id, or else whose exact name, is `ref` (one request when it is an id)."""
    instance = get_instance(client, ref)
    if instance is not None:
        return instance
    return resolve(list_instances(client, name=ref), ref, "instance")
