"""Fails when a rendered changelog shows what a reader should never see.

    python tests/ci/check_changelog.py CHANGELOG.rst

* literal Ansible markup (C(...), O(...), V(...) and the like): changelog fragments are plain reStructuredText,
  so markup that works in module docs shows up as is;
* a Bugfixes section in the first release: code that was never released had no bugs that a user met.
"""

import re
import sys

MARKUP = re.compile(r"(?<![\w`])(?:[BCEIMOPUVL]|RV|HORIZONTALLINE)\([^)\n]*\)")
VERSION_HEADING = re.compile(r"^v\d+\.\d+\.\d+\S*\n=+$", re.M)


def problems(text):
    for number, line in enumerate(text.splitlines(), start=1):
        for match in MARKUP.finditer(line):
            yield "line %d: literal markup %s" % (number, match.group(0))
    releases = VERSION_HEADING.split(text)
    first_release = releases[-1] if len(releases) > 1 else ""
    if re.search(r"^Bugfixes\n-+$", first_release, re.M):
        yield "the first release has a Bugfixes section: describe unreleased fixes as the behaviour they give"


def main(path):
    with open(path, encoding="utf-8") as handle:
        found = list(problems(handle.read()))
    for problem in found:
        print("%s: %s" % (path, problem))
    if not found:
        print("%s: no literal markup, no Bugfixes in the first release" % path)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
