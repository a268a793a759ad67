# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:

    DOCUMENTATION = r"""
options:
  access_key:
    description:
      - The access key of an iwinv API key, issued in the iwinv console.
      - If not set, the value of the E(IWINV_ACCESS_KEY) environment variable is used.
    type: str
    required: true
  secret_key:
    description:
      - The secret key that belongs to O(access_key). It signs every request and is never logged or returned.
      - If not set, the value of the E(IWINV_SECRET_KEY) environment variable is used.
    type: str
    required: true
  api_url:
    description:
      - The URL of the iwinv API. Point it at the emulator to test playbooks offline.
      - V(https://) and a host (and port), nothing else; V(http://) only to a loopback host (the emulator).
        Redirects are never followed. Proxies and a CA bundle come from the environment (E(HTTPS_PROXY),
        E(NO_PROXY), E(REQUESTS_CA_BUNDLE)); credentials in C(~/.netrc) are never sent.
      - If not set, the value of the E(IWINV_API_URL) environment variable is used.
    type: str
    default: https://api-kr.iwinv.kr
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate. V(false) works, with a warning.
      - If not set, the value of the E(IWINV_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  api_timeout:
    description:
      - Seconds to wait for one HTTP exchange with the API.
      - If not set, the value of the E(IWINV_API_TIMEOUT) environment variable is used.
    type: int
    default: 30
  rate_limit:
    description:
      - Requests per minute that this controller may send with O(access_key). The iwinv API allows 60.
      - Pacing is shared by every process on the controller using the same access key (Ansible's forks,
        the inventory, parallel playbooks), through a small locked file in the user's cache directory
        (C($XDG_CACHE_HOME/iwinv.cloud) or C(~/.cache/iwinv.cloud)).
      - Up to O(rate_limit) requests go out at once; then each waits until an earlier one leaves the rolling
        minute, so that no rolling minute holds more than O(rate_limit) requests (values above 1000 pace at
        1000). V(0) turns pacing off.
      - If not set, the value of the E(IWINV_RATE_LIMIT) environment variable is used.
    type: int
    default: 60
  catalog_cache_max_age:
    description:
      - Seconds for which the zone, flavor, image and volume type lists read to resolve names are kept and
        shared by every process on the controller using the same O(api_url) and O(access_key), in a small
        owner-only file in the user's cache directory (C($XDG_CACHE_HOME/iwinv.cloud) or C(~/.cache/iwinv.cloud)).
        Forks that start together wait for one read instead of each reading the lists.
      - A name not found in a kept list is looked up again in a fresh list before the task fails, so a new
        zone, flavor or image is found at once. The lists the info modules return are always read from the API.
      - The file holds the lists only, never a key. V(0) turns the cache off; values above 3600 count as 3600.
      - If not set, the value of the E(IWINV_CATALOG_CACHE_MAX_AGE) environment variable is used.
    type: int
    default: 300
  instance_list_max_age:
    description:
      - Seconds for which the list of every instance that M(iwinv.cloud.iwinv_instance) reads is kept and shared by
        every process on the controller using the same O(api_url) and O(access_key), in a small owner-only file in
        the user's cache directory. In a fleet, one read then tells every fork that its name is free, and one read
        per poll serves every fork waiting for its instance.
      - The full list is read only while at least as many tasks of the key run as the requests it takes (its
        pages), so a lone task sends no more requests than without it. An instance (or volume) found by name in a
        kept list decides that nothing needs to change as listed, and is read again by id before the task changes
        it (the change is planned from that read), and a kept list is never used for a name that a task on this
        controller is writing or wrote after the list was read, so this controller never creates a name twice.
        An instance created outside this controller (the console, another controller) within these seconds may
        be missed.
      - The file holds the rows as the collection returns them, never a key, a password or a console link. V(0)
        turns the sharing off (every task reads for itself); values above 300 count as 300.
      - If not set, the value of the E(IWINV_INSTANCE_LIST_MAX_AGE) environment variable is used.
    type: int
    default: 20
    version_added: 1.1.0
  firewall_api:
    description:
      - Which API family serves firewalls (M(iwinv.cloud.iwinv_firewall), M(iwinv.cloud.iwinv_firewall_info)); the
        other modules ignore it.
      - V(security-groups) is C(/v1/security-groups), the family seen on the live API; V(firewall) is
        C(/v1/firewall), the family of the English docs. The options and return values are the same on both.
      - V(auto) asks C(GET /v1/security-groups) (one row) and uses C(/v1/firewall) only when that answers 404
        C(NOT_FOUND); any other failure of that request fails the task as it is. The answer is kept for an hour per
        O(api_url) and O(access_key) in an owner-only file in the user's cache directory (the family's name only),
        so a fleet asks once; O(catalog_cache_max_age=0) turns that off too (every task asks).
      - Pin the family (V(security-groups) or V(firewall)) to skip the question.
      - If not set, the value of the E(IWINV_FIREWALL_API) environment variable is used.
    type: str
    choices: [auto, security-groups, firewall]
    default: auto
    version_added: 1.1.0
attributes:
  action_group:
    description: Use C(group/iwinv.cloud.iwinv) in C(module_defaults) to set the common options of every module at once.
    support: full
    membership:
      - iwinv.cloud.iwinv
requirements:
  - python >= 3.10
  - requests
notes:
  - The controller's clock must be within 5 minutes of the API server's, and the controller's public IP
    address must be in the API key's IP allowlist.
  - A failure caused by the API returns C(api_error) with C(status), C(code), C(error_code), C(message),
    C(method) and C(path); never a header, key or signature.
  - Reads are retried on rate limiting (HTTP 429), server errors and dropped connections, honouring
    C(Retry-After). A write is retried only when the API provably did not execute it (HTTP 429).
"""

    WAIT = r"""
options:
  wait:
    description:
      - Whether to wait until the operation has settled before returning.
      - With V(false) the module returns once the API has accepted the request; a later task with
        O(wait=true) and the same identity waits for it to settle.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds to wait, in all, for an operation to settle (and for a busy resource to become
        ready before acting on it).
      - Polling starts after about a second and grows to at most ten seconds between requests.
    type: int
    default: 600
"""

    # The notes of every module that writes a resource: what a lost or late answer means, and the journal.
    # (No options of its own; Ansible wants a fragment to name options or attributes.)
    WRITES = r"""
options: {}
notes:
  - A write whose answer was lost (a server error, a dropped connection, O(api_timeout)) is judged by its effect,
    read back, never by a status that held before. A creation is looked for by reading back the objects of its
    name for up to a minute within O(wait_timeout), since the API may execute it late; the one new object is
    adopted, else the task fails saying the outcome is unknown.
  - Such a creation is then noted on the controller (a journal in the collection's cache directory, kept 15
    minutes), so that a rerun, even in a new process, adopts it when it appears and never creates a second one
    meanwhile.
  - A failure after a write reports C(changed=true) and the resource as far as it is known.
"""

    # The attributes of every read-only _info module.
    INFO_MODULE = r"""
attributes:
  check_mode:
    support: full
    description: The module only reads, so it runs fully in check mode.
  diff_mode:
    support: N/A
    description: The module changes nothing, so it has nothing to diff.
"""
