"""pytest fixtures for the iwinv emulator, and a signed-request helper written independently of the collection.

`emulator_session` (session scope) starts `server.py --port 0` as a subprocess; `emulator` (function scope)
resets it, config included, before each test. tests/conftest.py imports both so every test can use them.
"""

import hashlib
import hmac
import os
import subprocess
import sys
import threading
import time

import pytest
import requests

SERVER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "server.py")
ACCESS_KEY = "test-access"
SECRET_KEY = "test-secret"
OP_DELAY = 0.2
RATE_LIMIT = 100000


def sign(secret_key, path, timestamp):
    """HMAC-SHA256(secret, timestamp + path), lowercase hex (REFERENCE.md 1.2)."""
    return hmac.new(secret_key.encode("utf-8"), (str(timestamp) + path).encode("utf-8"), hashlib.sha256).hexdigest()


def auth_headers(access_key, secret_key, path, timestamp=None):
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-iwinv-Timestamp": timestamp, "X-iwinv-Credential": access_key,
            "X-iwinv-Signature": sign(secret_key, path, timestamp)}


def multipart(form):
    """A dict of form fields -> the `files=` argument that makes requests send multipart/form-data."""
    return [(name, (None, str(value))) for name, value in form.items()]


# The URL of the session emulator (set by the fixtures): the default target of signed().
CURRENT = {"url": None}


def signed(method, path, url=None, access_key=ACCESS_KEY, secret_key=SECRET_KEY, query=None, form=None, json=None,
           headers=None, timestamp=None, session=None, timeout=30, **kwargs):
    """Send one signed API request; `path` has no query string (the query is never signed).

    `form` is sent as multipart/form-data, `json` as application/json; `url` defaults to the running emulator.
    """
    url = url or CURRENT["url"]
    all_headers = auth_headers(access_key, secret_key, path, timestamp)
    all_headers.update(headers or {})
    if form is not None:
        kwargs["files"] = multipart(form)
    return (session or requests).request(method, url + path, params=query, json=json, headers=all_headers,
                                         timeout=timeout, **kwargs)


class EmulatorProcess:
    """A running emulator subprocess plus control helpers."""

    def __init__(self, access_key=ACCESS_KEY, secret_key=SECRET_KEY, op_delay=OP_DELAY, rate_limit=RATE_LIMIT,
                 state_file=None, seed=None, extra_args=()):
        self.access_key, self.secret_key = access_key, secret_key
        command = [sys.executable, SERVER, "--port", "0", "--access-key", access_key, "--secret-key", secret_key,
                   "--op-delay", str(op_delay), "--rate-limit", str(rate_limit)]
        if state_file:
            command += ["--state-file", str(state_file)]
        if seed:
            command += ["--seed", str(seed)]
        # The process outlives this call (stopped by stop()), so no `with` block.
        self.process = subprocess.Popen(command + list(extra_args), stdout=subprocess.PIPE, text=True)  # pylint: disable=consider-using-with
        self.url = self._read_url()
        self.session = requests.Session()
        self.control = requests.Session()

    def _read_url(self):
        lines = []
        reader = threading.Thread(target=lambda: lines.append(self.process.stdout.readline()), daemon=True)
        reader.start()
        reader.join(15)
        prefix = "iwinv emulator listening on "
        if not lines or not lines[0].startswith(prefix):
            self.stop()
            raise RuntimeError("the emulator did not start: %r" % (lines,))
        return lines[0][len(prefix):].strip()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()

    # -- API -------------------------------------------------------------------------------------------------

    def signed(self, method, path, **kwargs):
        kwargs.setdefault("session", self.session)
        kwargs.setdefault("access_key", self.access_key)
        kwargs.setdefault("secret_key", self.secret_key)
        return signed(method, path, url=self.url, **kwargs)

    def ok(self, method, path, **kwargs):
        """A signed request that must succeed; returns the envelope."""
        response = self.signed(method, path, **kwargs)
        body = response.json()
        assert response.status_code in (200, 202) and body["code"] == "0x00", (response.status_code, body)
        return body

    def wait_for(self, predicate, timeout=10, interval=0.05):
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError("condition not met within %s s" % timeout)
            time.sleep(interval)

    # -- control API -----------------------------------------------------------------------------------------

    def _control(self, method, path, body=None):
        response = self.control.request(method, self.url + "/_emulator/" + path, json=body, timeout=60)
        assert response.status_code == 200, (response.status_code, response.text)
        return response.json()

    def reset(self, config=True):
        return self._control("POST", "reset", {"config": config})

    def requests(self):
        return self._control("GET", "requests")["requests"]

    def clear_requests(self):
        return self._control("DELETE", "requests")

    def config(self, **changes):
        return self._control("PUT", "config", changes) if changes else self._control("GET", "config")

    def fault(self, **rule):
        return self._control("POST", "faults", rule)

    def clear_faults(self):
        return self._control("DELETE", "faults")

    def bulk_instances(self, count, **options):
        return self._control("POST", "instances", dict(options, count=count))

    def bulk_volumes(self, count, **options):
        return self._control("POST", "block-storages", dict(options, count=count))

    def state(self):
        return self._control("GET", "state")


@pytest.fixture(scope="session")
def emulator_session():
    process = EmulatorProcess()
    CURRENT["url"] = process.url
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def emulator(emulator_session):   # pylint: disable=redefined-outer-name
    emulator_session.reset(config=True)
    CURRENT["url"] = emulator_session.url
    emulator_session.session.close()   # a fresh keep-alive connection per test
    emulator_session.session = requests.Session()
    return emulator_session
