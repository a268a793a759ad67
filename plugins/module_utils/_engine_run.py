# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One run of a resource module: the deadline of all its waits, waiting, and judging a write by its effect.

iwinv_instance, iwinv_block_storage and iwinv_firewall each make one TaskRun and use it for every wait and
for every write whose answer is lost (IwinvAmbiguousWriteError), so that the three behave alike:

* `wait_timeout` is one budget for the whole task, and a timeout names it and the seconds the task waited;
* a write whose answer was lost is judged by reading the resource back, never by a status that also matched
  before the write; an unknown outcome stays unknown in the message;
* a create the API refused with an error envelope that names a reason (LIVE: 500 DEV_CHECK_RETURN for a zone the
  account may not use) is judged by one read-back: nothing shows, so it fails at once, changed=false, with the
  API's reason, and nothing in the journal blocks a rerun;
* once a write may have happened, a failure still reports `changed: true` and the resource as far as known.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import time

from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_wait import (
    WaitError,
    WaitTimeoutError,
    describe_status,
    wait_until,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._state_journal import until

# The end of a failure after a create noted in the journal: the next run does the right thing.
JOURNALED_ADVICE = ("; it is noted on this controller: running the task again (within 15 minutes) adopts it if it "
                    "appears, and never creates a second one while it may still land")

# How long a create whose answer was lost is looked for before its outcome is called unknown: an API that
# answers late may still be executing it. Bounded by what is left of wait_timeout.
LATE_WRITE_WINDOW = 60.0


class EarlierCreateError(IwinvError, ValueError):
    """An earlier task's create may still land: no second one is made meanwhile (a ValueError too, as before)."""


class Check:
    """How a write whose answer was lost is judged (TaskRun.judge): what to read back, what proves the write took
    effect, how long a late write is looked for, and the words of a failure."""

    def __init__(self, what, read, took_effect, window=0.0, known=None, advice="", journal_key=None,
                 refused_advice=None):
        self.what = what                        # the effect looked for, in words ("a new volume named 'x' ...")
        self.read = read                        # read() -> what reading back shows (an object, None, or a list)
        self.took_effect = took_effect          # took_effect(read()) -> whether the write shows
        self.window = window                    # seconds a late write is looked for (within wait_timeout)
        self.known = known                      # the resource as known, reported by a failure
        self.advice = advice                    # the end of the failure's message: what to do next
        self.journal_key = journal_key          # noted when the outcome stays unknown (a create)
        self.refused_advice = refused_advice    # a create: an answer naming a reason is judged by one read


class TaskRun:
    """The deadline (wait_timeout from the start of the task), the waits within it, and what was written."""

    def __init__(self, wait_timeout, result_key, journal=None, clock=time.monotonic, sleep=time.sleep):
        self.wait_timeout = wait_timeout
        self.journal = journal
        self.result_key = result_key
        self.clock = clock
        self.sleep = sleep
        self.started = clock()
        self.deadline = self.started + wait_timeout
        self.changed = False
        self.resource = None
        self.check_mode = False   # set by the engine: check mode keeps journal entries and never waits

    def remaining(self):
        return max(0.0, self.deadline - self.clock())

    def elapsed(self):
        return self.clock() - self.started

    # --- what a failure reports ------------------------------------------------------------------------

    def wrote(self, resource=None):
        """A write was sent (or may have been): from now on a failure reports changed=true and `resource`."""
        self.changed = True
        if resource is not None:
            self.resource = resource

    def failure_result(self):
        """What a failure adds to its message: nothing before any write; after one, changed and the resource."""
        if not self.changed:
            return {}
        return {"changed": True, self.result_key: self.resource or {}}

    # --- waiting ---------------------------------------------------------------------------------------

    def wait(self, read, is_done, what, is_failed=None, status_of=describe_status, limit=None, pause=None):
        """wait_until within what is left of the run's budget (or of `limit` seconds, when smaller).

        A timeout names the wait_timeout the user set and the seconds the whole task waited, not the rest of
        the budget this one wait had.
        """
        timeout = self.remaining() if limit is None else min(limit, self.remaining())
        try:
            return wait_until(read, is_done, is_failed, timeout=timeout, what=what, clock=self.clock, sleep=self.sleep,
                              status_of=status_of, pause=pause)
        except WaitError as exc:
            if self.changed and isinstance(exc.last, dict):
                self.resource = exc.last   # a failure after a write reports the resource as last read
            if not isinstance(exc, WaitTimeoutError) or limit is not None and limit < self.remaining():
                raise
            raise WaitTimeoutError("timed out after %d s waiting for %s: its last status was '%s' (wait_timeout=%s)"
                                   % (round(self.elapsed()), what, status_of(exc.last), self.wait_timeout),
                                   exc.last) from None

    # --- writes judged by their effect -------------------------------------------------------------------

    def reconcile(self, error, read, took_effect, what, window=0.0, known=None, advice="", journal_key=None,
                  refused_advice=None):
        """judge() with the Check given as arguments (for callers not yet on the engine)."""
        return self.judge(error, Check(what, read, took_effect, window=window, known=known, advice=advice,
                                       journal_key=journal_key, refused_advice=refused_advice))

    def judge(self, error, check):
        """After a write whose answer was lost (`error`): the resource read back once it shows the effect.

        Reads at once, then for `check.window` seconds (within the budget) until `check.took_effect(obj)` holds.
        When it never does, raises `error` saying what was read and that the outcome is unknown (it may land late),
        after noting `check.journal_key` so that a later task settles it first (settle_earlier_create).
        A create (with `refused_advice`) that the API refused with a reason (`error.answered`) is judged by that
        first read alone (judge_refusal; LIVE shows the refusal for creates only).
        """
        if check.refused_advice is not None and getattr(error, "answered", False):
            return self.judge_refusal(error, check.read, check.took_effect, check.what, check.known,
                                      check.refused_advice)
        self.wrote(check.known)
        current = check.read()
        if check.took_effect(current):
            return current
        if check.window > 0 and self.remaining() > 0:
            try:
                return self.wait(check.read, check.took_effect, check.what, limit=check.window, status_of=shown)
            except WaitTimeoutError as exc:
                current = exc.last
        advice = check.advice
        if check.journal_key and self.journal is not None:
            self.journal.note(check.journal_key)
            advice = JOURNALED_ADVICE if self.journal.persistent else advice
        error.message = "%s; %s%s" % (error.message, what_is_known(check.what, current, self.elapsed()), advice)
        error.args = (error.message,)
        error.judged = True   # judged by its effect once: never judged again on its way up
        raise error

    def judge_refusal(self, error, read, took_effect, what, known, advice):
        """An error envelope that names a reason is the API's answer: one read-back of the effect decides.

        The effect shows (the API did it after all): the resource read back, as after a lost answer. It does not:
        `error` is raised as it stands, with what reading back showed and `advice`; nothing was written, so the
        failure reports changed=false (unless an earlier write of this task did), and no journal entry is noted.
        """
        current = read()
        if took_effect(current):
            self.wrote(known)
            return current
        error.message = ("%s; reading back once does not show %s (read: %s), so the API's answer stands: nothing was "
                         "done%s" % (error.message, what, shown(current), advice))
        error.args = (error.message,)
        raise error

    # --- what earlier tasks left in flight ---------------------------------------------------------------

    def settle_earlier_create(self, journal_key, look, what, exists):
        """The resource an earlier task's unresolved create made, once it shows; None when none is noted.

        `look()` reads the candidates (a list); `exists` says whether the resource is already known, in which
        case the note is simply dropped. When nothing shows within the late-write window, the task fails
        rather than create a second resource while the first may still land.
        """
        if self.journal is None:
            return None
        entry = self.journal.pending(journal_key).get(journal_key)
        if entry is None:
            return None
        if exists:
            self.forget(journal_key)
            return None
        found = look() or self.look_for_late_create(look, what, entry)
        self.forget(journal_key)
        return found

    def look_for_late_create(self, look, what, entry):
        """What an earlier create made, looked for within the late-write window (check mode reads once: no wait)."""
        try:
            if not self.check_mode:
                return self.wait(look, bool, what, limit=LATE_WRITE_WINDOW, status_of=shown)
        except WaitTimeoutError:
            pass
        raise EarlierCreateError("an earlier task's creation of %s got no clear answer and may still land; reading "
                                 "back for %d s does not show it, so a second one is not created before %s (15 minutes "
                                 "after the first); check with the info module whether it appeared"
                                 % (what, round(self.elapsed()), until(entry))) from None

    def forget(self, journal_key):
        """Drop a journal entry once settled; check mode changes nothing, so it keeps every entry."""
        if not self.check_mode:
            self.journal.forget(journal_key)

    def settle_earlier_writes(self, prefix, read, is_done, what, status_of=describe_status):
        """Wait for the writes an earlier task started (and noted under `prefix`) to show, then forget them.

        `is_done(obj, entry)` says whether the write of one entry shows in `obj`. Returns the last object read,
        or None when nothing was pending.
        """
        if self.journal is None or self.check_mode:   # check mode never waits
            return None
        entries = self.journal.pending(prefix)
        if not entries:
            return None
        current = self.wait(read, lambda obj: all(is_done(obj, entry) for entry in entries.values()), what,
                            status_of=status_of)
        for key in entries:
            self.forget(key)
        return current


def shown(obj):
    """What was read back, in a word: gone, a status, or nothing found (a read-back that returns a list)."""
    if isinstance(obj, dict) or obj is None:
        return describe_status(obj)
    return "none found" if not obj else "%d found" % len(obj)


def what_is_known(what, current, seconds):
    """The honest end of a failure after a lost answer: what reading back showed, and that the rest is unknown."""
    return ("reading back for %d s does not show %s (read: %s): it has not happened, or not yet"
            % (seconds, what, shown(current)))


def rerun_advice(kind):
    """The end of a failure after a lost answer to a write that a rerun judges again (all but a create)."""
    return "; running the task again is safe: it reads the %s again and acts only if still needed" % kind


def refused_create_advice(kind, what_to_change):
    """The end of a failure after a create the API refused: what to change; nothing blocks a rerun."""
    return ("; nothing about this %s is noted on this controller, so running the task again creates it as soon as the "
            "API accepts it: %s, or check in the iwinv console what this account may create there"
            % (kind, what_to_change))


def create_unknown_advice(info_module, kind):
    """The end of a failure after a lost answer to a create that never showed: a rerun now could make a second one."""
    return ("; the API may still create it: check with %s that no %s of that name appeared before running the task "
            "again" % (info_module, kind))
