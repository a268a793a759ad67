"""No secret in the output: -vvv runs, errors, returned values, diffs, the inventory and its cache.

The test greps for the actual values: the secret key, every signature the collection could have sent during
the run (HMAC for every second of the run window and every path of the request log), and the default_account
passwords, console tokens and links of the emulator's state dump.
"""

import pathlib
import time

from harness import instances_of, record, signatures

INSTANCE = {"name": "sec-1", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04"}


def secrets_of(stack, since, until):
    state = stack.emulator.state()
    values = {"secret_key": {stack.emulator.secret_key}, "password": set(), "console": set()}
    for instance in instances_of(state):
        values["password"].add(instance["default_account"]["password"])
        values["console"].add(instance["vnc_token"])
    values["signature"] = signatures(stack.emulator.secret_key, set(r["path"] for r in stack.requests()), since, until)
    return values


def files_under(*directories):
    for directory in directories:
        for path in pathlib.Path(directory).rglob("*"):
            if path.is_file():
                yield path


def test_no_secret_in_output_errors_results_or_caches(stack, figures):
    started, since = time.monotonic(), time.time()
    stack.emulator.fault(method="POST", path="^/v1/instances$", action="status", status=400, error_code="CHECK_PARAM",
                         count=1)
    tasks = [
        {"name": "An API error (400 on create)", "iwinv.cloud.iwinv_instance": dict(INSTANCE, name="sec-0")},
        {"name": "A refused signature", "iwinv.cloud.iwinv_zone_info": {"secret_key": "wrong-" + stack.emulator.secret_key}},
        {"name": "Create, returning nothing secret", "iwinv.cloud.iwinv_instance": INSTANCE},
        {"name": "Create, returning the account under no_log", "no_log": True,
         "iwinv.cloud.iwinv_instance": dict(INSTANCE, name="sec-2", return_default_account=True)},
        {"name": "A volume", "iwinv.cloud.iwinv_block_storage": {"name": "sec-data", "instance": "sec-1", "type": "ssd",
                                                                 "size": 20}},
        {"name": "Read the instances", "iwinv.cloud.iwinv_instance_info": {}},
        {"name": "Check the API contract", "iwinv.cloud.iwinv_api_check": {}},
        {"name": "Console link under no_log", "no_log": True, "iwinv.cloud.iwinv_instance_console_info": {"name": "sec-1"}},
        {"name": "Stop it (diff)", "iwinv.cloud.iwinv_instance": {"name": "sec-1", "state": "stopped"}},
        {"name": "Delete an unknown id", "iwinv.cloud.iwinv_instance": {"id": "i-unknown", "state": "stopped"}},
    ]
    # Paced (a high limit, so as not to slow the test): the pacer file in the cache directory is scanned too.
    run = stack.playbook(tasks, "-vvv", "--diff", dump=False, defaults=stack.credentials(rate_limit=6000))
    assert run.recap("ok") == 10 and run.recap("ignored") == 3, run.output

    cache_dir = stack.workdir / "inventory-cache"
    config = {"plugin": "iwinv.cloud.iwinv", "api_url": stack.emulator.url, "access_key": stack.emulator.access_key,
              "secret_key": stack.emulator.secret_key, "rate_limit": 0, "cache": True,
              "cache_plugin": "ansible.builtin.jsonfile", "cache_connection": str(cache_dir)}
    inventory_runs = [stack.inventory(config, "-vvv"), stack.inventory(config, "-vvv")]
    assert all(inventory.code == 0 for inventory in inventory_runs), inventory_runs[0].output
    assert "sec-1" in inventory_runs[1].output and any(files_under(cache_dir))

    values = secrets_of(stack, since, time.time())
    assert len(values["password"]) == 2 and len(values["console"]) == 2
    # The scanned text does hold what the modules returned (ids), so a secret among them would be found.
    assert all(instance["instance_id"] in run.output for instance in instances_of(stack.emulator.state()))
    texts = {"output of %d runs" % len(stack.transcript): "\n".join(stack.transcript)}
    for path in files_under(cache_dir, stack.cache_home):   # the inventory cache, the pacer file
        texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    found = [(kind, where) for kind, secrets in values.items() for secret in secrets
             for where, text in texts.items() if secret in text]
    assert not found, found
    record(figures, "secrets in output and caches",
           "-vvv --diff playbook (API error, refused signature, creates, volume, info, console under no_log, "
           "power change, unknown id) and ansible-inventory -vvv with the jsonfile cache, twice",
           "0 secrets found in %d bytes of output and %d files, grepping %d values (%d signatures)"
           % (sum(len(text) for text in stack.transcript), len(texts) - 1, sum(len(v) for v in values.values()),
              len(values["signature"])),
           stack, started, faults_survived=0, secrets_found=len(found), values_checked=sum(len(v) for v in values.values()))
