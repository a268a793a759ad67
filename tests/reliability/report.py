"""Renders docs/reliability.md from the figures the reliability suite wrote (tests/output/reliability/figures.json).

    python tests/reliability/report.py [--figures FILE] [--output FILE]

The suite (tests/reliability, `bash tests/run.sh reliability`) writes the figures on every run; this script only
formats them. The stage renders into the output directory; commit docs/reliability.md after a full run.
"""

import argparse
import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_FIGURES = pathlib.Path(os.environ.get("IWINV_TEST_OUTPUT") or ROOT / "tests" / "output") / "reliability" / "figures.json"

INTRO = """\
# Reliability and security, with figures

Every row below is a test of `tests/reliability/` that drives real `ansible-playbook` / `ansible-inventory`
processes against the emulator (`tests/emulator/`, a private instance per run), so the whole stack is
exercised: module, client, HTTP, emulator. Faults are the emulator's fault rules (`/_emulator/faults`), its
configuration (`op_delays`, `rate_limit`, `clock_offset`) or a signal to the playbook. The figures come from
the emulator's request log and state after each scenario; this page is rendered from them by
`tests/reliability/report.py`.

* Run: `bash tests/run.sh reliability` (CI, part of `.ci/run`; skips the test marked slow) or, for every row
  and this page, `RELIABILITY_MARKERS= bash tests/run.sh reliability && .venv/bin/python tests/reliability/report.py`.
* `requests`: every API request of the scenario (all its runs), as the emulator logged it; `faults survived`:
  injected faults after which the task still succeeded; `429`: answers 429 in the log; `duplicates`: resources
  sharing a name once the scenario is over (emulator state).
* `CHECK_IP`: the emulator does not model the API key's IP allowlist; the API's 403 `CHECK_IP` answer is injected
  with a `status` fault rule.
"""

NOTES = """\
## Bugs these scenarios found (fixed)

* `iwinv_block_storage`: a volume whose creation (or attachment) ended in status `error` was reported as a
  success with `status: error`; it now fails, naming the volume, the status and the seconds waited.
* `iwinv_instance`: a `wait_timeout` failure showed what was left of the budget as a fraction
  (`wait_timeout=4.98...`) and the seconds of the last wait only; it now shows the `wait_timeout` the user set
  and the seconds the whole task waited.
* Writes judged by a status that also held before them, or by one read at once (issue 14, `test_effects.py`): a
  create that the API executed after the client gave up was called "not created, safe to run again" and the
  rerun made a second one; a resize, rebuild or reboot lost before the API saw it was reported done; a zone
  given with a name created a second instance in that zone; a firewall attach started with `wait: false` made
  the next `state: absent` fail with `IN_USE` (and `purge_instances` leave it attached); a lost attach was
  never resent; a failure after a write said `changed: false`; a create answered without an id crashed.
  Each now passes; every one of those rows failed on the code before.
* A task that followed a `wait: false` deletion of a volume of the same name judged the volume being deleted
  (issue 20); it now waits until it is gone, then creates the new one.
"""


def cell(value):
    return str(value).replace("|", "\\|").replace("\n", " ")


def lost_writes(scenarios):
    """The total line of the writes whose answer was lost or late: kinds, misreported results, duplicates."""
    rows = [s for s in scenarios if s.get("lost_write")]
    kinds = sorted(set(s["lost_write"] for s in rows))
    return "writes whose answer was lost or late: %d kinds, %d misreported, %d duplicated" % (
        len(kinds), sum(s.get("misreported", 0) for s in rows), sum(s.get("duplicates", 0) for s in rows))


def totals(scenarios):
    return {
        "scenarios": len(scenarios),
        "faults survived": sum(s.get("faults_survived", 0) for s in scenarios),
        "duplicates": sum(s.get("duplicates", 0) for s in scenarios),
        "secrets found": sum(s.get("secrets_found", 0) for s in scenarios),
        "answers 429 in the pacing scenarios": sum(s.get("status_429", 0) for s in scenarios if "forks" in s),
        "bad-input cases (0 API requests)": sum(s.get("cases", 0) for s in scenarios),
        "API requests": sum(s.get("requests", 0) for s in scenarios),
    }


SECURITY_INTRO = """\
## Security

What an attacker (or an unlucky setup) tried, from the tests of issue 15: unit tests of the client against
real sockets on loopback (a redirecting server, a capturing server, a proxy, a TLS server with an untrusted
certificate; tests/unit/plugins/module_utils/test_client_hardening.py, test_state_file.py) and real
`ansible-inventory` / `ansible-playbook` runs (tests/reliability/test_inventory_*.py). "Requests sent to the wrong
place" counts requests (and signatures) that reached a host other than `api_url`, or a command the API data ran.
Rows come from `security-*.json` next to the figures, written by those tests.
"""


def security_rows(figures_path):
    """The security table's rows from every security-<suite>.json beside the figures file."""
    rows = []
    for path in sorted(pathlib.Path(figures_path).parent.glob("security-*.json")):
        rows.extend(json.loads(path.read_text(encoding="utf-8")))
    return sorted(rows, key=lambda row: row["attack"])


def render_security(rows):
    if not rows:
        return []
    lines = [SECURITY_INTRO, "| attack | cases | result | requests sent to the wrong place |", "| --- | ---: | --- | ---: |"]
    lines += ["| %s | %d | %s | %d |" % (cell(row["attack"]), row["cases"], cell(row["result"]), row["wrong_place"])
              for row in rows]
    cases, wrong_place = sum(row["cases"] for row in rows), sum(row["wrong_place"] for row in rows)
    lines.append("| **%d attacks** | **%d** | | **%d** |" % (len(rows), cases, wrong_place))
    return lines + [""]


def render(document, security=()):
    scenarios = document["scenarios"]
    slow_seconds = sum(s["seconds"] for s in scenarios if s.get("slow"))
    summary = "Figures of the run of %s: %d scenarios in %.0f s; without the rows marked slow (what CI runs), about %.0f s." % (
        document["generated_at"], len(scenarios), document["suite_seconds"], document["suite_seconds"] - slow_seconds)
    lines = [INTRO, summary, ""]
    lines += ["## Totals", "", "| total | value |", "| --- | ---: |"]
    lines += ["| %s | %s |" % (name, value) for name, value in totals(scenarios).items()]
    lines += ["", lost_writes(scenarios) + " (the scenarios with a `lost_write` kind: %s)."
              % ", ".join(sorted(set(s["lost_write"] for s in scenarios if s.get("lost_write"))))]
    lines += ["", "## Scenarios", "",
              "| # | scenario | injected | result | requests | faults survived | 429 | duplicates | seconds |",
              "| ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for number, s in enumerate(scenarios, start=1):
        lines.append("| %d | %s | %s | %s | %d | %d | %d | %d | %.1f |" % (
            number, cell(s["scenario"]) + (" (slow: not in CI)" if s.get("slow") else ""), cell(s["injected"]), cell(s["result"]), s["requests"],
            s["faults_survived"], s["status_429"], s["duplicates"], s["seconds"]))
    lines += [""] + render_security(list(security)) + [NOTES]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--figures", default=str(DEFAULT_FIGURES))
    parser.add_argument("--output", default=str(ROOT / "docs" / "reliability.md"))
    args = parser.parse_args(argv)
    with open(args.figures, encoding="utf-8") as handle:
        document = json.load(handle)
    text = render(document, security_rows(args.figures))
    with open(args.output, "w", encoding="utf-8") as handle:
        handle.write(text)
    print("%s: %d scenarios" % (args.output, len(document["scenarios"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
