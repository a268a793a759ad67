# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which firewall family an account's API serves (security-groups or firewall), asked once and remembered.

`auto` asks `GET /v1/security-groups` (the family observed live): a 404 `NOT_FOUND` there selects `/v1/firewall`
(the docs' family); any other failure is reported as it is, never taken as "the other family". The answer is kept
per (api_url, access key) in a small owner-only StateFile for at most FAMILY_MAX_AGE seconds, so that a fleet asks
once; the file holds the family's name and when it was learnt, nothing else. It is off when the catalog cache is.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import time

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_firewall_api import FAMILIES, SECURITY_GROUPS_PATH
from ansible_collections.iwinv.cloud.plugins.module_utils._state_file import StateFile

CHOICES = ("auto",) + tuple(FAMILIES)
FAMILY_MAX_AGE = 3600
FAMILY_MAX_BYTES = 4096
FUTURE_TOLERANCE = 5.0
FALLBACK = "firewall"


class FamilyMemory:
    """The family learnt for one (api_url, access key), for at most `max_age` seconds."""

    def __init__(self, api_url, access_key, max_age=FAMILY_MAX_AGE, directory=None, warn=None, clock=time.time):
        self.max_age = max_age
        self.clock = clock
        self.state = StateFile("firewall-family", api_url, access_key, directory=directory, max_bytes=FAMILY_MAX_BYTES,
                               warn=warn)

    def family(self, learn):
        """The remembered family while young enough, else `learn()`'s answer, then remembered."""
        with self.state.locked() as data:
            now = self.clock()
            if is_valid_entry(data, now, self.max_age):
                return data["family"]
            family = learn()
            data.clear()
            data.update(at=now, family=family)
            return family


def is_valid_entry(data, now, max_age):
    """Whether the file holds a family by name, learnt at a plausible time (its content is untrusted)."""
    at, family = data.get("at"), data.get("family")
    if not isinstance(family, str) or family not in FAMILIES:
        return False
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        return False
    return now - max_age < at <= now + FUTURE_TOLERANCE


def probe_family(client):
    """The family the API serves: one paced GET of the security-group list (one row)."""
    try:
        client.get(SECURITY_GROUPS_PATH, query={"page_no": 1, "page_size": 1})
    except IwinvApiError as exc:
        if exc.status == 404 and exc.error_code == "NOT_FOUND":
            return FALLBACK
        exc.message = ("%s; asked to tell which firewall API this account serves (firewall_api=auto), so the firewall "
                       "task cannot go on; set firewall_api to security-groups or firewall to skip the question"
                       % exc.message)
        exc.args = (exc.message,)
        raise
    return "security-groups"


def family_name(client, choice, memory=None):
    """The family to speak: the pinned one, or (auto) the remembered or probed one."""
    if choice != "auto":
        return choice
    if memory is None:
        return probe_family(client)
    return memory.family(lambda: probe_family(client))


def firewall_api(client, choice, memory=None):
    """The transport of the family to speak, behind the firewall vocabulary (_resource_firewall_api.py)."""
    return FAMILIES[family_name(client, choice, memory)](client)
