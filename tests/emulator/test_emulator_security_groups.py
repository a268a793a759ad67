"""The `/v1/security-groups` family (D1b, REFERENCE.md 3.8.3, the emulator's default): groups without rules, a
description required on create, rules as sub-resources (partial edits keep the id, exact duplicates refused),
string acknowledgements on delete, attachments under .../instances."""

import re

from emulator_helpers import assert_error, create_instance, statuses_until

GROUPS = "/v1/security-groups"
RULE = {"bound": "IN", "protocol": "TCP", "port": "22", "ip": "192.0.2.1/24", "title": "ssh"}


def _group(emulator, **body):
    return emulator.ok("POST", GROUPS, json=dict({"title": "web-fw", "content": "web servers"}, **body))["result"][0]


def _rules(emulator, group_id):
    return emulator.ok("GET", "%s/%s/rules" % (GROUPS, group_id))["result"]


def test_create_answers_200_with_the_group_and_no_rules(emulator):
    response = emulator.signed("POST", GROUPS, json={"title": "web-fw", "content": "R&D <web>", "icmp": "Y"})
    assert response.status_code == 200
    row = response.json()["result"][0]
    assert re.match(r"^FIREWALL-[A-Za-z0-9]{12}$", row["firewall_id"])
    assert row == {"firewall_id": row["firewall_id"], "title": "web-fw", "content": "R&amp;D &lt;web&gt;", "icmp": "Y"}
    listed = emulator.ok("GET", GROUPS)
    assert (listed["page_no"], listed["page_size"], listed["result"]) == (1, 50, [row])
    assert emulator.ok("GET", "%s/%s" % (GROUPS, row["firewall_id"]))["result"] == [row]
    assert _rules(emulator, row["firewall_id"]) == []


def test_a_create_without_a_description_is_refused_with_check_ip_and_creates_nothing(emulator):
    for body in ({"title": "web-fw"}, {"title": "web-fw", "content": ""}, {"title": "web-fw", "content": None}):
        assert_error(emulator.signed("POST", GROUPS, json=body), 403, "CHECK_IP")
    assert_error(emulator.signed("POST", GROUPS, json={"title": "web-fw", "content": "x", "rules": []}), 400,
                 "CHECK_PARAM")   # rules are sub-resources here
    assert emulator.state()["firewalls"] == {}


def test_an_edit_keeps_an_omitted_or_empty_description(emulator):
    group_id = _group(emulator)["firewall_id"]
    emulator.ok("PUT", "%s/%s" % (GROUPS, group_id), json={"title": "web-tier", "content": ""})
    edited = emulator.ok("PUT", "%s/%s" % (GROUPS, group_id), json={"title": "web-tier", "icmp": "Y"})["result"][0]
    assert (edited["title"], edited["content"], edited["icmp"]) == ("web-tier", "web servers", "Y")
    assert_error(emulator.signed("PUT", "%s/%s" % (GROUPS, group_id), json={"content": "x"}), 400,
                 "REQUIRED_POST_PARAM_MISSING")


def test_rules_are_sub_resources_with_partial_edits_that_keep_the_id(emulator):
    group_id = _group(emulator)["firewall_id"]
    created = emulator.ok("POST", "%s/%s/rules" % (GROUPS, group_id), json=RULE)
    rule = created["result"][0]
    assert isinstance(rule["rule_id"], int) and rule["content"] is None and rule["ip"] == "192.0.2.1/24"
    assert_error(emulator.signed("POST", "%s/%s/rules" % (GROUPS, group_id), json=dict(RULE, title="again")), 400,
                 "CHECK_PARAM")   # an exact duplicate (same bound, protocol, port and ip)
    path = "%s/%s/rules/%s" % (GROUPS, group_id, rule["rule_id"])
    edited = emulator.ok("PUT", path, json={"title": "ssh-office", "content": "office"})["result"][0]
    assert (edited["rule_id"], edited["title"], edited["content"], edited["port"]) == (
        rule["rule_id"], "ssh-office", "office", "22")
    kept = emulator.ok("PUT", path, json={"content": ""})["result"][0]
    assert kept["content"] == "office"   # LIVE: an empty content keeps the old text
    assert_error(emulator.signed("POST", "%s/%s/rules" % (GROUPS, group_id), json=dict(RULE, port=22)), 400,
                 "CHECK_PARAM")
    assert_error(emulator.signed("POST", "%s/%s/rules" % (GROUPS, group_id), json=dict(RULE, bound="in")), 400,
                 "CHECK_PARAM_ENUM")
    deleted = emulator.ok("DELETE", path)
    assert deleted["result"] == "deleted" and "count" not in deleted
    assert _rules(emulator, group_id) == []
    assert_error(emulator.signed("DELETE", path), 400, "CHECK_PARAM")


def test_a_deleted_group_reads_as_an_empty_detail_and_its_rules_as_check_param(emulator):
    group_id = _group(emulator)["firewall_id"]
    emulator.ok("POST", "%s/%s/rules" % (GROUPS, group_id), json=RULE)
    assert emulator.ok("DELETE", "%s/%s" % (GROUPS, group_id))["result"] == "deleted"
    gone = emulator.ok("GET", "%s/%s" % (GROUPS, group_id))
    assert (gone["result"], gone["count"]) == ([], 0)
    assert_error(emulator.signed("GET", "%s/%s/rules" % (GROUPS, group_id)), 400, "CHECK_PARAM")


def test_attachments_show_under_instances_once_done(emulator):
    inst = create_instance(emulator)
    group_id = _group(emulator)["firewall_id"]
    emulator.config(op_delays={"firewall.attach": 0.4, "firewall.detach": 0.4})
    body = {"instance_id": inst["instance_id"]}
    response = emulator.signed("POST", "%s/%s/attach" % (GROUPS, group_id), json=body)
    assert response.status_code == 202
    assert_error(emulator.signed("POST", "%s/%s/attach" % (GROUPS, group_id), json=body), 400, "IN_USE")

    def attached():
        return len(emulator.ok("GET", "%s/%s/instances" % (GROUPS, group_id))["result"])
    assert statuses_until(attached, 1) == [0, 1]
    assert emulator.ok("GET", "%s/%s/instances" % (GROUPS, group_id))["result"] == [
        {"instance_id": inst["instance_id"], "name": "web"}]
    assert emulator.ok("GET", "%s/%s" % (GROUPS, group_id))["result"][0].keys() == {
        "firewall_id", "title", "content", "icmp"}   # the detail carries no rules and no instances
    assert_error(emulator.signed("DELETE", "%s/%s" % (GROUPS, group_id)), 400, "IN_USE")
    emulator.ok("POST", "%s/%s/detach" % (GROUPS, group_id), json=body)
    assert statuses_until(attached, 0) == [1, 0]
    assert_error(emulator.signed("POST", "%s/%s/detach" % (GROUPS, group_id), json=body), 400, "CHECK_PARAM")
