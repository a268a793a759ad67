# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: iwinv
short_description: Instances of the iwinv cloud as an Ansible inventory
version_added: 1.0.0
description:
  - Lists the instances of an iwinv account as inventory hosts, grouped by zone and by status.
  - Reads with one zone listing plus one request per page of 100 instances, whatever the number of zones, and one
    more when the last page holds 10 to 99 instances; never one request per instance.
  - Treats instance names and descriptions as data. Every host variable value from the API is marked unsafe, so
    that no play templates it.
  - "Hostnames are plain names, safe by construction, so that C(ansible-inventory --list) lists them as strings
    on every supported ansible-core (what AWX's inventory import reads). A hostname keeps letters and digits (of
    any script), V(_), V(.) and V(-); every other character becomes V(_): what templates read (V({) V(}) V(%)
    V(#)), what changes a host pattern (V(,) V([) V(]) V(:) V(!) V(&) V(*) V(?) V(~) V(@)), what a shell reads
    (V($), quotes, V(;), V(|), V(<), V(>), V(/), whitespace...) and control characters; so does a leading V(-).
    A name with no letter or digit left is replaced with the instance id. Both come with a warning."
  - A hostname is never C(localhost), C(127.0.0.1), C(::1) or the name of a host that another inventory source
    already added; such an instance gets C(-<instance id>) appended, with a warning.
  - Never asks the API for an instance's default account password or console link, so no host variable and
    no cache entry can hold one.
  - Uses a configuration file whose name ends in C(iwinv.yml) or C(iwinv.yaml).
author:
  - iwinv.cloud contributors (@iwinv-cloud)
requirements:
  - python >= 3.10
  - requests
extends_documentation_fragment:
  - ansible.builtin.constructed
  - ansible.builtin.inventory_cache
notes:
  - O(access_key), O(secret_key) and O(api_url) may be Jinja templates, for example an C(ansible.builtin.env) lookup
    (see the examples), and O(secret_key) an inline C(!vault) value. Extra variables are available to these three,
    whatever O(use_extra_vars) says, but do not pass the secret key as one (C(-e @vault.yml)), because
    C(ansible-inventory --list) prints the extra variables.
  - O(validate_certs), O(api_timeout) and O(rate_limit) take plain values (or their environment variables).
  - The cache holds the zones' ids and names and the C(iwinv_*) host variables of the instances, nothing else; its key
    is made from the configuration file's path, O(api_url) and O(access_key) (never O(secret_key)). Only those keys are
    read back from it, and a cache of another shape is read again from the API.
  - With the default O(rate_limit) of 60 requests a minute, the first 60 requests go out at once and the rest as
    earlier ones leave the rolling minute, so 10,000 instances (102 requests) take a little over a minute; turn the
    cache on to read them once.
  - The controller's clock must be within 5 minutes of the API server's, and the controller's public IP address
    must be in the API key's IP allowlist.
options:
  plugin:
    description: Marks the file as a configuration of this plugin.
    type: str
    required: true
    choices: [iwinv.cloud.iwinv]
  access_key:
    description:
      - The access key of an iwinv API key, issued in the iwinv console.
    type: str
    required: true
    env:
      - name: IWINV_ACCESS_KEY
  secret_key:
    description:
      - The secret key that belongs to O(access_key). It signs every request and is never logged or cached.
    type: str
    required: true
    env:
      - name: IWINV_SECRET_KEY
  api_url:
    description:
      - The URL of the iwinv API. Point it at the emulator to test offline.
      - V(https://) and a host (and port), nothing else; V(http://) only to a loopback host.
    type: str
    default: https://api-kr.iwinv.kr
    env:
      - name: IWINV_API_URL
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate. V(false) works, with a warning.
    type: bool
    default: true
    env:
      - name: IWINV_VALIDATE_CERTS
  api_timeout:
    description:
      - Seconds to wait for one HTTP exchange with the API.
    type: int
    default: 30
    env:
      - name: IWINV_API_TIMEOUT
  rate_limit:
    description:
      - Requests per minute that this controller may send with O(access_key). The iwinv API allows 60.
      - Pacing is shared with the modules and every other process on the controller that uses the same access key.
        V(0) turns pacing off.
    type: int
    default: 60
    env:
      - name: IWINV_RATE_LIMIT
  zones:
    description:
      - Only instances in these zones (ids such as V(KR1-Z08), or zone names).
      - Default is every zone the API lists. An unknown zone fails the inventory and lists the known ones.
      - A group C(iwinv_zone_<zone id>) is made for each of these zones, even when it holds no instance.
    type: list
    elements: str
    default: []
  status:
    description:
      - Only instances whose status is one of these, for example V(active), V(off) or V(error).
      - Default is every status.
    type: list
    elements: str
    default: []
  hostname:
    description:
      - A Jinja template over the host's variables (C(iwinv_name), C(iwinv_id), C(iwinv_zone), ...) that gives
        the inventory hostname, for example C("{{ iwinv_name }}.{{ iwinv_zone | lower }}").
      - Default is the instance name. Either way the name is made safe as the description says (characters
        outside letters, digits, V(_), V(.) and V(-) become V(_)).
      - A hostname already taken by another instance gets C(-<instance id>) appended, with a warning;
        the instance that the API lists first keeps the plain name.
    type: str
  connect_with:
    description:
      - What C(ansible_host) is set to.
      - V(public_ipv4) uses the public address, or the private address when the instance has no public one,
        or leaves C(ansible_host) unset (with a warning naming the host) when it has neither.
      - V(private_ipv4) uses the private address, or leaves C(ansible_host) unset with a warning.
      - V(name) uses the instance name, for controllers that resolve it through DNS.
    type: str
    default: public_ipv4
    choices: [public_ipv4, private_ipv4, name]
  filters:
    description:
      - Jinja conditionals (without C({{ }})) over the host's C(iwinv_*) variables. A host is kept only when all of
        them are true, for example C(iwinv_zone == 'KR1-Z08') or C("'staging' not in iwinv_description").
      - They run before the host gets its name, C(ansible_host) and O(compose) variables, so a host left out
        takes no hostname from another. O(use_extra_vars) makes the extra variables available to them.
      - The values are data, as everywhere in this inventory. A description that holds a template is compared as
        text, never rendered.
      - A conditional that fails (an undefined variable, a filter's error, or on ansible-core 2.19 and later a
        result that is not true or false) fails the inventory when O(strict) is true. Otherwise that host is left
        out, with a warning that names the instance and the conditional, as a failing O(groups) conditional leaves
        a host out of that group.
    type: list
    elements: str
    default: []
    version_added: 1.1.0
"""

EXAMPLES = r"""
# One YAML document (ansible-core 2.16's sanity test takes no more); other files, as comments:
#
# iwinv.yml: every instance, credentials from IWINV_ACCESS_KEY and IWINV_SECRET_KEY, is this one line:
#   plugin: iwinv.cloud.iwinv
#
# The secret key may also be an inline vault value (ansible-vault encrypt_string --name secret_key '...'),
# used with --ask-vault-pass:
#   secret_key: !vault |
#     $ANSIBLE_VAULT;1.1;AES256
#     62313365396662343061393464336163383764373764613633653634306231386433626436623361
#     3233

# team.iwinv.yml: running instances of two zones; credentials from environment variables of your own choosing
plugin: iwinv.cloud.iwinv
access_key: "{{ lookup('ansible.builtin.env', 'TEAM_IWINV_ACCESS_KEY') }}"
secret_key: "{{ lookup('ansible.builtin.env', 'TEAM_IWINV_SECRET_KEY') }}"
zones: [KR1-Z01, KR1-Z08]
status: [active]
# production only, without the instances described as scratch
filters:
  - iwinv_name is match('prod-')
  - "'scratch' not in iwinv_description"
hostname: "{{ iwinv_name }}.{{ iwinv_zone | lower }}"
connect_with: private_ipv4
keyed_groups:
  - key: iwinv_os
    prefix: os
groups:
  gpu: iwinv_flavor.startswith('gpu.')
compose:
  ansible_user: "'Administrator' if iwinv_os == 'windows' else 'root'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/iwinv-inventory
cache_timeout: 300
"""

import contextlib
import functools
import gc
import hashlib
import re

from ansible import constants as C
from ansible.errors import AnsibleError, AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable
from ansible.utils.unsafe_proxy import AnsibleUnsafeText, wrap_var
from ansible.utils.vars import combine_vars

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_catalog as catalog
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    HAS_REQUESTS,
    IwinvApiError,
    clean_api_text,
    id_problem,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError, resolve
from ansible_collections.iwinv.cloud.plugins.module_utils._module import check_common_options, client_from_options

CLIENT_OPTIONS = ("access_key", "secret_key", "api_url", "validate_certs", "api_timeout", "rate_limit")
TEMPLATED_OPTIONS = ("access_key", "secret_key", "api_url")
CONFIG_SUFFIXES = ("iwinv.yml", "iwinv.yaml")
TOP_GROUP = "iwinv"
# A hostname keeps letters and digits (of any script), '_', '.' and '-'; anything else becomes '_': what templates
# read ('{' '}' '%' '#'), what changes a host pattern (',' ':' '&' '!' '*' '?' '[' ']', a leading '~' or '@'), what a
# shell reads ('$' '`' quotes ';' '|' '<' '>' '(' ')' '\\' '/' whitespace), control and invisible characters; and a
# leading '-', which a command would take for an option. So hostnames are plain strings that need no unsafe mark.
NOT_IN_HOSTNAMES = re.compile(r"[^\w.-]|^-")
LETTER_OR_DIGIT = re.compile(r"[^\W_]")
HOST_VAR_STRINGS = ("iwinv_id", "iwinv_name", "iwinv_status", "iwinv_zone", "iwinv_flavor", "iwinv_flavor_name",
                    "iwinv_image", "iwinv_os", "iwinv_public_ipv4", "iwinv_private_ipv4", "iwinv_description")
# The host variables whose values many hosts share; the others (id, name, addresses, volumes) are the host's own.
SHARED_VALUES = frozenset(["iwinv_status", "iwinv_zone", "iwinv_flavor", "iwinv_flavor_name", "iwinv_image", "iwinv_os",
                           "iwinv_description"])
# ansible-core 2.19 and later mark trust instead of unsafe: wrap_var only strips the trust tag, so a str of type
# exactly str (a tagged one is a subclass) is data as it is. Earlier versions mark a value with AnsibleUnsafeText.
PLAIN_STR_IS_UNSAFE = type(wrap_var("")) is str  # pylint: disable=unidiomatic-typecheck
MISSING_ADDRESS = {"public_ipv4": "no public or private IPv4 address", "private_ipv4": "no private IPv4 address",
                   "name": "no name"}


@functools.lru_cache(maxsize=1024)   # a few zones and statuses, named once for thousands of hosts
def group_name(prefix, value):
    """`iwinv_zone_` + `KR1-Z08` -> `iwinv_zone_kr1_z08`: lower case, anything outside [a-z0-9_] becomes `_`."""
    return prefix + re.sub(r"[^a-z0-9_]", "_", str(value).lower())


def host_vars_from_instance(instance):
    """The iwinv_* host variables of an instance (instances.instance_from_api's shape): no secrets, plain strings."""
    return clean_host_vars({
        "iwinv_id": instance["id"] or "",
        "iwinv_name": instance["name"] or "",
        "iwinv_status": instance["status"] or "",
        "iwinv_zone": instance["zone"]["id"] or "",
        "iwinv_flavor": instance["flavor"]["id"] or "",
        "iwinv_flavor_name": instance["flavor"]["name"] or "",
        "iwinv_image": instance["image"]["id"] or "",
        "iwinv_os": instance["image"]["os"] or "",
        "iwinv_public_ipv4": instance["public_ipv4"] or "",
        "iwinv_private_ipv4": instance["private_ipv4"] or "",
        "iwinv_block_storages": list(instance["block_storages"]),
        "iwinv_description": instance["description"] or "",
    })


def clean_host_vars(host_vars):
    """Only the plugin's own keys, as strings (and a list of strings).

    What the API or a tampered cache adds is dropped.
    """
    if not isinstance(host_vars, dict):
        return None
    clean = {name: plain_string(host_vars.get(name)) for name in HOST_VAR_STRINGS}
    volumes = host_vars.get("iwinv_block_storages")
    clean["iwinv_block_storages"] = [plain_string(volume) for volume in volumes] if isinstance(volumes, list) else []
    return clean


def unsafe_host_vars(host_vars):
    """wrap_var of a host's variables (str keys; str values and lists of them), without wrap_var's generic type
    tests on every value: what wrap_var gives for these types, faster. Anything else goes through wrap_var."""
    return {unsafe_value(name): unsafe_value(value) for name, value in host_vars.items()}


def unsafe_value(value):
    value_type = type(value)
    if value_type is str:
        return value if PLAIN_STR_IS_UNSAFE else AnsibleUnsafeText(value)
    if value_type is list:
        return [unsafe_value(item) for item in value]
    return wrap_var(value)


def plain_string(value):
    return value if isinstance(value, str) else "" if value is None or isinstance(value, (dict, list)) else str(value)


def clean_source(source):
    """The cached {"zones", "hosts"} with only the plugin's own keys, or None when its shape is wrong."""
    if not isinstance(source, dict) or not all(isinstance(source.get(key), list) for key in ("zones", "hosts")):
        return None
    zones = [{"id": plain_string(zone.get("id")), "name": plain_string(zone.get("name"))}
             for zone in source["zones"] if isinstance(zone, dict)]
    hosts = [clean_host_vars(host) for host in source["hosts"]]
    if len(zones) != len(source["zones"]) or None in hosts:
        return None
    return {"zones": zones, "hosts": hosts}


def safe_hostname(name):
    """`name` with every character outside NOT_IN_HOSTNAMES's set made '_', as a plain str (never an unsafe
    subclass), or None when no letter or digit is left ('{{ }}', '..'): such a name cannot be made safe."""
    safe = "".join(NOT_IN_HOSTNAMES.sub("_", name))
    return safe if LETTER_OR_DIGIT.search(safe) else None


def evaluate_conditional(templar, conditional):
    """A conditional's truth over the templar's variables: ansible-core 2.19's evaluate_conditional, or the
    `{% if %}` template that Constructable's `groups` renders on 2.16 to 2.18."""
    if hasattr(templar, "evaluate_conditional"):
        return templar.evaluate_conditional(conditional)
    return boolean(templar.template("{%% if %s %%} True {%% else %%} False {%% endif %%}" % conditional))


def ansible_host(host_vars, connect_with):
    """The address to connect to, or None when the instance has none of that kind."""
    if connect_with == "name":
        return host_vars["iwinv_name"] or None
    if connect_with == "private_ipv4":
        return host_vars["iwinv_private_ipv4"] or None
    return host_vars["iwinv_public_ipv4"] or host_vars["iwinv_private_ipv4"] or None


def select(hosts, zone_ids, statuses):
    """The hosts in these zones (all when empty) with these statuses (all when empty)."""
    return [host for host in hosts
            if (not zone_ids or host["iwinv_zone"] in zone_ids) and (not statuses or host["iwinv_status"] in statuses)]


@contextlib.contextmanager
def cyclic_collector_paused():
    """Python's cyclic garbage collector off for the block (as it was before, after it), error or not.

    What a build makes (rows, host variables, hosts) lives as long as the inventory, yet every few hundred
    objects made the collector runs, and its older generations re-scan all that was made before: at 10,000
    instances about a third of the plugin's CPU time went to these collections. The block makes little cyclic
    garbage, none that needs collecting before it ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            # One pass over what the block made, paid here rather than by whoever allocates next.
            gc.collect(1)


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = "iwinv.cloud.iwinv"

    def __init__(self):
        super().__init__()
        self._account_digest = ""

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(CONFIG_SUFFIXES)

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        options = self._client_options()
        # The cache key names the API and the account (never the secret), so another account never reads this cache.
        account = "%s\n%s" % (options["api_url"], options["access_key"])
        self._account_digest = hashlib.sha256(account.encode("utf-8")).hexdigest()[:12]
        with cyclic_collector_paused():
            source = self._read_source(options, path, cache)
            selected_zones = self._selected_zone_ids(source["zones"])
            hosts = select(source["hosts"], selected_zones, self.get_option("status"))
            self._populate(selected_zones or [zone["id"] for zone in source["zones"]], hosts)

    # --- options -----------------------------------------------------------------------------------

    def _client_options(self):
        """The common options, templated where they may be templates, checked before any request."""
        options = {name: self.get_option(name) for name in CLIENT_OPTIONS}
        for name in TEMPLATED_OPTIONS:
            options[name] = self._template_option(name, options[name])
        for name in ("access_key", "secret_key"):
            if not options[name]:
                raise AnsibleParserError("the iwinv inventory needs %s (option or environment variable IWINV_%s)"
                                         % (name, name.upper()))
        try:
            options["api_url"] = check_common_options(options)
        except IwinvError as exc:
            raise AnsibleParserError(str(exc)) from None
        if not HAS_REQUESTS:
            raise AnsibleError("the iwinv inventory needs the Python library 'requests' on the controller")
        return options

    def _template_option(self, name, value):
        """A templated option value as a plain string (extra vars are available; a vault value is decrypted)."""
        if value is None:
            return None
        self.templar.available_variables = self._vars
        try:
            value = self.templar.template(value)
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # Template errors quote the template, never the value it would render.
            raise AnsibleParserError("%s: the template failed: %s" % (name, to_native(exc))) from None
        return to_native(value)

    def _selected_zone_ids(self, zones):
        """The ids of the zones that `zones` names (by id or name), or [] for every zone."""
        try:
            return [resolve(zones, ref, "zone")["id"] for ref in self.get_option("zones")]
        except ResolveError as exc:
            raise AnsibleParserError("zones: %s" % exc) from None

    # --- reading, through the cache ------------------------------------------------------------------

    def get_cache_key(self, path):
        """Per configuration file, API and account."""
        return "%s_%s" % (super().get_cache_key(path), self._account_digest)

    def _read_source(self, options, path, cache):
        """{"zones": [{id, name}], "hosts": [iwinv_* host vars]}: from the cache when allowed, else from the API."""
        use_cache = self.get_option("cache")
        if use_cache and cache:
            cached = clean_source(self._cache.get(self.get_cache_key(path)))
            if cached is not None:
                return cached
        source = self._read_api(options)
        if use_cache:
            self._cache[self.get_cache_key(path)] = source
        return source

    def _read_api(self, options):
        """One zone listing, then one listing of every instance (one request per page), with no secret field."""
        client = client_from_options(options, warn=self.display.warning)
        try:
            zones = [{"id": zone["id"], "name": zone["name"]} for zone in catalog.list_zones(client)]
            self._selected_zone_ids(zones)  # an unknown zone fails before the instances are listed
            listed = instances.list_instances(client, fields=instances.READ_FIELDS)
        except IwinvApiError as exc:
            raise AnsibleParserError("iwinv inventory: %s" % exc.message) from None
        return {"zones": zones, "hosts": [host_vars_from_instance(instance) for instance in listed]}

    # --- building the inventory ------------------------------------------------------------------------

    def _populate(self, zone_ids, hosts):
        """Groups for every selected zone and status (even empty ones), then the hosts in the API's order."""
        self.inventory.add_group(TOP_GROUP)
        for zone_id in zone_ids:
            self.inventory.add_group(group_name("iwinv_zone_", zone_id))
        for status in self.get_option("status"):
            self.inventory.add_group(group_name("iwinv_status_", status))
        taken, held = set(), {}
        for host_vars in hosts:
            problem = id_problem(host_vars["iwinv_id"])
            if problem:
                self.display.warning("iwinv inventory: an instance is left out: its id %s is not an id (%s)"
                                     % (clean_api_text(repr(host_vars["iwinv_id"])), problem))
                continue
            # Everything from the API (or the cache) is data, never a template, whatever the ansible-core version.
            host_vars = unsafe_host_vars(host_vars)
            if self._kept(host_vars):
                self._add_host(host_vars, taken, held)

    def _kept(self, host_vars):
        """Whether every `filters` conditional is true; one that fails fails the build under `strict`, else the
        host is left out (as `groups` leaves a host out of a group whose conditional fails)."""
        filters = self.get_option("filters")
        if not filters:
            return True
        self._make_available(host_vars)
        for conditional in filters:
            try:
                if not evaluate_conditional(self.templar, conditional):
                    return False
            except Exception as exc:  # pylint: disable=broad-exception-caught
                message = "filters: %r failed for instance %s: %s" % (
                    conditional, host_vars["iwinv_id"], clean_api_text(to_native(exc)))
                if self.get_option("strict"):
                    raise AnsibleParserError(message) from None
                self.display.warning("iwinv inventory: %s; the host is left out" % message)
                return False
        return True

    def _add_host(self, host_vars, taken, held):
        connect_with = self.get_option("connect_with")
        address = ansible_host(host_vars, connect_with)
        if address:
            host_vars["ansible_host"] = address
        hostname = self._unique_hostname(self._hostname(host_vars), host_vars["iwinv_id"], taken)
        if not address:
            self.display.warning("iwinv inventory: host %s (instance %s) has %s, so ansible_host is not set"
                                 % (hostname, host_vars["iwinv_id"], MISSING_ADDRESS[connect_with]))
        self.inventory.add_host(hostname, group=TOP_GROUP)
        for group in (group_name("iwinv_zone_", host_vars["iwinv_zone"]),
                      group_name("iwinv_status_", host_vars["iwinv_status"])):
            self.inventory.add_host(hostname, group=self._group(group))
        self._set_variables(hostname, host_vars, held)
        self._construct(hostname)

    def _set_variables(self, hostname, host_vars, held):
        """set_variable for each of the host's variables. A value that hosts share (SHARED_VALUES: a zone, a
        status, an image...) is passed, after the first host, as the inventory holds it: ansible-core 2.19 and
        later copy every fresh value to tag its origin (as much time again as storing it), and keep a value that
        carries the tag as it is. `held`: value -> the inventory's copy, through wrap_var (unsafe on every
        ansible-core)."""
        set_variable = self.inventory.set_variable
        for name, value in host_vars.items():
            shared = name in SHARED_VALUES
            known = held.get(value) if shared else None
            set_variable(hostname, name, value if known is None else known)
            if shared and known is None:
                held[value] = wrap_var(self.inventory.get_host(hostname).vars[name])

    def _group(self, name):
        """add_group's name for this group, without the call when the group exists (thousands of hosts share a few)."""
        return name if name in self.inventory.groups else self.inventory.add_group(name)

    def _hostname(self, host_vars):
        template = self.get_option("hostname")
        if not template:
            return host_vars["iwinv_name"] or host_vars["iwinv_id"]
        self._make_available(host_vars)
        try:
            hostname = to_native(self.templar.template(template)).strip()
        except Exception as exc:  # pylint: disable=broad-exception-caught
            raise AnsibleParserError("hostname: the template failed for instance %s: %s"
                                     % (host_vars["iwinv_id"], to_native(exc))) from None
        if not hostname:
            raise AnsibleParserError("hostname: the template gave an empty name for instance %s"
                                     % host_vars["iwinv_id"])
        return hostname

    def _make_available(self, host_vars):
        """The host's variables for the templar, with the extra variables when use_extra_vars is on."""
        self.templar.available_variables = combine_vars(host_vars, self._vars) if self.get_option("use_extra_vars") \
            else host_vars

    def _unique_hostname(self, hostname, instance_id, taken):
        """A safe hostname (safe_hostname, else the instance id) that no other host has, as a plain str: not an
        implicit localhost name, not another source's host, not taken by an earlier instance (`-<instance id>`
        appended). Any change comes with a warning."""
        instance_id = "".join(instance_id)   # a valid id (_populate): safe as it is, and a plain str
        wanted = safe_hostname(hostname) or instance_id
        unique = wanted
        while unique in taken or unique in C.LOCALHOST or self.inventory.get_host(unique):
            unique = "%s-%s" % (unique, instance_id)
        if unique != hostname:
            self.display.warning("iwinv inventory: instance %s is host %s, not %s: %s" % (
                instance_id, unique, clean_api_text(hostname), self._why_renamed(hostname, wanted, taken)))
        taken.add(unique)
        return unique

    def _why_renamed(self, hostname, wanted, taken):
        replaced = "".join(sorted(set(NOT_IN_HOSTNAMES.findall(hostname))))
        if safe_hostname(hostname) is None:
            return "no letter or digit is left once the characters a hostname cannot hold (%s) are replaced, so " \
                   "the instance id names it" % clean_api_text(ascii(replaced))
        if wanted in taken:
            return "another instance has that name"
        if wanted in C.LOCALHOST:
            return "that name means the controller itself (implicit localhost)"
        if self.inventory.get_host(wanted):
            return "another inventory source has a host of that name"
        return "characters that templates, host patterns or shells read specially (%s) are replaced with '_'" \
            % clean_api_text(ascii(replaced))

    def _construct(self, hostname):
        """compose, groups and keyed_groups over the host's variables (Constructable); nothing to do without them."""
        compose, groups, keyed_groups = (self.get_option(name) for name in ("compose", "groups", "keyed_groups"))
        if not (compose or groups or keyed_groups):
            return
        strict = self.get_option("strict")
        host_vars = self.inventory.get_host(hostname).get_vars()
        self._set_composite_vars(compose, host_vars, hostname, strict=strict)
        self._add_host_to_composed_groups(groups, host_vars, hostname, strict=strict)
        self._add_host_to_keyed_groups(keyed_groups, host_vars, hostname, strict=strict)
