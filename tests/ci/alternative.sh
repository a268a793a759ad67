# shellcheck shell=bash
# The "alternative" stage of tests/run.sh (sourced there, in the stage's subshell: it uses run.sh's helpers).
#
# Runs every integration target once more, against the emulator started with --profile alternative: every
# DECISIONS.md "Tolerate" point answered the other documented way (tests/emulator/profiles.py). The
# collection must work the same; iwinv_api_check's target expects its documented `differs` there.
# INTEGRATION_ARGS and arguments after the stage name go to ansible-test, as for the integration stage.
# Without a target selection it then runs the README demo (the role's and the demo's firewall) unpaced on the
# emulator's other firewall family, /v1/firewall (the demo stage runs it on the default, /v1/security-groups).

has_integration_targets || return "$SKIP"
start_emulator "$OUTPUT/emulator-alternative.log" --profile alternative || return 1
run_integration_targets "${INTEGRATION_EXTRA[@]}" "${EXTRA[@]}" || return 1
if [ ${#INTEGRATION_EXTRA[@]} -eq 0 ] && [ ${#EXTRA[@]} -eq 0 ]; then
    IWINV_TEST_OUTPUT="$OUTPUT/alternative" bash playbooks/demo.sh --unpaced --firewall-family=firewall
fi
