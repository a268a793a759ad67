# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The journal of unresolved writes: what an earlier task of this user left unknown or in flight.

A create whose answer was lost and that reading back never showed may still land (an API that answers late).
A firewall attach or detach started with wait=false does not show in the firewall until it is done. Both
are noted here, so that a later task, even in a new process, settles them instead of creating a second
resource or judging an attachment that is about to change. Entries expire after JOURNAL_WINDOW seconds.

The journal is a StateFile ("writes", per API URL and access key): owner-only, never followed through a
symlink, bounded when read. It holds resource names and ids, never a secret. Its content is untrusted: an
entry that is not a {"at": number, ...} object is ignored.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import time

from ansible_collections.iwinv.cloud.plugins.module_utils._state_file import StateFile

JOURNAL_WINDOW = 15 * 60
MAX_ENTRIES = 200


class Journal:
    """Unresolved writes by key (such as "instance.create:web-1"), each with the epoch second it was noted."""

    def __init__(self, state, clock=time.time):
        self.state = state
        self.clock = clock

    @classmethod
    def for_account(cls, api_url, access_key, warn=None):
        return cls(StateFile("writes", api_url, access_key, warn=warn))

    @property
    def persistent(self):
        """False once the file could not be used (the journal then lives in this process only)."""
        return self.state.persistent

    def note(self, key, **details):
        with self.state.locked() as data:
            self._expire(data)
            data[key] = dict(details, at=self.clock())
            for old in sorted(data, key=lambda name: data[name]["at"])[:max(0, len(data) - MAX_ENTRIES)]:
                del data[old]

    def pending(self, prefix):
        """{key: entry} of the live entries whose key starts with `prefix`."""
        with self.state.locked() as data:
            self._expire(data)
            return dict((key, dict(entry)) for key, entry in data.items() if key.startswith(prefix))

    def forget(self, key):
        with self.state.locked() as data:
            self._expire(data)
            data.pop(key, None)

    def _expire(self, data):
        """Drop entries that are too old, or not what this module writes (the file is untrusted)."""
        now = self.clock()
        for key in list(data):
            entry = data[key]
            if not (isinstance(entry, dict) and isinstance(entry.get("at"), (int, float))
                    and now - JOURNAL_WINDOW < entry["at"] <= now + 60):
                del data[key]


def until(entry):
    """When an entry expires, for messages (UTC)."""
    return time.strftime("%H:%M:%S UTC", time.gmtime(entry["at"] + JOURNAL_WINDOW))
