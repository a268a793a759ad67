# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_flavor_info: option checks before any request, filters and request budget, against the emulator."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.modules.iwinv_flavor_info import check_bounds, main

from module_runner import emulator_args, run_module

NO_BOUNDS = {"min_vcpu": None, "max_vcpu": None, "min_memory": None, "max_memory": None}


@pytest.mark.parametrize("bounds,words", [
    ({"min_vcpu": -1}, "min_vcpu must be zero or more"),
    ({"max_memory": -4}, "max_memory must be zero or more"),
    ({"min_vcpu": 4, "max_vcpu": 2}, "min_vcpu (4) must not be greater than max_vcpu (2)"),
    ({"min_memory": 16, "max_memory": 8}, "min_memory (16) must not be greater than max_memory (8)"),
])
def test_check_bounds_names_the_option(bounds, words):
    assert words in check_bounds(dict(NO_BOUNDS, **bounds))


def test_check_bounds_accepts_equal_and_open_bounds():
    assert check_bounds(dict(NO_BOUNDS, min_vcpu=2, max_vcpu=2, min_memory=0)) is None
    assert check_bounds(NO_BOUNDS) is None


def test_bad_bounds_fail_before_any_request(emulator):
    result = run_module(main, emulator_args(emulator, min_memory=8, max_memory=4))
    assert result["failed"] is True and "api_error" not in result
    assert emulator.requests() == []


def test_zone_and_image_names_are_resolved_then_one_list_request(emulator):
    result = run_module(main, emulator_args(emulator, zone="Seoul Mokdong", image="Ubuntu 24.04", min_memory=16))
    assert result["changed"] is False
    assert [flavor["id"] for flavor in result["flavors"]] == ["std.8c16g", "gpu.8c64g.a100"]
    requests = emulator.requests()
    assert [entry["path"] for entry in requests] == ["/v1/zones", "/v1/images", "/v1/flavors"]
    assert requests[1]["query"]["zone_id"] == "KR1-Z08"
    assert requests[2]["query"]["zone_id"] == "KR1-Z08" and requests[2]["query"]["image_id"] == "img-ubuntu-2404"


def test_id_uses_the_detail_and_unknown_is_empty(emulator):
    result = run_module(main, emulator_args(emulator, id="std.1c1g", _ansible_check_mode=True))
    assert [flavor["name"] for flavor in result["flavors"]] == ["1 vCore / 1GB"]
    assert run_module(main, emulator_args(emulator, id="no-such"))["flavors"] == []
    assert [entry["path"] for entry in emulator.requests()] == ["/v1/flavors/std.1c1g", "/v1/flavors/no-such"]


def test_an_image_outside_the_zone_fails_naming_the_zone(emulator):
    result = run_module(main, emulator_args(emulator, zone="KR2-Z01", image="Windows Server 2022"))
    assert result["failed"] is True
    assert "Windows Server 2022" in result["msg"] and "KR2-Z01" in result["msg"]
