# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_image_info, iwinv_ssh_key_info and iwinv_user_script_info against the emulator."""

from __future__ import annotations

from ansible_collections.iwinv.cloud.plugins.modules import iwinv_image_info, iwinv_ssh_key_info, iwinv_user_script_info

from module_runner import emulator_args, run_module


def test_images_by_zone_name_and_os_in_two_requests(emulator):
    result = run_module(iwinv_image_info.main, emulator_args(emulator, zone="Busan", os="debian"))
    assert result["changed"] is False
    assert [image["id"] for image in result["images"]] == ["img-debian-12"]
    assert [entry["path"] for entry in emulator.requests()] == ["/v1/zones", "/v1/images"]


def test_image_unknown_id_is_empty_although_the_api_answers_id_invalid(emulator):
    assert run_module(iwinv_image_info.main, emulator_args(emulator, id="img-nope"))["images"] == []
    assert emulator.requests()[0]["error_code"] == "ID_INVALID"


def test_image_name_is_exact(emulator):
    assert run_module(iwinv_image_info.main, emulator_args(emulator, name="Debian"))["images"] == []


def test_ssh_keys_by_exact_name_and_id(emulator):
    by_name = run_module(iwinv_ssh_key_info.main, emulator_args(emulator, name="ci-deploy", _ansible_check_mode=True))
    assert by_name["ssh_keys"] == [{"id": "key-ci", "name": "ci-deploy", "created_at": "2026-02-03 04:05:06"}]
    assert run_module(iwinv_ssh_key_info.main, emulator_args(emulator, name="ci"))["ssh_keys"] == []
    assert run_module(iwinv_ssh_key_info.main, emulator_args(emulator, id="key-nope"))["ssh_keys"] == []


def test_user_scripts_with_content(emulator):
    emulator.config(user_script_list="served")   # the docs' answer (LIVE: 404, below)
    result = run_module(iwinv_user_script_info.main, emulator_args(emulator, id="script-bootstrap"))
    assert [script["name"] for script in result["user_scripts"]] == ["bootstrap"]
    assert result["user_scripts"][0]["content"].startswith("#!/bin/sh")


def test_user_script_info_fails_saying_the_account_does_not_serve_the_list(emulator):
    """LIVE: GET /v1/instance/script answers 404 (the emulator's default)."""
    result = run_module(iwinv_user_script_info.main, emulator_args(emulator, name="bootstrap"))
    assert result["failed"] and result["api_error"]["status"] == 404
    assert result["msg"].startswith("this account's API does not serve the user-script list")
