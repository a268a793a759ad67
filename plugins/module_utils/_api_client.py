# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iwinv API client: sign, pace, send, retry what is safe, decode the envelope, page.

Nothing above this file spells a header, parses an envelope or decides what may be retried.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import ipaddress
import json
import random
import re
import ssl
import time
from urllib.parse import urlsplit

from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._api_pacer import FLIGHT_MARGIN, FilePacer

try:
    import requests
    import urllib3
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the module glue
    requests = urllib3 = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

COLLECTION_VERSION = "2.0.0"
USER_AGENT = "iwinv.cloud/%s (Ansible collection)" % COLLECTION_VERSION
DEFAULT_API_URL = "https://api-kr.iwinv.kr"

MAX_RETRIES = 8
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0
CLOCK_TOLERANCE = 300
# Paging: the API always serves pages of its default size 10 (LIVE), so a shorter page is the last one; a page
# that is full by that measure but shorter than asked may be a lower cap than the echoed page_size admits.
SERVED_PAGE_SIZE = 10
MAX_PAGES = 1000
# Lists ask LIST_PAGE_SIZE rows a page. Sizes 1, 2, 10 and 50 were used LIVE, 100 never: a CHECK_PARAM on a larger
# size lists again at FALLBACK_PAGE_SIZE, and this process asks that size at once from then on (per API URL).
LIST_PAGE_SIZE = 100
FALLBACK_PAGE_SIZE = 50
SMALLER_PAGES = set()   # the API URLs that refused LIST_PAGE_SIZE in this process
# API text that reaches a message: control characters out, and no longer than this.
MAX_API_TEXT = 300
STALE_TIMESTAMP_CODES = ("CHECK_SIGNATURE",)
LOOPBACK_NAMES = ("localhost",)

# Words for the error codes whose API message is not enough to act on (messages may be Korean).
ERROR_ADVICE = {
    "CHECK_CREDENTIAL": "the API did not accept the access key (credential): check access_key",
    "INVALID_SIGNATURE": "the API rejected the request signature: check that secret_key belongs to access_key",
    "CHECK_SIGNATURE": "the API rejected the signature headers or their timestamp: check secret_key and the controller "
                       "clock",
    # LIVE: not always the allowlist (every bill detail answered CHECK_IP while other requests with the key worked).
    "CHECK_IP": "the API refused this request with CHECK_IP: when every request fails so, this controller's IP address "
                "is probably not in the API key's IP allowlist (add it in the iwinv console); when other requests with "
                "this key work, the API refuses this one for a reason it does not name",
    "CHECK_REQUEST_IP": "this controller's IP address is not allowed for the API key: check the key's IP allowlist in "
                        "the iwinv console",
    "CIDR_NOT_REGISTERED": "this controller's IP address is not registered in the API key's IP allowlist",
    "LIMIT_EXCEEDED": "a limit was exceeded",
    "DELETED_OR_WORKING_INSTANCE": "the instance is deleted or busy with another operation",
    "DEV_CHECK_RETURN": "the API refused the operation (it may be restricted in this zone or for this account)",
    "CHECK_CONSOLE": "this action must be completed in the iwinv web console",
}

# What the other codes of the API's error catalog say, so that a message never depends on the language of
# the API's own text (LIVE: often Korean), which follows these words.
ERROR_WORDS = {
    "NOT_FOUND": "the API found no such resource or endpoint",
    "CIDR_NOT_VALID": "the API refused a malformed IPv4 network",
    "IPV6_NOT_SUPPORTED": "the API does not take IPv6 addresses",
    "REQUIRED_GET_PARAM_MISSING": "the API misses a required query parameter",
    "REQUIRED_POST_PARAM_MISSING": "the API misses a required field",
    "UNAVAILABLE_FLAVOR": "the API refused the flavor",
    "CHECK_PARAM": "the API refused a parameter value",
    "CHECK_PARAM_ENUM": "the API refused a value outside its allowed set",
    "UNAVAILABLE_COMBINATION": "the API refused the combination of zone, flavor and image (or volume type)",
    "CHECK_LENGTH": "the API refused a text of this length",
    "UNAVAILABLE_SSH_KEY": "the API refused the SSH key",
    "EMPTY_SET": "the API found nothing that matches",
    "IN_USE": "the API refused: the resource is in use",
    "ID_INVALID": "the API knows no such id",
}


class IwinvApiError(IwinvError):
    """An answer of the API that is not a success, or no usable answer at all.

    Carries what a person needs to act on it, and never a header, key or signature.
    """

    def __init__(self, message, status=None, code=None, error_code=None, method=None, path=None, api_message=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.error_code = error_code
        self.method = method
        self.path = path
        self.api_message = api_message

    @property
    def not_found(self):
        return self.error_code == "ID_INVALID"

    def to_dict(self):
        return {
            "status": self.status,
            "code": self.code,
            "error_code": self.error_code,
            "message": self.api_message if self.api_message is not None else self.message,
            "method": self.method,
            "path": self.path,
        }


class IwinvAmbiguousWriteError(IwinvApiError):
    """A write whose outcome is unknown: the server may have executed it.

    Callers reconcile by reading the resource back; they never send the write again. `answered` is true when
    the API did answer, with an error envelope that names a reason (a 5xx such as DEV_CHECK_RETURN): that is the
    API's refusal, which one read-back confirms (TaskRun.reconcile), not a lost answer.
    """

    answered = False


# One path segment: every constant and every interpolated id (API ids are ASCII; names may not be).
MAX_ID_LENGTH = 128
SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,%d}" % (MAX_ID_LENGTH - 1))


def is_path_safe_id(value):
    """Whether a value can stand in a signed path as it is: a full match, so no trailing newline slips through."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return False
    return SAFE_SEGMENT.fullmatch(str(value)) is not None


def id_problem(value):
    """What keeps `value` from being an id by the rule of api_path, or None when it is one (for option checks)."""
    if is_path_safe_id(value):
        return None
    text = str(value)
    if not text:
        return "it is empty"
    # The first character that the rule refuses where it stands (the first one has a narrower set).
    position = next((index for index, char in enumerate(text)
                     if not SAFE_SEGMENT.fullmatch(("_" if index else "") + char)), None)
    if position is None:
        return "it is %d characters long; an id has at most %d" % (len(text), MAX_ID_LENGTH)
    where = "at the end" if position == len(text) - 1 else "at position %d" % (position + 1)
    return "it holds %r %s; an id has only letters, digits, '_', '.' and '-' (and starts with neither '.' nor '-')" % (
        text[position], where)


def api_path(base, *segments):
    """`base`/`segment`/...: every segment (ids from the user or the API included) checked as a whole path segment."""
    for segment in segments:
        if not is_path_safe_id(segment):
            raise IwinvError("refusing to put %s in an API request path: an id has only letters, digits, '_', '.' "
                             "and '-'" % ascii(segment))
    return "/".join((base,) + tuple(str(segment) for segment in segments))


def sign(secret_key, timestamp, path):
    """The X-iwinv-Signature of a request: HMAC-SHA256 over timestamp + path (no query)."""
    message = (str(timestamp) + path).encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def check_path(path):
    """Reject paths the API cannot verify before sending them: the signature covers the path exactly as sent.

    Every segment after /v1/ is checked, so an id from the API or the user that holds a slash, a dot segment,
    a newline or any other character outside [A-Za-z0-9_.-] never reaches a request.
    """
    segments = path.split("/")[2:] if path.startswith("/v1/") else []
    bad = [segment for segment in segments if not is_path_safe_id(segment)]
    if not segments or bad:
        raise IwinvError("invalid API path %s: it must be /v1/ followed by segments of letters, digits, '_', '.' and "
                         "'-'%s" % (ascii(path), " (bad segment %s)" % ascii(bad[0]) if bad else ""))


def check_api_url(api_url):
    """The API URL without a trailing slash, or IwinvError: https, or http only to a loopback host (the emulator)."""
    url = (api_url or DEFAULT_API_URL).strip().rstrip("/")
    parts = urlsplit(url)
    problem = None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        problem = "it must be an https:// URL"
    elif parts.username is not None or parts.password is not None or parts.query or parts.fragment or "#" in url:
        problem = "it must not hold credentials, a query or a fragment"
    elif parts.path:
        problem = "it must not hold a path (the API signs the path from /v1/ on)"
    elif parts.scheme == "http" and not is_loopback(parts.hostname):
        problem = ("plain http:// would send every request unencrypted; use https:// (http:// only reaches loopback "
                   "hosts)")
    if problem:
        raise IwinvError("api_url %s is not allowed: %s" % (clean_api_text(url), problem))
    return url


def is_loopback(hostname):
    if hostname.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        return False


def clean_api_text(text, limit=MAX_API_TEXT):
    """Text from the API (or anything it chose) safe for a terminal: no control characters, bounded length."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", str(text)).strip()
    return text if len(text) <= limit else text[:limit] + "..."


def backoff_delay(attempt, rng=random.random):
    """Exponential backoff with jitter: about 1, 2, 4 ... seconds, capped, never all in step."""
    ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * (2 ** attempt))
    return ceiling / 2 + rng() * ceiling / 2


def retry_after_seconds(value, now):
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when.timestamp() - now, 0.0), RETRY_AFTER_CAP)


def clock_skew(date_header, sent_timestamp):
    """Seconds by which the controller clock is ahead of the server (negative: behind), or None."""
    if not date_header:
        return None
    try:
        server = email.utils.parsedate_to_datetime(date_header).timestamp()
    except (TypeError, ValueError):
        return None
    return int(round(sent_timestamp - server))


def as_int(value, default=None):
    """Integers the API sometimes spells as strings (page_no, page_size in bills)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _no_ambient_auth(prepared_request):
    """requests auth hook: an auth of our own keeps requests from adding one from ~/.netrc (or $NETRC)."""
    prepared_request.headers.pop("Authorization", None)
    return prepared_request


_NO_AMBIENT_AUTH = _no_ambient_auth


class IwinvClient:
    """One client per module run or inventory parse; reuses its HTTP connection (keep-alive)."""

    def __init__(self, access_key, secret_key, api_url=DEFAULT_API_URL, validate_certs=True, timeout=30,
                 rate_limit=60, session=None, pacer=None, clock=time.time, sleep=time.sleep, rng=random.random,
                 warn=None, catalog_cache=None):
        self.access_key = access_key
        self._secret_key = secret_key
        self.api_url = check_api_url(api_url)
        self.host = urlsplit(self.api_url).hostname
        self.validate_certs = validate_certs
        if not validate_certs and warn is not None:
            warn("validate_certs is false: the API server's TLS certificate is not verified, so anyone on the network "
                 "path can read and alter the signed requests")
        self.timeout = timeout
        self.session = session if session is not None else requests.Session()
        if pacer is None:
            pacer = FilePacer(access_key, rate_limit, clock=clock, sleep=sleep, api_url=self.api_url, warn=warn,
                              flight=timeout + FLIGHT_MARGIN)
        self.pacer = pacer
        self.clock = clock
        self.sleep = sleep
        self.rng = rng
        self.request_count = 0
        self.catalog_cache = catalog_cache  # a CatalogCache for name resolution, or None

    def __repr__(self):
        return "IwinvClient(api_url=%r, access_key=%r)" % (self.api_url, self.access_key)

    # --- the verbs -------------------------------------------------------------------------------

    def get_envelope(self, path, query=None):
        return self.request("GET", path, query=query)

    def get(self, path, query=None):
        return result_rows(self.get_envelope(path, query), "GET", path)

    def post(self, path, form=None, json=None, query=None):
        return result_rows(self.request("POST", path, query=query, form=form, json_body=json), "POST", path)

    def put(self, path, form=None, json=None, query=None):
        return result_rows(self.request("PUT", path, query=query, form=form, json_body=json), "PUT", path)

    def delete(self, path):
        return result_rows(self.request("DELETE", path), "DELETE", path)

    def get_detail(self, collection, resource_id, query=None):
        """The row of one resource from its detail endpoint (`collection`/`resource_id`), or None when there is none.

        Endpoints disagree on "not found" (200 [] or 400 ID_INVALID): both mean None. An id that
        cannot stand in a signed path as it is cannot exist either, and costs no request.
        """
        if not is_path_safe_id(resource_id):
            return None
        try:
            rows = self.get("%s/%s" % (collection, resource_id), query=query)
        except IwinvApiError as exc:
            if exc.not_found:
                return None
            raise
        return rows[0] if rows else None

    def paginate(self, path, query=None, page_size=None, documented_unpaginated=False):
        """Every row of a paginated list, or an error: never a partial list (a missed row becomes a duplicate).

        A page ends the list when it is empty, or shorter than what the server has shown it serves: the largest
        page received so far, and the size it echoes when below the one asked, else the 10 rows it always serves.
        A server may cap pages below page_size while echoing page_size (`count` is page-local), so a page that
        is full by that measure is followed by one more. A page seen before (page_no ignored) or more than
        MAX_PAGES pages fail.

        `documented_unpaginated`: a list its docs call unpaginated (the volume list), read by
        _documented_list: its first request is the documented one, without page_no or page_size.
        """
        if documented_unpaginated:
            return self._documented_list(path, query)
        return self._at_page_size(lambda size: self._all_pages(path, query, size), page_size)

    def first_page(self, path, query=None, page_size=None):
        """The rows of a list's first page: one request (two when the page size is refused, see _at_page_size)."""
        return self._at_page_size(lambda size: self._page(path, query, 1, size)[1], page_size)

    def _at_page_size(self, read, page_size=None):
        """read(size) at the page size this process asks (page_size, else LIST_PAGE_SIZE).

        A 400 CHECK_PARAM on a size above FALLBACK_PAGE_SIZE reads again at that size, and once that worked
        every later list of this process to this API asks it at once. Any other error is the answer.
        """
        size = page_size or LIST_PAGE_SIZE
        if self.api_url in SMALLER_PAGES:
            size = min(size, FALLBACK_PAGE_SIZE)
        if size <= FALLBACK_PAGE_SIZE:
            return read(size)
        try:
            return read(size)
        except IwinvApiError as exc:
            if not is_check_param(exc):
                raise
        result = read(FALLBACK_PAGE_SIZE)
        SMALLER_PAGES.add(self.api_url)
        return result

    def _page(self, path, query, page_no, page_size):
        envelope = self.get_envelope(path, dict(query or {}, page_no=page_no, page_size=page_size))
        return envelope, result_rows(envelope, "GET", path)

    def _documented_list(self, path, query):
        """A documented-unpaginated list: the documented request (no paging parameters, so a server that refuses
        unknown ones still answers), whose answer is the whole list unless it shows paging.

        An answer with paging fields is paged on from page 2 at the page_size it echoes (else its row count). One
        without them but of SERVED_PAGE_SIZE rows or more may be a full page at a default size nobody documents:
        page 2 is asked at that row count, and an empty page 2, a repeat of page 1 (paging ignored) or a 400
        CHECK_PARAM (paging parameters refused) mean page 1 was the whole list.
        """
        envelope = self.get_envelope(path, query)
        page = result_rows(envelope, "GET", path)
        if not page:
            return page
        if has_paging_fields(envelope):
            echoed = as_int(envelope.get("page_size"), 0)
            size = echoed if echoed > 0 else len(page)
            return self._all_pages(path, query, size, read=[(envelope, page)])
        if len(page) < SERVED_PAGE_SIZE:
            return page
        second = self._unasked_page_two(path, query, len(page))
        if second is None or not second[1] or second[1] == page:
            return page
        return self._all_pages(path, query, len(page), read=[(envelope, page), second])

    def _unasked_page_two(self, path, query, page_size):
        """Page 2 of a list whose docs have no paging parameters; None when the server refuses them."""
        try:
            return self._page(path, query, 2, page_size)
        except IwinvApiError as exc:
            if is_check_param(exc):
                return None
            raise

    def _all_pages(self, path, query, page_size, read=()):
        """paginate() at one page size; `read`: the (envelope, rows) of the first pages, already received."""
        rows, earlier, largest = [], {}, 0
        for page_no in range(1, MAX_PAGES + 1):
            if page_no <= len(read):
                envelope, page = read[page_no - 1]
            else:
                envelope, page = self._page(path, query, page_no, page_size)
            if not page:
                return rows
            repeated = repeated_page(earlier, page, page_no)
            if repeated:
                raise paging_error(path, "page %d repeats page %d (the server ignores page_no)" % (page_no, repeated))
            rows.extend(page)
            if len(page) < max(largest, served_size(envelope, page_size)):
                return rows
            largest = max(largest, len(page))
        raise paging_error(path, "the list has more than %d pages of %d" % (MAX_PAGES, page_size))

    # --- one request, with pacing and retries ----------------------------------------------------

    def request(self, method, path, query=None, form=None, json_body=None):
        check_path(path)
        is_read = method == "GET"
        attempt = 0
        while True:
            try:
                return self._send_once(method, path, query, form, json_body)
            except _Retryable as retry:
                if retry.error.status == 429 or retry.error.error_code == "LIMIT_EXCEEDED":
                    self.pacer.limited()
                if attempt >= MAX_RETRIES or not (is_read or retry.safe_for_writes):
                    raise retry.final_error(ambiguous=not is_read and not retry.safe_for_writes)
                self.sleep(retry.wait if retry.wait is not None else backoff_delay(attempt, self.rng))
                attempt += 1

    def probe(self, path, query=None):
        """One paced, signed GET and its answer as it came: (timestamp sent, response); no retry, no decoding.

        For iwinv_api_check, which looks at statuses and headers themselves. No answer raises IwinvApiError.
        """
        check_path(path)
        try:
            return self._exchange("GET", path, query, None, None)
        except _Retryable as failure:
            raise failure.error

    def _send_once(self, method, path, query, form, json_body):
        timestamp, response = self._exchange(method, path, query, form, json_body)
        return self._decode(response, method, path, timestamp)

    def _exchange(self, method, path, query, form, json_body):
        ticket = self.pacer.acquire()
        try:
            return self._send(method, path, query, form, json_body)
        finally:
            self.pacer.done(ticket)   # answered or failed: the request reached the API by now, if ever

    def _send(self, method, path, query, form, json_body):
        timestamp = str(int(self.clock()))
        headers = {
            "X-iwinv-Timestamp": timestamp,
            "X-iwinv-Credential": self.access_key,
            "X-iwinv-Signature": sign(self._secret_key, timestamp, path),
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        # No redirect is followed (the signature would go with it) and no credential from ~/.netrc is added;
        # proxies and CA bundles from the environment still apply.
        kwargs = {"headers": headers, "params": query, "timeout": self.timeout, "verify": self.validate_certs,
                  "allow_redirects": False, "auth": _NO_AMBIENT_AUTH}
        if form is not None:
            # requests builds multipart/form-data from (filename, value) pairs; None = a plain field.
            kwargs["files"] = [(name, (None, str(value))) for name, value in form.items()]
        elif json_body is not None:
            kwargs["json"] = json_body
        self.request_count += 1
        try:
            response = self.session.request(method, self.api_url + path, **kwargs)
        except requests.exceptions.RequestException as exc:
            raise connection_failure(exc, method, path, self.host)
        return int(timestamp), response

    def _decode(self, response, method, path, timestamp):
        status = response.status_code
        if 300 <= status < 400:
            raise redirect_error(response, method, path, self.host)
        body = parse_json(response)
        if 200 <= status < 300 and is_success(body):
            return body
        error = api_error(status, body, method, path)
        if 200 <= status < 300 and not is_envelope(body):
            # A success status with an answer that cannot be read: a write may have been executed.
            raise _Retryable(error, safe_for_writes=False)
        if status == 429 or (method == "GET" and error.error_code == "LIMIT_EXCEEDED"):
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.clock())
            raise _Retryable(error, safe_for_writes=status == 429, wait=wait)
        if status >= 500:
            raise _Retryable(error, safe_for_writes=False, answered=names_a_reason(body))
        if status == 401:
            error = explain_auth_failure(error, response.headers.get("Date"), timestamp)
        raise error


class _Retryable(Exception):
    """Internal: a failure that may be retried (reads always; writes only when not executed)."""

    def __init__(self, error, safe_for_writes, wait=None, answered=False):
        super().__init__(error.message)
        self.error = error
        self.safe_for_writes = safe_for_writes
        self.wait = wait
        self.answered = answered   # an error envelope that names a reason, not an answer that says nothing

    def final_error(self, ambiguous):
        error = self.error
        if not ambiguous:
            if error.error_code == "LIMIT_EXCEEDED":
                error.message += ("; the API rate limit stayed exhausted through %d retries: lower rate_limit, or "
                                  "fewer forks sharing this access key" % MAX_RETRIES)
            return error
        unknown = "%s; the outcome is unknown: the API may have executed it" % error.message
        ambiguous_error = IwinvAmbiguousWriteError(
            error.message if self.answered else unknown,
            status=error.status, code=error.code, error_code=error.error_code, method=error.method, path=error.path,
            api_message=error.api_message)
        ambiguous_error.answered = self.answered
        return ambiguous_error


def repeated_page(earlier, page, page_no):
    """The number of an earlier page holding the same rows as `page` (a server that ignores page_no), else None;
    `page` is remembered in `earlier`. Pages are filed by their first row, so that a page is compared in full only
    with those that start alike: far cheaper than serializing every page, with the same answer."""
    key = json.dumps(page[0], sort_keys=True, default=str)
    for number, rows in earlier.get(key, ()):
        if rows == page:
            return number
    earlier.setdefault(key, []).append((page_no, page))
    return None


def parse_json(response):
    try:
        return response.json()
    except ValueError:
        return None


def is_envelope(body):
    """Whether an answer is the API's JSON envelope at all (success or error)."""
    return isinstance(body, dict) and "code" in body and "error_code" in body


def names_a_reason(body):
    """Whether an error answer is the API's own envelope with an error code (not a gateway page, not garbage)."""
    return is_envelope(body) and isinstance(body["error_code"], str) and body["error_code"] not in ("", "SUCCESS")


def is_success(body):
    if not isinstance(body, dict):
        return False
    try:
        code_is_zero = int(str(body.get("code")), 16) == 0
    except ValueError:
        return False
    return code_is_zero and body.get("error_code") == "SUCCESS"


def result_rows(envelope, method, path):
    """The envelope's result as a list (a string acknowledgement becomes an empty list)."""
    result = envelope.get("result")
    if isinstance(result, list):
        return result
    if result is None or isinstance(result, str):
        return []
    if isinstance(result, dict):
        return [result]
    raise IwinvApiError("%s %s: unexpected result in the API answer" % (method, path), method=method, path=path)


def api_error(status, body, method, path):
    """An IwinvApiError from an error answer, JSON or not (a gateway's HTML page)."""
    if not isinstance(body, dict):
        text = "%s %s failed: HTTP %s with a non-JSON answer (a gateway or proxy error)" % (method, path, status)
        return IwinvApiError(text, status=status, method=method, path=path)
    error_code = clean_api_text(body["error_code"], 64) if body.get("error_code") else None
    api_message = clean_api_text(body["message"]) if isinstance(body.get("message"), str) else None
    words = ERROR_ADVICE.get(error_code) or ERROR_WORDS.get(error_code) or api_message or "the API reported an error"
    text = "%s %s failed: %s (HTTP %s, %s)" % (method, path, words, status, error_code or "no error code")
    if api_message and words != api_message:
        text += ": %s" % api_message
    code = clean_api_text(body["code"], 16) if body.get("code") is not None else None
    return IwinvApiError(text, status=status, code=code, error_code=error_code, method=method, path=path,
                         api_message=api_message)


def has_paging_fields(envelope):
    """Whether a list answer says it is a page (page_no or page_size beside the rows)."""
    return "page_no" in envelope or "page_size" in envelope


def served_size(envelope, page_size):
    """The rows a full page holds by what the server shows: the size it echoes when below page_size, else the
    SERVED_PAGE_SIZE rows it always serves (a page as long is followed by one more, see paginate)."""
    echoed = as_int(envelope.get("page_size"), page_size) or page_size
    return echoed if echoed < page_size else min(SERVED_PAGE_SIZE, page_size)


def is_check_param(exc):
    """Whether an API error is the 400 CHECK_PARAM of a refused parameter."""
    return exc.status == 400 and exc.error_code == "CHECK_PARAM"


def paging_error(path, why):
    return IwinvApiError("GET %s failed: %s; refusing to act on a partial list" % (path, why), method="GET", path=path,
                         error_code="PAGING_ERROR")


def explain_auth_failure(error, date_header, timestamp):
    """A 401 for a stale timestamp says how far the controller clock is off, when the server's Date shows it.

    Only the stale-timestamp code is explained so; the API's own words stay in the message.
    """
    skew = clock_skew(date_header, timestamp)
    if error.error_code not in STALE_TIMESTAMP_CODES or skew is None or abs(skew) <= CLOCK_TOLERANCE:
        return error
    direction = "ahead of" if skew > 0 else "behind"
    error.message = ("%s %s failed: the controller clock is off by about %d s (%s the API server's clock); the API "
                     "accepts at most %d s: synchronise the controller's clock (NTP) (HTTP %s, %s)"
                     % (error.method, error.path, abs(skew), direction, CLOCK_TOLERANCE, error.status,
                        error.error_code))
    if error.api_message:
        error.message += ": %s" % error.api_message
    return error


def redirect_error(response, method, path, api_host):
    """A 3xx is never followed: the signature would go with it (and the method is not signed)."""
    location = response.headers.get("Location") or ""
    target = urlsplit(location).hostname or api_host if location else "nowhere (no Location header)"
    error = IwinvApiError(
        "%s %s failed: the API answered HTTP %s, a redirect to %s, which is never followed (the request signature "
        "would go with it): check api_url" % (method, path, response.status_code, clean_api_text(target, 255)),
        status=response.status_code, method=method, path=path, error_code="REDIRECT")
    if method == "GET":
        return error
    return _Retryable(error, safe_for_writes=False).final_error(ambiguous=True)


def connection_failure(exc, method, path, host):
    """A request that got no answer: permanent (fails at once), never sent (retry), or maybe executed."""
    causes = exception_chain(exc)
    permanent = permanent_cause(exc, causes, host)
    if permanent:
        return IwinvApiError("%s %s failed: %s" % (method, path, permanent), method=method, path=path,
                             error_code="CONNECTION_ERROR")
    never_sent = isinstance(exc, requests.exceptions.ConnectTimeout) or any(
        isinstance(cause, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)) for cause in causes)
    what = "could not connect" if never_sent else "no answer from the API"
    error = IwinvApiError("%s %s failed: %s (%s)" % (method, path, what, type(exc).__name__), method=method, path=path,
                          error_code="CONNECTION_ERROR")
    return _Retryable(error, safe_for_writes=never_sent)


def permanent_cause(exc, causes, host):
    """What makes retrying pointless, in words, or None."""
    for cause in causes:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "TLS certificate verification failed for %s (%s): fix the CA bundle (REQUESTS_CA_BUNDLE) or the " \
                   "server certificate" % (host, clean_api_text(cause.verify_message or cause.reason or "", 120))
    if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidHeader)):
        return "the request is invalid (%s): check api_url" % type(exc).__name__
    return None


def exception_chain(exc, limit=10):
    """exc and what it wraps (requests and urllib3 nest exceptions in args, .reason and __cause__)."""
    chain, todo = [], [exc]
    while todo and len(chain) < limit:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is seen for seen in chain):
            continue
        chain.append(current)
        todo.extend([getattr(current, "reason", None), current.__cause__, current.__context__] + list(current.args))
    return chain
