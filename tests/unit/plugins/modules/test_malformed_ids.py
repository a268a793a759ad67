# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Issue 27 item 6: a malformed id or reference fails before any request, with a message that shows it."""

from __future__ import annotations

import importlib

import pytest

from module_runner import emulator_args, run_module

# Every module that takes an `id` (the options besides it make the run otherwise valid).
ID_MODULES = ["iwinv_instance", "iwinv_block_storage", "iwinv_firewall", "iwinv_instance_info",
              "iwinv_block_storage_info", "iwinv_firewall_info", "iwinv_flavor_info", "iwinv_image_info",
              "iwinv_instance_console_info", "iwinv_ssh_key_info", "iwinv_user_script_info", "iwinv_zone_info",
              "iwinv_bill_info"]
# (module, options): one reference (id or name) with a control character each.
REFERENCES = [
    ("iwinv_block_storage", {"name": "data", "instance": "web-1\n", "size": 10}, "instance 'web-1\\n'"),
    ("iwinv_firewall", {"name": "web-tier", "instances": ["web-1", "web-2\r"]}, "instances 'web-2\\r'"),
    ("iwinv_instance", {"name": "web-1", "zone": "KR1-Z08\n", "flavor": "std.1c1g", "image": "Ubuntu 22.04"},
     "zone 'KR1-Z08\\n'"),
    ("iwinv_instance", {"name": "web-1", "ssh_keys": ["laptop\t"]}, "ssh_keys 'laptop\\t'"),
    ("iwinv_instance_info", {"zone": "KR1-Z08\n"}, "zone 'KR1-Z08\\n'"),
    ("iwinv_flavor_info", {"image": "Ubuntu 22.04\n"}, "image 'Ubuntu 22.04\\n'"),
]


def module_main(name):
    return importlib.import_module("ansible_collections.iwinv.cloud.plugins.modules." + name).main


@pytest.mark.parametrize("module", ID_MODULES)
@pytest.mark.parametrize("bad_id, what", [
    ("abc\n", "it holds '\\n' at the end"),
    ("", "it is empty"),
    ("../zones", "it holds '.' at position 1"),
    ("inst 1", "it holds ' ' at position 5"),
    ("i" * 129, "it is 129 characters long; an id has at most 128"),
])
def test_a_malformed_id_fails_before_any_request_and_shows_the_id(emulator, module, bad_id, what):
    result = run_module(module_main(module), emulator_args(emulator, id=bad_id))
    assert result["failed"] is True and "api_error" not in result
    assert result["msg"].startswith("id %r is not an id: %s" % (bad_id, what)), result["msg"]
    assert emulator.requests() == []


@pytest.mark.parametrize("module, options, shown", REFERENCES)
def test_a_reference_with_a_control_character_fails_before_any_request(emulator, module, options, shown):
    result = run_module(module_main(module), emulator_args(emulator, **options))
    assert result["failed"] is True and "api_error" not in result
    assert result["msg"].startswith(shown + " is neither an id nor a name: it holds the control character"), \
        result["msg"]
    assert emulator.requests() == []


def test_a_well_formed_id_and_a_name_with_spaces_still_reach_the_api(emulator):
    assert run_module(module_main("iwinv_instance_info"), emulator_args(emulator, id="inst-nope"))["instances"] == []
    result = run_module(module_main("iwinv_flavor_info"), emulator_args(emulator, image="Ubuntu 22.04"))
    assert "failed" not in result, result
    assert emulator.requests()
