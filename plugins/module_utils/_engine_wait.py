# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one waiter: polls until an asynchronous operation settles, within a deadline in seconds.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import time

from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError

FIRST_INTERVAL = 1.0
MAX_INTERVAL = 10.0
GROWTH = 2.0


class WaitError(IwinvError):
    """Base of the waiter's failures; `last` is the last object read (None when gone)."""

    def __init__(self, message, last=None):
        super().__init__(message)
        self.message = message
        self.last = last


class WaitTimeoutError(WaitError):
    pass


class WaitFailedError(WaitError):
    pass


def describe_status(obj):
    if obj is None:
        return "gone"
    return str(obj.get("status") or "unknown")


def wait_until(read, is_done, is_failed=None, timeout=600, what="resource", clock=time.monotonic, sleep=time.sleep,
               first_interval=FIRST_INTERVAL, max_interval=MAX_INTERVAL, status_of=describe_status, pause=None):
    """Poll `read()` until `is_done(obj)`; return that object.

    Callers wait right after a write, or after reading a busy object, so the first read comes after the
    first interval: reading at once would only spend a request. The interval starts near one second and
    doubles up to `max_interval`, so a short operation is seen soon and a long one costs few requests.
    Never sleeps past the deadline; reads once more at it. `pause(interval)`, when given, says how long to sleep
    for an interval (see instance_view.aligned_pause).
    """
    started = clock()
    deadline = started + timeout
    interval = first_interval
    while True:
        sleep(min(pause(interval) if pause else interval, max(deadline - clock(), 0)))
        interval = min(interval * GROWTH, max_interval)
        obj = read()
        if is_done(obj):
            return obj
        waited = clock() - started
        if is_failed is not None and is_failed(obj):
            raise WaitFailedError("%s failed: its status is '%s' (after %d s of waiting)"
                                  % (what, status_of(obj), waited), obj)
        if deadline - clock() <= 0:
            raise WaitTimeoutError("timed out after %d s waiting for %s: its last status was '%s' (wait_timeout=%s)"
                                   % (waited, what, status_of(obj), timeout), obj)
