"""Small helpers shared by the emulator's own tests."""

import time

UBUNTU_VM = {"zone_id": "KR1-Z08", "image_id": "img-ubuntu-2204", "flavor_id": "std.2c4g", "name": "web"}


def assert_error(response, status, error_code):
    """An API error answer: the right HTTP status and the D4 error envelope, in either shape (error_result)."""
    body = response.json()
    assert response.status_code == status, (response.status_code, body)
    assert body["error_code"] == error_code, body
    assert body["code"].startswith("0x") and body["message"], body
    assert body["result"] in ("error", {"code": int(body["code"], 16), "message": body["message"]}), body
    return body


def create_instance(emulator, wait=True, **form):
    row = emulator.ok("POST", "/v1/instances", form=dict(UBUNTU_VM, **form))["result"][0]
    if wait:
        wait_status(emulator, row["instance_id"], "active")
    return row


def instance(emulator, instance_id, fields=None):
    query = {"fields": str(fields)} if fields is not None else None
    response = emulator.signed("GET", "/v1/instances/" + instance_id, query=query)
    return response.json()["result"][0] if response.status_code == 200 else None


def wait_status(emulator, instance_id, status, timeout=10):
    return emulator.wait_for(lambda: (instance(emulator, instance_id) or {}).get("status") == status, timeout)


def volume(emulator, volume_id):
    response = emulator.signed("GET", "/v1/block-storages/" + volume_id)
    return response.json()["result"][0] if response.status_code == 200 else None


def wait_volume(emulator, volume_id, status, timeout=10):
    return emulator.wait_for(lambda: (volume(emulator, volume_id) or {}).get("status") == status, timeout)


def statuses_until(read, final, timeout=10, interval=0.02):
    """Poll read() and return the distinct successive statuses seen until `final` (or None = gone)."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = read()
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == final:
            return seen
        time.sleep(interval)
    raise AssertionError("never reached %s: %s" % (final, seen))
