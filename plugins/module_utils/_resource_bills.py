# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The account's bills: API calls and the translation of their rows into the collection's vocabulary.

Rows are built from the fields the collection knows, so anything else the API sends (payment instruments,
invoice links) never reaches a result.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_catalog import filters_query, translated


def live_bill_from_api(row):
    return translated(row, id="bill_id", start_date="start_date", end_date="end_date", price="price",
                      currency="currency")


def bill_item_from_api(row, group=None):
    return {"group": group, "name": row.get("name"), "price": row.get("price"), "vat": row.get("vat")}


def bill_items_from_api(row):
    """The lines of a bill's detail, found under groups[].items, each with its group's name;
    None when the row has no lines (a list row)."""
    groups = row.get("groups")
    if not isinstance(groups, list):
        return None
    return [bill_item_from_api(item, group.get("name")) for group in groups if isinstance(group, dict)
            for item in group.get("items") or [] if isinstance(item, dict)]


def bill_from_api(row):
    """A bill in the collection's vocabulary: amounts and dates, never how it was paid."""
    bill = translated(row, id="bill_id", name="name", type="type", status="payment_status",
                      usage_start="usage_start", usage_end="usage_end", bill_date="bill_date", paid_date="date_paid",
                      price="price", vat="vat", total="payment_price", currency="currency")
    # "lines", not the API's "items": bill.items in Jinja is the dict method, not the key.
    lines = bill_items_from_api(row)
    if lines is not None:
        bill["lines"] = lines
    return bill


def live_bill(client):
    """The charges of the current month so far (VAT excluded), or None if the API has none."""
    rows = client.get("/v1/bill/live")
    return live_bill_from_api(rows[0]) if rows else None


def list_bills(client, start_date=None, end_date=None):
    """Every bill (all pages) whose bill date is within the inclusive Y-m-d bounds."""
    query = filters_query(start_date=start_date, end_date=end_date)
    try:
        rows = client.paginate("/v1/bill", query=query)
    except IwinvApiError as exc:
        if exc.error_code == "EMPTY_SET":   # the API's answer to a filter that matches nothing
            return []
        raise
    return [bill_from_api(row) for row in rows]


def get_bill(client, bill_id):
    """The bill with this id, with its items, or None."""
    row = client.get_detail("/v1/bill", bill_id)
    return bill_from_api(row) if row else None
