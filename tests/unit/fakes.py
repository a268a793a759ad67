# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake HTTP transport and a fake clock, so the client can be tested without a network or sleeps."""

from __future__ import annotations

import json
import socket

import requests
import urllib3


class FakeResponse:
    def __init__(self, status=200, body=None, headers=None):
        self.status_code = status
        self._body = body
        self.headers = headers or {}

    def json(self):
        if isinstance(self._body, (dict, list)):
            return self._body
        return json.loads(self._body)


def ok(result, **extra):
    """A success envelope."""
    body = {"code": "0x00", "error_code": "SUCCESS", "message": "", "result": result, "count": len(result)}
    body.update(extra)
    return FakeResponse(200, body)


def error(status, error_code, code="0xe", message="error text", headers=None, result="error"):
    body = {"code": code, "error_code": error_code, "message": message, "result": result}
    return FakeResponse(status, body, headers)


class FakeSession:
    """Answers requests from a queue (a FakeResponse, or an exception to raise) and records them."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def request(self, method, url, **kwargs):
        self.calls.append(dict(kwargs, method=method, url=url))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class FakeClock:
    """time.time and time.sleep in one: sleeping advances the clock."""

    def __init__(self, now=1710000000.0):
        self.now = now
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class NoPacer:
    def acquire(self):
        return None

    def done(self, ticket):
        pass

    def limited(self):
        pass


def _wrapped(reason):
    """A requests ConnectionError shaped as requests raises it: urllib3's MaxRetryError with the reason inside."""
    return requests.exceptions.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/v1/x", reason=reason))


DROPPED = requests.exceptions.ConnectionError(
    urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError(104, "Connection reset by peer")))
REFUSED = _wrapped(urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: [Errno 111] Connection refused"))
# urllib3 2: a DNS failure is a NameResolutionError, a NewConnectionError (never sent).
DNS_FAILURE = _wrapped(urllib3.exceptions.NameResolutionError("api.test", None, socket.gaierror(-2, "Name or service not known")))
