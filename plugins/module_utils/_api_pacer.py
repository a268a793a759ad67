# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cross-process pacer: every process on this controller that uses one access key stays under its rate limit.

The rule: a request goes only while fewer than the allowed count of logged bounds fall in the last minute (plus a
margin), and a bound is never below its request's arrival. The proof that arrivals then never exceed the limit in
any rolling minute is in docs/dev/internals.md ("The pacer").

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import math
import os
import time

from ansible_collections.iwinv.cloud.plugins.module_utils._state_file import StateFile

MIN_PACING_SLEEP = 0.01
MAX_PACING_SLEEP = 10.0
# The API's rolling window, and a margin for its boundary and for clock rounding.
PACING_WINDOW = 60.0
PACING_MARGIN = 0.5
# Seconds beyond the request timeout that a request may still be on its way to the API (DNS, building it).
FLIGHT_MARGIN = 10.0
# The log keeps at most this many requests, so a rate_limit above it paces at this many a minute; it fits in
# PACER_MAX_BYTES (about 40 bytes an entry).
MAX_LOGGED_REQUESTS = 1000
PACER_MAX_BYTES = 64 * 1024
TICKET_BYTES = 6
# Adaptive pacing: a 429 while this controller keeps within rate_limit means another user of the key (another
# controller). The rate is then halved, at most once per SLOWDOWN_HOLD seconds (the 429s of one burst count
# once), never below MIN_RATE_FACTOR of rate_limit, and it recovers by RECOVERY_PER_MINUTE of rate_limit per
# minute without a 429.
SLOWDOWN_FACTOR = 0.5
SLOWDOWN_HOLD = 10.0
MIN_RATE_FACTOR = 0.1
RECOVERY_PER_MINUTE = 0.1


class FilePacer:
    """Keeps every process on this controller that uses one access key under the API rate limit.

    A log of this key's recent requests in a StateFile (locked, owner-only, bounded), shared by Ansible's forks.
    Each entry is an upper bound of when its request reached the API: taking a ticket records take time + the
    longest flight (`flight`, the request timeout and a margin: a request killed on its way never answers, so
    its entry still expires); done(ticket), when the answer or a transport failure comes back, lowers it to that
    time (the server counted the request before answering).

    The rule: a request goes when fewer than `allowed` entries have a bound within the last PACING_WINDOW (+ margin),
    and a bound is never below its request's arrival. Then no rolling 60 s of arrivals holds more than `allowed`,
    whatever the delay between take and arrival (the proof: docs/dev/internals.md, "The pacer"), so the whole
    budget may go at once and one controller alone never meets a 429.
    When the file cannot be used, the log lives in this process only (StateFile warns once).
    Adaptive: `limited()` (a 429 from the API) lowers `allowed` for every process of the key, which then
    recovers slowly (SLOWDOWN_FACTOR, RECOVERY_PER_MINUTE).
    """

    def __init__(self, access_key, rate_limit, directory=None, clock=time.time, sleep=time.sleep,
                 api_url="", warn=None, flight=30 + FLIGHT_MARGIN):
        self.rate_limit = rate_limit
        self.flight = flight
        self.clock = clock
        self.sleep = sleep
        self.state = StateFile("pacer", api_url, access_key, directory=directory, max_bytes=PACER_MAX_BYTES, warn=warn)
        self.path = self.state.path

    def acquire(self):
        """Block until one request may be sent; return its ticket, for done()."""
        if self.rate_limit <= 0:
            return None
        while True:
            ticket, wait = self._try_take()
            if ticket is not None:
                return ticket
            self.sleep(wait)

    def done(self, ticket):
        """The request of `ticket` has its answer (or failed): it reached the API by now, if ever."""
        if ticket is None:
            return
        with self.state.locked() as state:
            now = self.clock()
            log = self._log(state, now)
            for entry in log:
                if entry[0] == ticket:
                    entry[1] = min(entry[1], now)
            state["log"] = log

    def _try_take(self):
        """(a ticket, _) when a request may go now, else (None, the seconds to wait)."""
        with self.state.locked() as state:
            now = self.clock()
            log = self._log(state, now)
            wait, ticket = self._wait(state, log, now), None
            if wait <= 0:
                ticket = os.urandom(TICKET_BYTES).hex()
                log.append([ticket, now + self.flight])
            state["log"] = log
        # Never a vanishing sleep (at epoch scale a tiny float does not move the clock), never a long one.
        return ticket, min(max(wait, MIN_PACING_SLEEP), MAX_PACING_SLEEP)

    def _wait(self, state, log, now):
        """Seconds until a request may go: the hold after a 429, or until enough entries left the window."""
        state["hold_until"] = bounded_number(state.get("hold_until"), now, now + PACING_WINDOW, now)  # stored bounded
        hold = state["hold_until"] - now
        bounds = sorted(bound for _ticket, bound in log)
        excess = len(bounds) - self._allowed(rate_factor(state, now))
        leaves = bounds[excess] + PACING_WINDOW + PACING_MARGIN - now if excess >= 0 else 0.0
        return max(hold, leaves)

    def _log(self, state, now):
        """The entries [ticket, bound] still in the window, bounded first (shape, count, dates): the file is untrusted.

        A bound is at most now + flight (a request of another process with a longer timeout is assumed to
        arrive within ours: a wrong guess costs a 429, which is retried).
        """
        entries = state.get("log")
        horizon = now - PACING_WINDOW - PACING_MARGIN
        log = []
        for entry in entries[-MAX_LOGGED_REQUESTS:] if isinstance(entries, list) else []:
            if is_entry(entry):
                bound = bounded_number(entry[1], horizon, now + self.flight, horizon)
                if bound > horizon:
                    log.append([entry[0], bound])
        return log

    def _allowed(self, factor):
        """Requests allowed in the window at this share of rate_limit (at least one)."""
        return max(1, int(min(self.rate_limit, MAX_LOGGED_REQUESTS) * factor))

    def limited(self):
        """The API answered 429: every process of the key holds off briefly and, once per burst of 429s, halves its
        rate."""
        if self.rate_limit <= 0:
            return
        with self.state.locked() as state:
            now = self.clock()
            factor = rate_factor(state, now)
            slowed = bounded_number(state.get("slowed"), 0.0, now, 0.0)
            if now - slowed >= SLOWDOWN_HOLD:
                factor = max(MIN_RATE_FACTOR, factor * SLOWDOWN_FACTOR)
                state["slowed"] = now
            state["factor"] = factor
            state["factor_at"] = now
            # A 429 says the API's window for this key is full now with requests our log does not hold (another
            # controller's): sending before one of them could have left it, at the rate allowed, earns more 429s.
            state["hold_until"] = now + PACING_WINDOW / self._allowed(factor)

    @property
    def current_rate(self):
        """Requests per minute allowed now (rate_limit until a 429 lowered it)."""
        with self.state.locked() as state:
            return self.rate_limit * rate_factor(state, self.clock())


def is_entry(entry):
    """Whether a value read from the file has the shape of a log entry: [ticket, bound] (the bound checked apart)."""
    return (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
            and len(entry[0]) <= 2 * TICKET_BYTES)


def rate_factor(state, now):
    """The share of rate_limit in force now: the stored factor, recovered by the time since it was stored."""
    factor = bounded_number(state.get("factor"), MIN_RATE_FACTOR, 1.0, 1.0)
    since = bounded_number(state.get("factor_at"), now - 3600.0, now, now)
    return min(1.0, factor + (now - since) / 60.0 * RECOVERY_PER_MINUTE)


def bounded_number(value, low, high, default):
    """A finite number from untrusted state, clamped to [low, high]; `default` for anything else."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return default
    return min(max(float(value), low), high)
