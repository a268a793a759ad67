"""What a user installs: the release's version, its rendered changelog, the files the README points to, the
demo script outside a checkout, and the AWX credential type's environment.

The docsite (tests/ci/docs.sh), the execution environment (tests/ci/ee.sh) and ansible-runner
(tests/awx/test_runner.py) have stages of their own; these are the fast checks.
"""

import fnmatch
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from ansible_collections.iwinv.cloud.plugins.module_utils import _api_client as client
from ansible_collections.iwinv.cloud.plugins.module_utils._module import common_argument_spec

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ci"))
import check_changelog  # noqa: E402  pylint: disable=wrong-import-position

GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text(encoding="utf-8"))
SHIPPED_MARKDOWN = [ROOT / "README.md", ROOT / "roles" / "server" / "README.md"] + sorted((ROOT / "docs").glob("*.md"))


def test_the_user_agent_names_the_collection_version():
    assert client.COLLECTION_VERSION == GALAXY["version"]


def test_the_changelog_check_finds_literal_markup_and_first_release_bugfixes():
    good = "v1.0.0\n======\n\nMinor Changes\n-------------\n\n- iwinv_instance - ``state=absent`` deletes it.\n"
    assert not list(check_changelog.problems(good))
    bad = good.replace("``state=absent``", "C(state=absent)") + "\nBugfixes\n--------\n\n- x - y.\n"
    found = list(check_changelog.problems(bad))
    assert any("C(state=absent)" in problem for problem in found)
    assert any("Bugfixes" in problem for problem in found)
    later = "v1.1.0\n======\n\nBugfixes\n--------\n\n- x - y.\n\n" + good
    assert not list(check_changelog.problems(later)), "a later release may fix bugs"


def test_fragments_use_no_module_doc_markup_and_no_bugfixes_before_the_first_release():
    released = yaml.safe_load((ROOT / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))["releases"]
    for path in sorted((ROOT / "changelogs" / "fragments").glob("*.yml")):
        fragment = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert released or "bugfixes" not in fragment, "%s: nothing was released yet, so no bugfixes" % path.name
        text = yaml.safe_dump(fragment)
        assert not check_changelog.MARKUP.search(text), "%s: use ``code``, not module doc markup" % path.name


def build_ignored(relative):
    """Whether ansible-galaxy collection build leaves this path out (galaxy.yml build_ignore)."""
    parts = pathlib.PurePosixPath(relative).parts
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    return any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes for pattern in GALAXY["build_ignore"])


@pytest.mark.parametrize("path", SHIPPED_MARKDOWN, ids=[str(p.relative_to(ROOT)) for p in SHIPPED_MARKDOWN])
def test_shipped_docs_link_only_to_files_the_collection_ships(path):
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
        if re.match(r"^[a-z]+:", target):
            continue
        relative = os.path.relpath(os.path.normpath(path.parent / target), ROOT)
        assert not build_ignored(relative), "%s links to %s, which the built collection leaves out" % (
            path.relative_to(ROOT), relative)


def heading_anchors(path):
    """The anchors GitHub gives a Markdown file's headings: lower case, punctuation dropped, spaces to '-'."""
    headings = re.findall(r"^#+ (.+)$", path.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def test_heading_anchors_are_githubs():
    assert {"code-of-conduct", "release-and-deprecation-policy", "the-role-iwinvcloudserver"} <= heading_anchors(
        ROOT / "README.md")


def test_galaxy_links_resolve_to_this_repository_and_its_policies():
    repository = GALAXY["repository"]
    assert re.match(r"^https://github\.com/[\w.-]+/[\w.-]+$", repository)
    assert GALAXY["homepage"] == repository
    # the repository's issues, which README's Communication section names as the place to ask and report
    assert GALAXY["issues"] == repository + "/issues"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    communication = readme.split("\n## Communication\n", 1)[1].split("\n## ", 1)[0]
    assert "<%s>" % GALAXY["issues"] in communication
    match = re.match(re.escape(repository) + r"/blob/main/([^#]+)(?:#(.+))?$", GALAXY["documentation"])
    assert match, "documentation must be a file of the repository: %s" % GALAXY["documentation"]
    document, anchor = ROOT / match.group(1), match.group(2)
    assert document.is_file(), "galaxy.yml documentation: %s does not exist" % match.group(1)
    assert anchor is None or anchor in heading_anchors(document), "no heading gives #%s in %s" % (anchor, document.name)
    for section in ("Communication", "Code of Conduct", "Release and deprecation policy", "Compatibility"):
        assert "\n## %s\n" % section in readme, section


def test_build_ignored_matches_what_galaxy_leaves_out():
    assert build_ignored("tests/output/x") and build_ignored(".ci/run") and not build_ignored("docs/awx.md")


def test_demo_script_in_an_installed_collection_says_it_needs_a_checkout(tmp_path):
    installed = tmp_path / "ansible_collections" / "iwinv" / "cloud"
    shutil.copytree(ROOT / "playbooks", installed / "playbooks")
    (installed / "MANIFEST.json").write_text("{}", encoding="utf-8")
    result = subprocess.run(["bash", str(installed / "playbooks" / "demo.sh")], capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    assert "needs a checkout of the repository" in result.stderr
    assert "git clone https://github.com/iwinv-cloud/ansible-collection.git" in result.stderr
    assert sorted(p.name for p in installed.iterdir()) == ["MANIFEST.json", "playbooks"], "it built or set up something"


def test_the_credential_type_injects_what_the_modules_read():
    credential_type = yaml.safe_load((ROOT / "extensions" / "awx" / "iwinv_credential_type.yml").read_text(encoding="utf-8"))
    fields = {field["id"]: field for field in credential_type["inputs"]["fields"]}
    assert credential_type["inputs"]["required"] == ["access_key", "secret_key"]
    assert fields["secret_key"].get("secret") is True
    assert all(not field.get("secret") for name, field in fields.items() if name != "secret_key")
    fallbacks = {option: spec["fallback"][1][0] for option, spec in common_argument_spec().items() if "fallback" in spec}
    injected = credential_type["injectors"]["env"]
    for option in fields:
        assert injected[fallbacks[option]].startswith("{{ %s" % option), "%s is not injected as %s" % (
            option, fallbacks[option])
    assert set(injected) == {fallbacks[option] for option in fields}
