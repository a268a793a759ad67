"""Credentials, clock and IP allowlist problems: one request each, and a message that says what to fix."""

import time

from harness import count, record

ZONES = "iwinv.cloud.iwinv_zone_info"


def control(stack, method, path, body):
    return {"name": "%s %s" % (method, path), "ansible.builtin.uri": {
        "url": "%s/_emulator/%s" % (stack.emulator.url, path), "method": method, "body_format": "json", "body": body}}


def test_authentication_failures_say_what_to_fix(stack, figures):
    started = time.monotonic()
    tasks = [
        {"name": "Wrong secret", ZONES: {"secret_key": "not-the-secret"}},
        {"name": "Unknown access key", ZONES: {"access_key": "nobody"}},
        control(stack, "PUT", "config", {"clock_offset": 600}),
        {"name": "Server clock 10 minutes ahead", ZONES: {}},
        control(stack, "PUT", "config", {"clock_offset": -420}),
        {"name": "Server clock 7 minutes behind", ZONES: {}},
        control(stack, "PUT", "config", {"clock_offset": 0}),
        # The emulator does not model the IP allowlist: the API's answer to a refused address is injected.
        control(stack, "POST", "faults", {"path": "^/v1/", "action": "status", "status": 403, "error_code": "CHECK_IP",
                                          "message": "IP not allowed"}),
        {"name": "Controller address not allowed", ZONES: {}},
    ]
    run = stack.playbook(tasks)
    expected = {
        "r0": ["INVALID_SIGNATURE", "check that secret_key belongs to access_key"],
        "r1": ["CHECK_CREDENTIAL", "check access_key"],
        "r3": ["CHECK_SIGNATURE", "controller clock is off by about 600 s", "behind", "synchronise", "NTP"],
        "r5": ["CHECK_SIGNATURE", "controller clock is off by about 420 s", "ahead of", "NTP"],
        "r8": ["CHECK_IP", "IP allowlist", "iwinv console"],
    }
    for key, words in expected.items():
        result = run.results[key]
        assert result.get("failed"), (key, run.output)
        assert all(word in result["msg"] for word in words), (key, result["msg"])
        assert result["api_error"]["error_code"] == words[0]
    log = stack.requests()
    assert len(log) == 5   # no retry of a refusal: one request per task
    assert count(log, status=401) == 4 and count(log, status=403) == 1
    record(figures, "authentication and access refusals",
           "wrong secret, unknown access key, server clock +600 s and -420 s (clock_offset), 403 CHECK_IP "
           "(injected with a status fault: the emulator has no IP allowlist)",
           "5 failures, one request each, messages: " + " | ".join(run.results[key]["msg"] for key in expected),
           stack, started, faults_survived=0)


def test_inventory_with_a_wrong_secret_fails_clearly(stack, figures):
    started = time.monotonic()
    run = stack.inventory({"plugin": "iwinv.cloud.iwinv", "api_url": stack.emulator.url,
                           "access_key": stack.emulator.access_key, "secret_key": "not-the-secret", "rate_limit": 0})
    assert run.code != 0
    assert "check that secret_key belongs to access_key" in run.output, run.output
    assert "not-the-secret" not in run.output
    assert len(stack.requests()) == 1
    record(figures, "inventory with a wrong secret", "secret_key that does not belong to the access key",
           "ansible-inventory fails: check that secret_key belongs to access_key; one request", stack, started,
           faults_survived=0)
