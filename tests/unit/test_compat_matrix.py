"""What the collection declares about ansible-core and Python matches what the compat stage tests.

tests/ci/compat.sh's COMPAT_MATRIX (one leg per ansible-core version and Python, with its fallback Pythons) and
the primary version in tests/requirements-ci.txt are the versions tested; meta/runtime.yml, README.md's
compatibility table (the Python floor and the Pythons tested per core) and the `requirements` of the docs must
say no more and no less. A leg whose Python is
not installed is skipped with a line that says so.
"""

import pathlib
import re
import subprocess

import yaml

from ansible_collections.iwinv.cloud.plugins.doc_fragments.iwinv import ModuleDocFragment

ROOT = pathlib.Path(__file__).resolve().parents[2]
COMPAT = ROOT / "tests" / "ci" / "compat.sh"


def _legs():
    """[("2.16", ["3.11"]), ("2.16", ["3.10"]), ...]: each leg's ansible-core (major.minor) and its Pythons."""
    block = re.search(r"^COMPAT_MATRIX=\((.*?)^\)", COMPAT.read_text(encoding="utf-8"), re.S | re.M).group(1)
    legs = [line.strip().strip('"').split() for line in block.splitlines() if line.strip()]
    return [(core.rsplit(".", 1)[0], pythons) for core, *pythons in legs]


def _tested():
    """{"2.16": {"tested": ["3.11", "3.10"], "floor": "3.10"}, ...}: every core tested, the primary included.

    "tested" is each leg's first-choice Python; "floor" the oldest Python any leg of the core may run with.
    """
    core, python = _primary()
    table = {core: {"tested": [python], "floor": python}}
    for core, pythons in _legs():
        row = table.setdefault(core, {"tested": [], "floor": pythons[0]})
        row["tested"].append(pythons[0])
        row["floor"] = min([row["floor"]] + pythons, key=_version)
    return table


def _primary():
    """The ansible-core (major.minor) that every other stage runs, and its Python (tests/run.sh)."""
    text = (ROOT / "tests" / "requirements-ci.txt").read_text(encoding="utf-8")
    core = re.search(r"^ansible-core==(\d+\.\d+)\.", text, re.M).group(1)
    python = re.search(r"^PYTHON_VERSION=(\S+)$", (ROOT / "tests" / "run.sh").read_text(encoding="utf-8"), re.M).group(1)
    return core, python


def _version(text):
    return tuple(int(part) for part in text.split("."))


def _readme_table():
    """{"2.16": {"tested": ["3.10", "3.11"], "floor": "3.10"}, ...} from README.md's compatibility table."""
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Compatibility", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+\.\d+) \| (\d+\.\d+) or later \| ([\d., ]+) \|", section, re.M)
    return {core: {"tested": tested.replace(" ", "").split(","), "floor": floor} for core, floor, tested in rows}


def _sorted(table):
    return {core: dict(row, tested=sorted(row["tested"], key=_version)) for core, row in table.items()}


def test_requires_ansible_is_the_oldest_core_tested():
    with open(ROOT / "meta" / "runtime.yml", encoding="utf-8") as handle:
        declared = yaml.safe_load(handle)["requires_ansible"]
    oldest = min(_tested(), key=_version)
    assert declared == ">=%s.0" % oldest


def test_readme_table_lists_exactly_the_tested_cores_pythons_and_floors():
    assert _sorted(_readme_table()) == _sorted(_tested())


def test_every_core_that_supports_python_3_10_has_a_leg_on_it():
    assert [core for core, row in _tested().items() if row["floor"] == "3.10"] == ["2.16", "2.17"]
    assert all("3.10" in _tested()[core]["tested"] for core in ("2.16", "2.17"))


def test_python_floor_is_the_oldest_python_tested_wherever_it_is_declared():
    oldest = min((row["floor"] for row in _tested().values()), key=_version)
    assert all(oldest in row["tested"] for row in _tested().values() if row["floor"] == oldest)
    for path in ("plugins/doc_fragments/iwinv.py", "plugins/inventory/iwinv.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert re.findall(r"^  - python >= (\S+)$", text, re.M) == [oldest], path
    fragment = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)
    assert "python >= %s" % oldest in fragment["requirements"]
    for path in ("README.md", "docs/getting-started.md"):
        text = (ROOT / path).read_text(encoding="utf-8")
        assert "Python %s or later" % oldest in text, path
        assert not re.search(r"Python (?!%s)3\.\d+ or later(?! on the controller)" % re.escape(oldest), text), path


def _step_legs():
    """{"demo": ["2.16/3.10", ...], ...}: COMPAT_STEP_LEGS, the legs that run each step but the units."""
    block = re.search(r"^declare -A COMPAT_STEP_LEGS=\((.*?)^\)", COMPAT.read_text(encoding="utf-8"), re.S | re.M).group(1)
    return {step: legs.split() for step, legs in re.findall(r'\[(\w+)\]="([^"]*)"', block)}


def test_every_core_runs_the_demo_and_the_unsafe_test_on_one_leg_and_each_step_on_real_legs():
    legs = ["%s/%s" % (core, pythons[0]) for core, pythons in _legs()]
    steps = _step_legs()
    assert set(steps) == {"integration", "demo", "unsafe", "sanity"}
    for step, names in steps.items():
        assert set(names) <= set(legs), "%s names a leg that COMPAT_MATRIX does not have" % step
    cores = sorted({core for core, _pythons in _legs()}, key=_version)
    for step in ("demo", "unsafe"):
        assert sorted(name.split("/")[0] for name in steps[step]) == cores, step
    # the Python floor of a core runs the demo, the unit tests (every leg) and, on the oldest core, the targets
    assert {"2.16/3.10", "2.17/3.10"} <= set(steps["demo"])
    assert "2.16/3.10" in steps["integration"]


def test_a_leg_without_its_python_is_skipped_with_a_line_saying_so(tmp_path):
    script = 'SKIP=77; OUTPUT="$1"; source tests/ci/compat.sh; run_leg 2.99.0 3.98 3.99; echo "rc=$?"; ' \
             'printf "%s\\n" "${ROWS[@]}"'
    result = subprocess.run(["bash", "-c", script, "bash", str(tmp_path)], cwd=ROOT, capture_output=True,
                            text=True, check=False, timeout=60)
    assert "skipped: no Python 3.98 3.99 found on PATH or in pyenv" in result.stdout
    assert "rc=0" in result.stdout
    assert re.search(r"^2\.99\.0 +- +skipped +no Python 3\.98 3\.99$", result.stdout, re.M)
    assert not (tmp_path / "compat").exists(), "no venv is made for a leg without its Python"
