# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Firewalls: the translation of API rows, the rule normaliser, the rule-write planner and the task's plan.

Both API families (_resource_firewall_api.py) share these rows and bodies; everything above them speaks the option
vocabulary (`direction`, `protocol`, `port`, `cidr`, `name`, `description`).

Descriptions: the API refuses a group created without one (LIVE: 403 CHECK_IP, nothing created), so a firewall
without a description is sent with DEFAULT_DESCRIPTION, which reads back as no description (both families).

CIDRs: the API keeps host bits as sent (`10.0.0.5/24` stays `10.0.0.5/24`), so the normaliser
keeps them too and compares the normalised string form (`ipaddress.ip_interface`): `10.0.0.5/24`
and `10.0.0.0/24` are different rules, `10.0.0.5` and `10.0.0.5/32` are the same one.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import html
import ipaddress
import re

from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_instances import resolve_instance
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError, resolve

DEFAULT_DESCRIPTION = "Managed by iwinv.cloud"
NAME_LENGTH = (4, 32)
DESCRIPTION_LENGTH = (0, 50)
RULE_NAME_LENGTH = (1, 25)
RULE_DESCRIPTION_LENGTH = (0, 100)
MAX_FIREWALLS_PER_INSTANCE = 5

# Words for the API errors of firewall writes, so that a failure says what to do.
FIREWALL_ERROR_ADVICE = {
    "IN_USE": "the firewall is still attached to an instance (an attach may still be in progress); detach it first",
    "LIMIT_EXCEEDED": ("an instance can carry at most %d firewalls and this one already has that many; detach another "
                       "firewall from it first" % MAX_FIREWALLS_PER_INSTANCE),
}

DIRECTIONS = ("in", "out")
PROTOCOLS = ("tcp", "udp")
PORT_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


class RuleError(IwinvError):
    """Invalid firewall options, found before any request."""


# --- API rows -> the collection's vocabulary ---------------------------------------------------------

def rule_from_api(row):
    """An API rule row as a rule of the `rules` option (plus its `id`), normalised like the options."""
    return {
        "id": row.get("rule_id"),
        "direction": str(row.get("bound") or "").lower(),
        "protocol": str(row.get("protocol") or "").lower(),
        "port": _tolerantly(normalise_port, row.get("port")),
        "cidr": _tolerantly(normalise_cidr, row.get("ip")),
        "name": row.get("title") or "",
        "description": row.get("content") or "",
    }


def firewall_from_api(row):
    """An API firewall row as the `firewall` return value; the description is HTML-decoded (the API escapes it)."""
    return {
        "id": row.get("firewall_id"),
        "name": row.get("title"),
        "description": description_from_api(row.get("content")),
        "icmp": row.get("icmp") == "Y",
        "rules": sort_rules([rule_from_api(rule) for rule in row.get("rules") or [] if isinstance(rule, dict)]),
        "instances": instances_from_api(row.get("instances")),
    }


def description_from_api(content):
    """The description as the user wrote it: HTML-decoded (the API escapes it), the default text as none."""
    text = html.unescape(content or "") if isinstance(content, str) else ""
    return "" if text == DEFAULT_DESCRIPTION else text


def instances_from_api(rows):
    """[{id, name}] of the attached instances an API answer lists, sorted by name."""
    links = [row for row in rows or [] if isinstance(row, dict)]
    return sorted(({"id": link.get("instance_id"), "name": link.get("name")} for link in links),
                  key=lambda instance: (instance["name"] or "", instance["id"] or ""))


def _tolerantly(normalise, value):
    """The normalised form of a value the API sent, or the value as a string when the normaliser refuses it."""
    try:
        return normalise(value)
    except RuleError:
        return str(value)


# --- the collection's vocabulary -> API bodies -----------------------------------------------------------

def rule_to_api(rule):
    return {
        "bound": rule["direction"].upper(),
        "protocol": rule["protocol"].upper(),
        "port": rule["port"],
        "ip": rule["cidr"],
        "title": rule["name"],
        "content": rule["description"] or None,
    }


def firewall_to_api(firewall, with_rules=True):
    """The body of a create or an edit: the whole desired firewall (an edit with `rules` replaces them all).

    No description is sent as DEFAULT_DESCRIPTION: the API refuses a group created without one.
    """
    body = {"title": firewall["name"], "content": firewall["description"] or DEFAULT_DESCRIPTION,
            "icmp": "Y" if firewall["icmp"] else "N"}
    if with_rules:
        body["rules"] = [rule_to_api(rule) for rule in sort_rules(firewall["rules"])]
    return body


# --- the rule normaliser -------------------------------------------------------------------------------

def normalise_port(value):
    """`22`, `"22"`, `"1000-2000"`, `"1000 - 2000"` -> `"22"` / `"1000-2000"`; a one-port range becomes that port."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise RuleError("must be a port number or a range such as \"1000-2000\", got %r" % (value,))
    match = PORT_RANGE.match(str(value).replace(" ", ""))
    if not match:
        raise RuleError("must be a port number or a range such as \"1000-2000\", got %r" % (value,))
    low, high = int(match.group(1)), int(match.group(2) or match.group(1))
    for port in (low, high):
        if not 1 <= port <= 65535:
            raise RuleError("port %d is outside 1-65535" % port)
    if low > high:
        raise RuleError("the range %s is reversed: write \"%d-%d\"" % (value, high, low))
    return str(low) if low == high else "%d-%d" % (low, high)


def normalise_cidr(value):
    """An IPv4 CIDR in its normalised string form; a bare address means /32; host bits are kept (the API keeps them)."""
    if not isinstance(value, str):
        raise RuleError("must be an IPv4 address or CIDR such as \"192.0.2.0/24\", got %r" % (value,))
    try:
        # Like ip_network(strict=False) it accepts host bits, and unlike it keeps them in its string form.
        interface = ipaddress.ip_interface(value.replace(" ", ""))
    except ValueError:
        raise RuleError("must be an IPv4 address or CIDR such as \"192.0.2.0/24\", got %r" % (value,)) from None
    if interface.version != 4:
        raise RuleError("%r is an IPv6 network: iwinv firewalls support IPv4 only" % value)
    return str(interface)


def _choice(value, allowed, option):
    word = str(value).strip().lower() if value is not None else ""
    if option == "protocol" and word == "icmp":
        raise RuleError("icmp is not a rule protocol on iwinv: ICMP is allowed or refused for the whole firewall "
                        "with the icmp option (icmp: true)")
    if word not in allowed:
        raise RuleError("must be one of %s, got %r" % (", ".join(allowed), value))
    return word


def check_length(value, limits, what):
    """Fails with a message naming `what` when `value` is outside the API's length limits."""
    low, high = limits
    if not low <= len(value) <= high:
        raise RuleError("%s must be %d to %d characters long, got %d: %r" % (what, low, high, len(value), value))
    return value


def normalise_rule(raw, index=0):
    """One entry of the `rules` option in normalised form; errors name the entry (`rules[2].port: ...`)."""
    where = "rules[%d]" % index
    rule = {}
    try:
        for option, allowed in (("direction", DIRECTIONS), ("protocol", PROTOCOLS)):
            where = "rules[%d].%s" % (index, option)
            rule[option] = _choice(raw.get(option), allowed, option)
        where = "rules[%d].port" % index
        rule["port"] = normalise_port(raw.get("port"))
        where = "rules[%d].cidr" % index
        rule["cidr"] = normalise_cidr(raw.get("cidr"))
    except RuleError as exc:
        raise RuleError("%s: %s" % (where, exc)) from None
    name = raw.get("name")
    rule["name"] = default_rule_name(rule) if name is None else name
    rule["description"] = raw.get("description") or ""
    check_length(rule["name"], RULE_NAME_LENGTH, "rules[%d].name" % index)
    check_length(rule["description"], RULE_DESCRIPTION_LENGTH, "rules[%d].description" % index)
    return rule


def default_rule_name(rule):
    return "%s-%s-%s" % (rule["direction"], rule["protocol"], rule["port"])


def rule_identity(rule):
    """What makes two rules the same rule; name and description are attributes of it."""
    return (rule["direction"], rule["protocol"], rule["port"], rule["cidr"])


def normalise_rules(raw_rules):
    """The `rules` option normalised; two entries with one identity fail, naming both."""
    rules = []
    seen = {}
    for index, raw in enumerate(raw_rules):
        rule = normalise_rule(raw, index)
        identity = rule_identity(rule)
        if identity in seen:
            raise RuleError("rules[%d] and rules[%d] are the same rule (%s %s port %s from %s): list each rule once"
                            % (seen[identity], index, rule["direction"], rule["protocol"], rule["port"], rule["cidr"]))
        seen[identity] = index
        rules.append(rule)
    return rules


def check_firewall_options(name=None, description=None):
    """The firewall's own length limits, before any request."""
    if name is not None:
        check_length(name, NAME_LENGTH, "name")
    if description is not None:
        check_length(description, DESCRIPTION_LENGTH, "description")


# --- comparing rule sets ----------------------------------------------------------------------------

def _sort_key(rule):
    low, _sep, high = rule["port"].partition("-")
    port_key = (int(low), int(high or low)) if low.isdigit() and (high or low).isdigit() else (0, 0)
    return (rule["direction"], rule["protocol"], port_key, rule["cidr"], rule["name"])


def sort_rules(rules):
    """Rules in one deterministic order (direction, protocol, port, cidr), so that diffs are readable."""
    return sorted(rules, key=_sort_key)


def rule_map(rules):
    """identity -> (name, description): what two rule sets are compared on."""
    return dict((rule_identity(rule), (rule["name"], rule["description"])) for rule in rules)


def same_rules(left, right):
    """Whether two rule sets are equal as sets, whatever their order (rule ids are ignored)."""
    return rule_map(left) == rule_map(right)


def strip_rule_ids(rules):
    return [dict((key, value) for key, value in rule.items() if key != "id") for rule in rules]


def merge_rules(current, wanted, purge):
    """The rule set the firewall must end with.

    `wanted` None leaves the rules alone; `purge` keeps exactly `wanted`; otherwise `wanted` is added to
    the current rules, replacing the attributes of a rule with the same identity.
    """
    if wanted is None:
        return sort_rules(current)
    if purge:
        return sort_rules(strip_rule_ids(wanted))
    merged = dict((rule_identity(rule), rule) for rule in strip_rule_ids(current))
    merged.update((rule_identity(rule), rule) for rule in strip_rule_ids(wanted))
    return sort_rules(merged.values())


def firewall_changes(current, desired):
    """The names of the firewall's attributes that differ (`name`, `description`, `icmp`, `rules`)."""
    changed = [key for key in ("name", "description", "icmp") if current[key] != desired[key]]
    if not same_rules(current["rules"], desired["rules"]):
        changed.append("rules")
    return changed


def instance_changes(attached_ids, wanted_ids, purge):
    """(ids to attach, ids to detach); `wanted_ids` None leaves the attachments alone."""
    if wanted_ids is None:
        return [], []
    to_attach = [instance_id for instance_id in wanted_ids if instance_id not in attached_ids]
    to_detach = [instance_id for instance_id in attached_ids if purge and instance_id not in wanted_ids]
    return to_attach, to_detach


def diff_view(firewall):
    """The firewall in the option vocabulary for --diff: no rule ids (a /v1/firewall edit renews them), sorted rules."""
    if not firewall:
        return {}
    view = dict(firewall)
    view["rules"] = sort_rules(strip_rule_ids(firewall["rules"]))
    return view


# --- the fewest rule writes (security groups: rules as sub-resources) ------------------------------------------------

def plan_rule_writes(current, desired):
    """(rules to delete, (rule, wanted) pairs to edit, rules to create): the fewest writes from current to desired.

    Rules are matched by identity after normalising; a rule whose name or description alone differs is edited in
    place (it keeps its id), unless its description must become empty: a partial edit with an empty description
    keeps the old text (LIVE), so that rule is deleted and created again.
    """
    by_identity = dict((rule_identity(rule), rule) for rule in current)
    wanted_identities = set(rule_identity(rule) for rule in desired)
    to_delete = [rule for rule in current if rule_identity(rule) not in wanted_identities]
    to_edit, to_create = [], []
    for wanted in desired:
        rule = by_identity.get(rule_identity(wanted))
        if rule is None:
            to_create.append(wanted)
        elif rule["description"] and not wanted["description"]:
            to_delete.append(rule)
            to_create.append(wanted)
        elif not rule_matches(rule, wanted):
            to_edit.append((rule, wanted))
    return sort_rules(to_delete), to_edit, sort_rules(to_create)


def find_rule(rules, wanted):
    """The rule of `rules` with the identity of `wanted`, or None."""
    for rule in rules:
        if rule_identity(rule) == rule_identity(wanted):
            return rule
    return None


def rule_matches(rule, wanted):
    """Whether a rule has the name and description wanted (None, a rule not found, never does)."""
    return rule is not None and (rule["name"], rule["description"]) == (wanted["name"], wanted["description"])


def describe_rule(rule):
    return "%s %s port %s from %s" % (rule["direction"], rule["protocol"], rule["port"], rule["cidr"])


# --- the task's plan -----------------------------------------------------------------------------------------

def wanted_rules(params):
    """The `rules` option normalised (None when omitted); invalid rules fail here, before any request."""
    check_firewall_options(params["name"], params["description"])
    return None if params["rules"] is None else normalise_rules(params["rules"])


def resolve_instances(client, refs, attached, look_up=None):
    """[{id, name}] for the `instances` option (None when omitted); look_up(ref) finds an instance not attached
    (default: resolve_instance).

    A reference to an instance already attached (its id, or a name no other attached instance has) costs no request.
    """
    if refs is None:
        return None
    resolved = {}
    for ref in refs:
        try:
            instance = resolve(attached, ref, "instance")
        except ResolveError:
            instance = look_up(ref) if look_up is not None else resolve_instance(client, ref)
        resolved[instance["id"]] = {"id": instance["id"], "name": instance["name"]}
    return list(resolved.values())


def desired_firewall(current, params, rules):
    """The firewall this task asks for: options given win, options omitted keep the current value."""
    current = current or {"id": None, "name": None, "description": "", "icmp": False, "rules": [], "instances": []}
    return {
        "id": current["id"],
        "name": params["name"] if params["name"] is not None else current["name"],
        "description": params["description"] if params["description"] is not None else current["description"],
        "icmp": params["icmp"] if params["icmp"] is not None else current["icmp"],
        "rules": merge_rules(current["rules"], rules, params["purge_rules"]),
        "instances": current["instances"],
    }


def plan(current, desired, to_attach, to_detach):
    """The writes that make `current` (None: none yet) the desired firewall: [(kind, argument)] in order.

    A create is followed by its edit (security groups take their rules after the group); detaches come before
    attaches (an instance carries few firewalls)."""
    writes = [("create", None), ("update", None)] if current is None else []
    if current is not None and firewall_changes(current, desired):
        writes.append(("update", None))
    return writes + [("detach", instance_id) for instance_id in to_detach] + [("attach", i) for i in to_attach]


def plan_removal(current):
    """The writes that remove a firewall: every instance detached first (the API refuses to delete one in use)."""
    if current is None:
        return []
    return [("detach", instance_id) for instance_id in attachment_ids(current)] + [("delete", None)]


def attachment_ids(firewall):
    return ids_of(firewall["instances"]) if firewall else []


def ids_of(instances):
    return [instance["id"] for instance in instances or []]


def predicted_instances(firewall, wanted, to_attach, to_detach):
    """The instances the firewall will carry once attaches and detaches are done, sorted by name."""
    kept = [instance for instance in firewall["instances"] if instance["id"] not in to_detach]
    added = [instance for instance in wanted or [] if instance["id"] in to_attach]
    return sorted(kept + added, key=lambda instance: (instance["name"] or "", instance["id"] or ""))


def attachments_settled(instances, to_attach, to_detach):
    """Whether the attachments show every attach and no detach (attach and detach are asynchronous)."""
    ids = set(ids_of(instances))
    return instances is not None and ids.issuperset(to_attach) and not ids.intersection(to_detach)


def pair_shows(action, instance_id, instances):
    """Whether an attach (or detach) of the instance shows in the attachments read back (None: none read)."""
    return (instance_id in ids_of(instances)) == (action == "attach")


def pair_done(instances, entry):
    """Whether the attach or detach of a journal entry shows in the attachments (a firewall gone ends them all)."""
    if instances is None:
        return True
    return (entry.get("instance") in ids_of(instances)) == (entry.get("action") == "attach")


def describe_instances(instances):
    if instances is None:
        return "gone"
    return "attached to %s" % (", ".join(ids_of(instances)) or "no instance")


# --- the module's plan, predictions and words (iwinv_firewall) ---------------------------------------------------

PAIR_PREFIX = "firewall:%s:"   # the journal's notes of attaches and detaches left in flight, by firewall id
PAIR_KEY = PAIR_PREFIX + "%s:%s"
DOING = {"create": "creating %s", "update": "editing %s", "delete": "deleting %s",
         "attach": "attaching firewall %s to instance %s", "detach": "detaching firewall %s from instance %s"}


def desired_with_instances(client, params, rules, current, look_up=None):
    """(the firewall the options describe, with the instances it will have; (ids to attach, ids to detach))."""
    if current is None and not params["name"]:
        raise IwinvError("name is required to create a firewall")
    desired = desired_firewall(current, params, rules)
    wanted = resolve_instances(client, params["instances"], desired["instances"], look_up)
    pairs = instance_changes(attachment_ids(current), None if wanted is None else ids_of(wanted),
                             params["purge_instances"])
    desired["instances"] = predicted_instances(desired, wanted, *pairs)
    return desired, pairs


def predicted(state, current, changes, desired, predicted_rules):
    """The firewall once the plan is done (check mode, and the diff's after): gone, as it is (no change), or the
    desired one with the rules the family predicts (predicted_rules), whose ids a create leaves unknown (None)."""
    if state == "absent" or not changes:
        return None if changes else current
    if current is None:
        return dict(desired, rules=[dict(rule, id=None) for rule in desired["rules"]])
    return dict(desired, rules=predicted_rules(current["rules"], desired["rules"]))


def took_effect(action, argument, firewall):
    """Whether `firewall` (with its attachments), read back after a lost answer, shows the write done."""
    if action == "delete":
        return firewall is None
    return pair_shows(action, argument, firewall["instances"] if firewall else None)


def last_pair(action, instance_id, to_attach, to_detach):
    """Whether this attach or detach is the last one (after which all of them are waited for)."""
    return action in ("attach", "detach") and instance_id == (to_detach + to_attach)[-1]


def pair_notes(firewall_id, to_attach, to_detach):
    """The journal notes (key, action, instance id) of attaches and detaches left in flight (wait=false)."""
    return [(PAIR_KEY % (firewall_id, kind, instance_id), kind, instance_id)
            for kind, instance_ids in (("attach", to_attach), ("detach", to_detach)) for instance_id in instance_ids]


# What an attach or detach is noted under in the firewall KeptList while its task runs (a NUL: no firewall name).
PAIR_WRITE = "\0firewall %s instance %s"
PAIRS_WRITE = "\0firewall %s attachments"


def pair_writes(firewall_id, instance_id):
    """The names an attach or detach of (firewall, instance) is noted under: that pair, and any pair of the firewall."""
    return [PAIR_WRITE % (firewall_id, instance_id), PAIRS_WRITE % firewall_id]


def deciding_pairs(firewall_id, attached, refs, whole):
    """The pair writes after which kept attachments no longer serve this task's decision: any pair of the firewall
    when it decides on all of them (`whole`: purge_instances, state=absent), else only the pairs of the attached
    instances that `refs` name (by id or name). An instance they show missing is attached, and the wait judges it."""
    if whole:
        return [PAIRS_WRITE % firewall_id]
    refs = set(refs or ())
    return [PAIR_WRITE % (firewall_id, instance["id"]) for instance in attached or []
            if instance["id"] in refs or instance["name"] in refs]


def is_kept_row(row):
    """A row the firewall KeptList may keep (read back from a file: untrusted): a firewall, a rule, an attachment."""
    return is_firewall_row(row) or is_rule_row(row) or is_attachment_row(row)


def is_firewall_row(row):
    return (isinstance(row, dict) and set(row) == FIREWALL_KEYS and isinstance(row["id"], str)
            and isinstance(row["name"], (str, type(None))) and isinstance(row["description"], str)
            and isinstance(row["icmp"], bool) and isinstance(row["rules"], list) and isinstance(row["instances"], list)
            and all(is_rule_row(rule) for rule in row["rules"])
            and all(is_attachment_row(instance) for instance in row["instances"]))


def is_rule_row(row):
    return (isinstance(row, dict) and set(row) == RULE_KEYS and not isinstance(row["id"], bool)
            and isinstance(row["id"], (int, str, type(None)))
            and all(isinstance(row[key], str) for key in RULE_KEYS - {"id"}))


def is_attachment_row(row):
    return (isinstance(row, dict) and set(row) == {"id", "name"} and isinstance(row["id"], str)
            and isinstance(row["name"], (str, type(None))))


FIREWALL_KEYS = {"id", "name", "description", "icmp", "rules", "instances"}
RULE_KEYS = {"id", "direction", "protocol", "port", "cidr", "name", "description"}


def doing(action, firewall_id, argument, name):
    """A write in words for an API error ("attaching firewall fw-1 to instance i-1")."""
    if action in ("attach", "detach"):
        return DOING[action] % (firewall_id, argument)
    return DOING[action] % ("firewall %s" % firewall_id if firewall_id else "firewall '%s'" % name)


def lost_answers_note(lost_answers):
    """What a failure adds about the requests whose answer was lost before it (they may explain it)."""
    return "; requests whose answer was lost before: %s" % "; ".join(lost_answers) if lost_answers else ""


def found_by_id(firewall, firewall_id, state):
    """The firewall read by id; none fails unless it is to be absent (the API assigns ids: a create is by name)."""
    if firewall is None and state == "present":
        raise ResolveError("no firewall has the id '%s'; to create a firewall, give name without id" % firewall_id)
    return firewall


def new_rows(rows, name, known_ids):
    """The rows of `name` that were not there before a create (what a lost create made)."""
    return [row for row in rows if row["name"] == name and row["id"] not in known_ids]


def adopted_warning(name, firewall_id):
    return ("the API gave no clear answer to the creation of firewall '%s'; reading back found it (%s), so it was "
            "adopted" % (name, firewall_id))
