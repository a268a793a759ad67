# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The firewall rule normaliser, the rule-set comparison, the API translation, and the modules end to end."""

from __future__ import annotations

import itertools
import json
import random
import re

import time

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall as fw
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall_api as fw_transport
from ansible_collections.iwinv.cloud.plugins.modules import iwinv_firewall, iwinv_firewall_info

from module_runner import emulator_args, run_module


def rule(direction="in", protocol="tcp", port="22", cidr="0.0.0.0/0", **extra):
    return dict(direction=direction, protocol=protocol, port=port, cidr=cidr, **extra)


# --- the normaliser --------------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, expected", [
    (rule(direction="IN", protocol="TCP", port=22), ("in", "tcp", "22", "0.0.0.0/0")),
    (rule(direction="Out", protocol="Udp", port="53"), ("out", "udp", "53", "0.0.0.0/0")),
    (rule(port="1000-2000"), ("in", "tcp", "1000-2000", "0.0.0.0/0")),
    (rule(port=" 1000 - 2000 "), ("in", "tcp", "1000-2000", "0.0.0.0/0")),
    (rule(port="80-80"), ("in", "tcp", "80", "0.0.0.0/0")),
    (rule(port="0080"), ("in", "tcp", "80", "0.0.0.0/0")),
    (rule(cidr="198.51.100.7"), ("in", "tcp", "22", "198.51.100.7/32")),
    (rule(cidr="10.0.0.5/24"), ("in", "tcp", "22", "10.0.0.5/24")),           # host bits kept, as the API keeps them
    (rule(cidr="10.0.0.0/255.255.255.0"), ("in", "tcp", "22", "10.0.0.0/24")),
    (rule(port=65535), ("in", "tcp", "65535", "0.0.0.0/0")),
    (rule(port="1-65535"), ("in", "tcp", "1-65535", "0.0.0.0/0")),
])
def test_normalise_rule_identity(raw, expected):
    assert fw.rule_identity(fw.normalise_rule(raw)) == expected


def test_default_name_and_description():
    normalised = fw.normalise_rule(rule(direction="IN", port="1000-2000"))
    assert normalised["name"] == "in-tcp-1000-2000"
    assert normalised["description"] == ""
    named = fw.normalise_rule(rule(name="ssh", description="office"))
    assert (named["name"], named["description"]) == ("ssh", "office")


@pytest.mark.parametrize("raw, words", [
    (rule(cidr="2001:db8::/32"), ["rules[0].cidr", "IPv6"]),
    (rule(cidr="::1"), ["rules[0].cidr", "IPv6"]),
    (rule(cidr="10.0.0.300/24"), ["rules[0].cidr", "IPv4"]),
    (rule(cidr="10.0.0.0/33"), ["rules[0].cidr"]),
    (rule(protocol="icmp"), ["rules[0].protocol", "icmp option"]),
    (rule(protocol="ICMP"), ["rules[0].protocol", "icmp option"]),
    (rule(protocol="all"), ["rules[0].protocol", "tcp, udp"]),
    (rule(direction="inbound"), ["rules[0].direction", "in, out"]),
    (rule(port=0), ["rules[0].port", "1-65535"]),
    (rule(port="0"), ["rules[0].port", "1-65535"]),
    (rule(port=70000), ["rules[0].port", "1-65535"]),
    (rule(port="0-65535"), ["rules[0].port", "1-65535"]),
    (rule(port="2000-1000"), ["rules[0].port", "reversed", "1000-2000"]),
    (rule(port="ssh"), ["rules[0].port"]),
    (rule(port=True), ["rules[0].port"]),
    (rule(port=22.5), ["rules[0].port"]),
    (rule(name=""), ["rules[0].name", "1 to 25"]),
    (rule(name="x" * 26), ["rules[0].name", "1 to 25"]),
    (rule(description="d" * 101), ["rules[0].description", "0 to 100"]),
])
def test_invalid_rules_fail_with_a_message_naming_the_option(raw, words):
    with pytest.raises(fw.RuleError) as info:
        fw.normalise_rules([raw])
    for word in words:
        assert word in str(info.value)


def test_limits_are_inclusive():
    assert fw.normalise_rule(rule(name="x" * 25, description="d" * 100))["name"] == "x" * 25
    fw.check_firewall_options(name="abcd", description="")
    fw.check_firewall_options(name="n" * 32, description="d" * 50)
    for name, description, option in (("abc", None, "name"), ("n" * 33, None, "name"), ("abcd", "d" * 51, "description")):
        with pytest.raises(fw.RuleError, match="^%s must be" % option):
            fw.check_firewall_options(name=name, description=description)


def test_two_entries_with_one_identity_fail_naming_both():
    with pytest.raises(fw.RuleError) as info:
        fw.normalise_rules([rule(port=22, name="a"), rule(port=80), rule(direction="IN", port="22", name="b")])
    assert "rules[0] and rules[2]" in str(info.value)


def test_same_port_with_different_cidr_or_protocol_are_different_rules():
    rules = fw.normalise_rules([rule(), rule(cidr="10.0.0.0/8"), rule(protocol="udp"), rule(direction="out")])
    assert len({fw.rule_identity(r) for r in rules}) == 4


# --- comparing rule sets: property-style, with a fixed seed ------------------------------------------------------

BASE_RULES = [
    rule(port=22, cidr="198.51.100.7", name="ssh"),
    rule(port="80"),
    rule(port="443", description="public https"),
    rule(direction="out", protocol="udp", port="53", cidr="8.8.8.8/32"),
    rule(port="1000-2000", cidr="10.0.0.5/24"),
]


def respell(raw, rng):
    """The same rule written differently: case, integer or string port, range spacing, /32 or bare address."""
    spelled = dict(raw)
    for key in ("direction", "protocol"):
        spelled[key] = rng.choice([str.upper, str.lower, str.title])(raw[key])
    port = str(raw["port"])
    if "-" in port:
        low, high = port.split("-")
        spelled["port"] = rng.choice([port, "%s - %s" % (low, high), " %s-%s" % (low, high)])
    else:
        spelled["port"] = rng.choice([int(port), port, "%s-%s" % (port, port)])
    cidr = raw["cidr"]
    if cidr.endswith("/32"):
        spelled["cidr"] = rng.choice([cidr, cidr[:-3]])
    elif "/" not in cidr:
        spelled["cidr"] = rng.choice([cidr, cidr + "/32"])
    return spelled


def test_any_permutation_and_respelling_compares_equal():
    rng = random.Random(20261127)
    reference = fw.normalise_rules(BASE_RULES)
    permutations = list(itertools.permutations(BASE_RULES))
    for order in rng.sample(permutations, 60):
        respelled = fw.normalise_rules([respell(raw, rng) for raw in order])
        assert fw.same_rules(respelled, reference)
        assert fw.firewall_changes(firewall(reference), firewall(respelled)) == []
        assert fw.sort_rules(respelled) == fw.sort_rules(reference)


def test_every_single_attribute_change_is_a_difference():
    reference = fw.normalise_rules(BASE_RULES)
    flip = {"in": "out", "out": "in", "tcp": "udp", "udp": "tcp"}
    for index, key in itertools.product(range(len(BASE_RULES)), ["name", "description", "port", "cidr", "direction", "protocol"]):
        changed = [dict(raw) for raw in BASE_RULES]
        original = changed[index].get(key)
        changed[index][key] = {"port": "8080", "cidr": "192.0.2.0/24"}.get(key) or flip.get(original, "changed")
        try:
            rules = fw.normalise_rules(changed)
        except fw.RuleError:
            continue   # the change collided with another rule's identity
        assert not fw.same_rules(rules, reference), (index, key)


def test_a_missing_or_extra_rule_is_a_difference():
    reference = fw.normalise_rules(BASE_RULES)
    rng = random.Random(7)
    for size in range(len(BASE_RULES)):
        subset = fw.normalise_rules(rng.sample(BASE_RULES, size))
        assert not fw.same_rules(subset, reference)
        assert not fw.same_rules(reference, subset)


def firewall(rules, **extra):
    base = {"id": "FIREWALL-x", "name": "web", "description": "", "icmp": False, "rules": rules, "instances": []}
    base.update(extra)
    return base


# --- merging, changes, attachments -------------------------------------------------------------------------------

def with_id(rules, first=100):
    return [dict(r, id=first + index) for index, r in enumerate(rules)]


def test_merge_rules_purge_keeps_exactly_the_listed_rules():
    current = with_id(fw.normalise_rules([rule(port=22), rule(port=80)]))
    wanted = fw.normalise_rules([rule(port=443)])
    assert [r["port"] for r in fw.merge_rules(current, wanted, purge=True)] == ["443"]
    assert fw.merge_rules(current, [], purge=True) == []


def test_merge_rules_without_purge_adds_and_updates_by_identity():
    current = with_id(fw.normalise_rules([rule(port=22, name="old"), rule(port=80)]))
    wanted = fw.normalise_rules([rule(port=22, name="new"), rule(port=443)])
    merged = fw.merge_rules(current, wanted, purge=False)
    assert [(r["port"], r["name"]) for r in merged] == [("22", "new"), ("80", "in-tcp-80"), ("443", "in-tcp-443")]
    assert all("id" not in r for r in merged)


def test_merge_rules_none_leaves_the_rules_alone():
    current = with_id(fw.normalise_rules([rule(port=22)]))
    assert fw.merge_rules(current, None, purge=True) == current


def test_sort_rules_orders_ports_numerically():
    rules = fw.normalise_rules([rule(port=8080), rule(port=443), rule(port="1000-2000"), rule(direction="out", port=1)])
    assert [(r["direction"], r["port"]) for r in fw.sort_rules(rules)] == [
        ("in", "443"), ("in", "1000-2000"), ("in", "8080"), ("out", "1")]


def test_firewall_changes_names_what_differs_and_ignores_rule_ids():
    rules = fw.normalise_rules(BASE_RULES)
    current = firewall(with_id(rules))
    assert fw.firewall_changes(current, firewall(rules)) == []
    assert fw.firewall_changes(current, firewall(rules, description="x", icmp=True)) == ["description", "icmp"]
    assert fw.firewall_changes(current, firewall(rules[1:], name="other")) == ["name", "rules"]


@pytest.mark.parametrize("attached, wanted, purge, expected", [
    (["a"], None, True, ([], [])),
    (["a"], ["a", "b"], False, (["b"], [])),
    (["a", "c"], ["a", "b"], False, (["b"], [])),
    (["a", "c"], ["a", "b"], True, (["b"], ["c"])),
    (["a"], [], True, ([], ["a"])),
    (["a"], [], False, ([], [])),
])
def test_instance_changes(attached, wanted, purge, expected):
    assert fw.instance_changes(attached, wanted, purge) == expected


# --- API rows ----------------------------------------------------------------------------------------------------

API_ROW = {
    "firewall_id": "FIREWALL-a1B2c3D4e5F6", "title": "web", "content": "R&amp;D &lt;web&gt; &#x27;x&#x27;", "icmp": "Y",
    "rules": [
        {"rule_id": 2, "bound": "OUT", "protocol": "UDP", "port": "53", "ip": "8.8.8.8/32", "title": "dns", "content": None},
        {"rule_id": 1, "bound": "IN", "protocol": "TCP", "port": "22", "ip": "10.0.0.5/24", "title": "ssh", "content": "a&b"},
    ],
    "instances": [{"instance_id": "i-2", "name": "web-2"}, {"instance_id": "i-1", "name": "web-1"}],
}


def test_firewall_from_api_speaks_the_option_vocabulary():
    result = fw.firewall_from_api(API_ROW)
    assert result["description"] == "R&D <web> 'x'"
    assert result["icmp"] is True
    assert result["rules"][0] == {"id": 1, "direction": "in", "protocol": "tcp", "port": "22", "cidr": "10.0.0.5/24",
                                  "name": "ssh", "description": "a&b"}   # rule text is not escaped by the API
    assert result["rules"][1]["description"] == ""
    assert result["instances"] == [{"id": "i-1", "name": "web-1"}, {"id": "i-2", "name": "web-2"}]
    assert fw.firewall_from_api({"firewall_id": "F", "title": "abcd", "content": None, "icmp": "N"})["rules"] == []


def test_api_rules_compare_equal_to_their_options():
    options = fw.normalise_rules([rule(direction="In", port=22, cidr="10.0.0.5/24", name="ssh", description="a&b"),
                                  rule(direction="OUT", protocol="udp", port="53", cidr="8.8.8.8", name="dns")])
    assert fw.same_rules(fw.firewall_from_api(API_ROW)["rules"], options)


def test_firewall_to_api_sends_uppercase_enums_string_ports_and_every_rule():
    body = fw.firewall_to_api(firewall(fw.normalise_rules([rule(port=22), rule(direction="out", port=53)]), icmp=True))
    assert body["icmp"] == "Y" and body["title"] == "web"
    assert body["rules"][0] == {"bound": "IN", "protocol": "TCP", "port": "22", "ip": "0.0.0.0/0", "title": "in-tcp-22",
                                "content": None}
    assert "rules" not in fw.firewall_to_api(firewall([]), with_rules=False)


def test_diff_view_drops_rule_ids():
    view = fw.diff_view(fw.firewall_from_api(API_ROW))
    assert all("id" not in r for r in view["rules"]) and view["id"] == "FIREWALL-a1B2c3D4e5F6"
    assert fw.diff_view(None) == {}


# --- the modules against the emulator ---------------------------------------------------------------------------

def run_firewall(emulator, **options):
    return run_module(iwinv_firewall.main, emulator_args(emulator, **options))


# Both API families (DECISIONS.md D1): the emulator serves one of them; the module finds out which (auto).
FAMILY_PATHS = {"security-groups": "/v1/security-groups", "firewall": "/v1/firewall"}
# Requests to read one firewall found by name (list + detail; list + rules + instances) and by id.
READ_BY_NAME = {"security-groups": 3, "firewall": 2}
READ_BY_ID = {"security-groups": 3, "firewall": 1}


@pytest.fixture(params=sorted(FAMILY_PATHS))
def family(request, emulator):
    """The firewall family the emulator serves for this test (its fixture resets the config before each test)."""
    emulator.config(firewall_family=request.param)
    return request.param


def attached_now(emulator, family, firewall_id):
    """The instance ids the API shows attached to a firewall now."""
    if family == "firewall":
        rows = emulator.ok("GET", "/v1/firewall/%s" % firewall_id)["result"][0]["instances"]
    else:
        rows = emulator.ok("GET", "/v1/security-groups/%s/instances" % firewall_id)["result"]
    return [row["instance_id"] for row in rows]


def writes(emulator):
    return [r for r in emulator.requests() if r["method"] != "GET"]


WEB_RULES = [
    {"direction": "IN", "protocol": "TCP", "port": 22, "cidr": "198.51.100.7", "name": "ssh"},
    {"direction": "in", "protocol": "tcp", "port": "1000-2000", "cidr": "0.0.0.0/0"},
    {"direction": "Out", "protocol": "Udp", "port": "53", "cidr": "8.8.8.8/32", "description": "dns"},
]


def test_create_then_rerun_respelled_is_unchanged_in_the_fewest_requests(emulator, family):
    created = run_firewall(emulator, name="web-fw", description="R&D <web>", icmp=True, rules=WEB_RULES)
    assert created["changed"] is True, created
    assert created["firewall"]["description"] == "R&D <web>"
    assert [r["cidr"] for r in created["firewall"]["rules"]] == ["198.51.100.7/32", "0.0.0.0/0", "8.8.8.8/32"]
    respelled = [dict(WEB_RULES[2], direction="OUT", cidr="8.8.8.8"), dict(WEB_RULES[0], port="22"),
                 dict(WEB_RULES[1], port="1000 - 2000")]
    emulator.clear_requests()
    again = run_firewall(emulator, name="web-fw", description="R&D <web>", icmp=True, rules=respelled)
    assert again["changed"] is False, again
    assert len(emulator.requests()) == READ_BY_NAME[family]
    emulator.clear_requests()
    by_id = run_firewall(emulator, id=created["firewall"]["id"], rules=respelled)
    assert by_id["changed"] is False and len(emulator.requests()) == READ_BY_ID[family]


def test_invalid_options_fail_without_any_request(emulator):
    for options in ({"rules": [dict(WEB_RULES[0], cidr="2001:db8::/32")]}, {"rules": [dict(WEB_RULES[0], protocol="icmp")]},
                    {"rules": [dict(WEB_RULES[0], port=0)]}, {"rules": [WEB_RULES[0], dict(WEB_RULES[0], port="22")]},
                    {"description": "d" * 51}, {"name": "abc"}):
        result = run_firewall(emulator, **dict({"name": "web-fw"}, **options))
        assert result["failed"] is True and "api_error" not in result, options
    assert emulator.requests() == []


def test_check_mode_predicts_without_writing_and_diff_shows_rules(emulator, family):
    result = run_firewall(emulator, name="web-fw", rules=WEB_RULES, _ansible_check_mode=True, _ansible_diff=True)
    assert result["changed"] is True and result["firewall"]["id"] is None
    assert result["diff"]["before"] == {}
    assert [r["name"] for r in result["diff"]["after"]["rules"]] == ["ssh", "in-tcp-1000-2000", "out-udp-53"]
    assert writes(emulator) == []
    run_firewall(emulator, name="web-fw", rules=WEB_RULES)
    emulator.clear_requests()
    result = run_firewall(emulator, name="web-fw", rules=WEB_RULES[:1], _ansible_check_mode=True)
    assert result["changed"] is True and len(result["firewall"]["rules"]) == 1
    assert writes(emulator) == []


def test_attach_purge_and_absent_while_attached(emulator, family):
    emulator.config(op_delays={"firewall.attach": 0.3, "firewall.detach": 0.3})
    ids = emulator.bulk_instances(3, zones=["KR1-Z08"], name_prefix="fw-host")["instance_ids"]
    result = run_firewall(emulator, name="web-fw", rules=WEB_RULES, instances=[ids[0], "fw-host-00002"])
    assert result["changed"] is True
    assert [i["name"] for i in result["firewall"]["instances"]] == ["fw-host-00001", "fw-host-00002"]
    emulator.clear_requests()
    again = run_firewall(emulator, name="web-fw", instances=["fw-host-00001", ids[1]])
    assert again["changed"] is False and len(emulator.requests()) == READ_BY_NAME[family]
    purged = run_firewall(emulator, name="web-fw", instances=[ids[2]], purge_instances=True)
    assert [i["id"] for i in purged["firewall"]["instances"]] == [ids[2]]
    gone = run_firewall(emulator, name="web-fw", state="absent")
    assert gone["changed"] is True and gone["firewall"] == {}
    assert emulator.state()["firewalls"] == {}
    assert run_firewall(emulator, name="web-fw", state="absent")["changed"] is False


def test_limit_of_firewalls_per_instance_is_reported_in_words(emulator, family):
    instance_id = emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="busy")["instance_ids"][0]
    for number in range(5):
        assert run_firewall(emulator, name="fw-%d" % number, instances=[instance_id])["changed"] is True
    result = run_firewall(emulator, name="fw-6th", instances=[instance_id])
    assert result["failed"] is True
    assert "at most 5 firewalls" in result["msg"] and result["api_error"]["error_code"] == "LIMIT_EXCEEDED"


def test_ambiguous_create_is_reconciled_without_resending(emulator, family):
    emulator.fault(method="POST", path="^%s$" % FAMILY_PATHS[family], action="ambiguous")
    result = run_firewall(emulator, name="web-fw", rules=WEB_RULES[:1])
    assert result["changed"] is True and result["firewall"]["id"].startswith("FIREWALL-")
    assert len([r for r in emulator.requests() if r["method"] == "POST" and r["path"] == FAMILY_PATHS[family]]) == 1


def test_info_lists_with_rules_and_instances_and_filters(emulator, family):
    created = run_firewall(emulator, name="web-fw", description="a & b", rules=WEB_RULES)["firewall"]
    run_firewall(emulator, name="db-fw")
    every = run_module(iwinv_firewall_info.main, emulator_args(emulator))
    assert sorted(f["name"] for f in every["firewalls"]) == ["db-fw", "web-fw"]
    emulator.clear_requests()
    one = run_module(iwinv_firewall_info.main, emulator_args(emulator, id=created["id"]))
    assert one["firewalls"] == [created] and len(emulator.requests()) == READ_BY_ID[family]
    assert run_module(iwinv_firewall_info.main, emulator_args(emulator, name="db-fw"))["firewalls"][0]["rules"] == []
    assert run_module(iwinv_firewall_info.main, emulator_args(emulator, id="FIREWALL-unknown0000"))["firewalls"] == []
    assert emulator.secret_key not in json.dumps(every)


def test_wait_false_returns_at_once_and_a_later_run_waits_for_the_attach(emulator, family):
    emulator.config(op_delays={"firewall.attach": 1.5})
    instance_id = emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="slow")["instance_ids"][0]
    started = run_firewall(emulator, name="web-fw", instances=[instance_id], wait=False)
    assert started["changed"] is True and [i["id"] for i in started["firewall"]["instances"]] == [instance_id]
    assert attached_now(emulator, family, started["firewall"]["id"]) == []
    # The journal tells the later run an attach is in flight: it waits for it, and sends nothing.
    settled = run_firewall(emulator, name="web-fw", instances=[instance_id])
    assert [i["id"] for i in settled["firewall"]["instances"]] == [instance_id] and settled["changed"] is False
    assert [r["status"] for r in emulator.requests() if r["path"].endswith("/attach")] == [202]
    assert run_firewall(emulator, name="web-fw", instances=[instance_id])["changed"] is False


def test_an_attach_taken_but_unanswered_is_sent_again_and_in_use_proves_it_in_progress(emulator, family):
    instance_id = emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="amb")["instance_ids"][0]
    emulator.fault(method="POST", path="/attach$", action="ambiguous")
    result = run_firewall(emulator, name="web-fw", instances=[instance_id])
    assert result["changed"] is True and [i["id"] for i in result["firewall"]["instances"]] == [instance_id]
    attaches = [r for r in emulator.requests() if r["path"].endswith("/attach")]
    assert [(r["status"], r["error_code"]) for r in attaches] == [(500, "DEV_CHECK_RETURN"), (400, "IN_USE")]


def test_an_attach_lost_before_the_api_saw_it_is_sent_again_and_done(emulator, family):
    instance_id = emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="amb")["instance_ids"][0]
    emulator.fault(method="POST", path="/attach$", action="status", status=502)
    result = run_firewall(emulator, name="web-fw", instances=[instance_id])
    assert result["changed"] is True and [i["id"] for i in result["firewall"]["instances"]] == [instance_id]
    assert [r["status"] for r in emulator.requests() if r["path"].endswith("/attach")] == [502, 202]
    assert any("sent again" in str(warning) for warning in result["warnings"])


def test_a_failure_after_a_lost_attach_names_that_request_and_reports_changed(emulator, family):
    instance_id = emulator.bulk_instances(1, zones=["KR1-Z08"], name_prefix="amb")["instance_ids"][0]
    emulator.fault(method="POST", path="/attach$", action="status", status=502, count=2)
    result = run_firewall(emulator, name="web-fw", instances=[instance_id])
    assert result["failed"] and result["changed"] is True and result["firewall"]["name"] == "web-fw"
    assert "requests whose answer was lost before: POST %s/" % FAMILY_PATHS[family] in result["msg"], result["msg"]


# The write that adds rules: the firewall's edit (D1a), one rule create each (D1b).
RULE_WRITE = {"firewall": ("PUT", "^/v1/firewall/[^/]+$"),
              "security-groups": ("POST", "^/v1/security-groups/[^/]+/rules$")}


def test_ambiguous_rule_write_is_reconciled_by_reading_back(emulator, family):
    run_firewall(emulator, name="web-fw", rules=WEB_RULES[:1])
    method, path = RULE_WRITE[family]
    emulator.fault(method=method, path=path, action="ambiguous", count=1)
    emulator.clear_requests()
    result = run_firewall(emulator, name="web-fw", rules=WEB_RULES)
    assert result["changed"] is True and len(result["firewall"]["rules"]) == 3, result
    sent = [r for r in emulator.requests() if r["method"] == method and re.match(path, r["path"])]
    assert len(sent) == {"firewall": 1, "security-groups": 2}[family]   # nothing sent twice
    assert len(emulator.ok("GET", FAMILY_PATHS[family])["result"]) == 1


def test_unknown_instance_and_unknown_id_fail_clearly(emulator, family):
    result = run_firewall(emulator, name="web-fw", instances=["no-such-host"])
    assert result["failed"] is True and "no-such-host" in result["msg"]
    assert writes(emulator) == []
    result = run_firewall(emulator, id="FIREWALL-doesnotexist")
    assert result["failed"] is True and "FIREWALL-doesnotexist" in result["msg"]
    assert run_firewall(emulator, id="FIREWALL-doesnotexist", state="absent")["changed"] is False


def options(**given):
    params = {"name": None, "description": None, "icmp": None, "purge_rules": True}
    params.update(given)
    return params


def test_desired_firewall_keeps_what_is_omitted_and_takes_what_is_given():
    current = firewall(with_id(fw.normalise_rules([rule(port=22)])), description="R&D", icmp=True,
                       instances=[{"id": "i-1", "name": "web-1"}])
    kept = fw.desired_firewall(current, options(), None)
    assert fw.firewall_changes(current, kept) == [] and kept["instances"] == current["instances"]
    changed = fw.desired_firewall(current, options(name="renamed", description="", icmp=False), [])
    assert fw.firewall_changes(current, changed) == ["name", "description", "icmp", "rules"]
    new = fw.desired_firewall(None, options(name="web-fw"), None)
    assert (new["id"], new["description"], new["icmp"], new["rules"]) == (None, "", False, [])


def test_predicted_instances_after_attaches_and_detaches():
    current = firewall([], instances=[{"id": "i-2", "name": "b"}, {"id": "i-1", "name": "a"}])
    wanted = [{"id": "i-3", "name": "c"}, {"id": "i-1", "name": "a"}]
    predicted = fw.predicted_instances(current, wanted, ["i-3"], ["i-2"])
    assert predicted == [{"id": "i-1", "name": "a"}, {"id": "i-3", "name": "c"}]


def test_every_wait_of_a_firewall_task_counts_against_its_one_wait_timeout(emulator, family):
    """Settling an earlier attach (3 s) and waiting for a new one (3 s) share wait_timeout=4: no 4 + 4."""
    emulator.config(op_delays={"firewall.attach": 3.0})
    first, second = emulator.bulk_instances(2, zones=["KR1-Z08"], name_prefix="budget")["instance_ids"]
    run_firewall(emulator, name="web-fw", instances=[first], wait=False)
    started = time.monotonic()
    result = run_firewall(emulator, name="web-fw", instances=[first, second], wait_timeout=4)
    assert time.monotonic() - started < 6
    assert result["failed"] and "timed out after 4 s" in result["msg"] and "wait_timeout=4)" in result["msg"], result
    assert result["changed"] is True and result["firewall"]["name"] == "web-fw"   # the second attach was sent


# --- the rule-write planner (D1b: rules as sub-resources) -----------------------------------------------------

def plan(current, desired):
    to_delete, to_edit, to_create = fw.plan_rule_writes(current, desired)
    return ([r["id"] for r in to_delete], [(r["id"], w["name"]) for r, w in to_edit], [w["port"] for w in to_create])


def test_planner_writes_nothing_for_rules_equal_after_normalising_in_any_order():
    current = with_id(fw.normalise_rules([rule(port=22, name="ssh"), rule(port="1000-2000", cidr="10.0.0.5")]))
    respelled = fw.normalise_rules([rule(port="1000 - 2000", cidr="10.0.0.5/32", direction="IN"),
                                    rule(port="22", protocol="TCP", name="ssh")])
    assert plan(current, respelled) == ([], [], [])


def test_planner_creates_the_missing_deletes_the_unwanted_and_keeps_the_rest():
    current = with_id(fw.normalise_rules([rule(port=22), rule(port=80), rule(port=443)]))
    desired = fw.normalise_rules([rule(port=22), rule(port=443), rule(port=8080), rule(port=80, cidr="10.0.0.0/8")])
    assert plan(current, desired) == ([101], [], ["80", "8080"])   # port 80 from another cidr is another rule
    merged = fw.merge_rules(current, fw.normalise_rules([rule(port=8080)]), purge=False)
    assert plan(current, merged) == ([], [], ["8080"])   # without purging nothing is deleted


def test_planner_edits_in_place_when_only_name_or_description_differ():
    current = with_id(fw.normalise_rules([rule(port=22, name="ssh"), rule(port=80, description="web")]))
    desired = fw.normalise_rules([rule(port=22, name="ssh-office"), rule(port=80, description="public web")])
    assert plan(current, desired) == ([], [(100, "ssh-office"), (101, "in-tcp-80")], [])


def test_planner_recreates_a_rule_whose_description_must_become_empty():
    """A partial edit with an empty description keeps the old text (LIVE): delete and create instead."""
    current = with_id(fw.normalise_rules([rule(port=80, description="web")]))
    assert plan(current, fw.normalise_rules([rule(port=80)])) == ([100], [], ["80"])


def test_planner_is_the_fewest_writes_for_any_pair_of_rule_sets():
    pool = fw.normalise_rules([rule(port=p, name=n) for p in (22, 80, 443) for n in ("a",)] +
                              [rule(port=p, name="b", direction="out") for p in (53, 123)])
    rng = random.Random(7)
    for _attempt in range(200):
        current = with_id(rng.sample(pool, rng.randint(0, len(pool))))
        desired = [dict(r, name=rng.choice(["a", "b"])) for r in rng.sample(pool, rng.randint(0, len(pool)))]
        to_delete, to_edit, to_create = fw.plan_rule_writes(current, desired)
        have = set(fw.rule_identity(r) for r in current)
        want = set(fw.rule_identity(r) for r in desired)
        assert len(to_delete) == len(have - want) and len(to_create) == len(want - have)
        assert len(to_edit) == len([w for w in desired if fw.rule_identity(w) in have
                                    and not fw.rule_matches(fw.find_rule(current, w), w)])
        kept = [r for r in current if r not in to_delete]
        edited = dict((r["id"], w) for r, w in to_edit)
        result = [edited.get(r["id"], r) for r in kept] + to_create
        assert fw.same_rules(result, desired)


class RecordingClient:
    """A client whose writes are recorded and whose reads answer from a queue (for the transports' bodies)."""

    def __init__(self, *reads):
        self.reads = list(reads)
        self.sent = []

    def put(self, path, json=None):
        self.sent.append(("PUT", path, json))
        return []

    def get_detail(self, collection, resource_id):
        return self.reads.pop(0)


def test_a_docs_family_edit_always_carries_the_full_rule_set_even_for_a_rename():
    rules = with_id(fw.normalise_rules([rule(port=22), rule(port=443)]))
    current = firewall(rules)
    api_row = {"firewall_id": "FIREWALL-x", "title": "renamed", "content": fw.DEFAULT_DESCRIPTION, "icmp": "Y",
               "rules": [fw.rule_to_api(r) for r in rules], "instances": []}
    client = RecordingClient(api_row)
    transport = fw_transport.DocsFirewalls(client)
    updated = transport.update(current, dict(current, name="renamed", icmp=True), judge=None)
    (method, path, body), = client.sent
    assert (method, path, body["title"], body["icmp"]) == ("PUT", "/v1/firewall/FIREWALL-x", "renamed", "Y")
    assert [r["port"] for r in body["rules"]] == ["22", "443"] and body["content"] == fw.DEFAULT_DESCRIPTION
    assert updated["description"] == "" and len(updated["rules"]) == 2


def test_no_description_is_sent_as_the_default_text_and_read_back_as_none():
    body = fw.firewall_to_api(firewall([], description=""), with_rules=False)
    assert body == {"title": "web", "content": "Managed by iwinv.cloud", "icmp": "N"}
    assert fw.firewall_from_api({"firewall_id": "F", "title": "web", "content": "Managed by iwinv.cloud"})[
        "description"] == ""


# --- the module on the security-group family (D1b): rule writes judged by their effect ---------------------------

GROUPS = "/v1/security-groups"


def rule_writes(emulator):
    return [(r["method"], r["status"]) for r in emulator.requests() if "/rules" in r["path"] and r["method"] != "GET"]


def test_d1b_a_name_change_is_one_partial_edit_that_keeps_the_rule_id(emulator):
    created = run_firewall(emulator, name="web-fw", rules=WEB_RULES)["firewall"]
    emulator.clear_requests()
    renamed = [dict(WEB_RULES[0], name="ssh-office")] + WEB_RULES[1:]
    result = run_firewall(emulator, name="web-fw", rules=renamed)
    assert result["changed"] is True and rule_writes(emulator) == [("PUT", 200)]
    assert len(emulator.requests()) == READ_BY_NAME["security-groups"] + 1
    before = dict((r["port"], r["id"]) for r in created["rules"])
    assert dict((r["port"], r["id"]) for r in result["firewall"]["rules"]) == before   # every id kept
    assert result["firewall"]["rules"][0]["name"] == "ssh-office"
    assert run_firewall(emulator, name="web-fw", rules=renamed)["changed"] is False


def test_d1b_a_rule_write_lost_before_the_api_saw_it_is_sent_again_once(emulator):
    emulator.fault(method="POST", path="^%s/[^/]+/rules$" % GROUPS, action="status", status=502, count=1)
    result = run_firewall(emulator, name="web-fw", rules=WEB_RULES[:2])
    assert result["changed"] is True and len(result["firewall"]["rules"]) == 2, result
    assert rule_writes(emulator) == [("POST", 502), ("POST", 200), ("POST", 200)]
    firewall_id = result["firewall"]["id"]
    assert len(emulator.ok("GET", "%s/%s/rules" % (GROUPS, firewall_id))["result"]) == 2


def test_d1b_a_duplicate_refusal_after_a_lost_answer_is_already_there(emulator):
    """The create landed, its answer was lost, the first read-back did not show it yet: the repeat is refused as a
    duplicate, which a second read-back confirms: done, not an error, and no duplicate."""
    run_firewall(emulator, name="web-fw")
    emulator.fault(method="POST", path="^%s/[^/]+/rules$" % GROUPS, action="ambiguous", count=1)
    emulator.fault(method="GET", path="^%s/[^/]+/rules$" % GROUPS, action="empty_result", count=2)
    result = run_firewall(emulator, name="web-fw", rules=WEB_RULES[:1])
    assert result["changed"] is True and "failed" not in result, result
    assert [r["name"] for r in result["firewall"]["rules"]] == ["ssh"] and result["firewall"]["rules"][0]["id"]
    assert rule_writes(emulator) == [("POST", 500), ("POST", 400)]
    firewall_id = result["firewall"]["id"]
    assert len(emulator.ok("GET", "%s/%s/rules" % (GROUPS, firewall_id))["result"]) == 1


def test_d1b_a_create_that_fails_midway_reports_changed_and_a_rerun_converges(emulator):
    emulator.fault(method="POST", path="^%s/[^/]+/rules$" % GROUPS, action="status", status=403,
                   error_code="CHECK_IP", count=1, after=1)
    failed = run_firewall(emulator, name="web-fw", rules=WEB_RULES)
    assert failed["failed"] and failed["changed"] is True, failed
    assert failed["firewall"]["id"].startswith("FIREWALL-") and failed["api_error"]["error_code"] == "CHECK_IP"
    again = run_firewall(emulator, name="web-fw", rules=WEB_RULES)
    assert again["changed"] is True and len(again["firewall"]["rules"]) == 3
    rows = emulator.ok("GET", "%s/%s/rules" % (GROUPS, again["firewall"]["id"]))["result"]
    assert len(rows) == 3 and len(set((r["bound"], r["protocol"], r["port"], r["ip"]) for r in rows)) == 3
    assert len(emulator.ok("GET", GROUPS)["result"]) == 1
    assert run_firewall(emulator, name="web-fw", rules=WEB_RULES)["changed"] is False


def test_no_description_is_sent_as_the_default_text_on_both_families(emulator, family):
    created = run_firewall(emulator, name="web-fw")
    assert created["changed"] is True and created["firewall"]["description"] == ""
    stored = list(emulator.state()["firewalls"].values())[0]
    assert stored["content"] == fw.DEFAULT_DESCRIPTION
    assert run_firewall(emulator, name="web-fw", description="")["changed"] is False
    described = run_firewall(emulator, name="web-fw", description="R&D")
    assert described["changed"] is True and described["firewall"]["description"] == "R&D"
    cleared = run_firewall(emulator, name="web-fw", description="")
    assert cleared["changed"] is True and cleared["firewall"]["description"] == ""
    assert list(emulator.state()["firewalls"].values())[0]["content"] == fw.DEFAULT_DESCRIPTION


def test_firewall_api_pinned_asks_nothing_and_a_wrong_pin_fails_with_the_api_answer(emulator, family):
    other = {"firewall": "security-groups", "security-groups": "firewall"}[family]
    run_firewall(emulator, name="web-fw", firewall_api=family)
    assert emulator.requests()[0]["path"] == FAMILY_PATHS[family]   # no probe
    wrong = run_firewall(emulator, name="web-fw", firewall_api=other)
    assert wrong["failed"] and wrong["api_error"]["status"] == 404 and FAMILY_PATHS[other] in wrong["msg"]
    bad = run_firewall(emulator, name="web-fw", firewall_api="acl")
    assert bad["failed"] and "firewall_api" in bad["msg"] and "api_error" not in bad


# The first write of an edit of an existing firewall: the PUT (D1a), the first rule create (D1b).
FIRST_EDIT_WRITE = {"firewall": ("PUT", "^/v1/firewall/[^/]+$"), "security-groups": ("POST", "/rules$")}


def test_an_edit_refused_at_its_first_write_reports_changed_false_and_at_a_later_one_changed_true(emulator, family):
    run_firewall(emulator, name="web-fw", rules=WEB_RULES[:1])
    method, path = FIRST_EDIT_WRITE[family]
    emulator.fault(method=method, path=path, action="status", status=403, error_code="CHECK_IP", count=1)
    refused = run_firewall(emulator, name="web-fw", rules=WEB_RULES)
    assert refused["failed"] and refused.get("changed", False) is False, refused
    if family == "security-groups":   # one rule write done, the next refused: something changed
        emulator.fault(method=method, path=path, action="status", status=403, error_code="CHECK_IP", count=1, after=1)
        midway = run_firewall(emulator, name="web-fw", rules=WEB_RULES)
        assert midway["failed"] and midway["changed"] is True and midway["firewall"]["name"] == "web-fw", midway
    assert run_firewall(emulator, name="web-fw", rules=WEB_RULES)["changed"] is True
    assert run_firewall(emulator, name="web-fw", rules=WEB_RULES)["changed"] is False


def test_firewall_api_from_the_environment_and_the_remembered_answer_turned_off_with_the_catalog_cache(
        emulator, family, monkeypatch):
    monkeypatch.setenv("IWINV_FIREWALL_API", family)
    run_firewall(emulator, name="web-fw")
    assert emulator.requests()[0]["path"] == FAMILY_PATHS[family]   # pinned through the environment: no probe
    monkeypatch.delenv("IWINV_FIREWALL_API")
    emulator.clear_requests()
    for _task in range(2):
        run_firewall(emulator, name="web-fw", catalog_cache_max_age=0)
    probes = [r for r in emulator.requests() if r["path"] == "/v1/security-groups" and r["query"].get("page_size") == "1"]
    assert len(probes) == 2   # nothing remembered: each task asks
    emulator.clear_requests()
    for _task in range(2):
        run_firewall(emulator, name="web-fw")
    probes = [r for r in emulator.requests() if r["path"] == "/v1/security-groups" and r["query"].get("page_size") == "1"]
    assert len(probes) == 1   # remembered for the second task


# --- the task's plan (pure) -------------------------------------------------------------------------------------

def test_plan_creates_then_edits_and_detaches_before_attaching():
    desired = firewall([], name="web")
    assert fw.plan(None, desired, ["i-1"], []) == [("create", None), ("update", None), ("attach", "i-1")]
    current = firewall([], instances=[{"id": "i-2", "name": "b"}])
    assert fw.plan(current, dict(current), ["i-1"], ["i-2"]) == [("detach", "i-2"), ("attach", "i-1")]
    assert fw.plan(current, dict(current, icmp=True), [], []) == [("update", None)]
    assert fw.plan(current, dict(current), [], []) == []


def test_removal_detaches_every_instance_before_the_delete():
    current = firewall([], instances=[{"id": "i-2", "name": "b"}, {"id": "i-1", "name": "a"}])
    assert fw.plan_removal(current) == [("detach", "i-2"), ("detach", "i-1"), ("delete", None)]
    assert fw.plan_removal(None) == []


def test_a_pair_shows_once_the_attachments_say_so_and_settle_with_every_pair():
    attached = [{"id": "i-1", "name": "a"}]
    assert fw.pair_shows("attach", "i-1", attached) and not fw.pair_shows("detach", "i-1", attached)
    assert fw.pair_shows("detach", "i-1", None) and not fw.pair_shows("attach", "i-1", None)
    assert fw.attachments_settled(attached, ["i-1"], ["i-2"]) and not fw.attachments_settled(attached, [], ["i-1"])
    assert not fw.attachments_settled(None, [], [])
