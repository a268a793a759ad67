"""Unit tests import their shared fakes (tests/unit/fakes.py) by plain name."""

import os
import sys

import pytest

UNIT_TESTS = os.path.dirname(os.path.abspath(__file__))
if UNIT_TESTS not in sys.path:
    sys.path.insert(0, UNIT_TESTS)


@pytest.fixture(autouse=True)
def private_cache_home(tmp_path, monkeypatch):
    """Every test keeps the files the collection writes on the controller (pacer, journal) to itself."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture(autouse=True)
def fresh_page_size_memory():
    """A refused page size is remembered for the process (client.SMALLER_PAGES): each test starts without it."""
    from ansible_collections.iwinv.cloud.plugins.module_utils import _api_client as client  # pylint: disable=import-outside-toplevel
    client.SMALLER_PAGES.clear()
    yield
    client.SMALLER_PAGES.clear()


def pytest_sessionfinish(session, exitstatus):
    """Write the security table's rows of the tests that ran (tests/unit/security_figures.py)."""
    import security_figures  # pylint: disable=import-outside-toplevel
    security_figures.write("unit")
