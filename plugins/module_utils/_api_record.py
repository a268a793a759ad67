# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The record of iwinv_api_check: what an account's API answered, small and sanitized, to attach to a bug report.

Per check its status; per request the HTTP status, the error_code, the field names and JSON types of the rows and
of an error's `result`, the paging fields (type, and the number when it is a small integer), the names of
rate-limit headers, the status words of the rows. Never a value otherwise: no id, name, amount, address, date,
message or secret. Field names, codes and words are API data too: only those of the expected spelling are kept
(an id used as a key would not pass), the rest is only counted. tests/emulator/record.py turns a record into the
emulator configuration that answers the same way.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import json
import re

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import as_int, clock_skew
from ansible_collections.iwinv.cloud.plugins.module_utils._module_api_check import HANGUL, RATE_HEADER

RECORD_FORMAT = "iwinv.cloud api_check record"
RECORD_VERSION = 1
FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
ERROR_CODE = re.compile(r"[A-Z][A-Z0-9_]{0,39}")
STATUS_WORD = re.compile(r"[a-z][a-z0-9_-]{0,23}")
HEADER_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")
PAGING_KEYS = ("page_no", "page_size", "count", "total")
MAX_FIELDS = 80
MAX_ROWS = 200
MAX_SMALL_INT = 100000
CLOCK_STEP = 10   # the clock offset is kept to 10 s: enough to reproduce a refusal, stable from run to run
CLOCK_NOISE = 60  # an offset within a minute is recorded as 0


def make_record(checks, answers):
    """The record (a JSON-ready dict) of one run: `checks` as run() returns them, `answers` by request name."""
    entries = {check["name"]: {"status": check["status"]} for check in checks}
    if "clock_offset" in entries and "zones" in answers:
        entries["clock_offset"]["offset_seconds"] = recorded_skew(answers["zones"])
    return {"format": RECORD_FORMAT, "version": RECORD_VERSION, "checks": entries,
            "answers": {name: answer_entry(answer) for name, answer in sorted(answers.items())}}


def encode(record):
    """The bytes written to the record file: stable (sorted keys), so an unchanged record is an unchanged file."""
    return (json.dumps(record, indent=1, sort_keys=True) + "\n").encode("utf-8")


def recorded_skew(answer):
    skew = clock_skew(answer.headers.get("date"), answer.sent) if answer.sent is not None else None
    if skew is None:
        return None
    return 0 if abs(skew) <= CLOCK_NOISE else int(round(skew / float(CLOCK_STEP))) * CLOCK_STEP


def answer_entry(answer):
    if answer.status is None:
        return {"answered": False}   # the failure text may name the host or a proxy: it is not kept
    entry = {"answered": True, "http_status": answer.status, "error_code": spelled(answer.error_code, ERROR_CODE)}
    headers = sorted(name for name in answer.headers if RATE_HEADER.search(name) and HEADER_NAME.fullmatch(name))
    if headers:
        entry["rate_limit_headers"] = headers[:10]
    body = answer.body
    if not isinstance(body, dict):
        entry["body"] = "not a JSON object"
        return entry
    entry["envelope"] = field_types([body], nested=False)
    entry.update(result_entry(body.get("result")))
    if "message" in body:
        entry["message"] = message_kind(body["message"])
    paging = dict((key, echo(body[key])) for key in PAGING_KEYS if key in body)
    if paging:
        entry["paging"] = paging
    return entry


def result_entry(result):
    if isinstance(result, list):
        rows = [row for row in result[:MAX_ROWS] if isinstance(row, dict)]
        entry = {"rows": len(result), "fields": field_types(rows)}
        words = sorted(set(row["status"] for row in rows if isinstance(row.get("status"), str)
                           and STATUS_WORD.fullmatch(row["status"])))
        if words:
            entry["statuses"] = words
        return entry
    if isinstance(result, dict):
        return {"result": "object", "result_fields": field_types([result])}
    return {"result": json_type(result)}


def field_types(rows, nested=True):
    """{field name: JSON type(s)} over the rows, one level of nested objects as "parent.child"; names only."""
    types, left_out = {}, 0
    for row in rows:
        for name, value in row.items():
            if not isinstance(name, str) or not FIELD_NAME.fullmatch(name):
                left_out += 1
                continue
            left_out += add_type(types, name, value)
            if nested and isinstance(value, dict):
                for child, child_value in value.items():
                    if isinstance(child, str) and FIELD_NAME.fullmatch(child):
                        left_out += add_type(types, name + "." + child, child_value)
                    else:
                        left_out += 1
    fields = dict((name, "|".join(sorted(kinds))) for name, kinds in types.items())
    if left_out:
        fields["(left out)"] = left_out
    return fields


def add_type(types, name, value):
    """Record the type of one value; 1 when it was left out (too many names), else 0."""
    if name not in types and len(types) >= MAX_FIELDS:
        return 1
    types.setdefault(name, set()).add(json_type(value))
    return 0


def json_type(value):
    if value is None:
        return "null"
    for kind, name in ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"), (list, "array"),
                       (dict, "object")):
        if isinstance(value, kind):
            return name
    return "other"


def echo(value):
    """A paging field: its type, and its number when it is a small integer (a page size, a count of rows)."""
    entry = {"type": json_type(value)}
    number = as_int(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else None
    if number is not None and 0 <= number <= MAX_SMALL_INT and str(number) == str(value).strip():
        entry["value"] = number
    return entry


def message_kind(message):
    if not isinstance(message, str):
        return json_type(message)
    if not message.strip():
        return "empty"
    return "korean" if HANGUL.search(message) else "text"


def spelled(value, pattern):
    """An error code as the API spells its codes, else a placeholder (the value is not kept)."""
    if value is None:
        return None
    return value if isinstance(value, str) and pattern.fullmatch(value) else "(other)"
