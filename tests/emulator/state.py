"""The emulator's data: catalog, instances, volumes, firewalls, and the clock of asynchronous operations.

Concurrency model: one re-entrant lock guards everything. Every asynchronous operation is a record with a
`done_at` wall-clock time; `settle()` (called under the lock at the start of every API request) applies the
operations that are due, in `done_at` order. Status therefore derives from timestamps, never from timers or
background threads, so concurrent requests cannot lose an update and a saved state resumes correctly.
"""

import copy
import html
import json
import os
import secrets
import string
import tempfile
import threading
import time
import uuid

from seed import RESTRICTED_ZONE

ERROR_CODES = {
    "SUCCESS": "0x00", "NOT_FOUND": "0x1", "CIDR_NOT_VALID": "0x2", "CIDR_NOT_REGISTERED": "0x3",
    "IPV6_NOT_SUPPORTED": "0x4", "CHECK_REQUEST_IP": "0x5", "CHECK_CREDENTIAL": "0x6", "CHECK_SIGNATURE": "0x7",
    "INVALID_SIGNATURE": "0x8", "CHECK_IP": "0x9", "REQUIRED_GET_PARAM_MISSING": "0xa",
    "REQUIRED_POST_PARAM_MISSING": "0xb", "DEV_CHECK_RETURN": "0xc", "UNAVAILABLE_FLAVOR": "0xd",
    "CHECK_PARAM": "0xe", "CHECK_PARAM_ENUM": "0xf", "UNAVAILABLE_COMBINATION": "0x10", "CHECK_LENGTH": "0x11",
    "UNAVAILABLE_SSH_KEY": "0x12", "DELETED_OR_WORKING_INSTANCE": "0x13", "EMPTY_SET": "0x14", "IN_USE": "0x15",
    "ID_INVALID": "0x16", "LIMIT_EXCEEDED": "0x17", "CHECK_CONSOLE": "0x18",
}

INSTANCE_TRANSITIONAL = ("pending", "building", "work", "deleting")
OP_KEYS = ("instance.create", "instance.start", "instance.shutdown", "instance.reboot", "instance.rebuild",
           "instance.resize", "instance.delete", "block_storage.create", "block_storage.attach",
           "block_storage.detach", "block_storage.delete", "firewall.attach", "firewall.detach")
DEFAULT_CONFIG = {"op_delay": 2.0, "op_delays": {}, "rate_limit": 60, "rate_window": 60.0, "rate_limit_status": 429,
                  "clock_offset": 0.0, "page_size_cap": 100,
                  # The API as observed (LIVE, docs/emulator.md); profiles.py has the other values.
                  "error_result": "object", "restricted_zones": [RESTRICTED_ZONE], "user_script_list": "missing",
                  "bill_detail": "check_ip", "supporting_images": False,
                  # Tolerated alternatives of the docs (DECISIONS.md D3, D4): off unless a profile or test sets them.
                  "volume_page_size": 0, "page_size_limit": 0}

# Where public addresses come from: the two documentation ranges first, then the benchmarking range
# 198.18.0.0/15, which is big enough for bulk-seeded scale tests.
_PUBLIC_SMALL = ["203.0.113.%d" % n for n in range(10, 250)] + ["198.51.100.%d" % n for n in range(10, 250)]


class ApiError(Exception):
    """An API error answer: HTTP status plus an error_code from the catalog (REFERENCE.md 2.3)."""

    def __init__(self, status, error_code, message=""):
        super().__init__(message or error_code)
        self.status = status
        self.error_code = error_code
        self.message = message or error_code

    def envelope(self):
        return error_envelope(self.error_code, self.message)


def error_envelope(error_code, message):
    return {"code": ERROR_CODES.get(error_code, "0xc"), "error_code": error_code, "message": message, "result": "error"}


def new_password():
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _index in range(12)) + "!" + secrets.choice(string.digits)


def public_address(n):
    if n < len(_PUBLIC_SMALL):
        return _PUBLIC_SMALL[n]
    n -= len(_PUBLIC_SMALL)
    return "198.%d.%d.%d" % (18 + (n // 64770) % 2, (n // 254) % 255, n % 254 + 1)


def private_network(n):
    """The n-th private /24 host: (address, network, broadcast, gateway)."""
    net, host = divmod(n, 250)
    prefix = "10.%d.%d." % ((net // 256) % 256, net % 256)
    return prefix + str(host + 4), prefix + "0", prefix + "255", prefix + "1"


class Store:
    """All mutable emulator data, guarded by `lock` (callers take it; methods assume it is held)."""

    def __init__(self, seed, config):
        self.lock = threading.RLock()
        self.seed = seed
        self.startup_config = copy.deepcopy(config)
        self.config = copy.deepcopy(config)
        self.reset()

    # -- lifecycle -------------------------------------------------------------------------------------------

    def reset(self, config=False):
        self.catalog = copy.deepcopy(self.seed)
        self.instances = {}   # instance_id -> internal record (insertion order = list order)
        self.volumes = {}     # block_storage_id -> public volume object
        self.firewalls = {}   # firewall_id -> {firewall_id, title, content (raw), icmp, rules}
        self.links = {}       # "FIREWALL-x|instance_id" -> {"firewall_id", "instance_id", "state"}
        self.ops = []         # pending asynchronous operations
        self.counters = {"ip": 0, "public": 0, "rule": 1000000}
        if config:
            self.config = copy.deepcopy(self.startup_config)

    def dump(self):
        return {"catalog": self.catalog, "instances": self.instances, "volumes": self.volumes,
                "firewalls": self.firewalls, "links": self.links, "ops": self.ops, "counters": self.counters}

    def load(self, data):
        for key in ("catalog", "instances", "volumes", "firewalls", "links", "ops", "counters"):
            setattr(self, key, data[key])

    def save(self, path):
        """Atomic write: a crash never leaves a half-written state file."""
        text = json.dumps(self.dump())
        fd, tmp = tempfile.mkstemp(prefix=".iwinv-state-", dir=os.path.dirname(os.path.abspath(path)))
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)

    # -- clock and asynchronous operations -------------------------------------------------------------------

    def server_time(self):
        """The API server's clock (used for auth and the Date header); tests skew it with clock_offset."""
        return time.time() + float(self.config["clock_offset"])

    def delay(self, key):
        return float(self.config["op_delays"].get(key, self.config["op_delay"]))

    def schedule(self, kind, target, fail=False, **extra):
        op = {"kind": kind, "target": target, "done_at": time.time() + self.delay(kind), "fail": bool(fail)}
        op.update(extra)
        self.ops.append(op)
        return op

    def settle(self):
        """Apply every operation whose time has come, oldest first."""
        if not self.ops:
            return
        now = time.time()
        due = sorted((op for op in self.ops if op["done_at"] <= now), key=lambda op: op["done_at"])
        if not due:
            return
        self.ops = [op for op in self.ops if op["done_at"] > now]
        for op in due:
            getattr(self, "_finish_" + op["kind"].replace(".", "_"))(op)

    def pending_for(self, target):
        return [op for op in self.ops if op["target"] == target]

    def _finish_instance(self, op, status):
        inst = self.instances.get(op["target"])
        if inst is not None:
            inst["status"] = "error" if op["fail"] else status
        return inst

    def _finish_instance_create(self, op):
        self._finish_instance(op, "active")

    def _finish_instance_start(self, op):
        inst = self._finish_instance(op, "active")
        if inst is not None and not op["fail"]:
            inst["stop_date"] = None

    def _finish_instance_shutdown(self, op):
        inst = self._finish_instance(op, "off")
        if inst is not None and not op["fail"]:
            inst["stop_date"] = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())

    def _finish_instance_reboot(self, op):
        self._finish_instance(op, "active")

    def _finish_instance_rebuild(self, op):
        inst = self._finish_instance(op, op["then"])
        if inst is not None and not op["fail"]:
            inst["image_id"] = op["image_id"]
            inst["default_account"]["password"] = new_password()

    def _finish_instance_resize(self, op):
        inst = self._finish_instance(op, op["then"])
        if inst is not None and not op["fail"]:
            inst["flavor_id"] = op["flavor_id"]

    def _finish_instance_delete(self, op):
        if op["fail"]:
            self._finish_instance(op, "error")
            return
        self.remove_instance(op["target"])

    def remove_instance(self, instance_id):
        """The instance is gone (deleted, or removed behind the API's back): its volumes stay, detached."""
        self.instances.pop(instance_id, None)
        for volume in self.volumes.values():
            if volume["instance_id"] == instance_id:   # volumes are kept, detached
                volume["instance_id"] = None
                volume["status"] = "available"
        for key in [k for k, link in self.links.items() if link["instance_id"] == instance_id]:
            del self.links[key]

    def vanish(self, params):
        """Removes the volume or instance a request path names at once, as if removed from the console."""
        volume_id, instance_id = params.get("block_storage_id"), params.get("instance_id")
        if volume_id:
            self.volumes.pop(volume_id, None)
        elif instance_id:
            self.remove_instance(instance_id)
        else:
            raise ApiError(500, "DEV_CHECK_RETURN", "the vanish fault needs a path that names an instance or a volume")
        self.ops = [op for op in self.ops if op["target"] != (volume_id or instance_id)]   # nothing left to finish

    def _finish_volume(self, op, status):
        volume = self.volumes.get(op["target"])
        if volume is not None:
            volume["status"] = "error" if op["fail"] else status
        return volume

    def _finish_block_storage_create(self, op):
        self._finish_attach(op)

    def _finish_block_storage_attach(self, op):
        self._finish_attach(op)

    def _finish_attach(self, op):
        volume = self._finish_volume(op, "attached")
        if volume is not None and volume["instance_id"] not in self.instances:
            volume["instance_id"] = None            # the instance was deleted meanwhile
            if not op["fail"]:
                volume["status"] = "available"

    def _finish_block_storage_detach(self, op):
        volume = self._finish_volume(op, "available")
        if volume is not None and not op["fail"]:
            volume["instance_id"] = None

    def _finish_block_storage_delete(self, op):
        if op["fail"]:
            self._finish_volume(op, "error")
        else:
            self.volumes.pop(op["target"], None)

    def _finish_firewall_attach(self, op):
        link = self.links.get(op["target"])
        if link is None:
            return
        if op["fail"] or link["instance_id"] not in self.instances:
            del self.links[op["target"]]   # a failed attach leaves nothing attached
        else:
            link["state"] = "attached"

    def _finish_firewall_detach(self, op):
        link = self.links.get(op["target"])
        if link is None:
            return
        if op["fail"]:
            link["state"] = "attached"     # a failed detach leaves the firewall attached
        else:
            del self.links[op["target"]]

    # -- allocation ------------------------------------------------------------------------------------------

    def new_instance(self, name, zone_id, flavor_id, image_id, status, description=None, public_ip=True):
        self.counters["ip"] += 1
        address, network, broadcast, gateway = private_network(self.counters["ip"])
        public = None
        if public_ip:
            public = public_address(self.counters["public"])
            self.counters["public"] += 1
        image = self.find("images", "image_id", image_id) or {}
        windows = (image.get("os") or {}).get("type") == "windows"
        inst = {
            "instance_id": str(uuid.uuid4()), "name": name, "description": description, "status": status,
            "zone_id": zone_id, "flavor_id": flavor_id, "image_id": image_id,
            "start_date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()), "stop_date": None,
            "default_account": {"username": "Administrator" if windows else "root", "password": new_password()},
            "private": {"address": address, "netmask": "255.255.255.0", "network": network,
                        "broadcast": broadcast, "gateway": gateway},
            "public": public, "vnc_token": secrets.token_hex(16),
        }
        self.instances[inst["instance_id"]] = inst
        return inst

    def new_rule_id(self):
        self.counters["rule"] += 1
        return self.counters["rule"]

    # -- catalog lookups -------------------------------------------------------------------------------------

    def find(self, section, key, value):
        for row in self.catalog[section]:
            if row.get(key) == value:
                return row
        return None

    def volumes_of(self, instance_id):
        return [v for v in self.volumes.values() if v["instance_id"] == instance_id]

    def links_of(self, instance_id):
        return [link for link in self.links.values() if link["instance_id"] == instance_id]

    # -- read models -----------------------------------------------------------------------------------------

    def instance_view(self, inst):
        """The full instance read model (REFERENCE.md 3.4); `fields` projection happens in the API layer."""
        zone = self.find("zones", "zone_id", inst["zone_id"]) or {}
        flavor = self.find("flavors", "flavor_id", inst["flavor_id"]) or {"spec": {}}
        image = self.find("images", "image_id", inst["image_id"]) or {}
        public = {"address": inst["public"], "attached": True} if inst["public"] else None
        return {
            "instance_id": inst["instance_id"], "name": inst["name"], "description": inst["description"],
            "status": inst["status"], "provide": "iwinv", "start_date": inst["start_date"], "stop_date": inst["stop_date"],
            "default_account": dict(inst["default_account"]),
            "ip": [{"public": public, "private": dict(inst["private"]), "type": "public" if public else "private"}],
            "zone": {"zone_id": inst["zone_id"], "name": zone.get("zone_name", inst["zone_id"])},
            "flavor": dict({"flavor_id": inst["flavor_id"], "name": flavor.get("name")}, **flavor["spec"]),
            "image": {"image_id": inst["image_id"], "visibility": image.get("visibility"),
                      "os": image.get("os"), "image_type": image.get("image_type"), "zone": image.get("zone")},
            "monitoring": {"port": 9100, "resource": ["cpu", "memory", "disk", "network"]},
            "block_storage": [dict(v) for v in self.volumes_of(inst["instance_id"])],
            "vnc": self.console(inst),
            "connection_limit": {"block_storage": 8, "ip": 1},
            "traffic": {"default": 2000, "period": "month", "limit": None, "reset_allow_count": 3},
        }

    @staticmethod
    def console(inst):
        return {"link": "https://console.example.invalid/vnc_auto.html?token=" + inst["vnc_token"], "type": "novnc"}

    def new_firewall(self, title, content, icmp, rules):
        alphabet = string.ascii_letters + string.digits
        firewall_id = "FIREWALL-" + "".join(secrets.choice(alphabet) for _index in range(12))
        firewall = {"firewall_id": firewall_id, "title": title, "content": content, "icmp": icmp, "rules": rules}
        self.firewalls[firewall_id] = firewall
        return firewall

    def attached_instances(self, firewall):
        """{instance_id, name} of the instances a firewall is attached to (an attach in progress is not shown yet)."""
        return [{"instance_id": link["instance_id"], "name": self.instances[link["instance_id"]]["name"]}
                for link in self.links.values()
                if link["firewall_id"] == firewall["firewall_id"] and link["state"] != "attaching"
                and link["instance_id"] in self.instances]

    def firewall_view(self, firewall, detail):
        row = {"firewall_id": firewall["firewall_id"], "title": firewall["title"],
               "content": None if firewall["content"] is None else html.escape(firewall["content"], quote=True),
               "icmp": firewall["icmp"]}
        if detail:
            row["rules"] = [dict(rule) for rule in firewall["rules"]]
            row["instances"] = self.attached_instances(firewall)
        return row
