# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import email.utils
import multiprocessing
import os
import random
import time

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _api_client as client_mod
from ansible_collections.iwinv.cloud.plugins.module_utils import _api_pacer as pacer_mod
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    IwinvAmbiguousWriteError,
    IwinvApiError,
    IwinvClient,
    sign,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._api_pacer import FilePacer

from fakes import DROPPED, REFUSED, FakeClock, FakeResponse, FakeSession, NoPacer, error, ok


def make_client(*answers, clock=None):
    clock = clock or FakeClock()
    session = FakeSession(*answers)
    client = IwinvClient("test-access", "test-secret", api_url="https://api.test", session=session, pacer=NoPacer(),
                         clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    return client, session, clock


# --- signing ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("secret,path,expected", [
    ("test-secret", "/v1/zones", "837efc703dcc429bfca3b8cc66f8b13ffbef16c817f96c1c5d315b55ff80e8a2"),
    ("test-secret", "/v1/block-storages/abc/detach", "278fec5f84faa446a48981fb2d7ff106d5e468e743e599be737a72c5c708c6d2"),
    ("test-secret", "/v1/instances", "3ca963dde2cef9fd7fd22620b95b962efaf5dd180555e0cfdc536acad9a15a23"),
    ("test-secret", "/v1/instances/abc", "62500beddb9670f17227f33c7cf59678b8c60971e2dc77f4b025cb1d73feaa49"),
    ("test-secret", "/v1/firewall", "64d7cfee819bc9105237a1cf714e0c02dedd77d4f99621ffa5a97ce215062796"),
    ("synthetic-secret", "/v1/zones", "dc173edadd25dbdd85193174137e90f73a82970b519cb74c09efe51b76715fb2"),
])
def test_signature_matches_reference_vectors(secret, path, expected):
    assert sign(secret, "1710000000", path) == expected


def test_request_signs_path_without_query_and_sends_query_separately():
    client, session, clock = make_client(ok([]))
    client.get("/v1/zones", query={"page_no": 1})
    call = session.calls[0]
    assert call["url"] == "https://api.test/v1/zones"
    assert call["params"] == {"page_no": 1}
    headers = call["headers"]
    assert headers["X-iwinv-Timestamp"] == "1710000000"
    assert headers["X-iwinv-Credential"] == "test-access"
    assert headers["X-iwinv-Signature"] == "837efc703dcc429bfca3b8cc66f8b13ffbef16c817f96c1c5d315b55ff80e8a2"
    assert headers["User-Agent"].startswith("iwinv.cloud/")


@pytest.mark.parametrize("path", ["/v1/zones/", "/zones", "/v1/zones?page_no=1"])
def test_paths_the_api_cannot_verify_are_refused_before_sending(path):
    client, session, clock = make_client()
    with pytest.raises(IwinvError):
        client.get(path)
    assert session.calls == []


def test_form_is_sent_as_multipart_and_json_as_json():
    client, session, clock = make_client(ok([{"instance_id": "i-1"}]), ok([{"firewall_id": "FIREWALL-1"}]))
    client.post("/v1/instances", form={"zone_id": "KR1-Z08", "count": 1})
    client.post("/v1/firewall", json={"title": "web"})
    assert session.calls[0]["files"] == [("zone_id", (None, "KR1-Z08")), ("count", (None, "1"))]
    assert "json" not in session.calls[0]
    assert session.calls[1]["json"] == {"title": "web"}
    assert "files" not in session.calls[1]


# --- envelope --------------------------------------------------------------------------------------

def test_success_needs_2xx_and_code_and_error_code():
    client, session, clock = make_client(FakeResponse(200, {"code": "0x11", "error_code": "CHECK_LENGTH", "message": "too long"}))
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/zones")
    assert caught.value.error_code == "CHECK_LENGTH"
    assert caught.value.to_dict() == {"status": 200, "code": "0x11", "error_code": "CHECK_LENGTH", "message": "too long",
                                      "method": "GET", "path": "/v1/zones"}


def test_error_with_object_result_and_korean_message_is_tolerated():
    answer = FakeResponse(400, {"code": "0x16", "error_code": "ID_INVALID", "message": "잘못된 ID", "result": {"code": 22}})
    client, session, clock = make_client(answer)
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/images/nope")
    assert caught.value.not_found
    assert "ID_INVALID" in caught.value.message


def test_string_result_becomes_an_empty_list():
    client, session, clock = make_client(FakeResponse(200, {"code": "0x00", "error_code": "SUCCESS", "result": "deleted"}))
    assert client.delete("/v1/firewall/FIREWALL-1") == []


def test_error_messages_never_contain_the_secret_or_signature():
    client, session, clock = make_client(error(401, "INVALID_SIGNATURE", code="0x8"))
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/zones")
    text = caught.value.message + repr(caught.value.to_dict()) + repr(client)
    assert "test-secret" not in text
    assert session.calls[0]["headers"]["X-iwinv-Signature"] not in text
    assert "signature" in caught.value.message


# --- retries ---------------------------------------------------------------------------------------

def test_read_retries_429_honouring_retry_after():
    client, session, clock = make_client(error(429, "LIMIT_EXCEEDED", code="0x17", headers={"Retry-After": "7"}), ok([]))
    assert client.get("/v1/zones") == []
    assert len(session.calls) == 2
    assert clock.sleeps == [7.0]


def test_retry_after_as_http_date_is_honoured():
    clock = FakeClock()
    when = email.utils.formatdate(clock.now + 12, usegmt=True)
    client, session, clock = make_client(error(429, "LIMIT_EXCEEDED", headers={"Retry-After": when}), ok([]), clock=clock)
    client.get("/v1/zones")
    assert clock.sleeps == [12.0]


def test_read_backs_off_exponentially_without_retry_after():
    answers = [error(429, "LIMIT_EXCEEDED", code="0x17") for _attempt in range(4)] + [ok([])]
    client, session, clock = make_client(*answers)
    client.get("/v1/zones")
    # jitter fixed at the middle of [ceiling/2, ceiling]: 0.75 of 1, 2, 4, 8 seconds
    assert clock.sleeps == [0.75, 1.5, 3.0, 6.0]


def test_read_gives_up_after_the_retry_budget_with_advice():
    answers = [error(429, "LIMIT_EXCEEDED", code="0x17") for _attempt in range(client_mod.MAX_RETRIES + 1)]
    client, session, clock = make_client(*answers)
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/zones")
    assert len(session.calls) == client_mod.MAX_RETRIES + 1
    assert "rate_limit" in caught.value.message


def test_limit_exceeded_on_a_read_with_another_status_is_a_rate_limit():
    client, session, clock = make_client(error(400, "LIMIT_EXCEEDED", code="0x17"), ok([]))
    client.get("/v1/zones")
    assert len(session.calls) == 2


@pytest.mark.parametrize("failure", [
    FakeResponse(502, "<html><body>Bad Gateway</body></html>"),
    error(500, "DEV_CHECK_RETURN", code="0xc"),
    DROPPED,
    client_mod.requests.exceptions.ReadTimeout("read timed out"),
])
def test_reads_retry_server_errors_and_dropped_connections(failure):
    client, session, clock = make_client(failure, ok([{"zone_id": "KR1-Z08"}]))
    assert client.get("/v1/zones") == [{"zone_id": "KR1-Z08"}]
    assert len(session.calls) == 2


@pytest.mark.parametrize("failure", [
    FakeResponse(504, "<html>Gateway Timeout</html>"),
    FakeResponse(500, "{not json"),
    FakeResponse(500, {"code": "0xc", "message": "no error code"}),
    DROPPED,
    client_mod.requests.exceptions.ReadTimeout("read timed out"),
])
def test_an_ambiguous_write_is_sent_exactly_once(failure):
    client, session, clock = make_client(failure, ok([]))
    with pytest.raises(IwinvAmbiguousWriteError) as caught:
        client.post("/v1/instances", form={"name": "web-1"})
    assert len(session.calls) == 1
    assert "may have executed" in caught.value.message and not caught.value.answered


def test_a_write_refused_with_an_error_envelope_is_the_apis_answer_sent_once():
    """LIVE: 500 DEV_CHECK_RETURN (nested code 12) to a create in a restricted zone, which created nothing."""
    refusal = error(500, "DEV_CHECK_RETURN", code="0xc", message="선택하신 존에서는 자원 사용이 제한되어 있습니다.",
                    result={"code": 12, "message": "선택하신 존에서는 자원 사용이 제한되어 있습니다."})
    client, session, clock = make_client(refusal, ok([]))
    with pytest.raises(IwinvAmbiguousWriteError) as caught:
        client.post("/v1/instances", form={"name": "web-1"})
    assert len(session.calls) == 1 and caught.value.answered
    assert caught.value.error_code == "DEV_CHECK_RETURN" and "may have executed" not in caught.value.message
    assert "refused" in caught.value.message


def test_a_write_answered_429_was_not_executed_and_is_retried():
    client, session, clock = make_client(error(429, "LIMIT_EXCEEDED", code="0x17"), ok([{"instance_id": "i-1"}]))
    assert client.post("/v1/instances", form={"name": "web-1"}) == [{"instance_id": "i-1"}]
    assert len(session.calls) == 2


def test_a_write_that_never_reached_the_server_is_retried():
    client, session, clock = make_client(REFUSED, ok([]))
    client.post("/v1/instances/i-1/start")
    assert len(session.calls) == 2


def test_limit_exceeded_on_a_write_is_a_quota_error_never_retried():
    client, session, clock = make_client(error(400, "LIMIT_EXCEEDED", code="0x17", message="max 8 volumes"), ok([]))
    with pytest.raises(IwinvApiError) as caught:
        client.post("/v1/block-storages/bs-1/attach/i-1")
    assert not isinstance(caught.value, IwinvAmbiguousWriteError)
    assert len(session.calls) == 1
    assert "max 8 volumes" in caught.value.message


def test_client_errors_are_not_retried():
    client, session, clock = make_client(error(400, "ID_INVALID", code="0x16"), ok([]))
    with pytest.raises(IwinvApiError):
        client.get("/v1/images/nope")
    assert len(session.calls) == 1


# --- authentication messages -----------------------------------------------------------------------

def test_stale_timestamp_names_the_clock_offset():
    clock = FakeClock()
    server_date = email.utils.formatdate(clock.now - 600, usegmt=True)
    answer = error(401, "CHECK_SIGNATURE", code="0x7", headers={"Date": server_date})
    client, session, clock = make_client(answer, clock=clock)
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/zones")
    assert "clock is off by about 600 s" in caught.value.message
    assert "ahead of" in caught.value.message


@pytest.mark.parametrize("error_code,words", [
    ("CHECK_CREDENTIAL", "access_key"),
    ("INVALID_SIGNATURE", "secret_key"),
    ("CHECK_IP", "IP allowlist"),
])
def test_auth_failures_say_what_to_check(error_code, words):
    status = 403 if error_code == "CHECK_IP" else 401
    client, session, clock = make_client(error(status, error_code, message="인증 실패"))
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/zones")
    assert words in caught.value.message


def test_check_ip_advice_does_not_claim_the_allowlist_as_the_only_cause():
    """LIVE: every bill detail answered 403 CHECK_IP while the bill list worked with the same key."""
    client, session, clock = make_client(error(403, "CHECK_IP", code="0x9", message="허용되지 않은 IP 입니다."))
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/bill/BILL-1")
    message = caught.value.message
    assert "probably" in message and "when other requests with this key work" in message
    assert "is not in the API key's IP allowlist:" not in message


@pytest.mark.parametrize("error_code,words", [
    ("CHECK_PARAM", "refused a parameter value"),
    ("UNAVAILABLE_COMBINATION", "refused the combination of zone, flavor and image"),
    ("NOT_FOUND", "found no such resource or endpoint"),
    ("ID_INVALID", "knows no such id"),
])
def test_messages_are_built_from_the_error_code_whatever_the_language(error_code, words):
    client, session, clock = make_client(error(400, error_code, message="요청을 처리할 수 없습니다."))
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/zones/x")
    assert caught.value.message.startswith("GET /v1/zones/x failed: the API " + words)
    assert caught.value.message.endswith("(HTTP 400, %s): 요청을 처리할 수 없습니다." % error_code)


# --- paging ----------------------------------------------------------------------------------------

def rows(start, count):
    return [{"instance_id": "i-%d" % n} for n in range(start, start + count)]


def test_paging_survives_a_server_that_caps_the_page_size():
    answers = [ok(rows(0, 50), page_no=1, page_size=50), ok(rows(50, 50), page_no=2, page_size=50),
               ok(rows(100, 7), page_no=3, page_size=50)]
    client, session, clock = make_client(*answers)
    result = client.paginate("/v1/instances", page_size=100)
    assert [row["instance_id"] for row in result] == ["i-%d" % n for n in range(107)]
    assert [call["params"]["page_no"] for call in session.calls] == [1, 2, 3]


def test_paging_accepts_string_page_fields_and_stops_on_an_empty_page():
    answers = [ok(rows(0, 10), page_no="1", page_size="10"), ok([], page_no="2", page_size="10")]
    client, session, clock = make_client(*answers)
    assert len(client.paginate("/v1/bill", query={"start_date": "2026-01-01"}, page_size=10)) == 10
    assert session.calls[0]["params"] == {"start_date": "2026-01-01", "page_no": 1, "page_size": 10}
    assert len(session.calls) == 2


# --- the page size: a CHECK_PARAM on a size above 50 lists again with 50, remembered for the process -------------

def sizes(session):
    return [call["params"]["page_size"] for call in session.calls]


def test_a_refused_page_size_lists_again_with_50_and_later_lists_ask_50_at_once():
    refused = error(400, "CHECK_PARAM", message="page_size")
    client, session, clock = make_client(refused, ok(rows(0, 50), page_size=50), ok(rows(50, 3), page_size=50),
                                         ok(rows(0, 2), page_size=50), ok(rows(0, 4), page_size=50))
    assert len(client.paginate("/v1/instances")) == 53
    assert sizes(session) == [100, 50, 50] and [call["params"]["page_no"] for call in session.calls] == [1, 1, 2]
    assert len(client.paginate("/v1/flavors")) == 2 and sizes(session)[3:] == [50]
    other, other_session, clock = make_client(ok(rows(0, 4)))   # a new client of the same process and API URL
    assert len(other.first_page("/v1/instances")) == 4 and sizes(other_session) == [50]
    assert client_mod.SMALLER_PAGES == {"https://api.test"}


def test_the_first_page_of_a_list_falls_back_and_remembers_too():
    client, session, clock = make_client(error(400, "CHECK_PARAM"), ok(rows(0, 50), page_size=50), ok(rows(0, 1)))
    assert len(client.first_page("/v1/instances", query={"fields": "3"})) == 50
    assert len(client.paginate("/v1/images")) == 1 and sizes(session) == [100, 50, 50]


@pytest.mark.parametrize("answer", [error(400, "CHECK_PARAM_ENUM"), error(400, "ID_INVALID"), error(403, "CHECK_IP"),
                                    error(404, "NOT_FOUND"), error(400, "EMPTY_SET")])
def test_other_errors_of_a_list_are_reported_as_they_are(answer):
    client, session, clock = make_client(answer)
    with pytest.raises(IwinvApiError):
        client.paginate("/v1/instances")
    assert sizes(session) == [100] and client_mod.SMALLER_PAGES == set()


def test_a_check_param_on_a_size_of_50_or_less_is_the_answer():
    client, session, clock = make_client(error(400, "CHECK_PARAM"))
    with pytest.raises(IwinvApiError, match="CHECK_PARAM"):
        client.paginate("/v1/bill", page_size=10)
    assert sizes(session) == [10]


def test_a_check_param_that_stays_at_50_is_reported_and_not_remembered():
    client, session, clock = make_client(error(400, "CHECK_PARAM", message="unknown os"),
                                         error(400, "CHECK_PARAM", message="unknown os"), ok([]))
    with pytest.raises(IwinvApiError, match="unknown os"):
        client.paginate("/v1/images", query={"os": "plan9"})
    assert client_mod.SMALLER_PAGES == set()
    client.paginate("/v1/instances")
    assert sizes(session) == [100, 50, 100]


def test_a_documented_unpaginated_list_first_sends_the_documented_request_and_its_refusal_is_the_answer():
    """The volume list's docs have no page_no/page_size: a CHECK_PARAM on its filters is not a page size's."""
    client, session, clock = make_client(error(400, "CHECK_PARAM", message="unknown type"), ok([]))
    with pytest.raises(IwinvApiError, match="unknown type"):
        client.paginate("/v1/block-storages", query={"type": "nvme"}, documented_unpaginated=True)
    assert [call["params"] for call in session.calls] == [{"type": "nvme"}]
    assert client_mod.SMALLER_PAGES == set()
    client.paginate("/v1/instances")
    assert session.calls[-1]["params"]["page_size"] == 100


def test_the_smaller_size_is_remembered_per_api_url():
    client_mod.SMALLER_PAGES.add("https://other.test")
    client, session, clock = make_client(ok(rows(0, 3)))
    client.paginate("/v1/instances")
    assert sizes(session) == [100]


def test_paging_ignores_count_which_is_page_local():
    answers = [ok(rows(0, 2), page_no=1, page_size=2, count=2), ok(rows(2, 1), page_no=2, page_size=2, count=1)]
    client, session, clock = make_client(*answers)
    assert len(client.paginate("/v1/images", page_size=2)) == 3


# --- pacing ----------------------------------------------------------------------------------------

def file_pacer(tmp_path, clock, rate_limit=60, **kwargs):
    return FilePacer("key", rate_limit, directory=str(tmp_path), clock=clock, sleep=clock.sleep, **kwargs)


def test_pacer_lets_the_whole_budget_go_at_once_then_waits_for_the_first_to_leave(tmp_path):
    clock = FakeClock()
    pacer = file_pacer(tmp_path, clock)
    for _request in range(60):
        pacer.done(pacer.acquire())
    assert clock.sleeps == []
    pacer.acquire()
    assert clock.now - 1710000000.0 == pytest.approx(pacer_mod.PACING_WINDOW + pacer_mod.PACING_MARGIN)


class Fleet:
    """Forks sharing one pacer on a fake clock; each request reaches the API a random time after its ticket was
    taken, and is answered a random time after that (the pacer hears of it then, as the client tells it)."""

    def __init__(self, pacer, clock, rng, forks=10, max_delay=8.0, max_answer=2.0):
        self.pacer, self.clock, self.rng = pacer, clock, rng
        self.forks, self.max_delay, self.max_answer = forks, max_delay, max_answer
        self.pending = []     # (answer time, ticket)
        self.arrivals = []
        pacer.sleep = self.sleep

    def sleep(self, seconds):
        self.answer_until(self.clock.now + seconds)

    def answer_until(self, when):
        for answer, ticket in sorted(self.pending):
            if answer <= when:
                self.clock.now = max(self.clock.now, answer)
                self.pacer.done(ticket)
                self.pending.remove((answer, ticket))
        self.clock.now = max(self.clock.now, when)

    def run(self, requests):
        ready = [self.clock.now] * self.forks
        while len(self.arrivals) < requests:
            ready.sort()
            self.answer_until(ready.pop(0))
            ticket = self.pacer.acquire()
            arrival = self.clock.now + self.rng.uniform(0, self.max_delay)
            answer = arrival + self.rng.uniform(0, self.max_answer)
            self.arrivals.append(arrival)
            self.pending.append((answer, ticket))
            ready.append(answer)
        return max(sum(1 for other in self.arrivals if start <= other < start + 60) for start in self.arrivals)


@pytest.mark.parametrize("seed", range(5))
def test_no_rolling_minute_of_arrivals_exceeds_the_limit_whatever_the_delays(tmp_path, seed):
    clock = FakeClock()
    fleet = Fleet(file_pacer(tmp_path, clock), clock, random.Random(seed))
    assert fleet.run(300) == 60     # the busiest minute of arrivals is at the limit, never above it


def test_a_ticket_never_done_still_expires_after_its_flight(tmp_path):
    clock = FakeClock()
    pacer = file_pacer(tmp_path, clock, rate_limit=1, flight=40.0)
    pacer.acquire()                 # the process was killed: no answer, no done()
    pacer.acquire()
    assert clock.now - 1710000000.0 == pytest.approx(40.0 + pacer_mod.PACING_WINDOW + pacer_mod.PACING_MARGIN)


def test_an_answer_ends_the_flight_of_its_ticket_only(tmp_path):
    clock = FakeClock()
    pacer = file_pacer(tmp_path, clock, rate_limit=2, flight=40.0)
    pacer.acquire()
    pacer.done(pacer.acquire())
    pacer.done("not-a-ticket")
    pacer.acquire()
    assert clock.now - 1710000000.0 == pytest.approx(pacer_mod.PACING_WINDOW + pacer_mod.PACING_MARGIN)


def test_a_rate_limit_above_the_cap_paces_at_the_cap_and_its_log_fits_the_file(tmp_path):
    clock = FakeClock()
    pacer = file_pacer(tmp_path, clock, rate_limit=100000)
    for _request in range(pacer_mod.MAX_LOGGED_REQUESTS):
        pacer.done(pacer.acquire())
    assert clock.sleeps == []
    pacer.acquire()
    assert clock.sleeps and pacer.state.persistent
    assert os.path.getsize(pacer.path) <= pacer_mod.PACER_MAX_BYTES


def test_pacer_file_is_named_without_the_access_key(tmp_path):
    pacer = FilePacer("my-access-key", 60, directory=str(tmp_path))
    pacer.acquire()
    assert os.listdir(str(tmp_path)) and all("my-access-key" not in name for name in os.listdir(str(tmp_path)))


def test_rate_limit_zero_turns_pacing_off(tmp_path):
    clock = FakeClock()
    pacer = FilePacer("key", 0, directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    for _attempt in range(100):
        pacer.done(pacer.acquire())
    assert clock.sleeps == [] and os.listdir(str(tmp_path)) == []


# Two real processes on a clock SPEED times faster than time.time: the window lasts 60 / SPEED real seconds.
SPEED = 30.0


def fast_clock():
    return time.time() * SPEED


def fast_sleep(seconds):
    time.sleep(seconds / SPEED)


def _take_tickets(directory, count, start, out):
    pacer = FilePacer("shared-key", 10, directory=directory, clock=fast_clock, sleep=fast_sleep)
    start.wait(30)
    for _attempt in range(count):
        pacer.done(pacer.acquire())
        out.put(fast_clock())


def test_two_processes_share_one_log(tmp_path):
    """rate_limit 10: two processes taking 8 tickets each at once share one budget of 10 per rolling minute.

    With a log per process, both would take their 8 in the first minute.
    """
    # spawn, not fork: forking a process that runs threads (pytest plugins, the emulator fixture) can deadlock.
    context = multiprocessing.get_context("spawn")
    out, start = context.Queue(), context.Barrier(3)
    workers = [context.Process(target=_take_tickets, args=(str(tmp_path), 8, start, out)) for _worker in range(2)]
    for worker in workers:
        worker.start()
    start.wait(30)
    times = sorted(out.get(timeout=30) for _ticket in range(16))
    for worker in workers:
        worker.join(30)
    assert len(times) == 16 and max(sum(1 for other in times if first <= other < first + 60) for first in times) <= 10


# --- detail endpoints ------------------------------------------------------------------------------

@pytest.mark.parametrize("answer", [ok([]), error(400, "ID_INVALID", code="0x16")])
def test_a_detail_that_does_not_exist_is_none_whatever_the_endpoint_answers(answer):
    client, session, clock = make_client(answer)
    assert client.get_detail("/v1/images", "nope") is None
    assert session.calls[0]["url"] == "https://api.test/v1/images/nope"


def test_a_detail_returns_its_one_row_and_other_errors_still_raise():
    client, session, clock = make_client(ok([{"image_id": "img-1"}]), error(403, "CHECK_IP", code="0x9"))
    assert client.get_detail("/v1/images", "img-1", query={"fields": 1}) == {"image_id": "img-1"}
    assert session.calls[0]["params"] == {"fields": 1}
    with pytest.raises(IwinvApiError):
        client.get_detail("/v1/images", "img-2")


@pytest.mark.parametrize("bad_id", ["", "web 1", "a/b", "../zones", "ünïcode"])
def test_an_id_that_cannot_stand_in_a_path_costs_no_request(bad_id):
    client, session, clock = make_client()
    assert client.get_detail("/v1/instances", bad_id) is None
    assert session.calls == []
