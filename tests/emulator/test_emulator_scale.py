"""Concurrency, scale, persistence across restarts, and crash-proofing."""

import concurrent.futures
import json
import socket
import time
from urllib.parse import quote_plus, urlsplit

import pytest
import requests

from fixture import EmulatorProcess, auth_headers, signed
from emulator_helpers import UBUNTU_VM, assert_error, create_instance, wait_status


def _parallel(count, function):
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(function, range(count)))


def test_twenty_concurrent_creates(emulator):
    responses = _parallel(20, lambda n: emulator.signed("POST", "/v1/instances", session=None,
                                                        form=dict(UBUNTU_VM, name="c-%d" % n)))
    assert [r.status_code for r in responses] == [202] * 20
    ids = {r.json()["result"][0]["instance_id"] for r in responses}
    rows = emulator.ok("GET", "/v1/instances", query={"page_size": "100"})["result"]
    assert len(ids) == 20 and {r["instance_id"] for r in rows} == ids
    assert sorted(r["name"] for r in rows) == sorted("c-%d" % n for n in range(20))


def test_twenty_concurrent_edits_and_attaches(emulator):
    instances = [create_instance(emulator, wait=False, name="e-%d" % n)["instance_id"] for n in range(4)]
    for iid in instances:
        wait_status(emulator, iid, "active")
    target = instances[0]
    names = _parallel(20, lambda n: emulator.signed("PUT", "/v1/instances/" + target, session=None,
                                                    form={"name": "n-%d" % n}, query={"fields": "2"}).json()["result"][0]["name"])
    final = emulator.ok("GET", "/v1/instances/" + target)["result"][0]["name"]
    assert final in names and sorted(names) == sorted("n-%d" % n for n in range(20))
    # 20 volume creates spread over 4 instances, 5 each: at most 8 per instance, so all succeed
    created = _parallel(20, lambda n: emulator.signed("POST", "/v1/block-storages", session=None,
                                                      form={"instance_id": instances[n % 4], "type": "ssd", "size": "10"}))
    assert [r.status_code for r in created] == [202] * 20
    # 20 concurrent firewall attaches of 20 firewalls to one instance: exactly 5 win, 15 hit LIMIT_EXCEEDED
    firewalls = [emulator.ok("POST", "/v1/security-groups", json={"title": "fw-%d" % n, "content": "test"})
                 ["result"][0]["firewall_id"] for n in range(20)]
    attached = _parallel(20, lambda n: emulator.signed("POST", "/v1/security-groups/%s/attach" % firewalls[n],
                                                       session=None, json={"instance_id": instances[1]}))
    codes = sorted(r.json()["error_code"] for r in attached)
    assert codes == ["LIMIT_EXCEEDED"] * 15 + ["SUCCESS"] * 5
    state = emulator.state()
    assert len(state["volumes"]) == 20 and len([k for k in state["links"] if k.endswith(instances[1])]) == 5
    per_instance = [sum(1 for v in state["volumes"].values() if v["instance_id"] == iid) for iid in instances]
    assert per_instance == [5, 5, 5, 5]


@pytest.mark.slow
def test_paging_ten_thousand_instances(emulator):
    added = emulator.bulk_instances(10000)
    assert added["count"] == 10000
    body = emulator.ok("GET", "/v1/instances", query={"page_size": "1000", "fields": "259"})
    assert body["page_size"] == 100 and body["count"] == 100   # capped, and the size used is echoed
    seen, page = [], 1
    session = requests.Session()
    while True:
        body = emulator.ok("GET", "/v1/instances", query={"page_no": str(page), "page_size": "100", "fields": "259"}, session=session)
        seen += body["result"]
        if len(body["result"]) < body["page_size"]:
            break
        page += 1
    assert len(seen) == 10000 and len({r["instance_id"] for r in seen}) == 10000
    assert seen[0]["name"] == "bulk-00001" and seen[-1]["name"] == "bulk-10000"
    no_public = [r for r in seen if r["ip"][0]["public"] is None]
    assert len(no_public) == 2000 and all(int(r["name"][-5:]) % 5 == 0 for r in no_public)
    publics = [r["ip"][0]["public"]["address"] for r in seen if r["ip"][0]["public"]]
    assert len(set(publics)) == len(publics)
    past = emulator.ok("GET", "/v1/instances", query={"page_no": "101", "page_size": "100"})
    assert past["result"] == [] and past["count"] == 0
    emulator.config(page_size_cap=500)
    assert emulator.ok("GET", "/v1/instances", query={"page_size": "1000"})["page_size"] == 500


def test_bulk_refuses_unknown_zone_and_status(emulator):
    for body in ({"count": 1, "zones": ["XX"]}, {"count": 1, "status": "running"}, {"count": 0}):
        assert requests.post(emulator.url + "/_emulator/instances", json=body, timeout=10).status_code == 400


@pytest.mark.usefixtures("emulator")
def test_module_level_signed_helper():
    response = signed("GET", "/v1/zones")
    assert response.status_code == 200 and response.json()["count"] == 4


def test_bulk_options(emulator):
    emulator.bulk_instances(6, zones=["KR2-Z01"], name_prefix="scale", status="off", no_public_ip_every=0)
    rows = emulator.ok("GET", "/v1/instances", query={"fields": "131071"})["result"]
    assert {r["zone"]["zone_id"] for r in rows} == {"KR2-Z01"} and {r["status"] for r in rows} == {"off"}
    assert all(r["ip"][0]["public"] for r in rows) and rows[0]["name"] == "scale-00001"


def test_bulk_exact_names_may_repeat_a_name(emulator):
    emulator.bulk_instances(1, names=["twin", "twin"], zones=["KR1-Z08", "KR2-Z01"])
    rows = emulator.ok("GET", "/v1/instances", query={"fields": "131071"})["result"]
    assert sorted((r["name"], r["zone"]["zone_id"]) for r in rows) == [("twin", "KR1-Z08"), ("twin", "KR2-Z01")]


def test_state_file_survives_restart(tmp_path):
    state_file = tmp_path / "state.json"
    first = EmulatorProcess(state_file=state_file, op_delay=0.1)
    try:
        iid = first.ok("POST", "/v1/instances", form=UBUNTU_VM)["result"][0]["instance_id"]
        fw = first.ok("POST", "/v1/security-groups", json={"title": "keep-fw", "content": "test"})["result"][0][
            "firewall_id"]
    finally:
        first.stop()
    saved = json.loads(state_file.read_text())
    assert saved["instances"]
    # A restart can take less than the 0.1 s operation: wait until the create is due, so that the read
    # below shows it settling from its saved timestamp in the new process.
    due = max([op["done_at"] for op in saved["ops"]] + [0])
    time.sleep(max(0.0, due - time.time()) + 0.05)
    second = EmulatorProcess(state_file=state_file, op_delay=0.1)
    try:
        row = second.ok("GET", "/v1/instances/" + iid)["result"][0]
        assert row["status"] == "active" and row["name"] == "web"   # the pending create settled from its timestamp
        assert second.ok("GET", "/v1/security-groups/" + fw)["result"][0]["title"] == "keep-fw"
    finally:
        second.stop()


def test_seed_file_replaces_sections(tmp_path):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"zones": [{"zone_id": "XX-Z01", "zone_name": "Test", "status": "available", "content": []}]}))
    process = EmulatorProcess(seed=seed)
    try:
        assert [z["zone_id"] for z in process.ok("GET", "/v1/zones")["result"]] == ["XX-Z01"]
        assert process.ok("GET", "/v1/images")["count"] == 5   # other sections keep the default catalog
    finally:
        process.stop()


def test_yaml_seed_file(tmp_path):
    seed = tmp_path / "seed.yml"
    seed.write_text("ssh_keys:\n  - ssh_key_id: key-yaml\n    name: from-yaml\n    start_date: '2026-01-01 00:00:00'\n")
    process = EmulatorProcess(seed=seed)
    try:
        assert [k["ssh_key_id"] for k in process.ok("GET", "/v1/auth/ssh_key")["result"]] == ["key-yaml"]
    finally:
        process.stop()


def test_sigterm_stops_cleanly():
    process = EmulatorProcess()
    process.process.terminate()
    assert process.process.wait(10) == 0
    process.stop()


GARBAGE = [
    ("POST", "/v1/instances", "multipart/form-data; boundary=xyz", b"--xyz\r\nnonsense"),
    ("POST", "/v1/instances", "multipart/form-data", b"no boundary"),
    ("POST", "/v1/instances", "multipart/form-data; boundary=b", b"--b\r\nContent-Disposition: form-data; name=\"zone_id\"\r\n\r\n\xff\xfe\r\n--b--\r\n"),
    ("POST", "/v1/instances", "text/plain", b"zone_id=KR1-Z08"),
    ("POST", "/v1/firewall", "application/json", b"\xff\xfe\x00"),
    ("POST", "/v1/firewall", "application/json", b"[1, 2, 3]"),
    ("POST", "/v1/firewall", "application/json", b"null"),
    ("POST", "/v1/firewall", "application/json", b'{"title": "abcd", "rules": [null, 5, "x"]}'),
    ("POST", "/v1/firewall", "application/json", b'{"title": {"a": 1}}'),
    ("POST", "/v1/firewall", "application/json", b'{"title": "abcd", "rules": [{"bound": ["IN"], "protocol": 1, "port": null,'
                                                 b' "ip": 5, "title": 7}]}'),
    ("PUT", "/v1/instances/x", "application/octet-stream", bytes(range(256))),
    ("POST", "/v1/block-storages", "multipart/form-data; boundary=q", b"--q--"),
    ("POST", "/v1/instances", "multipart/form-data; boundary=b",
     b"--b\r\nContent-Disposition: form-data; name*=utf-8''%ED%95%9C\r\n\r\nx\r\n--b--\r\n"),
    ("POST", "/v1/firewall", "application/json", b"[" * 100000),
    ("POST", "/v1/firewall", "application/json", b'{"title": ' + b"9" * 5000 + b"}"),
    ("POST", "/v1/instances", "multipart/form-data; boundary=b",
     b"--b\r\nContent-Disposition: form-data; name=\"count\"\r\n\r\n" + b"9" * 5000 + b"\r\n--b--\r\n"),
    ("POST", "/v1/instances", "multipart/form-data; boundary=b; charset=\u00ff", b"--b\r\nContent-Type: multipart/mixed\r\n\r\n--b--"),
]


@pytest.mark.parametrize("method,path,content_type,body", GARBAGE)
def test_garbage_bodies_never_500(emulator, method, path, content_type, body):
    headers = dict(auth_headers(emulator.access_key, emulator.secret_key, path), **{"Content-Type": content_type})
    response = requests.request(method, emulator.url + path, data=body, headers=headers, timeout=10)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.json()["result"]["code"] == int(response.json()["code"], 16)   # the LIVE error shape


def test_garbage_query_and_names_never_500(emulator):
    iid = create_instance(emulator)["instance_id"]
    for query in ({"fields": "9" * 5000}, {"page_size": "9" * 30}, {"page_no": "9" * 50}, {"page_size": "%00"}, {"ip": "1.2.3.4/99"}, {"min_vcpu": "-"}):
        assert emulator.signed("GET", "/v1/instances", query=query).status_code in (200, 400)
    for name in ("%ff%fe", quote_plus("\x00"), "%%", "a b"):
        assert_error(emulator.signed("PUT", "/v1/instances/" + iid, form={"name": name}), 400, "CHECK_PARAM")


def test_raw_socket_garbage(emulator):
    host, port = urlsplit(emulator.url).hostname, urlsplit(emulator.url).port
    for payload in (b"GARBAGE\r\n\r\n", b"POST /v1/zones HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
                    b"POST /v1/zones HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"):
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(payload)
            answer = sock.recv(4096)
            assert not answer.startswith(b"HTTP/1.1 5") and not answer.startswith(b"HTTP/1.0 5"), answer
    emulator.ok("GET", "/v1/zones")   # still alive
