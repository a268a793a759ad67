"""The Markdown guides in docs/ as reStructuredText pages of the collection's docsite (docs/docsite/).

    python tests/ci/render_guides.py           rewrite docs/docsite/rst/*.rst and docs/docsite/extra-docs.yml
    python tests/ci/render_guides.py --check   fail when they differ from what the guides give (CI: docs stage)

antsibull-docs only takes reStructuredText as extra docs, so the Markdown guides (what GitHub shows) stay the
source and pandoc (tests/ci/guides.lua rewrites the links) converts them. Needs pandoc on PATH.
"""

import pathlib
import subprocess
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCSITE = ROOT / "docs" / "docsite"
FILTER = pathlib.Path(__file__).with_name("guides.lua")
LABEL = "ansible_collections.iwinv.cloud.docsite."
# (section title, guides in docs/ in the order a reader needs them); docs/reliability.md and docs/performance.md
# are reports that the test tools rewrite, linked from README.md, not user guides
SECTIONS = [
    ("Guides", [
        "getting-started", "authentication", "waiting-and-rate-limits", "inventory", "awx",
        "execution-environment", "emulator", "troubleshooting",
    ]),
]
GUIDES = [name for _title, names in SECTIONS for name in names]


def rst_page(name):
    markdown = (ROOT / "docs" / (name + ".md")).read_text(encoding="utf-8")
    body = subprocess.run(
        ["pandoc", "--from=gfm-gfm_auto_identifiers", "--to=rst", "--wrap=none", "--lua-filter=%s" % FILTER,
         "--metadata=guides:%s" % " ".join(GUIDES)],
        input=markdown, capture_output=True, text=True, check=True).stdout
    header = ".. Made from docs/%s.md by tests/ci/render_guides.py: edit the Markdown file, then run it.\n\n" % name
    return header + ".. _%s%s:\n\n%s" % (LABEL, name, body)


class IndentedDumper(yaml.SafeDumper):
    """Indents lists under their key, as yamllint (ansible-lint) wants."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def extra_docs():
    sections = [{"title": title, "toctree": names} for title, names in SECTIONS]
    return "---\n# Made by tests/ci/render_guides.py\n" + yaml.dump(
        {"sections": sections}, Dumper=IndentedDumper, sort_keys=False)


def wanted_files():
    files = {DOCSITE / "extra-docs.yml": extra_docs()}
    for name in GUIDES:
        files[DOCSITE / "rst" / (name + ".rst")] = rst_page(name)
    return files


def main(check):
    stale = []
    for path, text in wanted_files().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    extra = sorted(set((DOCSITE / "rst").glob("*.rst")) - set(wanted_files()))
    for path in extra:
        print("%s is not made from a guide: remove it or add the guide to SECTIONS" % path.relative_to(ROOT))
    for path in stale:
        print(("out of date: %s (run python tests/ci/render_guides.py)" if check else "wrote %s") % path)
    return 1 if extra or (check and stale) else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
