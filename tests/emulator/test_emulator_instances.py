"""Instances (D2): create, read model, fields, edit, power operations, rebuild, resize, delete, console."""

from urllib.parse import quote_plus

import pytest

from emulator_helpers import UBUNTU_VM, assert_error, create_instance, instance, statuses_until, wait_status, wait_volume


def test_create_answer_and_status_sequence(emulator):
    emulator.config(op_delays={"instance.create": 0.4})
    form = dict(UBUNTU_VM, ssh_key_id="key-laptop,key-ci", user_script_id="script-bootstrap")
    body = emulator.signed("POST", "/v1/instances", form=form)
    assert body.status_code == 202
    row = body.json()["result"][0]
    assert set(row) == {"instance_id", "name", "status", "ssh_key", "user_script_id", "default_account"}
    assert row["status"] == "building" and row["ssh_key"] == ["key-laptop", "key-ci"]
    assert row["user_script_id"] == "script-bootstrap"
    assert row["default_account"]["username"] == "root" and len(row["default_account"]["password"]) >= 8
    seen = statuses_until(lambda: instance(emulator, row["instance_id"])["status"], "active")
    assert seen == ["building", "active"]


def test_read_model(emulator):
    row = create_instance(emulator, description=quote_plus("R&D box"), **{"block_storage.0.size": "20",
                                                                          "block_storage.0.name": "data"})
    default = instance(emulator, row["instance_id"])
    assert set(default) == {"instance_id", "name", "description", "status", "zone", "flavor", "image"}   # 3599
    assert default["description"] == "R&D box" and default["zone"] == {"zone_id": "KR1-Z08", "name": "Seoul Mokdong"}
    assert default["flavor"]["flavor_id"] == "std.2c4g" and default["flavor"]["vcpu"] == 2
    assert default["image"]["image_id"] == "img-ubuntu-2204" and default["image"]["os"]["os_type"] == "ubuntu"
    full = instance(emulator, row["instance_id"], fields=131071)
    assert len(full) == 17
    ip = full["ip"][0]
    assert ip["private"]["address"].startswith("10.") and ip["public"]["address"].startswith(("203.0.113.", "198.51.100."))
    assert full["default_account"] == row["default_account"]
    assert full["vnc"]["link"].startswith("https://") and full["vnc"]["type"] == "novnc"
    wait_volume(emulator, full["block_storage"][0]["block_storage_id"], "attached")
    volume = instance(emulator, row["instance_id"], fields=8192)["block_storage"][0]
    assert volume["name"] == "data" and volume["size"] == 20 and volume["instance_id"] == row["instance_id"]
    assert instance(emulator, row["instance_id"], fields=2 | 256 | (1 << 20)).keys() == {"name", "ip"}   # unknown bits ignored
    assert instance(emulator, row["instance_id"], fields=0) == {}


@pytest.mark.parametrize("fields", ["abc", "-1", "3599.0", "0x10"])
def test_bad_fields(emulator, fields):
    row = create_instance(emulator, wait=False)
    assert_error(emulator.signed("GET", "/v1/instances/" + row["instance_id"], query={"fields": fields}), 400, "CHECK_PARAM")
    assert_error(emulator.signed("GET", "/v1/instances", query={"fields": fields}), 400, "CHECK_PARAM")


def test_list_filters(emulator):
    web = create_instance(emulator, name="web")
    create_instance(emulator, name="db", zone_id="KR2-Z01", flavor_id="std.1c1g")
    rows = emulator.ok("GET", "/v1/instances")["result"]
    assert [r["name"] for r in rows] == ["web", "db"]
    assert [r["name"] for r in emulator.ok("GET", "/v1/instances", query={"zone_id": "KR2-Z01"})["result"]] == ["db"]
    assert [r["name"] for r in emulator.ok("GET", "/v1/instances", query={"name": "we"})["result"]] == ["web"]
    address = instance(emulator, web["instance_id"], fields=256)["ip"][0]["private"]["address"]
    assert [r["name"] for r in emulator.ok("GET", "/v1/instances", query={"ip": address})["result"]] == ["web"]
    assert emulator.ok("GET", "/v1/instances", query={"status": "off"})["result"] == []
    assert_error(emulator.signed("GET", "/v1/instances", query={"status": "ACTIVE"}), 400, "CHECK_PARAM_ENUM")
    assert_error(emulator.signed("GET", "/v1/instances", query={"ip": "not-an-ip"}), 400, "CHECK_PARAM")


def test_url_decoding_and_lengths(emulator):
    row = create_instance(emulator, wait=False, name=quote_plus("웹 서버+1"), description=quote_plus("a/b c"))
    assert row["name"] == "웹 서버+1"
    assert instance(emulator, row["instance_id"])["description"] == "a/b c"
    create_instance(emulator, wait=False, name=quote_plus("x" * 64))
    assert_error(emulator.signed("POST", "/v1/instances", form=dict(UBUNTU_VM, name="x" * 65)), 400, "CHECK_LENGTH")
    assert_error(emulator.signed("POST", "/v1/instances", form=dict(UBUNTU_VM, description="d" * 256)), 400, "CHECK_LENGTH")
    # a raw (not URL-encoded) value is a client bug
    assert_error(emulator.signed("POST", "/v1/instances", form=dict(UBUNTU_VM, name="web server")), 400, "CHECK_PARAM")


def test_count_names_and_duplicates(emulator):
    rows = emulator.ok("POST", "/v1/instances", form=dict(UBUNTU_VM, count="3"))["result"]
    assert [r["name"] for r in rows] == ["web-1", "web-2", "web-3"]
    emulator.ok("POST", "/v1/instances", form=UBUNTU_VM)
    emulator.ok("POST", "/v1/instances", form=UBUNTU_VM)   # names are not unique
    assert emulator.ok("GET", "/v1/instances", query={"name": "web"})["count"] == 5
    for count in ("0", "11", "two"):
        assert_error(emulator.signed("POST", "/v1/instances", form=dict(UBUNTU_VM, count=count)), 400, "CHECK_PARAM")


@pytest.mark.parametrize("change,error_code", [
    ({"zone_id": "KR9-Z99"}, "ID_INVALID"),
    ({"image_id": "img-nope"}, "ID_INVALID"),
    ({"flavor_id": "std.nope"}, "ID_INVALID"),
    ({"ssh_key_id": "key-laptop,key-nope"}, "ID_INVALID"),
    ({"user_script_id": "script-nope"}, "ID_INVALID"),
    ({"zone_id": "KR2-Z01", "flavor_id": "std.8c16g"}, "UNAVAILABLE_COMBINATION"),
    ({"zone_id": "KR2-Z01", "image_id": "img-rocky-9"}, "UNAVAILABLE_COMBINATION"),
    ({"image_id": "img-windows-2022", "flavor_id": "std.1c1g"}, "UNAVAILABLE_COMBINATION"),
    ({"image_id": "img-debian-12", "flavor_id": "gpu.8c64g.a100"}, "UNAVAILABLE_COMBINATION"),
    ({"zone_id": "KR1-Z01", "flavor_id": "gpu.8c64g.a100"}, "UNAVAILABLE_COMBINATION"),
    ({"image_id": "img-windows-2022", "ssh_key_id": "key-laptop"}, "UNAVAILABLE_SSH_KEY"),
    ({"bogus": "1"}, "CHECK_PARAM"),
    ({"block_storage.1.size": "20"}, "CHECK_PARAM"),
    ({"block_storage.0.size": "5"}, "CHECK_PARAM"),
    ({"zone_id": "KR2-Z01", "block_storage.0.size": "20", "block_storage.0.type": "sata"}, "UNAVAILABLE_COMBINATION"),
])
def test_create_rejections(emulator, change, error_code):
    assert_error(emulator.signed("POST", "/v1/instances", form=dict(UBUNTU_VM, **change)), 400, error_code)
    assert emulator.ok("GET", "/v1/instances")["count"] == 0


@pytest.mark.parametrize("missing", ["zone_id", "image_id", "flavor_id"])
def test_create_missing_field(emulator, missing):
    form = dict(UBUNTU_VM)
    del form[missing]
    assert_error(emulator.signed("POST", "/v1/instances", form=form), 400, "REQUIRED_POST_PARAM_MISSING")


def test_create_wrong_content_type(emulator):
    assert_error(emulator.signed("POST", "/v1/instances", json=UBUNTU_VM), 400, "CHECK_PARAM")
    assert_error(emulator.signed("POST", "/v1/instances", data=UBUNTU_VM), 400, "CHECK_PARAM")   # urlencoded
    assert_error(emulator.signed("POST", "/v1/instances"), 400, "CHECK_PARAM")


def test_edit(emulator):
    row = create_instance(emulator)
    body = emulator.ok("PUT", "/v1/instances/" + row["instance_id"], form={"name": quote_plus("web 2")},
                       query={"fields": "3"})
    assert body["result"] == [{"instance_id": row["instance_id"], "name": "web 2"}]
    emulator.ok("PUT", "/v1/instances/" + row["instance_id"], form={"description": quote_plus("hello world")})
    assert instance(emulator, row["instance_id"])["description"] == "hello world"
    assert_error(emulator.signed("PUT", "/v1/instances/" + row["instance_id"], form={"name": ""}), 400, "CHECK_LENGTH")
    assert_error(emulator.signed("PUT", "/v1/instances/" + row["instance_id"], json={"name": "x"}), 400, "CHECK_PARAM")
    assert_error(emulator.signed("PUT", "/v1/instances/nope", form={"name": "x"}), 400, "ID_INVALID")


def test_power_sequences_and_rules(emulator):
    iid = create_instance(emulator)["instance_id"]
    path = "/v1/instances/" + iid
    assert_error(emulator.signed("POST", path + "/start"), 400, "CHECK_PARAM")   # already active
    emulator.config(op_delays={"instance.shutdown": 0.4})
    assert emulator.ok("POST", path + "/shutdown")["result"] == [{"instance_id": iid, "status": "work"}]
    assert_error(emulator.signed("POST", path + "/reboot"), 400, "DELETED_OR_WORKING_INSTANCE")
    assert_error(emulator.signed("PUT", path, form={"name": "x"}), 400, "DELETED_OR_WORKING_INSTANCE")
    assert statuses_until(lambda: instance(emulator, iid)["status"], "off") == ["work", "off"]
    assert_error(emulator.signed("POST", path + "/shutdown"), 400, "CHECK_PARAM")
    assert_error(emulator.signed("POST", path + "/reboot"), 400, "CHECK_PARAM")
    emulator.ok("POST", path + "/start")
    assert statuses_until(lambda: instance(emulator, iid)["status"], "active")[-2:] == ["work", "active"]
    emulator.ok("POST", path + "/reboot")
    assert statuses_until(lambda: instance(emulator, iid)["status"], "active")[-2:] == ["work", "active"]


def test_write_while_building(emulator):
    emulator.config(op_delays={"instance.create": 5})
    iid = create_instance(emulator, wait=False)["instance_id"]
    for method, suffix in (("POST", "/shutdown"), ("POST", "/reboot"), ("DELETE", "")):
        assert_error(emulator.signed(method, "/v1/instances/" + iid + suffix), 400, "DELETED_OR_WORKING_INSTANCE")


def test_power_body_refused(emulator):
    iid = create_instance(emulator)["instance_id"]
    assert_error(emulator.signed("POST", "/v1/instances/%s/reboot" % iid, form={"type": "hard"}), 400, "CHECK_PARAM")


def test_rebuild_keeps_power_state(emulator):
    iid = create_instance(emulator)["instance_id"]
    emulator.ok("POST", "/v1/instances/%s/shutdown" % iid)
    wait_status(emulator, iid, "off")
    emulator.ok("POST", "/v1/instances/%s/rebuild" % iid, form={"image_id": "img-debian-12"})
    assert instance(emulator, iid)["status"] == "work"
    wait_status(emulator, iid, "off")
    assert instance(emulator, iid)["image"]["image_id"] == "img-debian-12"
    emulator.ok("POST", "/v1/instances/%s/rebuild" % iid)   # no body: current image
    wait_status(emulator, iid, "off")
    assert_error(emulator.signed("POST", "/v1/instances/%s/rebuild" % iid, form={"image_id": "img-nope"}), 400, "ID_INVALID")


def test_resize_rules(emulator):
    iid = create_instance(emulator, zone_id="KR2-Z01")["instance_id"]
    path = "/v1/instances/%s/resize" % iid
    assert_error(emulator.signed("POST", path, form={"flavor_id": "std.2c4g"}), 400, "CHECK_PARAM")
    assert_error(emulator.signed("POST", path, form={"flavor_id": "std.nope"}), 400, "UNAVAILABLE_FLAVOR")
    assert_error(emulator.signed("POST", path, form={"flavor_id": "std.8c16g"}), 400, "UNAVAILABLE_FLAVOR")   # not in zone
    assert_error(emulator.signed("POST", path, form={"flavor_id": "std.1c1g"}), 400, "UNAVAILABLE_FLAVOR")    # smaller disk
    assert_error(emulator.signed("POST", path), 400, "CHECK_PARAM")                                           # no body
    assert_error(emulator.signed("POST", path, form={"zone": "x"}), 400, "CHECK_PARAM")
    emulator.ok("POST", path, form={"flavor_id": "std.4c8g"})
    assert statuses_until(lambda: instance(emulator, iid)["status"], "active")[-2:] == ["work", "active"]
    assert instance(emulator, iid)["flavor"]["flavor_id"] == "std.4c8g"


def test_unknown_instance_everywhere(emulator):
    for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/start"), ("POST", "/shutdown"), ("POST", "/reboot"),
                           ("POST", "/rebuild"), ("GET", "/remote-console")):
        assert_error(emulator.signed(method, "/v1/instances/nope" + suffix), 400, "ID_INVALID")
    assert_error(emulator.signed("POST", "/v1/instances/nope/resize", form={"flavor_id": "std.4c8g"}), 400, "ID_INVALID")


def test_remote_console(emulator):
    iid = create_instance(emulator)["instance_id"]
    row = emulator.ok("GET", "/v1/instances/%s/remote-console" % iid)["result"][0]
    assert set(row) == {"link", "type"} and row["link"].startswith("https://")


def test_delete_detaches_and_keeps_volumes(emulator):
    iid = create_instance(emulator, **{"block_storage.0.size": "20", "block_storage.1.size": "30"})["instance_id"]
    volumes = [v["block_storage_id"] for v in instance(emulator, iid, fields=8192)["block_storage"]]
    for volume_id in volumes:
        wait_volume(emulator, volume_id, "attached")
    emulator.config(op_delays={"instance.delete": 0.4})
    body = emulator.ok("DELETE", "/v1/instances/" + iid)
    assert body["result"] == [{"status": "deleting", "block_storage": volumes}]
    assert instance(emulator, iid)["status"] == "deleting"
    statuses_until(lambda: (instance(emulator, iid) or {}).get("status"), None)
    assert_error(emulator.signed("GET", "/v1/instances/" + iid), 400, "ID_INVALID")
    for volume_id in volumes:
        row = emulator.ok("GET", "/v1/block-storages/" + volume_id)["result"][0]
        assert row["status"] == "available" and row["instance_id"] is None


def test_windows_default_account(emulator):
    row = create_instance(emulator, wait=False, image_id="img-windows-2022")
    assert row["default_account"]["username"] == "Administrator"
