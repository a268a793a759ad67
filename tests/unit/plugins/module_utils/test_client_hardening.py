# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport hardening (issue 15, items 1-8): what an attacker or an unlucky setup tries, against real sockets
on loopback where it matters (redirects, ambient credentials, proxies, TLS) and a fake session elsewhere.

Each test records its figures in SECURITY_FIGURES (attack, result, requests sent to the wrong place), which
tests/unit/conftest.py writes for docs/reliability.md's security table.
"""

from __future__ import annotations

import email.utils
import json
import os

import pytest
import requests

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_block_storage as block_storage
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall_api as firewall_transport
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances
from ansible_collections.iwinv.cloud.plugins.module_utils import _api_client as client_mod
from ansible_collections.iwinv.cloud.plugins.module_utils import _api_pacer as pacer_mod
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    IwinvAmbiguousWriteError,
    IwinvApiError,
    IwinvClient,
    api_path,
    check_api_url,
    is_path_safe_id,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._api_pacer import FilePacer

from fakes import DNS_FAILURE, REFUSED, FakeClock, FakeResponse, FakeSession, NoPacer, error, ok
from loopback import OK_BODY, LoopbackServer, self_signed_certificate
from security_figures import record


def real_client(api_url, **kwargs):
    """A client with a real requests session; sleeps are recorded, not slept."""
    clock = FakeClock()
    client = IwinvClient("test-access", "test-secret", api_url=api_url, pacer=NoPacer(), sleep=clock.sleep,
                         rng=lambda: 0.5, **kwargs)
    return client, clock


def fake_client(*answers):
    clock = FakeClock()
    session = FakeSession(*answers)
    client = IwinvClient("test-access", "test-secret", api_url="https://api.test", session=session, pacer=NoPacer(),
                         clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    return client, session, clock


# --- 1. redirects ------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("method", ["GET", "DELETE"])
def test_a_redirect_is_never_followed_nor_retried_and_names_its_host(status, method):
    with LoopbackServer() as capture:
        target = "http://localhost:%d/v1/instances/i-1" % capture.port
        with LoopbackServer(lambda handler: (status, {"Location": target}, None)) as api:
            client, clock = real_client(api.url)
            expected = IwinvAmbiguousWriteError if method == "DELETE" else IwinvApiError
            with pytest.raises(expected) as caught:
                client.request(method, "/v1/instances/i-1")
        assert "redirect to localhost" in caught.value.message and "never followed" in caught.value.message
        assert len(api.requests) == 1 and clock.sleeps == []
        assert capture.requests == []
    record("redirect (301, 302, 303, 307, 308) of a signed GET or DELETE to another host",
           "fails at once, not retried, names the host", len(capture.requests))


# --- 2. ambient credentials, proxies and CA bundles from the environment ----------------------------------------

def test_netrc_credentials_are_never_sent(tmp_path, monkeypatch):
    netrc = tmp_path / ".netrc"
    netrc.write_text("default login someone password netrc-password\n", encoding="utf-8")
    os.chmod(str(netrc), 0o600)
    other = tmp_path / "other-netrc"
    other.write_text("machine 127.0.0.1 login other password other-password\n", encoding="utf-8")
    os.chmod(str(other), 0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    with LoopbackServer() as capture:
        for netrc_env in (None, str(other)):
            if netrc_env:
                monkeypatch.setenv("NETRC", netrc_env)
            real_client(capture.url)[0].get("/v1/zones")
            # requests itself would add it: the test would not prove anything if it did not.
            assert requests.Session().get(capture.url + "/v1/zones").ok
    sent = [headers for method, path, headers in capture.requests]
    assert "Authorization" not in sent[0] and "Authorization" not in sent[2]
    assert "Authorization" in sent[1] and "Authorization" in sent[3]
    assert all("X-iwinv-Signature" in sent[index] for index in (0, 2))
    record("~/.netrc or $NETRC with a default or matching entry", "no Authorization header; only the signature",
           sum("Authorization" in sent[index] for index in (0, 2)))


def test_a_proxy_from_the_environment_still_carries_the_requests(monkeypatch):
    with LoopbackServer() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        client, clock = real_client("http://127.0.0.1:9")   # nothing listens there: only the proxy can answer
        client.get("/v1/zones")
    assert [(method, path) for method, path, headers in proxy.requests] == [("GET", "http://127.0.0.1:9/v1/zones")]
    assert "X-iwinv-Signature" in proxy.requests[0][2]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_a_ca_bundle_from_the_environment_is_used(certificate, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certificate[0])
    with LoopbackServer(tls_files=certificate) as api:
        assert real_client(api.url)[0].get("/v1/zones") == []
    assert len(api.requests) == 1


# --- 3. api_url and validate_certs ------------------------------------------------------------------------

@pytest.mark.parametrize("url, words", [
    ("http://api-kr.iwinv.kr", "plain http:// would send every request unencrypted"),
    ("http://10.0.0.1:8080", "plain http://"),
    ("ftp://api-kr.iwinv.kr", "must be an https:// URL"),
    ("api-kr.iwinv.kr", "must be an https:// URL"),
    ("https://", "must be an https:// URL"),
    ("https://user:secret@api-kr.iwinv.kr", "must not hold credentials"),
    ("https://api-kr.iwinv.kr?x=1", "must not hold credentials, a query"),
    ("https://api-kr.iwinv.kr/v1", "must not hold a path"),
])
def test_unsafe_api_urls_are_refused_before_any_request(url, words):
    with pytest.raises(IwinvError, match=words.replace("?", r"\?")):
        IwinvClient("k", "s", api_url=url, session=FakeSession(), pacer=NoPacer())


@pytest.mark.parametrize("url", ["https://api-kr.iwinv.kr/", "http://127.0.0.1:8080", "http://localhost:1",
                                 "http://[::1]:8080", "http://127.1.2.3"])
def test_https_and_loopback_http_are_accepted(url):
    assert check_api_url(url) == url.rstrip("/")


def test_validate_certs_false_warns_once():
    warnings = []
    IwinvClient("k", "s", validate_certs=False, session=FakeSession(), pacer=NoPacer(), warn=warnings.append)
    IwinvClient("k", "s", session=FakeSession(), pacer=NoPacer(), warn=warnings.append)
    assert len(warnings) == 1 and "validate_certs is false" in warnings[0]


# --- 4. permanent errors fail at once -------------------------------------------------------------------

def test_a_tls_verification_failure_fails_at_once_and_names_the_host(certificate, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    with LoopbackServer(tls_files=certificate) as api:
        client, clock = real_client(api.url)
        with pytest.raises(IwinvApiError) as caught:
            client.get("/v1/zones")
    assert "TLS certificate verification failed for 127.0.0.1" in caught.value.message
    assert client.request_count == 1 and clock.sleeps == [] and api.requests == []
    record("TLS server with an untrusted certificate", "fails at once (1 attempt, no retry), names the host",
           len(api.requests))


@pytest.mark.parametrize("exc", [requests.exceptions.InvalidURL("bad"), requests.exceptions.InvalidSchema("bad"),
                                 requests.exceptions.InvalidHeader("bad")])
def test_invalid_requests_are_not_retried(exc):
    client, session, clock = fake_client(exc, ok([]))
    with pytest.raises(IwinvApiError, match="the request is invalid"):
        client.get("/v1/zones")
    assert len(session.calls) == 1 and clock.sleeps == []


@pytest.mark.parametrize("failure", [DNS_FAILURE, REFUSED])
def test_a_write_that_could_not_connect_is_retried_not_ambiguous(failure):
    client, session, clock = fake_client(failure, ok([]))
    client.post("/v1/instances/i-1/start")
    assert len(session.calls) == 2


# --- 5. paging --------------------------------------------------------------------------------------------

def rows(start, count):
    return [{"instance_id": "i-%d" % number} for number in range(start, start + count)]


def test_a_server_that_ignores_page_no_fails_instead_of_looping():
    full = ok(rows(0, 100), page_no=1, page_size=100)
    client, session, clock = fake_client(*[full] * 5)
    with pytest.raises(IwinvApiError, match="page 2 repeats page 1.*partial list"):
        client.paginate("/v1/instances")
    assert len(session.calls) == 2


def test_a_repeat_is_the_same_rows_in_any_key_order_not_merely_the_same_first_row():
    named = [dict(row, name="vm") for row in rows(0, 100)]
    same_start = [named[0]] + rows(100, 99)   # a row that moved between two reads: not a repeat
    reordered = [{"name": "vm", "instance_id": row["instance_id"]} for row in named]
    client, session, clock = fake_client(ok(named, page_size=100), ok(same_start, page_size=100),
                                         ok(reordered, page_size=100))
    with pytest.raises(IwinvApiError, match="page 3 repeats page 1 "):
        client.paginate("/v1/instances")
    assert len(session.calls) == 3


def test_a_lower_cap_echoing_the_requested_size_still_yields_every_row():
    answers = [ok(rows(0, 50), page_size=100), ok(rows(50, 50), page_size=100), ok(rows(100, 20), page_size=100)]
    client, session, clock = fake_client(*answers)
    assert client.paginate("/v1/instances") == rows(0, 120)
    assert [call["params"]["page_no"] for call in session.calls] == [1, 2, 3]


def test_a_short_first_page_below_the_served_size_costs_one_request():
    client, session, clock = fake_client(ok(rows(0, 3), page_size=100))
    assert len(client.paginate("/v1/instances")) == 3 and len(session.calls) == 1


def test_a_page_between_the_served_size_and_the_asked_one_is_confirmed_by_one_more():
    client, session, clock = fake_client(ok(rows(0, 33), page_size=100), ok([], page_size=100))
    assert len(client.paginate("/v1/instances")) == 33 and len(session.calls) == 2


def test_the_page_count_is_bounded(monkeypatch):
    monkeypatch.setattr(client_mod, "MAX_PAGES", 3)
    client, session, clock = fake_client(*[ok(rows(page * 100, 100), page_size=100) for page in range(5)])
    with pytest.raises(IwinvApiError, match="more than 3 pages"):
        client.paginate("/v1/instances")
    assert len(session.calls) == 3


# --- 6. error answers ----------------------------------------------------------------------------------------

def test_only_the_stale_timestamp_code_becomes_the_clock_message():
    clock = FakeClock()
    date = email.utils.formatdate(clock.now - 600, usegmt=True)
    for code, clock_message in (("INVALID_SIGNATURE", False), ("CHECK_CREDENTIAL", False), ("CHECK_SIGNATURE", True)):
        client, session, dummy = fake_client(error(401, code, message="API words", headers={"Date": date}))
        with pytest.raises(IwinvApiError) as caught:
            client.get("/v1/zones")
        assert ("clock is off by about 600 s" in caught.value.message) == clock_message
        assert "API words" in caught.value.message


@pytest.mark.parametrize("body", ["<html>gateway</html>", "", '{"unexpected": true}'])
def test_an_unreadable_success_answer_to_a_write_is_ambiguous_and_sent_once(body):
    client, session, clock = fake_client(FakeResponse(200, body), ok([]))
    with pytest.raises(IwinvAmbiguousWriteError, match="outcome is unknown"):
        client.post("/v1/instances", form={"name": "web"})
    assert len(session.calls) == 1


def test_an_unreadable_success_answer_to_a_read_is_retried():
    client, session, clock = fake_client(FakeResponse(200, "<html>"), ok([{"zone_id": "KR1-Z01"}]))
    assert client.get("/v1/zones") == [{"zone_id": "KR1-Z01"}]


def test_api_messages_lose_control_characters_and_are_bounded():
    hostile = "\x1b[31mred\x1b[0m\r\nfake: line\x07" + "x" * 5000
    client, session, clock = fake_client(error(400, "CHECK_PARAM\x1b[2J", message=hostile))
    with pytest.raises(IwinvApiError) as caught:
        client.get("/v1/zones")
    text = caught.value.message + json.dumps(caught.value.to_dict())
    assert not any(char in caught.value.message for char in "\x1b\r\n\x07")
    assert "\\u001b" not in text and len(caught.value.message) < 700
    assert "red" in caught.value.message
    record("API error message with ANSI escapes and 5,000 characters", "control characters removed, cut to 300", 0)


# --- 7. ids in paths -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad_id", ["abc\n", "abc\r", "../zones", "a/b", ".", "..", "a b", "a%0A", "", "é", "a?x"])
def test_an_unsafe_id_never_reaches_a_request(bad_id):
    assert not is_path_safe_id(bad_id)
    client, session, clock = fake_client(ok([]))
    assert client.get_detail("/v1/instances", bad_id) is None
    for send in (lambda: client.delete(api_path("/v1/instances", bad_id)),
                 lambda: client.post(api_path("/v1/block-storages", "v-1", "attach", bad_id)),
                 lambda: block_storage.delete_block_storage(client, bad_id),
                 lambda: firewall_transport.DocsFirewalls(client).detach(bad_id, "i-1"),
                 lambda: firewall_transport.SecurityGroups(client).rules(bad_id),
                 lambda: instances.instance_path(bad_id, "start")):
        with pytest.raises(IwinvError, match="refusing to put"):
            send()
    if "/" not in bad_id:   # a slash makes more segments, each checked by the last line of defence
        with pytest.raises(IwinvError, match="invalid API path"):
            client.delete("/v1/instances/%s" % bad_id)
    assert session.calls == []
    record("id with a newline, slash, dot segment, space, %, ? or non-ASCII in a request path",
           "refused before sending", len(session.calls))


def test_every_path_the_collection_uses_passes_the_check():
    for path in ("/v1/block-storages/types", "/v1/auth/ssh_key", "/v1/instance/script", "/v1/bill/live",
                 "/v1/flavors/std.1c1g", "/v1/firewall/FIREWALL-1/rules", "/v1/instances/i-1/start"):
        client_mod.check_path(path)


# --- 8. the pacer on a hostile state file -------------------------------------------------------------------

HOSTILE_PACER_CONTENT = ['{"log": [["t", 1e300]], "hold_until": 1e300}', '{"log": [["t", -1e300], ["t", "soon"], 7]}',
                         '{"log": %s}' % json.dumps([["t", 1e300]] * 3000), '{"log": [["%s", 0]]}' % ("x" * 10000),
                         '{"log": "many", "hold_until": null}', "[]", '"string"', '{"log": true}']
# At worst every entry counts until one flight and one window from now, and then a full window: never years.
HOSTILE_PACER_WORST = 40.0 + 2 * (pacer_mod.PACING_WINDOW + pacer_mod.PACING_MARGIN) + 1e-6


@pytest.mark.parametrize("content", HOSTILE_PACER_CONTENT)
def test_hostile_pacer_values_are_bounded(tmp_path, content):
    clock = FakeClock()

    def sleep(seconds):
        clock.sleep(seconds)
        assert clock.now - 1710000000.0 <= HOSTILE_PACER_WORST and seconds <= pacer_mod.MAX_PACING_SLEEP

    pacer = FilePacer("key", 60, directory=str(tmp_path), clock=clock, sleep=sleep, flight=40.0)
    with open(pacer.path, "w", encoding="utf-8") as handle:
        handle.write(content)
    os.chmod(pacer.path, 0o600)
    for _attempt in range(70):
        pacer.done(pacer.acquire())
    with pacer.state.locked() as state:
        assert len(state["log"]) <= 60 and pacer.state.persistent
    record("pacer file with hostile values (dates 1e300 or -1e300, strings, 3000 entries, [], a string)",
           "values bounded: no wait longer than api_timeout + 10 s + 121 s", 0)


def test_a_pacer_file_keeps_at_most_its_cap_of_entries(tmp_path):
    clock = FakeClock()
    pacer = FilePacer("key", 60, directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    with pacer.state.locked() as state:
        state["log"] = [["t", clock.now]] * 3000
    pacer.done("another")                    # any visit writes the log back bounded
    with pacer.state.locked() as state:
        assert len(state["log"]) == pacer_mod.MAX_LOGGED_REQUESTS


def test_a_symlink_at_the_pacer_path_leaves_its_target_alone(tmp_path):
    warnings = []
    target = tmp_path / "victim"
    target.write_text("precious", encoding="utf-8")
    pacer = FilePacer("key", 60, directory=str(tmp_path / "cache"), warn=warnings.append)
    os.makedirs(str(tmp_path / "cache"), mode=0o700)
    os.symlink(str(target), pacer.path)
    for _attempt in range(3):
        pacer.acquire()
    assert target.read_text(encoding="utf-8") == "precious"
    assert len(warnings) == 1 and "in this process only" in warnings[0]
    record("symlink at the pacer file's path", "target untouched; in-process pacing, one warning", 0)


def test_the_pacing_sleep_is_capped_even_at_a_tiny_rate(tmp_path):
    clock = FakeClock()
    pacer = FilePacer("key", 1, directory=str(tmp_path), clock=clock, sleep=clock.sleep)
    pacer.acquire()
    pacer.acquire()
    assert clock.sleeps and max(clock.sleeps) <= pacer_mod.MAX_PACING_SLEEP
    assert sum(clock.sleeps) >= 60  # still paced: one request a minute


def test_ok_body_is_a_success_envelope():
    # The loopback servers' default answer must be one the client accepts, or the tests above prove nothing.
    assert client_mod.is_success(OK_BODY)
