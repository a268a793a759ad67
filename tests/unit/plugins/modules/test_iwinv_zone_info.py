# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module glue end to end through the simplest module, against the emulator."""

from __future__ import annotations

import json

from ansible_collections.iwinv.cloud.plugins.modules.iwinv_zone_info import main

from module_runner import emulator_args, run_module


def test_lists_the_seeded_zones(emulator):
    result = run_module(main, emulator_args(emulator))
    assert result["changed"] is False
    assert [zone["id"] for zone in result["zones"]] == ["KR1-Z01", "KR1-Z08", "KR2-Z01", "KR3-Z01"]
    assert result["zones"][1]["name"] == "Seoul Mokdong"
    assert len(emulator.requests()) == 1


def test_filters_by_id_and_unknown_id_is_empty(emulator):
    assert [z["id"] for z in run_module(main, emulator_args(emulator, id="KR1-Z08"))["zones"]] == ["KR1-Z08"]
    assert run_module(main, emulator_args(emulator, id="nope"))["zones"] == []


def test_credentials_come_from_the_environment(emulator, monkeypatch):
    monkeypatch.setenv("IWINV_API_URL", emulator.url)
    monkeypatch.setenv("IWINV_ACCESS_KEY", emulator.access_key)
    monkeypatch.setenv("IWINV_SECRET_KEY", emulator.secret_key)
    monkeypatch.setenv("IWINV_RATE_LIMIT", "0")
    assert len(run_module(main, {})["zones"]) == 4


def test_wrong_secret_fails_clearly_without_the_secret(emulator):
    result = run_module(main, emulator_args(emulator, secret_key="very-wrong-secret-value"))
    assert result["failed"] is True
    assert "signature" in result["msg"]
    assert result["api_error"]["error_code"] == "INVALID_SIGNATURE"
    assert result["api_error"]["status"] == 401
    assert "very-wrong-secret-value" not in json.dumps(result)


def test_clock_skew_is_reported_as_a_clock_problem(emulator):
    emulator.config(clock_offset=-900)
    result = run_module(main, emulator_args(emulator))
    assert result["failed"] is True
    assert "clock is off by about 900 s" in result["msg"]


def test_bad_common_options_fail_before_any_request(emulator):
    for bad in ({"api_timeout": 0}, {"rate_limit": -1}):
        result = run_module(main, emulator_args(emulator, **bad))
        assert result["failed"] is True and "api_error" not in result
    assert emulator.requests() == []


def test_missing_credentials_fail_before_any_request(emulator, monkeypatch):
    monkeypatch.delenv("IWINV_ACCESS_KEY", raising=False)
    monkeypatch.delenv("IWINV_SECRET_KEY", raising=False)
    result = run_module(main, {"api_url": emulator.url})
    assert result["failed"] is True and "access_key" in result["msg"]
    assert emulator.requests() == []


def test_missing_requests_library_fails_with_install_advice(emulator, monkeypatch):
    from ansible_collections.iwinv.cloud.plugins.module_utils import _module as common
    monkeypatch.setattr(common, "HAS_REQUESTS", False)
    monkeypatch.setattr(common, "REQUESTS_IMPORT_ERROR", ImportError("No module named 'requests'"))
    result = run_module(main, emulator_args(emulator))
    assert result["failed"] is True
    assert "requests" in result["msg"] and "install" in result["msg"].lower()
    assert emulator.requests() == []


def test_plain_http_to_a_remote_host_fails_before_any_request(emulator):
    result = run_module(main, emulator_args(emulator, api_url="http://api-kr.iwinv.kr"))
    assert result["failed"] is True and "plain http:// would send every request unencrypted" in result["msg"]
    assert emulator.requests() == []


def test_validate_certs_false_warns(emulator):
    result = run_module(main, emulator_args(emulator, validate_certs=False))
    assert len(result["zones"]) == 4
    assert "validate_certs is false" in json.dumps(result.get("warnings"))   # 2.19 returns structured warnings
