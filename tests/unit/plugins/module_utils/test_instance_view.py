# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_state_instance_list.py: one instance list read serves the look-ups and waits of a fleet; never a name twice."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _state_instance_list as instance_view
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import InstanceView

from fakes import FakeClock, FakeSession, NoPacer, ok

RUNNING = {1001, 1002, 1003}     # process ids of the fleet's other tasks


def row(instance_id, name, status="active"):
    return {"instance_id": instance_id, "name": name, "status": status, "zone": {"zone_id": "KR1-Z08"},
            "default_account": {"username": "root", "password": "pw-of-%s" % name}}


def view_of(tmp_path, clock, *answers, pid=1000, access_key="test-access", max_age=20, alone=False):
    """A task (process `pid`) with its own client, answering requests from `answers` in order; `alone`: the
    fleet's other tasks have ended."""
    client = IwinvClient(access_key, "the-secret-key", api_url="https://api.test", session=FakeSession(*answers),
                         pacer=NoPacer(), clock=clock, sleep=clock.sleep)
    view = InstanceView(client, "https://api.test", access_key, max_age, directory=str(tmp_path), clock=clock,
                        is_alive=lambda other: (other in RUNNING and not alone) or other == pid)
    view.pid = pid
    return view


def sent(view):
    """The requests a task sent, as 'GET /v1/instances?name=web-1' style strings (query keys that matter)."""
    calls = view.client.session.calls
    return ["%s %s%s" % (call["method"], call["url"].replace("https://api.test", ""),
                         "?name=%s" % call["params"]["name"] if "name" in (call.get("params") or {}) else "")
            for call in calls]


def fleet_running(tmp_path, clock, count=3, access_key="test-access"):
    """`count` other tasks of the key are running now (they looked something up a moment ago)."""
    for pid in sorted(RUNNING)[:count]:
        view_of(tmp_path, clock, pid=pid, access_key=access_key).busy("anything")


def test_a_lone_task_looks_its_name_up_with_one_request_and_keeps_nothing(tmp_path):
    clock = FakeClock()
    view = view_of(tmp_path, clock, ok([]))
    assert view.named("web-1")[0] == []
    assert sent(view) == ["GET /v1/instances?name=web-1"]
    again = view_of(tmp_path, clock, ok([]), pid=1001)
    again.named("web-2")
    assert sent(again) == ["GET /v1/instances?name=web-2"]    # nothing was kept to answer it


def test_in_a_fleet_one_list_read_answers_every_free_name(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    first = view_of(tmp_path, clock, ok([row("i-1", "db-1")]))
    assert first.named("web-1")[0] == []
    assert sent(first) == ["GET /v1/instances"]
    for pid, name in ((1001, "web-2"), (1002, "web-3")):
        other = view_of(tmp_path, clock, pid=pid)        # no answer queued: a request would fail the test
        assert other.named(name)[0] == []


def test_an_instance_found_in_the_kept_list_is_kept_and_read_by_id_only_when_refreshed(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    first = view_of(tmp_path, clock, ok([row("i-1", "db-1", "active")]))
    assert first.named("web-1")[2] is False                              # its own read: not a kept one
    other = view_of(tmp_path, clock, ok([row("i-1", "db-1", "off")]), pid=1001)
    found, looked_at, kept = other.named("db-1")
    assert kept and [instance["status"] for instance in found] == ["active"] and sent(other) == []
    assert "password" not in json.dumps(found)
    found, refreshed_at = other.refreshed(found[0], "db-1", looked_at)   # before a write (the engine's refresh)
    assert [instance["status"] for instance in found] == ["off"]          # as read now, not as kept
    assert sent(other) == ["GET /v1/instances/i-1"] and refreshed_at == looked_at


@pytest.mark.parametrize("by_id", [ok([row("i-1", "db-2")]), ok([])], ids=["renamed", "deleted"])
def test_a_kept_match_renamed_or_deleted_before_the_refresh_is_looked_up_again(tmp_path, by_id):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    view_of(tmp_path, clock, ok([row("i-1", "db-1")])).named("web-1")
    clock.now += 5
    other = view_of(tmp_path, clock, by_id, ok([row("i-2", "db-1")]), pid=1001)
    found, looked_at, kept = other.named("db-1")
    assert kept and [instance["id"] for instance in found] == ["i-1"]
    clock.now += 1
    found, refreshed_at = other.refreshed(found[0], "db-1", looked_at)
    assert [instance["id"] for instance in found] == ["i-2"] and refreshed_at == clock.now > looked_at
    assert sent(other) == ["GET /v1/instances/i-1", "GET /v1/instances"]   # a fresh list: the claim's new time


def test_a_kept_list_that_shows_a_name_twice_is_not_trusted(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock, count=0)
    fleet_running(tmp_path, clock, count=1)
    view_of(tmp_path, clock, ok([row("i-1", "db"), row("i-2", "db")]), pid=1002).named("web-1")
    other = view_of(tmp_path, clock, ok([row("i-1", "db")]), pid=1003)
    found, unused, kept = other.named("db")
    assert [instance["id"] for instance in found] == ["i-1"] and sent(other) == ["GET /v1/instances"] and not kept


@pytest.mark.parametrize("max_age, kept", [(20, 20), (86400, 300)])   # an age above 300 s counts as 300
def test_the_kept_list_expires_after_max_age(tmp_path, max_age, kept):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    view_of(tmp_path, clock, ok([]), max_age=max_age).named("web-1")
    clock.now += kept - 1
    assert view_of(tmp_path, clock, pid=1001, max_age=max_age).named("web-2")[0] == []
    clock.now += 2
    late = view_of(tmp_path, clock, ok([]), pid=1002, max_age=max_age)
    late.named("web-3")
    assert sent(late) == ["GET /v1/instances"]


def test_a_name_written_since_the_list_was_read_is_looked_up_again(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    view_of(tmp_path, clock, ok([])).named("web-1")
    writer = view_of(tmp_path, clock, pid=1001)
    clock.now += 1
    key = writer.claim("web-1", clock.now - 1)
    assert key is not None
    while_in_flight = view_of(tmp_path, clock, ok([]), pid=1002)
    while_in_flight.named("web-1")
    assert sent(while_in_flight) == ["GET /v1/instances"]     # a write in flight: the kept list is not used
    clock.now += 1
    writer.written(key)
    after = view_of(tmp_path, clock, ok([row("i-9", "web-1")]), pid=1003)
    found, unused, kept = after.named("web-1")
    assert [instance["id"] for instance in found] == ["i-9"] and not kept   # its own list read: no read by id
    assert sent(after) == ["GET /v1/instances"]
    other_name = view_of(tmp_path, clock, pid=1002)
    assert other_name.named("web-2")[0] == []                 # other names still use the kept list


def test_a_claim_fails_while_another_task_creates_the_name_or_after_it_did(tmp_path):
    clock = FakeClock()
    first, second = view_of(tmp_path, clock, pid=1001), view_of(tmp_path, clock, pid=1002)
    looked_at = clock.now
    key = first.claim("web-1", looked_at)
    assert key is not None and second.claim("web-1", looked_at) is None and second.busy("web-1")
    clock.now += 2
    first.written(key)
    assert not second.busy("web-1")
    assert second.claim("web-1", looked_at) is None           # created after the second task looked
    assert second.claim("web-1", clock.now + 1) is not None   # looked again after it was created
    assert second.claim("web-2", looked_at) is not None       # other names are free


def test_a_write_of_a_task_that_died_counts_as_ended_when_seen(tmp_path):
    clock = FakeClock()
    key = view_of(tmp_path, clock, pid=4242).claim("web-1", clock.now)   # 4242 is not running
    assert key is not None
    survivor = view_of(tmp_path, clock, pid=1001)
    assert not survivor.busy("web-1")
    assert survivor.claim("web-1", clock.now - 1) is None      # what it did may show only in lists read from now
    clock.now += 1
    assert survivor.claim("web-1", clock.now) is not None


def test_a_write_in_flight_for_too_long_counts_as_ended(tmp_path):
    clock = FakeClock()
    view_of(tmp_path, clock, pid=1001).claim("web-1", clock.now)
    clock.now += instance_view.IN_FLIGHT_MAX + 1
    assert not view_of(tmp_path, clock, pid=1002).busy("web-1")


def test_waiting_tasks_share_one_read_per_poll(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    created = clock.now
    clock.now += 1
    first = view_of(tmp_path, clock, ok([row("i-1", "web-1", "building"), row("i-2", "web-2", "active")]))
    current, seen_at = first.read("i-1", created)
    assert current["status"] == "building" and sent(first) == ["GET /v1/instances"]
    second = view_of(tmp_path, clock, pid=1001)
    assert second.read("i-2", created)[0]["status"] == "active"       # the same read served it
    clock.now += 2
    third = view_of(tmp_path, clock, ok([row("i-1", "web-1", "active")]), pid=1002)
    assert third.read("i-1", seen_at + instance_view.NEWER)[0]["status"] == "active"
    assert sent(third) == ["GET /v1/instances"]                       # newer news than the kept list was asked for


def test_a_wait_reads_one_page_and_an_instance_missing_from_it_by_id(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock, count=1)
    full_page = [row("i-%d" % n, "vm-%d" % n) for n in range(100)]
    view = view_of(tmp_path, clock, ok(full_page, page_size=100), ok([row("i-new", "web-1", "building")]))
    assert view.read("i-new", clock.now)[0]["status"] == "building"
    assert sent(view) == ["GET /v1/instances", "GET /v1/instances/i-new"]     # no second page for a wait
    other = view_of(tmp_path, clock, ok([]), pid=1001)
    assert other.read("i-7", clock.now - 1)[0]["id"] == "i-7"                  # the page serves other waits
    assert other.named("web-2")[0] == []                                        # but never a look-up (partial)
    assert sent(other) == ["GET /v1/instances?name=web-2"]


def test_waits_read_by_id_when_the_list_takes_several_pages(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    pages = [ok([row("i-%d" % n, "vm-%d" % n) for n in range(start, end)], page_size=100)
             for start, end in ((0, 100), (100, 200), (200, 220))]
    view_of(tmp_path, clock, *pages).named("web-1")                                # 3 requests
    waiter = view_of(tmp_path, clock, ok([row("i-new", "web-1", "building")]), pid=1001)
    clock.now += 1
    waiter.read("i-new", clock.now)
    assert sent(waiter) == ["GET /v1/instances/i-new"]


def test_a_lone_waiter_reads_its_instance_by_id(tmp_path):
    clock = FakeClock()
    view = view_of(tmp_path, clock, ok([row("i-1", "web-1", "building")]))
    assert view.read("i-1", clock.now)[0]["status"] == "building"
    assert sent(view) == ["GET /v1/instances/i-1"]


def test_an_instance_missing_from_the_list_is_read_by_id(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    view = view_of(tmp_path, clock, ok([]), ok([row("i-1", "web-1", "building")]))
    assert view.read("i-1", clock.now)[0]["id"] == "i-1"
    assert sent(view) == ["GET /v1/instances", "GET /v1/instances/i-1"]


def test_a_list_of_several_pages_is_read_only_when_as_many_tasks_run(tmp_path):
    clock = FakeClock()
    page = [row("i-%d" % n, "vm-%d" % n) for n in range(100)]
    fleet_running(tmp_path, clock, count=1)
    two_tasks = view_of(tmp_path, clock, ok(page, page_size=100), ok([row("i-x", "vm-x")], page_size=100))
    two_tasks.named("web-1")
    assert sent(two_tasks) == ["GET /v1/instances", "GET /v1/instances"]      # 2 tasks, 2 pages: it pays
    clock.now += 30                                                              # the list expired; its cost is known
    lone = view_of(tmp_path, clock, ok([]), pid=1001)
    RUNNING.discard(1002)
    try:
        lone.named("web-2")
    finally:
        RUNNING.add(1002)
    assert sent(lone) == ["GET /v1/instances?name=web-2"]


def test_the_file_holds_no_secret_and_is_per_key(tmp_path):
    clock = FakeClock()
    for key in ("key-one", "key-two"):
        fleet_running(tmp_path, clock, access_key=key)
    view_of(tmp_path, clock, ok([row("i-1", "web-1")]), access_key="key-one").named("web-2")
    other_key = view_of(tmp_path, clock, ok([]), access_key="key-two", pid=1001)
    other_key.named("web-3")
    assert sent(other_key) == ["GET /v1/instances"]        # another key's list is never used
    files = os.listdir(str(tmp_path))
    text = "".join(open(os.path.join(str(tmp_path), name), encoding="utf-8").read() for name in files)
    assert "pw-of-web-1" not in text and "the-secret-key" not in text and "key-one" not in "".join(files)


@pytest.mark.parametrize("stored", [
    {"list": {"at": 1710000000.0, "rows": [{"id": "i-1"}]}},                           # a row without name/status
    {"list": {"at": 1710000000.0 + 3600, "rows": []}},                                 # dated in the future
    {"list": "nonsense", "cost": {"at": 1710000000.0, "requests": -5}, "tasks": [], "writes": {"x": 1}},
])
def test_what_the_file_holds_is_checked_before_use(tmp_path, stored):
    clock = FakeClock()
    view = view_of(tmp_path, clock, ok([]))
    with view.state.locked() as data:
        data.update(stored)
    view.named("web-1")
    assert sent(view) == ["GET /v1/instances?name=web-1"]     # nothing kept was trusted


@pytest.mark.parametrize("interval", [1.0, 2.0, 4.0, 8.0, 10.0])
@pytest.mark.parametrize("offset", [0.0, 0.3, 0.49, 0.5, 0.51, 0.99])
def test_waits_at_one_interval_wake_together(interval, offset):
    """Tasks that started at different moments wake on the same multiple of their interval."""
    now = 1710000000.0 + offset * interval
    pause = instance_view.aligned_pause(interval, clock=lambda: now)
    assert interval / 2 <= pause < interval * 1.5
    assert (now + pause) / interval == pytest.approx(round((now + pause) / interval))


def test_a_write_ends_cleanly_when_the_file_was_emptied_meanwhile(tmp_path):
    clock = FakeClock()
    view = view_of(tmp_path, clock)
    key = view.writing(["web-1"])
    with view.state.locked() as data:
        data.clear()
        data["writes"] = "nonsense"
    view.written(key)                      # no error: there is nothing left to end
    assert not view.busy("web-1")


# --- references of volume and firewall tasks (issue 28) ----------------------------------------------------

def kept_after_create(tmp_path, clock, status="active"):
    """A fleet whose waits read a list showing i-1 (web-1) after web-1's create was answered."""
    fleet_running(tmp_path, clock)
    creator = view_of(tmp_path, clock, pid=1001)
    key = creator.claim("web-1", clock.now)
    clock.now += 1
    creator.written(key)
    clock.now += 1
    waiter = view_of(tmp_path, clock, ok([row("i-1", "web-1", status), row("i-2", "web-2")]), pid=1002)
    waiter.read("i-1", clock.now - 1)
    clock.now += 1


def test_an_instance_kept_since_its_last_write_serves_a_reference_by_id_without_a_request(tmp_path):
    clock = FakeClock()
    kept_after_create(tmp_path, clock)
    volume_task = view_of(tmp_path, clock)        # no answer queued: a request would fail the test
    found = volume_task.reference("i-1", with_volumes=True)
    assert (found["id"], found["name"], found["zone"]["id"]) == ("i-1", "web-1", "KR1-Z08")
    assert "password" not in json.dumps(found)


# Where an instance not served by a kept row is read: in a fleet the shared list (read now, kept for the other
# tasks), alone by id (as without the list).
READ_NOW = {False: "GET /v1/instances", True: "GET /v1/instances/i-1"}


@pytest.mark.parametrize("alone", [False, True])
def test_a_kept_row_is_never_trusted_for_an_instance_written_after_the_list_was_read(tmp_path, alone):
    clock = FakeClock()
    kept_after_create(tmp_path, clock)
    key = view_of(tmp_path, clock, pid=1003).writing(["web-1", "web-1-renamed"])   # an edit of web-1
    clock.now += 1
    view_of(tmp_path, clock, pid=1003).written(key)
    firewall_task = view_of(tmp_path, clock, ok([row("i-1", "web-1-renamed")]), alone=alone)
    assert firewall_task.reference("i-1")["name"] == "web-1-renamed"     # as read now
    assert sent(firewall_task) == [READ_NOW[alone]]


@pytest.mark.parametrize("alone", [False, True])
def test_a_volume_task_reads_the_instance_again_after_another_volume_write_on_it(tmp_path, alone):
    clock = FakeClock()
    kept_after_create(tmp_path, clock)
    with instance_view.noting_volume_writes(view_of(tmp_path, clock, pid=1003), ["i-1", None]):
        clock.now += 1
    carrying = dict(row("i-1", "web-1"), block_storage=[{"block_storage_id": "bs-1"}])
    volume_task = view_of(tmp_path, clock, ok([carrying]), alone=alone)
    assert volume_task.reference("i-1", with_volumes=True)["block_storages"] == ["bs-1"]
    assert sent(volume_task) == [READ_NOW[alone]]
    firewall_task = view_of(tmp_path, clock, pid=1002)   # its name was not written: the kept row still serves
    assert firewall_task.reference("i-1")["id"] == "i-1"


@pytest.mark.parametrize("ref, status", [("i-1", "building"), ("i-7", "active")])   # busy when read; not kept
def test_an_instance_not_kept_settled_is_read_by_id_by_a_lone_task(tmp_path, ref, status):
    clock = FakeClock()
    kept_after_create(tmp_path, clock, status=status)
    task = view_of(tmp_path, clock, ok([row(ref, "db-7")]), alone=True)
    assert task.reference(ref)["id"] == ref
    assert sent(task) == ["GET /v1/instances/%s" % ref]


def test_a_kept_row_serves_no_reference_once_the_list_is_older_than_max_age(tmp_path):
    clock = FakeClock()
    kept_after_create(tmp_path, clock)
    clock.now += instance_view.DEFAULT_MAX_AGE
    task = view_of(tmp_path, clock, ok([row("i-1", "web-1")]), alone=True)
    task.reference("i-1")
    assert sent(task) == ["GET /v1/instances/i-1"]


def test_in_a_fleet_references_not_kept_share_one_list_read_under_the_lock(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    listed = [row("i-%d" % number, "web-%d" % number) for number in range(1, 4)]
    first = view_of(tmp_path, clock, ok(listed))
    assert first.reference("i-1")["name"] == "web-1" and sent(first) == ["GET /v1/instances"]
    for pid, ref in ((1001, "i-2"), (1002, "i-3")):
        other = view_of(tmp_path, clock, pid=pid)          # no answer queued: a request would fail the test
        assert other.reference(ref)["id"] == ref
        assert "password" not in json.dumps(other.reference(ref))


def test_in_a_fleet_a_reference_by_name_takes_the_one_listed_row_and_several_fail_as_without_the_list(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    task = view_of(tmp_path, clock, ok([row("i-1", "web-1"), row("i-2", "db"), row("i-3", "db")]))
    assert task.reference("web-1")["id"] == "i-1"
    assert sent(task) == ["GET /v1/instances"]
    clock.now += instance_view.DEFAULT_MAX_AGE + 1
    again = view_of(tmp_path, clock, ok([row("i-2", "db"), row("i-3", "db")]), pid=1001)
    with pytest.raises(instance_view.IwinvError, match="ambiguous.*i-2, i-3"):
        again.reference("db")


def test_in_a_fleet_a_reference_the_fresh_list_does_not_show_is_read_by_id(tmp_path):
    clock = FakeClock()
    fleet_running(tmp_path, clock)
    task = view_of(tmp_path, clock, ok([row("i-1", "web-1")]), ok([row("i-9", "new-9")]))
    assert task.reference("i-9")["name"] == "new-9"     # a list is no proof that a row is not there
    assert sent(task) == ["GET /v1/instances", "GET /v1/instances/i-9"]


# --- name claims of other kinds (the firewall) ---------------------------------------------------------------

def claims_of(tmp_path, clock, pid):
    claims = instance_view.NamedWrites("firewalls", "https://api.test", "test-access", directory=str(tmp_path),
                                       clock=clock, is_alive=lambda other: other in RUNNING or other == pid)
    claims.pid = pid
    return claims


class Waits:
    """TaskRun.wait as the claim loop uses it: polls `read` until `is_done`, advancing the clock."""

    def __init__(self, clock, on_poll):
        self.clock, self.on_poll, self.polls = clock, on_poll, 0

    def wait(self, read, is_done, what, status_of=None):
        while not is_done(read()):
            self.polls += 1
            self.clock.now += 1
            self.on_poll()


def test_a_second_task_creating_one_firewall_name_waits_for_the_first_then_looks_again(tmp_path):
    clock = FakeClock()
    first, second = claims_of(tmp_path, clock, 1001), claims_of(tmp_path, clock, 1002)
    second_looked_at = clock.now
    first_claim = first.claimed("fw", clock.now)
    first_claim.__enter__()                                   # the first task is creating the firewall
    looks, created = [], []

    def second_task():
        looked_at = second_looked_at if not looks else clock.now + 0.5   # a look-up after the wait
        looks.append(looked_at)
        with second.claimed("fw", looked_at):
            created.append(clock.now)

    waits = Waits(clock, on_poll=lambda: first_claim.__exit__(None, None, None) if waits.polls == 2 else None)
    instance_view.run_claimed(waits, second, "fw", second_task, "firewall 'fw'")
    assert len(looks) == 2 and waits.polls == 2               # looked again once the first task's write ended
    assert len(created) == 1                                  # and only then wrote (a fresh look-up decides)


def test_a_claim_made_again_and_again_by_others_ends_in_a_clear_error(tmp_path):
    clock = FakeClock()
    claims = claims_of(tmp_path, clock, 1002)

    def always_taken():
        raise instance_view.NameTaken()

    with pytest.raises(instance_view.IwinvError, match="again and again; give each task its own name"):
        instance_view.run_claimed(Waits(clock, on_poll=lambda: None), claims, "fw", always_taken, "firewall 'fw'")


def test_a_write_by_id_is_noted_without_a_claim(tmp_path):
    clock = FakeClock()
    writer, other = claims_of(tmp_path, clock, 1001), claims_of(tmp_path, clock, 1002)
    with other.claimed("fw", clock.now):
        with writer.claimed("fw", None):                      # by id: noted even while another task writes it
            assert other.busy("fw") and writer.busy("fw")


def kept_list_of(tmp_path, clock, pid):
    kept = instance_view.KeptList("firewalls", "https://api.test", "test-access", directory=str(tmp_path), clock=clock,
                                  is_alive=lambda other: other in RUNNING or other == pid)
    kept.pid = pid
    return kept


class Reads:
    """A read of the whole list, counted."""

    def __init__(self, *rows):
        self.rows, self.count = list(rows), 0

    def __call__(self):
        self.count += 1
        return list(self.rows)


def test_the_firewall_look_ups_of_a_fleet_share_one_list_read(tmp_path):
    clock = FakeClock()
    reads = Reads({"id": "FIREWALL-a", "name": "fw"})
    looked = [kept_list_of(tmp_path, clock, pid).named("fw", reads, "/v1/security-groups") for pid in sorted(RUNNING)]
    assert reads.count == 1 and all(rows == [{"id": "FIREWALL-a", "name": "fw"}] for rows, unused in looked)
    assert {at for unused, at in looked} == {clock.now}                   # when the list was read: claims compare it
    kept_list_of(tmp_path, clock, 1001).named("fw", reads, "/v1/firewall")   # the other family's list
    assert reads.count == 2


def test_a_kept_firewall_list_is_never_trusted_for_a_name_written_after_it_was_read(tmp_path):
    clock = FakeClock()
    reads = Reads()
    kept_list_of(tmp_path, clock, 1001).named("fw", reads, "/v1/firewall")
    clock.now += 1
    with kept_list_of(tmp_path, clock, 1002).claimed("fw", clock.now - 1):
        clock.now += 1
        reads.rows = [{"id": "FIREWALL-b", "name": "fw"}]
    clock.now += 1
    rows, at = kept_list_of(tmp_path, clock, 1003).named("fw", reads, "/v1/firewall")
    assert rows == [{"id": "FIREWALL-b", "name": "fw"}] and reads.count == 2 and at == clock.now
    assert kept_list_of(tmp_path, clock, 1001).named("other", reads, "/v1/firewall")[0] == []
    assert reads.count == 2                                                # other names use the new list
    clock.now += instance_view.DEFAULT_MAX_AGE
    kept_list_of(tmp_path, clock, 1001).named("other", reads, "/v1/firewall")
    assert reads.count == 3                                                # too old


# --- waits that share their reads (firewall attachments, volumes) ------------------------------------------

def test_tasks_waiting_on_one_firewall_share_each_read_of_its_attachments(tmp_path):
    clock = FakeClock()
    reads = Reads({"id": "i-1", "name": "web-1"})
    first = instance_view.shared_poll(kept_list_of(tmp_path, clock, 1001), "/v1/firewall FIREWALL-a", reads)
    second = instance_view.shared_poll(kept_list_of(tmp_path, clock, 1002), "/v1/firewall FIREWALL-a", reads)
    assert first() == second() == [{"id": "i-1", "name": "web-1"}] and reads.count == 1
    reads.rows.append({"id": "i-2", "name": "web-2"})
    clock.now += 1
    assert len(first()) == 2 and reads.count == 2             # each poll asks for a read newer than its last
    assert len(second()) == 2 and reads.count == 2            # which the other task's poll made
    clock.now += 1
    late = instance_view.shared_poll(kept_list_of(tmp_path, clock, 1003), "/v1/firewall FIREWALL-a", reads)
    late()
    assert reads.count == 3                                   # a read made before its wait began is not used


class CountingClient:
    """request_count as IwinvClient keeps it; each list read costs `pages` requests."""

    def __init__(self, pages=1):
        self.request_count, self.pages = 0, pages


def volume_waits(tmp_path, clock, pid, client, rows, by_id_reads):
    def read_all():
        client.request_count += client.pages
        return list(rows)

    def read_one():
        by_id_reads.append(pid)
        return {"id": "bs-9", "name": "late", "status": "creating"}
    return instance_view.shared_row_poll(kept_list_of(tmp_path, clock, pid), client, "volumes", read_all, "bs-%d" % pid,
                                         read_one)


def test_waiting_volume_tasks_share_one_list_read_and_read_a_missing_volume_by_id(tmp_path):
    clock = FakeClock()
    fleet_running_volumes = [kept_list_of(tmp_path, clock, pid).busy("x") for pid in sorted(RUNNING)]
    assert not any(fleet_running_volumes)
    client, by_id_reads = CountingClient(), []
    rows = [{"id": "bs-1001", "name": "a", "status": "attached"}, {"id": "bs-1002", "name": "b", "status": "creating"}]
    assert volume_waits(tmp_path, clock, 1001, client, rows, by_id_reads)()["status"] == "attached"
    assert volume_waits(tmp_path, clock, 1002, client, rows, by_id_reads)()["status"] == "creating"
    assert client.request_count == 1 and by_id_reads == []
    assert volume_waits(tmp_path, clock, 1003, client, rows, by_id_reads)()["name"] == "late"
    assert by_id_reads == [1003]                              # missing from the list: read by id, never "gone"


def test_a_volume_list_of_more_pages_than_tasks_running_is_not_shared(tmp_path):
    clock = FakeClock()
    for pid in sorted(RUNNING):
        kept_list_of(tmp_path, clock, pid).busy("x")
    client, by_id_reads = CountingClient(pages=4), []
    rows = [{"id": "bs-1001", "name": "a", "status": "attached"}]
    volume_waits(tmp_path, clock, 1001, client, rows, by_id_reads)()
    clock.now += 1
    volume_waits(tmp_path, clock, 1001, client, rows, by_id_reads)()
    assert client.request_count == 4 and by_id_reads == [1001]   # 4 pages for 3 tasks: by id


def test_a_lone_volume_task_reads_its_volume_by_id(tmp_path):
    client, by_id_reads = CountingClient(), []
    volume_waits(tmp_path, FakeClock(), 1001, client, [], by_id_reads)()
    assert client.request_count == 0 and by_id_reads == [1001]


# --- volume look-ups through the shared volume list ------------------------------------------------------------

def volume_row(volume_id, name, status="attached"):
    return {"block_storage_id": volume_id, "name": name, "type": "ssd", "size": 20, "zone_id": "KR1-Z08",
            "instance_id": "i-1", "status": status}


def volume_task(tmp_path, clock, pid, *answers):
    """(a task's KeptList of volumes, its client) answering from `answers`."""
    client = view_of(tmp_path, clock, *answers, pid=pid).client
    return kept_list_of(tmp_path, clock, pid), client


def volume_fleet_running(tmp_path, clock):
    for pid in sorted(RUNNING):
        kept_list_of(tmp_path, clock, pid).busy("anything")


def volumes_sent(client):
    return ["%s %s%s" % (call["method"], call["url"].replace("https://api.test", ""),
                         "?name=%s" % call["params"]["name"] if "name" in (call.get("params") or {}) else "")
            for call in client.session.calls]


def test_a_lone_volume_task_looks_its_name_up_with_the_name_filter(tmp_path):
    clock = FakeClock()
    kept, client = volume_task(tmp_path, clock, 1001, ok([]))
    assert instance_view.find_volume(kept, client, None, "web-1-data")[0] is None
    assert volumes_sent(client) == ["GET /v1/block-storages?name=web-1-data"]


def test_in_a_fleet_one_volume_list_read_answers_every_name_and_a_kept_volume_is_read_by_id_when_refreshed(tmp_path):
    clock = FakeClock()
    volume_fleet_running(tmp_path, clock)
    kept, client = volume_task(tmp_path, clock, 1001, ok([volume_row("bs-1", "db-data")]))
    assert instance_view.find_volume(kept, client, None, "web-1-data") == (None, clock.now, False)
    assert volumes_sent(client) == ["GET /v1/block-storages"]
    clock.now += 1
    kept, client = volume_task(tmp_path, clock, 1002)                    # no answer queued: no request
    assert instance_view.find_volume(kept, client, None, "web-2-data")[0] is None
    kept, client = volume_task(tmp_path, clock, 1003, ok([volume_row("bs-1", "db-data", "detaching")]))
    found, looked_at, from_kept = instance_view.find_volume(kept, client, None, "db-data")
    assert from_kept and found["status"] == "attached" and volumes_sent(client) == []   # decides "unchanged" as kept
    found, unused = instance_view.refreshed_volume(kept, client, found, "db-data", looked_at)
    assert found["status"] == "detaching"                                # before a write: as read now, not as kept
    assert volumes_sent(client) == ["GET /v1/block-storages/bs-1"]


def test_a_kept_volume_deleted_before_the_refresh_is_looked_up_again(tmp_path):
    clock = FakeClock()
    volume_fleet_running(tmp_path, clock)
    instance_view.find_volume(*volume_task(tmp_path, clock, 1001, ok([volume_row("bs-1", "db-data")])), None, "x")
    clock.now += 1
    kept, client = volume_task(tmp_path, clock, 1002, ok([]), ok([]))
    found, looked_at, from_kept = instance_view.find_volume(kept, client, None, "db-data")
    assert from_kept and found["id"] == "bs-1"
    clock.now += 1
    assert instance_view.refreshed_volume(kept, client, found, "db-data", looked_at) == (None, clock.now)
    assert volumes_sent(client) == ["GET /v1/block-storages/bs-1", "GET /v1/block-storages?name=db-data"]


def test_a_kept_volume_list_is_never_trusted_for_a_name_written_after_it_was_read(tmp_path):
    clock = FakeClock()
    volume_fleet_running(tmp_path, clock)
    kept, client = volume_task(tmp_path, clock, 1001, ok([]))
    looked_at = instance_view.find_volume(kept, client, None, "web-1-data")[1]
    clock.now += 1
    with kept_list_of(tmp_path, clock, 1002).claimed("web-1-data", looked_at):   # another task creates it
        clock.now += 1
    with pytest.raises(instance_view.NameTaken):
        with kept.claimed("web-1-data", looked_at):                      # this task's create must look again
            pass
    kept, client = volume_task(tmp_path, clock, 1003, ok([volume_row("bs-2", "web-1-data")]),
                               ok([volume_row("bs-2", "web-1-data")]))
    found, unused, from_kept = instance_view.find_volume(kept, client, None, "web-1-data")
    assert found["id"] == "bs-2" and not from_kept                       # its own read of the list: no read by id
    assert volumes_sent(client) == ["GET /v1/block-storages"]


def test_a_volume_list_of_two_pages_is_shared_by_three_waiting_tasks(tmp_path):
    clock = FakeClock()
    for pid in sorted(RUNNING):
        kept_list_of(tmp_path, clock, pid).busy("x")
    client, by_id_reads = CountingClient(pages=2), []
    rows = [{"id": "bs-%d" % pid, "name": "v", "status": "attached"} for pid in sorted(RUNNING)]
    for pid in sorted(RUNNING):
        volume_waits(tmp_path, clock, pid, client, rows, by_id_reads)()
    assert client.request_count == 2 and by_id_reads == []
