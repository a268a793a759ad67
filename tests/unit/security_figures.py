# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The security table's rows: each security test records (attack, result, requests sent to the wrong place).

The suite's conftest calls write(suite) at the end of the session; tests/reliability/report.py renders every
$IWINV_TEST_OUTPUT/reliability/security-<suite>.json into docs/reliability.md's security table.
"""

from __future__ import annotations

import json
import os
import pathlib

ROWS = {}
OUTPUT = pathlib.Path(os.environ.get("IWINV_TEST_OUTPUT") or pathlib.Path(__file__).resolve().parents[2] / "tests" / "output")


def record(attack, result, wrong_place, suite="unit"):
    """One case of an attack; the cases of one attack add up (the row keeps their count and their sum)."""
    row = ROWS.setdefault((suite, attack), {"attack": attack, "result": result, "cases": 0, "wrong_place": 0})
    row["cases"] += 1
    row["wrong_place"] += wrong_place


def write(suite):
    """security-<suite>.json with the rows recorded for `suite` so far (nothing when there are none)."""
    rows = sorted((row for (row_suite, _attack), row in ROWS.items() if row_suite == suite), key=lambda row: row["attack"])
    if not rows:
        return
    path = OUTPUT / "reliability" / ("security-%s.json" % suite)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
