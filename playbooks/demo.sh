#!/usr/bin/env bash
# The README's first command: the demo web tier against the local iwinv API emulator, on a fresh machine.
#
#   bash playbooks/demo.sh                       demo.yml, then teardown.yml
#   bash playbooks/demo.sh --keep                demo.yml only: the emulator's state file keeps the web tier
#   bash playbooks/demo.sh --check-idempotence   what CI runs: demo.yml first in check mode (it must send no
#                                                write request), and each playbook a second time (it must
#                                                report changed=0)
#   --venv=DIR                                   use the virtual environment DIR (ansible-core and requests
#                                                installed) instead of .venv/; tests/run.sh compat passes
#                                                each ansible-core version's own
#   --artifact=FILE                              install this built collection instead of building one
#   --unpaced                                    no rate limit (emulator and modules) and short operations:
#                                                the same playbooks in a fraction of the time
#   --firewall-family=NAME                       the firewall API family the emulator serves: security-groups
#                                                (the default, as seen live) or firewall (the docs'); the
#                                                modules find out which (firewall_api: auto)
#
# 1. the virtual environment .venv/ (bash tests/run.sh setup: Python 3.11, ansible-core, requests)
# 2. builds the collection from this checkout and installs the artifact under tests/output/demo/
# 3. starts tests/emulator/server.py (keys demo-access/demo-secret, --op-delay 1, the API's rate limit of
#    60 requests per minute, state in tests/output/demo/emulator-state.json) and exports
#    IWINV_API_URL, IWINV_ACCESS_KEY and IWINV_SECRET_KEY for the modules and the inventory plugin
# 4. runs playbooks/demo.yml and playbooks/teardown.yml with ansible-playbook
# 5. stops the emulator (however the script ends) and prints what was done

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# An installed collection has MANIFEST.json instead of galaxy.yml: nothing to build the demo from.
if [ ! -f galaxy.yml ]; then
    cat >&2 <<'EOF'
playbooks/demo.sh needs a checkout of the repository: it builds the collection and starts the API emulator
from it. Either run the demo from a checkout:
    git clone https://github.com/iwinv-cloud/ansible-collection.git && bash ansible-collection/playbooks/demo.sh
or run this installed collection's playbooks against your account: first put your zone, flavor, image and
SSH key into playbooks/vars/web_tier.yml (docs/getting-started.md, "First server"), then
    IWINV_ACCESS_KEY=... IWINV_SECRET_KEY=... ansible-playbook playbooks/demo.yml
EOF
    exit 2
fi

KEEP=0
IDEMPOTENCE=0
VENV="$ROOT/.venv"
OWN_VENV=0
ARTIFACT=""
EMULATOR_PACE=(--op-delay 1)
FIREWALL_FAMILY=security-groups
for arg in "$@"; do
    case "$arg" in
        --keep) KEEP=1 ;;
        --check-idempotence) IDEMPOTENCE=1 ;;
        --venv=?*) VENV="$(cd "${arg#--venv=}" && pwd)" OWN_VENV=1 ;;
        --artifact=?*) ARTIFACT="$(realpath "${arg#--artifact=}")" ;;
        --firewall-family=security-groups | --firewall-family=firewall) FIREWALL_FAMILY="${arg#--firewall-family=}" ;;
        --unpaced)
            EMULATOR_PACE=(--op-delay 0.2 --rate-limit 100000)
            export IWINV_RATE_LIMIT=0
            ;;
        -h | --help)
            sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "unknown argument '$arg' (try --help)" >&2
            exit 2
            ;;
    esac
done

OUT="${IWINV_TEST_OUTPUT:-$ROOT/tests/output}/demo"
STATE_FILE="$OUT/emulator-state.json"
EMULATOR_LOG="$OUT/emulator.log"
STARTED=$SECONDS

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

mkdir -p "$OUT"

say "1/5 virtual environment ($VENV)"
if [ -x "$VENV/bin/ansible-playbook" ] && "$VENV/bin/python" -c 'import requests' 2>/dev/null; then
    echo "using the existing $VENV ($("$VENV/bin/ansible-playbook" --version | sed -n 1p))"
elif [ "$OWN_VENV" = 1 ]; then
    echo "--venv=$VENV: it needs ansible-core and requests installed" >&2
    exit 2
else
    echo "creating it with 'bash tests/run.sh setup' (a few minutes, once)"
    bash tests/run.sh setup >"$OUT/setup.log" 2>&1 || {
        tail -20 "$OUT/setup.log"
        echo "setup failed: see $OUT/setup.log" >&2
        exit 1
    }
fi
export PATH="$VENV/bin:$PATH"

say "2/5 build and install the collection from this checkout"
rm -rf "$OUT/collections" "$OUT"/iwinv-cloud-*.tar.gz
if [ -z "$ARTIFACT" ]; then
    ansible-galaxy collection build --force --output-path "$OUT" . >"$OUT/build.log"
    ARTIFACT="$(ls "$OUT"/iwinv-cloud-*.tar.gz)"
fi
export ANSIBLE_COLLECTIONS_PATH="$OUT/collections"
ansible-galaxy collection install --offline --force -p "$OUT/collections" "$ARTIFACT" >"$OUT/install.log"
echo "installed $ARTIFACT in $OUT/collections"
export ANSIBLE_CONFIG="$ROOT/playbooks/ansible.cfg"

say "3/5 start the iwinv API emulator"
rm -f "$STATE_FILE" # a fresh account; --keep leaves the file for a later run to inspect
"$VENV/bin/python" -u tests/emulator/server.py --port 0 --access-key demo-access --secret-key demo-secret \
    "${EMULATOR_PACE[@]}" --config "firewall_family=$FIREWALL_FAMILY" --state-file "$STATE_FILE" \
    >"$EMULATOR_LOG" 2>&1 </dev/null &
EMULATOR_PID=$!
trap 'kill "$EMULATOR_PID" 2>/dev/null; wait "$EMULATOR_PID" 2>/dev/null || true' EXIT
URL=""
for _attempt in $(seq 1 100); do
    URL="$(sed -n 's/^iwinv emulator listening on //p' "$EMULATOR_LOG")"
    [ -n "$URL" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$URL" ]; then
    cat "$EMULATOR_LOG"
    echo "the emulator did not start" >&2
    exit 1
fi
export IWINV_API_URL="$URL" IWINV_ACCESS_KEY=demo-access IWINV_SECRET_KEY=demo-secret
echo "emulator at $URL (firewalls: $FIREWALL_FAMILY; pid $EMULATOR_PID, log $EMULATOR_LOG, state $STATE_FILE)"

# run_playbook NAME [OPTION...]: ansible-playbook playbooks/NAME.yml, its output also kept in $OUT/NAME.log
run_playbook() {
    local name="$1"
    shift
    ansible-playbook "playbooks/$name.yml" "$@" 2>&1 | tee "$OUT/$name.log"
}

# expect_no_change NAME: the last run of NAME.yml reported changed=0
expect_no_change() {
    grep -Eq '^localhost +: ok=[0-9]+ +changed=0 ' "$OUT/$1.log" && return 0
    echo "FAILED: the second run of $1.yml changed something (see the PLAY RECAP above)" >&2
    return 1
}

# api_writes: how many requests other than GET the emulator has answered so far
api_writes() {
    "$VENV/bin/python" - "$URL" <<'EOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1] + "/_emulator/requests", timeout=10) as answer:
    print(sum(1 for r in json.load(answer)["requests"] if r["method"] != "GET"))
EOF
}

if [ "$IDEMPOTENCE" = 1 ]; then
    say "4/5 first: ansible-playbook --check playbooks/demo.yml must send no write request"
    run_playbook demo --check
    writes="$(api_writes)"
    if [ "$writes" != 0 ]; then
        echo "FAILED: check mode sent $writes write requests" >&2
        exit 1
    fi
fi
say "4/5 ansible-playbook playbooks/demo.yml"
run_playbook demo
if [ "$IDEMPOTENCE" = 1 ]; then
    say "4/5 again: a second run of demo.yml must report changed=0"
    run_playbook demo
    expect_no_change demo
fi
if [ "$KEEP" = 0 ]; then
    say "4/5 ansible-playbook playbooks/teardown.yml"
    run_playbook teardown
    if [ "$IDEMPOTENCE" = 1 ]; then
        say "4/5 again: a second run of teardown.yml must report changed=0"
        run_playbook teardown
        expect_no_change teardown
    fi
fi

say "5/5 summary"
"$VENV/bin/python" - "$URL" "$STATE_FILE" "$((SECONDS - STARTED))" <<'EOF'
import collections
import json
import sys
import urllib.request

url, state_file, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
with urllib.request.urlopen(url + "/_emulator/requests", timeout=10) as answer:
    requests = json.load(answer)["requests"]

WORDS = {"", "v1", "zones", "flavors", "images", "instances", "instance", "script", "block-storages", "types",
         "firewall", "security-groups", "rules", "attach", "detach", "start", "shutdown", "reboot", "rebuild", "resize",
         "remote-console", "auth", "ssh_key", "bill", "live"}


def kind(path):
    """/v1/instances/abc/start -> /v1/instances/{id}/start"""
    return "/".join(part if part in WORDS else "{id}" for part in path.split("/"))

created = collections.Counter()
for request in requests:
    if request["method"] == "POST" and request["status"] in (200, 202):
        created[{"/v1/instances": "instances", "/v1/block-storages": "volumes", "/v1/firewall": "firewalls",
                 "/v1/security-groups": "firewalls"}
                .get(request["path"], "")] += 1
created.pop("", None)
errors = [r for r in requests if r["status"] not in (200, 202)]
print("created: %s" % (", ".join("%d %s" % (n, what) for what, n in sorted(created.items())) or "nothing"))
print("API requests: %d in all, %d answered with an error (rate-limited: %d)"
      % (len(requests), len(errors), sum(1 for r in errors if r["status"] == 429)))
for (method, path, status, error_code), count in sorted(collections.Counter(
        (r["method"], kind(r["path"]), r["status"], r["error_code"]) for r in errors).items()):
    note = {"ID_INVALID": " (reading a deleted resource while waiting for it to go)",
            "NOT_FOUND": " (firewall_api auto asking which firewall family the API serves)"}.get(error_code, "")
    print("  %4d  %-6s %s -> %s %s%s" % (count, method, path, status, error_code, note))
print("requests by endpoint:")
for (method, path), count in sorted(collections.Counter((r["method"], kind(r["path"])) for r in requests).items(),
                                    key=lambda item: item[0][1] + item[0][0]):
    print("  %4d  %-6s %s" % (count, method, path))
with open(state_file, encoding="utf-8") as handle:
    state = json.load(handle)
print("left in the emulator: %d instances, %d volumes, %d firewalls (state file %s)"
      % (len(state["instances"]), len(state["volumes"]), len(state["firewalls"]), state_file))
print("time: %d s" % seconds)
EOF
if [ "$KEEP" = 1 ]; then
    echo "kept: the web tier stays in $STATE_FILE; to remove it, start the emulator on that file again"
    echo "  (python3 tests/emulator/server.py --port 0 --access-key demo-access --secret-key demo-secret --state-file $STATE_FILE)"
    echo "  and run: IWINV_API_URL=<its URL> IWINV_ACCESS_KEY=demo-access IWINV_SECRET_KEY=demo-secret ansible-playbook playbooks/teardown.yml"
fi
