# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The two firewall API families, each in one class behind the same firewall vocabulary.

`DocsFirewalls` speaks `/v1/firewall` (the docs): rules nested in the firewall, an edit replaces them all, so
every edit carries the full wanted rule set. `SecurityGroups` speaks `/v1/security-groups` (observed live):
rules are sub-resources, written one by one with the fewest writes (firewall.plan_rule_writes); each rule write
whose answer is lost is judged by reading the rule list again and, when it does not show, sent once more (safe:
the API refuses an exact duplicate rule with CHECK_PARAM, an edit is idempotent, a deleted rule is gone).

Both speak firewalls as _resource_firewall.py's vocabulary ({id, name, description, icmp, rules, instances});
the modules never see a path or a body. `judge(error, read, took_effect, what)` is the module's TaskRun.reconcile
for a write whose answer was lost: it returns what `read()` gave once the effect shows, else raises `error`.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_firewall as fw
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    IwinvAmbiguousWriteError,
    IwinvApiError,
    api_path,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import only_named
from ansible_collections.iwinv.cloud.plugins.module_utils._state_instance_list import KeptList

FIREWALL_PATH = "/v1/firewall"
SECURITY_GROUPS_PATH = "/v1/security-groups"


class FirewallFamily:
    """What both families share: finding firewalls by id or name, attach and detach, and their answers in words."""

    path = None

    def __init__(self, client):
        self.client = client
        self.lost_answers = []   # rule writes whose answer was lost, named in any later failure
        self.on_write = lambda: None   # told of every write that was (or may have been) done, as it happens

    def _path(self, firewall_id, *segments):
        return api_path(self.path, firewall_id, *segments)

    def detail(self, firewall_id):
        """The detail of this id in the vocabulary, or None (200 [] or ID_INVALID; LIVE: 200 [] once deleted)."""
        row = self.client.get_detail(self.path, firewall_id)
        return fw.firewall_from_api(row) if row else None

    def rows(self):
        """Every firewall, as summaries (the lists have no rules and no instances)."""
        return [fw.firewall_from_api(row) for row in self.client.paginate(self.path)]

    def find(self, firewall_id=None, name=None):
        """The firewall named by id (wins) or by exact title, with rules and instances; None when there is none."""
        if firewall_id:
            return self.get(firewall_id)
        return self.only([row for row in self.rows() if row["name"] == name], name)

    def only(self, matches, name, shared=None):
        """The one firewall of the list rows titled `name` (completed, through `shared` SharedReads when given), None
        for none; several fail listing ids."""
        row = only_named(matches, name, "firewall")
        if row is None:
            return None
        return self.complete(row) if shared is None else self.complete_shared(row, shared)

    def attachments_source(self, firewall_id):
        """The KeptList source of the firewall's attachments: the shared polls of its waits keep them there."""
        return "%s %s" % (self.path, firewall_id)

    def list_full(self, name=None):
        """Every firewall (titled exactly `name`, when given) with its rules and instances."""
        rows = [row for row in self.rows() if name is None or row["name"] == name]
        return [firewall for firewall in (self.complete(row) for row in rows) if firewall is not None]

    def delete(self, firewall_id):
        self.client.delete(self._path(firewall_id))

    def attach(self, firewall_id, instance_id):
        """Start attaching; False when an attach of this pair is already in progress (IN_USE).

        Raises IwinvAmbiguousWriteError when the answer was lost (the caller reads back, and may send it again).
        """
        return self._pair_write(firewall_id, "attach", instance_id, ("IN_USE",))

    def detach(self, firewall_id, instance_id):
        """Start detaching; False when a detach of this pair is in progress (IN_USE) or done (CHECK_PARAM).

        Raises IwinvAmbiguousWriteError when the answer was lost (the caller reads back, and may send it again).
        """
        return self._pair_write(firewall_id, "detach", instance_id, ("IN_USE", "CHECK_PARAM"))

    def _pair_write(self, firewall_id, verb, instance_id, nothing_to_do):
        """POST attach or detach of one pair; False when the API answers an error code of `nothing_to_do`."""
        try:
            self.client.post(self._path(firewall_id, verb), json={"instance_id": instance_id})
        except IwinvAmbiguousWriteError:
            raise
        except IwinvApiError as exc:
            if exc.error_code in nothing_to_do:
                return False
            raise
        return True

    def edit(self, current, desired, judge, on_write):
        """update() when `current` is not the desired firewall yet (else no write), telling on_write of each write."""
        if not fw.firewall_changes(current, desired):
            return current
        self.on_write = on_write
        return self.update(current, desired, judge)

    def change_pair(self, action, firewall_id, instance_id):
        """Attach or detach one pair; an answer lost is judged by reading back, and resent when not done.

        That is safe: a repeated attach or detach of a pair still in progress answers IN_USE (taken as "in
        progress"), a detach of a pair no longer attached CHECK_PARAM. Returns a warning when it was resent.
        """
        send = self.attach if action == "attach" else self.detach
        try:
            send(firewall_id, instance_id)
            return None
        except IwinvAmbiguousWriteError as exc:
            self.on_write()
            request = "POST %s (%s)" % (exc.path, exc.message)
            if fw.pair_shows(action, instance_id, self.attachments(firewall_id)):
                self.lost_answers.append(request + "; reading back showed it done")
                return None
        self.lost_answers.append(request + "; reading back did not show it done, so it was sent again")
        send(firewall_id, instance_id)
        return ("the API gave no clear answer to the %s of firewall %s and instance %s; it was sent again (a repeated "
                "%s is safe)" % (action, firewall_id, instance_id, action))


class DocsFirewalls(FirewallFamily):
    """`/v1/firewall`: the detail carries rules and instances; create and edit send the whole firewall."""

    path = FIREWALL_PATH

    def get(self, firewall_id):
        """The firewall with this id: its detail carries rules and instances."""
        return self.detail(firewall_id)

    def complete(self, row):
        return self.get(row["id"])

    def complete_shared(self, row, shared):
        """complete(row) through `shared` (SharedReads): the detail carries the group, its rules and attachments, so
        a write of the name or of a pair this task decides on makes a kept detail stale."""
        def stale_after(value):
            return [row["name"]] + shared.deciding_pairs(row["id"], value[0]["instances"])

        def read():
            firewall = self.get(row["id"])
            return None if firewall is None else [firewall]
        value = shared.read("%s %s detail" % (self.path, row["id"]), stale_after, read)
        return None if value is None else value[0]

    def attachments(self, firewall_id):
        """[{id, name}] of the instances carrying the firewall, or None when it is gone (one detail)."""
        firewall = self.get(firewall_id)
        return None if firewall is None else firewall["instances"]

    def create(self, firewall):
        """Create it with its rules; raises IwinvAmbiguousWriteError when the answer was lost or names no id."""
        rows = self.client.post(self.path, json=fw.firewall_to_api(firewall))
        return fw.firewall_from_api(created_row(rows, self.path, 202))

    def update(self, current, desired, judge):
        """One PUT with the full wanted rule set: the docs say an edit may replace every rule, whatever it changes."""
        try:
            rows = self.client.put(self._path(current["id"]), json=fw.firewall_to_api(desired))
        except IwinvAmbiguousWriteError as error:
            return judge(error, lambda: self.get(current["id"]),
                         lambda updated: updated is not None and not fw.firewall_changes(updated, desired),
                         "the edit of firewall %s" % current["id"])
        updated = fw.firewall_from_api(rows[0]) if rows else self.get(current["id"])
        return dict(updated, instances=current["instances"]) if updated else updated

    @staticmethod
    def predicted_rules(current_rules, desired_rules):
        """Every edit renews every rule id, so a rule set that changes has no known ids."""
        if fw.same_rules(current_rules, desired_rules):
            return current_rules
        return [dict(rule, id=None) for rule in desired_rules]


class SecurityGroups(FirewallFamily):
    """`/v1/security-groups`: groups without rules, rules and attachments as sub-resources."""

    path = SECURITY_GROUPS_PATH

    def get(self, firewall_id):
        """The firewall with this id: its group's detail (no rules, no instances), then its rules and instances."""
        group = self.detail(firewall_id)
        return self.complete(group) if group else None

    def complete(self, row):
        """A list row with its rules and instances (two reads), or None when the group is gone meanwhile."""
        rules = self.rules(row["id"])
        instances = self.attachments(row["id"]) if rules is not None else None
        if instances is None:
            return None
        return dict(row, rules=rules, instances=instances)

    def complete_shared(self, row, shared):
        """complete(row) through `shared` (SharedReads): kept rules serve until a write of the name, kept attachments
        until a write of a pair this task decides on (another host's attach does not make them stale)."""
        rules = shared.read("%s %s rules" % (self.path, row["id"]), lambda unused: [row["name"]],
                            lambda: self.rules(row["id"]))
        instances = None if rules is None else shared.read(
            self.attachments_source(row["id"]), lambda value: shared.deciding_pairs(row["id"], value),
            lambda: self.attachments(row["id"]))
        return None if instances is None else dict(row, rules=rules, instances=instances)

    def rules(self, firewall_id):
        """The group's rules in the option vocabulary, or None when the group is gone (LIVE: 400 CHECK_PARAM)."""
        try:
            rows = self.client.get(self._path(firewall_id, "rules"))
        except IwinvApiError as exc:
            if exc.error_code in ("CHECK_PARAM", "ID_INVALID"):
                return None
            raise
        return fw.sort_rules([fw.rule_from_api(row) for row in rows if isinstance(row, dict)])

    def attachments(self, firewall_id):
        """[{id, name}] of the instances carrying the group (GET .../instances), or None when it is gone."""
        try:
            rows = self.client.get(self._path(firewall_id, "instances"))
        except IwinvApiError as exc:
            if exc.not_found or exc.error_code == "CHECK_PARAM":
                return None
            raise
        return fw.instances_from_api(rows)

    def create(self, firewall):
        """Create the group alone (its rules follow, by update); IwinvAmbiguousWriteError when the answer is lost."""
        rows = self.client.post(self.path, json=fw.firewall_to_api(firewall, with_rules=False))
        return dict(fw.firewall_from_api(created_row(rows, self.path, 200)), rules=[], instances=[])

    def update(self, current, desired, judge):
        """The group's own fields when they differ (one PUT), then the fewest rule writes."""
        firewall = dict(current)
        if any(current[key] != desired[key] for key in ("name", "description", "icmp")):
            firewall.update(self._edit_group(current["id"], desired, judge))
        firewall["rules"] = self._write_rules(current["id"], current["rules"], desired["rules"])
        return firewall

    def _edit_group(self, firewall_id, desired, judge):
        fields = ("name", "description", "icmp")
        try:
            rows = self.client.put(self._path(firewall_id), json=fw.firewall_to_api(desired, with_rules=False))
            self.on_write()
            edited = fw.firewall_from_api(rows[0]) if rows else desired
        except IwinvAmbiguousWriteError as error:
            edited = judge(error, lambda: self.detail(firewall_id),
                           lambda read: read is not None and all(read[key] == desired[key] for key in fields),
                           "the edit of firewall %s" % firewall_id)
        return dict((key, edited[key]) for key in fields)

    def _write_rules(self, firewall_id, current_rules, desired_rules):
        """The rule writes of the plan, deletes first (never more open than asked); the rules once done."""
        to_delete, to_edit, to_create = fw.plan_rule_writes(current_rules, desired_rules)
        kept = dict((rule["id"], rule) for rule in current_rules)
        for rule in to_delete:
            path = self._rule_path(firewall_id, rule["id"])
            self._rule_write(firewall_id, lambda path=path: self.client.delete(path),
                             lambda rules, rule=rule: fw.find_rule(rules, rule) is None,
                             "the deletion of rule %s" % rule["id"])
            kept.pop(rule["id"])
        for rule, wanted in to_edit:
            path, body = self._rule_path(firewall_id, rule["id"]), {"title": wanted["name"],
                                                                    "content": wanted["description"] or None}
            self._rule_write(firewall_id, lambda path=path, body=body: self.client.put(path, json=body),
                             lambda rules, wanted=wanted: fw.rule_matches(fw.find_rule(rules, wanted), wanted),
                             "the edit of rule %s" % rule["id"])
            kept[rule["id"]] = dict(wanted, id=rule["id"])
        created = [self._create_rule(firewall_id, wanted) for wanted in to_create]
        return fw.sort_rules(list(kept.values()) + created)

    def _rule_path(self, firewall_id, rule_id):
        return api_path(self.path, firewall_id, "rules", str(rule_id))

    def _create_rule(self, firewall_id, wanted):
        """One rule created (its row, with the id the API gave it); a lost answer or a duplicate refusal re-reads."""
        answer, read_back = self._rule_write(
            firewall_id, lambda: self.client.post(self._path(firewall_id, "rules"), json=fw.rule_to_api(wanted)),
            lambda rules: fw.find_rule(rules, wanted) is not None, "the rule %s" % fw.describe_rule(wanted))
        if read_back is not None:   # the rule list read back shows the rule (same identity): already there
            found = fw.find_rule(read_back, wanted)
            if not fw.rule_matches(found, wanted):   # there, but named otherwise: edited (or made again) as asked
                return self._write_rules(firewall_id, [found], [wanted])[0]
            return dict(wanted, id=found["id"])
        rows = [row for row in answer if isinstance(row, dict)]
        return fw.rule_from_api(rows[0]) if rows else dict(wanted, id=None)

    def _rule_write(self, firewall_id, send, done, what):
        """Send one rule write: (its answer rows, None), or (None, the rule list read back) when that shows it done.

        A lost answer is judged by reading the rule list; not done there, the write is sent once more (every rule
        write is safe to repeat). A CHECK_PARAM refusal (an exact duplicate; a rule already deleted) is checked
        the same way: done means it was already there."""
        for attempt in (1, 2):
            try:
                answer = send()
                self.on_write()
                return answer, None
            except IwinvAmbiguousWriteError as exc:
                self.on_write()
                rules = self.rules(firewall_id)
                request = "%s %s (%s)" % (exc.method, exc.path, exc.message)
                if rules is not None and done(rules):
                    self.lost_answers.append(request + "; reading the rules back showed it done")
                    return None, rules
                if attempt == 2 or rules is None:
                    raise not_shown(exc, firewall_id, what, rules)
                self.lost_answers.append(request + "; reading the rules back did not show it, so it was sent again")
            except IwinvApiError as exc:
                if exc.error_code != "CHECK_PARAM":
                    raise
                rules = self.rules(firewall_id)
                if rules is None or not done(rules):
                    raise
                return None, rules
        return None, None

    @staticmethod
    def predicted_rules(current_rules, desired_rules):
        """Kept and edited rules keep their ids; created ones have none yet."""
        ids = dict((fw.rule_identity(rule), rule.get("id")) for rule in current_rules)
        return [dict(rule, id=ids.get(fw.rule_identity(rule))) for rule in desired_rules]


def created_row(rows, path, status):
    """The one row a create answered, naming the new id; else the answer counts as lost (the caller reads back)."""
    if len(rows) != 1 or not isinstance(rows[0], dict) or not rows[0].get("firewall_id"):
        raise IwinvAmbiguousWriteError("POST %s: the answer does not give the created firewall's id" % path,
                                       status=status, method="POST", path=path)
    return rows[0]


FAMILIES = {"security-groups": SecurityGroups, "firewall": DocsFirewalls}


# --- the reads a fleet shares (issue 28) ---------------------------------------------------------------------------

class KeptFirewalls(KeptList):
    """The firewall KeptList: the firewall list (look-ups), each firewall's attachments (finds and the shared polls
    of waits), and its rules (`/v1/security-groups`) or detail (`/v1/firewall`), as the sources name them."""

    @staticmethod
    def is_valid_read(source, value):
        kind = source.split(" ")
        if len(kind) == 2:
            return all(fw.is_attachment_row(row) for row in value)
        if kind[-1] == "rules":
            return all(fw.is_rule_row(row) for row in value)
        return all(fw.is_firewall_row(row) for row in value) and (len(kind) == 1 or len(value) == 1)


class SharedReads:
    """The reads that complete one firewall found by name, through KeptFirewalls: a read another task made serves
    while no write since makes it stale for this task (complete_shared says which writes); `served` says whether
    one did: the task then reads the firewall again by id before it writes more than attaches (Firewall.refresh).

    `deciding_pairs(firewall_id, attached)`: the pair writes that make kept attachments stale for this task's
    decision (_resource_firewall.deciding_pairs)."""

    def __init__(self, kept, deciding_pairs):
        self.kept, self.deciding_pairs, self.served = kept, deciding_pairs, False

    def read(self, source, stale_after, read):
        value, served = self.kept.read_unless_written(source, stale_after, read)
        self.served = self.served or served
        return value


def not_shown(exc, firewall_id, what, rules):
    """A lost rule write's error once reading the rules back does not show it (`rules`: None once the firewall is
    gone): it may not have happened yet, and running the task again is safe."""
    read = "the firewall is gone" if rules is None else "%d rules" % len(rules)
    exc.message = ("%s; reading the rules of firewall %s back does not show %s (%s): it has not happened, or not "
                   "yet; running the task again is safe: it reads the rules again and writes only what is still "
                   "needed" % (exc.message, firewall_id, what, read))
    exc.args = (exc.message,)
    return exc
