"""Ad-hoc use, as the README shows it: `ansible localhost -m iwinv.cloud.<module> -a '...'` with the
credentials in IWINV_* environment variables, run as a real `ansible` process against the emulator.

The collection is found through tests/output/pytest/ansible_collections/iwinv/cloud, the link to this checkout
that tests/conftest.py makes.
"""

import json
import os
import pathlib
import re
import subprocess
import sys

TESTS = pathlib.Path(__file__).resolve().parents[1]
COLLECTIONS = TESTS / "output" / "pytest"
ANSIBLE = pathlib.Path(sys.executable).parent / "ansible"


def adhoc(emulator, module, args="", secret_key=None):
    """Runs one ad-hoc command; returns (exit code, the module's result, everything it printed)."""
    env = dict(
        os.environ,
        IWINV_API_URL=emulator.url,
        IWINV_ACCESS_KEY=emulator.access_key,
        IWINV_SECRET_KEY=secret_key or emulator.secret_key,
        IWINV_RATE_LIMIT="0",
        ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
    )
    # prints "localhost | SUCCESS => {...}" (or "| CHANGED =>", "| FAILED! =>"), the result as JSON
    command = [str(ANSIBLE), "localhost", "-m", "iwinv.cloud." + module]
    if args:
        command += ["-a", args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=False)
    output = done.stdout + done.stderr
    start = re.search(r"^localhost \| [A-Z!]+ => ", done.stdout, re.M)
    assert start, output
    result = json.loads(done.stdout[start.end() - 1:])
    return done.returncode, result, output


def api_requests(emulator):
    return [(r["method"], r["path"]) for r in emulator.requests()]


def test_list_zones_with_credentials_from_the_environment(emulator):
    code, result, output = adhoc(emulator, "iwinv_zone_info")
    assert code == 0, output
    assert [zone["id"] for zone in result["zones"]] == ["KR1-Z01", "KR1-Z08", "KR2-Z01", "KR3-Z01"]
    assert result["changed"] is False
    assert api_requests(emulator) == [("GET", "/v1/zones")]
    assert emulator.secret_key not in output


def test_list_the_flavors_of_a_zone(emulator):
    code, result, output = adhoc(emulator, "iwinv_flavor_info", "zone=KR2-Z01")
    assert code == 0, output
    ids = {flavor["id"] for flavor in result["flavors"]}
    assert "std.1c1g" in ids
    assert "std.8c16g" not in ids  # offered in KR1-Z01 and KR1-Z08 only


def test_stop_an_instance_then_stopping_again_changes_nothing(emulator):
    emulator.bulk_instances(1, zones=["KR1-Z08"])  # bulk-00001, active
    code, result, output = adhoc(emulator, "iwinv_instance", "name=bulk-00001 state=stopped")
    assert code == 0, output
    assert result["changed"] is True
    assert result["instance"]["status"] == "off"
    emulator.clear_requests()
    code, result, output = adhoc(emulator, "iwinv_instance", "name=bulk-00001 state=stopped")
    assert code == 0, output
    assert result["changed"] is False
    assert all(method == "GET" for method, _path in api_requests(emulator))


def test_a_wrong_secret_key_fails_with_a_clear_message_and_never_shows_the_key(emulator):
    wrong = "not-the-secret-0123456789"
    code, result, output = adhoc(emulator, "iwinv_zone_info", secret_key=wrong)
    assert code != 0
    assert "signature" in result["msg"]
    assert result["api_error"]["error_code"] == "INVALID_SIGNATURE"
    assert wrong not in output
