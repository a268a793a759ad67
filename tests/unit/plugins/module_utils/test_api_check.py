# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each check of iwinv_api_check, from answers made up here: ok, differs and unknown."""

from __future__ import annotations

import email.utils

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import api_check
from ansible_collections.iwinv.cloud.plugins.module_utils.api_check import Answer

from fakes import error, ok

SENT = 1710000000


def success(rows, **extra):
    body = {"code": "0x00", "error_code": "SUCCESS", "message": "", "result": rows, "count": len(rows)}
    body.update(extra)
    return Answer(200, body, {"Date": email.utils.formatdate(SENT, usegmt=True)}, SENT)


def failure(status, error_code, message="unknown id", result="error", headers=None):
    body = {"code": "0x16", "error_code": error_code, "message": message, "result": result}
    return Answer(status, body, headers, SENT)


NO_ANSWER = Answer(failure="GET /v1/zones failed: no answer from the API (ConnectionError)")


def test_signature_ok_refused_or_unreachable():
    assert api_check.check_signature(success([]))["status"] == "ok"
    refused = api_check.check_signature(failure(401, "INVALID_SIGNATURE"))
    assert refused["status"] == "differs" and "secret_key" in refused["advice"]
    unreachable = api_check.check_signature(NO_ANSWER)
    assert unreachable["status"] == "unknown" and "api_url" in unreachable["advice"]


@pytest.mark.parametrize("offset, status, words", [(0, "ok", "no offset"), (-45, "ok", "45 s ahead of"),
                                                   (400, "differs", "400 s behind")])
def test_clock_offset_from_the_date_header(offset, status, words):
    answer = Answer(401, None, {"date": email.utils.formatdate(SENT + offset, usegmt=True)}, SENT)
    result = api_check.check_clock(answer)
    assert (result["status"], words in result["observed"]) == (status, True)
    assert ("NTP" in result["advice"]) == (status == "differs")


def test_clock_offset_unknown_without_a_date():
    assert api_check.check_clock(Answer(200, {}, {}, SENT))["status"] == "unknown"


def test_envelope_shape():
    assert api_check.check_envelope(success([{"zone_id": "a"}]))["status"] == "ok"
    total = success([{"zone_id": "a"}], count=7)
    assert api_check.check_envelope(total)["status"] == "differs" and "count 7 for 1 rows" in api_check.check_envelope(total)["observed"]
    no_count = Answer(200, {"code": "0x00", "error_code": "SUCCESS", "message": "", "result": []})
    assert "count" in api_check.check_envelope(no_count)["observed"]


def test_error_envelope_live_korean_plain_or_not_seen():
    """The LIVE shape (an object result with a nested code, a Korean message) is expected; the TF fixture's differs."""
    korean = failure(400, "ID_INVALID", message="유효하지 않은 ID 입니다.", result={"code": 22})
    assert api_check.check_error_envelope(success([]), korean)["status"] == "ok"
    result = api_check.check_error_envelope(failure(400, "ID_INVALID"))
    assert result["status"] == "differs" and result["observed"] == "result is the string 'error', message not in Korean"
    assert result["advice"].startswith("tolerated")
    assert api_check.check_error_envelope(success([]), success([]))["status"] == "unknown"


def test_page_size_echo():
    assert api_check.check_page_size_echo(success([{}, {}], page_size=2))["status"] == "ok"
    as_string = api_check.check_page_size_echo(success([{}, {}], page_size="2"))
    assert as_string["status"] == "differs" and as_string["advice"].startswith("tolerated")
    other = api_check.check_page_size_echo(success([{}], page_size=1))
    assert other["status"] == "differs" and "report" in other["advice"]
    assert api_check.check_page_size_echo(failure(429, "LIMIT_EXCEEDED"))["status"] == "unknown"


def test_count_per_page():
    assert api_check.check_count_per_page(success([{}, {}]))["status"] == "ok"
    assert api_check.check_count_per_page(success([{}, {}], count="2"))["status"] == "ok"
    total = api_check.check_count_per_page(success([{}, {}], count=33))
    assert total["status"] == "differs" and total["observed"] == "count 33 for 2 rows"


def test_page_size_cap_echoed_silent_or_not_seen():
    rows = [{}] * 100
    echoed = api_check.check_page_size_cap(success(rows, page_size=100, total=140))
    assert echoed["status"] == "ok" and echoed["observed"].startswith("cap 100 (echoed)")
    silent = api_check.check_page_size_cap(success([{}] * 4, page_size="1000", total=5))
    assert silent["status"] == "differs" and silent["observed"].startswith("cap 4, not echoed")
    short = api_check.check_page_size_cap(success([{}] * 5, page_size=1000, total=5))
    assert short["status"] == "unknown" and short["observed"].startswith("no cap seen")


def test_fields_mask():
    exact = success([{"instance_id": "i", "name": "n", "status": "active"}])
    assert api_check.check_fields_mask(exact)["status"] == "ok"
    more = api_check.check_fields_mask(success([{"instance_id": "i", "name": "n", "status": "s", "default_account": {"password": "p4ss"}}]))
    assert more["status"] == "differs" and "default_account" in more["observed"] and "p4ss" not in str(more)
    fewer = api_check.check_fields_mask(success([{"instance_id": "i"}]))
    assert fewer["status"] == "differs" and "name, status" in fewer["advice"]
    assert api_check.check_fields_mask(success([]))["status"] == "unknown"


def test_statuses_against_the_vocabulary():
    known = success([{"status": "active"}, {"status": "work"}])
    result = api_check.check_statuses("instance_statuses", known, api_check.INSTANCE_STATUSES, "")
    assert (result["status"], result["observed"]) == ("ok", "seen: active, work")
    odd = success([{"status": "in-use"}, {"status": "attached"}, {"status": "x\x1b[31m"}])
    result = api_check.check_statuses("block_storage_statuses", odd, api_check.VOLUME_STATUSES, api_check.VOLUME_ADVICE)
    assert result["status"] == "differs" and "in-use" in result["advice"] and "\x1b" not in str(result)
    empty = api_check.check_statuses("instance_statuses", success([]), api_check.INSTANCE_STATUSES, "")
    assert empty["status"] == "unknown"


def test_unknown_ids():
    assert api_check.check_not_found("unknown_image", failure(400, "ID_INVALID"))["status"] == "ok"
    empty = api_check.check_not_found("unknown_image", success([]))
    assert empty["status"] == "differs" and empty["advice"].startswith("tolerated")
    assert api_check.check_not_found("unknown_flavor", success([]), empty_expected=True)["status"] == "ok"
    assert api_check.check_not_found("unknown_flavor", failure(400, "ID_INVALID"), empty_expected=True)["status"] == "differs"
    wrong = api_check.check_not_found("unknown_image", failure(404, "NOT_FOUND"))
    assert wrong["status"] == "differs" and "fail tasks" in wrong["advice"]
    assert api_check.check_not_found("unknown_image", failure(503, "DEV_CHECK_RETURN"))["status"] == "unknown"


def test_firewall_family():
    assert api_check.check_firewall_family(success([]), None)["status"] == "ok"
    docs_only = api_check.check_firewall_family(failure(404, "NOT_FOUND"), success([]))
    assert docs_only["status"] == "differs" and docs_only["advice"].startswith("tolerated")
    assert "firewall_api=firewall" in docs_only["advice"]
    refused = api_check.check_firewall_family(failure(403, "CHECK_IP"), success([]))
    assert refused["status"] == "unknown"   # what firewall_api=auto would report, not take as the other family
    neither = api_check.check_firewall_family(failure(404, "NOT_FOUND"), failure(404, "NOT_FOUND"))
    assert neither["status"] == "unknown" and "/v1/security-groups: HTTP 404 NOT_FOUND" in neither["observed"]


def test_rate_limit_headers_only_those():
    assert api_check.check_rate_limit_headers([success([])])["status"] == "ok"
    answer = Answer(200, {}, {"X-RateLimit-Remaining": "59", "Set-Cookie": "session=secret", "Retry-After": "2"})
    result = api_check.check_rate_limit_headers([answer, NO_ANSWER])
    assert result["status"] == "differs"
    assert result["observed"] == "retry-after: 2, x-ratelimit-remaining: 59" and "secret" not in str(result)


class FakeProbeClient:
    """Answers probe() from a table by path; counts requests like the real client."""

    def __init__(self, answers):
        self.answers = answers
        self.request_count = 0
        self.paths = []

    def probe(self, path, query=None):
        self.request_count += 1
        self.paths.append(path)
        answer = self.answers.get(path)
        if isinstance(answer, Exception):
            raise answer
        return SENT, answer


def test_a_refused_first_request_stops_the_run():
    client = FakeProbeClient({"/v1/zones": error(401, "CHECK_CREDENTIAL", code="0x6")})
    checks, summary = api_check.run(client)
    assert client.paths == ["/v1/zones"] and summary["requests"] == 1
    assert [c["status"] for c in checks[:2]] == ["differs", "unknown"]
    assert len(checks) == 2 + len(api_check.LATER_CHECKS)
    assert all(c["status"] == "unknown" and c["observed"].startswith("not run") for c in checks[2:])


def test_the_docs_firewall_is_asked_only_when_security_groups_fail():
    answers = {path: ok([]) for _name, path, _query in api_check.REQUESTS}
    answers["/v1/security-groups"] = error(404, "NOT_FOUND", code="0x1")
    answers["/v1/firewall"] = ok([])
    client = FakeProbeClient(answers)
    checks, summary = api_check.run(client)
    assert summary["requests"] == api_check.MAX_REQUESTS == 10
    assert client.paths[-2:] == ["/v1/security-groups", "/v1/firewall"]
    assert {c["name"]: c["status"] for c in checks}["firewall_family"] == "differs"
    client = FakeProbeClient(dict(answers, **{"/v1/security-groups": ok([])}))
    assert api_check.run(client)[1]["requests"] == 9 and "/v1/firewall" not in client.paths
