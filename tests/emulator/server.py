"""The iwinv API emulator: a strict, fault-injecting stand-in for https://api-kr.iwinv.kr on loopback.

Usage: python3 tests/emulator/server.py --port 0 --access-key KEY --secret-key SECRET [--op-delay 2]
       [--rate-limit 60] [--state-file FILE] [--seed FILE] [--host 127.0.0.1] [--profile default|alternative]
       [--config KEY=JSON]... [--from-record FILE]

Request pipeline for /v1 paths: authenticate (401s) -> rate limit (429, counted only for admitted requests)
-> fault rules -> body/content-type parsing -> handler (under the store lock). See README.md.
"""

import argparse
import collections
import email.parser
import email.policy
import email.utils
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

# Sibling modules, importable however this file is started (python3 tests/emulator/server.py, or imported).
import api  # noqa: E402  pylint: disable=wrong-import-position
import profiles  # noqa: E402  pylint: disable=wrong-import-position
import record as record_module  # noqa: E402  pylint: disable=wrong-import-position
import seed as seed_module  # noqa: E402  pylint: disable=wrong-import-position
from state import DEFAULT_CONFIG, OP_KEYS, ApiError, Store, error_envelope  # noqa: E402  pylint: disable=wrong-import-position

MAX_BODY = 10 * 1024 * 1024
CLOCK_TOLERANCE = 300
FAULT_ACTIONS = ("status", "drop", "ambiguous", "delay", "async_error", "empty_result", "vanish")
LOG_LIMIT = 200000
BULK_STATUSES = ("active", "off", "error", "pending", "building", "work")


class RateLimiter:
    """Rolling window per access key. Only admitted requests are recorded: a 429 does not use up budget."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls = collections.defaultdict(collections.deque)

    def admit(self, key, limit, window, status=429):
        if limit <= 0:
            return
        now = time.monotonic()
        with self.lock:
            calls = self.calls[key]
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) >= limit:
                raise ApiError(status, "LIMIT_EXCEEDED", "rate limit: %d requests per %g s per access key" % (limit, window))
            calls.append(now)

    def clear(self):
        with self.lock:
            self.calls.clear()


class Faults:
    """Fault rules: the first rule whose method and path regex match is used, `count` times."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = []

    @staticmethod
    def validate(rule):
        if not isinstance(rule, dict) or rule.get("action") not in FAULT_ACTIONS:
            raise ValueError("a fault rule needs an action among %s" % ", ".join(FAULT_ACTIONS))
        re.compile(rule.get("path", ""))
        count = rule.get("count") or 1
        if not isinstance(count, int) or count < 1:
            raise ValueError("count must be a positive integer")
        if rule["action"] == "status" and not isinstance(rule.get("status"), int):
            raise ValueError("the status action needs an integer status")
        if rule["action"] == "delay" and not isinstance(rule.get("seconds"), (int, float)):
            raise ValueError("the delay action needs seconds")
        after = rule.get("after", 0)
        if not isinstance(after, int) or after < 0:
            raise ValueError("after must be a non-negative integer")
        return dict(rule, count=count, method=str(rule.get("method") or "*").upper(), path=rule.get("path", ""))

    def add(self, rule):
        with self.lock:
            self.rules.append(self.validate(rule))

    def clear(self):
        with self.lock:
            self.rules = []

    def list(self):
        with self.lock:
            return [dict(rule) for rule in self.rules]

    def take(self, method, path):
        with self.lock:
            for rule in self.rules:
                if rule["method"] in ("*", method) and re.search(rule["path"], path):
                    if rule.get("after"):   # this matching request passes untouched
                        rule["after"] -= 1
                        return None
                    rule["count"] -= 1
                    if rule["count"] <= 0:
                        self.rules.remove(rule)
                    return rule
        return None


class Emulator:
    """Everything the request handler needs: store, auth secrets, limiter, faults, request log."""

    def __init__(self, store, keys, state_file=None):
        self.store = store
        self.keys = keys
        self.state_file = state_file
        self.limiter = RateLimiter()
        self.faults = Faults()
        self.log = collections.deque(maxlen=LOG_LIMIT)
        self.log_lock = threading.Lock()

    def record(self, entry):
        with self.log_lock:
            self.log.append(entry)

    def save(self):
        if self.state_file:
            with self.store.lock:
                self.store.save(self.state_file)

    def authenticate(self, headers, path):
        key = headers.get("X-iwinv-Credential")
        timestamp = headers.get("X-iwinv-Timestamp")
        signature = headers.get("X-iwinv-Signature")
        if not key or not timestamp or not signature or key not in self.keys:
            raise ApiError(401, "CHECK_CREDENTIAL", "missing X-iwinv-* header or unknown access key")
        if not re.match(r"^[0-9]{1,12}$", timestamp) or abs(self.store.server_time() - int(timestamp)) > CLOCK_TOLERANCE:
            raise ApiError(401, "CHECK_SIGNATURE", "timestamp missing, malformed or more than 300 s from the server clock")
        expected = hmac.new(self.keys[key].encode(), (timestamp + path).encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature):
            raise ApiError(401, "INVALID_SIGNATURE", "signature does not match HMAC-SHA256(secret, timestamp + path)")
        return key


def parse_multipart(content_type, body):
    """multipart/form-data -> {name: str}, with the stdlib email parser (the cgi module is gone in 3.13)."""
    try:
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + body)
        parts = list(message.iter_parts()) if message.is_multipart() and not message.defects else None
    except Exception:   # pylint: disable=broad-except
        # The email package can raise many error types on hostile input; all of them mean "malformed body".
        parts = None
    if parts is None:
        raise ApiError(400, "CHECK_PARAM", "malformed multipart/form-data body")
    return form_fields(parts)


def form_fields(parts):
    form = {}
    for part in parts:
        name = part.get_param("name", header="content-disposition")
        if isinstance(name, tuple):   # RFC 2231 encoded (name*=utf-8''...)
            name = email.utils.collapse_rfc2231_value(name)
        if not name or part.get_content_disposition() != "form-data":
            raise ApiError(400, "CHECK_PARAM", "multipart part without a form-data name")
        if name in form:
            raise ApiError(400, "CHECK_PARAM", "duplicate form field: %s" % name)
        try:
            form[name] = (part.get_payload(decode=True) or b"").decode("utf-8")
        except UnicodeDecodeError:
            raise ApiError(400, "CHECK_PARAM", "form field %s is not UTF-8" % name) from None
    return form


def parse_body(kind, content_type, body):
    """Check the content type an endpoint demands, then decode the body: (form, json)."""
    media = content_type.split(";")[0].strip().lower()
    if kind == api.NONE or (kind == api.OPTIONAL_MULTIPART and not body and not content_type):
        if body or content_type:
            raise ApiError(400, "CHECK_PARAM", "this endpoint takes no request body")
        return {}, None
    if kind in (api.MULTIPART, api.OPTIONAL_MULTIPART):
        if media != "multipart/form-data" or "boundary=" not in content_type:
            raise ApiError(400, "CHECK_PARAM", "Content-Type must be multipart/form-data with a boundary")
        return parse_multipart(content_type, body), None
    if media != "application/json":
        raise ApiError(400, "CHECK_PARAM", "Content-Type must be application/json")
    try:
        return {}, json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):   # RecursionError: absurdly nested arrays
        raise ApiError(400, "CHECK_PARAM", "malformed JSON body") from None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"      # keep-alive: every answer carries Content-Length
    disable_nagle_algorithm = True     # no 40 ms Nagle/delayed-ACK stall between headers and body
    server_version = "iwinv-emulator"
    sys_version = ""
    timeout = 300
    emulator = None                    # set by make_server()

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def do_HEAD(self):
        """No endpoint answers HEAD; answer 404 without a body (a HEAD answer must not carry one)."""
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):   # pylint: disable=redefined-builtin
        pass   # quiet: the request log is in /_emulator/requests

    def date_time_string(self, timestamp=None):
        """The Date header shows the API server's clock, including the configured clock_offset."""
        return email.utils.formatdate(self.emulator.store.server_time() if timestamp is None else timestamp, usegmt=True)

    # -- plumbing --------------------------------------------------------------------------------------------

    def read_body(self):
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise ApiError(400, "CHECK_PARAM", "chunked request bodies are not supported; send Content-Length")
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) > MAX_BODY:
            self.close_connection = True
            raise ApiError(400, "CHECK_PARAM", "bad Content-Length")
        return self.rfile.read(int(length)) if int(length) else b""

    def send(self, status, payload, content_type="application/json", headers=None):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def dispatch(self):
        url = urlsplit(self.path)
        try:
            body = self.read_body()
        except ApiError as error:
            self.send(error.status, error.envelope())
            return
        if url.path.startswith("/_emulator/"):
            self.control(url.path, body)
        elif url.path.startswith("/v1/"):
            self.api(url.path, url.query, body)
        else:
            self.send(404, error_envelope("NOT_FOUND", "not an iwinv API path: %s" % url.path))

    # -- the API ---------------------------------------------------------------------------------------------

    def api(self, path, query_string, body):
        emu = self.emulator
        entry = {"method": self.command, "path": path, "query": dict(parse_qsl(query_string, keep_blank_values=True)),
                 "status": None, "error_code": None, "time": time.time()}
        status, payload, headers, content_type = 500, None, {}, "application/json"
        try:
            key = emu.authenticate(self.headers, path)
            config = emu.store.config
            emu.limiter.admit(key, int(config["rate_limit"]), float(config["rate_window"]), int(config["rate_limit_status"]))
            fault = emu.faults.take(self.command, path)
            if fault:
                entry["fault"] = fault["action"]
            status, payload, headers, content_type = self.apply_fault(fault, path, query_string, body)
        except ApiError as error:
            status, payload = error.status, error.envelope()
        except Exception:   # pylint: disable=broad-except
            # A bug in the emulator must still answer JSON (and be visible in stderr), never a stack trace.
            traceback.print_exc(file=sys.stderr)
            status, payload = 500, error_envelope("DEV_CHECK_RETURN", "emulator internal error")
        if payload is None:   # the drop action: close without answering
            entry["status"] = None
            emu.record(entry)
            self.drop()
            return
        status, payload, headers = profiles.reshape(emu.store.config, self.command, path, status, payload, headers,
                                                    api.is_detail_read(self.command, path))
        entry["status"] = status
        entry["error_code"] = payload.get("error_code") if isinstance(payload, dict) else None
        emu.record(entry)
        self.send(status, payload, content_type, headers)

    def apply_fault(self, fault, path, query_string, body):
        """Run the request under a fault rule (or none): (status, payload or None to drop, headers, content type)."""
        action = fault["action"] if fault else None
        if action == "status":
            if "body" in fault:
                return fault["status"], str(fault["body"]).encode("utf-8"), fault.get("headers", {}), "text/html; charset=utf-8"
            error = fault.get("error_code", "DEV_CHECK_RETURN")
            return fault["status"], error_envelope(error, fault.get("message", "injected fault")), fault.get("headers", {}), "application/json"
        if action == "drop" and not fault.get("perform"):
            return None, None, {}, None
        if action == "delay":
            time.sleep(float(fault["seconds"]))
        if action == "vanish":
            self.vanish(path)
        status, payload = self.execute(path, query_string, body, fail_async=action == "async_error")
        if action == "ambiguous":
            error = fault.get("error_code", "DEV_CHECK_RETURN")
            return fault.get("status", 500), error_envelope(error, "injected fault after the request was performed"), {}, "application/json"
        if action == "drop":
            return None, None, {}, None
        if action == "empty_result":   # performed and acknowledged, but the answer names nothing (no id)
            payload = dict(payload, result=[], count=0)
        return status, payload, {}, "application/json"

    def execute(self, path, query_string, body, fail_async=False):
        emu = self.emulator
        profiles.check_firewall_family(emu.store.config, path)
        handler, kind, params = api.route(self.command, path)
        form, data = parse_body(kind, self.headers.get("Content-Type", ""), body)
        query = dict(parse_qsl(query_string, keep_blank_values=True))
        request = api.Request(params, query, form, data, fail_async)
        with emu.store.lock:
            emu.store.settle()
            try:
                status, result, extra = handler(emu.store, request)
            finally:
                if self.command != "GET":
                    emu.save()
        envelope = {"code": "0x00", "error_code": "SUCCESS", "message": "", "result": result}
        if isinstance(result, list):   # a string acknowledgement (a security group's delete) has no count
            envelope["count"] = len(result)
        envelope.update(extra)
        return status, envelope

    def vanish(self, path):
        """The resource the path names is removed before the request is performed (it then finds nothing)."""
        store = self.emulator.store
        _handler, _kind, params = api.route(self.command, path)
        with store.lock:
            store.settle()
            store.vanish(params)
            self.emulator.save()

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # -- the control API -------------------------------------------------------------------------------------

    def control(self, path, body):
        try:
            data = json.loads(body.decode("utf-8")) if body.strip() else {}
            status, payload = self.control_action(self.command, path, data)
        except (ValueError, TypeError, KeyError, re.error) as error:
            status, payload = 400, {"error": str(error)}
        except Exception as error:   # pylint: disable=broad-except
            traceback.print_exc(file=sys.stderr)
            status, payload = 500, {"error": repr(error)}
        self.send(status, payload)

    def control_action(self, method, path, data):
        emu, store = self.emulator, self.emulator.store
        action = (method, path)
        if action == ("POST", "/_emulator/reset"):
            with store.lock:
                store.reset(config=bool(data.get("config")))
                emu.limiter.clear()
                emu.faults.clear()
                with emu.log_lock:
                    emu.log.clear()
                emu.save()
            return 200, {"reset": True}
        if action == ("GET", "/_emulator/requests"):
            with emu.log_lock:
                return 200, {"requests": list(emu.log)}
        if action == ("DELETE", "/_emulator/requests"):
            with emu.log_lock:
                emu.log.clear()
            return 200, {"requests": []}
        if action == ("GET", "/_emulator/config"):
            return 200, store.config
        if action == ("PUT", "/_emulator/config"):
            with store.lock:
                store.config = merge_config(store.config, data)
                return 200, store.config
        if action == ("GET", "/_emulator/faults"):
            return 200, {"faults": emu.faults.list()}
        if action == ("POST", "/_emulator/faults"):
            emu.faults.add(data)
            return 200, {"faults": emu.faults.list()}
        if action == ("DELETE", "/_emulator/faults"):
            emu.faults.clear()
            return 200, {"faults": []}
        if action == ("POST", "/_emulator/instances"):
            return 200, bulk_instances(emu, data)
        if action == ("POST", "/_emulator/block-storages"):
            return 200, bulk_volumes(emu, data)
        if action == ("GET", "/_emulator/state"):
            with store.lock:   # serialise under the lock: the answer is written after the lock is released
                store.settle()
                return 200, json.loads(json.dumps(dict(store.dump(), config=store.config)))
        return 404, {"error": "unknown control request %s %s" % action}


def merge_config(current, update):
    """PUT /_emulator/config merges (op_delays too); unknown keys, non-numbers and unknown profiles are refused."""
    if not isinstance(update, dict):
        raise ValueError("config must be a JSON object")
    merged = json.loads(json.dumps(current))
    for key, value in sorted(update.items(), key=lambda item: item[0] != "profile"):   # the profile first
        if key in profiles.STRING_CONFIG:
            merged.update(profile_or_family(key, value))
            continue
        if key in profiles.OBSERVED_KEYS:
            merged[key] = profiles.observed_value(key, value)
            continue
        if key not in DEFAULT_CONFIG:
            raise ValueError("unknown config key %s (known: %s)" % (key, ", ".join(list(DEFAULT_CONFIG) + list(profiles.STRING_CONFIG))))
        if key == "op_delays":
            if not isinstance(value, dict) or set(value) - set(OP_KEYS):
                raise ValueError("op_delays keys must be among %s" % ", ".join(OP_KEYS))
            merged["op_delays"].update({k: float(v) for k, v in value.items()})
        elif isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("%s must be a number" % key)
        else:
            merged[key] = value
    return merged


def profile_or_family(key, value):
    """A profile brings its config values (an explicit value in the same PUT still wins: merge_config does it last)."""
    if value not in profiles.STRING_CONFIG[key]:
        raise ValueError("%s must be one of %s" % (key, ", ".join(profiles.STRING_CONFIG[key])))
    return profiles.profile_config(value) if key == "profile" else {key: value}


def bulk_instances(emu, data):
    """Bulk-add instances for scale tests; every `no_public_ip_every`-th one (default 5) has no public IP.

    `names` gives exact names instead (count = how many): an instance made in the console, beside the collection's.
    """
    store = emu.store
    names = [str(name) for name in data.get("names") or []]
    count = len(names) or int(data.get("count", 1))
    prefix = str(data.get("name_prefix", "bulk"))
    status = str(data.get("status", "active"))
    every = int(data.get("no_public_ip_every", 5))
    if not 1 <= count <= 100000 or status not in BULK_STATUSES:
        raise ValueError("count must be 1..100000 and status one of %s" % ", ".join(BULK_STATUSES))
    with store.lock:
        # No instance lives in a zone the account may not use, unless asked for: neither in restricted_zones nor in
        # the seed's restricted zone (so that the layout is the same in every profile).
        avoided = set(store.config["restricted_zones"]) | {seed_module.RESTRICTED_ZONE}
        zones = data.get("zones") or [zone["zone_id"] for zone in store.catalog["zones"]
                                      if zone["zone_id"] not in avoided]
        image_id = data.get("image_id", "img-ubuntu-2204")
        flavor_id = data.get("flavor_id", "std.1c1g")
        for section, key, value in [("zones", "zone_id", zone) for zone in zones] + [
                ("images", "image_id", image_id), ("flavors", "flavor_id", flavor_id)]:
            if store.find(section, key, value) is None:
                raise ValueError("unknown %s %s" % (key, value))
        ids = []
        for number in range(1, count + 1):
            name = names[number - 1] if names else "%s-%05d" % (prefix, number)
            inst = store.new_instance(name, zones[(number - 1) % len(zones)], flavor_id,
                                      image_id, status, public_ip=not (every and number % every == 0))
            ids.append(inst["instance_id"])
        emu.save()
    return {"count": count, "instance_ids": ids}


def bulk_volumes(emu, data):
    """Bulk-add detached volumes for paging tests: `{name_prefix}-{n:05d}`, in one zone, of one type and size.

    `names` gives exact names instead (count = how many).
    """
    store = emu.store
    names = [str(name) for name in data.get("names") or []]
    count = len(names) or int(data.get("count", 1))
    prefix = str(data.get("name_prefix", "bulk-vol"))
    zone_id, vtype, size = str(data.get("zone_id", "KR1-Z08")), str(data.get("type", "ssd")), int(data.get("size", 10))
    if not 1 <= count <= 10000:
        raise ValueError("count must be 1..10000")
    with store.lock:
        if store.find("zones", "zone_id", zone_id) is None or store.find("block_storage_types", "type", vtype) is None:
            raise ValueError("unknown zone_id %s or type %s" % (zone_id, vtype))
        names = names or ["%s-%05d" % (prefix, number) for number in range(1, count + 1)]
        ids = [api.new_volume(store, None, zone_id, vtype, size, name, None, "available") for name in names]
        emu.save()
    return {"count": count, "block_storage_ids": ids}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256   # the default backlog of 5 resets bursts of concurrent connections


def make_server(host, port, emulator):
    handler = type("BoundHandler", (Handler,), {"emulator": emulator})
    return Server((host, port), handler)


def parse_args(argv):
    parser = argparse.ArgumentParser(description="iwinv API emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--access-key", required=True)
    parser.add_argument("--secret-key", required=True)
    parser.add_argument("--op-delay", type=float, default=DEFAULT_CONFIG["op_delay"])
    parser.add_argument("--rate-limit", type=int, default=DEFAULT_CONFIG["rate_limit"])
    parser.add_argument("--volume-page-size", type=int, help="page the volume list at N rows by default (0: unpaginated)")
    parser.add_argument("--page-size-limit", type=int, help="answer 400 CHECK_PARAM to a list asked for more rows (0: none)")
    parser.add_argument("--state-file")
    parser.add_argument("--seed")
    parser.add_argument("--profile", choices=sorted(profiles.PROFILES), default="default",
                        help="alternative: answer every DECISIONS.md 'Tolerate' point the other way (profiles.py)")
    parser.add_argument("--config", action="append", default=[], metavar="KEY=JSON",
                        help="one config key, as PUT /_emulator/config takes it (e.g. restricted_zones=[] or "
                             "user_script_list=\"served\"; a bare word is a string); repeatable, after --profile")
    parser.add_argument("--from-record", metavar="FILE",
                        help="answer as the iwinv_api_check record FILE says (record.py); applied after --profile")
    return parser.parse_args(argv)


def config_options(options):
    """--config KEY=JSON options -> {key: value}; a value that is not JSON is the string as written."""
    update = {}
    for option in options:
        key, sep, text = option.partition("=")
        if not sep or not key:
            raise SystemExit("--config takes KEY=VALUE, got %r" % option)
        try:
            update[key] = json.loads(text)
        except ValueError:
            update[key] = text
    return update


def config_from_record(config, path, log=sys.stderr):
    """`config` changed as the record at `path` asks; what it cannot reproduce is said on `log`."""
    wanted, notes = record_module.config_from_record(record_module.load_record(path))
    known = set(DEFAULT_CONFIG) | set(profiles.STRING_CONFIG)
    notes += ["%s: this emulator has no such switch, the record's %r is not reproduced" % (key, value)
              for key, value in sorted(wanted.items()) if key not in known]
    for note in notes:
        log.write("iwinv emulator: from the record: %s\n" % note)
    return merge_config(config, dict((key, value) for key, value in wanted.items() if key in known))


def main(argv=None):
    args = parse_args(argv)
    seed = seed_module.load_seed(args.seed) if args.seed else seed_module.build_seed()
    config = dict(DEFAULT_CONFIG, op_delay=args.op_delay, rate_limit=args.rate_limit, op_delays={},
                  **profiles.profile_config(args.profile))
    for key in ("volume_page_size", "page_size_limit"):   # an explicit value wins over the profile's
        if getattr(args, key) is not None:
            config[key] = getattr(args, key)
    if args.from_record:
        config = config_from_record(config, args.from_record)
    try:
        config = merge_config(config, config_options(args.config))
    except ValueError as exc:
        raise SystemExit("--config: %s" % exc) from None
    store = Store(seed, config)
    if args.state_file and os.path.exists(args.state_file):
        with open(args.state_file, encoding="utf-8") as handle:
            store.load(json.load(handle))
    emulator = Emulator(store, {args.access_key: args.secret_key}, args.state_file)
    server = make_server(args.host, args.port, emulator)

    def stop(signum, frame):   # pylint: disable=unused-argument
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    try:   # the announcement is inside: a SIGTERM right after it must still stop cleanly
        sys.stdout.write("iwinv emulator listening on http://%s:%d\n" % (host, port))
        sys.stdout.flush()
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
