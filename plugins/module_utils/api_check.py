# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_api_check: a few GET requests, and how their answers compare with what the collection expects.

Every check is a function of the answers (no request of its own), so each can be tested alone. The
expectations are ../shared/iwinv-api/DECISIONS.md; the "Tolerate" points are the ones where a difference is
reported as `differs` with the words "tolerated": the collection copes, but the report is still worth sending.
Answers are API data: only short, printable excerpts (statuses, attribute and header names) reach the result,
never a body, and the requests never ask for the default account or the console.
"""

from __future__ import annotations

import re

from ansible_collections.iwinv.cloud.plugins.module_utils.client import (
    ERROR_ADVICE,
    IwinvApiError,
    as_int,
    clock_skew,
    is_success,
)

UNKNOWN_ID = "iwinv-api-check-0000"
FIELDS_ASKED = ("instance_id", "name", "status")
FIELDS_MASK = "11"   # instance_id (1) + name (2) + status (8): never default_account (128) or vnc (16384)
LARGE_PAGE = 1000
SMALL_PAGE = 2
# name -> (path, query); the docs' firewall family is asked only when the observed one (security groups) fails.
REQUESTS = (
    ("zones", "/v1/zones", None),
    ("small_page", "/v1/flavors", {"page_no": 1, "page_size": SMALL_PAGE}),
    ("large_page", "/v1/flavors", {"page_no": 1, "page_size": LARGE_PAGE}),
    ("instances", "/v1/instances", {"page_no": 1, "page_size": 100, "fields": FIELDS_MASK}),
    ("block_storages", "/v1/block-storages", None),
    ("unknown_instance", "/v1/instances/" + UNKNOWN_ID, None),
    ("unknown_image", "/v1/images/" + UNKNOWN_ID, None),
    ("unknown_flavor", "/v1/flavors/" + UNKNOWN_ID, None),
    ("security_groups", "/v1/security-groups", {"page_no": 1, "page_size": 1}),
)
DOCS_FIREWALL = ("firewall", "/v1/firewall", {"page_no": 1, "page_size": 1})
MAX_REQUESTS = len(REQUESTS) + 1

INSTANCE_STATUSES = ("active", "off", "error", "pending", "building", "work", "deleting")
VOLUME_STATUSES = ("available", "attached", "error", "creating", "attaching", "detaching", "deleting")
CLOCK_WARNING = 60
CLOCK_TOLERANCE = 300
RATE_HEADER = re.compile(r"rate-?limit|retry-after", re.IGNORECASE)
HANGUL = re.compile("[\uac00-\ud7a3]")
TOLERATED = "tolerated: the collection copes with this. "
REPORT = "Please report it (docs/troubleshooting.md) with this module's output."


class Answer:
    """One answer, as far as the checks need it: status, JSON body, a few headers; or no answer at all."""

    def __init__(self, status=None, body=None, headers=None, sent=None, failure=None):
        self.status = status
        self.body = body
        self.headers = dict((str(k).lower(), str(v)) for k, v in (headers or {}).items())
        self.sent = sent
        self.failure = failure

    @property
    def success(self):
        return self.status is not None and 200 <= self.status < 300 and is_success(self.body)

    @property
    def error_code(self):
        return self.body.get("error_code") if isinstance(self.body, dict) else None

    @property
    def rows(self):
        result = self.body.get("result") if isinstance(self.body, dict) else None
        return result if isinstance(result, list) else []

    def field(self, name):
        return self.body.get(name) if isinstance(self.body, dict) else None

    def describe(self):
        if self.failure:
            return self.failure
        words = "HTTP %s %s" % (self.status, text(self.error_code or "without an error_code"))
        return words + (", %d rows" % len(self.rows) if self.success else "")


def text(value, limit=64):
    """A short, printable excerpt of an API value (API data is untrusted)."""
    value = re.sub(r"[^\x20-\x7e\uac00-\ud7a3]", "?", str(value))
    return value if len(value) <= limit else value[:limit] + "..."


def check(name, expected, observed, status, advice=""):
    return {"name": name, "expected": expected, "observed": observed, "status": status, "advice": advice}


def unanswered(name, expected, answer):
    """A check whose answer cannot tell (no answer, rate limited, a server error): unknown."""
    return check(name, expected, answer.describe(), "unknown",
                 "The answer could not settle this check; run the module again in a minute.")


# --- running the requests -------------------------------------------------------------------------

def run(client):
    """Send the documented GETs (at most MAX_REQUESTS) and return (checks, summary)."""
    answers = {}
    for name, path, query in REQUESTS:
        answers[name] = ask(client, path, query)
        if name == "zones" and not answers[name].success:
            break   # refused or unreachable: the other requests would fail the same way
    if "security_groups" in answers and not answers["security_groups"].success:
        answers[DOCS_FIREWALL[0]] = ask(client, *DOCS_FIREWALL[1:])
    checks = evaluate(answers)
    return checks, summarize(checks, client.request_count)


def ask(client, path, query):
    try:
        sent, response = client.probe(path, query)
    except IwinvApiError as exc:
        return Answer(failure=text(exc.message, 200))
    try:
        body = response.json()
    except ValueError:
        body = None
    return Answer(response.status_code, body, response.headers, sent)


def evaluate(answers):
    zones = answers["zones"]
    checks = [check_signature(zones), check_clock(zones)]
    if not zones.success:
        not_run = "not run: the first request was not accepted"
        return checks + [check(name, "", not_run, "unknown", "Fix the signature check first.") for name in LATER_CHECKS]
    return checks + [
        check_envelope(zones),
        check_error_envelope(answers["unknown_image"], answers["unknown_instance"], answers["unknown_flavor"]),
        check_page_size_echo(answers["small_page"]),
        check_count_per_page(answers["small_page"]),
        check_page_size_cap(answers["large_page"]),
        check_fields_mask(answers["instances"]),
        check_statuses("instance_statuses", answers["instances"], INSTANCE_STATUSES, INSTANCE_ADVICE),
        check_statuses("block_storage_statuses", answers["block_storages"], VOLUME_STATUSES, VOLUME_ADVICE),
        check_not_found("unknown_instance", answers["unknown_instance"]),
        check_not_found("unknown_image", answers["unknown_image"]),
        check_not_found("unknown_flavor", answers["unknown_flavor"], empty_expected=True),
        check_firewall_family(answers["security_groups"], answers.get("firewall")),
        check_rate_limit_headers(answers.values()),
    ]


LATER_CHECKS = ("envelope", "error_envelope", "page_size_echo", "count_per_page", "page_size_cap", "fields_mask",
                "instance_statuses", "block_storage_statuses", "unknown_instance", "unknown_image", "unknown_flavor",
                "firewall_family",
                "rate_limit_headers")


def summarize(checks, request_count):
    summary = {status: sum(1 for c in checks if c["status"] == status) for status in ("ok", "differs", "unknown")}
    summary["requests"] = request_count
    return summary


# --- the checks ----------------------------------------------------------------------------------

def check_signature(answer):
    expected = "GET /v1/zones is accepted (HTTP 200, code 0x00, SUCCESS)"
    if answer.failure:
        return check("signature", expected, answer.describe(), "unknown",
                     "No answer from the API: check api_url, the network and any proxy between this controller and the API.")
    if answer.success:
        return check("signature", expected, answer.describe(), "ok")
    advice = ERROR_ADVICE.get(answer.error_code) or "The API refused the request: see the error code."
    return check("signature", expected, answer.describe(), "differs", advice[:1].upper() + advice[1:] + ".")


def check_clock(answer):
    expected = "the controller clock within %d s of the API server's Date header" % CLOCK_WARNING
    skew = clock_skew(answer.headers.get("date"), answer.sent) if answer.sent is not None else None
    if skew is None:
        return check("clock_offset", expected, "no usable Date header", "unknown",
                     "The API sent no Date header, so the clock cannot be compared.")
    direction = "ahead of" if skew > 0 else "behind"
    observed = "controller %d s %s the API server" % (abs(skew), direction) if skew else "no offset"
    if abs(skew) <= CLOCK_WARNING:
        return check("clock_offset", expected, observed, "ok")
    return check("clock_offset", expected, observed, "differs",
                 "Synchronise the controller's clock (NTP): the API refuses requests more than %d s off." % CLOCK_TOLERANCE)


def check_envelope(answer):
    expected = "{code: '0x00', error_code: 'SUCCESS', message, result: [...], count: rows in result}"
    body = answer.body
    problems = [key for key in ("code", "error_code", "message", "result", "count") if key not in body]
    if not isinstance(body.get("result"), list):
        problems.append("result is not a list")
    if isinstance(body.get("count"), int) and body["count"] != len(answer.rows):
        problems.append("count %s for %d rows" % (text(body["count"]), len(answer.rows)))
    if not problems:
        return check("envelope", expected, "as expected", "ok")
    return check("envelope", expected, "missing or different: " + ", ".join(problems), "differs", REPORT)


def check_error_envelope(*answers):
    """LIVE (DECISIONS.md D4): `result` an object with a nested numeric code, the message often Korean."""
    expected = "{code: '0x..', error_code: NAME, message: text (often Korean), result: {a nested numeric code, ...}}"
    errors = [answer for answer in answers if answer.status is not None and not answer.success and answer.error_code]
    if not errors:
        return check("error_envelope", expected, "no error answer to look at", "unknown",
                     "Both unknown ids were answered without an error, so no error envelope was seen.")
    body = errors[0].body
    result, message = body.get("result"), body.get("message")
    differences = []
    if not isinstance(result, dict):
        differences.append("result is %s" % ("missing" if result is None else "the string '%s'" % text(result, 20)
                                             if isinstance(result, str) else "a %s" % type(result).__name__))
    elif not any(isinstance(value, int) and not isinstance(value, bool) for value in result.values()):
        differences.append("result has no numeric code")
    if isinstance(message, str) and not HANGUL.search(message):
        differences.append("message not in Korean")
    if not differences:
        return check("error_envelope", expected, "as expected", "ok")
    return check("error_envelope", expected, ", ".join(differences), "differs",
                 TOLERATED + "Error messages are built from error_code, not from the API's message.")


def check_page_size_echo(answer):
    expected = "page_size echoed as the integer %d that was asked for" % SMALL_PAGE
    if not answer.success:
        return unanswered("page_size_echo", expected, answer)
    echoed = answer.field("page_size")
    observed = "page_size %s (%s)" % (text(repr(echoed)), type(echoed).__name__)
    if echoed == SMALL_PAGE:
        return check("page_size_echo", expected, observed, "ok")
    if as_int(echoed) == SMALL_PAGE:
        return check("page_size_echo", expected, observed, "differs", TOLERATED + "Paging fields are read as numbers or strings.")
    return check("page_size_echo", expected, observed, "differs",
                 "The echoed page size is not the one asked for; paging relies on it. " + REPORT)


def check_count_per_page(answer):
    expected = "count = the rows in this page, never a total"
    if not answer.success:
        return unanswered("count_per_page", expected, answer)
    count = answer.field("count")
    observed = "count %s for %d rows" % (text(repr(count)), len(answer.rows))
    if as_int(count) == len(answer.rows):
        return check("count_per_page", expected, observed, "ok")
    return check("count_per_page", expected, observed, "differs", TOLERATED + "Paging never relies on count.")


def check_page_size_cap(answer):
    expected = "a page of %d asked for: the server caps it and echoes the size it used" % LARGE_PAGE
    if not answer.success:
        return unanswered("page_size_cap", expected, answer)
    rows, echoed = len(answer.rows), as_int(answer.field("page_size"))
    total = as_int(answer.field("total"))
    observed = "%d rows, page_size %s echoed, total %s" % (rows, text(answer.field("page_size")), text(answer.field("total")))
    if echoed is not None and echoed < LARGE_PAGE and rows <= echoed:
        return check("page_size_cap", expected, "cap %d (echoed); " % echoed + observed, "ok")
    if echoed == LARGE_PAGE and total is not None and rows < total:
        return check("page_size_cap", expected, "cap %d, not echoed; " % rows + observed, "differs",
                     "The server caps pages at %d rows but echoes the size asked for. " % rows + REPORT)
    return check("page_size_cap", expected, "no cap seen; " + observed, "unknown",
                 "The list was too short to show a cap, and the echo does not tell one.")


def check_fields_mask(answer):
    expected = "fields=%s returns exactly %s" % (FIELDS_MASK, ", ".join(FIELDS_ASKED))
    if not answer.success:
        return unanswered("fields_mask", expected, answer)
    rows = [row for row in answer.rows if isinstance(row, dict)]
    if not rows:
        return check("fields_mask", expected, "no instance in the account", "unknown",
                     "Run the check again when the account has an instance.")
    returned = sorted(set().union(*(set(row) for row in rows)))
    observed = "attributes returned: " + ", ".join(text(name, 32) for name in returned[:20])
    if returned == sorted(FIELDS_ASKED):
        return check("fields_mask", expected, observed, "ok")
    missing = sorted(set(FIELDS_ASKED) - set(returned))
    advice = ("The collection needs %s from the instance list. " % ", ".join(missing) if missing else
              "The API returns more than asked for: answers are bigger, and secrets may be sent that the collection "
              "never asked for (it never returns them). ")
    return check("fields_mask", expected, observed, "differs", advice + REPORT)


INSTANCE_ADVICE = (TOLERATED + "An unknown instance status is treated as transitional: tasks wait on it until "
                   "wait_timeout. ")
VOLUME_ADVICE = (TOLERATED + "An unknown block storage status ending in 'ing' is treated as transitional, any other "
                 "as settled. ")


def check_statuses(name, answer, known, advice):
    expected = "statuses among " + ", ".join(known)
    if not answer.success:
        return unanswered(name, expected, answer)
    seen = sorted(set(text(row.get("status"), 32) for row in answer.rows if isinstance(row, dict)))
    if not seen:
        return check(name, expected, "nothing to look at", "unknown", "No resource of this kind in the account.")
    observed = "seen: " + ", ".join(seen[:20])
    others = [status for status in seen if status not in known]
    if not others:
        return check(name, expected, observed, "ok")
    return check(name, expected, observed, "differs", advice + "Unknown: %s. " % ", ".join(others[:20]) + REPORT)


def check_not_found(name, answer, empty_expected=False):
    """D4: an unknown id is 400 ID_INVALID (flavors: 200 []); the other answer is tolerated."""
    invalid = answer.status == 400 and answer.error_code == "ID_INVALID"
    empty = answer.success and not answer.rows
    expected = "HTTP 200 with an empty result" if empty_expected else "HTTP 400 ID_INVALID"
    observed = "HTTP %s with an empty result" % answer.status if empty else answer.describe()
    if (empty, invalid) == (empty_expected, not empty_expected):
        return check(name, expected, observed, "ok")
    if empty or invalid:
        return check(name, expected, observed, "differs", TOLERATED + "Both answers mean 'does not exist'.")
    if answer.failure or answer.status == 429 or (answer.status or 0) >= 500:
        return unanswered(name, expected, answer)
    return check(name, expected, observed, "differs",
                 "An unknown id should read as 'does not exist'; this answer would fail tasks instead. " + REPORT)


def check_firewall_family(security_groups, firewall):
    """D1: which firewall family answered; the firewall modules speak both (firewall_api)."""
    expected = "GET /v1/security-groups answers (DECISIONS.md D1b, the family seen live)"
    if security_groups.success:
        return check("firewall_family", expected, "/v1/security-groups: " + security_groups.describe(), "ok")
    observed = "/v1/security-groups: %s; /v1/firewall: %s" % (security_groups.describe(), firewall.describe())
    if firewall.success and security_groups.status == 404 and security_groups.error_code == "NOT_FOUND":
        return check("firewall_family", expected, observed, "differs",
                     TOLERATED + "This API serves only /v1/firewall (the docs' family, D1a): "
                     "iwinv.cloud.iwinv_firewall and iwinv.cloud.iwinv_firewall_info use it (firewall_api=auto finds "
                     "it; firewall_api=firewall pins it). " + REPORT)
    return check("firewall_family", expected, observed, "unknown",
                 "Neither firewall family answered as firewall_api=auto expects; the account may have no access to "
                 "firewalls. " + REPORT)


def check_rate_limit_headers(answers):
    expected = "no rate-limit headers (none are documented)"
    found = {}
    for answer in answers:
        for name, value in answer.headers.items():
            if RATE_HEADER.search(name):
                found[text(name, 40)] = text(value, 40)
    if not found:
        return check("rate_limit_headers", expected, "none", "ok")
    observed = ", ".join("%s: %s" % item for item in sorted(found.items())[:10])
    return check("rate_limit_headers", expected, observed, "differs",
                 "Informational: the collection paces itself at rate_limit requests per minute and does not read "
                 "these headers yet. " + REPORT)
