"""Block storage (D3): create, list/detail, attach, detach, delete, and their rules."""

import pytest

from emulator_helpers import assert_error, create_instance, statuses_until, volume, wait_status, wait_volume


def _create(emulator, instance_id, **form):
    fields = dict({"instance_id": instance_id, "type": "ssd", "size": "20"}, **form)
    return emulator.ok("POST", "/v1/block-storages", form=fields)["result"][0]


def test_create_sequence_and_read_model(emulator):
    iid = create_instance(emulator)["instance_id"]
    emulator.config(op_delays={"block_storage.create": 0.4})
    row = _create(emulator, iid, name="data disk", description="raw text, not URL-encoded")
    assert set(row) == {"block_storage_id", "instance_id", "status"} and row["status"] == "creating"
    assert statuses_until(lambda: volume(emulator, row["block_storage_id"])["status"], "attached") == ["creating", "attached"]
    detail = volume(emulator, row["block_storage_id"])
    assert detail["name"] == "data disk" and detail["description"] == "raw text, not URL-encoded"
    assert detail["type"] == "ssd" and detail["size"] == 20 and detail["zone_id"] == "KR1-Z08" and detail["instance_id"] == iid


def test_list_filters_unpaginated(emulator):
    iid = create_instance(emulator)["instance_id"]
    for n in range(3):
        _create(emulator, iid, name="vol-%d" % n, type="sata" if n == 2 else "ssd")
    body = emulator.ok("GET", "/v1/block-storages")
    assert body["count"] == 3 and "page_no" not in body
    assert [v["name"] for v in emulator.ok("GET", "/v1/block-storages", query={"type": "sata"})["result"]] == ["vol-2"]
    assert [v["name"] for v in emulator.ok("GET", "/v1/block-storages", query={"name": "vol-1"})["result"]] == ["vol-1"]
    assert emulator.ok("GET", "/v1/block-storages", query={"zone_id": "KR2-Z01"})["result"] == []
    assert_error(emulator.signed("GET", "/v1/block-storages", query={"type": "SSD"}), 400, "CHECK_PARAM")


def test_list_ignores_paging_as_documented_unless_volume_page_size(emulator):
    emulator.bulk_volumes(5, name_prefix="pv")
    body = emulator.ok("GET", "/v1/block-storages", query={"page_no": "2", "page_size": "2"})
    assert body["count"] == 5 and "page_no" not in body and "page_size" not in body
    emulator.config(volume_page_size=2)
    first = emulator.ok("GET", "/v1/block-storages")
    assert ([v["name"] for v in first["result"]], first["page_no"], first["page_size"], first["count"]) == (
        ["pv-00001", "pv-00002"], 1, 2, 2)
    last = emulator.ok("GET", "/v1/block-storages", query={"page_no": "2", "page_size": "3"})
    assert [v["name"] for v in last["result"]] == ["pv-00004", "pv-00005"] and last["page_size"] == 3
    filtered = emulator.ok("GET", "/v1/block-storages", query={"name": "pv-00003"})
    assert [v["name"] for v in filtered["result"]] == ["pv-00003"] and filtered["page_no"] == 1


def test_bulk_volumes_are_detached_and_refuse_unknown_zones(emulator):
    ids = emulator.bulk_volumes(3, name_prefix="bulk-data", type="sata", size=100)["block_storage_ids"]
    rows = [volume(emulator, volume_id) for volume_id in ids]
    assert [(v["name"], v["status"], v["instance_id"], v["type"], v["size"]) for v in rows] == [
        ("bulk-data-%05d" % n, "available", None, "sata", 100) for n in (1, 2, 3)]
    for body in ({"count": 1, "zone_id": "XX"}, {"count": 1, "type": "nvme"}, {"count": 0}):
        assert emulator.control.post(emulator.url + "/_emulator/block-storages", json=body, timeout=10).status_code == 400


@pytest.mark.parametrize("change,error_code", [
    ({"type": "SSD"}, "CHECK_PARAM_ENUM"),
    ({"type": "nvme"}, "CHECK_PARAM_ENUM"),
    ({"size": "9"}, "CHECK_PARAM"),
    ({"size": "2001"}, "CHECK_PARAM"),
    ({"size": "20GB"}, "CHECK_PARAM"),
    ({"name": "n" * 65}, "CHECK_LENGTH"),
    ({"name": ""}, "CHECK_LENGTH"),
    ({"description": "d" * 256}, "CHECK_LENGTH"),
    ({"instance_id": "nope"}, "ID_INVALID"),
    ({"bogus": "x"}, "CHECK_PARAM"),
])
def test_create_rejections(emulator, change, error_code):
    iid = create_instance(emulator)["instance_id"]
    fields = dict({"instance_id": iid, "type": "ssd", "size": "20"}, **change)
    assert_error(emulator.signed("POST", "/v1/block-storages", form=fields), 400, error_code)


def test_create_needs_multipart_and_fields(emulator):
    iid = create_instance(emulator)["instance_id"]
    assert_error(emulator.signed("POST", "/v1/block-storages", json={"instance_id": iid, "type": "ssd", "size": 20}),
                 400, "CHECK_PARAM")
    assert_error(emulator.signed("POST", "/v1/block-storages", form={"instance_id": iid, "type": "ssd"}),
                 400, "REQUIRED_POST_PARAM_MISSING")


def test_sata_outside_its_zone(emulator):
    emulator.config(error_result="string")   # the emulator's own words (the LIVE shape's message is Korean)
    iid = create_instance(emulator, zone_id="KR1-Z01")["instance_id"]
    body = assert_error(emulator.signed("POST", "/v1/block-storages", form={"instance_id": iid, "type": "sata", "size": "100"}),
                        400, "UNAVAILABLE_COMBINATION")
    assert "KR1-Z08" in body["message"]
    _create(emulator, iid, type="ssd")


def test_create_on_busy_instance(emulator):
    emulator.config(op_delays={"instance.create": 5})
    iid = create_instance(emulator, wait=False)["instance_id"]
    assert_error(emulator.signed("POST", "/v1/block-storages", form={"instance_id": iid, "type": "ssd", "size": "20"}),
                 400, "DELETED_OR_WORKING_INSTANCE")


def test_detach_attach_delete_sequences(emulator):
    iid = create_instance(emulator)["instance_id"]
    other = create_instance(emulator)["instance_id"]
    vid = _create(emulator, iid)["block_storage_id"]
    wait_volume(emulator, vid, "attached")
    assert_error(emulator.signed("DELETE", "/v1/block-storages/" + vid), 400, "IN_USE")
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/attach/%s" % (vid, other)), 400, "IN_USE")
    emulator.config(op_delays={"block_storage.detach": 0.4, "block_storage.attach": 0.4, "block_storage.delete": 0.4})
    assert emulator.ok("POST", "/v1/block-storages/%s/detach" % vid)["result"] == [{"block_storage_id": vid, "status": "detaching"}]
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/detach" % vid), 400, "IN_USE")
    assert statuses_until(lambda: volume(emulator, vid)["status"], "available") == ["detaching", "available"]
    assert volume(emulator, vid)["instance_id"] is None
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/detach" % vid), 400, "CHECK_PARAM")
    emulator.ok("POST", "/v1/block-storages/%s/attach/%s" % (vid, other))
    assert statuses_until(lambda: volume(emulator, vid)["status"], "attached") == ["attaching", "attached"]
    assert volume(emulator, vid)["instance_id"] == other
    emulator.ok("POST", "/v1/block-storages/%s/detach" % vid)
    wait_volume(emulator, vid, "available")
    emulator.ok("DELETE", "/v1/block-storages/" + vid)
    assert statuses_until(lambda: (volume(emulator, vid) or {}).get("status"), None) == ["deleting", None]
    assert_error(emulator.signed("GET", "/v1/block-storages/" + vid), 400, "ID_INVALID")


def test_attach_rules(emulator):
    iid = create_instance(emulator)["instance_id"]
    busan = create_instance(emulator, zone_id="KR2-Z01")["instance_id"]
    vid = _create(emulator, iid)["block_storage_id"]
    wait_volume(emulator, vid, "attached")
    emulator.ok("POST", "/v1/block-storages/%s/detach" % vid)
    wait_volume(emulator, vid, "available")
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/attach/%s" % (vid, busan)), 400, "UNAVAILABLE_COMBINATION")
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/attach/nope" % vid), 400, "ID_INVALID")
    assert_error(emulator.signed("POST", "/v1/block-storages/nope/attach/%s" % iid), 400, "ID_INVALID")
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/attach/%s" % (vid, iid), form={"x": "1"}), 400, "CHECK_PARAM")
    emulator.ok("POST", "/v1/instances/%s/reboot" % iid)
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/attach/%s" % (vid, iid)), 400, "DELETED_OR_WORKING_INSTANCE")
    wait_status(emulator, iid, "active")
    emulator.ok("POST", "/v1/block-storages/%s/attach/%s" % (vid, iid))


def test_eight_volumes_per_instance(emulator):
    iid = create_instance(emulator)["instance_id"]
    for _index in range(8):
        _create(emulator, iid)
    assert_error(emulator.signed("POST", "/v1/block-storages", form={"instance_id": iid, "type": "ssd", "size": "20"}),
                 400, "LIMIT_EXCEEDED")
    other = create_instance(emulator)["instance_id"]
    spare = _create(emulator, other)["block_storage_id"]
    wait_volume(emulator, spare, "attached")
    emulator.ok("POST", "/v1/block-storages/%s/detach" % spare)
    wait_volume(emulator, spare, "available")
    assert_error(emulator.signed("POST", "/v1/block-storages/%s/attach/%s" % (spare, iid)), 400, "LIMIT_EXCEEDED")


def test_unknown_volume(emulator):
    for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/detach")):
        assert_error(emulator.signed(method, "/v1/block-storages/nope" + suffix), 400, "ID_INVALID")
