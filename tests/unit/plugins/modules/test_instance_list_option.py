# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""instance_list_max_age end to end: while another task of the key runs, module runs share the instance list."""

from __future__ import annotations

import os

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import InstanceView
from ansible_collections.iwinv.cloud.plugins.modules import iwinv_instance

from module_runner import emulator_args, run_module

CREATE = {"name": "web-1", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "img-ubuntu-2204",
          "_ansible_check_mode": True}


def another_task_runs(emulator):
    """The test's parent process (alive) noted as a running task of the key, as a fork of a fleet would be."""
    client = IwinvClient(emulator.access_key, emulator.secret_key, api_url=emulator.url, rate_limit=0)
    view = InstanceView(client, emulator.url, emulator.access_key)
    view.pid = os.getppid()
    view.busy("nothing")


def list_reads(emulator):
    return [entry for entry in emulator.requests() if entry["method"] == "GET" and entry["path"] == "/v1/instances"]


@pytest.mark.parametrize("max_age, reads", [(20, 1), (0, 2)])
def test_two_runs_share_one_list_read_unless_turned_off(emulator, max_age, reads):
    another_task_runs(emulator)
    for name in ("web-1", "web-2"):
        result = run_module(iwinv_instance.main, emulator_args(emulator, **{**CREATE, "name": name, "instance_list_max_age": max_age}))
        assert result["changed"] is True
    assert len(list_reads(emulator)) == reads


def test_the_environment_variable_turns_it_off(emulator, monkeypatch):
    monkeypatch.setenv("IWINV_INSTANCE_LIST_MAX_AGE", "0")
    another_task_runs(emulator)
    for name in ("web-1", "web-2"):
        run_module(iwinv_instance.main, emulator_args(emulator, **{**CREATE, "name": name}))
    assert len(list_reads(emulator)) == 2


def test_a_negative_age_fails_before_any_request(emulator):
    result = run_module(iwinv_instance.main, emulator_args(emulator, **dict(CREATE, instance_list_max_age=-1)))
    assert result["failed"] is True and "instance_list_max_age must be 0" in result["msg"]
    assert emulator.requests() == []
