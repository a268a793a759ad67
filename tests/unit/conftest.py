"""Unit tests import their shared fakes (tests/unit/fakes.py) by plain name."""

import os
import sys

UNIT_TESTS = os.path.dirname(os.path.abspath(__file__))
if UNIT_TESTS not in sys.path:
    sys.path.insert(0, UNIT_TESTS)


def pytest_sessionfinish(session, exitstatus):
    """Write the security table's rows of the tests that ran (tests/unit/security_figures.py)."""
    import security_figures  # pylint: disable=import-outside-toplevel
    security_figures.write("unit")
