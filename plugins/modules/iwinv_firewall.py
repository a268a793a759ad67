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
  - An attach or detach whose answer was lost and that reading back does not show is sent again (the API answers
    C(IN_USE) to a repeated one that is still in progress), and any later failure names the request whose answer
    was lost.
  - A rule write whose answer was lost is judged by reading the rules back, and sent again when it does not show (a
    repeated rule is refused as a duplicate, which reading back confirms as already there).
  - Every wait of a task (attaches, detaches) counts against the one O(wait_timeout).
  - Attaches and detaches left in flight with O(wait=false) are noted on the controller; a later task on the
    firewall waits for them to show before it compares or acts (the API does not show them until done).
author:
  - iwinv.cloud contributors (@iwinv-cloud)
options:
  name:
    description:
      - The firewall's name (its title in the API), 4 to 32 characters.
      - Identifies the firewall when O(id) is not given; a name that matches several firewalls fails and lists their
        ids.
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
      - Whether to detach the firewall from the instances not listed in O(instances). Ignored when O(instances) is
        omitted.
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
  - iwinv.cloud.iwinv.WRITES
attributes:
  check_mode:
    support: full
    description: Predicts the resulting firewall without sending any write request.
  diff_mode:
    support: full
    description: Shows the firewall before and after, with the rules in the option vocabulary, sorted and without
      rule ids.
notes:
  - An unchanged run makes one request when the firewall is named by O(id) (two by O(name)), as long as the
    O(instances) are already attached (given by id, or by a name unique among the attached instances).
  - Rule ids change on every edit, so they are returned but never compared.
  - In a fleet (other tasks of the same API URL and key running), the tasks that find one firewall by name share
    the reads of its rules and attachments (its detail on C(/v1/firewall)) for O(instance_list_max_age) seconds,
    never after this controller wrote the firewall (or, for the attachments, attached or detached the instances
    the task decides on) since; a task that would write more than attaches reads the firewall again first.
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
        - {id: 1234567, direction: in, protocol: tcp, port: "22", cidr: 198.51.100.7/32, name: ssh-office,
           description: ""}
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

from functools import partial

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall as fw
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_firewall_api import KeptFirewalls, SharedReads
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvApiError
from ansible_collections.iwinv.cloud.plugins.module_utils._module import IwinvModule
from ansible_collections.iwinv.cloud.plugins.module_utils._engine import (
    Action, ClaimingResource, Description, Engine, result_with_diff, reworded, run_claiming)
from ansible_collections.iwinv.cloud.plugins.module_utils._state_firewall_family import firewall_api
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import (
    NameTaken, instance_reference, shared_poll)
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_wait import WaitError

RULE_OPTIONS = dict(direction=dict(type="str", required=True), protocol=dict(type="str", required=True),
                    port=dict(type="raw", required=True), cidr=dict(type="str", required=True),
                    name=dict(type="str"), description=dict(type="str"))

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

FIREWALL = Description(
    label="firewall", kind="firewall", result_key="firewall", info_module="iwinv.cloud.iwinv_firewall_info",
    journal_key="firewall.create:%s", refused_create="change what the API's answer names",
    error_advice=fw.FIREWALL_ERROR_ADVICE)


class Firewall(ClaimingResource):
    """A firewall on either API family: the engine's hooks; what to write is firewall.plan's."""

    description = FIREWALL

    def __init__(self, iwinv):
        # Two tasks of this controller never create (or change) one firewall name at once: no throttle needed.
        # The firewall list, and the rules and attachments of a firewall found by name, are shared by their look-ups
        # (kept at most instance_list_max_age seconds, write-aware: SharedReads).
        super().__init__(iwinv, KeptFirewalls("firewalls", iwinv.params["api_url"], iwinv.params["access_key"],
                                              iwinv.params["instance_list_max_age"], warn=iwinv.warn))
        self.rules = fw.wanted_rules(self.params)
        self.ids_with_name = set()   # the firewalls of the name before a create: the new one is the one not seen
        self.desired, self.pairs, self._api = None, ([], []), None
        self.view = iwinv.instance_view()
        self.from_kept = False   # whether find() took a read another task made (refresh before act)
        self.instances_found = {}   # reference -> instance: plan() may run twice (refresh), the look-ups once
        self.pair_notes = []   # the keys of this task's attach and detach notes, ended when it ends (release)

    @property
    def api(self):
        """The firewall family's transport, asked for (firewall_api=auto) only once the options are valid."""
        if self._api is None:
            self._api = firewall_api(self.client, self.params["firewall_api"], self.iwinv.firewall_family_memory())
        return self._api

    def find(self):
        if self.params["id"]:
            return fw.found_by_id(self.api.get(self.params["id"]), self.params["id"], self.params["state"])
        if self.waits_for_writers():   # before the look-up: a list read while the name is written serves nobody
            raise NameTaken()   # another task writes the firewall: looked up once it is done (run_claiming)
        rows, self.looked_at = self.writes.named(self.params["name"], self.api.rows, self.api.path)
        shared = SharedReads(self.writes, self.deciding_pairs)
        found = self.only(rows, shared)
        self.from_kept = shared.served
        return found

    def only(self, rows, shared=None):
        """The one firewall of the rows named as asked, completed (through `shared` when given)."""
        self.ids_with_name = set(fw.ids_of(rows))
        return self.api.only(rows, self.params["name"], shared)

    def waits_for_writers(self):
        """Whether to wait for another task's write of the name before reading the firewall (it is changing; the
        claim of any write of this task would fail): state=present, not check mode."""
        return self.params["state"] == "present" and not self.iwinv.check_mode and self.writes.busy(self.params["name"])

    def deciding_pairs(self, firewall_id, attached):
        purging = self.params["purge_instances"] and self.params["instances"] is not None
        whole = self.params["state"] == "absent" or purging
        return fw.deciding_pairs(firewall_id, attached, self.params["instances"], whole)

    def refresh(self, found):
        """Refresh before act: a firewall completed from another task's reads is read again by id before a plan
        that writes more than attaches (an attach of a pair those reads show missing is sent as planned: its wait
        judges it); renamed or gone since, it is looked up again."""
        if found is None or not self.from_kept or self.attaches_only(found):
            return found
        self.from_kept = False
        current = self.api.get(found["id"])
        if current is not None and current["name"] == self.params["name"]:
            return current
        self.looked_at = self.writes.clock()
        return self.only([row for row in self.api.rows() if row["name"] == self.params["name"]])

    def attaches_only(self, current):
        """Whether the plan made from `current` writes nothing but attaches."""
        return (self.params["state"] == "present" and self.desired is not None
                and not fw.firewall_changes(current, self.desired) and not self.pairs[1])

    def named(self, name):
        return self.api.list_full(name)

    def settle_writes(self, current):
        """Attaches and detaches that an earlier task started (wait=false) do not show until done: waited for."""
        if current is None:
            return None
        settled = self.run_state.settle_earlier_writes(
            fw.PAIR_PREFIX % current["id"], partial(self.api.attachments, current["id"]), fw.pair_done,
            "the attaches and detaches an earlier task started on firewall %s" % current["id"],
            status_of=fw.describe_instances)
        return current if settled is None else dict(current, instances=settled)

    def plan(self, current):
        if self.params["state"] == "absent":
            self.pairs = ([], fw.attachment_ids(current))
            return [Action(kind, argument) for kind, argument in fw.plan_removal(current)], []
        self.desired = None   # while a plan fails: refresh() then reads again
        self.desired, self.pairs = fw.desired_with_instances(self.client, self.params, self.rules, current,
                                                             self.instance_of)
        return [Action(kind, argument) for kind, argument in fw.plan(current, self.desired, *self.pairs)], []

    def instance_of(self, ref):
        """The instance `ref` names (InstanceView.reference), looked up once per task."""
        if ref not in self.instances_found:
            self.instances_found[ref] = instance_reference(self.view, self.client, ref)
        return self.instances_found[ref]

    def predict(self, current, actions):
        return fw.predicted(self.params["state"], current, bool(actions), self.desired, self.api.predicted_rules)

    def send(self, action, firewall):
        if action.kind == "create":   # claimed until its rules are written too (release)
            self.hold(self.desired["name"])
            return self.api.create(self.desired)
        if action.kind == "update" and self.held is not None:
            return self.update(firewall)
        if action.kind == "update":
            with self.claimed(self.desired["name"], True, [firewall["name"]]):
                return self.update(firewall)
        if action.kind == "delete":
            with self.claimed(firewall["name"]):   # a kept list no longer shows it to a look-up
                self.api.delete(firewall["id"])
            return None
        self.api.on_write = self.run_state.wrote
        # Noted until the task ends (after its wait): kept attachments read before then do not decide on this pair.
        self.pair_notes.append(self.writes.writing(fw.pair_writes(firewall["id"], action.argument)))
        warning = self.api.change_pair(action.kind, firewall["id"], action.argument)
        if warning:
            self.iwinv.warn(warning)
        # The tasks of a fleet that wait for one firewall share each read of its attachments.
        self.share_poll(firewall["id"], partial(shared_poll, self.writes, self.api.attachments_source(firewall["id"]),
                                                partial(self.api.attachments, firewall["id"])))
        return firewall

    def update(self, current):
        """The writes that make `current` the desired firewall (none when it already is); each family decides how."""
        # A failure after any of them (rules are written one by one) reports changed=true and the firewall.
        judge = partial(self.run_state.reconcile, known=current, advice=self.description.rerun_advice)
        return self.api.edit(current, self.desired, judge, partial(self.run_state.wrote, current))

    def release(self):
        super().release()
        while self.pair_notes:
            self.writes.written(self.pair_notes.pop())

    def new_ones(self, action):
        return fw.new_rows(self.api.rows(), self.params["name"], self.ids_with_name)

    def created(self, action):
        return "firewall named '%s'" % self.params["name"]

    def adopted(self, obj):
        firewall = self.api.get(obj["id"])
        self.iwinv.warn(fw.adopted_warning(self.params["name"], firewall["id"]))
        return firewall

    def read(self, firewall):
        """The firewall with its attachments read again (attach and detach show there once done); None once gone."""
        instances = self.polled(firewall["id"], partial(self.api.attachments, firewall["id"]))
        return None if instances is None else dict(firewall, instances=instances)

    def took_effect(self, action, firewall):
        return fw.took_effect(action.kind, action.argument, firewall)

    def settled(self, firewall):
        return True   # a firewall has no operation of its own in flight; its attachments are journaled

    def waits(self, action):
        """Attaches and detaches are waited for once, after the last of them, for all of them."""
        return fw.last_pair(action.kind, action.argument, *self.pairs)

    def done(self, action, firewall):
        return fw.attachments_settled(firewall["instances"] if firewall else None, *self.pairs)

    def failed(self, action, firewall):
        return firewall is None

    def unwaited(self, action, obj):
        """wait=false: the attaches and detaches are noted, so that a later task waits for them."""
        if obj is None:
            return None
        for key, kind, instance_id in fw.pair_notes(obj["id"], *self.pairs):
            self.run_state.journal.note(key, action=kind, instance=instance_id)
        return dict(obj, instances=self.desired["instances"])

    def status_of(self, obj):
        return fw.describe_instances(obj["instances"] if obj else None)

    def label(self, firewall):
        return "firewall %s" % firewall["id"]

    def doing(self, action, firewall):
        return fw.doing(action.kind, firewall and firewall["id"], action.argument, self.params["name"])

    def report(self, changed, before, after):
        """The diff without rule ids and with the rules sorted (diff_view); the result keeps the firewall as read."""
        result = result_with_diff(changed, "firewall", fw.diff_view(before), fw.diff_view(after))
        return dict(result, firewall=after or {})

    def naming_lost_answers(self, exc):
        """A failure names the requests whose answer was lost before it (they may explain it)."""
        note = fw.lost_answers_note(self._api.lost_answers if self._api is not None else ())
        return reworded(exc, exc.message + note) if note else exc


def run(iwinv):
    firewall = Firewall(iwinv)
    try:
        return run_claiming(Engine(iwinv, firewall), claims=iwinv.params["state"] != "absent")
    except (IwinvApiError, WaitError) as exc:
        raise firewall.naming_lost_answers(exc)


def main():
    iwinv = IwinvModule(argument_spec=ARGUMENT_SPEC, with_wait=True, required_one_of=[("id", "name")],
                        references=("instances",))
    iwinv.run(partial(run, iwinv))


if __name__ == "__main__":
    main()
