"""Docs that cannot drift.

* Every module's DOCUMENTATION, EXAMPLES and RETURN is valid YAML, and DOCUMENTATION has what the
  project requires (fragments, author, version_added, attributes).
* Every task in the module EXAMPLES, in the role and the playbooks, and in the YAML blocks of README.md
  and docs/*.md names a module that exists, with options that its real argument spec accepts (captured
  by running the module's main() up to AnsibleModule). `group/iwinv.cloud.iwinv` in module_defaults
  takes only the common options.
* The role's defaults and its meta/argument_specs.yml agree, and the docs link only to files that exist.
"""

import ast
import importlib
import pathlib
import re

import pytest
import yaml

from ansible.module_utils import basic
from ansible_collections.iwinv.cloud.plugins.doc_fragments.iwinv import ModuleDocFragment


class AnsibleYamlLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """YAML as Ansible reads it in examples: an inline `!vault` value is a string here."""


AnsibleYamlLoader.add_constructor("!vault", lambda loader, node: loader.construct_scalar(node))


def load_example(text):
    return yaml.load(text, Loader=AnsibleYamlLoader)  # nosec - a SafeLoader with one more tag


ROOT = pathlib.Path(__file__).resolve().parents[2]
MODULES = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("iwinv_*.py"))
FQCN_KEY = re.compile(r"^(?:(group)/)?iwinv\.cloud\.(\w+)$")
MARKDOWN = [ROOT / "README.md", ROOT / "roles" / "server" / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
TASK_FILES = sorted((ROOT / "roles").glob("*/tasks/*.yml")) + sorted((ROOT / "playbooks").glob("*.yml"))


class _SpecCaptured(Exception):
    def __init__(self, spec):
        super().__init__("argument spec captured")
        self.spec = spec


def module_doc_strings(name):
    """The DOCUMENTATION, EXAMPLES and RETURN strings of a module, read without importing it."""
    tree = ast.parse((ROOT / "plugins" / "modules" / (name + ".py")).read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            if node.targets[0].id in ("DOCUMENTATION", "EXAMPLES", "RETURN"):
                found[node.targets[0].id] = ast.literal_eval(node.value)
    return found


_SPECS = {}


def argument_spec(name, monkeypatch):
    """The argument spec a module really builds: its main() runs until AnsibleModule is created."""
    if name not in _SPECS:
        def capture(self, argument_spec, **kwargs):
            raise _SpecCaptured(argument_spec)

        with monkeypatch.context() as patch:
            patch.setattr(basic.AnsibleModule, "__init__", capture)
            module = importlib.import_module("ansible_collections.iwinv.cloud.plugins.modules." + name)
            with pytest.raises(_SpecCaptured) as captured:
                module.main()
        _SPECS[name] = captured.value.spec
    return _SPECS[name]


def accepted_options(spec):
    names = set()
    for option, settings in spec.items():
        names.add(option)
        names.update(settings.get("aliases", []))
    return names


def module_uses(data, where):
    """(where, kind, module, options) for every `iwinv.cloud.<name>:` key in a YAML document, at any depth."""
    if isinstance(data, list):
        for item in data:
            yield from module_uses(item, where)
    elif isinstance(data, dict):
        for key, value in data.items():
            match = FQCN_KEY.match(str(key))
            if match:
                yield where, match.group(1) or "module", match.group(2), value
            else:
                yield from module_uses(value, where)


def markdown_yaml_blocks(path):
    text = path.read_text(encoding="utf-8")
    for number, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", text, flags=re.S), start=1):
        yield "%s, YAML block %d" % (path.relative_to(ROOT), number), block


def every_yaml_example():
    """(where, YAML text) for module EXAMPLES, task files, playbooks and the Markdown YAML blocks."""
    for name in MODULES:
        yield "%s EXAMPLES" % name, module_doc_strings(name).get("EXAMPLES", "")
    for path in TASK_FILES:
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in MARKDOWN:
        yield from markdown_yaml_blocks(path)


def declared_attributes(doc):
    """A module's attributes: its own, or those of the info_module fragment that read-only modules extend."""
    if "iwinv.cloud.iwinv.info_module" in doc["extends_documentation_fragment"]:
        return yaml.safe_load(ModuleDocFragment.INFO_MODULE)["attributes"]
    return doc.get("attributes") or {}


EXAMPLES = list(every_yaml_example())


@pytest.mark.parametrize("name", MODULES)
def test_module_docs_are_valid_yaml_with_the_required_parts(name):
    strings = module_doc_strings(name)
    assert set(strings) == {"DOCUMENTATION", "EXAMPLES", "RETURN"}, "%s lacks a doc string" % name
    doc = yaml.safe_load(strings["DOCUMENTATION"])
    assert doc["module"] == name
    assert str(doc["version_added"]) == "1.0.0"
    assert doc["author"] == ["iwinv.cloud contributors (@iwinv-cloud)"]
    assert "iwinv.cloud.iwinv" in doc["extends_documentation_fragment"]
    assert {"check_mode", "diff_mode"} <= set(declared_attributes(doc))
    examples = yaml.safe_load(strings["EXAMPLES"])
    assert isinstance(examples, list) and examples, "%s EXAMPLES must be a non-empty list of tasks" % name
    assert all(isinstance(task, dict) and task.get("name") for task in examples), "every example task needs a name"
    returned = yaml.safe_load(strings["RETURN"])
    assert returned is None or isinstance(returned, dict)


@pytest.mark.parametrize("where,text", EXAMPLES, ids=[where for where, _text in EXAMPLES])
def test_every_example_names_real_modules_and_options(where, text, monkeypatch):
    data = load_example(text)
    common = accepted_options(basic_common_spec())
    for place, kind, module, options in module_uses(data, where):
        if kind == "group":
            assert module == "iwinv", "%s: the action group is group/iwinv.cloud.iwinv, not %s" % (place, module)
            allowed = common
        else:
            assert module in MODULES, "%s: iwinv.cloud.%s is not a module of this collection" % (place, module)
            allowed = accepted_options(argument_spec(module, monkeypatch))
        assert options is None or isinstance(options, dict), "%s: give %s its options as a mapping" % (place, module)
        unknown = sorted(set(options or {}) - allowed)
        assert not unknown, "%s: iwinv.cloud.%s has no option %s" % (place, module, unknown)


def basic_common_spec():
    from ansible_collections.iwinv.cloud.plugins.module_utils._module import common_argument_spec

    return common_argument_spec()


def test_the_checker_catches_an_unknown_module_and_option(monkeypatch):
    bad_option = "- name: x\n  iwinv.cloud.iwinv_zone_info:\n    colour: blue\n"
    with pytest.raises(AssertionError, match="has no option"):
        test_every_example_names_real_modules_and_options("sample", bad_option, monkeypatch)
    bad_module = "- name: x\n  iwinv.cloud.iwinv_teapot: {}\n"
    with pytest.raises(AssertionError, match="not a module"):
        test_every_example_names_real_modules_and_options("sample", bad_module, monkeypatch)
    bad_group = "- hosts: all\n  module_defaults:\n    group/iwinv.cloud.iwinv:\n      zone: KR1-Z08\n"
    with pytest.raises(AssertionError, match="has no option"):
        test_every_example_names_real_modules_and_options("sample", bad_group, monkeypatch)


def test_examples_use_fully_qualified_names():
    short = re.compile(r"^\s*-?\s*(iwinv_\w+):\s*$", re.M)
    for where, text in EXAMPLES:
        names = [name for name in short.findall(text) if name in MODULES]
        assert not names, "%s: use iwinv.cloud.%s, not the short name" % (where, names[0])


def test_role_defaults_match_its_argument_specs():
    role = ROOT / "roles" / "server"
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text(encoding="utf-8"))
    options = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))[
        "argument_specs"]["main"]["options"]
    assert set(defaults) <= set(options), "defaults without a spec: %s" % sorted(set(defaults) - set(options))
    for name, spec in options.items():
        assert name.startswith("server_"), "role variables carry the role's prefix: %s" % name
        if spec.get("required"):
            assert name not in defaults, "%s is required, so it has no default" % name
        else:
            assert name in defaults, "%s has no entry in defaults/main.yml" % name
            assert spec.get("default") == defaults[name], "%s: default %r in the spec, %r in defaults/main.yml" % (
                name, spec.get("default"), defaults[name])


def test_role_passes_options_the_modules_accept_unchanged(monkeypatch):
    """The role's firewall rules and volume types are handed to the modules as they are: same shape."""
    options = yaml.safe_load((ROOT / "roles" / "server" / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))[
        "argument_specs"]["main"]["options"]
    role_rules = options["server_firewall"]["options"]["rules"]["options"]
    module_rules = argument_spec("iwinv_firewall", monkeypatch)["rules"]["options"]
    assert set(role_rules) == set(module_rules)
    for name, spec in module_rules.items():
        assert role_rules[name]["type"] == spec["type"], name
        assert bool(role_rules[name].get("required")) == bool(spec.get("required")), name
    role_type = options["server_volumes"]["options"]["type"]
    assert role_type["choices"] == argument_spec("iwinv_block_storage", monkeypatch)["type"]["choices"]


@pytest.mark.parametrize("path", MARKDOWN, ids=[str(p.relative_to(ROOT)) for p in MARKDOWN])
def test_markdown_links_to_files_that_exist(path):
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if re.match(r"^[a-z]+:", target):
            continue
        assert (path.parent / target).exists(), "%s links to %s, which does not exist" % (path.relative_to(ROOT), target)


@pytest.mark.parametrize("path", MARKDOWN, ids=[str(p.relative_to(ROOT)) for p in MARKDOWN])
def test_markdown_yaml_blocks_parse(path):
    for where, block in markdown_yaml_blocks(path):
        try:
            load_example(block)
        except yaml.YAMLError as exc:
            pytest.fail("%s is not valid YAML: %s" % (where, exc))
