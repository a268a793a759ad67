# shellcheck shell=bash
# The "alternative" stage of tests/run.sh (sourced there, in the stage's subshell: it uses run.sh's helpers).
#
# Runs every integration target once more, against the emulator started with --profile alternative: every
# DECISIONS.md "Tolerate" point answered the other documented way (tests/emulator/profiles.py). The
# collection must work the same; iwinv_api_check's target expects its documented `differs` there.
# INTEGRATION_ARGS and arguments after the stage name go to ansible-test, as for the integration stage.

has_integration_targets || return "$SKIP"
start_emulator "$OUTPUT/emulator-alternative.log" --profile alternative || return 1
run_integration_targets "${INTEGRATION_EXTRA[@]}" "${EXTRA[@]}"
