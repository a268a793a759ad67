# shellcheck shell=bash
# The body of `bash tests/run.sh compat`: the collection on every other ansible-core version it supports.
# tests/run.sh sources this file in the stage's subshell and calls compat_main, so the helpers of run.sh
# (write_get_pip_standin, start_emulator, stage_sanity, ...) and its variables are at hand.
#
# Every other stage runs the primary version, ansible-core 2.19 (tests/requirements-ci.txt). This stage runs
# one leg per other version (two for 2.16: Python 3.10, the floor, and 3.11, which runs sanity), one after the
# other (the machine has 2 cores), each in a virtual environment of its own, tests/output/compat/venv-<core>-py<python>,
# reinstalled only when its requirements change. A leg runs:
#   units        pytest tests/unit (modules, inventory, role and ad-hoc runs through that core's binaries),
#                with the files that do not use ansible-core only on the first leg of each Python other than the
#                primary run's
#   integration  ansible-test integration --local: the targets in COMPAT_TARGETS below
#   demo         playbooks/demo.sh --check-idempotence --unpaced with the leg's venv and the collection built
#                once for the whole stage: check mode sends no write, second runs report changed=0
#   unsafe       pytest tests/reliability/test_inventory_unsafe.py (API data in the inventory is unsafe)
#   sanity       ansible-test sanity --venv
# on the legs that COMPAT_STEP_LEGS below gives each step (units: every leg).
# A leg whose Python is not installed, or whose core cannot be installed, is skipped with a line that says so.
#
#   COMPAT_LEGS="2.16/3.10 2.21" bash tests/run.sh compat     some legs only (a core: every leg of it)
#   COMPAT_STEPS="integration demo" bash tests/run.sh compat   some steps only
#
# Every step fails when its output holds a DEPRECATION WARNING or "does not support Ansible version".
#
# Logs: tests/output/compat/<core>-py<python>/<step>.log. Prints a table with one row per leg and its time.

# One leg per line: the ansible-core version, then the controller Pythons to try for it (the first one found is
# used). A leg is named CORE/PYTHON after its major.minor core and its first Python (2.16/3.10); COMPAT_LEGS
# takes leg names or cores (2.16: both legs of 2.16). The first leg of a core is its main leg.
COMPAT_MATRIX=(
    "2.16.19 3.11"
    "2.16.19 3.10"
    "2.17.14 3.10"
    "2.18.19 3.11"
    "2.20.10 3.12 3.13"
    "2.21.5 3.13 3.12"
)
# The legs that run each step but the units (which run on every leg). Every core runs the demo and the unsafe
# test on one leg: the unsafe test (the core's templating) on its main leg, the first in COMPAT_MATRIX; the demo
# on its oldest Python, since Python 3.11 runs the demo on 2.18 and the primary 2.19 (the other stages).
# The integration targets run on the oldest core (on its oldest Python: 3.11 runs them on the primary 2.19) and on
# both cores above the primary. 2.17 and 2.18 lie between 2.16 and 2.19, which both run every target; there the
# demo (every resource module, the role, the inventory), the unit tests and the unsafe test run, which keeps the
# stage within the CI budget. ansible-test sanity runs on the oldest and the newest core.
declare -A COMPAT_STEP_LEGS=(
    [integration]="2.16/3.10 2.20/3.12 2.21/3.13"
    [demo]="2.16/3.10 2.17/3.10 2.18/3.11 2.20/3.12 2.21/3.13"
    [unsafe]="2.16/3.11 2.17/3.10 2.18/3.11 2.20/3.12 2.21/3.13"
    [sanity]="2.16/3.11 2.21/3.13"
)
# Integration targets: with the demo, they run every module and the inventory plugin. Left out, to keep the
# stage within its time: iwinv_instance (the module runs in the demo through the role, from create to delete,
# with check mode and idempotence), iwinv_block_storage and iwinv_firewall (their modules run in the _info
# targets and the demo). What they add are option matrices in plain Python, which the primary run covers and
# which does not depend on the core.
COMPAT_TARGETS=(
    inventory_iwinv iwinv_bill_info iwinv_block_storage_info iwinv_firewall_info iwinv_flavor_info
    iwinv_image_info iwinv_instance_console_info iwinv_instance_info iwinv_ssh_key_info
    iwinv_user_script_info iwinv_zone_info
)
ALL_COMPAT_STEPS=(units integration demo unsafe sanity)
read -r -a COMPAT_STEPS <<<"${COMPAT_STEPS:-${ALL_COMPAT_STEPS[*]}}"
# Lines of a step's output that fail it: the collection must not make any tested core complain.
COMPLAINT='DEPRECATION WARNING|does not support Ansible version'
UNSAFE_TEST=tests/reliability/test_inventory_unsafe.py

# find_interpreter X.Y: the path of a working Python X.Y from PATH or pyenv, or nothing.
find_interpreter() {
    local version="$1" candidate
    for candidate in "$(command -v "python$version" 2>/dev/null)" \
        "$(pyenv root 2>/dev/null)"/versions/"$version".*/bin/"python$version" \
        "$HOME"/.pyenv/versions/"$version".*/bin/"python$version" /usr/bin/"python$version"; do
        [ -x "$candidate" ] || continue
        # not a virtual environment's (PATH starts with .venv/bin): a leg's venv is made from a real interpreter
        if [ "$("$candidate" -c 'import sys; print("%d.%d" % sys.version_info[:2] if sys.prefix == sys.base_prefix else "venv")' \
            2>/dev/null)" = "$version" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

# leg_requirements CORE: what a leg's venv holds: that core, the test tools pinned for CI, requirements.txt.
leg_requirements() {
    echo "ansible-core==$1"
    grep -E '^(pytest|pyyaml)==' tests/requirements-ci.txt
    grep -v '^#' requirements.txt
}

# ensure_leg_venv CORE PYTHON DIR: DIR holds CORE, recreated only when its requirements or Python changed.
ensure_leg_venv() {
    local core="$1" python="$2" dir="$3" want
    want="$( (leg_requirements "$core" && "$python" --version) | sha256sum | cut -d' ' -f1)"
    if [ "$(cat "$dir/.compat.sha256" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    rm -rf "$dir"
    "$python" -m venv "$dir" || return 1
    leg_requirements "$core" >"$dir/requirements.txt"
    # pip's cache (~/.cache/pip) is shared with the setup stage and between runs.
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check -r "$dir/requirements.txt" || return 1
    echo "$want" >"$dir/.compat.sha256"
}

# Unit test files that use nothing of ansible-core (plain Python against the emulator): they give one result per
# Python whatever the core, so they run on the first leg of each Python (CORE_FREE_PYTHONS: the Pythons that
# ran them, the primary run's first) and the later legs on that Python leave them out.
core_free_unit_tests() {
    grep -L -E '^(from|import) ansible\.|module_runner' tests/unit/plugins/module_utils/test_*.py
}

# A DeprecationWarning raised from the collection's code fails the test. The role's full run is left out:
# the demo runs the role on every core (its check mode and argument validation tests stay).
step_units() {
    local left_out=(--deselect tests/unit/test_role_server.py::test_provision_then_a_second_run_changes_nothing_then_remove)
    local file
    if [[ " $PYTHON_VERSION ${CORE_FREE_PYTHONS:-} " == *" $LEG_PYTHON_VERSION "* ]]; then
        while read -r file; do left_out+=(--ignore "$file"); done < <(core_free_unit_tests)
    fi
    "$LEG_VENV/bin/python" -m pytest tests/unit -q -p no:cacheprovider "${left_out[@]}" \
        -o 'filterwarnings=error::DeprecationWarning:ansible_collections\.iwinv'
}

step_integration() {
    start_emulator "$OUTPUT/emulator-integration.log" || return 1
    (cd "$COPY" && ansible-test integration --local --color no --continue-on-error "${COMPAT_TARGETS[@]}")
}

step_demo() {
    IWINV_TEST_OUTPUT="$LEG_OUT" bash playbooks/demo.sh --check-idempotence --unpaced \
        --venv="$LEG_VENV" --artifact="$COMPAT_ARTIFACT"
}

step_unsafe() {
    IWINV_TEST_OUTPUT="$LEG_OUT" "$LEG_VENV/bin/python" -m pytest "$UNSAFE_TEST" -q -p no:cacheprovider
}

step_sanity() {
    write_get_pip_standin "$LEG_VENV/bin/python" || return 1
    # ansible-test --venv looks for pythonX.Y on PATH; stage_sanity reads these (in run_step's subshell).
    # shellcheck disable=SC2034
    PATH="$(dirname "$LEG_PYTHON"):$PATH" PYTHON_VERSION="$LEG_PYTHON_VERSION" SANITY_EXTRA=() EXTRA=()
    stage_sanity
}

# not_for_this_leg STEP: skips (returns SKIP, with a line) a step that COMPAT_STEP_LEGS does not give this leg.
not_for_this_leg() {
    local legs="${COMPAT_STEP_LEGS[$1]-}"
    [ -z "${COMPAT_STEP_LEGS[$1]+set}" ] || [[ " $legs " == *" $LEG_NAME "* ]] && return 0
    echo "$1: not on $LEG_NAME (COMPAT_STEP_LEGS[$1]: $legs)"
    return "$SKIP"
}

# run_step STEP: runs step_STEP in a subshell with its output in $LEG_OUT/STEP.log; sets STEP_RESULT.
run_step() {
    local step="$1" log="$LEG_OUT/$1.log" start rc complaints
    start=$SECONDS
    (PATH="$LEG_VENV/bin:$PATH" && not_for_this_leg "$step" && "step_$step") >"$log" 2>&1 </dev/null
    rc=$?
    complaints="$(grep -E "$COMPLAINT" "$log" | sort | uniq -c)"
    if [ $rc = 0 ] && [ -n "$complaints" ]; then
        printf 'ansible-core complained about the collection:\n%s\n' "$complaints" >>"$log"
        rc=1
    fi
    case $rc in
        0) STEP_RESULT=pass ;;
        "$SKIP") STEP_RESULT=skip ;;
        *) STEP_RESULT=FAIL ;;
    esac
    printf '  %-12s %-5s %4d s  %s\n' "$step" "$STEP_RESULT" $((SECONDS - start)) "$log"
    if [ "$STEP_RESULT" = FAIL ]; then
        echo "  ---- last 40 lines of $log"
        tail -n 40 "$log" | sed 's/^/  | /'
    elif [ "$STEP_RESULT" = skip ]; then
        tail -n 1 "$log" | sed 's/^/  | /'
    fi
}

# run_leg CORE PYTHON...: one row of the summary in ROWS; returns non-zero when a step failed.
run_leg() {
    local core="$1" start=$SECONDS version step failed=0 cells=()
    shift
    LEG_LINE="${core%.*}"
    LEG_NAME="$LEG_LINE/$1"
    printf '\n---------- ansible-core %s (leg %s)\n' "$core" "$LEG_NAME"
    LEG_PYTHON=""
    for version in "$@"; do
        LEG_PYTHON="$(find_interpreter "$version")" && LEG_PYTHON_VERSION="$version" && break
    done
    if [ -z "$LEG_PYTHON" ]; then
        echo "  skipped: no Python $* found on PATH or in pyenv"
        ROWS+=("$(printf '%-9s %-7s %-8s %s' "$core" "-" skipped "no Python $*")")
        return 0
    fi
    LEG_VENV="$OUTPUT/compat/venv-$core-py$LEG_PYTHON_VERSION"
    LEG_OUT="$OUTPUT/compat/$core-py$LEG_PYTHON_VERSION"
    rm -rf "$LEG_OUT" && mkdir -p "$LEG_OUT" || return 1
    echo "  Python $LEG_PYTHON_VERSION ($LEG_PYTHON), venv $LEG_VENV"
    if ! ensure_leg_venv "$core" "$LEG_PYTHON" "$LEG_VENV" >"$LEG_OUT/venv.log" 2>&1; then
        tail -n 20 "$LEG_OUT/venv.log" | sed 's/^/  | /'
        echo "  skipped: ansible-core $core could not be installed for Python $LEG_PYTHON_VERSION (see $LEG_OUT/venv.log)"
        ROWS+=("$(printf '%-9s %-7s %-8s %s' "$core" "$LEG_PYTHON_VERSION" skipped "not installable")")
        return 0
    fi
    echo "  $("$LEG_VENV/bin/ansible" --version | sed -n 1p)"
    for step in "${ALL_COMPAT_STEPS[@]}"; do
        STEP_RESULT=-
        [[ " ${COMPAT_STEPS[*]} " == *" $step "* ]] && run_step "$step"
        [ "$step" = units ] && [ "$STEP_RESULT" != - ] && CORE_FREE_PYTHONS+=" $LEG_PYTHON_VERSION"
        cells+=("$STEP_RESULT")
        [ "$STEP_RESULT" = FAIL ] && failed=1
    done
    ROWS+=("$(printf '%-9s %-7s %-8s %-6s %-12s %-5s %-7s %-7s %5d' "$core" "$LEG_PYTHON_VERSION" \
        "$([ $failed = 0 ] && echo passed || echo failed)" "${cells[@]}" $((SECONDS - start)))")
    return $failed
}

# Builds the collection once; every leg installs this artifact with its own ansible-galaxy.
build_artifact() {
    local dir="$OUTPUT/compat/artifact"
    rm -rf "$dir" && mkdir -p "$dir" || return 1
    ansible-galaxy collection build --force --output-path "$dir" "$ROOT" >"$dir/build.log" || return 1
    COMPAT_ARTIFACT="$(ls "$dir"/iwinv-cloud-*.tar.gz)"
}

compat_main() {
    local leg core python failed=0 start=$SECONDS
    ROWS=()
    CORE_FREE_PYTHONS=""
    # One process per task instead of five (temporary directory, copy, chmod, run, clean up): about a third
    # less time for the same module runs.
    export ANSIBLE_PIPELINING=1
    build_artifact || return 1
    for leg in "${COMPAT_MATRIX[@]}"; do
        read -r core python _ <<<"$leg"
        if [ -n "${COMPAT_LEGS:-}" ] && [[ " $COMPAT_LEGS " != *" ${core%.*} "* ]] &&
            [[ " $COMPAT_LEGS " != *" ${core%.*}/$python "* ]]; then
            continue
        fi
        # shellcheck disable=SC2086 # the leg's words: core, then Pythons
        run_leg $leg || failed=1
    done
    printf '\n==================== compat: one row per leg (ansible-core and Python) ====================\n'
    printf '%-9s %-7s %-8s %-6s %-12s %-5s %-7s %-7s %5s\n' core python result units integration demo \
        unsafe sanity seconds
    printf '%s\n' "${ROWS[@]}"
    echo "(primary ansible-core 2.19: the other stages; compat total $((SECONDS - start)) s)"
    return $failed
}
