"""The iwinv API v1 endpoints: routing table, validation and domain rules (DECISIONS.md D1-D4).

Every handler runs with the store lock held and the store settled. It returns (status, result, extra) where
`extra` holds envelope keys beside `result` (page_no, page_size, total), or raises ApiError.
"""

import datetime
import ipaddress
import re
import secrets
from urllib.parse import unquote_plus

import profiles
from state import INSTANCE_TRANSITIONAL, ApiError

# Request body kinds.
NONE, MULTIPART, OPTIONAL_MULTIPART, JSON = "none", "multipart", "optional-multipart", "json"

# REFERENCE.md 2.4: instance attribute bits, in order.
INSTANCE_BITS = ["instance_id", "name", "description", "status", "provide", "start_date", "stop_date",
                 "default_account", "ip", "zone", "flavor", "image", "monitoring", "block_storage", "vnc",
                 "connection_limit", "traffic"]
DEFAULT_FIELDS = 3599
IMAGE_OS = ("windows", "windows_core", "windows_sql", "ubuntu", "rocky", "cent", "fedora", "freebsd", "opensuse",
            "coreos", "oracle", "debian", "alma")
INSTANCE_STATUS_FILTER = ("pending", "active", "error", "work", "off")
VOLUME_TRANSITIONAL = ("creating", "attaching", "detaching", "deleting")
MAX_VOLUMES = 8
MAX_FIREWALLS = 5
PAGING = ("page_no", "page_size")
SPEC_FILTERS = ("min_vcpu", "max_vcpu", "min_memory", "max_memory", "min_disk", "max_disk", "min_gpu", "max_gpu")
URL_ENCODED = re.compile(r"^[A-Za-z0-9_.~+%-]*$")
BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DIGITS = re.compile(r"^[0-9]{1,18}$")   # bounded: int() refuses > 4300 digits, and no real value needs more
PORT = re.compile(r"^([0-9]{1,5})(?:-([0-9]{1,5}))?$")
IPV4_CIDR = re.compile(r"^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}"
                       r"/(3[0-2]|[12]?[0-9])$")
BLOCK_STORAGE_FIELD = re.compile(r"^block_storage\.([0-9]+)\.(size|name|type)$")


class Request:
    """What a handler sees: path parameters, query (str -> str), a multipart form or a JSON body."""

    def __init__(self, params, query, form=None, body=None, fail_async=False):
        self.params = params
        self.query = query
        self.form = form if form is not None else {}
        self.body = body
        self.fail_async = fail_async


def bad(error_code, message, status=400):
    return ApiError(status, error_code, message)


# -- small validators -------------------------------------------------------------------------------------------

def check_query(query, allowed):
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        raise bad("CHECK_PARAM", "unknown query parameter(s): %s" % ", ".join(unknown))


def check_form(form, allowed, pattern=None):
    for name in form:
        if name not in allowed and not (pattern and pattern.match(name)):
            raise bad("CHECK_PARAM", "unknown form field: %s" % name)


def required(form, *names):
    for name in names:
        if form.get(name) in (None, ""):
            raise bad("REQUIRED_POST_PARAM_MISSING", "required field missing: %s" % name)


def positive_int(text, what, minimum=1):
    if text is None or not DIGITS.match(text) or int(text) < minimum:
        raise bad("CHECK_PARAM", "%s must be a decimal integer >= %d" % (what, minimum))
    return int(text)


def check_length(value, low, high, what):
    if not low <= len(value) <= high:
        raise bad("CHECK_LENGTH", "%s must be %d to %d characters (got %d)" % (what, low, high, len(value)))
    return value


def url_decoded(form, name):
    """Instance name/description arrive URL-encoded (quote_plus); a raw value is a client bug."""
    raw = form.get(name)
    if raw is None:
        return None
    if not URL_ENCODED.match(raw) or BAD_PERCENT.search(raw):
        raise bad("CHECK_PARAM", "%s must be URL-encoded (quote_plus)" % name)
    try:
        value = unquote_plus(raw, errors="strict")
    except UnicodeDecodeError:
        raise bad("CHECK_PARAM", "%s is not valid percent-encoded UTF-8" % name) from None
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise bad("CHECK_PARAM", "%s contains control characters" % name)
    return value


def csv(query, name):
    value = query.get(name)
    return None if value is None else [part for part in value.split(",") if part]


def fields_mask(query):
    text = query.get("fields")
    if text is None:
        return DEFAULT_FIELDS
    if not DIGITS.match(text):
        raise bad("CHECK_PARAM", "fields must be a decimal integer bitmask")
    return int(text)


def project(view, mask):
    return {name: view[name] for bit, name in enumerate(INSTANCE_BITS) if mask & (1 << bit)}


def paginate(store, rows, query, default_size=10, as_strings=False):
    """Slice one page; the size is capped at page_size_cap and the size used is echoed (profiles.page_extra).

    page_size_limit (when set) refuses a larger size with CHECK_PARAM instead, as an API whose pages are smaller
    than the collection's size may (DECISIONS.md D4).
    """
    page_no = positive_int(query.get("page_no", "1"), "page_no")
    requested = positive_int(query.get("page_size", str(default_size)), "page_size")
    limit = int(store.config["page_size_limit"])
    if 0 < limit < requested:
        raise bad("CHECK_PARAM", "page_size must be at most %d" % limit)
    size = min(requested, int(store.config["page_size_cap"]))
    start = (page_no - 1) * size
    page = rows[start:start + size]
    extra = profiles.page_extra(store.config, page_no, requested, size, len(rows))
    if as_strings:
        extra.update(page_no=str(page_no), page_size=str(extra["page_size"]))
    return page, extra


def spec_filter(query, spec):
    for name in SPEC_FILTERS:
        if name in query:
            bound = positive_int(query[name], name, minimum=0)
            value = spec.get(name[4:]) or 0
            if name.endswith("gpu"):
                value = 1 if spec.get("gpu") else 0
            if (name.startswith("min_") and value < bound) or (name.startswith("max_") and value > bound):
                return False
    return True


# -- catalog ----------------------------------------------------------------------------------------------------

def zones_list(store, req):
    check_query(req.query, ())
    return 200, list(store.catalog["zones"]), {}


def _flavor_rows(store, query):
    zones, images, types = csv(query, "zone_id"), csv(query, "image_id"), csv(query, "type")
    rows = []
    for flavor in store.catalog["flavors"]:
        if zones and not set(zones) & set(flavor["zone"]):
            continue
        if images and not set(images) & set(flavor["supporting_images"]):
            continue
        if types and flavor["spec"].get("type") not in types:
            continue
        if spec_filter(query, flavor["spec"]):
            rows.append(flavor)
    return rows


def flavor_row(store, flavor):
    """A flavor as answered: without supporting_images unless the config says the API sends it (only TB has it)."""
    if store.config["supporting_images"]:
        return flavor
    return dict((key, value) for key, value in flavor.items() if key != "supporting_images")


def flavors_list(store, req):
    check_query(req.query, ("zone_id", "image_id", "type", "image_type", "fields") + SPEC_FILTERS + PAGING)
    fields_mask(req.query)   # validated; the flavor bit table is unknown, so every attribute is returned
    rows = _flavor_rows(store, req.query)
    page, extra = paginate(store, rows, req.query)
    extra["total"] = len(rows)
    return 200, [flavor_row(store, flavor) for flavor in page], extra


def flavor_detail(store, req):
    check_query(req.query, ("fields",))
    fields_mask(req.query)
    flavor = store.find("flavors", "flavor_id", req.params["flavor_id"])
    return 200, [flavor_row(store, flavor)] if flavor else [], {}    # D4: unknown flavor -> 200 []


def images_list(store, req):
    query = req.query
    check_query(query, ("zone_id", "name", "os", "type", "visibility") + PAGING)
    oses = csv(query, "os")
    for os_name in oses or ():
        if os_name not in IMAGE_OS:
            raise bad("CHECK_PARAM_ENUM", "os must be one of %s" % ", ".join(IMAGE_OS))
    zones = csv(query, "zone_id")
    rows = [image for image in store.catalog["images"]
            if (not zones or set(zones) & set(image["zone"]))
            and query.get("name", "") in image["name"]
            and (not oses or image["os"]["os_type"] in oses)
            and query.get("type", image["image_type"]) == image["image_type"]
            and query.get("visibility", image["visibility"]) == image["visibility"]]
    page, extra = paginate(store, rows, query)
    return 200, page, extra


def image_detail(store, req):
    check_query(req.query, ())
    image = store.find("images", "image_id", req.params["image_id"])
    if image is None:
        raise bad("ID_INVALID", "image not found: %s" % req.params["image_id"])
    return 200, [image], {}


def ssh_keys_list(store, req):
    check_query(req.query, ("name",) + PAGING)
    rows = [key for key in store.catalog["ssh_keys"] if req.query.get("name", "") in key["name"]]
    page, extra = paginate(store, rows, req.query)
    return 200, page, extra


def scripts_list(store, req):
    if store.config["user_script_list"] == "missing":   # LIVE: 404 for the tested account
        raise bad("NOT_FOUND", "no such endpoint: /v1/instance/script", status=404)
    check_query(req.query, ("name",) + PAGING)
    rows = [script for script in store.catalog["user_scripts"] if req.query.get("name", "") in script["name"]]
    page, extra = paginate(store, rows, req.query)
    return 200, page, extra


# -- bills ------------------------------------------------------------------------------------------------------

def bill_live(store, req):
    check_query(req.query, ())
    return 200, [store.catalog["live_bill"]], {}


def _date(query, name):
    text = query.get(name)
    if text is None:
        return None
    try:
        if not DATE.match(text):
            raise ValueError(text)
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise bad("CHECK_PARAM", "%s must be a Y-m-d date" % name) from None


def bill_list(store, req):
    query = req.query
    check_query(query, ("start_date", "end_date", "min_price", "max_price") + PAGING)
    start, end = _date(query, "start_date"), _date(query, "end_date")
    low = positive_int(query["min_price"], "min_price", 0) if "min_price" in query else None
    high = positive_int(query["max_price"], "max_price", 0) if "max_price" in query else None
    rows = [bill for bill in store.catalog["bills"]
            if (start is None or bill["bill_date"] >= start) and (end is None or bill["bill_date"] <= end)
            and (low is None or bill["price"] >= low) and (high is None or bill["price"] <= high)]
    if not rows and any(v is not None for v in (start, end, low, high)):
        raise bad("EMPTY_SET", "no bill matches the filter")
    page, extra = paginate(store, rows, query, as_strings=True)
    return 200, [dict((key, value) for key, value in bill.items() if key != "groups") for bill in page], extra


def bill_detail(store, req):
    if store.config["bill_detail"] == "check_ip":   # LIVE: every detail answered 403 CHECK_IP (list and live worked)
        raise bad("CHECK_IP", "IP address not allowed", status=403)
    check_query(req.query, ())
    bill = store.find("bills", "bill_id", req.params["bill_id"])
    if bill is None:
        raise bad("ID_INVALID", "bill not found: %s" % req.params["bill_id"])
    return 200, [bill], {}


# -- instances --------------------------------------------------------------------------------------------------

def get_instance(store, instance_id):
    inst = store.instances.get(instance_id)
    if inst is None:
        raise bad("ID_INVALID", "instance not found: %s" % instance_id)
    return inst


def require_stable(inst):
    if inst["status"] in INSTANCE_TRANSITIONAL:
        raise bad("DELETED_OR_WORKING_INSTANCE", "instance %s is %s" % (inst["instance_id"], inst["status"]))


def _instance_filter(store, query):
    """A predicate for the instance list filters, parsed once per request (lists can hold 10,000 rows)."""
    statuses, zones, images, name = csv(query, "status"), csv(query, "zone_id"), csv(query, "image_id"), query.get("name", "")
    networks = _ip_networks(query)
    spec = any(key in query for key in SPEC_FILTERS)

    def matches(inst):
        if (statuses and inst["status"] not in statuses) or (zones and inst["zone_id"] not in zones):
            return False
        if (images and inst["image_id"] not in images) or name not in inst["name"]:
            return False
        if networks and not _ip_matches(inst, networks):
            return False
        if spec:
            flavor = store.find("flavors", "flavor_id", inst["flavor_id"]) or {"spec": {}}
            return spec_filter(query, flavor["spec"])
        return True
    return matches


def _ip_networks(query):
    networks = []
    for part in csv(query, "ip") or ():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise bad("CHECK_PARAM", "ip must be an IP address or CIDR: %s" % part) from None
    return networks


def _ip_matches(inst, networks):
    addresses = [ipaddress.ip_address(a) for a in (inst["public"], inst["private"]["address"]) if a]
    return any(address in network for network in networks for address in addresses if address.version == network.version)


def instances_list(store, req):
    query = req.query
    check_query(query, ("status", "ip", "name", "zone_id", "image_id", "type", "core_type", "fields") + SPEC_FILTERS + PAGING)
    for status in csv(query, "status") or ():
        if status not in INSTANCE_STATUS_FILTER:
            raise bad("CHECK_PARAM_ENUM", "status must be one of %s" % ", ".join(INSTANCE_STATUS_FILTER))
    mask = fields_mask(query)
    matches = _instance_filter(store, query)
    rows = [inst for inst in store.instances.values() if matches(inst)]
    page, extra = paginate(store, rows, query)
    return 200, [project(store.instance_view(inst), mask) for inst in page], extra


def instance_detail(store, req):
    check_query(req.query, ("fields",))
    mask = fields_mask(req.query)
    inst = get_instance(store, req.params["instance_id"])
    return 200, [project(store.instance_view(inst), mask)], {}


def _catalog_item(store, section, key, value):
    row = store.find(section, key, value)
    if row is None:
        raise bad("ID_INVALID", "unknown %s: %s" % (key, value))
    return row


def _check_combination(zone_id, flavor, image):
    if zone_id not in flavor["zone"] or zone_id not in image["zone"] or image["image_id"] not in flavor["supporting_images"]:
        raise bad("UNAVAILABLE_COMBINATION", "zone %s, flavor %s and image %s cannot be combined"
                  % (zone_id, flavor["flavor_id"], image["image_id"]))


def _ssh_keys(store, form, image):
    keys = [key for key in (form.get("ssh_key_id") or "").split(",") if key]
    for key in keys:
        _catalog_item(store, "ssh_keys", "ssh_key_id", key)
    if keys and image["os"]["type"] == "windows":
        raise bad("UNAVAILABLE_SSH_KEY", "SSH keys cannot be used with Windows images")
    return keys


def _volume_type(store, name):
    vtype = store.find("block_storage_types", "type", name)
    if vtype is None:
        raise bad("CHECK_PARAM_ENUM", "type must be one of %s" % ", ".join(t["type"] for t in store.catalog["block_storage_types"]))
    return vtype


def _volume_size(text, vtype):
    size = positive_int(text, "size")
    if not vtype["min"] <= size <= vtype["max"]:
        raise bad("CHECK_PARAM", "%s size must be %d to %d GB" % (vtype["type"], vtype["min"], vtype["max"]))
    return size


def _check_volume_zone(vtype, zone_id):
    if vtype["zones"] is not None and zone_id not in vtype["zones"]:
        raise bad("UNAVAILABLE_COMBINATION", "%s block storage is only available in %s (instance zone %s)"
                  % (vtype["type"], ", ".join(vtype["zones"]), zone_id))


def _create_volumes_spec(store, form, zone_id):
    """block_storage.N.size/.name (N from 0, contiguous) -> [(type, size, name)]."""
    indexes = sorted({int(BLOCK_STORAGE_FIELD.match(name).group(1)) for name in form if BLOCK_STORAGE_FIELD.match(name)})
    if indexes != list(range(len(indexes))):
        raise bad("CHECK_PARAM", "block_storage.N indexes must start at 0 and be contiguous")
    if len(indexes) > MAX_VOLUMES:
        raise bad("LIMIT_EXCEEDED", "at most %d block storages per instance" % MAX_VOLUMES)
    specs = []
    for index in indexes:
        prefix = "block_storage.%d." % index
        required(form, prefix + "size")
        vtype = _volume_type(store, form.get(prefix + "type", "ssd"))
        _check_volume_zone(vtype, zone_id)
        name = form.get(prefix + "name")
        if name is not None:
            check_length(name, 1, 64, prefix + "name")
        specs.append((vtype["type"], _volume_size(form[prefix + "size"], vtype), name))
    return specs


def new_volume(store, instance_id, zone_id, vtype, size, name, description, status):
    volume_id = "bs-" + secrets.token_hex(6)
    store.volumes[volume_id] = {
        "block_storage_id": volume_id, "name": name, "description": description, "type": vtype, "size": size,
        "zone_id": zone_id, "instance_id": instance_id, "status": status,
        "created_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")}
    return volume_id


def instance_create(store, req):
    form = req.form
    check_query(req.query, ())
    check_form(form, ("zone_id", "image_id", "flavor_id", "name", "description", "count", "ssh_key_id",
                      "user_script_id", "security_group", "attach_public_ip"), BLOCK_STORAGE_FIELD)
    required(form, "zone_id", "image_id", "flavor_id")
    zone_id = _catalog_item(store, "zones", "zone_id", form["zone_id"])["zone_id"]
    image = _catalog_item(store, "images", "image_id", form["image_id"])
    flavor = _catalog_item(store, "flavors", "flavor_id", form["flavor_id"])
    _check_combination(zone_id, flavor, image)
    if zone_id in store.config["restricted_zones"]:   # LIVE: refused after validation, nothing created
        raise bad("DEV_CHECK_RETURN", "resource use is restricted in the selected zone (%s)" % zone_id, status=500)
    name = url_decoded(form, "name")
    name = check_length(name, 1, 64, "name") if name is not None else "iwinv-" + secrets.token_hex(4)
    description = url_decoded(form, "description")
    if description is not None:
        check_length(description, 0, 255, "description")
    count = positive_int(form.get("count", "1"), "count")
    if count > 10:
        raise bad("CHECK_PARAM", "count must be 1 to 10")
    keys = _ssh_keys(store, form, image)
    script = form.get("user_script_id") or None
    if script is not None:
        _catalog_item(store, "user_scripts", "user_script_id", script)
    volumes = _create_volumes_spec(store, form, zone_id)
    rows = []
    for number in range(1, count + 1):
        inst = store.new_instance(name if count == 1 else "%s-%d" % (name, number), zone_id, flavor["flavor_id"],
                                  image["image_id"], "building", description or None)
        op = store.schedule("instance.create", inst["instance_id"], req.fail_async)
        for vtype, size, vname in volumes:
            volume_id = new_volume(store, inst["instance_id"], zone_id, vtype, size, vname, None, "creating")
            store.schedule("block_storage.create", volume_id, req.fail_async)["done_at"] = op["done_at"]
        rows.append({"instance_id": inst["instance_id"], "name": inst["name"], "status": "building", "ssh_key": keys,
                     "user_script_id": script, "default_account": dict(inst["default_account"])})
    return 202, rows, {}


def instance_edit(store, req):
    check_query(req.query, ("fields",))
    mask = fields_mask(req.query)
    check_form(req.form, ("name", "description"))
    if "name" not in req.form and "description" not in req.form:
        raise bad("REQUIRED_POST_PARAM_MISSING", "name or description is required")
    inst = get_instance(store, req.params["instance_id"])
    require_stable(inst)
    name, description = url_decoded(req.form, "name"), url_decoded(req.form, "description")
    if name is not None:
        check_length(name, 1, 64, "name")
    if description is not None:
        check_length(description, 0, 255, "description")
    if name is not None:
        inst["name"] = name
    if description is not None:
        inst["description"] = description or None
    return 200, [project(store.instance_view(inst), mask)], {}


def instance_delete(store, req):
    check_query(req.query, ())
    inst = get_instance(store, req.params["instance_id"])
    require_stable(inst)
    inst["status"] = "deleting"
    store.schedule("instance.delete", inst["instance_id"], req.fail_async)
    volumes = [v["block_storage_id"] for v in store.volumes_of(inst["instance_id"])]
    return 202, [{"status": "deleting", "block_storage": volumes}], {}


def _power(store, req, kind, allowed_from, refused_from):
    check_query(req.query, ())
    inst = get_instance(store, req.params["instance_id"])
    require_stable(inst)
    if inst["status"] in refused_from or inst["status"] not in allowed_from:
        raise bad("CHECK_PARAM", "cannot %s an instance that is %s" % (kind, inst["status"]))
    inst["status"] = "work"
    store.schedule("instance." + kind, inst["instance_id"], req.fail_async)
    return 202, [{"instance_id": inst["instance_id"], "status": "work"}], {}


def instance_start(store, req):
    return _power(store, req, "start", ("off", "error"), ("active",))


def instance_shutdown(store, req):
    return _power(store, req, "shutdown", ("active", "error"), ("off",))


def instance_reboot(store, req):
    return _power(store, req, "reboot", ("active", "error"), ("off",))


def instance_rebuild(store, req):
    check_query(req.query, ())
    check_form(req.form, ("image_id",))
    inst = get_instance(store, req.params["instance_id"])
    image_id = req.form.get("image_id") or inst["image_id"]
    image = _catalog_item(store, "images", "image_id", image_id)
    require_stable(inst)
    flavor = _catalog_item(store, "flavors", "flavor_id", inst["flavor_id"])
    _check_combination(inst["zone_id"], flavor, image)
    then = inst["status"] if inst["status"] in ("active", "off") else "active"
    inst["status"] = "work"
    store.schedule("instance.rebuild", inst["instance_id"], req.fail_async, then=then, image_id=image_id)
    return 202, [{"instance_id": inst["instance_id"], "status": "work"}], {}


def instance_resize(store, req):
    check_query(req.query, ())
    check_form(req.form, ("flavor_id",))
    required(req.form, "flavor_id")
    inst = get_instance(store, req.params["instance_id"])
    require_stable(inst)
    if inst["status"] not in ("active", "off"):
        raise bad("CHECK_PARAM", "resize works from active or off, not %s" % inst["status"])
    flavor = store.find("flavors", "flavor_id", req.form["flavor_id"])
    current = store.find("flavors", "flavor_id", inst["flavor_id"]) or {"spec": {"disk": 0}}
    if flavor is None or inst["zone_id"] not in flavor["zone"] or flavor["spec"]["disk"] < current["spec"]["disk"]:
        raise bad("UNAVAILABLE_FLAVOR", "flavor %s is unknown, not in zone %s, or has a smaller disk"
                  % (req.form["flavor_id"], inst["zone_id"]))
    if flavor["flavor_id"] == inst["flavor_id"]:
        raise bad("CHECK_PARAM", "the instance already has flavor %s" % inst["flavor_id"])
    if inst["image_id"] not in flavor["supporting_images"]:
        raise bad("UNAVAILABLE_COMBINATION", "flavor %s does not support image %s" % (flavor["flavor_id"], inst["image_id"]))
    then = inst["status"]
    inst["status"] = "work"
    store.schedule("instance.resize", inst["instance_id"], req.fail_async, then=then, flavor_id=flavor["flavor_id"])
    return 202, [{"instance_id": inst["instance_id"], "status": "work"}], {}


def instance_console(store, req):
    check_query(req.query, ())
    inst = get_instance(store, req.params["instance_id"])
    return 200, [store.console(inst)], {}


# -- block storage ----------------------------------------------------------------------------------------------

def volume_types(store, req):
    check_query(req.query, ("type",))
    rows = store.catalog["block_storage_types"]
    if "type" in req.query:
        rows = [row for row in rows if row["type"] == req.query["type"]]
        if not rows:
            raise bad("CHECK_PARAM", "unknown block storage type: %s" % req.query["type"])
    return 200, list(rows), {}


def volumes_list(store, req):
    """Unpaginated as documented: page_no/page_size are ignored, as the LIVE security-group rule list does.

    volume_page_size N pages it like the other lists, at N rows by default (DECISIONS.md D3).
    """
    query = req.query
    check_query(query, ("zone_id", "name", "type") + PAGING)
    if "type" in query and store.find("block_storage_types", "type", query["type"]) is None:
        raise bad("CHECK_PARAM", "unknown block storage type: %s" % query["type"])
    zones = csv(query, "zone_id")
    rows = [dict(v) for v in store.volumes.values()
            if (not zones or v["zone_id"] in zones) and query.get("name", "") in (v["name"] or "")
            and query.get("type", v["type"]) == v["type"]]
    page_size = int(store.config["volume_page_size"])
    if page_size > 0:
        return (200,) + paginate(store, rows, query, default_size=page_size)
    return 200, rows, {}


def get_volume(store, volume_id):
    volume = store.volumes.get(volume_id)
    if volume is None:
        raise bad("ID_INVALID", "block storage not found: %s" % volume_id)
    return volume


def volume_detail(store, req):
    check_query(req.query, ())
    return 200, [dict(get_volume(store, req.params["block_storage_id"]))], {}


def volume_create(store, req):
    form = req.form
    check_query(req.query, ())
    check_form(form, ("instance_id", "type", "size", "name", "description"))
    required(form, "instance_id", "type", "size")
    vtype = _volume_type(store, form["type"])
    size = _volume_size(form["size"], vtype)
    name, description = form.get("name"), form.get("description")
    if name is not None:
        check_length(name, 1, 64, "name")
    if description is not None:
        check_length(description, 0, 255, "description")
    inst = get_instance(store, form["instance_id"])
    require_stable(inst)
    _check_volume_zone(vtype, inst["zone_id"])
    if len(store.volumes_of(inst["instance_id"])) >= MAX_VOLUMES:
        raise bad("LIMIT_EXCEEDED", "at most %d block storages per instance" % MAX_VOLUMES)
    volume_id = new_volume(store, inst["instance_id"], inst["zone_id"], vtype["type"], size, name,
                           description or None, "creating")
    store.schedule("block_storage.create", volume_id, req.fail_async)
    return 202, [{"block_storage_id": volume_id, "instance_id": inst["instance_id"], "status": "creating"}], {}


def volume_delete(store, req):
    check_query(req.query, ())
    volume = get_volume(store, req.params["block_storage_id"])
    if volume["instance_id"] is not None or volume["status"] in VOLUME_TRANSITIONAL:
        raise bad("IN_USE", "block storage %s is %s" % (volume["block_storage_id"], volume["status"]))
    volume["status"] = "deleting"
    store.schedule("block_storage.delete", volume["block_storage_id"], req.fail_async)
    return 202, [{"block_storage_id": volume["block_storage_id"], "status": "deleting"}], {}


def volume_attach(store, req):
    check_query(req.query, ())
    volume = get_volume(store, req.params["block_storage_id"])
    inst = get_instance(store, req.params["instance_id"])
    if volume["instance_id"] is not None or volume["status"] in VOLUME_TRANSITIONAL:
        raise bad("IN_USE", "block storage %s is %s" % (volume["block_storage_id"], volume["status"]))
    if volume["status"] != "available":
        raise bad("CHECK_PARAM", "block storage %s is %s" % (volume["block_storage_id"], volume["status"]))
    require_stable(inst)
    if volume["zone_id"] != inst["zone_id"]:
        raise bad("UNAVAILABLE_COMBINATION", "block storage is in %s, instance in %s" % (volume["zone_id"], inst["zone_id"]))
    if len(store.volumes_of(inst["instance_id"])) >= MAX_VOLUMES:
        raise bad("LIMIT_EXCEEDED", "at most %d block storages per instance" % MAX_VOLUMES)
    volume["instance_id"], volume["status"] = inst["instance_id"], "attaching"
    store.schedule("block_storage.attach", volume["block_storage_id"], req.fail_async)
    return 202, [{"block_storage_id": volume["block_storage_id"], "status": "attaching"}], {}


def volume_detach(store, req):
    check_query(req.query, ())
    volume = get_volume(store, req.params["block_storage_id"])
    if volume["status"] in VOLUME_TRANSITIONAL:
        raise bad("IN_USE", "block storage %s is %s" % (volume["block_storage_id"], volume["status"]))
    if volume["instance_id"] is None:
        raise bad("CHECK_PARAM", "block storage %s is not attached" % volume["block_storage_id"])
    volume["status"] = "detaching"
    store.schedule("block_storage.detach", volume["block_storage_id"], req.fail_async)
    return 202, [{"block_storage_id": volume["block_storage_id"], "status": "detaching"}], {}


# -- firewall (D1) ----------------------------------------------------------------------------------------------

def _json_object(req, allowed):
    body = req.body
    if not isinstance(body, dict):
        raise bad("CHECK_PARAM", "the body must be a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise bad("CHECK_PARAM", "unknown field(s): %s" % ", ".join(unknown))
    return body


def _string(body, name, low, high, nullable=False):
    value = body.get(name)
    if value is None and nullable:
        return None
    if not isinstance(value, str):
        raise bad("CHECK_PARAM", "%s must be a string" % name)
    return check_length(value, low, high, name)


def _enum(value, allowed, name):
    if not isinstance(value, str):
        raise bad("CHECK_PARAM", "%s must be a string" % name)
    if value not in allowed:
        raise bad("CHECK_PARAM_ENUM", "%s must be one of %s (uppercase)" % (name, "/".join(allowed)))
    return value


def _port(value):
    if not isinstance(value, str):
        raise bad("CHECK_PARAM", "port must be a string such as \"22\" or \"1000-2000\"")
    match = PORT.match(value)
    if not match:
        raise bad("CHECK_PARAM", "port must look like \"22\" or \"1000-2000\"")
    low, high = int(match.group(1)), int(match.group(2) or match.group(1))
    if not 1 <= low <= high <= 65535:
        raise bad("CHECK_PARAM", "ports must be 1-65535 with low <= high")
    return value


def _cidr(value):
    if not isinstance(value, str):
        raise bad("CHECK_PARAM", "ip must be a string")
    if ":" in value:
        raise bad("IPV6_NOT_SUPPORTED", "IPv6 is not supported: %s" % value)
    if not IPV4_CIDR.match(value):
        raise bad("CHECK_PARAM", "ip must be an IPv4 CIDR such as 192.0.2.0/24: %s" % value)
    return value   # host bits are kept as sent


def _rule(store, raw):
    if not isinstance(raw, dict):
        raise bad("CHECK_PARAM", "each rule must be a JSON object")
    unknown = sorted(set(raw) - {"bound", "protocol", "port", "ip", "title", "content"})
    if unknown:
        raise bad("CHECK_PARAM", "unknown rule field(s): %s" % ", ".join(unknown))
    for name in ("bound", "protocol", "port", "ip", "title"):
        if name not in raw:
            raise bad("REQUIRED_POST_PARAM_MISSING", "rule field missing: %s" % name)
    return {"rule_id": store.new_rule_id(), "bound": _enum(raw["bound"], ("IN", "OUT"), "bound"),
            "protocol": _enum(raw["protocol"], ("TCP", "UDP"), "protocol"), "port": _port(raw["port"]),
            "ip": _cidr(raw["ip"]), "title": _string(raw, "title", 1, 25),
            "content": _string(raw, "content", 0, 100, nullable=True) or None}


def _rules(store, raw):
    if not isinstance(raw, list):
        raise bad("CHECK_PARAM", "rules must be an array")
    rules = [_rule(store, item) for item in raw]
    identities = [(r["bound"], r["protocol"], r["port"], r["ip"]) for r in rules]
    if len(set(identities)) != len(identities):
        raise bad("CHECK_PARAM", "two rules have the same bound, protocol, port and ip")
    return rules


def _firewall_fields(store, body):
    if "title" not in body:   # required on create and on edit (D1)
        raise bad("REQUIRED_POST_PARAM_MISSING", "title is required")
    fields = {"title": _string(body, "title", 4, 32)}
    if "content" in body:
        fields["content"] = _string(body, "content", 0, 50, nullable=True)
    if "icmp" in body:
        fields["icmp"] = _enum(body["icmp"], ("Y", "N"), "icmp")
    if "rules" in body:
        fields["rules"] = _rules(store, body["rules"])
    return fields


def get_firewall(store, firewall_id):
    firewall = store.firewalls.get(firewall_id)
    if firewall is None:
        raise bad("ID_INVALID", "firewall not found: %s" % firewall_id)
    return firewall


def firewall_list(store, req):
    check_query(req.query, PAGING)
    page, extra = paginate(store, list(store.firewalls.values()), req.query, default_size=50)
    return 200, [store.firewall_view(fw, detail=False) for fw in page], extra


def firewall_detail(store, req):
    check_query(req.query, ())
    firewall = store.firewalls.get(req.params["firewall_id"])
    return 200, [store.firewall_view(firewall, detail=True)] if firewall else [], {}   # D4: unknown -> 200 []


def firewall_create(store, req):
    check_query(req.query, ())
    body = _json_object(req, ("title", "content", "icmp", "rules"))
    fields = _firewall_fields(store, body)
    firewall = store.new_firewall(fields["title"], fields.get("content") or None, fields.get("icmp", "N"),
                                  fields.get("rules", []))
    return 202, [store.firewall_view(firewall, detail=True)], {}


def firewall_edit(store, req):
    check_query(req.query, ())
    firewall = get_firewall(store, req.params["firewall_id"])
    body = _json_object(req, ("title", "content", "icmp", "rules"))
    fields = _firewall_fields(store, body)
    if "content" in fields:
        fields["content"] = fields["content"] or None
    firewall.update(fields)
    return 200, [store.firewall_view(firewall, detail=True)], {}


def firewall_delete(store, req):
    check_query(req.query, ())
    firewall = get_firewall(store, req.params["firewall_id"])
    if any(link["firewall_id"] == firewall["firewall_id"] for link in store.links.values()):
        raise bad("IN_USE", "firewall %s is attached to an instance" % firewall["firewall_id"])
    del store.firewalls[firewall["firewall_id"]]
    return 202, [{"firewall_id": firewall["firewall_id"]}], {}


def _link_request(store, req):
    check_query(req.query, ())
    firewall = get_firewall(store, req.params["firewall_id"])
    body = _json_object(req, ("instance_id",))
    if "instance_id" not in body:
        raise bad("REQUIRED_POST_PARAM_MISSING", "instance_id is required")
    if not isinstance(body["instance_id"], str):
        raise bad("CHECK_PARAM", "instance_id must be a string")
    inst = get_instance(store, body["instance_id"])
    key = firewall["firewall_id"] + "|" + inst["instance_id"]
    return firewall, inst, key, store.links.get(key)


def firewall_attach(store, req):
    firewall, inst, key, link = _link_request(store, req)
    if link is not None:
        raise bad("IN_USE", "firewall %s is already %s on %s" % (firewall["firewall_id"], link["state"], inst["instance_id"]))
    require_stable(inst)
    if len(store.links_of(inst["instance_id"])) >= MAX_FIREWALLS:
        raise bad("LIMIT_EXCEEDED", "at most %d firewalls per instance" % MAX_FIREWALLS)
    store.links[key] = {"firewall_id": firewall["firewall_id"], "instance_id": inst["instance_id"], "state": "attaching"}
    store.schedule("firewall.attach", key, req.fail_async)
    return 202, [{"firewall_id": firewall["firewall_id"], "instance_id": inst["instance_id"]}], {}


def firewall_detach(store, req):
    firewall, inst, key, link = _link_request(store, req)
    if link is None:
        raise bad("CHECK_PARAM", "firewall %s is not attached to %s" % (firewall["firewall_id"], inst["instance_id"]))
    if link["state"] != "attached":
        raise bad("IN_USE", "firewall %s is still %s on %s" % (firewall["firewall_id"], link["state"], inst["instance_id"]))
    link["state"] = "detaching"
    store.schedule("firewall.detach", key, req.fail_async)
    return 202, [{"firewall_id": firewall["firewall_id"], "instance_id": inst["instance_id"]}], {}


# -- security groups (D1b, REFERENCE.md 3.8.3: the family observed live) -------------------------------------

GROUP_FIELDS = ("title", "content", "icmp")
RULE_FIELDS = ("bound", "protocol", "port", "ip", "title", "content")


def _group_fields(body, creating):
    """A group's fields; `content` must be non-empty on create (LIVE: omitted or empty -> 403 CHECK_IP)."""
    if "title" not in body:
        raise bad("REQUIRED_POST_PARAM_MISSING", "title is required")
    fields = {"title": _string(body, "title", 4, 32)}
    if creating and not body.get("content"):
        raise bad("CHECK_IP", "permission denied", status=403)   # what the API answered, although no IP was wrong
    if body.get("content"):   # an edit with an empty or null content keeps the old text
        fields["content"] = _string(body, "content", 1, 50)
    if "icmp" in body:
        fields["icmp"] = _enum(body["icmp"], ("Y", "N"), "icmp")
    return fields


def group_detail(store, req):
    check_query(req.query, ())
    firewall = store.firewalls.get(req.params["firewall_id"])
    return 200, [store.firewall_view(firewall, detail=False)] if firewall else [], {}   # LIVE: gone -> 200 []


def group_create(store, req):
    check_query(req.query, ())
    fields = _group_fields(_json_object(req, GROUP_FIELDS), creating=True)
    firewall = store.new_firewall(fields["title"], fields["content"], fields.get("icmp", "N"), [])
    return 200, [store.firewall_view(firewall, detail=False)], {}


def group_edit(store, req):
    check_query(req.query, ())
    firewall = get_firewall(store, req.params["firewall_id"])
    firewall.update(_group_fields(_json_object(req, GROUP_FIELDS), creating=False))
    return 200, [store.firewall_view(firewall, detail=False)], {}


def group_delete(store, req):
    firewall_delete(store, req)
    return 200, "deleted", {}   # LIVE: a string acknowledgement


def _group_of_rules(store, req):
    """The group a rule request names; a group that does not exist -> 400 CHECK_PARAM (LIVE, after deletion)."""
    check_query(req.query, ())
    firewall = store.firewalls.get(req.params["firewall_id"])
    if firewall is None:
        raise bad("CHECK_PARAM", "no security group %s" % req.params["firewall_id"])
    return firewall


def _identity(rule):
    return (rule["bound"], rule["protocol"], rule["port"], rule["ip"])


def _refuse_duplicate(firewall, rule, rule_id=None):
    if any(_identity(other) == _identity(rule) for other in firewall["rules"] if other["rule_id"] != rule_id):
        raise bad("CHECK_PARAM", "the same rule already exists (bound, protocol, port and ip)")


def _rule_of(firewall, text):
    for rule in firewall["rules"]:
        if str(rule["rule_id"]) == text:
            return rule
    raise bad("CHECK_PARAM", "no rule %s in security group %s" % (text, firewall["firewall_id"]))


def group_rules(store, req):
    return 200, [dict(rule) for rule in _group_of_rules(store, req)["rules"]], {}   # unpaginated


def group_rule_create(store, req):
    firewall = _group_of_rules(store, req)
    rule = _rule(store, _json_object(req, RULE_FIELDS))
    _refuse_duplicate(firewall, rule)
    firewall["rules"].append(rule)
    return 200, [dict(rule)], {}


def group_rule_edit(store, req):
    """A partial edit: omitted fields are kept, as are the rule id and (empty or null content) the old text."""
    firewall = _group_of_rules(store, req)
    rule = _rule_of(firewall, req.params["rule_id"])
    body = _json_object(req, RULE_FIELDS)
    if not body.get("content"):
        body.pop("content", None)
    edited = _rule(store, dict(dict((key, rule[key]) for key in RULE_FIELDS if rule[key] is not None), **body))
    _refuse_duplicate(firewall, edited, rule["rule_id"])
    rule.update((key, edited[key]) for key in RULE_FIELDS)
    return 200, [dict(rule)], {}


def group_rule_delete(store, req):
    firewall = _group_of_rules(store, req)
    firewall["rules"].remove(_rule_of(firewall, req.params["rule_id"]))
    return 200, "deleted", {}


def group_instances(store, req):
    check_query(req.query, ())
    firewall = get_firewall(store, req.params["firewall_id"])
    return 200, store.attached_instances(firewall), {}


# -- routing ----------------------------------------------------------------------------------------------------

ROUTES = [
    ("GET", "/v1/zones", NONE, zones_list),
    ("GET", "/v1/flavors", NONE, flavors_list),
    ("GET", "/v1/flavors/{flavor_id}", NONE, flavor_detail),
    ("GET", "/v1/images", NONE, images_list),
    ("GET", "/v1/images/{image_id}", NONE, image_detail),
    ("GET", "/v1/instances", NONE, instances_list),
    ("POST", "/v1/instances", MULTIPART, instance_create),
    ("GET", "/v1/instances/{instance_id}", NONE, instance_detail),
    ("PUT", "/v1/instances/{instance_id}", MULTIPART, instance_edit),
    ("DELETE", "/v1/instances/{instance_id}", NONE, instance_delete),
    ("POST", "/v1/instances/{instance_id}/start", NONE, instance_start),
    ("POST", "/v1/instances/{instance_id}/shutdown", NONE, instance_shutdown),
    ("POST", "/v1/instances/{instance_id}/reboot", NONE, instance_reboot),
    ("POST", "/v1/instances/{instance_id}/rebuild", OPTIONAL_MULTIPART, instance_rebuild),
    ("POST", "/v1/instances/{instance_id}/resize", MULTIPART, instance_resize),
    ("GET", "/v1/instances/{instance_id}/remote-console", NONE, instance_console),
    ("GET", "/v1/instance/script", NONE, scripts_list),
    ("GET", "/v1/block-storages/types", NONE, volume_types),
    ("GET", "/v1/block-storages", NONE, volumes_list),
    ("POST", "/v1/block-storages", MULTIPART, volume_create),
    ("GET", "/v1/block-storages/{block_storage_id}", NONE, volume_detail),
    ("DELETE", "/v1/block-storages/{block_storage_id}", NONE, volume_delete),
    ("POST", "/v1/block-storages/{block_storage_id}/attach/{instance_id}", NONE, volume_attach),
    ("POST", "/v1/block-storages/{block_storage_id}/detach", NONE, volume_detach),
    ("GET", "/v1/bill/live", NONE, bill_live),
    ("GET", "/v1/bill", NONE, bill_list),
    ("GET", "/v1/bill/{bill_id}", NONE, bill_detail),
    ("GET", "/v1/auth/ssh_key", NONE, ssh_keys_list),
    ("GET", "/v1/security-groups", NONE, firewall_list),   # the family firewall_family serves (profiles.py)
    ("POST", "/v1/security-groups", JSON, group_create),
    ("GET", "/v1/security-groups/{firewall_id}", NONE, group_detail),
    ("PUT", "/v1/security-groups/{firewall_id}", JSON, group_edit),
    ("DELETE", "/v1/security-groups/{firewall_id}", NONE, group_delete),
    ("GET", "/v1/security-groups/{firewall_id}/rules", NONE, group_rules),
    ("POST", "/v1/security-groups/{firewall_id}/rules", JSON, group_rule_create),
    ("PUT", "/v1/security-groups/{firewall_id}/rules/{rule_id}", JSON, group_rule_edit),
    ("DELETE", "/v1/security-groups/{firewall_id}/rules/{rule_id}", NONE, group_rule_delete),
    ("GET", "/v1/security-groups/{firewall_id}/instances", NONE, group_instances),
    ("POST", "/v1/security-groups/{firewall_id}/attach", JSON, firewall_attach),
    ("POST", "/v1/security-groups/{firewall_id}/detach", JSON, firewall_detach),
    ("GET", "/v1/firewall", NONE, firewall_list),
    ("POST", "/v1/firewall", JSON, firewall_create),
    ("GET", "/v1/firewall/{firewall_id}", NONE, firewall_detail),
    ("PUT", "/v1/firewall/{firewall_id}", JSON, firewall_edit),
    ("DELETE", "/v1/firewall/{firewall_id}", NONE, firewall_delete),
    ("POST", "/v1/firewall/{firewall_id}/attach", JSON, firewall_attach),
    ("POST", "/v1/firewall/{firewall_id}/detach", JSON, firewall_detach),
]


DETAIL_READS = (flavor_detail, image_detail, instance_detail, volume_detail, bill_detail, firewall_detail, group_detail)


def is_detail_read(method, path):
    """Whether a request is a detail read (the not-found answers the profiles differ on)."""
    try:
        return route(method, path)[0] in DETAIL_READS
    except ApiError:
        return False


def _compile(template):
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")


# Literal routes (e.g. /v1/bill/live, /v1/block-storages/types) come before the {id} routes that would also match.
COMPILED = [(method, _compile(template), kind, handler) for method, template, kind, handler in ROUTES]


def route(method, path):
    """(handler, body kind, path params) for a request, or raise NOT_FOUND."""
    for route_method, pattern, kind, handler in COMPILED:
        match = pattern.match(path)
        if match and route_method == method:
            return handler, kind, match.groupdict()
    raise bad("NOT_FOUND", "no such endpoint: %s %s" % (method, path), status=404)
