# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""iwinv_api_check: a few GET requests, and how their answers compare with what the collection expects.

Every check is a function of the answers (no request of its own), so each can be tested alone. The expectations
are what the collection is written for (seen on the live API where "LIVE" says so); where the collection copes
with the other answer too, a difference is reported as `differs` with the words "tolerated": the report is still
worth sending.
Answers are API data: only short, printable excerpts (statuses, attribute and header names) reach the result,
never a body, and the requests never ask for the default account or the console. `make_record` turns the answers
into the sanitized record of the `record` option: statuses, error codes, field names and types, paging echoes.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import re

from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
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
COLLECTION_PAGE = 100   # the size every list of the collection asks for first
FALLBACK_PAGE = 50      # the size it lists with again after a CHECK_PARAM
# name -> (path, query); the docs' firewall family is asked only when the observed one (security groups) fails.
REQUESTS = (
    ("zones", "/v1/zones", None),
    ("small_page", "/v1/flavors", {"page_no": 1, "page_size": SMALL_PAGE}),
    ("large_page", "/v1/flavors", {"page_no": 1, "page_size": LARGE_PAGE}),
    ("instances", "/v1/instances", {"page_no": 1, "page_size": COLLECTION_PAGE, "fields": FIELDS_MASK}),
    ("block_storages", "/v1/block-storages", None),
    ("unknown_instance", "/v1/instances/" + UNKNOWN_ID, None),
    ("unknown_image", "/v1/images/" + UNKNOWN_ID, None),
    ("unknown_flavor", "/v1/flavors/" + UNKNOWN_ID, None),
    ("security_groups", "/v1/security-groups", {"page_no": 1, "page_size": 1}),
    ("user_scripts", "/v1/instance/script", {"page_no": 1, "page_size": 1}),
    ("bills", "/v1/bill", {"page_no": 1, "page_size": 1}),
)
# Follow-ups, each sent only when an earlier answer calls for it (follow_ups()).
DOCS_FIREWALL = ("firewall", "/v1/firewall", {"page_no": 1, "page_size": 1})
INSTANCES_FALLBACK = ("instances_fallback", "/v1/instances",
                      {"page_no": 1, "page_size": FALLBACK_PAGE, "fields": FIELDS_MASK})
BILL_DETAIL = "bill_detail"
MAX_REQUESTS = len(REQUESTS) + 3
BILL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

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
    """Send the documented GETs (at most MAX_REQUESTS) and return (checks, summary, answers)."""
    answers = {}
    for name, path, query in REQUESTS:
        answers[name] = ask(client, path, query)
        if name == "zones" and not answers[name].success:
            break   # refused or unreachable: the other requests would fail the same way
    else:
        for name, path, query in follow_ups(answers):
            answers[name] = ask(client, path, query)
    checks = evaluate(answers)
    return checks, summarize(checks, client.request_count), answers


def follow_ups(answers):
    """The requests the first answers call for: the docs' firewall family, a smaller page, one bill's detail."""
    requests = []
    if not answers["security_groups"].success:
        requests.append(DOCS_FIREWALL)
    if refused_page_size(answers["instances"]):
        requests.append(INSTANCES_FALLBACK)
    bill_id = first_bill_id(answers["bills"])
    if bill_id:
        requests.append((BILL_DETAIL, "/v1/bill/" + bill_id, None))
    return requests


def refused_page_size(answer):
    return answer.status == 400 and answer.error_code == "CHECK_PARAM"


def first_bill_id(answer):
    """The first bill's id, when it is safe to put in a path (API data); else None."""
    row = answer.rows[0] if answer.success and answer.rows else None
    bill_id = row.get("bill_id") if isinstance(row, dict) else None
    return bill_id if isinstance(bill_id, str) and BILL_ID.fullmatch(bill_id) else None


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
    instances = answers.get("instances_fallback") or answers["instances"]
    return checks + [
        check_envelope(zones),
        check_error_envelope(answers["unknown_image"], answers["unknown_instance"], answers["unknown_flavor"]),
        check_page_size_echo(answers["small_page"]),
        check_count_per_page(answers["small_page"]),
        check_page_size_cap(answers["large_page"]),
        check_fields_mask(instances),
        check_statuses("instance_statuses", instances, INSTANCE_STATUSES, INSTANCE_ADVICE),
        check_statuses("block_storage_statuses", answers["block_storages"], VOLUME_STATUSES, VOLUME_ADVICE),
        check_not_found("unknown_instance", answers["unknown_instance"]),
        check_not_found("unknown_image", answers["unknown_image"]),
        check_not_found("unknown_flavor", answers["unknown_flavor"], empty_expected=True),
        check_firewall_family(answers["security_groups"], answers.get("firewall")),
        check_user_script_list(answers["user_scripts"]),
        check_bill_detail(answers["bills"], answers.get(BILL_DETAIL)),
        check_supporting_images(answers["small_page"], answers["large_page"]),
        check_volume_paging(answers["block_storages"]),
        check_page_size_limit(answers["instances"], answers.get("instances_fallback")),
        check_rate_limit_headers(answers.values()),
    ]


LATER_CHECKS = ("envelope", "error_envelope", "page_size_echo", "count_per_page", "page_size_cap", "fields_mask",
                "instance_statuses", "block_storage_statuses", "unknown_instance", "unknown_image", "unknown_flavor",
                "firewall_family", "user_script_list", "bill_detail", "supporting_images", "volume_paging",
                "page_size_limit", "rate_limit_headers")


def summarize(checks, request_count):
    summary = {status: sum(1 for c in checks if c["status"] == status) for status in ("ok", "differs", "unknown")}
    summary["requests"] = request_count
    return summary


# --- the checks ----------------------------------------------------------------------------------

def check_signature(answer):
    expected = "GET /v1/zones is accepted (HTTP 200, code 0x00, SUCCESS)"
    if answer.failure:
        return check("signature", expected, answer.describe(), "unknown",
                     "No answer from the API: check api_url, the network and any proxy between this controller and "
                     "the API.")
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
                 "Synchronise the controller's clock (NTP): the API refuses requests more than %d s off."
                 % CLOCK_TOLERANCE)


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
    """LIVE: `result` is an object with a nested numeric code; the string "error" (or none) is tolerated."""
    expected = "{code: '0x..', error_code: NAME, message: often Korean text, result: {nested numeric code, ...}}"
    errors = [answer for answer in answers if answer.status is not None and not answer.success and answer.error_code]
    if not errors:
        return check("error_envelope", expected, "no error answer to look at", "unknown",
                     "The unknown ids were answered without an error, so no error envelope was seen.")
    body = errors[0].body
    result, message = body.get("result"), body.get("message")
    language = "message in Korean" if isinstance(message, str) and HANGUL.search(message) else "message not in Korean"
    if isinstance(result, dict):
        keys = ", ".join(text(key, 24) for key in sorted(map(str, result))[:8])
        return check("error_envelope", expected, "result is an object (%s), %s" % (keys, language), "ok")
    shape = "missing" if result is None else "the string %s" % text(repr(result), 24) if isinstance(result, str) \
        else "a %s" % type(result).__name__
    return check("error_envelope", expected, "result is %s, %s" % (shape, language), "differs",
                 TOLERATED + "Error messages are built from error_code, not from the API's message or result.")


def check_page_size_echo(answer):
    expected = "page_size echoed as the integer %d that was asked for" % SMALL_PAGE
    if not answer.success:
        return unanswered("page_size_echo", expected, answer)
    echoed = answer.field("page_size")
    observed = "page_size %s (%s)" % (text(repr(echoed)), type(echoed).__name__)
    if echoed == SMALL_PAGE:
        return check("page_size_echo", expected, observed, "ok")
    if as_int(echoed) == SMALL_PAGE:
        return check("page_size_echo", expected, observed, "differs",
                     TOLERATED + "Paging fields are read as numbers or strings.")
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
    if refused_page_size(answer):
        return check("page_size_cap", expected, "refused: " + answer.describe(), "differs",
                     TOLERATED + "Large page sizes are refused rather than cut: see page_size_limit.")
    if not answer.success:
        return unanswered("page_size_cap", expected, answer)
    rows, echoed = len(answer.rows), as_int(answer.field("page_size"))
    total = as_int(answer.field("total"))
    observed = "%d rows, page_size %s echoed, total %s" % (
        rows, text(answer.field("page_size")), text(answer.field("total")))
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
    """An unknown id is 400 ID_INVALID (flavors: 200 []); the other answer is tolerated."""
    invalid = answer.status == 400 and answer.error_code == "ID_INVALID"
    empty = answer.success and not answer.rows
    expected = "HTTP 200 with an empty result" if empty_expected else "HTTP 400 ID_INVALID"
    observed = "HTTP %s with an empty result" % answer.status if empty else answer.describe()
    if (empty, invalid) == (empty_expected, not empty_expected):
        return check(name, expected, observed, "ok")
    if empty or invalid:
        return check(name, expected, observed, "differs", TOLERATED + "Both answers mean 'does not exist'.")
    if inconclusive(answer):
        return unanswered(name, expected, answer)
    return check(name, expected, observed, "differs",
                 "An unknown id should read as 'does not exist'; this answer would fail tasks instead. " + REPORT)


def check_firewall_family(security_groups, firewall):
    """Which firewall family answered; the firewall modules speak both (firewall_api)."""
    expected = "GET /v1/security-groups answers (the family seen live)"
    if security_groups.success:
        return check("firewall_family", expected, "/v1/security-groups: " + security_groups.describe(), "ok")
    observed = "/v1/security-groups: %s; /v1/firewall: %s" % (security_groups.describe(), firewall.describe())
    if firewall.success and security_groups.status == 404 and security_groups.error_code == "NOT_FOUND":
        return check("firewall_family", expected, observed, "differs",
                     TOLERATED + "This API serves only /v1/firewall (the docs' family): "
                     "iwinv.cloud.iwinv_firewall and iwinv.cloud.iwinv_firewall_info use it (firewall_api=auto finds "
                     "it; firewall_api=firewall pins it). " + REPORT)
    return check("firewall_family", expected, observed, "unknown",
                 "Neither firewall family answered as firewall_api=auto expects; the account may have no access to "
                 "firewalls. " + REPORT)


def check_user_script_list(answer):
    """LIVE: the user-script list answers 404; user scripts are then given by id."""
    return served_or_refused(
        "user_script_list", "GET /v1/instance/script answers HTTP 404 (LIVE): user scripts are given by id",
        answer, answer.status == 404,
        "This API serves the user-script list, so a user script can be given by name too. ",
        "Neither the list nor the 404 seen before: give user scripts by id. ")


def check_bill_detail(bills, detail):
    """LIVE: a bill's detail answers 403 CHECK_IP while the bill list works with the same key."""
    expected = "GET /v1/bill/{id} answers HTTP 403 CHECK_IP (LIVE) while the bill list works"
    if not bills.success:
        return check("bill_detail", expected, "bill list: " + bills.describe(), "unknown",
                     "The bill list was not answered, so no bill could be asked for.")
    if detail is None:
        why = "a bill id this check does not send" if bills.rows else "no bill in the account"
        return check("bill_detail", expected, "bill list: %s (%s)" % (bills.describe(), why), "unknown",
                     "No bill to ask for: nothing to compare.")
    return served_or_refused(
        "bill_detail", expected, detail, detail.status == 403 and detail.error_code == "CHECK_IP",
        "This API serves bill details: iwinv_bill_info with id returns the bill's lines. ",
        "iwinv_bill_info with id falls back to the bill's row in the list. ")


def served_or_refused(name, expected, answer, refused_as_seen, served_advice, other_advice):
    """A point where the API was seen refusing what the docs offer: that refusal (ok), the service (tolerated)."""
    if refused_as_seen:
        return check(name, expected, answer.describe(), "ok")
    if answer.success:
        return check(name, expected, "served: " + answer.describe(), "differs", TOLERATED + served_advice + REPORT)
    if inconclusive(answer):
        return unanswered(name, expected, answer)
    return check(name, expected, answer.describe(), "differs", other_advice + REPORT)


def inconclusive(answer):
    """No answer, rate limited or a server error: the answer says nothing about the point checked."""
    return bool(answer.failure) or answer.status == 429 or (answer.status or 0) >= 500


def check_supporting_images(*answers):
    """Flavor rows carry no supporting_images (only a third-party dashboard shows it); tolerate both."""
    expected = "flavor rows without supporting_images: the API decides which images a flavor takes"
    rows = [row for answer in answers for row in answer.rows if isinstance(row, dict)]
    if not rows:
        return check("supporting_images", expected, "no flavor row to look at", "unknown",
                     "The flavor list was not answered or is empty.")
    carrying = sum(1 for row in rows if "supporting_images" in row)
    observed = "%d of %d flavor rows carry supporting_images" % (carrying, len(rows))
    if not carrying:
        return check("supporting_images", expected, observed, "ok")
    return check("supporting_images", expected, observed, "differs",
                 TOLERATED + "A flavor's images are checked before a create, a rebuild or a resize is sent. " + REPORT)


def check_volume_paging(answer):
    """The volume list is unpaginated in the docs; tolerate paging fields (the collection pages on)."""
    expected = "the block storage list unpaginated (no page_no or page_size in the answer)"
    if not answer.success:
        return unanswered("volume_paging", expected, answer)
    echoed = ["%s %s" % (key, text(repr(answer.field(key)), 16)) for key in ("page_no", "page_size")
              if key in answer.body]
    if not echoed:
        return check("volume_paging", expected, "no paging fields, %d rows" % len(answer.rows), "ok")
    return check("volume_paging", expected, ", ".join(echoed) + ", %d rows" % len(answer.rows), "differs",
                 TOLERATED + "The volume list is paged on like the other lists. " + REPORT)


def check_page_size_limit(first, fallback):
    """Sizes up to 50 were seen LIVE, 100 never; a CHECK_PARAM on 100 is tolerated by listing with 50."""
    expected = "a list page of %d rows (the collection's page size) is accepted" % COLLECTION_PAGE
    if first.success:
        return check("page_size_limit", expected, "page_size %d accepted" % COLLECTION_PAGE, "ok")
    if not refused_page_size(first):
        return unanswered("page_size_limit", expected, first)
    observed = "page_size %d: %s; page_size %d: %s" % (COLLECTION_PAGE, first.describe(), FALLBACK_PAGE,
                                                       fallback.describe())
    if fallback.success:
        return check("page_size_limit", expected, observed, "differs",
                     TOLERATED + "Lists are asked again with %d rows a page. " % FALLBACK_PAGE + REPORT)
    return check("page_size_limit", expected, observed, "differs",
                 "Lists are refused at %d rows a page too: tasks that list will fail. " % FALLBACK_PAGE + REPORT)


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
