#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: iwinv_firewall
short_description: Manage iwinv firewalls, their rules and the instances they protect
version_added: 1.0.0
description:
  - Creates, updates and deletes a firewall of the iwinv cloud, its rules, and the instances it is attached to.
  - Rules are normalised before they are compared, so case, port spelling, rule order and a bare address instead of
    a C(/32) CIDR never cause a change.
  - Which firewall API the account serves is chosen by O(firewall_api). V(auto) asks C(/v1/security-groups) (the
    family seen on the live API) and uses C(/v1/firewall) (the docs' family) only when the first answers 404
    C(NOT_FOUND). The options and return values are the same on both.
  - On C(/v1/security-groups) rules are written one by one with the fewest writes (create what is missing, delete
    what is not wanted, edit a rule in place when only its name or description differ, so it keeps its id). A firewall
    created there and then given its rules reports C(changed=true) whatever fails midway; a rerun converges.
  - On C(/v1/firewall) an edit replaces every rule (and gives every rule a new id), so every edit sends the whole
    resulting set of rules, even a rename or an O(icmp) change.
  - A write whose answer was lost (a server error, a dropped connection, O(api_timeout)) is judged by its effect. A
    create is looked for by name for up to a minute within O(wait_timeout) and adopted, else the task fails saying
    the outcome is unknown, and notes it on the controller (a journal kept 15 minutes) so that a rerun adopts it
    when it appears and never creates a second one meanwhile. An attach or detach that reading back does not show is sent again (the API answers
    C(IN_USE) to a repeated one that is still in progress), and any later failure names the request whose answer
    was lost.
  - A rule write whose answer was lost is judged by reading the rules back, and sent again when it does not show (a
    repeated rule is refused as a duplicate, which reading back confirms as already there).
  - Every wait of a task (attaches, detaches) counts against the one O(wait_timeout).
  - Attaches and detaches left in flight with O(wait=false) are noted on the controller; a later task on the
    firewall waits for them to show before it compares or acts (the API does not show them until done).
  - A failure after a write reports C(changed=true) and the firewall as far as it is known.
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  name:
    description:
      - The firewall's name (its title in the API), 4 to 32 characters.
      - Identifies the firewall when O(id) is not given; a name that matches several firewalls fails and lists their ids.
      - Required to create a firewall. With O(id), a different name renames the firewall.
    type: str
  id:
    description:
      - The firewall's id, such as C(FIREWALL-a1B2c3D4e5F6). Wins over O(name).
      - An unknown id fails with O(state=present) (a firewall cannot be created with a chosen id).
    type: str
  description:
    description:
      - The firewall's description, 0 to 50 characters; updated in place.
      - The API returns it HTML-escaped; the module decodes it, so C(&), C(<) and quotes compare as written.
      - Omitted, the description is left alone (empty for a new firewall).
      - The API refuses a firewall created without a description, so an empty one is sent as the text
        C(Managed by iwinv.cloud), which the modules report as an empty description.
    type: str
  icmp:
    description:
      - Whether ICMP (ping) is allowed. Rules cannot name ICMP; this flag covers it for the whole firewall.
      - Omitted, the setting is left alone (V(false) for a new firewall).
    type: bool
  rules:
    description:
      - The firewall's rules. Compared as a set, whatever their order.
      - A rule's identity is (O(rules[].direction), O(rules[].protocol), O(rules[].port), O(rules[].cidr)) after
        normalisation; O(rules[].name) and O(rules[].description) are its attributes, and a change of them updates it.
      - Two entries with the same identity fail.
      - Omitted, the rules are left alone. V([]) with O(purge_rules=true) removes every rule.
    type: list
    elements: dict
    suboptions:
      direction:
        description:
          - C(in) for incoming traffic, C(out) for outgoing traffic; any case.
        type: str
        required: true
      protocol:
        description:
          - C(tcp) or C(udp); any case. ICMP is set for the whole firewall with O(icmp).
        type: str
        required: true
      port:
        description:
          - A port (V(22) or V("22")) or an inclusive range (V("1000-2000")), within 1 to 65535.
          - Spaces around the dash are ignored; a reversed range fails.
        type: raw
        required: true
      cidr:
        description:
          - The IPv4 network the rule applies to, such as V(0.0.0.0/0) or V(192.0.2.0/24). A bare address means C(/32).
          - The API keeps host bits as sent, and so does the module, so V(10.0.0.5/24) and V(10.0.0.0/24) are two
            different rules. IPv6 is not supported by iwinv firewalls.
        type: str
        required: true
      name:
        description:
          - The rule's name, 1 to 25 characters. Defaults to C(<direction>-<protocol>-<port>), for example C(in-tcp-22).
        type: str
      description:
        description:
          - The rule's description, 0 to 100 characters. Omitted, the rule has no description.
        type: str
  purge_rules:
    description:
      - With V(true), the firewall ends with exactly the rules in O(rules).
      - With V(false), the rules in O(rules) are added to the existing ones, or update the existing rule with the same
        identity.
    type: bool
    default: true
  instances:
    description:
      - Ids or names of instances that must carry this firewall. Attaching is asynchronous; see O(wait).
      - An instance can carry at most 5 firewalls; attaching a sixth fails and says so.
      - Omitted, the attachments are left alone.
    type: list
    elements: str
  purge_instances:
    description:
      - Whether to detach the firewall from the instances not listed in O(instances). Ignored when O(instances) is omitted.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or updates the firewall; V(absent) detaches it from every instance, then deletes it.
      - With V(absent) the module always waits for the detaches to finish (up to O(wait_timeout)), even with
        O(wait=false), because the API refuses to delete an attached firewall.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - iwinv.cloud.iwinv
  - iwinv.cloud.iwinv.WAIT
attributes:
  check_mode:
    support: full
    description: Predicts the resulting firewall without sending any write request.
  diff_mode:
    support: full
    description: Shows the firewall before and after, with the rules in the option vocabulary, sorted and without rule ids.
notes:
  - An unchanged run makes one request when the firewall is named by O(id) (two by O(name)), as long as the
    O(instances) are already attached (given by id, or by a name unique among the attached instances).
  - Rule ids change on every edit, so they are returned but never compared.
"""

EXAMPLES = r"""
- name: A web firewall with SSH from the office and HTTP(S) from anywhere
  iwinv.cloud.iwinv_firewall:
    name: web
    description: R&D web servers
    icmp: true
    rules:
      - {direction: in, protocol: tcp, port: 22, cidr: 198.51.100.7, name: ssh-office}
      - {direction: in, protocol: tcp, port: 80, cidr: 0.0.0.0/0}
      - {direction: in, protocol: tcp, port: 443, cidr: 0.0.0.0/0}
    instances:
      - web-1
      - web-2
  register: web_fw

- name: Open a port range without touching the other rules
  iwinv.cloud.iwinv_firewall:
    name: web
    purge_rules: false
    rules:
      - direction: in
        protocol: udp
        port: "60000-61000"
        cidr: 0.0.0.0/0
        description: mosh

- name: Attach only to web-3, detaching from the others
  iwinv.cloud.iwinv_firewall:
    name: web
    instances: [web-3]
    purge_instances: true

- name: Remove the firewall (detached from its instances first)
  iwinv.cloud.iwinv_firewall:
    id: "{{ web_fw.firewall.id }}"
    state: absent
"""

RETURN = r"""
firewall:
  description:
    - The firewall after the task (predicted in check mode; empty after O(state=absent)).
    - With O(wait=false), instances being attached are already listed and those being detached are not.
  returned: always
  type: dict
  contains:
    id:
      description: The firewall id; V(null) in check mode for a firewall that would be created.
      type: str
      sample: FIREWALL-a1B2c3D4e5F6
    name:
      description: The firewall's name.
      type: str
      sample: web
    description:
      description: The description, HTML-decoded.
      type: str
      sample: R&D web servers
    icmp:
      description: Whether ICMP is allowed.
      type: bool
      sample: true
    rules:
      description: The rules in the option vocabulary, sorted by direction, protocol, port and cidr.
      type: list
      elements: dict
      sample:
        - {id: 1234567, direction: in, protocol: tcp, port: "22", cidr: 198.51.100.7/32, name: ssh-office, description: ""}
        - {id: 1234568, direction: in, protocol: tcp, port: "80", cidr: 0.0.0.0/0, name: in-tcp-80, description: ""}
      contains:
        id:
          description:
            - The rule id (V(null) when predicted for a rule not written yet).
            - On C(/v1/firewall) it changes on every edit of the firewall's rules; on C(/v1/security-groups) a rule
              keeps it until the rule is deleted.
          type: int
        direction:
          description: C(in) or C(out).
          type: str
        protocol:
          description: C(tcp) or C(udp).
          type: str
        port:
          description: The port or port range, as a string.
          type: str
        cidr:
          description: The IPv4 CIDR.
          type: str
        name:
          description: The rule's name.
          type: str
        description:
          description: The rule's description (empty when none).
          type: str
    instances:
      description: The instances that carry the firewall, sorted by name.
      type: list
      elements: dict
      sample: [{id: 7d9c1f0e-inst, name: web-1}]
      contains:
        id:
          description: The instance id.
          type: str
        name:
          description: The instance name.
          type: str
"""

from ansible_collections.iwinv.cloud.plugins.module_utils import firewall as fw
from ansible_collections.iwinv.cloud.plugins.module_utils.firewall_family import firewall_api
from ansible_collections.iwinv.cloud.plugins.module_utils.client import IwinvAmbiguousWriteError, IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils.common import IwinvModule, result_with_diff
from ansible_collections.iwinv.cloud.plugins.module_utils.instance_view import (
    KeptList,
    aligned_pause,
    instance_reference,
    run_claimed,
    shared_poll,
)
from ansible_collections.iwinv.cloud.plugins.module_utils.lookup import ResolveError, only_new, resolve
from ansible_collections.iwinv.cloud.plugins.module_utils.task_run import (
    LATE_WRITE_WINDOW,
    create_unknown_advice,
    refused_create_advice,
    rerun_advice,
)
from ansible_collections.iwinv.cloud.plugins.module_utils.waiter import WaitError

RULE_OPTIONS = dict(
    direction=dict(type="str", required=True),
    protocol=dict(type="str", required=True),
    port=dict(type="raw", required=True),
    cidr=dict(type="str", required=True),
    name=dict(type="str"),
    description=dict(type="str"),
)

ARGUMENT_SPEC = dict(
    name=dict(type="str"),
    id=dict(type="str"),
    description=dict(type="str"),
    icmp=dict(type="bool"),
    rules=dict(type="list", elements="dict", options=RULE_OPTIONS),
    purge_rules=dict(type="bool", default=True),
    instances=dict(type="list", elements="str"),
    purge_instances=dict(type="bool", default=False),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def wanted_rules(params):
    """The `rules` option normalised (None when omitted); invalid rules fail here, before any request."""
    fw.check_firewall_options(params["name"], params["description"])
    return None if params["rules"] is None else fw.normalise_rules(params["rules"])


def desired_firewall(current, params, rules):
    """The firewall this task asks for: options given win, options omitted keep the current value."""
    current = current or {"id": None, "name": None, "description": "", "icmp": False, "rules": [], "instances": []}
    return {
        "id": current["id"],
        "name": params["name"] if params["name"] is not None else current["name"],
        "description": params["description"] if params["description"] is not None else current["description"],
        "icmp": params["icmp"] if params["icmp"] is not None else current["icmp"],
        "rules": fw.merge_rules(current["rules"], rules, params["purge_rules"]),
        "instances": current["instances"],
    }


def resolve_instances(look_up, refs, attached):
    """[{id, name}] for the `instances` option (None when omitted); look_up(ref) finds an instance not attached.

    A reference to an instance already attached (its id, or a name no other attached instance has) costs no request.
    """
    if refs is None:
        return None
    resolved = {}
    for ref in refs:
        try:
            instance = resolve(attached, ref, "instance")
        except ResolveError:
            instance = look_up(ref)
        resolved[instance["id"]] = {"id": instance["id"], "name": instance["name"]}
    return list(resolved.values())


def attachment_ids(firewall):
    return [instance["id"] for instance in firewall["instances"]] if firewall else []


def predicted_instances(firewall, wanted, to_attach, to_detach):
    """The instances the firewall will carry once attaches and detaches are done, sorted by name."""
    kept = [instance for instance in firewall["instances"] if instance["id"] not in to_detach]
    added = [instance for instance in wanted or [] if instance["id"] in to_attach]
    return sorted(kept + added, key=lambda instance: (instance["name"] or "", instance["id"] or ""))


REFUSED_CREATE_ADVICE = refused_create_advice("firewall", "change what the API's answer names")
CREATE_KEY = "firewall.create:%s"   # the journal's note of a create whose outcome stayed unknown
PAIR_PREFIX = "firewall:%s:"   # the journal's notes of attaches and detaches left in flight, by firewall id
PAIR_KEY = PAIR_PREFIX + "%s:%s"


def pair_done(instances, entry):
    """Whether the attach or detach of a journal entry shows in the attachments (a firewall gone ends them all)."""
    if instances is None:
        return True
    return (entry.get("instance") in ids_of(instances)) == (entry.get("action") == "attach")


def ids_of(instances):
    return [instance["id"] for instance in instances or []]


def describe_instances(instances):
    if instances is None:
        return "gone"
    return "attached to %s" % (", ".join(ids_of(instances)) or "no instance")


class FirewallTask:
    """One run of the module: find -> settle -> judge and plan -> act (or predict) -> wait -> report."""

    def __init__(self, iwinv):
        self.iwinv = iwinv
        self.params = iwinv.params
        self.client = iwinv.client
        self.run_state = iwinv.task_run("firewall")
        self.ids_with_name = set()
        self._api = None
        self.view = iwinv.instance_view()
        # Two tasks of this controller never create (or change) one firewall name at once: no throttle needed.
        # The firewall list is shared by their look-ups (kept at most instance_list_max_age seconds).
        self.names = KeptList("firewalls", self.params["api_url"], self.params["access_key"],
                              self.params["instance_list_max_age"], warn=iwinv.warn)
        self.looked_at = None

    @property
    def api(self):
        """The firewall family's transport, asked for (firewall_api=auto) only once the options are valid."""
        if self._api is None:
            self._api = firewall_api(self.client, self.params["firewall_api"], self.iwinv.firewall_family_memory())
        return self._api

    @property
    def lost_answers(self):
        """The requests whose answer was lost, named in any later failure."""
        return self.api.lost_answers

    def run(self):
        rules = wanted_rules(self.params)
        if self.params["id"] or self.params["state"] == "absent":
            return self.run_once(rules)
        name = self.params["name"]
        return run_claimed(self.run_state, self.names, name, lambda: self.run_once(rules), "firewall '%s'" % name)

    def run_once(self, rules):
        current = self.find()
        if not self.iwinv.check_mode:
            current = self.settle(current)
        try:
            if self.params["state"] == "absent":
                return self.absent(current)
            return self.present(current, rules)
        except (IwinvApiError, WaitError) as exc:
            raise self.naming_lost_answers(exc)

    def find(self):
        if self.params["id"]:
            current = self.api.get(self.params["id"])
        else:
            current = self.find_by_name(self.params["name"])
        if current is None and self.params["id"] and self.params["state"] == "present":
            raise ResolveError("no firewall has the id '%s'; to create a firewall, give name without id" % self.params["id"])
        return current

    def find_by_name(self, name):
        """The firewall of this name; a create of it that an earlier task left unknown is waited for first."""
        def named():
            return [row for row in self.api.rows() if row["name"] == name]
        rows, self.looked_at = self.names.named(name, self.api.rows, self.api.path)
        rows = self.run_state.settle_earlier_create(CREATE_KEY % name, named, "firewall '%s'" % name, bool(rows)) or rows
        # Remembered for a create whose answer gets lost: the new firewall is the one not seen here.
        self.ids_with_name = set(row["id"] for row in rows)
        return self.api.only(rows, name)

    def settle(self, current):
        """Attaches and detaches that an earlier task started (wait=false) do not show until done (D1): wait for them."""
        if current is None:
            return None
        settled = self.run_state.settle_earlier_writes(
            PAIR_PREFIX % current["id"], lambda: self.api.attachments(current["id"]), pair_done,
            "the attaches and detaches an earlier task started on firewall %s" % current["id"],
            status_of=describe_instances)
        if settled is None:
            return current   # nothing was pending (or the firewall is gone: the next read tells)
        return dict(current, instances=settled)

    def note_pairs(self, firewall_id, to_attach, to_detach):
        """Attaches and detaches left in flight (wait=false): noted so that a later task waits for them."""
        for action, instance_ids in (("attach", to_attach), ("detach", to_detach)):
            for instance_id in instance_ids:
                self.run_state.journal.note(PAIR_KEY % (firewall_id, action, instance_id), action=action, instance=instance_id)

    def present(self, current, rules):
        if current is None and not self.params["name"]:
            raise ValueError("name is required to create a firewall")
        desired = desired_firewall(current, self.params, rules)
        wanted = resolve_instances(lambda ref: instance_reference(self.view, self.client, ref), self.params["instances"],
                                   desired["instances"])
        wanted_ids = None if wanted is None else [instance["id"] for instance in wanted]
        to_attach, to_detach = fw.instance_changes(attachment_ids(current), wanted_ids, self.params["purge_instances"])
        changes = fw.firewall_changes(current, desired) if current else ["created"]
        desired["instances"] = predicted_instances(desired, wanted, to_attach, to_detach)
        if not (changes or to_attach or to_detach):
            return self.result(False, current, current)
        if self.iwinv.check_mode:
            return self.result(True, current, self.predicted(current, desired))

        firewall = current
        if changes:   # claimed: another task's create or change of this name since the look-up makes this look again
            with self.names.claimed(desired["name"], self.looked_at, [current["name"]] if current else []):
                if current is None:
                    firewall = self.create(desired)
                    self.run_state.wrote(firewall)   # its rules (D1b) follow: whatever fails then, the task changed something
                firewall = self.update(firewall, desired)
        self.run_state.wrote(firewall)
        self.change_attachments(firewall["id"], to_attach, to_detach)
        if (to_attach or to_detach) and self.params["wait"]:
            firewall = self.wait_for_attachments(firewall, to_attach, to_detach)
        else:
            self.note_pairs(firewall["id"], to_attach, to_detach)
            firewall["instances"] = desired["instances"]
        return self.result(True, current, firewall)

    def create(self, desired):
        try:
            return self.api.create(desired)
        except IwinvAmbiguousWriteError as error:
            # Never resent: the firewall of that name that was not there before is the one this create made.
            name = desired["name"]
            created = self.run_state.reconcile(
                error, lambda: [row for row in self.api.rows()
                                if row["name"] == name and row["id"] not in self.ids_with_name],
                bool, "a new firewall named '%s'" % name, window=LATE_WRITE_WINDOW,
                known=dict(desired, id=None), advice=create_unknown_advice("iwinv.cloud.iwinv_firewall_info", "firewall"),
                journal_key=CREATE_KEY % name, refused_advice=REFUSED_CREATE_ADVICE)
            firewall = self.api.get(only_new(created, "firewall '%s'" % name)["id"])
            self.iwinv.warn("the API gave no clear answer to the creation of firewall '%s'; reading back found it (%s), so "
                            "it was adopted" % (name, firewall["id"]))
            return firewall

    def update(self, current, desired):
        """The writes that make `current` the desired firewall (none when it already is); each family decides how."""
        if not fw.firewall_changes(current, desired):
            return current

        # A failure after any of its writes (D1b writes rules one by one) reports changed=true and the firewall.
        self.api.on_write = lambda: self.run_state.wrote(current)

        def judge(error, read, took_effect, what):
            return self.run_state.reconcile(error, read, took_effect, what, known=current,
                                            advice=rerun_advice("firewall"))
        return self.api.update(current, desired, judge)

    def change_attachments(self, firewall_id, to_attach, to_detach):
        for instance_id in to_detach:
            self.send_pair(self.api.detach, "detach", firewall_id, instance_id, lambda ids, i=instance_id: i not in ids)
        for instance_id in to_attach:
            self.send_pair(self.api.attach, "attach", firewall_id, instance_id, lambda ids, i=instance_id: i in ids)

    def send_pair(self, send, action, firewall_id, instance_id, done):
        """Attach or detach one pair; an answer lost is judged by reading back, and resent when not done.

        D1 makes that safe: a repeated attach or detach of a pair still in progress answers IN_USE (taken as
        "in progress"), a detach of a pair no longer attached CHECK_PARAM.
        """
        try:
            send(firewall_id, instance_id)
        except IwinvAmbiguousWriteError as exc:
            self.run_state.wrote()
            request = "POST %s (%s)" % (exc.path, exc.message)
            if done(ids_of(self.api.attachments(firewall_id))):
                self.lost_answers.append(request + "; reading back showed it done")
                return
            self.lost_answers.append(request + "; reading back did not show it done, so it was sent again")
            self.iwinv.warn("the API gave no clear answer to the %s of firewall %s and instance %s; it was sent again "
                            "(a repeated %s is safe)" % (action, firewall_id, instance_id, action))
            send(firewall_id, instance_id)
        self.run_state.wrote()

    def naming_lost_answers(self, exc):
        if self.lost_answers:
            exc.message = "%s; requests whose answer was lost before: %s" % (exc.message, "; ".join(self.lost_answers))
            exc.args = (exc.message,)
        return exc

    def wait_for_attachments(self, firewall, to_attach, to_detach):
        """Attach and detach are asynchronous: they show in the firewall's attachments once done."""
        def settled(instances):
            ids = set(ids_of(instances))
            return instances is not None and ids.issuperset(to_attach) and not ids.intersection(to_detach)

        self.run_state.wrote(firewall)
        # The tasks of a fleet that wait for one firewall share each read of its attachments.
        read = shared_poll(self.names, "%s %s" % (self.api.path, firewall["id"]),
                           lambda: self.api.attachments(firewall["id"]))
        instances = self.run_state.wait(read, settled, "the instances of firewall %s" % firewall["id"],
                                        is_failed=lambda instances: instances is None, status_of=describe_instances,
                                        pause=aligned_pause)
        return dict(firewall, instances=instances)

    def absent(self, current):
        if current is None:
            return self.result(False, None, None)
        if not self.iwinv.check_mode:
            to_detach = attachment_ids(current)
            self.change_attachments(current["id"], [], to_detach)
            if to_detach:
                self.wait_for_attachments(current, [], to_detach)
            with self.names.claimed(current["name"], None):   # a kept list no longer shows it to a look-up
                self.delete(current["id"])
        return self.result(True, current, None)

    def delete(self, firewall_id):
        try:
            self.api.delete(firewall_id)
        except IwinvAmbiguousWriteError as error:
            self.run_state.reconcile(error, lambda: self.api.get(firewall_id), lambda firewall: firewall is None,
                                     "the deletion of firewall %s" % firewall_id, advice=rerun_advice("firewall"))

    def predicted(self, current, desired):
        """The firewall check mode reports: the ids of rules that would be written are unknown (None)."""
        if current is None:
            return dict(desired, rules=[dict(rule, id=None) for rule in desired["rules"]])
        return dict(desired, rules=self.api.predicted_rules(current["rules"], desired["rules"]))

    def result(self, changed, before, after):
        result = result_with_diff(changed, "firewall", fw.diff_view(before), fw.diff_view(after))
        result["firewall"] = after or {}
        return result


def main():
    iwinv = IwinvModule(argument_spec=ARGUMENT_SPEC, with_wait=True, required_one_of=[("id", "name")],
                        references=("instances",))
    iwinv.run(FirewallTask(iwinv).run)


if __name__ == "__main__":
    main()
