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
  - "It makes at most 14 requests: C(GET /v1/zones); C(GET /v1/flavors) twice (2 and 1000 rows a page);
    C(GET /v1/instances) (100 rows, O(ignore:fields=11): id, name and status only); C(GET /v1/block-storages);
    the detail of an instance id, an image id and a flavor id that do not exist; C(GET /v1/security-groups) (one
    row); C(GET /v1/instance/script) (the user-script list, one row); C(GET /v1/bill) (one row). Then, only when an
    answer calls for it: C(GET /v1/firewall) (one row) when the security-group request failed;
    C(GET /v1/instances) again with 50 rows a page when 100 was refused with C(CHECK_PARAM); and
    C(GET /v1/bill/{id}) for the first bill of the list. Its C(firewall_family) check says which firewall family
    answered (the firewall modules speak both, see O(firewall_api)). When the first request is refused (wrong key,
    clock, IP allowlist) it stops there, after 1 request."
  - Each request is sent once, without the retries other modules make, so that the answer is seen as it
    came. Pacing (O(rate_limit)) still applies.
  - A difference is not a failure of the task. To fail on one, use O(ignore:failed_when) on RV(summary).
  - With O(record), it also writes what the API answered as a small, sanitized record, to attach to a bug report
    (see C(docs/troubleshooting.md)); the project's emulator can answer as the record says, so that the report
    becomes a test.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  record:
    description:
      - Write the sanitized record of this run (RV(record), as JSON) to this file, on the host the module runs on
        (normally the controller). Its directory must exist.
      - The file is created owner-only (mode 0600) by writing a new file beside it and renaming it into place;
        an existing symbolic link, directory or file of another user at that path is refused before any request.
      - An unchanged record leaves the file alone (V(changed=false)); a new or different one is written and
        reported as V(changed=true).
      - In check mode the requests are sent as usual (they only read), the record is returned in RV(record), and
        the file is not written; V(changed) says whether it would have been.
    type: path
    version_added: 1.1.0
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

- name: Write what the API answered, to attach to a bug report
  iwinv.cloud.iwinv_api_check:
    record: "{{ lookup('env', 'HOME') }}/iwinv-api-record.json"

# From the command line, with the credentials in IWINV_ACCESS_KEY and IWINV_SECRET_KEY:
#   ansible localhost -m iwinv.cloud.iwinv_api_check
#   ansible localhost -m iwinv.cloud.iwinv_api_check -a record=./iwinv-api-record.json
"""

RETURN = r"""
checks:
  description:
    - One entry per check, in this order - V(signature), V(clock_offset), V(envelope), V(error_envelope),
      V(page_size_echo), V(count_per_page), V(page_size_cap), V(fields_mask), V(instance_statuses),
      V(block_storage_statuses), V(unknown_instance), V(unknown_image), V(unknown_flavor), V(firewall_family),
      V(user_script_list), V(bill_detail), V(supporting_images), V(volume_paging), V(page_size_limit),
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
      description: What the collection expects of the API.
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
      description: Requests sent (at most 14).
      type: int
      sample: 12
record:
  description:
    - What the API answered, sanitized; the content of the O(record) file.
    - V(checks) maps each check's name to its V(status) (V(clock_offset) also has V(offset_seconds), to 10 s).
    - V(answers) maps each request's name to what its answer showed - V(answered), V(http_status),
      V(error_code), V(envelope) (the top-level keys and their JSON types), V(rows), V(fields) (the field names of
      the rows and their JSON types, one nested level as C(parent.child)), V(result) and V(result_fields) for an
      error's C(result), V(message) (only its kind - V(korean), V(text), V(empty)), V(paging) (C(page_no),
      C(page_size), C(count), C(total) - the type, and the number when it is a small integer), V(statuses) (the
      rows' status words) and V(rate_limit_headers) (header names).
    - It holds no id, name, amount, address, date, message, key or secret. Names and codes of an unexpected
      spelling are not kept, only counted (C((left out))).
  returned: always
  type: dict
  sample:
    format: iwinv.cloud api_check record
    version: 1
    checks: {signature: {status: ok}, clock_offset: {status: ok, offset_seconds: 0}, user_script_list: {status: ok}}
    answers:
      user_scripts: {answered: true, http_status: 404, error_code: NOT_FOUND, result: object, message: korean,
                     result_fields: {code: integer, message: string}}
      block_storages: {answered: true, http_status: 200, error_code: SUCCESS, rows: 1,
                       fields: {block_storage_id: string, name: string, size: integer, status: string},
                       statuses: [attached]}
"""

from ansible_collections.iwinv.cloud.plugins.module_utils._api_record import encode, make_record
from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule
from ansible_collections.iwinv.cloud.plugins.module_utils._module_api_check import run
from ansible_collections.iwinv.cloud.plugins.module_utils._state_file import (
    StateFileError,
    check_private_file_target,
    write_private_file,
)


def main():
    iwinv = IwinvModule(argument_spec={"record": {"type": "path"}})
    path = iwinv.params["record"]
    if path:
        writable_or_fail(iwinv, path)

    def body():
        checks, summary, answers = run(iwinv.client)
        record = make_record(checks, answers)
        changed = write_record(iwinv, path, record, checks, summary) if path else False
        return {"changed": changed, "checks": checks, "summary": summary, "record": record}

    iwinv.run(body)


def writable_or_fail(iwinv, path):
    try:
        check_private_file_target(path)
    except (OSError, StateFileError) as exc:
        iwinv.fail(cannot_write(path, exc))


def write_record(iwinv, path, record, checks, summary):
    try:
        return write_private_file(path, encode(record), check_mode=iwinv.check_mode)
    except (OSError, StateFileError) as exc:   # the checks ran: they are still returned
        iwinv.fail(cannot_write(path, exc), checks=checks, summary=summary, record=record)
    return False


def cannot_write(path, exc):
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return "cannot write the record to %s (%s): give a path to a new file or to a file of yours" % (path, reason)


if __name__ == "__main__":
    main()
