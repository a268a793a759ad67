"""Hostile API data for the inventory's security tests: instances whose names and descriptions are attacks."""

import pathlib
import sys
from urllib.parse import quote_plus

import yaml

# The security table's rows are kept by tests/unit/security_figures.py, shared with the unit tests.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "unit"))
import security_figures  # noqa: E402  pylint: disable=wrong-import-position


def record_attack(suite, attack, result, wrong_place):
    """A case of the security table, written at once to security-<suite>.json (each test file is its own suite)."""
    security_figures.record(attack, result, wrong_place, suite=suite)
    security_figures.write(suite)


def create_instance(stack, name, description=""):
    """An instance made straight through the API (names and descriptions travel URL-encoded); returns its id."""
    form = {"zone_id": "KR1-Z01", "image_id": "img-ubuntu-2204", "flavor_id": "std.1c1g", "name": quote_plus(name)}
    if description:
        form["description"] = quote_plus(description)
    return stack.emulator.ok("POST", "/v1/instances", form=form)["result"][0]["instance_id"]


def inventory_config(stack, **extra):
    config = {"plugin": "iwinv.cloud.iwinv", "api_url": stack.emulator.url, "access_key": stack.emulator.access_key,
              "secret_key": stack.emulator.secret_key, "rate_limit": 0}
    config.update(extra)
    return config


def write_config(stack, config, name="hostile"):
    path = stack.workdir / ("%s.iwinv.yml" % name)
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


INVENTORY_ENV = {"ANSIBLE_INVENTORY_ENABLED": "iwinv.cloud.iwinv,ansible.builtin.ini",
                 "ANSIBLE_INVENTORY_UNPARSED_FAILED": "1"}
