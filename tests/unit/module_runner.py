# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a module's main() in-process with arguments, and return its JSON result."""

from __future__ import annotations

import io
import json
from contextlib import contextmanager, redirect_stdout

try:
    from ansible.module_utils.testing import patch_module_args
except ImportError:  # ansible-core before 2.19 has no such helper: AnsibleModule reads basic._ANSIBLE_ARGS
    from ansible.module_utils import basic
    from ansible.module_utils.common.text.converters import to_bytes

    @contextmanager
    def patch_module_args(args):
        """The module arguments `args` for AnsibleModule, as ansible-core 2.16 to 2.18 read them."""
        saved = basic._ANSIBLE_ARGS
        basic._ANSIBLE_ARGS = to_bytes(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
        try:
            yield
        finally:
            basic._ANSIBLE_ARGS = saved


def run_module(main, args):
    """The module's result dict; `failed` is set when it called fail_json."""
    out = io.StringIO()
    with patch_module_args(args), redirect_stdout(out):
        try:
            main()
        except SystemExit:
            pass
    return json.loads(out.getvalue())


def emulator_args(emulator, **options):
    """Module arguments that point at the emulator fixture, with pacing off."""
    args = {"api_url": emulator.url, "access_key": emulator.access_key, "secret_key": emulator.secret_key, "rate_limit": 0}
    args.update(options)
    return args
