# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""catalog_cache_max_age end to end: module runs of one key share the catalog reads, 0 turns that off."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.modules import iwinv_instance

from module_runner import emulator_args, run_module

CREATE = {"name": "web-1", "zone": "Seoul Mokdong", "flavor": "1 vCore / 1GB", "image": "Ubuntu 22.04",
          "_ansible_check_mode": True}
CATALOG = ("/v1/zones", "/v1/flavors", "/v1/images")


def catalog_reads(emulator):
    return [entry["path"] for entry in emulator.requests() if entry["path"] in CATALOG]


@pytest.mark.parametrize("max_age, reads", [(300, 3), (0, 6)])
def test_two_runs_read_the_catalog_once_unless_turned_off(emulator, max_age, reads):
    for name in ("web-1", "web-2"):
        result = run_module(iwinv_instance.main,
                            emulator_args(emulator, **{**CREATE, "name": name, "catalog_cache_max_age": max_age}))
        assert result["changed"] is True and result["instance"]["zone"]["id"] == "KR1-Z08"
    assert len(catalog_reads(emulator)) == reads


def test_the_environment_variable_turns_it_off(emulator, monkeypatch):
    monkeypatch.setenv("IWINV_CATALOG_CACHE_MAX_AGE", "0")
    for _run in range(2):
        run_module(iwinv_instance.main, emulator_args(emulator, **CREATE))
    assert len(catalog_reads(emulator)) == 6


def test_a_negative_age_fails_before_any_request(emulator):
    result = run_module(iwinv_instance.main, emulator_args(emulator, **dict(CREATE, catalog_cache_max_age=-1)))
    assert result["failed"] is True and "catalog_cache_max_age must be 0" in result["msg"]
    assert emulator.requests() == []
