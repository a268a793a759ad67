# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The iwinv API client: sign, pace, send, retry what is safe, decode the envelope, page.

Nothing above this file spells a header, parses an envelope or decides what may be retried.
"""

from __future__ import annotations

import email.utils
import hashlib
import hmac
import json
import os
import random
import re
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows controllers are not supported by Ansible
    fcntl = None

try:
    import requests
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError as exc:  # pragma: no cover - exercised by the module glue
    requests = None
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = exc

COLLECTION_VERSION = "0.1.0"
USER_AGENT = "iwinv.cloud/%s (Ansible collection)" % COLLECTION_VERSION
DEFAULT_API_URL = "https://api-kr.iwinv.kr"

MAX_RETRIES = 8
BACKOFF_FIRST = 1.0
BACKOFF_CAP = 30.0
RETRY_AFTER_CAP = 120.0
CLOCK_TOLERANCE = 300
TOKEN_EPSILON = 1e-6
MIN_PACING_SLEEP = 0.01
# Seconds of delay between taking a token and the request reaching the API that pacing tolerates.
PACING_SLACK = 6.0

# Words for the error codes whose API message is not enough to act on (messages may be Korean).
ERROR_ADVICE = {
    "CHECK_CREDENTIAL": "the API did not accept the access key (credential): check access_key",
    "INVALID_SIGNATURE": "the API rejected the request signature: check that secret_key belongs to access_key",
    "CHECK_SIGNATURE": "the API rejected the signature headers or their timestamp: check secret_key and the controller clock",
    "CHECK_IP": "this controller's IP address is not in the API key's IP allowlist: add it in the iwinv console",
    "CHECK_REQUEST_IP": "this controller's IP address is not allowed for the API key: check the key's IP allowlist in the iwinv console",
    "CIDR_NOT_REGISTERED": "this controller's IP address is not registered in the API key's IP allowlist",
    "LIMIT_EXCEEDED": "a limit was exceeded",
    "DELETED_OR_WORKING_INSTANCE": "the instance is deleted or busy with another operation",
    "DEV_CHECK_RETURN": "the API refused the operation (it may be restricted in this zone or for this account)",
    "CHECK_CONSOLE": "this action must be completed in the iwinv web console",
}


class IwinvApiError(Exception):
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

    Callers reconcile by reading the resource back; they never send the write again.
    """


SAFE_ID = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def is_path_safe_id(value):
    """Whether a value can stand in a signed path as it is (ids are ASCII; names may not be)."""
    return bool(value) and SAFE_ID.match(str(value)) is not None


def sign(secret_key, timestamp, path):
    """The X-iwinv-Signature of a request: HMAC-SHA256 over timestamp + path (no query)."""
    message = (str(timestamp) + path).encode("utf-8")
    return hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def check_path(path):
    """Reject paths the API cannot verify: the signature covers the path exactly as sent."""
    if not path.startswith("/v1/") or path.endswith("/") or "?" in path:
        raise ValueError("invalid API path %r: it must start with /v1/, and have no trailing slash and no query" % path)


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


class FilePacer:
    """Keeps every process on this controller that uses one access key under the API rate limit.

    A token bucket in a file, locked with flock, shared by Ansible's forks. The API counts a rolling
    minute, so the bucket holds only a small burst and refills at the rest of the budget. The API counts
    when a request arrives, not when its token was taken: spreading the refill over 60 s + PACING_SLACK
    keeps any 60 s of arrivals within rate_limit even when some requests arrive that much later than others.
    """

    def __init__(self, access_key, rate_limit, directory=None, clock=time.time, sleep=time.sleep):
        self.rate_limit = rate_limit
        self.burst = max(1, rate_limit // 6)
        self.refill_per_second = max(rate_limit - self.burst, 1) / (60.0 + PACING_SLACK)
        self.clock = clock
        self.sleep = sleep
        key_digest = hashlib.sha256(access_key.encode("utf-8")).hexdigest()[:16]
        self.path = os.path.join(directory or default_cache_dir(), "pacer-%s.json" % key_digest)
        self._memory_state = None

    def acquire(self):
        """Block until one request may be sent, then take its token."""
        if self.rate_limit <= 0:
            return
        while True:
            wait = self._try_take()
            if wait <= 0:
                return
            self.sleep(wait)

    def _try_take(self):
        """Take a token if one is there and return 0, or return the seconds until one will be."""
        with self._locked_state() as state:
            now = self.clock()
            elapsed = max(0.0, now - state.get("updated", now))
            tokens = min(float(self.burst), state.get("tokens", float(self.burst)) + elapsed * self.refill_per_second)
            state["updated"] = now
            if tokens >= 1.0 - TOKEN_EPSILON:
                state["tokens"] = max(tokens - 1.0, 0.0)
                return 0.0
            state["tokens"] = tokens
            # Never a vanishing sleep: at epoch scale a tiny float does not move the clock.
            return max((1.0 - tokens) / self.refill_per_second, MIN_PACING_SLEEP)

    def _locked_state(self):
        try:
            return _LockedJsonFile(self.path)
        except OSError:
            # An unwritable cache directory still gets pacing, within this process only.
            if self._memory_state is None:
                self._memory_state = _MemoryState()
            return self._memory_state


class _MemoryState:
    def __init__(self):
        self.state = {}

    def __enter__(self):
        return self.state

    def __exit__(self, *exc_info):
        return False


class _LockedJsonFile:
    """A small JSON document under an exclusive flock, written back on exit."""

    def __init__(self, path):
        directory = os.path.dirname(path)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.state = {}

    def __enter__(self):
        if fcntl is not None:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        raw = os.read(self.fd, 4096)
        try:
            self.state = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            self.state = {}
        return self.state

    def __exit__(self, *exc_info):
        try:
            data = json.dumps(self.state).encode("utf-8")
            os.lseek(self.fd, 0, os.SEEK_SET)
            os.ftruncate(self.fd, 0)
            os.write(self.fd, data)
        finally:
            os.close(self.fd)  # closing releases the lock
        return False


def default_cache_dir():
    """The per-user cache directory of the collection (XDG_CACHE_HOME or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iwinv.cloud")


class IwinvClient:
    """One client per module run or inventory parse; reuses its HTTP connection (keep-alive)."""

    def __init__(self, access_key, secret_key, api_url=DEFAULT_API_URL, validate_certs=True, timeout=30,
                 rate_limit=60, session=None, pacer=None, clock=time.time, sleep=time.sleep, rng=random.random):
        self.access_key = access_key
        self._secret_key = secret_key
        self.api_url = (api_url or DEFAULT_API_URL).rstrip("/")
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.session = session if session is not None else requests.Session()
        self.pacer = pacer if pacer is not None else FilePacer(access_key, rate_limit, clock=clock, sleep=sleep)
        self.clock = clock
        self.sleep = sleep
        self.rng = rng
        self.request_count = 0

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
        """The row of one resource from its detail endpoint (`collection`/`resource_id`), or None when it does not exist.

        Endpoints disagree on "not found" (200 [] or 400 ID_INVALID, DECISIONS.md D4): both mean None. An id that
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

    def paginate(self, path, query=None, page_size=100):
        """Every row of a paginated list.

        Stops on an empty page or one shorter than the page size the server says it used (it may cap
        what was asked), never on `count`, which is page-local. Page fields may be strings.
        """
        rows = []
        page_no = 1
        while True:
            page_query = dict(query or {}, page_no=page_no, page_size=page_size)
            envelope = self.get_envelope(path, page_query)
            page = result_rows(envelope, "GET", path)
            rows.extend(page)
            used_size = as_int(envelope.get("page_size"), page_size) or page_size
            if not page or len(page) < min(used_size, page_size):
                return rows
            page_no += 1

    # --- one request, with pacing and retries ----------------------------------------------------

    def request(self, method, path, query=None, form=None, json_body=None):
        check_path(path)
        is_read = method == "GET"
        attempt = 0
        while True:
            try:
                return self._send_once(method, path, query, form, json_body)
            except _Retryable as retry:
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
        self.pacer.acquire()
        timestamp = str(int(self.clock()))
        headers = {
            "X-iwinv-Timestamp": timestamp,
            "X-iwinv-Credential": self.access_key,
            "X-iwinv-Signature": sign(self._secret_key, timestamp, path),
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        kwargs = {"headers": headers, "params": query, "timeout": self.timeout, "verify": self.validate_certs}
        if form is not None:
            # requests builds multipart/form-data from (filename, value) pairs; None = a plain field.
            kwargs["files"] = [(name, (None, str(value))) for name, value in form.items()]
        elif json_body is not None:
            kwargs["json"] = json_body
        self.request_count += 1
        try:
            response = self.session.request(method, self.api_url + path, **kwargs)
        except requests.exceptions.RequestException as exc:
            raise connection_failure(exc, method, path)
        return int(timestamp), response

    def _decode(self, response, method, path, timestamp):
        body = parse_json(response)
        status = response.status_code
        if 200 <= status < 300 and is_success(body):
            return body
        error = api_error(status, body, method, path)
        if status == 429 or (method == "GET" and error.error_code == "LIMIT_EXCEEDED"):
            wait = retry_after_seconds(response.headers.get("Retry-After"), self.clock())
            raise _Retryable(error, safe_for_writes=status == 429, wait=wait)
        if status >= 500:
            raise _Retryable(error, safe_for_writes=False)
        if status == 401:
            error = explain_auth_failure(error, response.headers.get("Date"), timestamp)
        raise error


class _Retryable(Exception):
    """Internal: a failure that may be retried (reads always; writes only when not executed)."""

    def __init__(self, error, safe_for_writes, wait=None):
        super().__init__(error.message)
        self.error = error
        self.safe_for_writes = safe_for_writes
        self.wait = wait

    def final_error(self, ambiguous):
        error = self.error
        if not ambiguous:
            if error.error_code == "LIMIT_EXCEEDED":
                error.message += ("; the API rate limit stayed exhausted through %d retries: lower rate_limit, or fewer forks "
                                  "sharing this access key" % MAX_RETRIES)
            return error
        return IwinvAmbiguousWriteError(
            "%s; the outcome is unknown: the API may have executed it" % error.message,
            status=error.status, code=error.code, error_code=error.error_code, method=error.method, path=error.path,
            api_message=error.api_message)


def parse_json(response):
    try:
        return response.json()
    except ValueError:
        return None


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
    error_code = body.get("error_code") or None
    api_message = body.get("message") if isinstance(body.get("message"), str) else None
    words = ERROR_ADVICE.get(error_code) or api_message or "the API reported an error"
    text = "%s %s failed: %s (HTTP %s, %s)" % (method, path, words, status, error_code or "no error code")
    if api_message and words != api_message:
        text += ": %s" % api_message
    return IwinvApiError(text, status=status, code=body.get("code"), error_code=error_code, method=method, path=path,
                         api_message=api_message)


def explain_auth_failure(error, date_header, timestamp):
    """A 401 for a stale timestamp says how far the controller clock is off, when the server's Date shows it."""
    skew = clock_skew(date_header, timestamp)
    if skew is None or abs(skew) <= CLOCK_TOLERANCE:
        return error
    direction = "ahead of" if skew > 0 else "behind"
    error.message = ("%s %s failed: the controller clock is off by about %d s (%s the API server's clock); the API accepts "
                     "at most %d s: synchronise the controller's clock (NTP) (HTTP %s, %s)"
                     % (error.method, error.path, abs(skew), direction, CLOCK_TOLERANCE, error.status, error.error_code))
    return error


def connection_failure(exc, method, path):
    """A request that got no answer. Safe to retry only if it never reached the server."""
    never_sent = isinstance(exc, (requests.exceptions.ConnectTimeout,)) or _is_refused(exc)
    kind = type(exc).__name__
    error = IwinvApiError("%s %s failed: no answer from the API (%s)" % (method, path, kind), method=method, path=path,
                          error_code="CONNECTION_ERROR")
    return _Retryable(error, safe_for_writes=never_sent)


def _is_refused(exc):
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    text = repr(exc)
    return "NewConnectionError" in text or "Connection refused" in text
