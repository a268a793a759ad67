# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A short-lived cache of the catalog (zones, flavors, images, volume types) shared by the forks of one key.

Name resolution in the resource modules reads the same catalog lists in every fork; they change rarely. The
lists are kept, already translated into the collection's rows (so nothing else the API sent is kept), in a
StateFile per (api_url, access key) for at most `max_age` seconds. A resolution that fails on cached rows reads
the API again before it fails (cached_resolve), so a zone, flavor or image added a moment ago is still found.

The lock is held while the list is read from the API: forks that start together wait for the first one's read
instead of each sending their own. Content read back is untrusted: an entry is used only if its time is
plausible and its rows are a list of objects.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import time

from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError, resolve
from ansible_collections.iwinv.cloud.plugins.module_utils._state_file import StateFile

DEFAULT_MAX_AGE = 300
MAX_AGE_CAP = 3600
CATALOG_MAX_BYTES = 2 * 1024 * 1024
# Forks wait for the fork that reads a list for them, which may itself wait for the pacer.
CATALOG_LOCK_TIMEOUT = 120.0
# A little clock disagreement between processes is tolerated; a time further ahead is not trusted.
FUTURE_TOLERANCE = 5.0
MAX_ENTRIES = 64


class CatalogCache:
    """Catalog lists of one (api_url, access key), each for at most `max_age` seconds."""

    def __init__(self, api_url, access_key, max_age=DEFAULT_MAX_AGE, directory=None, warn=None, clock=time.time):
        self.max_age = min(max_age, MAX_AGE_CAP)
        self.clock = clock
        self.state = StateFile("catalog", api_url, access_key, directory=directory, max_bytes=CATALOG_MAX_BYTES,
                               lock_timeout=CATALOG_LOCK_TIMEOUT, warn=warn)

    def rows(self, key, fetch, fresh=False):
        """(rows, cached): the rows kept under `key` while young enough, else `fetch()`'s, then kept."""
        with self.state.locked() as data:
            now = self.clock()
            drop_expired(data, now, self.max_age)
            entry = data.get(key)
            if entry is not None and not fresh:
                return entry["rows"], True
            rows = fetch()
            data[key] = {"at": now, "rows": rows}
            return rows, False


def drop_expired(data, now, max_age):
    """Remove every entry that is too old, from the future, or not shaped as written; keep at most MAX_ENTRIES."""
    for key in list(data):
        if not is_valid_entry(data[key], now, max_age):
            del data[key]
    for key in sorted(data, key=lambda k: data[k]["at"])[:max(0, len(data) - MAX_ENTRIES + 1)]:
        del data[key]


def is_valid_entry(entry, now, max_age):
    if not isinstance(entry, dict) or not isinstance(entry.get("rows"), list):
        return False
    at = entry.get("at")
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        return False
    return now - max_age < at <= now + FUTURE_TOLERANCE and all(isinstance(row, dict) for row in entry["rows"])


def catalog_rows(client, key, fetch, fresh=False):
    """(rows, cached) through the client's catalog cache, or (fetch(), False) when it has none."""
    cache = getattr(client, "catalog_cache", None)
    if cache is None:
        return fetch(), False
    return cache.rows(key, fetch, fresh=fresh)


def cached_use(client, key, fetch, use, misses=(ResolveError,)):
    """use(rows) on the cached list; when it fails (`misses`) on cached rows, on a fresh read of the API."""
    rows, cached = catalog_rows(client, key, fetch)
    try:
        return use(rows)
    except misses:
        if not cached:
            raise
    rows, unused = catalog_rows(client, key, fetch, fresh=True)
    return use(rows)


def cached_resolve(client, key, fetch, ref, kind):
    """resolve() on the cached list; a miss on cached rows reads the API again before it fails."""
    return cached_use(client, key, fetch, lambda rows: resolve(rows, ref, kind))
