"""Checks the rendered docsite (HTML from antsibull-docs + Sphinx) for the markup that used to render wrongly.

    python tests/ci/check_docsite.py BUILD_HTML_DIR

Each check reads the text a visitor sees on a page (tags stripped), so it fails when the page says otherwise.
"""

import html
import pathlib
import re
import sys

GROUP = "iwinv.cloud.iwinv"
LITERAL_MARKUP = re.compile(r"(?<![\w`])(?:[BCEIMOPUVL]|RV)\([^)\s][^)]*\)")


def page_text(path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def attribute_row(text, name):
    """The text of one row of a module page's Attributes table, up to the next attribute or the Notes."""
    match = re.search(r"Attribute Support Description (.*?) Notes ", text)
    table = match.group(1) if match else ""
    row = re.search(r"\b%s (.*?)(?= (?:action_group|check_mode|diff_mode) |$)" % name, table)
    return row.group(1) if row else None


def module_problems(path):
    text = page_text(path)
    group = attribute_row(text, "action_group")
    if group is None or "Action group: %s" % GROUP not in group:
        yield "the action_group attribute does not name %s" % GROUP
    diff = attribute_row(text, "diff_mode")
    if diff is None:
        yield "no diff_mode attribute"
    elif path.name.endswith("_info_module.html") and "Support: N/A" not in diff:
        yield "an info module's diff_mode support is not N/A: %s" % diff


def inventory_problems(path):
    text = page_text(path)
    if not re.search(r"\bplugin string / required Marks the file", text):
        yield "the plugin option is not shown as required"
    if "{{ lookup ( 'ansible.builtin.env' , 'TEAM_IWINV_ACCESS_KEY' ) }}" not in text:
        yield "the example with an environment lookup is missing"
    if re.search(r"lookup\('env', '[A-Z_]+''", text) or "may be Jinja templates, for example an ansible.builtin.env lookup" not in text:
        yield "the note about templated credentials is broken"


def role_problems(path):
    text = page_text(path)
    if not re.search(r"The volume type \( sata only where the zone offers it\)\. Choices: \"ssd\" ← \(default\)", text):
        yield "server_volumes[].type does not show ssd as its default"


def problems(build):
    pages = sorted(build.glob("*.html")) + sorted(build.glob("docsite/*.html"))
    checks = {path: [] for path in pages}
    for path in pages:
        if path.name.endswith("_module.html"):
            checks[path].append(module_problems)
    checks[build / "iwinv_inventory.html"] = [inventory_problems]
    checks[build / "server_role.html"] = [role_problems]
    modules = [path for path in pages if path.name.endswith("_module.html")]
    if not modules:
        yield build, "no module pages"
    for path, page_checks in checks.items():
        if not path.exists():
            yield path, "page missing"
            continue
        for check in page_checks:
            for problem in check(path):
                yield path, problem
        for markup in LITERAL_MARKUP.findall(page_text(path)):
            yield path, "literal markup %s" % markup


def main(build):
    found = list(problems(pathlib.Path(build)))
    for path, problem in found:
        print("%s: %s" % (path, problem))
    if not found:
        print("docsite pages checked: action_group, diff_mode, inventory notes and plugin, role defaults, no literal markup")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
