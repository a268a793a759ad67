# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The catalog and the account: zones, flavors, images, SSH keys, user scripts (bills are in _resource_bills.py).

API calls and the translation of API rows into the collection's vocabulary. The info modules and
the name resolution of the resource modules use the same functions.

A row holds only the fields the collection knows; whatever else the API sends is dropped.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvApiError, is_path_safe_id
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError, resolve
from ansible_collections.iwinv.cloud.plugins.module_utils._state_catalog_cache import cached_resolve


def translated(row, **api_fields):
    """The fields of an API row under the collection's names, in this order: name=api_field, ..."""
    return {name: row.get(api_field) for name, api_field in api_fields.items()}


# --- zones -----------------------------------------------------------------------------------------

def zone_from_api(row):
    return dict(translated(row, id="zone_id", name="zone_name", status="status"),
                features=list(row.get("content") or []))


def list_zones(client):
    """Every zone the API offers (the zone list is not paginated)."""
    return [zone_from_api(row) for row in client.get("/v1/zones")]


def resolve_zone(client, ref):
    """The zone whose id, or else whose name, is `ref` (the zone list may come from the catalog cache)."""
    return cached_resolve(client, "zones", lambda: list_zones(client), ref, "zone")


# --- shared helpers --------------------------------------------------------------------------------

def _in_zone(ref_error, zone_id):
    """A resolution error that says which zone was searched."""
    if zone_id is None:
        return ref_error
    return ResolveError("%s (in zone %s)" % (ref_error, zone_id))


def _exact_name(rows, name):
    """The API's `name` filters match substrings; the collection's mean the exact name."""
    if name is None:
        return rows
    return [row for row in rows if row["name"] == name]


def _get_one(client, path, from_api, row_id):
    """The row with this id under `path`, in the collection's vocabulary, or None."""
    row = client.get_detail(path, row_id)
    return from_api(row) if row else None


def _resolve_in_zone(client, kind, list_in_zone, ref, zone_id):
    """The `kind` of zone `zone_id` whose id, or else whose name, is `ref` (one list request, or the catalog cache)."""
    try:
        return cached_resolve(client, "%ss?zone_id=%s" % (kind, zone_id), lambda: list_in_zone(client, zone=zone_id),
                              ref, kind)
    except ResolveError as exc:
        raise _in_zone(exc, zone_id) from None


def filters_query(**filters):
    """The query of a list request: the filters that are set."""
    return {key: value for key, value in filters.items() if value is not None}


# --- flavors ---------------------------------------------------------------------------------------

def _krw_price(price, period, fallback_key):
    """The VAT-exclusive KRW price for `period` ("month" or "hour") from the API's price object."""
    price = price or {}
    entries = [entry for entry in price.values() if isinstance(entry, dict)]
    chosen = next((entry for entry in entries if entry.get("type") == period), price.get(fallback_key) or {})
    return (chosen.get("KRW") or {}).get("price")


def flavor_from_api(row):
    spec = row.get("spec") or {}
    price = row.get("price")
    return {
        "id": row.get("flavor_id"),
        "name": row.get("name"),
        "type": spec.get("type"),
        "vcpu": spec.get("vcpu"),
        "memory": spec.get("memory"),
        "disk": spec.get("disk"),
        "gpu": spec.get("gpu"),
        "zones": list(row.get("zone") or []),
        # None: the API does not say which images the flavor takes (only a third-party dashboard shows the field);
        # the API then decides at create, rebuild or resize (UNAVAILABLE_COMBINATION).
        "images": list(row.get("supporting_images") or []) if "supporting_images" in row else None,
        "price_monthly": _krw_price(price, "month", "full"),
        "price_hourly": _krw_price(price, "hour", "partial"),
    }


def list_flavors(client, zone=None, image=None):
    """Every flavor (all pages), narrowed by zone id and by an image id the flavor must support."""
    rows = client.paginate("/v1/flavors", query=filters_query(zone_id=zone, image_id=image))
    return [flavor_from_api(row) for row in rows]


def get_flavor(client, flavor_id):
    """The flavor with this id, or None."""
    return _get_one(client, "/v1/flavors", flavor_from_api, flavor_id)


def resolve_flavor(client, ref, zone_id):
    """The flavor of zone `zone_id` whose id, or else whose name, is `ref` (one list request, or the catalog cache)."""
    return _resolve_in_zone(client, "flavor", list_flavors, ref, zone_id)


def _within(value, low, high):
    value = value or 0
    return (low is None or value >= low) and (high is None or value <= high)


def flavor_matches(flavor, zone=None, image=None, min_vcpu=None, max_vcpu=None, min_memory=None, max_memory=None):
    """Whether a flavor row passes the filters of iwinv_flavor_info (bounds inclusive, memory in GB)."""
    return ((zone is None or zone in flavor["zones"])
            and (image is None or flavor["images"] is None or image in flavor["images"])
            and _within(flavor["vcpu"], min_vcpu, max_vcpu)
            and _within(flavor["memory"], min_memory, max_memory))


# --- images ----------------------------------------------------------------------------------------

def image_from_api(row):
    image = translated(row, id="image_id", name="name")
    image.update(translated(row.get("os") or {}, os="os_type", version="version", os_type="type"))
    image.update(translated(row, type="image_type", visibility="visibility"), zones=list(row.get("zone") or []))
    image.update(translated(row, min_disk="min_disk", min_ram="min_ram", status="status"))
    return image


def list_images(client, zone=None, os=None, name=None):
    """Every image (all pages), narrowed by zone id, OS family (e.g. ubuntu) and exact name."""
    try:
        rows = client.paginate("/v1/images", query=filters_query(zone_id=zone, os=os, name=name))
    except IwinvApiError as exc:
        if os is not None and exc.error_code == "CHECK_PARAM_ENUM":   # the API's message may be Korean
            exc.message = "os '%s' is not an OS family the API knows (such as ubuntu, rocky, debian, windows): %s" % (
                os, exc.message)
        raise
    return _exact_name([image_from_api(row) for row in rows], name)


def get_image(client, image_id):
    """The image with this id, or None."""
    return _get_one(client, "/v1/images", image_from_api, image_id)


def resolve_image(client, ref, zone_id):
    """The image of zone `zone_id` whose id, or else whose exact name, is `ref` (one list request, or the cache)."""
    return _resolve_in_zone(client, "image", list_images, ref, zone_id)


def image_matches(image, zone=None, os=None, name=None):
    """Whether an image row passes the filters of iwinv_image_info."""
    return ((zone is None or zone in image["zones"])
            and (os is None or image["os"] == os)
            and (name is None or image["name"] == name))


# --- SSH keys and user scripts ---------------------------------------------------------------------

def ssh_key_from_api(row):
    return {"id": row.get("ssh_key_id"), "name": row.get("name"), "created_at": row.get("start_date")}


def list_ssh_keys(client, name=None):
    """Every SSH key of the account (all pages), or those with this exact name."""
    rows = client.paginate("/v1/auth/ssh_key", query=filters_query(name=name))
    return _exact_name([ssh_key_from_api(row) for row in rows], name)


def resolve_ssh_keys(client, refs):
    """The ids of the SSH keys named by id or name in `refs`, each once: one list request for them all."""
    if not refs:
        return []
    keys = list_ssh_keys(client)
    ids = []
    for ref in refs:
        key_id = resolve(keys, ref, "SSH key")["id"]
        if key_id not in ids:   # a key named twice (by id and by name) is still one key
            ids.append(key_id)
    return ids


def user_script_from_api(row):
    script = {"id": row.get("user_script_id"), "name": row.get("name"), "created_at": row.get("created_at")}
    if "content" in row:
        script["content"] = row["content"]
    return script


# LIVE: GET /v1/instance/script answered 404 for the tested account, so names cannot be resolved there.
USER_SCRIPT_LIST_MISSING = ("this account's API does not serve the user-script list (GET /v1/instance/script answered "
                            "404), so user scripts cannot be listed or found by name: give iwinv_instance the script's "
                            "id, as the iwinv console shows it (an id is sent as given)")


def list_user_scripts(client, name=None):
    """Every user script of the account (all pages), or those with this exact name."""
    try:
        rows = client.paginate("/v1/instance/script", query=filters_query(name=name))
    except IwinvApiError as exc:
        if is_list_missing(exc):
            exc.message = "%s; %s" % (USER_SCRIPT_LIST_MISSING, exc.message)
            exc.args = (exc.message,)
        raise
    return _exact_name([user_script_from_api(row) for row in rows], name)


def is_list_missing(exc):
    return exc.status == 404 or exc.error_code == "NOT_FOUND"


def resolve_user_script(client, ref):
    """The user script whose id, or else whose name, is `ref` (one list request).

    When the account's API does not serve the list (LIVE), a `ref` with an id's format is taken as the id, sent as
    given and marked `unverified` (the API refuses an unknown id at create); anything else fails saying so.
    """
    try:
        return resolve(list_user_scripts(client), ref, "user script")
    except IwinvApiError as exc:
        if not is_list_missing(exc) or not is_path_safe_id(ref):
            raise
    return {"id": ref, "name": None, "unverified": True}


def explain_unverified_user_script(exc, script):
    """An ID_INVALID at create, when the user script was sent unverified: it is most likely that reference."""
    if script and script.get("unverified") and exc.error_code == "ID_INVALID":
        exc.message = ("%s; user_script '%s' was sent as an id without a check (%s)"
                       % (exc.message, script["id"], USER_SCRIPT_LIST_MISSING))
        exc.args = (exc.message,)
    return exc
