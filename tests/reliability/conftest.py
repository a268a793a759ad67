"""Fixtures of the reliability suite: one private emulator, a Stack per test, the figures of the run.

The figures (one per scenario) are written to tests/output/reliability/figures.json (IWINV_TEST_OUTPUT moves
tests/output) when the session ends; tests/reliability/report.py renders docs/reliability.md from them.
"""

import json
import os
import sys
import time

import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from fixture import EmulatorProcess  # noqa: E402  pylint: disable=wrong-import-position
from harness import FIGURES_FILE, Stack  # noqa: E402  pylint: disable=wrong-import-position

# As the integration stage runs it: short operations, no rate limit unless a test sets one.
OP_DELAY = 0.3
ACCESS_KEY = "reliability-access"
SECRET_KEY = "reliability-secret-%d" % os.getpid()


@pytest.fixture(scope="session")
def figures():
    collected = []
    started = time.monotonic()
    yield collected
    FIGURES_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {"generated_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
                "suite_seconds": round(time.monotonic() - started, 1), "scenarios": collected}
    FIGURES_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@pytest.fixture(scope="session")
def reliability_emulator():
    process = EmulatorProcess(access_key=ACCESS_KEY, secret_key=SECRET_KEY, op_delay=OP_DELAY, rate_limit=0)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def stack(reliability_emulator, tmp_path):  # pylint: disable=redefined-outer-name
    reliability_emulator.reset(config=True)
    return Stack(reliability_emulator, tmp_path)


# The two firewall API families (DECISIONS.md D1): every firewall scenario runs on both.
FIREWALL_PATHS = {"security-groups": "/v1/security-groups", "firewall": "/v1/firewall"}


@pytest.fixture(params=sorted(FIREWALL_PATHS))
def firewall_family(request, stack):  # pylint: disable=redefined-outer-name
    """The firewall family the emulator serves for this test: its name and its path."""
    stack.emulator.config(firewall_family=request.param)
    return request.param, FIREWALL_PATHS[request.param]
