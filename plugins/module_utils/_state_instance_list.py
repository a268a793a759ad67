# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A recent list of every instance, shared by the tasks of one key, and the writes that make it stale.

The rules: a name look-up may learn from the kept list that a name is free or which one instance has it; that
instance decides "unchanged" as kept and is read by id before a write (the engine's refresh); a wait may use a
list read after the moment it needs news from; a kept list is never used for a name with a write of this
controller in flight or answered after the list was read, and a create claims its name first. The full list is
read only while at least as many tasks of the key run as it costs requests. Everything read back from the file
is untrusted. The design and its costs: docs/dev/internals.md ("The shared instance list").

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import contextlib
import math
import os
import time

from ansible_collections.iwinv.cloud.plugins.module_utils._resource_block_storage import (
    find_block_storage,
    get_block_storage,
    list_block_storages,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import only_named
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_instances import (
    first_page_of_instances,
    get_instance,
    is_settled,
    list_instances,
    named_instances,
    resolve_instance,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._state_file import StateFile

DEFAULT_MAX_AGE = 20
MAX_AGE_CAP = 300
VIEW_MAX_BYTES = 4 * 1024 * 1024
# Tasks wait for the task that reads the list for them, which may itself wait for the pacer.
VIEW_LOCK_TIMEOUT = 120.0
# A little clock disagreement between processes is tolerated; a time further ahead is not trusted.
FUTURE_TOLERANCE = 5.0
# Until a full list has been read, assume it takes two requests (one page and the check for a second): the
# cost of a list that fits one page.
UNKNOWN_LIST_COST = 2
ONE_PAGE_COST = 2
# What the file keeps: the last full list (look-ups and waits) and the last first page (waits only).
KEPT_LISTS = ("list", "page")
COST_KEEP = 24 * 3600.0
MAX_LIST_COST = 1000
# A running task counts as demand while its process lives and it used the view within this many seconds.
TASK_WINDOW = 60.0
# A write noted as in flight longer than this (its process was killed) counts as answered when seen.
IN_FLIGHT_MAX = 300.0
# Answered writes are kept this long: a claim compares them with when its task looked.
WRITE_KEEP = 900.0
MAX_WRITES = 500
MAX_TASKS = 500
# Each read of a wait asks for a list newer than the one it saw last.
NEWER = 0.001
# How often a task looks again after another task of this controller took the name it meant to write.
CLAIM_ATTEMPTS = 5
MAX_READS = 100
# Noted with the instance names when a volume is created on, attached to or detached from an instance (a NUL
# that no name is looked up with: lookup.reference_problem).
VOLUMES_OF = "\0volumes of %s"


class NameTaken(Exception):
    """A claim failed: another task of this controller writes the name, or wrote it after this task looked."""


class NamedWrites:
    """This controller's writes of resources of one kind, by name, in a StateFile per (api_url, access key): the
    tasks of a fleet see each other's writes, and a create of a name is claimed first (never made twice)."""

    def __init__(self, kind, api_url, access_key, directory=None, warn=None, clock=time.time, is_alive=None):
        self.clock = clock
        self.is_alive = is_alive or process_alive
        self.pid = os.getpid()
        self.state = StateFile(kind, api_url, access_key, directory=directory, max_bytes=VIEW_MAX_BYTES,
                               lock_timeout=VIEW_LOCK_TIMEOUT, warn=warn)

    def claim(self, name, looked_at):
        """Before creating `name`: note the create and return its key, or None when another task of this
        controller is creating that name or wrote it after `looked_at` (the task must look again)."""
        with self.state.locked() as data:
            self._tidy(data)
            return None if written_since(data, [name], looked_at) else self._note(data, [name])

    def writing(self, names):
        """Note a write of these names before it is sent; returns the key for written()."""
        with self.state.locked() as data:
            self._tidy(data)
            return self._note(data, names)

    def written(self, key):
        """The write of `key` was answered, or failed: lists read from now on show what it did."""
        with self.state.locked() as data:
            write = valid_dict(data, "writes").get(key)
            if isinstance(write, dict):
                write["done"] = self.clock()

    def busy(self, name):
        """Whether a write of `name` by another task of this controller is in flight."""
        with self.state.locked() as data:
            self._tidy(data)
            return any(name in write["names"] and write["done"] is None for write in data["writes"].values())

    @contextlib.contextmanager
    def claimed(self, name, looked_at, others=()):
        """A write of `name` noted while it runs: a create or change judged on a look-up made at `looked_at` (raises
        NameTaken when another task wrote the name since), or, when `looked_at` is None, a write by id (of `name`
        and `others`, such as the name it had)."""
        key = self.writing([name] + list(others)) if looked_at is None else self.claim(name, looked_at)
        if key is None:
            raise NameTaken()
        try:
            yield
        finally:
            self.written(key)

    def _note(self, data, names):
        now = self.clock()
        key = "%d-%s" % (self.pid, os.urandom(4).hex())
        data["writes"][key] = {"names": [name for name in names if name], "at": now, "done": None, "pid": self.pid}
        return key

    def _tidy(self, data):
        """Drop what is malformed or too old, note this task as running, settle writes of dead tasks; returns now."""
        now = self.clock()
        tasks = valid_dict(data, "tasks")
        for pid in [pid for pid, seen in tasks.items() if not self._running(pid, seen, now)]:
            del tasks[pid]
        tasks[str(self.pid)] = now
        trim(tasks, MAX_TASKS, lambda pid: tasks[pid])
        writes = valid_dict(data, "writes")
        for key in list(writes):
            if not is_valid_write(writes[key], now):
                del writes[key]
            elif writes[key]["done"] is None and not self._in_flight(writes[key], now):
                writes[key]["done"] = now   # its task died: what it did shows in lists read from now on
            elif writes[key]["done"] is not None and writes[key]["done"] < now - WRITE_KEEP:
                del writes[key]
        trim(writes, MAX_WRITES, lambda key: writes[key]["at"])
        return now

    def _running(self, pid, seen, now):
        return (isinstance(seen, (int, float)) and now - TASK_WINDOW < seen <= now + FUTURE_TOLERANCE
                and pid.isdigit() and self.is_alive(int(pid)))

    def _in_flight(self, write, now):
        return now - write["at"] < IN_FLIGHT_MAX and (write["pid"] == self.pid or self.is_alive(write["pid"]))


class KeptList(NamedWrites):
    """NamedWrites, and the last read of each list of that kind (rows with a string id and name, no secret) for
    `max_age` seconds: the name look-ups and the waits of a fleet share them. Write-aware as InstanceView: a kept
    list is never used for a name with a write in flight or answered after the list was read; what is found there
    decides "unchanged" as kept, and is read by id by the caller before a write (the engine's refresh)."""

    def __init__(self, kind, api_url, access_key, max_age=DEFAULT_MAX_AGE, **options):
        super().__init__(kind, api_url, access_key, **options)
        self.max_age = min(max_age, MAX_AGE_CAP)

    def named(self, name, read_rows, source, client=None):
        """(the rows named exactly `name`, when the list that answered was read); `read_rows()` reads the whole list
        of `source` (such as the API path) when no kept one serves. A lone task reads once, as without it."""
        with self.state.locked() as data:
            now = self._tidy(data)
            kept = data["reads"].get(source)
            if (kept is None or kept["value"] is None or kept["at"] <= now - self.max_age
                    or written_since(data, [name], kept["at"])):
                kept = self._read(data, source, read_rows, client)
            return by_name(kept["value"], name), kept["at"]

    def read_after(self, source, after, read, client=None):
        """(what `read()` answers, when it was read): a read of `source` (a list of rows, or None) that another task
        made at or after `after` serves, while young enough; else it is read now and kept (under the lock: the
        tasks that wait for it use it), with the requests it cost `client` when given (sharing_pays)."""
        with self.state.locked() as data:
            now = self._tidy(data)
            kept = data["reads"].get(source)
            if kept is None or kept["at"] < after or kept["at"] <= now - self.max_age:
                kept = self._read(data, source, read, client)
            return kept["value"], kept["at"]

    def _read(self, data, source, read, client):
        sent_before = client.request_count if client is not None else 0
        kept = data["reads"][source] = {"at": self.clock(), "value": read()}
        kept["cost"] = client.request_count - sent_before if client is not None else 1
        trim(data["reads"], MAX_READS, lambda key: data["reads"][key]["at"])
        return kept

    def sharing_pays(self, source):
        """Whether at least as many tasks run (they may use the read) as the last read of `source` took requests,
        and at least two: then one read costs no more than each task reading its own row."""
        with self.state.locked() as data:
            self._tidy(data)
            kept = data["reads"].get(source)
            return len(data["tasks"]) >= max(2, kept["cost"] if kept is not None else 1)

    # --- reads that serve while no write makes them stale for the task (issue 28: the firewall's detail) ------

    def read_unless_written(self, source, names_of, read, client=None):
        """(what `read()` answers, whether another task's read served it). A kept read of `source` serves while it
        is young enough, not None (a firewall gone is read again), another task of the key runs (a lone task reads,
        as without the kept list) and no write of `names_of(value)` is in flight or answered since it was read; else
        it is read now (under the lock: the tasks that wait for it use it) and kept."""
        with self.state.locked() as data:
            self._tidy(data)
            kept = data["reads"].get(source)
            if (kept is not None and kept["value"] is not None and len(data["tasks"]) >= 2
                    and not written_since(data, names_of(kept["value"]), kept["at"])):
                return kept["value"], True
            return self._read(data, source, read, client)["value"], False

    @staticmethod
    def is_valid_read(source, value):
        """Whether a kept read of `source` read back from the file holds what it may (a KeptList of other rows says
        its own)."""
        return is_rows(value)

    def _tidy(self, data):
        now = super()._tidy(data)
        reads = valid_dict(data, "reads")
        for source in list(reads):
            kept = reads[source]
            if not (isinstance(kept, dict) and is_time(kept.get("at"), now) and kept["at"] > now - self.max_age
                    and (kept.get("value") is None or self.is_valid_read(source, kept["value"]))
                    and isinstance(kept.get("cost"), int)):
                del reads[source]
        return now


def shared_poll(kept, source, read, client=None):
    """A read() for TaskRun.wait that shares each poll of `source` with the other tasks waiting on it: each call asks
    for a read made after the last one it saw (the first: one made from now on, after the write it waits for)."""
    seen = {"after": kept.clock()}

    def poll():
        value, at = kept.read_after(source, seen["after"], read, client)
        seen["after"] = at + NEWER
        return value
    return poll


def shared_row_poll(kept, client, source, read_all, row_id, read_one):
    """shared_poll of a whole list for one row, while sharing pays (kept.sharing_pays): the row of `row_id`;
    read_one() when the list does not show it (a list is no proof that a row is gone) or when sharing does not pay."""
    poll = shared_poll(kept, source, read_all, client)

    def read():
        row = by_id(poll() or [], row_id) if kept.sharing_pays(source) else None
        return row if row is not None else read_one()
    return read


VOLUMES = "volumes"   # the KeptList source of the volume list


def find_volume(kept, client, volume_id, name):
    """(the volume of this id, or else of this exact name, or None; when the look-up's answer was read; whether it
    came from the kept list).

    In a fleet (kept.sharing_pays) a name is looked up in the shared volume list; the one volume found there decides
    "unchanged" as kept, and is read by id before a write (refreshed_volume): what a task writes is never planned on
    data older than its own read. Otherwise (and for a name the list shows twice: the error lists the volumes as read
    now) as find_block_storage.
    """
    looked_at = kept.clock() if kept is not None else time.time()
    if volume_id or kept is None or not kept.sharing_pays(VOLUMES):
        return find_block_storage(client, volume_id, name), looked_at, False
    rows, listed_at = kept.named(name, lambda: list_block_storages(client), VOLUMES, client)
    if len(rows) <= 1:   # a list read before this look-up began is a kept one; one read since is as good as its own
        return (rows[0] if rows else None), listed_at, bool(rows) and listed_at < looked_at
    looked_at = kept.clock()
    return find_block_storage(client, None, name), looked_at, False


def refreshed_volume(kept, client, volume, name, looked_at):
    """(`volume`, found in the kept list, read by id, looked_at): a fresh look-up when it was renamed or deleted
    since the list was read."""
    current = get_block_storage(client, volume["id"])
    if current is not None and current["name"] == name:
        return current, looked_at
    looked_at = kept.clock()
    return find_block_storage(client, None, name), looked_at


def run_claimed(run_state, writes, name, run_once, what):
    """run_once() again after each NameTaken, once no other task of this controller writes `name` (no request)."""
    for unused in range(CLAIM_ATTEMPTS):
        try:
            return run_once()
        except NameTaken:
            run_state.wait(lambda: writes.busy(name), lambda busy: not busy, "another task's write of %s" % what,
                           status_of=lambda busy: "in progress" if busy else "done")
    raise IwinvError("%s is being created or changed by other tasks of this controller again and again; give each "
                     "task its own name" % what)


class InstanceView(NamedWrites):
    """The shared recent instance list of one (api_url, access key), and this controller's writes of instances."""

    def __init__(self, client, api_url, access_key, max_age=DEFAULT_MAX_AGE, directory=None, warn=None,
                 clock=time.time, is_alive=None):
        super().__init__("instances", api_url, access_key, directory=directory, warn=warn, clock=clock,
                         is_alive=is_alive)
        self.client = client
        self.max_age = min(max_age, MAX_AGE_CAP)

    # --- look-ups and waits ---------------------------------------------------------------------------

    def named(self, name, fresh=False):
        """(the instances named exactly `name`, looked_at, kept): looked_at is when the list that answered was read
        (claim() compares later writes with it); `kept` when that was a kept list, whose match is trusted to decide
        "unchanged" and read by id before a write (refreshed)."""
        return self._named_rows(name, fresh)

    def refreshed(self, row, name, looked_at):
        """(the instances named `name`, looked_at) once `row`, the match of a kept list, is read by id: [it] while it
        still carries the name, else what a fresh look-up finds (renamed or deleted since the list was read)."""
        current = get_instance(self.client, row["id"])
        if current is not None and current["name"] == name:
            return [current], looked_at
        rows, looked_at, unused = self._named_rows(name, fresh=True)
        return rows, looked_at

    def read(self, instance_id, after):
        """(the instance as seen no earlier than `after`, or None when gone; when it was seen) for a wait."""
        with self.state.locked() as data:
            now = self._tidy(data)
            kept = self._newest_after(data, now, after)
            if kept is None and self._first_page_pays(data):
                kept = self._read_first_page(data)
            row = by_id(kept["rows"], instance_id) if kept is not None else None
            if row is not None:
                return row, kept["at"]
        seen_at = self.clock()
        return get_instance(self.client, instance_id), seen_at

    def reference(self, ref, with_volumes=False):
        """The instance whose id (or else exact name) is `ref`, for a task that writes another resource on it.

        A row kept by id serves when it was read after this controller's last write of its name (and, with
        `with_volumes`, of its volumes: a volume task counts them) and its status is settled: the API checks the
        rest when the write is sent. Otherwise, while a full list read pays (_full_list_pays: a fleet), the list
        is read now and the row of `ref` taken from it; else, or when the list does not show `ref`, the instance
        is read now (resolve_instance): a lone task costs what it did without the list.
        """
        with self.state.locked() as data:
            self._tidy(data)
            row = self._kept_row(data, ref, with_volumes)
            listed = self._read_list(data)["rows"] if row is None and self._full_list_pays(data) else None
        if row is None and listed is not None:
            row = by_id(listed, ref) or only_named(by_name(listed, ref), ref, "instance")
        return row if row is not None else resolve_instance(self.client, ref)

    def _kept_row(self, data, instance_id, with_volumes):
        """The newest kept row of this id when no write since makes it stale and it is settled; else None."""
        for kept in sorted((data[key] for key in KEPT_LISTS if key in data), key=lambda kept: -kept["at"]):
            row = by_id(kept["rows"], instance_id)
            if row is None:
                continue
            names = [row["name"]] + ([VOLUMES_OF % instance_id] if with_volumes else [])
            if is_settled(row) and not written_since(data, names, kept["at"]):
                return row
            return None
        return None

    def _named_rows(self, name, fresh):
        """(rows named `name`, when read, whether they came from a kept list)."""
        with self.state.locked() as data:
            now = self._tidy(data)
            kept = None if fresh else self._usable_list(data, now, name=name)
            if kept is not None:
                matches = by_name(kept["rows"], name)
                if len(matches) <= 1:
                    return matches, kept["at"], True
            if self._full_list_pays(data):
                listed = self._read_list(data)
                return by_name(listed["rows"], name), listed["at"], False
        looked_at = self.clock()
        return list_instances(self.client, name=name), looked_at, False

    def _usable_list(self, data, now, name):
        """The kept full list when it is young enough and not stale for `name`; else None."""
        kept = data.get("list")
        if kept is None or kept["at"] <= now - self.max_age:
            return None
        return None if written_since(data, [name], kept["at"]) else kept

    def _newest_after(self, data, now, after):
        """The newest kept list or first page read at or after `after` (and young enough), else None."""
        fresh = [data[key] for key in KEPT_LISTS
                 if key in data and data[key]["at"] >= after and data[key]["at"] > now - self.max_age]
        return max(fresh, key=lambda kept: kept["at"]) if fresh else None

    def _list_cost(self, data):
        cost = data.get("cost")
        return cost["requests"] if cost is not None else UNKNOWN_LIST_COST

    def _full_list_pays(self, data):
        """Whether reading the full list costs no more requests than the tasks running now would send without it."""
        return len(data["tasks"]) >= self._list_cost(data)

    def _first_page_pays(self, data):
        """Whether a wait should read the first page: another task may use it, and it likely holds every instance."""
        return len(data["tasks"]) >= 2 and self._list_cost(data) <= ONE_PAGE_COST

    def _read_list(self, data):
        """Read every instance (under the lock: the tasks that wait for it use it), keep it and what it cost."""
        started = self.clock()
        sent_before = self.client.request_count
        rows = list_instances(self.client)
        data["list"] = {"at": started, "rows": rows}
        data["cost"] = {"at": started, "requests": max(1, self.client.request_count - sent_before)}
        return data["list"]

    def _read_first_page(self, data):
        """Read the list's first page for the waits (under the lock: the tasks that wait for it use it), keep it."""
        started = self.clock()
        data["page"] = {"at": started, "rows": first_page_of_instances(self.client)}
        return data["page"]

    # --- what the file holds ---------------------------------------------------------------------------

    def _tidy(self, data):
        """As NamedWrites._tidy, and drop kept lists that are malformed or too old."""
        now = super()._tidy(data)
        for key in KEPT_LISTS:
            keep_valid_list(data, key, now, self.max_age)
        keep_valid_cost(data, now)
        return now


def aligned_pause(interval, clock=time.time):
    """Seconds to sleep for a waiter's `interval`: about as long, ending on a multiple of it in epoch time.

    Tasks that wait at the same interval (1, 2, 4, 8 s: each a multiple of the ones before) then wake together,
    so one read serves them all instead of one read each at staggered moments. Between half and one and a half
    intervals: never an almost immediate read after a write.
    """
    now = clock()
    return math.ceil((now + interval / 2.0) / interval) * interval - now


@contextlib.contextmanager
def noting_volume_writes(view, instance_ids):
    """Volume writes on these instances, noted while they run: a kept row no longer tells their volumes."""
    if view is None:
        yield
        return
    key = view.writing([VOLUMES_OF % instance_id for instance_id in instance_ids if instance_id])
    try:
        yield
    finally:
        view.written(key)


def look_up(view, client, name, fresh):
    """(the instances named `name`, when that answer was true, whether a kept list gave it: InstanceView.named):
    through the shared list when there is one, from a list read from now on when `fresh` (a task that looks again)."""
    if view is None:
        looked_at = time.time()
        return named_instances(client, name), looked_at, False
    return view.named(name, fresh=fresh)


def noted_write(view, names, looked_at=None):
    """A write of `names` noted in the shared list while it runs, until it is answered or judged by its effect (no
    note without a list): a create claims its name on the look-up made at `looked_at` (InstanceView.claimed)."""
    return contextlib.nullcontext() if view is None else view.claimed(names[0], looked_at, names[1:])


class ViewReader:
    """Reads one instance through the shared list, each time from a list newer than the one read before."""

    def __init__(self, view, instance_id):
        self.view, self.instance_id, self.after = view, instance_id, time.time()

    def __call__(self):
        current, seen_at = self.view.read(self.instance_id, self.after)
        self.after = max(self.after, seen_at) + NEWER
        return current


def instance_reference(view, client, ref, with_volumes=False):
    """The instance `ref` names, through the shared list when there is one (InstanceView.reference)."""
    return view.reference(ref, with_volumes) if view is not None else resolve_instance(client, ref)


def written_since(data, names, moment):
    """Whether a write of one of `names` is in flight or ended at or after `moment`."""
    return any(name in write["names"] and write_end(write) >= moment
               for name in names for write in data["writes"].values())


def write_end(write):
    """When a write ended; one in flight has not ended (it is later than any list)."""
    return float("inf") if write["done"] is None else write["done"]


def by_name(rows, name):
    return [row for row in rows if row["name"] == name]


def by_id(rows, instance_id):
    return next((row for row in rows if row["id"] == instance_id), None)


def process_alive(pid):
    """Whether a process of this id runs (signal 0 checks without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True   # it exists, under another user
    return True


# --- validation of what was read back ---------------------------------------------------------------------

def is_time(value, now):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value <= now + FUTURE_TOLERANCE


def is_rows(rows):
    """A list of rows with a string id and a string (or no) name."""
    return isinstance(rows, list) and all(isinstance(row, dict) and isinstance(row.get("id"), str)
                                          and isinstance(row.get("name"), (str, type(None))) for row in rows)


def is_row(row):
    return (isinstance(row, dict) and isinstance(row.get("id"), str) and isinstance(row.get("name"), str)
            and isinstance(row.get("status"), str))


def keep_valid_list(data, key, now, max_age):
    kept = data.get(key)
    if not (isinstance(kept, dict) and is_time(kept.get("at"), now) and kept["at"] > now - max_age
            and isinstance(kept.get("rows"), list) and all(is_row(row) for row in kept["rows"])):
        data.pop(key, None)


def keep_valid_cost(data, now):
    cost = data.get("cost")
    if not (isinstance(cost, dict) and is_time(cost.get("at"), now) and cost["at"] > now - COST_KEEP
            and isinstance(cost.get("requests"), int) and 1 <= cost["requests"] <= MAX_LIST_COST):
        data.pop("cost", None)


def is_valid_write(write, now):
    return (isinstance(write, dict) and is_time(write.get("at"), now) and isinstance(write.get("pid"), int)
            and isinstance(write.get("names"), list) and all(isinstance(name, str) for name in write["names"])
            and (write.get("done") is None or is_time(write["done"], now)))


def valid_dict(data, key):
    if not isinstance(data.get(key), dict):
        data[key] = {}
    return data[key]


def trim(entries, limit, age_key):
    """Keep the `limit` newest entries."""
    for key in sorted(entries, key=age_key)[:max(0, len(entries) - limit)]:
        del entries[key]
