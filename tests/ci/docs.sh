#!/usr/bin/env bash
# The docs stage: the collection's docsite as antsibull-docs builds it, offline, in $OUTPUT/docsite.
#
# 1. docs/docsite/ is up to date with the Markdown guides (tests/ci/render_guides.py --check; needs pandoc)
# 2. antsibull-docs lint-collection-docs --plugin-docs on the fresh copy (links.yml, extra-docs.yml, plugin docs)
# 3. antsibull-docs sphinx-init + the build its build.sh runs, without intersphinx (no network); every Sphinx
#    warning fails the stage, except links to the Ansible docsite that intersphinx resolves online: the labels
#    antsibull-docs' own templates use and ansible-core's ANSIBLE_* variables (from ansible.builtin's cache fragment)
# 4. tests/ci/check_docsite.py on the HTML: the module, inventory and role pages render what the docs say
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

ANSIBLE_DOCSITE_REFS="undefined label: '(common_return_values|ansible_configuration_settings)'|'envvar' reference target not found: ANSIBLE_[A-Z_]+ "
SITE="$OUTPUT/docsite"
COLLECTION="$AC_ROOT/ansible_collections/iwinv/cloud"

echo "--- docs/docsite/ made from the guides"
ensure_debian_package pandoc pandoc
"$VENV/bin/python" tests/ci/render_guides.py --check

DOCS_VENV="$(tool_venv docs tests/ci/requirements-docs.txt)"
export PATH="$DOCS_VENV/bin:$VENV/bin:$PATH" # antsibull-docs runs ansible-doc from .venv
export ANSIBLE_COLLECTIONS_PATH="$AC_ROOT"

echo "--- antsibull-docs lint-collection-docs --plugin-docs"
(cd "$COLLECTION" && antsibull-docs lint-collection-docs --plugin-docs .)

echo "--- antsibull-docs sphinx-init and build in $SITE"
rm -rf "$SITE" && mkdir -p "$SITE"
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$SITE" iwinv.cloud >/dev/null
echo "intersphinx_mapping = {}  # tests/ci/docs.sh: offline" >>"$SITE/conf.py"
mkdir -p "$SITE/rst" && chmod og-w "$SITE/rst"
antsibull-docs --config-file "$SITE/antsibull-docs.cfg" collection --cleanup everything --use-current \
    --squash-hierarchy --fail-on-error --dest-dir "$SITE/rst" iwinv.cloud >"$SITE/antsibull-docs.log"
sphinx-build -M html "$SITE/rst" "$SITE/build" -c "$SITE" -q -w "$SITE/warnings.log"
ignored="$(grep -c -E "WARNING: ($ANSIBLE_DOCSITE_REFS)" "$SITE/warnings.log" || true)"
if grep -v -E "WARNING: ($ANSIBLE_DOCSITE_REFS)" "$SITE/warnings.log" | grep -q .; then
    echo "Sphinx warnings:"
    grep -v -E "WARNING: ($ANSIBLE_DOCSITE_REFS)" "$SITE/warnings.log"
    exit 1
fi
echo "Sphinx: no warnings from the collection ($ignored links to the Ansible docsite left to intersphinx)"

echo "--- rendered pages"
"$VENV/bin/python" tests/ci/check_docsite.py "$SITE/build/html"
echo "docsite: $SITE/build/html/index.html"
