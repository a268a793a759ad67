# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_module.py: how a module run ends (a user error by its message, anything else as a bug with its traceback),
and the one checker of the common options that the modules and the inventory share."""

from __future__ import annotations

import json

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._module import (
    IwinvModule,
    check_common_options,
    one_or_listed,
    select,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError

from module_runner import run_module

SECRET = "s3cr3t-value-never-shown"
ARGS = {"access_key": "test-access", "secret_key": SECRET, "api_url": "http://127.0.0.1:9", "rate_limit": 0}


@pytest.fixture
def tracebacks_shown(monkeypatch):
    """What -vvv (ansible-core before 2.19) or DISPLAY_TRACEBACK=error (2.19 on) asks of a module."""
    try:
        from ansible.module_utils._internal import _traceback
    except ImportError:   # before 2.19 the module always returns `exception`; the controller shows it under -vvv
        return
    # As ansible-core's CLI does with DISPLAY_TRACEBACK=always (the controller or the module side, whichever is set).
    monkeypatch.setattr(_traceback, "_is_traceback_enabled", lambda event: event == _traceback.TracebackEvent.ERROR)


def run_body(body):
    """The result of a module whose body is `body`."""
    return run_module(lambda: IwinvModule({}).run(body), dict(ARGS))


def raising(exc):
    def body():
        raise exc
    return body


@pytest.mark.parametrize("error", [IwinvError("name 'web' matches 2 instances"),
                                   ResolveError("name 'web' matches 2 instances")])
def test_a_user_error_fails_with_its_message_and_no_traceback(error):
    result = run_body(raising(error))
    assert result["failed"] is True
    assert result["msg"] == "name 'web' matches 2 instances"
    assert "exception" not in result


def test_an_unexpected_exception_is_reported_as_a_bug_with_its_traceback(tracebacks_shown):
    result = run_body(lambda: {}["instance_id"])
    assert result["failed"] is True
    assert "a bug of the collection" in result["msg"] and "please report it at https://" in result["msg"]
    assert "KeyError: 'instance_id'" in result["msg"]
    assert "Traceback (most recent call last)" in result["exception"] and "KeyError" in result["exception"]


def test_a_value_error_is_no_longer_taken_for_a_user_error():
    result = run_body(raising(ValueError("invalid literal for int() with base 10: 'x'")))
    assert "a bug of the collection" in result["msg"] and "ValueError: invalid literal" in result["msg"]


def test_a_bug_never_shows_the_secret_key_in_its_message_or_traceback(tracebacks_shown):
    result = run_body(raising(KeyError("signing with %s failed" % SECRET)))
    assert result["failed"] is True and "a bug of the collection" in result["msg"] and "KeyError" in result["exception"]
    assert SECRET not in json.dumps(result)


def test_the_bug_message_masks_the_secret_key_by_itself():
    module = IwinvModule.__new__(IwinvModule)
    module.params = {"secret_key": SECRET}
    assert SECRET not in module._without_secret("KeyError: %r" % SECRET)


def test_a_successful_body_exits_with_its_result():
    result = run_body(lambda: {"changed": False, "zones": []})
    assert result["changed"] is False and result["zones"] == [] and "failed" not in result


OPTIONS = {"api_url": "https://api.test/", "api_timeout": 30, "rate_limit": 60}


def test_common_options_return_the_api_url_without_its_slash():
    assert check_common_options(dict(OPTIONS)) == "https://api.test"


@pytest.mark.parametrize("bad, message", [
    ({"api_url": "http://api.test"}, "api_url http://api.test is not allowed: plain http://"),
    ({"api_timeout": 0}, "api_timeout must be a positive number of seconds, got 0"),
    ({"rate_limit": -1}, "rate_limit must be 0 (no pacing) or a positive number of requests per minute, got -1"),
    ({"catalog_cache_max_age": -1}, "catalog_cache_max_age must be 0 (no catalog cache) or a number of seconds"),
    ({"instance_list_max_age": -2}, "instance_list_max_age must be 0 (no shared list) or a number of seconds"),
    ({"wait_timeout": 0}, "wait_timeout must be a positive number of seconds, got 0"),
])
def test_common_options_name_the_bad_option(bad, message):
    with pytest.raises(IwinvError) as caught:
        check_common_options(dict(OPTIONS, **bad))
    assert str(caught.value).startswith(message)


def test_options_a_caller_does_not_have_are_not_checked():
    assert check_common_options({"api_url": None, "api_timeout": 1, "rate_limit": 0, "wait_timeout": None})


ROWS = [{"id": "a", "name": "web", "zone": "KR1-Z01"}, {"id": "b", "name": "db", "zone": "KR1-Z01"},
        {"id": "c", "name": "web", "zone": "KR2-Z01"}]


def test_select_keeps_the_rows_equal_to_every_filter_that_is_set():
    assert select(ROWS, name="web", zone=None) == [ROWS[0], ROWS[2]]
    assert select(ROWS, name="web", zone="KR2-Z01") == [ROWS[2]]
    assert select(ROWS, lambda row: row["id"] != "a", name="web") == [ROWS[2]]
    assert select(ROWS, id="nope") == []
    assert select(ROWS) == ROWS


def test_one_or_listed_reads_by_id_or_lists():
    asked = []
    get_one = {"a": ROWS[0]}.get

    def list_rows():
        asked.append("list")
        return ROWS
    assert one_or_listed("a", get_one, list_rows) == [ROWS[0]] and asked == []
    assert one_or_listed("gone", get_one, list_rows) == [] and asked == []
    assert one_or_listed(None, get_one, list_rows) == ROWS and asked == ["list"]


def test_a_bug_message_holds_the_exception_text_bounded_and_printable():
    result = run_body(raising(KeyError("\x1b[31m" + "x" * 5000)))
    assert "\x1b" not in result["msg"] and len(result["msg"]) < 1000
