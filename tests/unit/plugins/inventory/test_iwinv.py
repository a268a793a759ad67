# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iwinv inventory plugin, run by Ansible's InventoryManager against the emulator."""

from __future__ import annotations

import gc
import hashlib
import hmac
import json
import os
import time
import types
from urllib.parse import quote_plus

import pytest
import yaml

try:
    from ansible.module_utils import _internal as module_utils_internal
except ImportError:  # ansible-core 2.16 and 2.17
    module_utils_internal = None
if not hasattr(module_utils_internal, "is_controller"):
    # ansible-core before 2.19 has no controller flag to keep: a stand-in that nothing reads
    module_utils_internal = types.SimpleNamespace(is_controller=False)

# Importing Ansible's controller code (below) flags the whole process as a controller, after which AnsibleModule
# sends warnings to the display instead of the module result. Module tests in the same pytest run need the flag
# as it was: it is restored right after these imports and set only while this file's tests run.
CONTROLLER_FLAG = module_utils_internal.is_controller

from ansible.errors import AnsibleParserError  # noqa: E402  pylint: disable=wrong-import-position
from ansible.inventory.data import InventoryData  # noqa: E402  pylint: disable=wrong-import-position
from ansible.inventory.manager import InventoryManager  # noqa: E402  pylint: disable=wrong-import-position
from ansible.parsing.dataloader import DataLoader  # noqa: E402  pylint: disable=wrong-import-position
import ansible.plugins.inventory as inventory_plugins  # noqa: E402  pylint: disable=wrong-import-position
from ansible.plugins.loader import init_plugin_loader, inventory_loader  # noqa: E402  pylint: disable=wrong-import-position
from ansible.utils.display import Display  # noqa: E402  pylint: disable=wrong-import-position
from ansible.utils.unsafe_proxy import AnsibleUnsafeText, wrap_var  # noqa: E402  pylint: disable=wrong-import-position

# The collection is importable from here (tests/conftest.py links the checkout); Ansible's collection loader
# must know it too, to find the plugin, its doc fragments and its module_utils by their collection names.
COLLECTIONS_ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), *[os.pardir] * 3, "output", "pytest")
init_plugin_loader([os.path.normpath(COLLECTIONS_ROOT)])
module_utils_internal.is_controller = CONTROLLER_FLAG

from ansible_collections.iwinv.cloud.plugins.inventory import iwinv as inventory_module  # noqa: E402  pylint: disable=wrong-import-position
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances  # noqa: E402  pylint: disable=wrong-import-position

try:   # ansible-core 2.19 and later: trust tags instead of unsafe types
    from ansible._internal._datatag._tags import TrustedAsTemplate
except ImportError:
    TrustedAsTemplate = None

SECRET_FIELDS = 128 | 16384
HOST_VARS = {"iwinv_id", "iwinv_name", "iwinv_status", "iwinv_zone", "iwinv_flavor", "iwinv_flavor_name", "iwinv_image",
             "iwinv_os", "iwinv_public_ipv4", "iwinv_private_ipv4", "iwinv_block_storages", "iwinv_description"}


@pytest.fixture(autouse=True, scope="module")
def as_the_controller():
    module_utils_internal.is_controller = True
    yield
    module_utils_internal.is_controller = CONTROLLER_FLAG


@pytest.fixture(autouse=True)
def no_iwinv_environment(monkeypatch):
    for name in ("ACCESS_KEY", "SECRET_KEY", "API_URL", "VALIDATE_CERTS", "API_TIMEOUT", "RATE_LIMIT"):
        monkeypatch.delenv("IWINV_" + name, raising=False)


@pytest.fixture
def warnings(monkeypatch):
    seen = []
    monkeypatch.setattr(Display, "warning", lambda self, msg, *args, **kwargs: seen.append(msg))
    return seen


@pytest.fixture
def config(tmp_path, emulator):
    """Writes an inventory configuration for the emulator: config(**options) -> path."""
    def write(name="test.iwinv.yml", **options):
        data = {"plugin": "iwinv.cloud.iwinv", "api_url": emulator.url, "access_key": emulator.access_key,
                "secret_key": emulator.secret_key, "rate_limit": 0}
        data.update(options)
        path = tmp_path / name
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        return str(path)
    return write


def load(path):
    """The inventory that Ansible builds from this source (what ansible-inventory and ansible-playbook see)."""
    return InventoryManager(loader=DataLoader(), sources=[path])


def parse_directly(path):
    """Runs the plugin itself, so that a failure raises instead of becoming InventoryManager's warning."""
    plugin = inventory_loader.get("iwinv.cloud.iwinv")
    plugin.parse(InventoryData(), DataLoader(), path, cache=False)
    return plugin


def group_hosts(inventory, group):
    return sorted(host.name for host in inventory.groups[group].get_hosts())


def api_requests(emulator):
    return [(entry["method"], entry["path"]) for entry in emulator.requests()]


def instance_rows(emulator):
    return list(emulator.state()["instances"].values())


def create_instance(emulator, name, zone="KR1-Z01", **form):
    form.update(zone_id=zone, image_id="img-ubuntu-2204", flavor_id="std.1c1g", name=name)
    return emulator.ok("POST", "/v1/instances", form=form)["result"][0]["instance_id"]


# --- groups, variables, requests ---------------------------------------------------------------------------

def test_groups_and_host_variables_across_zones(emulator, config):
    emulator.bulk_instances(9)
    inventory = load(config())

    assert len(group_hosts(inventory, "iwinv")) == 9
    assert group_hosts(inventory, "iwinv_zone_kr1_z01") == ["bulk-00001", "bulk-00004", "bulk-00007"]
    assert group_hosts(inventory, "iwinv_zone_kr1_z08") == ["bulk-00002", "bulk-00005", "bulk-00008"]
    assert group_hosts(inventory, "iwinv_zone_kr2_z01") == ["bulk-00003", "bulk-00006", "bulk-00009"]
    assert len(group_hosts(inventory, "iwinv_status_active")) == 9

    row = next(row for row in instance_rows(emulator) if row["name"] == "bulk-00001")
    host_vars = inventory.get_host("bulk-00001").get_vars()
    assert {name for name in host_vars if name.startswith("iwinv_")} == HOST_VARS
    assert host_vars["iwinv_id"] == row["instance_id"]
    assert host_vars["iwinv_name"] == "bulk-00001"
    assert host_vars["iwinv_status"] == "active"
    assert host_vars["iwinv_zone"] == "KR1-Z01"
    assert host_vars["iwinv_flavor"] == "std.1c1g"
    assert host_vars["iwinv_flavor_name"] == "1 vCore / 1GB"
    assert host_vars["iwinv_image"] == "img-ubuntu-2204"
    assert host_vars["iwinv_os"] == "ubuntu"
    assert host_vars["iwinv_public_ipv4"] == row["public"]
    assert host_vars["iwinv_private_ipv4"] == row["private"]["address"]
    assert host_vars["iwinv_block_storages"] == []
    assert host_vars["iwinv_description"] == ""
    assert host_vars["ansible_host"] == row["public"]


def test_description_and_volumes_of_an_instance(emulator, config):
    instance_id = create_instance(emulator, "web", description="front+door")   # the API takes it URL-encoded
    emulator.wait_for(lambda: instance_rows(emulator)[0]["status"] == "active")
    volumes = [emulator.ok("POST", "/v1/block-storages", form={"instance_id": instance_id, "type": "ssd", "size": 10})
               ["result"][0]["block_storage_id"] for unused in range(2)]

    host_vars = load(config()).get_host("web").get_vars()

    assert host_vars["iwinv_description"] == "front door"
    assert sorted(host_vars["iwinv_block_storages"]) == sorted(volumes)


def test_one_zone_listing_plus_one_request_per_page_without_secret_fields(emulator, config):
    emulator.bulk_instances(250)
    path = config()
    emulator.clear_requests()

    inventory = load(path)

    assert len(group_hosts(inventory, "iwinv")) == 250
    log = emulator.requests()
    assert [(entry["method"], entry["path"]) for entry in log] == [("GET", "/v1/zones")] + [("GET", "/v1/instances")] * 3
    for entry in log[1:]:
        fields = int(entry["query"]["fields"])
        assert fields == instances.READ_FIELDS and fields & SECRET_FIELDS == 0
        assert entry["query"]["page_size"] == "100"
        assert "zone_id" not in entry["query"]


def test_an_empty_account_still_gets_every_zone_group(emulator, config):
    inventory = load(config())

    assert group_hosts(inventory, "iwinv") == []
    for zone in ("kr1_z01", "kr1_z08", "kr2_z01"):
        assert group_hosts(inventory, "iwinv_zone_" + zone) == []
    assert len(emulator.requests()) == 2


def test_zones_and_status_filter_the_hosts_and_keep_empty_groups(emulator, config):
    emulator.bulk_instances(4, zones=["KR1-Z01", "KR2-Z01"])
    emulator.bulk_instances(2, zones=["KR2-Z01"], status="off", name_prefix="stopped")

    inventory = load(config(zones=["Busan", "KR1-Z08"], status=["off", "error"]))

    assert group_hosts(inventory, "iwinv") == ["stopped-00001", "stopped-00002"]
    assert group_hosts(inventory, "iwinv_zone_kr2_z01") == ["stopped-00001", "stopped-00002"]
    assert group_hosts(inventory, "iwinv_zone_kr1_z08") == []
    assert "iwinv_zone_kr1_z01" not in inventory.groups
    assert group_hosts(inventory, "iwinv_status_off") == ["stopped-00001", "stopped-00002"]
    assert group_hosts(inventory, "iwinv_status_error") == []
    assert "iwinv_status_active" not in inventory.groups


# --- ansible_host and hostnames ----------------------------------------------------------------------------

def test_public_ipv4_falls_back_to_the_private_address(emulator, config, warnings):
    emulator.bulk_instances(10)   # every 5th bulk instance has no public address
    inventory = load(config())

    rows = {row["name"]: row for row in instance_rows(emulator)}
    for name in ("bulk-00005", "bulk-00010"):
        assert rows[name]["public"] is None
        host_vars = inventory.get_host(name).get_vars()
        assert host_vars["iwinv_public_ipv4"] == ""
        assert host_vars["ansible_host"] == rows[name]["private"]["address"]
    assert inventory.get_host("bulk-00004").get_vars()["ansible_host"] == rows["bulk-00004"]["public"]
    assert not warnings


@pytest.mark.parametrize("connect_with, expected", [("private_ipv4", "private"), ("name", "name")])
def test_connect_with(emulator, config, connect_with, expected):
    emulator.bulk_instances(5)
    inventory = load(config(connect_with=connect_with))

    for row in instance_rows(emulator):
        address = row["private"]["address"] if expected == "private" else row["name"]
        assert inventory.get_host(row["name"]).get_vars()["ansible_host"] == address


def test_an_instance_without_any_address_gets_no_ansible_host_and_a_warning(emulator, config, warnings, monkeypatch):
    def listing_without_addresses(client, **kwargs):
        return [dict(instance, public_ipv4="", private_ipv4="") for instance in real_listing(client, **kwargs)]

    real_listing = instances.list_instances
    emulator.bulk_instances(2)
    monkeypatch.setattr(instances, "list_instances", listing_without_addresses)

    inventory = load(config())

    for name in ("bulk-00001", "bulk-00002"):
        assert "ansible_host" not in inventory.get_host(name).get_vars()
    assert len(warnings) == 2
    assert "bulk-00001" in warnings[0] and "no public or private IPv4 address" in warnings[0]


def test_hostname_template(emulator, config):
    emulator.bulk_instances(3)
    inventory = load(config(hostname="{{ iwinv_name }}.{{ iwinv_zone | lower }}"))

    assert group_hosts(inventory, "iwinv") == ["bulk-00001.kr1-z01", "bulk-00002.kr1-z08", "bulk-00003.kr2-z01"]


def test_duplicate_names_get_the_instance_id_appended_with_a_warning(emulator, config, warnings):
    first = create_instance(emulator, "web")
    second = create_instance(emulator, "web", zone="KR1-Z08")
    create_instance(emulator, "db")

    inventory = load(config())

    assert group_hosts(inventory, "iwinv") == sorted(["db", "web", "web-" + second])
    assert inventory.get_host("web").get_vars()["iwinv_id"] == first
    assert inventory.get_host("web-" + second).get_vars()["iwinv_id"] == second
    assert group_hosts(inventory, "iwinv_zone_kr1_z08") == ["web-" + second]
    assert len(warnings) == 1 and "web" in warnings[0] and second in warnings[0]


def test_a_hostname_template_that_fails_names_the_option_and_the_instance(emulator, config):
    instance_id = create_instance(emulator, "web")
    with pytest.raises(AnsibleParserError, match="hostname.*%s.*undefined" % instance_id):
        parse_directly(config(hostname="{{ no_such_variable }}"))


# --- hostnames safe by construction (issue 27 item 2) ---------------------------------------------------------

@pytest.mark.parametrize("name, hostname", [
    ("{{7+35}}x", "__7_35__x"),            # templating
    ("db,web:&!prod", "db_web___prod"),     # host patterns
    ("a$(touch x);`id`|b", "a__touch_x___id__b"),   # shells
    ("-rf", "_rf"),                         # an option to a command
    ("back\\slash/..", "back_slash_.."),
    ("web\u202e1\u200b", "web_1_"),         # invisible characters (the API refuses control characters)
    ("웹서버-1.kr", "웹서버-1.kr"),         # letters of any script stay
])
def test_hostnames_keep_letters_digits_dot_dash_and_underscore_only(emulator, config, warnings, name, hostname):
    instance_id = create_instance(emulator, quote_plus(name))
    inventory = load(config())
    host = inventory.get_host(hostname)
    assert host is not None, group_hosts(inventory, "iwinv")
    assert type(host.name) is str   # pylint: disable=unidiomatic-typecheck  # not an unsafe subclass
    assert host.get_vars()["iwinv_name"] == name
    assert bool(warnings) == (name != hostname)
    assert not warnings or ("instance %s is host %s" % (instance_id, hostname) in warnings[0]
                            and "read specially" in warnings[0])


@pytest.mark.parametrize("name", ["{{ }}", "..", "-", "%%"])
def test_a_name_with_no_letter_or_digit_left_falls_back_to_the_instance_id(emulator, config, warnings, name):
    instance_id = create_instance(emulator, quote_plus(name))
    inventory = load(config())
    assert group_hosts(inventory, "iwinv") == [instance_id]
    assert inventory.get_host(instance_id).get_vars()["iwinv_name"] == name
    assert len(warnings) == 1 and "no letter or digit is left" in warnings[0] and "instance id names it" in warnings[0]


def test_a_hostname_template_is_made_safe_too_and_duplicates_still_get_the_id(emulator, config, warnings):
    first = create_instance(emulator, "web")
    second = create_instance(emulator, "web")
    inventory = load(config(hostname="{{ iwinv_name }} {{ '{{' }}x"))
    assert group_hosts(inventory, "iwinv") == sorted(["web___x", "web___x-" + second])
    assert inventory.get_host("web___x").get_vars()["iwinv_id"] == first
    assert all(type(host.name) is str for host in inventory.get_hosts())   # pylint: disable=unidiomatic-typecheck


def test_an_instance_whose_id_is_not_an_id_is_left_out_with_a_warning(emulator, config, warnings, monkeypatch):
    create_instance(emulator, "web")
    listed = instances.list_instances
    monkeypatch.setattr(instances, "list_instances", lambda *args, **kwargs: [
        dict(instance, id="x/../y\n") for instance in listed(*args, **kwargs)])
    inventory = load(config())
    assert group_hosts(inventory, "iwinv") == []
    assert len(warnings) == 1 and "its id 'x/../y\\n' is not an id" in warnings[0]


# --- filters (issue 27 item 5) --------------------------------------------------------------------------------

def test_filters_keep_the_hosts_for_which_every_conditional_is_true(emulator, config):
    emulator.bulk_instances(6)   # zones KR1-Z01, KR1-Z08, KR2-Z01 in turn
    create_instance(emulator, "prod-web", zone="KR1-Z08", description="staging+copy")
    inventory = load(config(filters=["iwinv_zone == 'KR1-Z08'", "'staging' not in iwinv_description"]))
    assert group_hosts(inventory, "iwinv") == ["bulk-00002", "bulk-00005"]
    assert group_hosts(inventory, "iwinv_zone_kr1_z01") == []   # the zone groups stay


def test_a_host_left_out_takes_no_hostname(emulator, config, warnings):
    create_instance(emulator, "web", description="old")
    second = create_instance(emulator, "web")
    inventory = load(config(filters=["iwinv_description != 'old'"]))
    assert group_hosts(inventory, "iwinv") == ["web"]
    assert inventory.get_host("web").get_vars()["iwinv_id"] == second and not warnings


def test_filters_compare_api_values_as_text_and_never_render_them(emulator, config, tmp_path):
    marker = tmp_path / "pwned"
    payload = "{{ lookup('pipe', 'touch %s') }}" % marker
    create_instance(emulator, "evil", description=quote_plus(payload))
    create_instance(emulator, "calm", description=quote_plus("{{ 6 * 7 }}"))
    inventory = load(config(filters=["iwinv_description is search('lookup')", "iwinv_description != '42'"]))
    assert group_hosts(inventory, "iwinv") == ["evil"]
    assert inventory.get_host("evil").get_vars()["iwinv_description"] == payload
    assert not marker.exists()
    # A conditional over a value that is itself a template sees its text, not 42.
    assert group_hosts(load(config(filters=["'6 * 7' in iwinv_description", "iwinv_description | length == 11"])),
                       "iwinv") == ["calm"]


def test_a_failing_filter_leaves_the_host_out_with_a_warning(emulator, config, warnings):
    instance_id = create_instance(emulator, "web")
    inventory = load(config(filters=["iwinv_nothing == 'x'"]))
    assert group_hosts(inventory, "iwinv") == []
    assert len(warnings) == 1
    assert warnings[0].startswith("iwinv inventory: filters: \"iwinv_nothing == 'x'\" failed for instance %s"
                                  % instance_id)
    assert "iwinv_nothing" in warnings[0] and warnings[0].endswith("the host is left out")


def test_a_failing_filter_fails_the_build_under_strict(emulator, config):
    instance_id = create_instance(emulator, "web")
    with pytest.raises(AnsibleParserError, match="filters: .*iwinv_nothing.* failed for instance %s" % instance_id):
        parse_directly(config(strict=True, filters=["iwinv_nothing == 'x'"]))


def test_filters_see_extra_variables_with_use_extra_vars(emulator, config, monkeypatch):
    emulator.bulk_instances(3)
    monkeypatch.setattr(inventory_plugins, "load_extra_vars", lambda loader: {"wanted_zone": "KR2-Z01"})   # -e
    inventory = load(config(use_extra_vars=True, filters=["iwinv_zone == wanted_zone"]))
    assert group_hosts(inventory, "iwinv") == ["bulk-00003"]


# --- Constructable ---------------------------------------------------------------------------------------

def test_compose_groups_and_keyed_groups(emulator, config):
    emulator.bulk_instances(5, zones=["KR1-Z01"])
    create_instance(emulator, "win")   # Ubuntu too; compose tells them apart by name
    inventory = load(config(
        strict=True,
        compose={"ansible_user": "'admin' if iwinv_name == 'win' else 'root'", "flavor_upper": "iwinv_flavor | upper"},
        groups={"private_only": "iwinv_public_ipv4 == ''"},
        keyed_groups=[{"key": "iwinv_os", "prefix": "os"}, {"key": "iwinv_flavor", "prefix": "flavor"}],
    ))

    assert inventory.get_host("win").get_vars()["ansible_user"] == "admin"
    assert inventory.get_host("bulk-00001").get_vars()["ansible_user"] == "root"
    assert inventory.get_host("bulk-00001").get_vars()["flavor_upper"] == "STD.1C1G"
    assert group_hosts(inventory, "private_only") == ["bulk-00005"]
    assert len(group_hosts(inventory, "os_ubuntu")) == 6
    assert len(group_hosts(inventory, "flavor_std_1c1g")) == 6


@pytest.mark.parametrize("options, check", [
    ({"compose": {"flavor_upper": "iwinv_flavor | upper"}},
     lambda inventory: inventory.get_host("bulk-00001").get_vars()["flavor_upper"] == "STD.1C1G"),
    ({"groups": {"everyone": "true"}}, lambda inventory: group_hosts(inventory, "everyone") == ["bulk-00001"]),
    ({"keyed_groups": [{"key": "iwinv_os", "prefix": "os"}]},
     lambda inventory: group_hosts(inventory, "os_ubuntu") == ["bulk-00001"]),
])
def test_compose_groups_and_keyed_groups_each_work_alone(emulator, config, options, check):
    emulator.bulk_instances(1)
    assert check(load(config(strict=True, **options)))


def test_strict_compose_errors_fail_the_inventory(emulator, config):
    create_instance(emulator, "web")
    with pytest.raises(Exception, match="undefined_thing"):
        parse_directly(config(strict=True, compose={"x": "undefined_thing.attribute"}))


# --- templated options ---------------------------------------------------------------------------------------

def test_credentials_may_come_from_an_environment_lookup(emulator, config, monkeypatch):
    emulator.bulk_instances(1)
    monkeypatch.setenv("MY_IWINV_SECRET", emulator.secret_key)
    inventory = load(config(secret_key="{{ lookup('env', 'MY_IWINV_SECRET') }}"))
    assert group_hosts(inventory, "iwinv") == ["bulk-00001"]


def test_credentials_fall_back_to_the_environment(emulator, tmp_path, monkeypatch):
    emulator.bulk_instances(1)
    for name, value in (("ACCESS_KEY", emulator.access_key), ("SECRET_KEY", emulator.secret_key), ("API_URL", emulator.url),
                        ("RATE_LIMIT", "0")):
        monkeypatch.setenv("IWINV_" + name, value)
    path = tmp_path / "env.iwinv.yaml"
    path.write_text("plugin: iwinv.cloud.iwinv\n", encoding="utf-8")

    assert group_hosts(load(str(path)), "iwinv") == ["bulk-00001"]


def test_only_files_named_iwinv_yml_or_yaml_are_taken(tmp_path):
    plugin = inventory_loader.get("iwinv.cloud.iwinv")
    for name, taken in (("prod.iwinv.yml", True), ("iwinv.yaml", True), ("hosts.yml", False), ("iwinv.yml.bak", False)):
        path = tmp_path / name
        path.write_text("plugin: iwinv.cloud.iwinv\n", encoding="utf-8")
        assert plugin.verify_file(str(path)) is taken, name


# --- caching ----------------------------------------------------------------------------------------------

def cache_options(tmp_path):
    return {"cache": True, "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(tmp_path / "cache")}


def test_a_second_run_with_the_cache_makes_no_request(emulator, config, tmp_path):
    emulator.bulk_instances(150)
    path = config(**cache_options(tmp_path))
    emulator.clear_requests()

    first = load(path)
    assert len(emulator.requests()) == 3
    emulator.clear_requests()
    second = load(path)

    assert emulator.requests() == []
    assert len(group_hosts(second, "iwinv")) == 150
    assert group_hosts(second, "iwinv_zone_kr2_z01") == group_hosts(first, "iwinv_zone_kr2_z01")
    assert second.get_host("bulk-00005").get_vars() == first.get_host("bulk-00005").get_vars()


def test_the_cache_applies_the_current_filters_and_flushing_reads_again(emulator, config, tmp_path):
    emulator.bulk_instances(6)
    load(config(**cache_options(tmp_path)))
    emulator.clear_requests()

    narrowed = load(config(zones=["KR1-Z08"], **cache_options(tmp_path)))
    assert emulator.requests() == []
    assert group_hosts(narrowed, "iwinv") == ["bulk-00002", "bulk-00005"]

    plugin = inventory_loader.get("iwinv.cloud.iwinv")
    plugin.parse(InventoryData(), DataLoader(), config(**cache_options(tmp_path)), cache=False)   # --flush-cache
    assert len(emulator.requests()) == 2


def test_another_account_does_not_read_this_accounts_cache(emulator, config, tmp_path):
    emulator.bulk_instances(2)
    load(config(**cache_options(tmp_path)))
    emulator.clear_requests()

    with pytest.raises(AnsibleParserError, match="credential"):
        plugin = inventory_loader.get("iwinv.cloud.iwinv")
        plugin.parse(InventoryData(), DataLoader(), config(access_key="someone-else", **cache_options(tmp_path)), cache=True)
    assert len(emulator.requests()) == 1


# --- no secret anywhere -------------------------------------------------------------------------------------

def signatures(secret_key, paths, start, end):
    return {hmac.new(secret_key.encode(), ("%d%s" % (timestamp, path)).encode(), hashlib.sha256).hexdigest()
            for timestamp in range(int(start) - 1, int(end) + 2) for path in paths}


def test_no_password_console_link_signature_or_secret_in_host_vars_or_cache(emulator, config, tmp_path):
    emulator.bulk_instances(12)
    create_instance(emulator, "web")
    path = config(**cache_options(tmp_path))
    start = time.time()
    inventory = load(path)
    end = time.time()

    rows = instance_rows(emulator)
    forbidden = {emulator.secret_key} | signatures(emulator.secret_key, ["/v1/zones", "/v1/instances"], start, end)
    for row in rows:
        forbidden |= {row["default_account"]["password"], row["vnc_token"]}
    assert len(forbidden) > 2 * len(rows)

    # Every variable but the inventory file's path (this test's own name is in it).
    host_vars = json.dumps({host.name: {name: value for name, value in host.get_vars().items() if not name.startswith("inventory_")}
                            for host in inventory.get_hosts()})
    cache_files = list((tmp_path / "cache").iterdir())
    assert cache_files
    texts = [host_vars] + [cache_file.name for cache_file in cache_files]
    texts += [cache_file.read_text(encoding="utf-8") for cache_file in cache_files]
    for text in texts:
        assert not [value for value in forbidden if value in text]
        assert "console.example.invalid" not in text and "password" not in text and "default_account" not in text

    stored = json.loads(cache_files[0].read_text(encoding="utf-8"))
    cached = json.loads(stored["__payload__"]) if "__payload__" in stored else stored   # ansible-core 2.19 wraps it
    assert set(cached) == {"zones", "hosts"}
    assert all(set(host) == HOST_VARS for host in cached["hosts"])


# --- errors: before any request, and from the API ---------------------------------------------------------------

@pytest.mark.parametrize("options, message", [
    ({"api_timeout": 0}, "api_timeout must be a positive number"),
    ({"api_url": "api-kr.iwinv.kr"}, "must be an https:// URL"),
    ({"api_url": "http://api-kr.iwinv.kr"}, "plain http:// would send every request unencrypted"),
    ({"api_url": "https://user:pw@api-kr.iwinv.kr"}, "must not hold credentials"),
    ({"rate_limit": -1}, "rate_limit must be 0"),
    ({"secret_key": ""}, "needs secret_key"),
    ({"connect_with": "ipv6"}, "connect_with"),
])
def test_bad_options_fail_before_any_request(emulator, config, options, message):
    with pytest.raises(Exception, match=message):
        parse_directly(config(**options))
    assert emulator.requests() == []


def test_an_unknown_zone_fails_and_lists_the_zones(emulator, config):
    with pytest.raises(AnsibleParserError, match=r"zones: no zone has the id or name 'KR9'.*KR1-Z08 \(Seoul Mokdong\)"):
        parse_directly(config(zones=["KR9"]))
    assert api_requests(emulator) == [("GET", "/v1/zones")]


@pytest.mark.parametrize("setup, message", [
    (lambda emulator: None, "signature"),
    (lambda emulator: emulator.config(clock_offset=1000), "clock is off by about 1000 s"),
    (lambda emulator: emulator.fault(path="^/v1/zones$", action="status", status=401, error_code="CHECK_IP", count=1),
     "IP allowlist"),
    (lambda emulator: emulator.fault(path="^/v1/instances$", action="status", status=429, error_code="LIMIT_EXCEEDED",
                                     count=20, headers={"Retry-After": "0"}),
     "rate limit stayed exhausted"),
])
def test_api_errors_fail_the_inventory_with_an_actionable_message_and_no_secret(emulator, config, setup, message):
    setup(emulator)
    secret = emulator.secret_key if message != "signature" else "wrong-secret-0123456789"
    with pytest.raises(AnsibleParserError) as failure:
        parse_directly(config(secret_key=secret))

    text = str(failure.value)
    assert message in text
    assert text.startswith("iwinv inventory: GET /v1/")
    assert secret not in text


# --- building fast, safely --------------------------------------------------------------------------------

def trust_tagged(value):
    """`value` marked as a trusted template (ansible-core 2.19 and later), or as it is on older cores."""
    return TrustedAsTemplate().tag(value) if TrustedAsTemplate else value


def is_data(value):
    """Whether no play would render this string as a template: unsafe before 2.19, untrusted from 2.19."""
    return not TrustedAsTemplate.is_tagged_on(value) if TrustedAsTemplate else isinstance(value, AnsibleUnsafeText)


def test_host_variables_are_marked_as_wrap_var_marks_them_values_and_list_items_alike():
    host_vars = {"iwinv_name": "{{ 6 * 7 }}", "iwinv_id": trust_tagged("{{ lookup('pipe', 'id') }}"),
                 "iwinv_block_storages": ["{{ 1 }}", trust_tagged("{{ 2 }}")], "iwinv_description": ""}
    marked = inventory_module.unsafe_host_vars(host_vars)
    expected = wrap_var(dict(host_vars))

    assert marked == expected
    expected_names = {name: type(name) for name in expected}
    for name, value in marked.items():
        assert type(name) is expected_names[name]   # pylint: disable=unidiomatic-typecheck
        values = value if isinstance(value, list) else [value]
        expected_values = expected[name] if isinstance(value, list) else [expected[name]]
        for item, expected_item in zip(values, expected_values):
            assert type(item) is type(expected_item) and is_data(item)   # pylint: disable=unidiomatic-typecheck


def test_every_variable_value_of_a_built_host_is_data(emulator, config):
    create_instance(emulator, "web", description=quote_plus("{{ 6 * 7 }}"))
    host_vars = load(config()).get_host("web").vars
    values = [host_vars[name] for name in HOST_VARS - {"iwinv_block_storages"}] + [host_vars["ansible_host"]]
    assert host_vars["iwinv_description"] == "{{ 6 * 7 }}"
    assert all(is_data(value) for value in values)


def recording_collector_state(function, seen):
    """`function`, noting whether the cyclic collector is on each time it is called."""
    def recorded(*args, **kwargs):
        seen.append(gc.isenabled())
        return function(*args, **kwargs)
    return recorded


def test_the_cyclic_collector_is_paused_while_the_inventory_is_built(emulator, config, monkeypatch):
    emulator.bulk_instances(2)
    during = []
    monkeypatch.setattr(instances, "list_instances", recording_collector_state(instances.list_instances, during))
    monkeypatch.setattr(InventoryData, "add_host", recording_collector_state(InventoryData.add_host, during))
    assert gc.isenabled()
    assert len(group_hosts(load(config()), "iwinv")) == 2
    assert during and not any(during)   # reading and adding hosts, all paused
    assert gc.isenabled()


def test_the_collector_comes_back_after_a_failure_and_stays_off_when_it_was_off():
    with pytest.raises(ValueError):
        with inventory_module.cyclic_collector_paused():
            assert not gc.isenabled()
            raise ValueError("the build failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with inventory_module.cyclic_collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_hosts_share_the_inventorys_copy_of_a_shared_value_and_it_stays_data(emulator, config):
    create_instance(emulator, "web-1", description=quote_plus("{{ 6 * 7 }}"))
    create_instance(emulator, "web-2", description=quote_plus("{{ 6 * 7 }}"))
    inventory = load(config())
    first, second = (inventory.get_host(name).vars for name in ("web-1", "web-2"))
    for name in inventory_module.SHARED_VALUES:   # zone, status, image...: one object, set once, for both hosts
        assert first[name] is second[name] and is_data(second[name]), name
    assert second["iwinv_description"] == "{{ 6 * 7 }}"
    # what each host has of its own is its own
    assert first["iwinv_id"] != second["iwinv_id"] and is_data(second["iwinv_id"])
    assert first["iwinv_block_storages"] is not second["iwinv_block_storages"]
