# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Refresh before act, end to end (issue 28): in a fleet, an instance or volume found in the kept list decides
"unchanged" with no read by id; a write is planned on the object read by id first (the engine's refresh)."""

from __future__ import annotations

import os

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import InstanceView, KeptList
from ansible_collections.iwinv.cloud.plugins.modules import iwinv_block_storage, iwinv_firewall, iwinv_instance

from module_runner import emulator_args, run_module

NAME = "kept-00001"


def fleet_running(emulator, kind):
    """The test's parent process (alive) noted as a running task of the key, as a fork of a fleet would be."""
    if kind == "instances":
        client = IwinvClient(emulator.access_key, emulator.secret_key, api_url=emulator.url, rate_limit=0)
        noted = InstanceView(client, emulator.url, emulator.access_key)
    else:
        noted = KeptList(kind, emulator.url, emulator.access_key)
    noted.pid = os.getppid()
    noted.busy("nothing")


def sent(emulator):
    return ["%s %s" % (entry["method"], entry["path"]) for entry in emulator.requests()]


def instance(emulator, **options):
    return run_module(iwinv_instance.main, emulator_args(emulator, name=NAME, **options))


@pytest.fixture
def kept_instance(emulator):
    """An instance of a fleet whose list is kept: the look-up that read it is done. Its id."""
    instance_id = emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="kept")["instance_ids"][0]
    kept_in_fleet(emulator, "instances", instance, "/v1/instances")
    return instance_id


def kept_in_fleet(emulator, kind, task, path, **options):
    """A fleet runs; a first task (its own list read: no read by id either) leaves the list of `kind` kept."""
    fleet_running(emulator, kind)
    assert task(emulator, **options)["changed"] is False
    assert sent(emulator) == ["GET " + path]
    emulator.clear_requests()


def test_a_kept_instance_decides_unchanged_with_no_request(emulator, kept_instance):
    result = instance(emulator, state="started")
    assert result["changed"] is False and result["instance"]["id"] == kept_instance
    assert sent(emulator) == []


def test_a_change_is_planned_on_the_instance_read_by_id_which_may_show_it_done(emulator, kept_instance):
    emulator.ok("PUT", "/v1/instances/%s" % kept_instance, form={"description": "set-elsewhere"})
    emulator.clear_requests()
    result = instance(emulator, description="set-elsewhere")   # the kept row still shows the old one
    assert result["changed"] is False and result["instance"]["description"] == "set-elsewhere"
    assert sent(emulator) == ["GET /v1/instances/%s" % kept_instance]
    emulator.clear_requests()
    result = instance(emulator, description="new")
    assert result["changed"] is True and result["diff"]["before"]["description"] == "set-elsewhere"
    assert sent(emulator) == ["GET /v1/instances/%s" % kept_instance, "PUT /v1/instances/%s" % kept_instance]


def test_a_kept_list_is_never_trusted_for_a_name_this_controller_wrote_after_it_was_read(emulator, kept_instance):
    assert instance(emulator, description="new")["changed"] is True
    emulator.clear_requests()
    assert instance(emulator, description="new")["changed"] is False
    assert sent(emulator) == ["GET /v1/instances"]            # a list read again, its own: no read by id


def test_a_kept_instance_renamed_before_the_refresh_is_never_deleted(emulator, kept_instance):
    emulator.ok("PUT", "/v1/instances/%s" % kept_instance, form={"name": "renamed"})
    emulator.clear_requests()
    result = instance(emulator, state="absent")
    assert result["changed"] is False, result
    assert sent(emulator) == ["GET /v1/instances/%s" % kept_instance, "GET /v1/instances"]   # looked up again
    assert kept_instance in emulator.state()["instances"]


def volume(emulator, **options):
    return run_module(iwinv_block_storage.main, emulator_args(emulator, name="kept-data", **options))


@pytest.fixture
def kept_volume(emulator):
    """A detached volume of a fleet whose volume list is kept. Its id."""
    volume_id = emulator.bulk_volumes(1, names=["kept-data"])["block_storage_ids"][0]
    kept_in_fleet(emulator, "volumes", volume, "/v1/block-storages", state="detached")
    return volume_id


def test_a_kept_volume_decides_unchanged_with_no_request(emulator, kept_volume):
    result = volume(emulator, state="detached")
    assert result["changed"] is False and result["block_storage"]["id"] == kept_volume
    assert sent(emulator) == []


def test_a_kept_volume_is_read_by_id_once_before_its_delete(emulator, kept_volume):
    result = volume(emulator, state="absent")
    assert result["changed"] is True
    requests = sent(emulator)
    assert requests[:2] == ["GET /v1/block-storages/%s" % kept_volume, "DELETE /v1/block-storages/%s" % kept_volume]
    assert requests.count("GET /v1/block-storages/%s" % kept_volume) >= 1   # the rest: the wait for it to go


def test_a_kept_volume_deleted_before_the_refresh_is_looked_up_again(emulator, kept_volume):
    emulator.ok("DELETE", "/v1/block-storages/%s" % kept_volume)
    emulator.wait_for(lambda: kept_volume not in emulator.state()["volumes"])
    emulator.clear_requests()
    result = volume(emulator, state="absent")
    assert result["changed"] is False and result["block_storage"] == {}
    assert sent(emulator) == ["GET /v1/block-storages/%s" % kept_volume, "GET /v1/block-storages"]


def test_a_firewall_being_written_by_another_task_is_looked_up_only_once_that_write_ends(emulator):
    """A list read while another task of the fleet creates or changes the name would be stale at once (written
    since): the task waits first, with no request, and reads the list once the write is answered."""
    writer = KeptList("firewalls", emulator.url, emulator.access_key)
    writer.pid = os.getppid()   # the test's parent process: alive, as the fork that creates the firewall would be
    writer.writing(["fleet-fw"])
    result = run_module(iwinv_firewall.main, emulator_args(emulator, name="fleet-fw", firewall_api="security-groups",
                                                           wait_timeout=2))
    assert result["failed"] is True and "another task's write of firewall 'fleet-fw'" in result["msg"], result
    assert sent(emulator) == []
