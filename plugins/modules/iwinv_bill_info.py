#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_bill_info
short_description: Show the charges and bills of an iwinv account
version_added: 1.0.0
description:
  - Returns the charges of the current month so far (RV(live)) and the account's monthly bills (RV(bills)).
  - Every page of the API's bill list is read, whatever page size the API allows.
  - Bills are returned as amounts and dates; how a bill was paid (card or account details) and invoice links
    are left out.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  id:
    description:
      - Return only the bill with this id, with its line items. An unknown id gives an empty list.
      - Some accounts' API refuses every bill's detail with C(CHECK_IP) while the bill list works with the same key.
        The bill then comes from the bill list (its amounts and dates, no RV(bills[].lines)), with a warning; the
        task fails only when the list has no bill with this id either.
      - Mutually exclusive with O(start_date) and O(end_date).
    type: str
  start_date:
    description:
      - Return only the bills issued on or after this day, as V(YYYY-MM-DD).
      - A period without bills gives an empty list.
    type: str
  end_date:
    description:
      - Return only the bills issued on or before this day, as V(YYYY-MM-DD).
    type: str
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: This month's charges so far, and every bill
  iwinv.cloud.iwinv_bill_info:
  register: billing

- name: Show what this month costs so far
  ansible.builtin.debug:
    msg: "{{ billing.live.price }} {{ billing.live.currency }} since {{ billing.live.start_date }}"

- name: The bills issued in 2026
  iwinv.cloud.iwinv_bill_info:
    start_date: "2026-01-01"
    end_date: "2026-12-31"
  register: billing_2026

- name: One bill with its line items
  iwinv.cloud.iwinv_bill_info:
    id: BILL-202608-0001
  register: bill
"""

RETURN = r"""
live:
  description: The charges of the current month so far, VAT excluded; null if the API has none.
  returned: always
  type: dict
  contains:
    id:
      description: The live bill's id (always the same).
      type: str
      sample: BILL-live
    start_date:
      description: The first day counted.
      type: str
      sample: "2026-09-01"
    end_date:
      description: The last day counted.
      type: str
      sample: "2026-09-19"
    price:
      description: The amount so far, VAT excluded.
      type: int
      sample: 12345
    currency:
      description: The currency of the amount.
      type: str
      sample: KRW
bills:
  description: The bills that pass the filters, in the order the API lists them.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The bill id.
      type: str
      sample: BILL-202608-0001
    name:
      description: The bill's title.
      type: str
      sample: 2026-07 usage
    type:
      description: The kind of bill as the API reports it.
      type: str
      sample: regular
    status:
      description: The payment status as the API reports it.
      type: str
      sample: paid
    usage_start:
      description: The first day of the usage billed.
      type: str
      sample: "2026-07-01"
    usage_end:
      description: The last day of the usage billed.
      type: str
      sample: "2026-07-31"
    bill_date:
      description: The day the bill was issued (what O(start_date) and O(end_date) filter on).
      type: str
      sample: "2026-08-01"
    paid_date:
      description: The day the bill was paid, or null.
      type: str
      sample: "2026-08-05"
    price:
      description: The amount, VAT excluded.
      type: int
      sample: 30000
    vat:
      description: The VAT.
      type: int
      sample: 3000
    total:
      description: The amount to pay, VAT included.
      type: int
      sample: 33000
    currency:
      description: The currency of the amounts.
      type: str
      sample: KRW
    lines:
      description:
        - The bill's lines, from every group of the bill's detail (the API nests them as C(groups[].items)), in order.
        - Each line is C(group) (the name of its group), C(name), C(price) (VAT excluded) and C(vat).
      returned: with O(id), when the API sends them (not when the bill came from the list)
      type: list
      elements: dict
      sample: [{"group": "Server", "name": "Compute", "price": 25000, "vat": 2500},
               {"group": "Storage", "name": "Block storage", "price": 5000, "vat": 500}]
"""

import datetime
import re

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_bills import get_bill, list_bills, live_bill

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_date(value):
    """Whether `value` is a real date written YYYY-MM-DD."""
    try:
        return DATE.match(value) is not None and datetime.date.fromisoformat(value) is not None
    except ValueError:
        return False


def check_dates(start_date, end_date):
    """A message for dates the API would refuse or that cannot match anything, or None."""
    for name, value in (("start_date", start_date), ("end_date", end_date)):
        if value is not None and not is_date(value):
            return "%s must be a date written YYYY-MM-DD, got '%s'" % (name, value)
    if start_date and end_date and start_date > end_date:
        return "start_date (%s) must not be after end_date (%s)" % (start_date, end_date)
    return None


def bills_with_id(client, bill_id, warn):
    """[the bill] from its detail, [] for an unknown id; when the API refuses the detail with CHECK_IP (LIVE: every
    detail, while the list worked with the same key), the bill's row of the list, without its lines."""
    try:
        bill = get_bill(client, bill_id)
    except IwinvApiError as exc:
        if exc.error_code != "CHECK_IP":
            raise
        return [bill_from_list(client, bill_id, exc, warn)]
    return [bill] if bill else []


def bill_from_list(client, bill_id, refusal, warn):
    listed = [bill for bill in list_bills(client) if bill["id"] == bill_id]
    if not listed:
        refusal.message = ("%s; the bill list, which the API does serve, has no bill with the id '%s' either"
                           % (refusal.message, bill_id))
        refusal.args = (refusal.message,)
        raise refusal
    warn("the API refused the detail of bill %s with CHECK_IP although it serves the bill list with the same key, so "
         "the bill comes from the list: its amounts and dates, not its lines" % bill_id)
    return listed[0]


def main():
    iwinv = IwinvModule(
        argument_spec=dict(id=dict(type="str"), start_date=dict(type="str"), end_date=dict(type="str")),
        mutually_exclusive=[("id", "start_date"), ("id", "end_date")],
    )
    params = iwinv.params
    problem = check_dates(params["start_date"], params["end_date"])
    if problem:
        iwinv.fail(problem)

    def body():
        client = iwinv.client
        if params["id"] is not None:
            bills = bills_with_id(client, params["id"], iwinv.warn)
        else:
            bills = list_bills(client, start_date=params["start_date"], end_date=params["end_date"])
        return {"changed": False, "live": live_bill(client), "bills": bills}

    iwinv.run(body)


if __name__ == "__main__":
    main()
