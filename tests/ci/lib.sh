# Shared by the tests/ci/<stage>.sh scripts (sourced): paths as tests/run.sh sets them, and tool venvs.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$ROOT/.venv"
OUTPUT="${IWINV_TEST_OUTPUT:-$ROOT/tests/output}"
# shellcheck disable=SC2034 # used by the scripts that source this file
AC_ROOT="$OUTPUT/ac" # the fresh copy of the checkout that 'tests/run.sh setup' makes
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON="$VENV/bin/python"

# tool_venv NAME REQUIREMENTS: a virtual environment of its own under $OUTPUT for tools whose pins conflict
# with .venv's, (re)installed only when the requirements file changes. Prints its path.
tool_venv() {
    local venv="$OUTPUT/venv-$1" requirements="$2" want
    want="$(sha256sum "$requirements" | cut -d' ' -f1)"
    if [ "$(cat "$venv/.installed" 2>/dev/null)" != "$want" ]; then
        rm -rf "$venv"
        echo "installing $requirements into $venv" >&2
        "$PYTHON" -m venv "$venv" >&2 || return 1
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >"$venv.pip.log" 2>&1 ||
            { tail -20 "$venv.pip.log" >&2; return 1; }
        echo "$want" >"$venv/.installed"
    fi
    echo "$venv"
}

# ensure_debian_package PROGRAM PACKAGE: installs a Debian package when the program is missing and this runs as root.
ensure_debian_package() {
    command -v "$1" >/dev/null 2>&1 && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "installing $2 (Debian package)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1 ||
            { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null 2>&1; }
    fi
    command -v "$1" >/dev/null 2>&1 || { echo "$1 is missing: apt-get install $2" >&2; return 1; }
}
