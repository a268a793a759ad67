#!/usr/bin/env bash
# The ee stage: the execution environment example (docs/execution-environment/) gives a build context that
# holds the collection, and the container build's own steps get requests from the collection's metadata.
# No container engine: the two steps of the build that matter run here, with the context's own scripts.
#
# 1. ansible-galaxy collection build; the artifact goes next to a copy of the example, as the guide says
# 2. ansible-builder create: the context must hold the artifact and a requirements.yml that installs it
# 3. the Containerfile's galaxy step (ansible-galaxy collection install -r requirements.yml, run in _build)
# 4. the Containerfile's introspect step (_build/scripts/introspect.py): requests, from iwinv.cloud's
#    meta/execution-environment.yml, must be among the Python packages the image gets
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

WORK="$OUTPUT/ee"
AWX_VENV="$(tool_venv awx tests/ci/requirements-awx.txt)"
VERSION="$("$VENV/bin/python" -c 'import yaml; print(yaml.safe_load(open("galaxy.yml"))["version"])')"
ARTIFACT="iwinv-cloud-$VERSION.tar.gz"

rm -rf "$WORK" && mkdir -p "$WORK/example"
cp docs/execution-environment/* "$WORK/example/"
grep -q "$ARTIFACT" "$WORK/example/execution-environment.yml" ||
    { echo "docs/execution-environment/execution-environment.yml does not name $ARTIFACT (galaxy.yml's version)"; exit 1; }

echo "--- ansible-galaxy collection build"
"$VENV/bin/ansible-galaxy" collection build --force --output-path "$WORK/example" "$ROOT" >/dev/null

echo "--- ansible-builder create"
(cd "$WORK/example" && "$AWX_VENV/bin/ansible-builder" create --context "$WORK/context" -f execution-environment.yml)
BUILD="$WORK/context/_build"
cmp -s "$WORK/example/$ARTIFACT" "$BUILD/collections/$ARTIFACT" ||
    { echo "the build context does not hold the collection ($BUILD/collections/$ARTIFACT)"; exit 1; }
grep -q 'ansible-galaxy collection install .*-r requirements.yml' "$WORK/context/"*file ||
    { echo "the Containerfile does not install requirements.yml"; exit 1; }

echo "--- the build's galaxy step: ansible-galaxy collection install -r requirements.yml (in _build)"
# Only that path, as in the image: a collection installed in ~/.ansible would count as "already installed".
(cd "$BUILD" && ANSIBLE_COLLECTIONS_PATH="$WORK/collections" "$VENV/bin/ansible-galaxy" collection install \
    -r requirements.yml --collections-path "$WORK/collections" >/dev/null)
installed="$("$VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["collection_info"]["version"])' \
    "$WORK/collections/ansible_collections/iwinv/cloud/MANIFEST.json")"
[ "$installed" = "$VERSION" ] || { echo "installed iwinv.cloud $installed, not $VERSION"; exit 1; }

echo "--- the build's introspect step: Python requirements of the collections"
"$AWX_VENV/bin/python" "$BUILD/scripts/introspect.py" introspect --write-pip="$WORK/requirements.txt" \
    "$WORK/collections" >/dev/null
cat "$WORK/requirements.txt"
grep -q -E '^requests\b.*# from collection iwinv.cloud' "$WORK/requirements.txt" ||
    { echo "introspection did not find requests in iwinv.cloud"; exit 1; }
echo "execution environment: the context holds iwinv.cloud $VERSION, and its build installs requests"
