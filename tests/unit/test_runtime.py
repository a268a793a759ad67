"""meta/runtime.yml: the ``iwinv`` action group lists exactly the modules in plugins/modules/."""

import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _runtime():
    with open(ROOT / "meta" / "runtime.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _modules():
    return sorted(
        path.stem
        for path in (ROOT / "plugins" / "modules").glob("*.py")
        if path.name != "__init__.py"
    )


def test_requires_ansible_is_set():
    assert _runtime()["requires_ansible"].startswith(">=")


def test_action_group_lists_every_module_and_nothing_else():
    group = _runtime()["action_groups"]["iwinv"] or []
    names = [entry for entry in group if isinstance(entry, str)]
    assert len(names) == len(set(names)), "duplicate entries in action group iwinv: %s" % names
    missing = sorted(set(_modules()) - set(names))
    extra = sorted(set(names) - set(_modules()))
    assert not missing, "modules missing from action_groups.iwinv in meta/runtime.yml: %s" % missing
    assert not extra, "action_groups.iwinv names modules that do not exist in plugins/modules/: %s" % extra
