#!/usr/bin/env bash
# The runner stage: tests/awx/test_runner.py, the demo playbook and the inventory source run through
# ansible-runner (the engine AWX and Automation Platform run jobs with) with the environment that the
# collection's credential type (extensions/awx/iwinv_credential_type.yml) injects, against the emulator.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

AWX_VENV="$(tool_venv awx tests/ci/requirements-awx.txt)"
# ansible-runner starts ansible-playbook and ansible-inventory from PATH: those of .venv, as in CI's other stages.
PATH="$VENV/bin:$PATH" "$AWX_VENV/bin/python" -m pytest -p no:cacheprovider --basetemp "$OUTPUT/runner" tests/awx "$@"
