#!/usr/bin/env bash
# The whole test suite of the iwinv.cloud collection (what .ci/run runs).
#
#   bash tests/run.sh                      every stage
#   bash tests/run.sh units emulator       only some stages (setup always runs first; it is fast when done)
#   bash tests/run.sh sanity --test validate-modules
#                                          arguments from the first one starting with "-" go to the
#                                          selected stage's tool (ansible-test or pytest); use one stage
#   SANITY_ARGS=... INTEGRATION_ARGS=... PYTEST_ARGS=... LINT_ARGS=...   the same through the environment
#
# Stages: setup sanity units emulator integration alternative lint changelog demo release docs ee runner bench reliability compat
#   setup        .venv/ with tests/requirements-ci.txt (reinstalled only when that file changes), the pip
#                bootstrap stand-in that ansible-test --venv needs offline, and a fresh copy of the checkout
#                at tests/output/ac/ansible_collections/iwinv/cloud (ansible-test needs that path)
#   sanity       ansible-test sanity --venv --python 3.11 in the copy, with no ignore files
#   units        pytest tests/unit          emulator   pytest tests/emulator
#   integration  starts the emulator, writes tests/integration/integration_config.yml in the copy
#                (iwinv_api_url, iwinv_access_key, iwinv_secret_key: extra vars for every target) and runs
#                ansible-test integration --venv --python 3.11 --requirements
#   alternative  tests/ci/alternative.sh: the integration targets again, against the emulator's alternative profile
#                (the /v1/firewall family included), then (no target selected) the demo unpaced on /v1/firewall
#   lint         ansible-lint with no arguments in the checkout, as a user runs it (.ansible-lint: production
#                profile, test code left out; the collection is installed from the working tree into .ansible/)
#   changelog    antsibull-changelog lint
#   demo         bash playbooks/demo.sh --check-idempotence: the README demo against the emulator, first in
#                check mode (no write request), then each playbook twice (the second run must report changed=0)
#   release      what a release goes through, in tests/output/release: antsibull-changelog release in a scratch
#                copy (tests/ci/check_changelog.py fails on literal markup in the result), ansible-galaxy collection
#                build, and galaxy-importer (PyPI, in a venv of its own) on the artifact, which must report no ERROR
#   docs ee runner   tests/ci/<stage>.sh: the docsite (antsibull-docs, Sphinx, offline), ansible-builder create on
#                the execution environment example, the demo and the inventory through ansible-runner as AWX runs them
#   bench        pytest tests/benchmarks (the benchmark's own arithmetic), then
#                python tests/benchmarks/run.py --smoke: request counts per operation against their budgets
#                (timings are reported, never asserted), report in $IWINV_TEST_OUTPUT/performance-smoke.md;
#                the full run, which rewrites docs/performance.md, is the same command without --smoke
#   reliability  pytest tests/reliability: real ansible-playbook/ansible-inventory runs against a private emulator
#                with faults injected (rate limits, lost answers, kills, failed operations, bad input, secrets);
#                figures in $IWINV_TEST_OUTPUT/reliability/figures.json, rendered next to it as reliability.md.
#                RELIABILITY_MARKERS (default "not slow") selects the tests; empty runs every test (the pacing run
#                at 60 requests/minute adds about 3 minutes); then tests/reliability/report.py rewrites
#                docs/reliability.md. Mostly waiting, it runs in the background beside the stages after it
#                (compat) and its output is printed when it ends (BACKGROUND_STAGES="" runs it in turn)
#   compat       tests/ci/compat.sh: the other supported ansible-core versions (2.16-2.18, 2.20, 2.21), one leg each,
#                on Python 3.10 for 2.16 (which also has a 3.11 leg) and 2.17
#
# Prints a summary table and a last line "N passed, N failed, N skipped" (counting stages); exits non-zero
# when any stage failed.

set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 2

PYTHON_VERSION=3.11
VENV="$ROOT/.venv"
# IWINV_TEST_OUTPUT moves the copy and logs elsewhere, so that several checkouts or developers can run at once.
OUTPUT="${IWINV_TEST_OUTPUT:-$ROOT/tests/output}"
AC_ROOT="$OUTPUT/ac"
COPY="$AC_ROOT/ansible_collections/iwinv/cloud"
STAMP="$VENV/.requirements-ci.sha256"
SKIP=77 # a stage function returns this when it had nothing to do

ALL_STAGES=(setup sanity units emulator integration alternative lint changelog demo release docs ee runner bench reliability compat)

# ---------------------------------------------------------------------------------------------- arguments
STAGES=()
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h | --help)
            sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        -*)
            EXTRA=("$@")
            break
            ;;
        *)
            if [[ " ${ALL_STAGES[*]} " != *" $1 "* ]]; then
                echo "unknown stage '$1' (stages: ${ALL_STAGES[*]})" >&2
                exit 2
            fi
            STAGES+=("$1")
            ;;
    esac
    shift
done
[ ${#STAGES[@]} -eq 0 ] && STAGES=("${ALL_STAGES[@]}")
# Every other stage needs the venv and a fresh copy: setup always runs, first, once.
SELECTED=(setup)
for s in "${STAGES[@]}"; do
    [ "$s" = setup ] || [[ " ${SELECTED[*]} " == *" $s "* ]] || SELECTED+=("$s")
done

read -r -a SANITY_EXTRA <<<"${SANITY_ARGS:-}"
read -r -a INTEGRATION_EXTRA <<<"${INTEGRATION_ARGS:-}"
read -r -a PYTEST_EXTRA <<<"${PYTEST_ARGS:-}"
read -r -a LINT_EXTRA <<<"${LINT_ARGS:-}"

export PATH="$VENV/bin:$PATH"
export PYTHONDONTWRITEBYTECODE=1
export ANSIBLE_NOCOLOR="${ANSIBLE_NOCOLOR:-${CI:+1}}"
[ -n "$ANSIBLE_NOCOLOR" ] || unset ANSIBLE_NOCOLOR
[ -z "${CI:-}" ] || export NO_COLOR=1 # ansible-lint

# ---------------------------------------------------------------------------------------------- helpers
find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3 "python$PYTHON_VERSION"; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$PYTHON_VERSION" ]; then
            echo "$candidate"
            return 0
        fi
    done
    echo "no Python $PYTHON_VERSION found (set PYTHON=/path/to/python$PYTHON_VERSION)" >&2
    return 1
}

# ansible-test --venv bootstraps pip in each virtual environment it makes by running a get-pip.py that it
# downloads from a host this network cannot reach, unless ~/.ansible/test/cache/get_pip_<version>.py exists.
# It runs that file with the new environment's Python and pip's arguments. The stand-in installs pip with
# the standard library's ensurepip, then installs what was asked for from the package index.
# write_get_pip_standin [PYTHON]: for the ansible-test installed with PYTHON (default: the venv's).
write_get_pip_standin() {
    local version cache file
    version="$("${1:-$VENV/bin/python}" - <<'EOF'
import re, ansible_test, os
path = os.path.join(os.path.dirname(ansible_test.__file__), "_internal", "python_requirements.py")
with open(path, encoding="utf-8") as handle:
    match = re.search(r"pip='([0-9.]+)'", handle.read())
print(match.group(1) if match else "24.2")
EOF
)" || return 1
    cache="$HOME/.ansible/test/cache"
    file="$cache/get_pip_${version//./_}.py"
    mkdir -p "$cache" || return 1
    if [ -f "$file" ] && ! grep -q 'iwinv.cloud tests/run.sh stand-in' "$file"; then
        echo "pip bootstrap: keeping the existing $file"
        return 0
    fi
    cat >"$file.tmp" <<'EOF'
"""get-pip.py stand-in (iwinv.cloud tests/run.sh stand-in) for ansible-test --venv without internet.

ansible-test runs this with the new virtual environment's Python and get-pip.py's arguments
(pip options, then requirements such as pip==24.2, then --no-setuptools/--no-wheel).
"""
import subprocess
import sys

GET_PIP_ONLY = {"--no-setuptools", "--no-wheel"}
args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY]
subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], stdout=subprocess.DEVNULL)
subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet"] + args)
EOF
    mv "$file.tmp" "$file" && echo "pip bootstrap: wrote stand-in $file (pip $version)"
}

# Lists the files of the checkout: tracked plus untracked-but-not-ignored (NUL-separated, existing only).
list_checkout_files() {
    if git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git -C "$ROOT" ls-files -z -co --exclude-standard | while IFS= read -r -d '' f; do
            case "$f" in tests/output/* | .venv/*) continue ;; esac
            [ -f "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
        done
    else
        find . \( -path ./.git -o -path ./.venv -o -path ./tests/output -o -name __pycache__ \
            -o -name .pytest_cache -o -name .ansible \) -prune -o \( -type f -o -type l \) -print0 |
            sed -z 's|^\./||'
    fi
}

# Refreshes the copy ansible-test works in, keeping the copy's own tests/output (ansible-test's venvs).
# The copy gets a git repository of its own (no commits; ansible-test lists untracked files that its
# .gitignore does not exclude): without one, ansible-test walks up to the checkout's .git, where
# tests/output is ignored, and finds no files at all ("WARNING: All targets skipped").
refresh_copy() {
    mkdir -p "$COPY" || return 1
    find "$COPY" -mindepth 1 -maxdepth 1 ! -name tests ! -name .git -exec rm -rf {} + || return 1
    if [ ! -d "$COPY/.git" ]; then
        git -C "$COPY" init --quiet || return 1
    fi
    if [ -d "$COPY/tests" ]; then
        find "$COPY/tests" -mindepth 1 -maxdepth 1 ! -name output -exec rm -rf {} + || return 1
    fi
    list_checkout_files | tar --null -T - -cf - | tar -xf - -C "$COPY" || return 1
    echo "collection copy: $COPY ($(find "$COPY" -path "$COPY/tests/output" -prune -o -type f -print | wc -l) files)"
}

# ansible-test's shellcheck sanity test is skipped (with a warning) when the program is missing: install it
# from Debian's packages when this runs as root (CI does), otherwise say how.
ensure_shellcheck() {
    command -v shellcheck >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing shellcheck (Debian package) for the shellcheck sanity test"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null 2>&1; }
    fi
    command -v shellcheck >/dev/null 2>&1 ||
        echo "WARNING: shellcheck is not installed; the shellcheck sanity test will be skipped (apt-get install shellcheck)"
    return 0
}

run_pytest() { # run_pytest DIR: pytest's exit 5 (no tests collected) counts as skipped
    local dir="$1" rc
    if [ ! -d "$dir" ]; then
        echo "$dir does not exist: nothing to test"
        return $SKIP
    fi
    "$VENV/bin/python" -m pytest "$dir" -p no:cacheprovider "${PYTEST_EXTRA[@]}" "${EXTRA[@]}"
    rc=$?
    if [ $rc -eq 5 ]; then
        echo "pytest collected no tests in $dir"
        return $SKIP
    fi
    return $rc
}

# ---------------------------------------------------------------------------------------------- stages
stage_setup() {
    local python want
    python="$(find_python)" || return 1
    if [ ! -x "$VENV/bin/python" ]; then
        echo "creating $VENV with $python"
        "$python" -m venv "$VENV" || return 1
    fi
    want="$(cat tests/requirements-ci.txt requirements.txt | sha256sum | cut -d' ' -f1)"
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
        echo "venv: tests/requirements-ci.txt already installed in $VENV"
    else
        echo "venv: installing tests/requirements-ci.txt and requirements.txt into $VENV"
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
            -r tests/requirements-ci.txt -r requirements.txt || return 1
        echo "$want" >"$STAMP"
    fi
    "$VENV/bin/ansible" --version | head -1
    ensure_shellcheck
    write_get_pip_standin || return 1
    refresh_copy
}

stage_sanity() {
    local ignores
    ignores="$(ls tests/sanity/ignore-*.txt 2>/dev/null)"
    if [ -n "$ignores" ]; then
        echo "sanity ignore files are not allowed in this collection; fix the findings instead: $ignores"
        return 1
    fi
    (cd "$COPY" && ansible-test sanity --venv --python "$PYTHON_VERSION" "${SANITY_EXTRA[@]}" "${EXTRA[@]}")
}

stage_units() { run_pytest tests/unit; }

stage_emulator() { run_pytest tests/emulator; }

# start_emulator LOG [server.py options]: starts the emulator for the integration targets (stopped when the
# stage's subshell exits) and writes tests/integration/integration_config.yml in the copy.
start_emulator() {
    local log="$1" key="ci-access-key" secret="ci-secret-$$-$RANDOM" url="" _
    shift
    if [ ! -f tests/emulator/server.py ]; then
        echo "tests/emulator/server.py is missing: the integration targets need the emulator"
        return 1
    fi
    mkdir -p "$OUTPUT"
    "$VENV/bin/python" -u tests/emulator/server.py --port 0 --access-key "$key" --secret-key "$secret" \
        --op-delay 0.3 --rate-limit 100000 "$@" >"$log" 2>&1 </dev/null &
    EMULATOR_PID=$! # not local: the EXIT trap runs after the stage function has returned
    # Every stage runs in a subshell: this trap ends the emulator however the stage ends.
    trap 'kill "$EMULATOR_PID" 2>/dev/null; wait "$EMULATOR_PID" 2>/dev/null' EXIT
    for _ in $(seq 1 150); do
        url="$(grep -o -m1 'listening on http://[^[:space:]]*' "$log" 2>/dev/null | sed 's/^listening on //')"
        [ -n "$url" ] && break
        if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
            echo "the emulator exited before it was ready:"
            cat "$log"
            return 1
        fi
        sleep 0.2
    done
    if [ -z "$url" ]; then
        echo "the emulator did not print 'listening on URL' within 30 s:"
        cat "$log"
        return 1
    fi
    echo "emulator: $url (pid $EMULATOR_PID, log $log)"
    # ansible-test passes this file to every target as extra vars (-e @integration_config.yml).
    cat >"$COPY/tests/integration/integration_config.yml" <<EOF
---
iwinv_api_url: "$url"
iwinv_access_key: "$key"
iwinv_secret_key: "$secret"
EOF
}

# --venv: ansible-test runs the targets with a virtual environment of its own; --requirements installs
# tests/integration/requirements.txt (requests, which the modules import) into it.
run_integration_targets() {
    (cd "$COPY" && ansible-test integration --venv --python "$PYTHON_VERSION" --requirements "$@")
}

has_integration_targets() {
    if [ -z "$(find "$COPY/tests/integration/targets" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)" ]; then
        echo "no integration targets in tests/integration/targets: nothing to run"
        return 1
    fi
}

stage_integration() {
    has_integration_targets || return $SKIP
    start_emulator "$OUTPUT/emulator-integration.log" || return 1
    run_integration_targets "${INTEGRATION_EXTRA[@]}" "${EXTRA[@]}"
}

stage_alternative() { . tests/ci/alternative.sh; }

# `ansible-lint` in the checkout, as a user runs it: .ansible-lint sets the profile and the scope, and ansible-lint
# installs this collection from the working tree into .ansible/ (no network: no dependencies).
stage_lint() { ansible-lint "${LINT_EXTRA[@]}" "${EXTRA[@]}"; }

stage_changelog() { antsibull-changelog lint; }

stage_demo() {
    if [ ! -f playbooks/demo.sh ]; then
        echo "playbooks/demo.sh does not exist: nothing to run"
        return $SKIP
    fi
    IWINV_TEST_OUTPUT="$OUTPUT" bash playbooks/demo.sh --check-idempotence
}

# galaxy-importer pins older attrs and flake8 than the tools in .venv: it gets a virtual environment of its own.
GALAXY_IMPORTER=galaxy-importer==0.4.44

stage_release() {
    local dir="$OUTPUT/release" venv="$OUTPUT/venv-galaxy-importer" artifact log rc
    rm -rf "$dir" && mkdir -p "$dir/scratch" || return 1
    echo "--- antsibull-changelog release (in a scratch copy: it rewrites changelogs/ and writes CHANGELOG.rst)"
    list_checkout_files | tar --null -T - -cf - | tar -xf - -C "$dir/scratch" || return 1
    (cd "$dir/scratch" && antsibull-changelog release) || return 1
    echo "CHANGELOG.rst: $(wc -l <"$dir/scratch/CHANGELOG.rst") lines"
    "$VENV/bin/python" tests/ci/check_changelog.py "$dir/scratch/CHANGELOG.rst" || return 1
    echo "--- ansible-galaxy collection build"
    ansible-galaxy collection build --force --output-path "$dir" "$ROOT" || return 1
    artifact="$(ls "$dir"/iwinv-cloud-*.tar.gz)" || return 1
    echo "--- $GALAXY_IMPORTER on $(basename "$artifact")"
    if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$GALAXY_IMPORTER" ]; then
        rm -rf "$venv"
        echo "installing $GALAXY_IMPORTER into $venv (log: $dir/pip.log)"
        "$(find_python)" -m venv "$venv" || return 1
        if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$GALAXY_IMPORTER" >"$dir/pip.log" 2>&1; then
            tail -20 "$dir/pip.log"
            return 1
        fi
        echo "$GALAXY_IMPORTER" >"$venv/.installed"
    fi
    # The importer runs ansible-doc, ansible-lint and flake8 from PATH; ansible-test is left to the sanity stage.
    cat >"$dir/galaxy-importer.cfg" <<'EOF'
[galaxy-importer]
RUN_ANSIBLE_TEST = False
RUN_ANSIBLE_DOC = True
RUN_ANSIBLE_LINT = True
OFFLINE_ANSIBLE_LINT = True
RUN_FLAKE8 = True
CHECK_CHANGELOG = True
LOG_LEVEL_MAIN = INFO
EOF
    log="$dir/galaxy-importer.log"
    (cd "$dir" && PATH="$venv/bin:$PATH" GALAXY_IMPORTER_CONFIG="$dir/galaxy-importer.cfg" \
        "$venv/bin/python" -m galaxy_importer.main "$artifact") 2>&1 | tee "$log"
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ] || grep -q '^ERROR' "$log"; then
        echo "galaxy-importer reported an error (exit $rc): see $log"
        return 1
    fi
    echo "galaxy-importer: no errors ($(grep -c '^WARNING' "$log") warnings)"
}

stage_docs() { IWINV_TEST_OUTPUT="$OUTPUT" bash tests/ci/docs.sh; }

stage_ee() { IWINV_TEST_OUTPUT="$OUTPUT" bash tests/ci/ee.sh; }

stage_runner() { IWINV_TEST_OUTPUT="$OUTPUT" bash tests/ci/runner.sh; }

stage_bench() {
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider tests/benchmarks || return 1
    IWINV_TEST_OUTPUT="$OUTPUT" "$VENV/bin/python" tests/benchmarks/run.py --smoke "${EXTRA[@]}"
}

stage_reliability() {
    PYTEST_EXTRA=(-m "${RELIABILITY_MARKERS-not slow}" "${PYTEST_EXTRA[@]}") # a stage runs in a subshell
    IWINV_TEST_OUTPUT="$OUTPUT" run_pytest tests/reliability || return $?
    IWINV_TEST_OUTPUT="$OUTPUT" "$VENV/bin/python" tests/reliability/report.py --output "$OUTPUT/reliability/reliability.md"
}

stage_compat() { source tests/ci/compat.sh && compat_main; }

# ---------------------------------------------------------------------------------------------- main
# Stages that spend most of their time waiting (emulator operation delays, pacing, time-outs the tests provoke) run
# in the background beside the stages after them, their output kept in a log and printed when they end: on two
# cores that saves most of their time. BACKGROUND_STAGES="" runs every stage in turn.
read -r -a BACKGROUND <<<"${BACKGROUND_STAGES-reliability}"
declare -A RESULT SECONDS_TAKEN BACKGROUND_PID BACKGROUND_START
npass=0 nfail=0 nskip=0
setup_failed=0

record_result() { # record_result STAGE EXIT_CODE START_NS [END_NS]
    local stage="$1" rc="$2" end="${4:-$(date +%s%N)}"
    SECONDS_TAKEN[$stage]=$(awk -v a="$3" -v b="$end" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    if [ "$rc" -eq 0 ]; then
        RESULT[$stage]=passed npass=$((npass + 1))
    elif [ "$rc" -eq $SKIP ]; then
        RESULT[$stage]=skipped nskip=$((nskip + 1))
    else
        RESULT[$stage]=failed nfail=$((nfail + 1))
        [ "$stage" = setup ] && setup_failed=1
    fi
    echo "---- $stage: ${RESULT[$stage]} (exit $rc) in ${SECONDS_TAKEN[$stage]} s"
}

in_background() { # in_background STAGE INDEX: a background stage with a selected stage after it
    [[ " ${BACKGROUND[*]} " == *" $1 "* ]] && [ "$2" -lt $((${#SELECTED[@]} - 1)) ]
}

finish_background() {
    local stage rc
    for stage in "${!BACKGROUND_PID[@]}"; do
        wait "${BACKGROUND_PID[$stage]}"
        rc=$?
        printf '\n==================== %s (ran in the background) ====================\n' "$stage"
        cat "$OUTPUT/stage-$stage.log"
        record_result "$stage" "$rc" "${BACKGROUND_START[$stage]}" "$(cat "$OUTPUT/stage-$stage.end" 2>/dev/null)"
    done
}

for index in "${!SELECTED[@]}"; do
    stage="${SELECTED[$index]}"
    printf '\n==================== %s ====================\n' "$stage"
    if [ $setup_failed -eq 1 ]; then
        echo "skipped: setup failed"
        RESULT[$stage]=skipped SECONDS_TAKEN[$stage]=0.0
        nskip=$((nskip + 1))
        continue
    fi
    start=$(date +%s%N)
    if in_background "$stage" "$index"; then
        mkdir -p "$OUTPUT"
        (
            "stage_$stage"
            rc=$?
            date +%s%N >"$OUTPUT/stage-$stage.end" # its own time, not the time until it is waited for
            exit $rc
        ) >"$OUTPUT/stage-$stage.log" 2>&1 </dev/null &
        BACKGROUND_PID[$stage]=$! BACKGROUND_START[$stage]=$start
        echo "running in the background beside the next stages; its output follows when it ends"
        continue
    fi
    ("stage_$stage")
    record_result "$stage" $? "$start"
done
finish_background

printf '\n==================== summary ====================\n'
printf '%-12s %-8s %8s\n' stage result seconds
for stage in "${SELECTED[@]}"; do
    printf '%-12s %-8s %8s\n' "$stage" "${RESULT[$stage]}" "${SECONDS_TAKEN[$stage]}"
done
echo "$npass passed, $nfail failed, $nskip skipped"
[ $nfail -eq 0 ]
