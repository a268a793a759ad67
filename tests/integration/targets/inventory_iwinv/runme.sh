#!/usr/bin/env bash
# The inventory plugin as users run it: ansible-inventory --list/--graph and a playbook on a zone group.
# ansible-test runs this from the target's directory, with the emulator's URL and keys in the
# integration_config.yml two levels up. No `set -x`: the secret key must not be echoed.
set -eu -o pipefail

CONFIG="../../integration_config.yml"
config_value() { # config_value NAME: the value of a top-level `NAME: "value"` line of the config file
    sed -n "s/^$1:[[:space:]]*[\"']\{0,1\}\([^\"']*\)[\"']\{0,1\}[[:space:]]*\$/\1/p" "$CONFIG"
}

# The inventory reads its credentials from the environment, not from extra vars: ansible-inventory --list
# prints extra vars among every host's variables, which would put the secret key in the output.
INVENTORY_TEST_API_URL="$(config_value iwinv_api_url)"
IWINV_ACCESS_KEY="$(config_value iwinv_access_key)"
IWINV_SECRET_KEY="$(config_value iwinv_secret_key)"
export INVENTORY_TEST_API_URL IWINV_ACCESS_KEY IWINV_SECRET_KEY
EXTRA=(-e "@${CONFIG}" -e "output_dir=${OUTPUT_DIR}")

ansible-playbook setup.yml "${EXTRA[@]}" "$@"

ansible-inventory -i test.iwinv.yml --list >"${OUTPUT_DIR}/list.json"
ansible-inventory -i test.iwinv.yml --graph >"${OUTPUT_DIR}/graph.txt"
cat "${OUTPUT_DIR}/graph.txt"

ansible-playbook check_inventory.yml "${EXTRA[@]}" "$@"

ansible-playbook -i test.iwinv.yml zone_play.yml "${EXTRA[@]}" "$@"

# filters: only the two stopped instances of KR1-Z08 are hosts (ansible --list-hosts prints one per line).
ansible -i filtered.iwinv.yml all --list-hosts >"${OUTPUT_DIR}/filtered.txt"
cat "${OUTPUT_DIR}/filtered.txt"
[ "$(sed -n 's/^ *\([^ ].*\)$/\1/p' "${OUTPUT_DIR}/filtered.txt" | grep -v '^hosts (' | sort | tr '\n' ' ')" = \
    "stopped-00001 stopped-00002 " ]
