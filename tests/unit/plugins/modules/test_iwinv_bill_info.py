# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_bill_info: date checks before any request, EMPTY_SET, unknown id, no payment instrument."""

from __future__ import annotations

import json

import pytest

from ansible_collections.iwinv.cloud.plugins.modules.iwinv_bill_info import check_dates, main

from module_runner import emulator_args, run_module


@pytest.mark.parametrize("start,end,words", [
    ("2026/01/01", None, "start_date must be a date written YYYY-MM-DD, got '2026/01/01'"),
    ("2026-02-30", None, "start_date must be a date"),
    (None, "26-1-1", "end_date must be a date"),
    ("2026-03-01", "2026-02-01", "start_date (2026-03-01) must not be after end_date (2026-02-01)"),
])
def test_check_dates_names_the_option(start, end, words):
    assert words in check_dates(start, end)


def test_check_dates_accepts_valid_periods():
    assert check_dates(None, None) is None
    assert check_dates("2026-01-01", "2026-01-01") is None


def test_bad_dates_and_id_with_dates_fail_before_any_request(emulator):
    for options in ({"end_date": "yesterday"}, {"id": "BILL-202601-0001", "start_date": "2026-01-01"}):
        result = run_module(main, emulator_args(emulator, **options))
        assert result["failed"] is True and "api_error" not in result
    assert emulator.requests() == []


def test_live_and_all_bills_without_payment_details(emulator):
    result = run_module(main, emulator_args(emulator))
    assert result["changed"] is False
    assert result["live"]["id"] == "BILL-live"
    assert len(result["bills"]) == 12
    text = json.dumps(result)
    assert "card" not in text and "invoice" not in text


def test_period_without_bills_and_unknown_id_are_empty_lists(emulator):
    emulator.config(bill_detail="served")   # the docs' answer (LIVE: 403 CHECK_IP, below)
    assert run_module(main, emulator_args(emulator, start_date="2000-01-01", end_date="2000-12-31"))["bills"] == []
    assert run_module(main, emulator_args(emulator, id="BILL-000000-0000"))["bills"] == []
    errors = [entry["error_code"] for entry in emulator.requests() if entry["status"] != 200]
    assert errors == ["EMPTY_SET", "ID_INVALID"]   # the API's answers, both reported as "nothing"


def test_bill_detail_refused_with_check_ip_falls_back_to_the_list_row_with_a_warning(emulator):
    """LIVE: every GET /v1/bill/{id} answered 403 CHECK_IP while the list worked (the emulator's default)."""
    bill_id = run_module(main, emulator_args(emulator))["bills"][3]["id"]
    emulator.clear_requests()
    result = run_module(main, emulator_args(emulator, id=bill_id))
    assert not result.get("failed") and [bill["id"] for bill in result["bills"]] == [bill_id]
    bill = result["bills"][0]
    assert bill["price"] and bill["total"] == bill["price"] + bill["vat"] and bill["bill_date"] and "lines" not in bill
    assert any("its lines" in str(warning) and "CHECK_IP" in str(warning) for warning in result["warnings"])
    answers = [(r["path"], r["status"]) for r in emulator.requests()]
    assert answers[:2] == [("/v1/bill/" + bill_id, 403), ("/v1/bill", 200)]
    assert "card" not in json.dumps(result)


def test_bill_detail_refused_and_not_in_the_list_fails_with_the_apis_answer(emulator):
    result = run_module(main, emulator_args(emulator, id="BILL-000000-0000"))
    assert result["failed"] and result["api_error"]["error_code"] == "CHECK_IP"
    assert "the bill list, which the API does serve, has no bill with the id 'BILL-000000-0000'" in result["msg"]
    assert "probably not in the API key's IP allowlist" in result["msg"]
