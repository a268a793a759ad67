# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The notes on lost answers and the journal are one doc fragment (iwinv.cloud.iwinv.WRITES), written once and
rendered in each module that writes a resource, as ansible-doc shows it."""

import json
import os
import pathlib
import subprocess
import sys

import pytest
import yaml

from ansible_collections.iwinv.cloud.plugins.doc_fragments.iwinv import ModuleDocFragment

ROOT = pathlib.Path(__file__).resolve().parents[2]
PYTEST_ROOT = ROOT / "tests" / "output" / "pytest"
WRITING_MODULES = ("iwinv_instance", "iwinv_block_storage", "iwinv_firewall")
FRAGMENT_NOTES = yaml.safe_load(ModuleDocFragment.WRITES)["notes"]


def rendered_doc(module):
    """The module's documentation as ansible-doc renders it (fragments merged)."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(PYTEST_ROOT))
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-doc"), "--json",
                          "iwinv.cloud.%s" % module], env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["iwinv.cloud.%s" % module]["doc"]


@pytest.mark.parametrize("module", WRITING_MODULES)
def test_every_writing_module_shows_the_notes_on_lost_answers_once(module):
    doc = rendered_doc(module)
    for note in FRAGMENT_NOTES:
        assert doc["notes"].count(note) == 1
    text = json.dumps({key: doc.get(key) for key in ("description", "notes")})
    assert text.count("kept 15") == 1 and text.count("as far as it is known") == 1


@pytest.mark.parametrize("module", WRITING_MODULES)
def test_the_module_itself_does_not_copy_the_journal_note(module):
    source = (ROOT / "plugins" / "modules" / (module + ".py")).read_text(encoding="utf-8")
    assert "iwinv.cloud.iwinv.WRITES" in source
    assert "15 minutes" not in source.split('EXAMPLES = r"""')[0]
