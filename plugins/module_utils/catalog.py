# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The catalog and the account: zones, flavors, images, SSH keys, user scripts, bills.

API calls and the translation of API rows into the collection's vocabulary. The info modules and
the name resolution of the resource modules use the same functions.
"""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils.lookup import resolve


def zone_from_api(row):
    return {
        "id": row.get("zone_id"),
        "name": row.get("zone_name"),
        "status": row.get("status"),
        "features": list(row.get("content") or []),
    }


def list_zones(client):
    """Every zone the API offers (the zone list is not paginated)."""
    return [zone_from_api(row) for row in client.get("/v1/zones")]


def resolve_zone(client, ref):
    """The zone whose id, or else whose name, is `ref`."""
    return resolve(list_zones(client), ref, "zone")
