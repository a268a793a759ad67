# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one sequence of a resource task, shared by the resource modules.

    find -> settle the journal -> wait for an operation in progress -> plan -> predict (check mode) or act
    -> for each write: note it, send it, judge a lost answer by its effect, wait -> report

`Engine(iwinv, resource).run()` runs it; the run's deadline, waits and effect judging are its TaskRun
(_engine_run.py: one wait_timeout budget for the whole task, failure_result after a write).

A resource module subclasses `Resource`. Its `description` is data (a `Description`): label, kind, result key,
info module, journal key of a create, advice for API error codes. Its hooks are methods; `self.iwinv`,
`self.params`, `self.client` are the module's, `self.run_state` the task's TaskRun (for a wait of its own):

    find()                      the object the options name, or None (a name that several carry fails,
                                through lookup.only_named)
    refresh(found)              `found` read again by id when find() took it from a kept (shared, write-aware)
                                read, or what a fresh look-up finds when it vanished or was renamed since; else
                                `found` itself, the same object (default: a resource that always reads by id)
    name()                      the name a create would give (None: the object is named by id; no journal)
    named(name)                 the objects carrying `name`: what an earlier task's lost create may have made
    plan(current)               (actions, warnings): a list of Action from the resources layer's pure planner;
                                fails (IwinvError) on what the API would refuse, before any write
    predict(current, actions)   the object once the actions are done (check mode, and every diff's `after`)
    send(action, obj)           send one write to `obj` (None before a create); returns the object to follow
                                (for a create: the new one, at least {"id", "name"}); raises
                                IwinvAmbiguousWriteError when the answer is lost
    new_ones(action)            a create's read-back: the objects that a lost create of `action` may have made
    created(action)             what a create makes, in words ("volume named 'data' on instance i-1")
    read(obj)                   `obj` read again (None once gone)
    took_effect(action, obj)    whether `obj`, read back after a lost answer, proves the write took effect
    settled(obj)                whether no operation is in flight on `obj` (None, gone, is settled)
    waits(action)               whether the write's operation is waited for (default: yes; False: synchronous)
    done(action, obj)           whether the write's operation has ended (what the engine waits for after it)
    failed(action, obj)         whether a wait for the write must stop: the operation failed (or `obj` vanished)
    unwaited(action, obj)       the object reported for the last write when wait=false (by default read once)
    settle_writes(current)      the writes an earlier task left in flight, waited for (default: none)
    adopted(obj)                the object a lost create made, once found (default: as read)
    label(obj)                  the object in words for messages ("block storage 'data' (bs-1)")
    status_of(obj)              the object's state in a wait's message (default: its status, or "gone")
    doing(action, obj)          the write in words for an API error ("attaching ... to instance ...")
    error_note(action, obj)     more words for an API error of this write (default: none)
    report(changed, before, after)   the module result (default: result_with_diff under the result key)
    awaited_status(action)      the status a wait after `action` waits for, when the resource names it (default:
                                None); an object that vanishes during that wait then fails at once (see below)
    warns_taken                 (attribute) whether a lost answer whose write is found taken is warned of

Rules every resource gets from the engine:
* A create whose answer was lost is never resent: the one new object of the name that appears within the
  late-write window is adopted; none leaves a journal note, so that the next run settles it before creating.
* Any other lost answer is judged by reading back (took_effect); an unknown outcome stays unknown in the message.
  An error that a resource already judged itself (TaskRun.judge marks it `judged`) is not judged again.
* Refresh before act: an object found in a kept read decides "unchanged" as found (no read by id); a plan on it
  that has writes (or fails) is made again from refresh(found), waited for when busy, so that what a task writes
  is never planned on data older than its own read. Check mode decides from the found object (it writes nothing,
  and the kept read is write-aware: it saves the read). An object re-read by the journal settle or a wait_busy
  wait is already the task's own read: it is not refreshed. plan() then runs twice: what it reads besides the
  object (an instance a volume goes on) is better kept for the task than read twice.
* An object busy with an operation is waited for before anything is planned, except in check mode, which never
  waits and never removes a journal entry: it plans from the object as read.
* A deleting object with state=absent and wait=false is not waited for: it is reported as read (status deleting),
  unchanged, and no write is sent; a later run with wait=true waits for it to go.
* An object named by id that is deleted while its operation is waited for fails: it is never created again.
* After each write the engine waits for its operation to end (always when a later write follows; for the last one
  only with wait=true), within the one wait_timeout of the task.
* With warns_taken, a lost answer judged taken by reading back warns "the API gave no clear answer to ...".
* With awaited_status, an object that vanishes while its write is waited for fails at once ("... was deleted while
  waiting for it to become '<status>'") and reports nothing left (the result's object is {}).
* An API error of a write names what was being done and, for known error codes, what they mean (explained).

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import contextlib
import copy
from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvAmbiguousWriteError, IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import only_new
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_run import (
    LATE_WRITE_WINDOW,
    Check,
    create_unknown_advice,
    refused_create_advice,
    rerun_advice,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_wait import WaitFailedError, describe_status
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import NameTaken, run_claimed


class Description:
    """A resource as data: what the engine needs to name it, report it and journal its creates."""

    def __init__(self, label, kind, result_key, info_module, journal_key, refused_create, error_advice=None):
        self.label = label                      # "block storage": how messages name the resource
        self.kind = kind                        # "volume": how advice names one of them
        self.result_key = result_key            # "block_storage": the key of the module result
        self.info_module = info_module          # the info module a person checks a lost create with
        self.journal_key = journal_key          # "block_storage.create:%s" (% name): a create left unknown
        self.refused_create = refused_create    # what to change when the API refuses a create with a reason
        self.error_advice = error_advice or {}  # error_code -> what it means for this resource

    @property
    def create_unknown_advice(self):
        return create_unknown_advice(self.info_module, self.kind)

    @property
    def refused_create_advice(self):
        return refused_create_advice(self.kind, self.refused_create)

    @property
    def rerun_advice(self):
        return rerun_advice(self.kind)


class Action:
    """One write of a plan: its kind ("create", "attach", ...) and what it needs (an instance, an edit...)."""

    def __init__(self, kind, argument=None):
        self.kind = kind
        self.argument = argument

    def __repr__(self):
        return "Action(%r, %r)" % (self.kind, self.argument)

    def __eq__(self, other):
        return isinstance(other, Action) and (self.kind, self.argument) == (other.kind, other.argument)

    def __iter__(self):
        """An action unpacks as the pair (kind, argument) that pure planners take (_resource_instance_plan.py)."""
        return iter((self.kind, self.argument))

    @property
    def creates(self):
        return self.kind == "create"


class Resource:
    """The hooks of one resource (see the module docstring); the defaults fit a resource without their quirk."""

    description = None
    pause = None   # how long a wait sleeps for an interval (waiter.wait_until's `pause`); None: the interval
    warns_taken = False   # warn when a lost answer's write is found taken (Engine.judged)

    def __init__(self, iwinv):
        self.iwinv = iwinv
        self.params = iwinv.params
        self.client = iwinv.client
        self.run_state = None   # the Engine sets it

    def settle_writes(self, current):
        return current

    def refresh(self, found):
        return found

    def waiting(self, obj):
        """What a wait for `obj` reads (by default read(obj)); made anew for each wait."""
        return partial(self.read, obj)

    def waits(self, action):
        return True

    def unwaited(self, action, obj):
        return None if obj is None else self.read(obj)

    def adopted(self, obj):
        return obj

    def error_note(self, action, obj):
        return ""

    def status_of(self, obj):
        return describe_status(obj)

    def report(self, changed, before, after):
        return result_with_diff(changed, self.description.result_key, before, after)

    def awaited_status(self, action):
        return None


class Engine:
    """One run of a resource task: the sequence, with the resource's hooks and its TaskRun."""

    def __init__(self, iwinv, resource):
        self.iwinv = iwinv
        self.params = iwinv.params
        self.resource = resource
        self.check_mode = iwinv.check_mode
        self.run_state = iwinv.task_run(resource.description.result_key)
        self.run_state.check_mode = self.check_mode
        resource.run_state = self.run_state   # for the waits a resource makes itself (a busy instance)

    def run(self):
        found = self.resource.find()
        before, (actions, warnings) = self.planned(found, self.wait_busy(self.settle(found)))
        for warning in warnings:
            self.iwinv.warn(warning)
        after = self.resource.predict(before, actions)
        if actions and not self.check_mode:
            after = self.act(before, actions)
        return self.resource.report(bool(actions), before, after)

    def planned(self, found, current):
        """(the object planned from, its plan): refresh before act (see the rules above)."""
        planned = attempt(self.resource.plan, current)
        unchanged = not isinstance(planned, IwinvError) and not planned[0]
        if self.check_mode or current is not found or unchanged:
            return current, unwrapped(planned)
        refreshed = self.resource.refresh(current)
        if refreshed is current:
            return current, unwrapped(planned)
        current = self.wait_busy(refreshed)
        return current, self.resource.plan(current)

    # --- find, settle -----------------------------------------------------------------------------------

    def settle(self, found):
        """What earlier tasks left in the journal: a create that stayed unknown (adopted once it shows), then the
        writes the resource notes itself (settle_writes)."""
        return self.resource.settle_writes(self.earlier_create(found))

    def earlier_create(self, found):
        name = self.resource.name()
        if name is None:
            return found
        what = "%s '%s'" % (self.resource.description.label, name)
        appeared = self.run_state.settle_earlier_create(self.resource.description.journal_key % name,
                                                        partial(self.resource.named, name), what, found is not None)
        return only_new(appeared, what) if appeared else found

    def wait_busy(self, current):
        """An object busy with an operation is waited for before anything is planned (see the rules above)."""
        if current is None or self.resource.settled(current) or self.check_mode:
            return current
        if current.get("status") == "deleting" and self.params["state"] == "absent" and not self.params["wait"]:
            return current
        settled = self.run_state.wait(self.resource.waiting(current), self.resource.settled,
                                      "%s to end its operation in progress" % self.resource.label(current),
                                      status_of=self.resource.status_of, pause=self.resource.pause)
        if settled is None and self.params.get("id") and self.params["state"] != "absent":
            raise IwinvError("%s was deleted while its operation in progress was waited for; a %s named by id is "
                             "never created again" % (self.resource.label(current), self.resource.description.kind))
        return settled

    # --- act --------------------------------------------------------------------------------------------

    def act(self, current, actions):
        """The writes in order; each one's operation ends before the next (the API refuses to act on a busy object)."""
        obj = current
        for number, action in enumerate(actions, start=1):
            obj = self.write(action, obj)
            self.run_state.wrote(obj)
            obj = self.wait_for(action, obj, last=number == len(actions))
            self.run_state.wrote(obj)
        return obj

    def write(self, action, obj):
        """Send one write; a lost answer is judged by its effect, never by sending it again."""
        try:
            try:
                return self.resource.send(action, obj)
            except IwinvAmbiguousWriteError as error:
                if getattr(error, "judged", False):   # a write of the resource's own, judged where it was sent
                    raise
                return self.adopt_created(action, error) if action.creates else self.judged(action, obj, error)
        except IwinvApiError as exc:
            raise explained(exc, self.resource.doing(action, obj), self.resource.description.error_advice,
                            self.resource.error_note(action, obj)) from None

    def judge(self, action, obj, error):
        check = Check("the effect of " + self.resource.doing(action, obj), partial(self.resource.read, obj),
                      partial(self.resource.took_effect, action), known=obj,
                      advice=self.resource.description.rerun_advice)
        read = self.run_state.judge(error, check)
        return obj if read is None else read

    def adopt_created(self, action, error):
        """A create whose answer was lost (or late): the one new object it made, looked for while it may land.

        Never resent; nothing found leaves a journal note (the next run looks again before creating)."""
        description, name = self.resource.description, self.resource.name()
        where = self.resource.created(action)
        check = Check("a new " + where, partial(self.resource.new_ones, action), bool,
                      window=LATE_WRITE_WINDOW, known={"id": None, "name": name, "status": "unknown"},
                      advice=description.create_unknown_advice, journal_key=description.journal_key % name,
                      refused_advice=description.refused_create_advice)
        created = self.run_state.judge(error, check)
        return self.resource.adopted(only_new(created, where))

    def wait_for(self, action, obj, last):
        """Wait for the write's operation to end (always when a later write follows it; else only with wait=true)."""
        if last and not self.params["wait"]:
            return self.resource.unwaited(action, obj)
        if not self.resource.waits(action):
            return obj
        try:
            return self.run_state.wait(self.resource.waiting(obj), partial(self.resource.done, action),
                                       "%s %s" % (self.resource.label(obj), awaited(action)),
                                       is_failed=partial(self.resource.failed, action),
                                       status_of=self.resource.status_of, pause=self.resource.pause)
        except WaitFailedError as exc:
            if exc.last is not None or self.resource.awaited_status(action) is None:
                raise
            raise self.vanished(action, obj) from None

    # --- rules a resource opts into (warns_taken, awaited_status); used by instances ----------------------------

    def judged(self, action, obj, error):
        """judge(); with the resource's warns_taken, a warning that the lost answer's operation was taken."""
        current = self.judge(action, obj, error)
        if self.resource.warns_taken:
            self.iwinv.warn("the API gave no clear answer to %s; reading it back shows the operation was taken"
                            % self.resource.doing(action, obj))
        return current

    def vanished(self, action, obj):
        """The failure of a wait whose object was deleted meanwhile: it is never created again; nothing is left."""
        self.run_state.resource = {}
        return WaitFailedError("%s was deleted while waiting for it to become '%s' (by another task or person)"
                               % (self.resource.label(obj), self.resource.awaited_status(action)))


def attempt(plan, current):
    """plan(current), or the IwinvError it raised (a failure planned on a kept read is judged again)."""
    try:
        return plan(current)
    except IwinvError as error:
        return error


def unwrapped(planned):
    """The plan that attempt() returned; the error it caught raised."""
    if isinstance(planned, IwinvError):
        raise planned
    return planned


PAST = {"create": "created", "detach": "detached", "attach": "attached", "delete": "deleted", "start": "started",
        "shutdown": "shut down", "reboot": "rebooted", "resize": "resized", "rebuild": "rebuilt"}


def awaited(action):
    """What a wait after the action waits for, in words ("to be attached")."""
    return "to be %s" % PAST.get(action.kind, action.kind + " done")


# --- the one reworder of API errors ----------------------------------------------------------------------------

def reworded(exc, message):
    """The same error (an API error keeps its api_error) with a message that says more."""
    exc.message = message
    exc.args = (message,)
    return exc


def explained(exc, doing, advice=None, note=""):
    """An API error prefixed with what was being done, with what its error_code means here and a `note`."""
    meaning = (advice or {}).get(getattr(exc, "error_code", None))
    return reworded(exc, "%s failed: %s%s%s" % (doing, exc.message, "; " + meaning if meaning else "", note))


def result_with_diff(changed, key, before, after):
    """The module result: the object under `key` and a diff of before/after (empty dicts for absence)."""
    return {
        "changed": changed,
        key: copy.deepcopy(after) if after is not None else {},
        "diff": {"before": before or {}, "after": after or {}},
    }


# --- a fleet's name claims and shared polls (the volume and firewall modules'; _state_instance_list.py) --------

class ClaimingResource(Resource):
    """A resource whose writes are noted by name for the other tasks of this controller (`writes`: a KeptList, or
    None when sharing is off), whose creates hold their claim until release(), and whose waits share polls."""

    def __init__(self, iwinv, writes):
        super().__init__(iwinv)
        self.writes = writes
        self.looked_at = None   # when the look-up that found (or missed) the object was read: a create claims it
        self.held = None        # the key of a create's claim, held until release()
        self.polls = {}         # object id -> the shared poll of its waits, made once its write was answered

    def name(self):
        return None if self.params["id"] else self.params["name"]

    def claimed(self, name, looked_up=False, others=()):
        """One write of `name` noted while it runs; judged on the look-up (NameTaken when another task wrote the name
        since) when `looked_up`, else noted with `others` (the names the object had)."""
        if self.writes is None:
            return contextlib.nullcontext()
        return self.writes.claimed(name, self.looked_at if looked_up else None, others)

    def hold(self, name):
        """A create's claim of `name`, held until release() (its later writes belong to it); NameTaken when taken."""
        self.held = self.writes.claim(name, self.looked_at)
        if self.held is None:
            raise NameTaken()

    def release(self):
        if self.held is not None:
            self.writes.written(self.held)
            self.held = None

    def share_poll(self, obj_id, make_poll):
        """The reads of `obj_id`'s waits from now on: a poll shared with the fleet (make_poll()), when sharing is on."""
        if self.writes is not None:
            self.polls[obj_id] = make_poll()

    def polled(self, obj_id, read_one):
        """`obj_id` read for a wait: through its shared poll when there is one, else read_one()."""
        poll = self.polls.get(obj_id)
        return poll() if poll is not None else read_one()


def run_claiming(engine, claims=True):
    """engine.run(), run again after each NameTaken once no other task of this controller writes the name
    (run_claimed); once when the resource names nothing to create, shares nothing, or `claims` is False."""
    resource, name = engine.resource, engine.resource.name()
    try:
        if not claims or resource.writes is None or name is None:
            return engine.run()
        what = "%s '%s'" % (resource.description.label, name)
        return run_claimed(engine.run_state, resource.writes, name, engine.run, what)
    finally:
        resource.release()
