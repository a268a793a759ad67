# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The record of iwinv_api_check keeps field names, types, codes and paging echoes: never a value."""

from __future__ import annotations

import email.utils
import json

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _api_record as api_record
from ansible_collections.iwinv.cloud.plugins.module_utils._module_api_check import Answer

SENT = 1710000000


def answer(body, status=200, headers=None, skew=0):
    headers = dict(headers or {}, Date=email.utils.formatdate(SENT - skew, usegmt=True))
    return Answer(status, body, headers, SENT)


def test_rows_give_their_field_names_and_types_one_level_deep_and_no_value():
    rows = [{"bill_id": "BILL-1", "price": 12345, "vat": None, "spec": {"cpu": 2, "gpu": False, "x": {"y": 1}},
             "tags": ["secret-tag"], "status": "active"},
            {"bill_id": "BILL-2", "price": 1.5, "status": "Not A Word!"}]
    entry = api_record.answer_entry(answer({"code": "0x00", "error_code": "SUCCESS", "message": "", "result": rows,
                                            "count": 2, "page_no": "1", "page_size": 2}))
    assert entry["fields"] == {"bill_id": "string", "price": "integer|number", "vat": "null", "spec": "object",
                               "spec.cpu": "integer", "spec.gpu": "boolean", "spec.x": "object", "tags": "array",
                               "status": "string"}
    assert entry["statuses"] == ["active"]   # only words of the expected spelling
    assert entry["paging"] == {"count": {"type": "integer", "value": 2}, "page_no": {"type": "string", "value": 1},
                               "page_size": {"type": "integer", "value": 2}}
    assert entry["message"] == "empty" and entry["rows"] == 2
    text = json.dumps(entry)
    assert not [value for value in ("BILL-", "12345", "secret-tag", "1.5", "Not A Word") if value in text]


def test_keys_of_an_unexpected_spelling_are_counted_not_kept():
    rows = [{"instance_id": "i", "3f2c9a1e-uuid": {}, "KR1-Z08": 1, "name": "x", "web-01": {"a": 1}}]
    entry = api_record.answer_entry(answer({"error_code": "SUCCESS", "result": rows}))
    assert entry["fields"] == {"instance_id": "string", "name": "string", "(left out)": 3}


def test_an_error_keeps_its_code_and_the_shape_of_result_not_its_message():
    body = {"code": "0x9", "error_code": "CHECK_IP", "message": "허용되지 않은 IP 203.0.113.7 입니다",
            "result": {"code": 9, "message": "203.0.113.7"}}
    entry = api_record.answer_entry(answer(body, status=403))
    assert (entry["http_status"], entry["error_code"], entry["result"]) == (403, "CHECK_IP", "object")
    assert entry["result_fields"] == {"code": "integer", "message": "string"} and entry["message"] == "korean"
    assert "203.0.113" not in json.dumps(entry)
    odd = api_record.answer_entry(answer({"error_code": "Bad code: /v1/x", "result": "error", "message": "no"}, 400))
    assert (odd["error_code"], odd["result"], odd["message"]) == ("(other)", "string", "text")


@pytest.mark.parametrize("value, expected", [
    (50, {"type": "integer", "value": 50}), ("50", {"type": "string", "value": 50}),
    (987654, {"type": "integer"}), ("2026-01-05", {"type": "string"}), (True, {"type": "boolean"}),
    (-1, {"type": "integer"}), (" 7", {"type": "string", "value": 7}), (None, {"type": "null"})])
def test_a_paging_echo_keeps_a_small_number_only(value, expected):
    assert api_record.echo(value) == expected


def test_no_answer_keeps_nothing_of_the_failure_and_a_body_that_is_no_object_says_so():
    failed = Answer(failure="GET /v1/zones failed: no answer from https://proxy.corp.example:3128")
    assert api_record.answer_entry(failed) == {"answered": False}
    page = api_record.answer_entry(answer("<html>Bad gateway at 10.1.2.3</html>", status=502))
    assert page == {"answered": True, "http_status": 502, "error_code": None, "body": "not a JSON object"}


def test_rate_limit_header_names_only():
    entry = api_record.answer_entry(answer({}, headers={"X-RateLimit-Remaining": "59", "Retry-After": "2",
                                                        "Set-Cookie": "session=secret"}))
    assert entry["rate_limit_headers"] == ["retry-after", "x-ratelimit-remaining"]
    assert "59" not in json.dumps(entry) and "secret" not in json.dumps(entry)


@pytest.mark.parametrize("skew, recorded", [(0, 0), (45, 0), (-59, 0), (898, 900), (-903, -900), (1234, 1230)])
def test_the_clock_offset_is_kept_to_ten_seconds_and_zero_within_a_minute(skew, recorded):
    checks = [{"name": "clock_offset", "status": "ok"}]
    record = api_record.make_record(checks, {"zones": answer({}, skew=skew)})
    assert record["checks"]["clock_offset"] == {"status": "ok", "offset_seconds": recorded}


def test_the_encoding_is_stable():
    record = api_record.make_record([{"name": "signature", "status": "ok"}], {"zones": answer({"b": 1, "a": 2})})
    assert api_record.encode(record) == api_record.encode(json.loads(api_record.encode(record)))
    assert api_record.encode(record).endswith(b"}\n")
