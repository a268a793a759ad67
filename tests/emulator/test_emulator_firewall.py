"""The `/v1/firewall` family (D1a, behind firewall_family): JSON bodies, rule validation, HTML-escaped content,
attach/detach and their limits. test_emulator_security_groups.py covers the default family (D1b)."""

import re

import pytest

from emulator_helpers import assert_error, create_instance, statuses_until


@pytest.fixture(autouse=True)
def docs_family(emulator):
    """Every test here speaks the docs' family, which the emulator serves behind its switch."""
    emulator.config(firewall_family="firewall")


RULE = {"bound": "IN", "protocol": "TCP", "port": "22", "ip": "192.0.2.1/24", "title": "ssh", "content": None}


def _create(emulator, **body):
    return emulator.ok("POST", "/v1/firewall", json=dict({"title": "web-fw"}, **body))["result"][0]


def _detail(emulator, firewall_id):
    rows = emulator.ok("GET", "/v1/firewall/" + firewall_id)["result"]
    return rows[0] if rows else None


def test_create_defaults_and_shapes(emulator):
    response = emulator.signed("POST", "/v1/firewall", json={"title": "web-fw"})
    assert response.status_code == 202
    row = response.json()["result"][0]
    assert re.match(r"^FIREWALL-[A-Za-z0-9]{12}$", row["firewall_id"])
    assert row["icmp"] == "N" and row["content"] is None and row["rules"] == [] and row["instances"] == []
    listed = emulator.ok("GET", "/v1/firewall")
    assert listed["page_no"] == 1 and listed["page_size"] == 50
    assert listed["result"] == [{"firewall_id": row["firewall_id"], "title": "web-fw", "content": None, "icmp": "N"}]


def test_rules_content_escaping_and_verbatim_fields(emulator):
    long_content = "allow ssh from the office network now"   # 37 characters, like the docs' example
    row = _create(emulator, content="R&D <servers> \"x\" 'y'", icmp="Y", rules=[
        dict(RULE, content=long_content), dict(RULE, bound="OUT", protocol="UDP", port="1000-2000", ip="0.0.0.0/0",
                                               title="range", content="")])
    assert row["content"] == "R&amp;D &lt;servers&gt; &quot;x&quot; &#x27;y&#x27;"
    assert row["icmp"] == "Y"
    assert [r["ip"] for r in row["rules"]] == ["192.0.2.1/24", "0.0.0.0/0"]   # host bits kept
    assert row["rules"][0]["content"] == long_content and row["rules"][1]["content"] is None
    assert all(isinstance(r["rule_id"], int) for r in row["rules"])
    detail = _detail(emulator, row["firewall_id"])
    assert detail["content"] == row["content"] and detail["rules"] == row["rules"]
    assert emulator.ok("GET", "/v1/firewall")["result"][0]["content"] == row["content"]


def test_edit_replaces_rules_with_new_ids_and_keeps_omitted(emulator):
    row = _create(emulator, content="keep me", icmp="Y", rules=[RULE])
    edited = emulator.signed("PUT", "/v1/firewall/" + row["firewall_id"], json={"title": "web-fw-2", "rules": [RULE]})
    assert edited.status_code == 200
    result = edited.json()["result"][0]
    assert result["title"] == "web-fw-2" and result["content"] == "keep me" and result["icmp"] == "Y"
    assert result["rules"][0]["rule_id"] != row["rules"][0]["rule_id"]
    emulator.ok("PUT", "/v1/firewall/" + row["firewall_id"], json={"title": "web-fw-2", "rules": [], "content": None})
    detail = _detail(emulator, row["firewall_id"])
    assert detail["rules"] == [] and detail["content"] is None
    assert_error(emulator.signed("PUT", "/v1/firewall/" + row["firewall_id"], json={"icmp": "N"}), 400, "REQUIRED_POST_PARAM_MISSING")
    assert_error(emulator.signed("PUT", "/v1/firewall/FIREWALL-nope", json={"title": "abcd"}), 400, "ID_INVALID")


@pytest.mark.parametrize("rule,error_code", [
    ({"bound": "in"}, "CHECK_PARAM_ENUM"),
    ({"bound": "INBOUND"}, "CHECK_PARAM_ENUM"),
    ({"protocol": "tcp"}, "CHECK_PARAM_ENUM"),
    ({"protocol": "ICMP"}, "CHECK_PARAM_ENUM"),
    ({"port": 22}, "CHECK_PARAM"),
    ({"port": "0"}, "CHECK_PARAM"),
    ({"port": "0-65535"}, "CHECK_PARAM"),
    ({"port": "65536"}, "CHECK_PARAM"),
    ({"port": "2000-1000"}, "CHECK_PARAM"),
    ({"port": "22,23"}, "CHECK_PARAM"),
    ({"ip": "192.0.2.1"}, "CHECK_PARAM"),
    ({"ip": "192.0.2.0/33"}, "CHECK_PARAM"),
    ({"ip": "300.0.2.0/24"}, "CHECK_PARAM"),
    ({"ip": "2001:db8::/32"}, "IPV6_NOT_SUPPORTED"),
    ({"title": ""}, "CHECK_LENGTH"),
    ({"title": "t" * 26}, "CHECK_LENGTH"),
    ({"content": "c" * 101}, "CHECK_LENGTH"),
    ({"rule_id": 5}, "CHECK_PARAM"),
])
def test_rule_rejections(emulator, rule, error_code):
    assert_error(emulator.signed("POST", "/v1/firewall", json={"title": "web-fw", "rules": [dict(RULE, **rule)]}), 400, error_code)
    assert emulator.ok("GET", "/v1/firewall")["result"] == []


@pytest.mark.parametrize("body,error_code", [
    ({"title": "abc"}, "CHECK_LENGTH"),
    ({"title": "t" * 33}, "CHECK_LENGTH"),
    ({"title": "web-fw", "content": "c" * 51}, "CHECK_LENGTH"),
    ({"title": "web-fw", "icmp": "y"}, "CHECK_PARAM_ENUM"),
    ({"title": "web-fw", "icmp": True}, "CHECK_PARAM"),
    ({"title": "web-fw", "rules": {}}, "CHECK_PARAM"),
    ({"title": "web-fw", "rules": [RULE, dict(RULE, title="dup")]}, "CHECK_PARAM"),
    ({"title": "web-fw", "rules": [{"bound": "IN"}]}, "REQUIRED_POST_PARAM_MISSING"),
    ({"content": "no title"}, "REQUIRED_POST_PARAM_MISSING"),
    ({"title": "web-fw", "extra": 1}, "CHECK_PARAM"),
    (["title"], "CHECK_PARAM"),
])
def test_firewall_rejections(emulator, body, error_code):
    assert_error(emulator.signed("POST", "/v1/firewall", json=body), 400, error_code)


def test_json_content_type_required(emulator):
    assert_error(emulator.signed("POST", "/v1/firewall", form={"title": "web-fw"}), 400, "CHECK_PARAM")
    assert_error(emulator.signed("POST", "/v1/firewall", data="{\"title\": \"web-fw\"}"), 400, "CHECK_PARAM")
    assert_error(emulator.signed("POST", "/v1/firewall", data="{not json", headers={"Content-Type": "application/json"}),
                 400, "CHECK_PARAM")


def test_detail_unknown_and_delete(emulator):
    body = emulator.ok("GET", "/v1/firewall/FIREWALL-doesnotexist")
    assert body["result"] == [] and body["count"] == 0
    row = _create(emulator)
    response = emulator.signed("DELETE", "/v1/firewall/" + row["firewall_id"])
    assert response.status_code == 202
    assert _detail(emulator, row["firewall_id"]) is None     # gone at once
    assert_error(emulator.signed("DELETE", "/v1/firewall/" + row["firewall_id"]), 400, "ID_INVALID")


def test_attach_detach_sequence(emulator):
    inst = create_instance(emulator)
    fw = _create(emulator)["firewall_id"]
    emulator.config(op_delays={"firewall.attach": 0.4, "firewall.detach": 0.4})
    body = {"instance_id": inst["instance_id"]}
    response = emulator.signed("POST", "/v1/firewall/%s/attach" % fw, json=body)
    assert response.status_code == 202
    assert response.json()["result"] == [{"firewall_id": fw, "instance_id": inst["instance_id"]}]
    assert_error(emulator.signed("POST", "/v1/firewall/%s/attach" % fw, json=body), 400, "IN_USE")
    assert_error(emulator.signed("POST", "/v1/firewall/%s/detach" % fw, json=body), 400, "IN_USE")
    assert_error(emulator.signed("DELETE", "/v1/firewall/" + fw), 400, "IN_USE")
    seen = statuses_until(lambda: len(_detail(emulator, fw)["instances"]), 1)
    assert seen == [0, 1]
    assert _detail(emulator, fw)["instances"] == [{"instance_id": inst["instance_id"], "name": "web"}]
    assert_error(emulator.signed("POST", "/v1/firewall/%s/attach" % fw, json=body), 400, "IN_USE")
    assert_error(emulator.signed("DELETE", "/v1/firewall/" + fw), 400, "IN_USE")
    emulator.ok("POST", "/v1/firewall/%s/detach" % fw, json=body)
    assert_error(emulator.signed("POST", "/v1/firewall/%s/detach" % fw, json=body), 400, "IN_USE")
    assert statuses_until(lambda: len(_detail(emulator, fw)["instances"]), 0) == [1, 0]
    assert_error(emulator.signed("POST", "/v1/firewall/%s/detach" % fw, json=body), 400, "CHECK_PARAM")
    emulator.ok("DELETE", "/v1/firewall/" + fw)


def test_attach_rules(emulator):
    iid = create_instance(emulator)["instance_id"]
    firewalls = [_create(emulator, title="fw-%d" % n)["firewall_id"] for n in range(6)]
    for fw in firewalls[:5]:
        emulator.ok("POST", "/v1/firewall/%s/attach" % fw, json={"instance_id": iid})
    assert_error(emulator.signed("POST", "/v1/firewall/%s/attach" % firewalls[5], json={"instance_id": iid}), 400, "LIMIT_EXCEEDED")
    assert_error(emulator.signed("POST", "/v1/firewall/%s/attach" % firewalls[5], json={"instance_id": "nope"}), 400, "ID_INVALID")
    assert_error(emulator.signed("POST", "/v1/firewall/FIREWALL-nope/attach", json={"instance_id": iid}), 400, "ID_INVALID")
    assert_error(emulator.signed("POST", "/v1/firewall/%s/attach" % firewalls[5], json={}), 400, "REQUIRED_POST_PARAM_MISSING")
    assert_error(emulator.signed("POST", "/v1/firewall/%s/attach" % firewalls[5], form={"instance_id": iid}), 400, "CHECK_PARAM")


def test_instance_delete_detaches_firewalls(emulator):
    iid = create_instance(emulator)["instance_id"]
    fw = _create(emulator)["firewall_id"]
    emulator.ok("POST", "/v1/firewall/%s/attach" % fw, json={"instance_id": iid})
    emulator.wait_for(lambda: _detail(emulator, fw)["instances"])
    emulator.ok("DELETE", "/v1/instances/" + iid)
    emulator.wait_for(lambda: not _detail(emulator, fw)["instances"])
    emulator.ok("DELETE", "/v1/firewall/" + fw)
