"""Authentication, signing, clock tolerance, rate limit, envelope and routing strictness."""

import email.utils
import time

import pytest
import requests

from fixture import auth_headers, sign
from emulator_helpers import assert_error

VECTORS = [
    ("test-secret", "/v1/zones", "837efc703dcc429bfca3b8cc66f8b13ffbef16c817f96c1c5d315b55ff80e8a2"),
    ("test-secret", "/v1/block-storages/abc/detach", "278fec5f84faa446a48981fb2d7ff106d5e468e743e599be737a72c5c708c6d2"),
    ("test-secret", "/v1/instances", "3ca963dde2cef9fd7fd22620b95b962efaf5dd180555e0cfdc536acad9a15a23"),
    ("test-secret", "/v1/instances/abc", "62500beddb9670f17227f33c7cf59678b8c60971e2dc77f4b025cb1d73feaa49"),
    ("test-secret", "/v1/firewall", "64d7cfee819bc9105237a1cf714e0c02dedd77d4f99621ffa5a97ce215062796"),
    ("synthetic-secret", "/v1/zones", "dc173edadd25dbdd85193174137e90f73a82970b519cb74c09efe51b76715fb2"),
]
NEGATIVE = [
    "62bdac5da5e2e5f569300b5207395867e411f8a5519ebf00274f493b9051370d",   # trailing slash signed
    "69fb9418d6452367a7dcec4514a2bf2c6115b32372c628e1d7d6ce6c5a35061d",   # no /v1
    "65e15dd37f0812c35ac3d2d996d015d60f396c1521cde3b0c8a5283554920fda",   # query signed
]
TS = 1710000000


@pytest.mark.parametrize("secret,path,expected", VECTORS)
def test_reference_vectors_compute(secret, path, expected):
    assert sign(secret, path, TS) == expected


def _at_vector_time(emulator):
    """Skew the server clock so that the vectors' timestamp 1710000000 is 'now'."""
    emulator.config(clock_offset=TS - time.time())


@pytest.mark.parametrize("path,expected", [(p, e) for s, p, e in VECTORS if s == "test-secret"])
def test_reference_vectors_verify(emulator, path, expected):
    _at_vector_time(emulator)
    if path == "/v1/firewall":   # the docs' family, served only behind its switch (the default is security-groups)
        emulator.config(firewall_family="firewall")
    headers = {"X-iwinv-Timestamp": str(TS), "X-iwinv-Credential": "test-access", "X-iwinv-Signature": expected}
    response = requests.get(emulator.url + path, headers=headers, timeout=10)
    # Authentication passed: whatever the endpoint answers, it is not a 401.
    assert response.status_code != 401, response.text
    if path in ("/v1/zones", "/v1/instances", "/v1/firewall"):
        assert response.status_code == 200


@pytest.mark.parametrize("signature", NEGATIVE)
def test_negative_vectors_rejected(emulator, signature):
    _at_vector_time(emulator)
    headers = {"X-iwinv-Timestamp": str(TS), "X-iwinv-Credential": "test-access", "X-iwinv-Signature": signature}
    assert_error(requests.get(emulator.url + "/v1/zones?page_no=1", headers=headers, timeout=10), 401, "INVALID_SIGNATURE")


def test_query_is_not_signed(emulator):
    emulator.ok("GET", "/v1/instances", query={"page_no": "1", "page_size": "5"})


@pytest.mark.parametrize("missing", ["X-iwinv-Timestamp", "X-iwinv-Credential", "X-iwinv-Signature"])
def test_missing_header(emulator, missing):
    headers = auth_headers("test-access", "test-secret", "/v1/zones")
    del headers[missing]
    assert_error(requests.get(emulator.url + "/v1/zones", headers=headers, timeout=10), 401, "CHECK_CREDENTIAL")


def test_unknown_access_key(emulator):
    assert_error(emulator.signed("GET", "/v1/zones", access_key="nobody"), 401, "CHECK_CREDENTIAL")


def test_wrong_signature(emulator):
    assert_error(emulator.signed("GET", "/v1/zones", secret_key="wrong"), 401, "INVALID_SIGNATURE")


def test_trailing_slash_signature_rejected(emulator):
    headers = auth_headers("test-access", "test-secret", "/v1/zones/")
    assert_error(requests.get(emulator.url + "/v1/zones", headers=headers, timeout=10), 401, "INVALID_SIGNATURE")


@pytest.mark.parametrize("skew", [-301, 301, -3600])
def test_stale_timestamp(emulator, skew):
    assert_error(emulator.signed("GET", "/v1/zones", timestamp=int(time.time()) + skew), 401, "CHECK_SIGNATURE")


def test_timestamp_within_tolerance(emulator):
    emulator.ok("GET", "/v1/zones", timestamp=int(time.time()) - 290)
    emulator.ok("GET", "/v1/zones", timestamp=int(time.time()) + 290)


def test_malformed_timestamp(emulator):
    assert_error(emulator.signed("GET", "/v1/zones", timestamp="17e8"), 401, "CHECK_SIGNATURE")


def test_clock_offset_moves_tolerance_and_date_header(emulator):
    emulator.config(clock_offset=1000)
    assert_error(emulator.signed("GET", "/v1/zones"), 401, "CHECK_SIGNATURE")
    response = emulator.signed("GET", "/v1/zones", timestamp=int(time.time()) + 1000)
    assert response.status_code == 200
    date = email.utils.parsedate_to_datetime(response.headers["Date"]).timestamp()
    assert abs(date - (time.time() + 1000)) < 5


def test_every_answer_has_a_date_header(emulator):
    for response in (emulator.signed("GET", "/v1/zones"), emulator.signed("GET", "/v1/zones", secret_key="x"),
                     emulator.signed("GET", "/v1/nothing")):
        assert "Date" in response.headers


def test_success_envelope(emulator):
    body = emulator.ok("GET", "/v1/zones")
    assert body["code"] == "0x00" and body["error_code"] == "SUCCESS" and body["message"] == ""
    assert body["count"] == len(body["result"]) == 4


def test_rate_limit_61st_request(emulator):
    emulator.config(rate_limit=60)
    for _index in range(60):
        emulator.ok("GET", "/v1/zones")
    body = assert_error(emulator.signed("GET", "/v1/zones"), 429, "LIMIT_EXCEEDED")
    assert body["code"] == "0x17"
    # writes are limited too
    assert_error(emulator.signed("POST", "/v1/instances/x/start"), 429, "LIMIT_EXCEEDED")


def test_rate_limit_is_rolling_and_rejections_do_not_count(emulator):
    emulator.config(rate_limit=5, rate_window=1.0)
    for _index in range(5):
        emulator.ok("GET", "/v1/zones")
    start = time.monotonic()
    while time.monotonic() - start < 0.8:   # hammer while limited: these 429s must not use up budget
        assert_error(emulator.signed("GET", "/v1/zones"), 429, "LIMIT_EXCEEDED")
    time.sleep(max(0.0, 1.05 - (time.monotonic() - start)))
    for _index in range(5):
        emulator.ok("GET", "/v1/zones")
    assert_error(emulator.signed("GET", "/v1/zones"), 429, "LIMIT_EXCEEDED")


def test_rate_limit_status_is_configurable(emulator):
    emulator.config(rate_limit=1, rate_limit_status=400)   # D4: the real API may use another status
    emulator.ok("GET", "/v1/zones")
    assert_error(emulator.signed("GET", "/v1/zones"), 400, "LIMIT_EXCEEDED")


def test_auth_failures_do_not_count(emulator):
    emulator.config(rate_limit=3)
    for _index in range(10):
        emulator.signed("GET", "/v1/zones", secret_key="bad")
    for _index in range(3):
        emulator.ok("GET", "/v1/zones")


def test_unknown_endpoint_and_method(emulator):
    assert_error(emulator.signed("GET", "/v1/nothing"), 404, "NOT_FOUND")
    assert_error(emulator.signed("PATCH", "/v1/zones"), 404, "NOT_FOUND")
    assert_error(emulator.signed("GET", "/v1/zones/"), 404, "NOT_FOUND")
    assert_error(emulator.signed("OPTIONS", "/v1/zones"), 404, "NOT_FOUND")
    assert emulator.signed("HEAD", "/v1/zones").status_code == 404


def test_unknown_query_parameter(emulator):
    assert_error(emulator.signed("GET", "/v1/zones", query={"bogus": "1"}), 400, "CHECK_PARAM")


def test_request_log(emulator):
    emulator.clear_requests()
    emulator.ok("GET", "/v1/instances", query={"page_no": "2"})
    emulator.signed("GET", "/v1/zones", secret_key="bad")
    log = emulator.requests()
    assert [(e["method"], e["path"], e["status"], e["error_code"]) for e in log] == [
        ("GET", "/v1/instances", 200, "SUCCESS"), ("GET", "/v1/zones", 401, "INVALID_SIGNATURE")]
    assert log[0]["query"] == {"page_no": "2"} and isinstance(log[0]["time"], float)
    emulator.clear_requests()
    assert emulator.requests() == []
