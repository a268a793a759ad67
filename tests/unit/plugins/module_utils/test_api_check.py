# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Each check of iwinv_api_check, from answers made up here: ok, differs and unknown."""

from __future__ import annotations

import email.utils

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _module_api_check as api_check
from ansible_collections.iwinv.cloud.plugins.module_utils._module_api_check import Answer

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


def test_error_envelope_object_as_seen_live_string_tolerated_or_not_seen():
    live = failure(400, "ID_INVALID", message="유효하지 않은 ID 입니다.", result={"code": 22, "message": "."})
    result = api_check.check_error_envelope(success([]), live)
    assert (result["status"], result["observed"]) == ("ok", "result is an object (code, message), message in Korean")
    plain = api_check.check_error_envelope(failure(400, "ID_INVALID"))
    assert plain["status"] == "differs" and plain["observed"] == "result is the string 'error', message not in Korean"
    assert plain["advice"].startswith("tolerated")
    assert "missing" in api_check.check_error_envelope(failure(400, "ID_INVALID", result=None))["observed"]
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
        self.queries = []

    def probe(self, path, query=None):
        self.request_count += 1
        self.paths.append(path)
        self.queries.append(query)
        answer = self.answers.get((path, (query or {}).get("page_size"))) or self.answers.get(path)
        if isinstance(answer, Exception):
            raise answer
        return SENT, answer


def test_a_refused_first_request_stops_the_run():
    client = FakeProbeClient({"/v1/zones": error(401, "CHECK_CREDENTIAL", code="0x6")})
    checks, summary, _answers = api_check.run(client)
    assert client.paths == ["/v1/zones"] and summary["requests"] == 1
    assert [c["status"] for c in checks[:2]] == ["differs", "unknown"]
    assert len(checks) == 2 + len(api_check.LATER_CHECKS)
    assert all(c["status"] == "unknown" and c["observed"].startswith("not run") for c in checks[2:])


def test_the_docs_firewall_is_asked_only_when_security_groups_fail():
    answers = {path: ok([]) for _name, path, _query in api_check.REQUESTS}
    answers["/v1/security-groups"] = error(404, "NOT_FOUND", code="0x1")
    answers["/v1/firewall"] = ok([])
    client = FakeProbeClient(answers)
    checks, summary, _answers = api_check.run(client)
    assert summary["requests"] == 12
    assert client.paths[-1] == "/v1/firewall"
    assert {c["name"]: c["status"] for c in checks}["firewall_family"] == "differs"
    client = FakeProbeClient(dict(answers, **{"/v1/security-groups": ok([])}))
    assert api_check.run(client)[1]["requests"] == 11 and "/v1/firewall" not in client.paths


def every_follow_up():
    """Answers that call for every follow-up: security groups fail, a page of 100 is refused, a bill is listed."""
    answers = {path: ok([]) for _name, path, _query in api_check.REQUESTS}
    answers.update({"/v1/security-groups": error(404, "NOT_FOUND", code="0x1"), "/v1/firewall": ok([]),
                    ("/v1/instances", 100): error(400, "CHECK_PARAM"),
                    ("/v1/instances", 50): ok([{"instance_id": "i-1", "name": "a", "status": "active"}]),
                    "/v1/bill": ok([{"bill_id": "BILL-202601-0001", "price": 1}]),
                    "/v1/bill/BILL-202601-0001": error(403, "CHECK_IP", code="0x9")})
    return answers


def test_every_follow_up_at_once_stays_within_max_requests():
    client = FakeProbeClient(every_follow_up())
    checks, summary, answers = api_check.run(client)
    assert summary["requests"] == api_check.MAX_REQUESTS == 14 == len(client.paths)
    assert client.paths[-3:] == ["/v1/firewall", "/v1/instances", "/v1/bill/BILL-202601-0001"]
    assert client.queries[-2]["page_size"] == 50 and client.queries[-2]["fields"] == "11"
    statuses = {c["name"]: c["status"] for c in checks}
    assert (statuses["page_size_limit"], statuses["bill_detail"], statuses["fields_mask"]) == ("differs", "ok", "ok")
    assert set(answers) == {name for name, _path, _query in api_check.REQUESTS} | {
        "firewall", "instances_fallback", "bill_detail"}


@pytest.mark.parametrize("bill_id", ["../instances", "BILL 1", "", 12, "B" * 65, None])
def test_a_bill_id_unfit_for_a_path_is_not_sent(bill_id):
    answers = dict(every_follow_up(), **{"/v1/bill": ok([{"bill_id": bill_id}])})
    client = FakeProbeClient(answers)
    checks, summary, _answers = api_check.run(client)
    assert summary["requests"] == 13 and not [path for path in client.paths if path.startswith("/v1/bill/")]
    bill = [c for c in checks if c["name"] == "bill_detail"][0]
    assert bill["status"] == "unknown" and "does not send" in bill["observed"]


def test_user_script_list_404_as_seen_live_or_served():
    assert api_check.check_user_script_list(failure(404, "NOT_FOUND"))["status"] == "ok"
    served = api_check.check_user_script_list(success([{"user_script_id": "s-1"}]))
    assert served["status"] == "differs" and "by name" in served["advice"]
    assert api_check.check_user_script_list(failure(503, "DEV_CHECK_RETURN"))["status"] == "unknown"
    other = api_check.check_user_script_list(failure(401, "CHECK_CREDENTIAL"))
    assert other["status"] == "differs" and "by id" in other["advice"]


def test_bill_detail_check_ip_as_seen_live_served_or_no_bill():
    bills = success([{"bill_id": "BILL-1"}])
    assert api_check.check_bill_detail(bills, failure(403, "CHECK_IP"))["status"] == "ok"
    served = api_check.check_bill_detail(bills, success([{"bill_id": "BILL-1"}]))
    assert served["status"] == "differs" and "lines" in served["advice"]
    none = api_check.check_bill_detail(success([]), None)
    assert none["status"] == "unknown" and "no bill in the account" in none["observed"]
    assert api_check.check_bill_detail(failure(403, "CHECK_IP"), None)["status"] == "unknown"
    other = api_check.check_bill_detail(bills, failure(400, "ID_INVALID"))
    assert other["status"] == "differs" and "falls back" in other["advice"]


def test_supporting_images_absent_as_the_contract_says_or_carried():
    bare = success([{"flavor_id": "a"}, {"flavor_id": "b"}])
    assert api_check.check_supporting_images(bare, bare)["status"] == "ok"
    some = api_check.check_supporting_images(bare, success([{"flavor_id": "c", "supporting_images": []}]))
    assert (some["status"], some["observed"]) == ("differs", "1 of 3 flavor rows carry supporting_images")
    assert api_check.check_supporting_images(success([]), failure(503, "DEV_CHECK_RETURN"))["status"] == "unknown"


def test_volume_paging_absent_as_documented_or_echoed():
    assert api_check.check_volume_paging(success([{}]))["status"] == "ok"
    paged = api_check.check_volume_paging(success([{}], page_no=1, page_size=50))
    assert (paged["status"], paged["observed"]) == ("differs", "page_no 1, page_size 50, 1 rows")
    assert paged["advice"].startswith("tolerated")
    assert api_check.check_volume_paging(failure(429, "LIMIT_EXCEEDED"))["status"] == "unknown"


def test_page_size_limit_accepted_refused_then_fifty_or_refused_again():
    assert api_check.check_page_size_limit(success([]), None)["status"] == "ok"
    refused = failure(400, "CHECK_PARAM")
    fifty = api_check.check_page_size_limit(refused, success([]))
    assert fifty["status"] == "differs" and fifty["advice"].startswith("tolerated")
    assert fifty["observed"] == "page_size 100: HTTP 400 CHECK_PARAM; page_size 50: HTTP 200 SUCCESS, 0 rows"
    again = api_check.check_page_size_limit(refused, refused)
    assert again["status"] == "differs" and "will fail" in again["advice"]
    assert api_check.check_page_size_limit(failure(500, "DEV_CHECK_RETURN"), None)["status"] == "unknown"


def test_a_refused_large_page_is_reported_not_unknown():
    result = api_check.check_page_size_cap(failure(400, "CHECK_PARAM"))
    assert result["status"] == "differs" and "page_size_limit" in result["advice"]
