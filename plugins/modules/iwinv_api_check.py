#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_api_check
short_description: Check that the iwinv API behaves as this collection expects
version_added: 1.0.0
description:
  - Sends a small, fixed set of GET requests to the iwinv API and compares the answers with what the
    collection expects, point by point. Run it first when a task fails in a way you do not understand, and
    send its output with a bug report (see C(docs/troubleshooting.md)).
  - It only reads, and never asks for a secret (an instance's default account password or console link).
    Its result holds no key, signature, password or console link.
  - "It makes at most 10 requests: C(GET /v1/zones); C(GET /v1/flavors) twice (2 and 1000 rows a page);
    C(GET /v1/instances) (100 rows, O(ignore:fields=11): id, name and status only); C(GET /v1/block-storages);
    the detail of an instance id, an image id and a flavor id that do not exist; C(GET /v1/security-groups) (one
    row); and C(GET /v1/firewall) (one row) only when the security-group request failed. Its C(firewall_family)
    check says which firewall family answered (the firewall modules speak both, see O(firewall_api)). When the
    first request is
    refused (wrong key, clock, IP allowlist) it stops there, after 1 request."
  - Each request is sent once, without the retries other modules make, so that the answer is seen as it
    came. Pacing (O(rate_limit)) still applies.
  - A difference is not a failure of the task. To fail on one, use O(ignore:failed_when) on RV(summary).
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options: {}
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.info_module
"""

EXAMPLES = r"""
- name: Check the API contract
  iwinv.cloud.iwinv_api_check:
  register: api_check

- name: Show what differs
  ansible.builtin.debug:
    msg: "{{ api_check.checks | rejectattr('status', 'equalto', 'ok') | list }}"

- name: Fail the play when the API differs from what the collection expects
  iwinv.cloud.iwinv_api_check:
  register: api_check
  failed_when: api_check.summary.differs > 0

# From the command line, with the credentials in IWINV_ACCESS_KEY and IWINV_SECRET_KEY:
#   ansible localhost -m iwinv.cloud.iwinv_api_check
"""

RETURN = r"""
checks:
  description:
    - One entry per check, in this order - V(signature), V(clock_offset), V(envelope), V(error_envelope),
      V(page_size_echo), V(count_per_page), V(page_size_cap), V(fields_mask), V(instance_statuses),
      V(block_storage_statuses), V(unknown_instance), V(unknown_image), V(unknown_flavor), V(firewall_family),
      V(rate_limit_headers).
    - When the first request is refused or unanswered, the checks after V(clock_offset) are V(unknown) (not run).
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: What is checked.
      type: str
      sample: unknown_instance
    expected:
      description: What the collection expects (DECISIONS.md).
      type: str
      sample: HTTP 400 ID_INVALID
    observed:
      description: What the API answered, in short; never a body, a secret or a header other than rate-limit ones.
      type: str
      sample: HTTP 200 with an empty result
    status:
      description:
        - V(ok) as expected; V(differs) not as expected; V(unknown) the answer could not tell (no answer, rate
          limited, nothing in the account to look at).
        - A V(differs) whose advice starts with C(tolerated) is handled by the collection, but still worth reporting.
      type: str
      choices: [ok, differs, unknown]
      sample: differs
    advice:
      description: What to do about it; empty when the status is V(ok).
      type: str
      sample: "tolerated: the collection copes with this. Both answers mean 'does not exist'."
summary:
  description: How many checks had each status, and how many requests were sent.
  returned: always
  type: dict
  contains:
    ok:
      description: Checks as expected.
      type: int
      sample: 13
    differs:
      description: Checks not as expected.
      type: int
      sample: 2
    unknown:
      description: Checks the answers could not settle.
      type: int
      sample: 0
    requests:
      description: Requests sent (at most 10).
      type: int
      sample: 9
"""

from ansible_collections.iwinv.cloud.plugins.module_utils.api_check import run
from ansible_collections.iwinv.cloud.plugins.module_utils.common import IwinvModule


def main():
    iwinv = IwinvModule(argument_spec={})

    def body():
        checks, summary = run(iwinv.client)
        return {"changed": False, "checks": checks, "summary": summary}

    iwinv.run(body)


if __name__ == "__main__":
    main()
