"""pytest set-up shared by every test under tests/.

1. Import path: `ansible_collections.iwinv.cloud` must resolve to this checkout. We create
   tests/output/pytest/ansible_collections/iwinv/cloud as a symlink to the repository root (tests/output is
   git-ignored) and put tests/output/pytest first on sys.path, so unit tests import the live code.
2. The emulator fixtures (`emulator`, `emulator_session`) from tests/emulator/fixture.py.
"""

import os
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS)
PYTEST_ROOT = os.path.join(TESTS, "output", "pytest")


def _link_collection():
    namespace = os.path.join(PYTEST_ROOT, "ansible_collections", "iwinv")
    link = os.path.join(namespace, "cloud")
    os.makedirs(namespace, exist_ok=True)
    if not os.path.islink(link) and not os.path.exists(link):
        try:
            os.symlink(ROOT, link)
        except FileExistsError:   # another pytest process created it first
            pass


_link_collection()
for _path in (os.path.join(TESTS, "emulator"), PYTEST_ROOT):
    if _path not in sys.path:
        sys.path.insert(0, _path)

from fixture import emulator, emulator_session  # noqa: E402,F401  pylint: disable=wrong-import-position,unused-import
