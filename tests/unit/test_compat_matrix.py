"""What the collection declares about ansible-core and Python matches what the compat stage tests.

tests/ci/compat.sh's COMPAT_MATRIX (one leg per ansible-core version, with its controller Pythons) and the
primary version in tests/requirements-ci.txt are the versions tested; meta/runtime.yml, README.md's
compatibility table and the `requirements` of the docs must say no more and no less. A leg whose Python is
not installed is skipped with a line that says so.
"""

import pathlib
import re
import subprocess

import yaml

from ansible_collections.iwinv.cloud.plugins.doc_fragments.iwinv import ModuleDocFragment

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMPAT = ROOT / "tests" / "ci" / "compat.sh"


def _matrix():
    """{"2.16": "3.11", ...}: each leg's ansible-core (major.minor) and its first-choice Python."""
    block = re.search(r"^COMPAT_MATRIX=\((.*?)^\)", COMPAT.read_text(encoding="utf-8"), re.S | re.M).group(1)
    legs = [line.strip().strip('"').split() for line in block.splitlines() if line.strip()]
    return {core.rsplit(".", 1)[0]: pythons[0] for core, *pythons in legs}


def _primary():
    """The ansible-core (major.minor) that every other stage runs, and its Python (tests/run.sh)."""
    text = (ROOT / "tests" / "requirements-ci.txt").read_text(encoding="utf-8")
    core = re.search(r"^ansible-core==(\d+\.\d+)\.", text, re.M).group(1)
    python = re.search(r"^PYTHON_VERSION=(\S+)$", (ROOT / "tests" / "run.sh").read_text(encoding="utf-8"), re.M).group(1)
    return core, python


def _version(text):
    return tuple(int(part) for part in text.split("."))


def _readme_table():
    """{"2.16": "3.11", ...} from README.md's compatibility table."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Compatibility", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| (\d+\.\d+) \| (\d+\.\d+) \|", section, re.M))


def test_requires_ansible_is_the_oldest_core_tested():
    with open(ROOT / "meta" / "runtime.yml", encoding="utf-8") as handle:
        declared = yaml.safe_load(handle)["requires_ansible"]
    oldest = min(list(_matrix()) + [_primary()[0]], key=_version)
    assert declared == ">=%s.0" % oldest


def test_readme_table_lists_exactly_the_tested_cores_and_pythons():
    core, python = _primary()
    tested = dict(_matrix(), **{core: python})
    assert _readme_table() == tested


def test_module_python_floor_is_the_oldest_python_tested():
    oldest = min(list(_matrix().values()) + [_primary()[1]], key=_version)
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    assert "python >= %s" % oldest in fragment["requirements"]
    assert "Python %s or later" % oldest in (ROOT / "README.md").read_text(encoding="utf-8")


def test_a_leg_without_its_python_is_skipped_with_a_line_saying_so(tmp_path):
    script = 'SKIP=77; OUTPUT="$1"; source tests/ci/compat.sh; run_leg 2.99.0 3.98 3.99; echo "rc=$?"; ' \
             'printf "%s\\n" "${ROWS[@]}"'
    result = subprocess.run(["bash", "-c", script, "bash", str(tmp_path)], cwd=ROOT, capture_output=True,
                            text=True, check=False, timeout=60)
    assert "skipped: no Python 3.98 3.99 found on PATH or in pyenv" in result.stdout
    assert "rc=0" in result.stdout
    assert re.search(r"^2\.99\.0 +- +skipped +no Python 3\.98 3\.99$", result.stdout, re.M)
    assert not (tmp_path / "compat").exists(), "no venv is made for a leg without its Python"
