"""Invalid options fail with a message naming the problem, before any API request (the emulator log stays empty).

Table-driven: (module, options, words the message must contain). The modules run in one playbook (each task
registered, errors ignored); the inventory cases run one ansible-inventory each.
"""

import concurrent.futures
import time

from harness import record

LONG_NAME = "n" * 65
LONG_TEXT = "d" * 256
RULE = {"direction": "in", "protocol": "tcp", "port": 22, "cidr": "192.0.2.0/24"}
INSTANCE = {"name": "web-1", "zone": "KR1-Z08", "flavor": "std.1c1g", "image": "Ubuntu 22.04"}
VOLUME = {"name": "data", "instance": "web-1", "type": "ssd", "size": 20}

MODULE_CASES = [
    ("iwinv_instance", {}, ["one of the following is required", "id", "name"]),
    ("iwinv_instance", dict(INSTANCE, name=""), ["name must be 1 to 64 characters"]),
    ("iwinv_instance", dict(INSTANCE, name=LONG_NAME), ["name must be 1 to 64 characters", "65"]),
    ("iwinv_instance", dict(INSTANCE, description=LONG_TEXT), ["description must be at most 255", "256"]),
    ("iwinv_instance", dict(INSTANCE, state="running"), ["state", "must be one of", "started"]),
    ("iwinv_instance", dict(INSTANCE, zone=" "), ["zone must not be empty"]),
    ("iwinv_instance", dict(INSTANCE, wait_timeout=0), ["wait_timeout must be a positive"]),
    ("iwinv_instance", dict(INSTANCE, api_timeout=-1), ["api_timeout must be a positive"]),
    ("iwinv_instance", dict(INSTANCE, rate_limit=-5), ["rate_limit must be 0", "-5"]),
    ("iwinv_instance", dict(INSTANCE, allow_rebuild="perhaps"), ["allow_rebuild", "bool"]),
    ("iwinv_instance", dict(INSTANCE, flavour="std.1c1g"), ["Unsupported parameters", "flavour"]),
    ("iwinv_instance", dict(INSTANCE, wait_timeout="ten"), ["wait_timeout", "int"]),
    ("iwinv_block_storage", {}, ["one of the following is required", "id", "name"]),
    ("iwinv_block_storage", dict(VOLUME, size=0), ["size must be a positive number of GB", "0"]),
    ("iwinv_block_storage", dict(VOLUME, size="big"), ["size", "int"]),
    ("iwinv_block_storage", dict(VOLUME, type="nvme"), ["type", "must be one of", "ssd, sata"]),
    ("iwinv_block_storage", dict(VOLUME, state="attached"), ["state", "must be one of"]),
    ("iwinv_block_storage", dict(VOLUME, name=LONG_NAME), ["name must be 1 to 64 characters"]),
    ("iwinv_block_storage", dict(VOLUME, description=LONG_TEXT), ["description must be at most 255"]),
    ("iwinv_firewall", {}, ["one of the following is required", "id", "name"]),
    ("iwinv_firewall", {"name": "web", "rules": [RULE]}, ["name must be 4 to 32 characters"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [dict(RULE, port=70000)]}, ["rules[0]", "port", "1-65535"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [dict(RULE, port="2000-1000")]}, ["rules[0]", "reversed"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [dict(RULE, cidr="2001:db8::/32")]}, ["IPv6", "IPv4 only"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [dict(RULE, cidr="10.0.0.300")]}, ["IPv4 address or CIDR"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [dict(RULE, protocol="icmp")]}, ["icmp is not a rule protocol"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [dict(RULE, direction="sideways")]}, ["rules[0]", "must be one of"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [RULE, dict(RULE)]}, ["rules[0] and rules[1] are the same rule"]),
    ("iwinv_firewall", {"name": "web-tier", "rules": [{"direction": "in", "protocol": "tcp", "port": 22}]},
     ["missing required arguments", "cidr"]),
    ("iwinv_firewall", {"name": "web-tier", "state": "gone"}, ["state", "must be one of"]),
    ("iwinv_bill_info", {"start_date": "2026-13-01"}, ["start_date must be a date written YYYY-MM-DD"]),
    ("iwinv_bill_info", {"start_date": "2026-05-01", "end_date": "2026-04-01"}, ["must not be after end_date"]),
    ("iwinv_bill_info", {"id": "BILL-202601-0001", "start_date": "2026-01-01"}, ["mutually exclusive", "id", "start_date"]),
    ("iwinv_flavor_info", {"min_vcpu": -1}, ["min_vcpu must be zero or more"]),
    ("iwinv_flavor_info", {"min_vcpu": 8, "max_vcpu": 2}, ["min_vcpu (8) must not be greater than max_vcpu (2)"]),
    ("iwinv_block_storage_info", {"type": "hdd"}, ["type", "must be one of"]),
    ("iwinv_instance_console_info", {}, ["one of the following is required", "id", "name"]),
    ("iwinv_zone_info", {"api_timeout": 0}, ["api_timeout must be a positive"]),
    ("iwinv_instance_info", {"zone": "KR1-Z08", "bogus": 1}, ["Unsupported parameters", "bogus"]),
    ("iwinv_instance_info", {"id": "abc\n"}, ["id 'abc\\n' is not an id", "at the end"]),   # issue 27 item 6
    ("iwinv_block_storage", dict(VOLUME, instance="web-1\n"), ["instance 'web-1\\n' is neither an id nor a name"]),
]

INVENTORY_CASES = [
    ({"access_key": None}, ["Required config 'access_key'", "not provided"]),
    ({"secret_key": None}, ["Required config 'secret_key'", "not provided"]),
    ({"api_url": "ftp://api.example"}, ["api_url ftp://api.example is not allowed", "https://"]),
    ({"api_timeout": 0}, ["api_timeout must be a positive"]),
    ({"rate_limit": -1}, ["rate_limit must be 0"]),
    ({"connect_with": "dns"}, ["connect_with", "dns"]),
]


def test_module_bad_input_matrix(stack, figures):
    started = time.monotonic()
    assert len(MODULE_CASES) + len(INVENTORY_CASES) >= 30
    tasks = [{"name": "case %d: %s" % (number, module), "iwinv.cloud." + module: args}
             for number, (module, args, _words) in enumerate(MODULE_CASES)]
    run = stack.playbook(tasks)
    problems = []
    for number, (module, args, words) in enumerate(MODULE_CASES):
        result = run.results["r%d" % number]
        message = result.get("msg", "")
        if not result.get("failed") or not all(word in message for word in words):
            problems.append((module, args, words, result))
    assert not problems, problems
    assert stack.requests() == []
    record(figures, "bad input: %d module cases" % len(MODULE_CASES),
           "invalid option combinations across 9 modules (table in tests/reliability/test_bad_input.py)",
           "%d failed with the expected words, 0 API requests" % len(MODULE_CASES), stack, started,
           faults_survived=0, cases=len(MODULE_CASES))


def test_inventory_bad_input_matrix(stack, figures):
    started = time.monotonic()
    good = {"plugin": "iwinv.cloud.iwinv", "api_url": stack.emulator.url, "access_key": stack.emulator.access_key,
            "secret_key": stack.emulator.secret_key, "rate_limit": 0}

    def attempt(number):
        changes = INVENTORY_CASES[number][0]
        config = dict((key, value) for key, value in dict(good, **changes).items() if value is not None)
        return stack.inventory(config, name="case%d" % number)

    with concurrent.futures.ThreadPoolExecutor(3) as pool:   # independent processes: run three at a time
        runs = list(pool.map(attempt, range(len(INVENTORY_CASES))))
    for (changes, words), run in zip(INVENTORY_CASES, runs):
        assert run.code != 0, (changes, run.output)
        assert all(word in run.output for word in words), (changes, run.output)
    assert stack.requests() == []
    record(figures, "bad input: %d inventory cases" % len(INVENTORY_CASES),
           "missing access_key / secret_key, ftp:// api_url, api_timeout 0, rate_limit -1, unknown connect_with",
           "ansible-inventory failed on each with the expected words, 0 API requests", stack, started,
           faults_survived=0, cases=len(INVENTORY_CASES))
