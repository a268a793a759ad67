"""The deterministic seed catalog of the iwinv emulator (docs/dev/internals.md, "Seed catalog").

Tests rely on these ids and names. Values that the docs do not fix (prices, file sizes, dates) are
made up but stable. `load_seed(path)` replaces whole sections from a JSON or YAML file.
"""

import datetime
import json

SECTIONS = ("zones", "images", "flavors", "ssh_keys", "user_scripts", "block_storage_types", "bills", "live_bill")

ALL_ZONES = ["KR1-Z01", "KR1-Z08", "KR2-Z01"]
# A zone the account may not use (LIVE: a create there answers 500 DEV_CHECK_RETURN and creates nothing): listed,
# offered by the Ubuntu images and the two smallest flavors, and in the default config's restricted_zones.
RESTRICTED_ZONE = "KR3-Z01"
UBUNTU = ["img-ubuntu-2204", "img-ubuntu-2404"]
LINUX = UBUNTU + ["img-rocky-9", "img-debian-12"]
ALL_IMAGES = LINUX + ["img-windows-2022"]


def _zones():
    return [
        {"zone_id": "KR1-Z01", "zone_name": "Seoul Gasan", "status": "available",
         "content": ["SSD block storage", "Windows images"]},
        {"zone_id": "KR1-Z08", "zone_name": "Seoul Mokdong", "status": "available",
         "content": ["SSD block storage", "SATA block storage", "GPU flavors"]},
        {"zone_id": "KR2-Z01", "zone_name": "Busan", "status": "available",
         "content": ["SSD block storage"]},
        {"zone_id": RESTRICTED_ZONE, "zone_name": "Daejeon", "status": "available",
         "content": ["SSD block storage"]},
    ]


def _image(image_id, name, os_type, version, zones, windows=False):
    os_name = {"ubuntu": "Ubuntu", "rocky": "Rocky Linux", "debian": "Debian", "windows": "Windows Server"}[os_type]
    return {
        "name": name, "image_id": image_id, "visibility": "public",
        "os": {"type": "windows" if windows else "linux", "name": os_name, "status": "active", "content": [],
               "os_type": os_type, "version": version, "oid": image_id},
        "image_type": "os_windows" if windows else "os_linux", "zone": list(zones), "tags": [],
        "status": "active", "protected": True, "description": name + " (official image)",
        "min_disk": 50 if windows else 20, "min_ram": 2 if windows else 1,
        "file_size": 10737418240 if windows else 2147483648,
        "created_at": "2025-01-01 00:00:00", "updated_at": "2025-06-01 00:00:00",
    }


def _images():
    return [
        _image("img-ubuntu-2204", "Ubuntu 22.04", "ubuntu", "22.04", ALL_ZONES + [RESTRICTED_ZONE]),
        _image("img-ubuntu-2404", "Ubuntu 24.04", "ubuntu", "24.04", ALL_ZONES + [RESTRICTED_ZONE]),
        _image("img-rocky-9", "Rocky Linux 9", "rocky", "9", ["KR1-Z01", "KR1-Z08"]),
        _image("img-debian-12", "Debian 12", "debian", "12", ALL_ZONES),
        _image("img-windows-2022", "Windows Server 2022", "windows", "2022", ["KR1-Z01", "KR1-Z08"], windows=True),
    ]


def _price(monthly):
    hourly = max(1, monthly // 720)
    return {"full": {"type": "month", "KRW": {"price": monthly, "vat": monthly // 10, "total": monthly + monthly // 10}},
            "partial": {"type": "hour", "KRW": {"price": hourly, "vat": hourly // 10, "total": hourly + hourly // 10}}}


def _flavor(flavor_id, name, spec, zones, images, monthly):
    vcpu, memory, disk = spec
    gpu = "A100" if flavor_id.startswith("gpu.") else None
    return {
        "flavor_id": flavor_id, "name": name, "provide": "iwinv", "status": "active",
        "spec": {"type": "gpu" if gpu else "standard", "vcpu": vcpu, "memory": memory, "disk": disk, "network": 1, "gpu": gpu},
        "supporting_images": list(images), "zone": list(zones), "price": _price(monthly),
    }


def _flavors():
    return [
        _flavor("std.1c1g", "1 vCore / 1GB", (1, 1, 25), ALL_ZONES + [RESTRICTED_ZONE], LINUX, 9900),
        _flavor("std.2c4g", "2 vCore / 4GB", (2, 4, 50), ALL_ZONES + [RESTRICTED_ZONE], ALL_IMAGES, 25000),
        _flavor("std.4c8g", "4 vCore / 8GB", (4, 8, 100), ALL_ZONES, ALL_IMAGES, 48000),
        _flavor("std.8c16g", "8 vCore / 16GB", (8, 16, 200), ["KR1-Z01", "KR1-Z08"], ALL_IMAGES, 92000),
        _flavor("gpu.8c64g.a100", "GPU A100 8 vCore / 64GB", (8, 64, 400), ["KR1-Z08"], UBUNTU, 1200000),
    ]


def _month_start(year, month, back):
    """First day of the month `back` months before (year, month)."""
    index = year * 12 + (month - 1) - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _bills(today):
    bills = []
    for back in range(12, 0, -1):
        bill_date = _month_start(today.year, today.month, back)
        usage_start = _month_start(bill_date.year, bill_date.month, 1)
        usage_end = bill_date - datetime.timedelta(days=1)
        price = 20000 + 1500 * (12 - back)
        bills.append({
            "bill_id": "BILL-%04d%02d-0001" % (bill_date.year, bill_date.month),
            "usage_start": usage_start.isoformat(), "usage_end": usage_end.isoformat(),
            "bill_date": bill_date.isoformat(), "type": "regular", "payment_status": "paid",
            "name": "%04d-%02d usage" % (usage_start.year, usage_start.month),
            "price": price, "vat": price // 10, "payment_price": price + price // 10, "currency": "KRW",
            "date_paid": (bill_date + datetime.timedelta(days=4)).isoformat(),
            # A payment instrument, so that the collection can prove it strips it from its output.
            "payment_method": {"type": "card", "card_number": "****-****-****-1234"},
            "invoice_url": "https://billing.example.invalid/invoice/%04d%02d" % (bill_date.year, bill_date.month),
            # REFERENCE.md 3.6: the detail gives the bill's lines in groups (the list has none).
            "groups": [
                {"name": "Server", "items": [{"name": "Compute", "price": price - 5000, "vat": (price - 5000) // 10}]},
                {"name": "Storage", "items": [{"name": "Block storage", "price": 5000, "vat": 500}]},
            ],
        })
    return bills


def _live_bill(today):
    return {"bill_id": "BILL-live", "start_date": today.replace(day=1).isoformat(), "end_date": today.isoformat(),
            "price": 12345, "currency": "KRW"}


def build_seed(today=None):
    """Return a fresh seed catalog; bills are relative to `today` (default: the current UTC date)."""
    today = today or datetime.datetime.now(datetime.timezone.utc).date()
    return {
        "zones": _zones(),
        "images": _images(),
        "flavors": _flavors(),
        "ssh_keys": [
            {"ssh_key_id": "key-laptop", "name": "laptop", "start_date": "2026-01-02 10:11:12"},
            {"ssh_key_id": "key-ci", "name": "ci-deploy", "start_date": "2026-02-03 04:05:06"},
        ],
        "user_scripts": [
            {"user_script_id": "script-bootstrap", "name": "bootstrap",
             "content": "#!/bin/sh\napt-get update\n", "created_at": "2026-01-05 09:00:00"},
            {"user_script_id": "script-docker", "name": "install-docker",
             "content": "#!/bin/sh\ncurl -fsSL https://get.docker.com | sh\n", "created_at": "2026-01-06 09:00:00"},
        ],
        "block_storage_types": [
            {"type": "ssd", "min": 10, "max": 2000, "zones": None},
            {"type": "sata", "min": 10, "max": 20000, "zones": ["KR1-Z08"]},
        ],
        "bills": _bills(today),
        "live_bill": _live_bill(today),
    }


def load_seed(path, today=None):
    """Build the seed and replace the sections present in the JSON or YAML file `path`."""
    with open(path, "rb") as handle:
        raw = handle.read().decode("utf-8")
    try:
        data = json.loads(raw)
    except ValueError:
        import yaml  # only needed for YAML seed files, hence imported lazily
        data = yaml.safe_load(raw)
    if not isinstance(data, dict):
        raise ValueError("seed file %s must hold a mapping of sections" % path)
    unknown = sorted(set(data) - set(SECTIONS))
    if unknown:
        raise ValueError("unknown seed sections %s (known: %s)" % (unknown, ", ".join(SECTIONS)))
    seed = build_seed(today)
    seed.update(data)
    return seed
