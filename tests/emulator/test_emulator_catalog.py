"""Read-only catalog endpoints: zones, flavors, images, SSH keys, user scripts, block storage types, bills."""

import pytest

from emulator_helpers import assert_error


def test_zones(emulator):
    rows = emulator.ok("GET", "/v1/zones")["result"]
    assert [(z["zone_id"], z["zone_name"]) for z in rows] == [
        ("KR1-Z01", "Seoul Gasan"), ("KR1-Z08", "Seoul Mokdong"), ("KR2-Z01", "Busan"), ("KR3-Z01", "Daejeon")]
    assert all(z["status"] == "available" and isinstance(z["content"], list) for z in rows)


def test_flavor_list_pages_and_total(emulator):
    emulator.config(supporting_images=True)
    body = emulator.ok("GET", "/v1/flavors", query={"page_size": "2"})
    assert body["page_no"] == 1 and body["page_size"] == 2 and body["total"] == 5 and body["count"] == 2
    ids = []
    for page in (1, 2, 3, 4):
        ids += [f["flavor_id"] for f in emulator.ok("GET", "/v1/flavors", query={"page_size": "2", "page_no": str(page)})["result"]]
    assert ids == ["std.1c1g", "std.2c4g", "std.4c8g", "std.8c16g", "gpu.8c64g.a100"]
    flavor = emulator.ok("GET", "/v1/flavors")["result"][0]
    assert set(flavor) >= {"flavor_id", "name", "provide", "status", "spec", "supporting_images", "zone", "price"}
    assert flavor["price"]["full"]["KRW"]["total"] == flavor["price"]["full"]["KRW"]["price"] + flavor["price"]["full"]["KRW"]["vat"]


def test_flavor_filters(emulator):
    in_busan = [f["flavor_id"] for f in emulator.ok("GET", "/v1/flavors", query={"zone_id": "KR2-Z01"})["result"]]
    assert in_busan == ["std.1c1g", "std.2c4g", "std.4c8g"]
    windows = [f["flavor_id"] for f in emulator.ok("GET", "/v1/flavors", query={"image_id": "img-windows-2022"})["result"]]
    assert "std.1c1g" not in windows and "gpu.8c64g.a100" not in windows
    big = [f["flavor_id"] for f in emulator.ok("GET", "/v1/flavors", query={"min_vcpu": "8"})["result"]]
    assert big == ["std.8c16g", "gpu.8c64g.a100"]
    assert_error(emulator.signed("GET", "/v1/flavors", query={"min_vcpu": "many"}), 400, "CHECK_PARAM")


def test_flavor_detail_and_unknown(emulator):
    assert emulator.ok("GET", "/v1/flavors/gpu.8c64g.a100")["result"][0]["zone"] == ["KR1-Z08"]
    body = emulator.ok("GET", "/v1/flavors/does-not-exist")
    assert body["result"] == [] and body["count"] == 0


def test_images(emulator):
    rows = emulator.ok("GET", "/v1/images")["result"]
    assert [i["image_id"] for i in rows] == ["img-ubuntu-2204", "img-ubuntu-2404", "img-rocky-9", "img-debian-12", "img-windows-2022"]
    assert rows[0]["os"]["os_type"] == "ubuntu" and rows[0]["min_disk"] > 0
    busan = [i["image_id"] for i in emulator.ok("GET", "/v1/images", query={"zone_id": "KR2-Z01"})["result"]]
    assert "img-rocky-9" not in busan and "img-windows-2022" not in busan
    ubuntu = emulator.ok("GET", "/v1/images", query={"os": "ubuntu", "name": "24"})["result"]
    assert [i["image_id"] for i in ubuntu] == ["img-ubuntu-2404"]
    assert_error(emulator.signed("GET", "/v1/images", query={"os": "Ubuntu"}), 400, "CHECK_PARAM_ENUM")


def test_image_detail_and_unknown(emulator):
    assert emulator.ok("GET", "/v1/images/img-debian-12")["result"][0]["name"] == "Debian 12"
    assert_error(emulator.signed("GET", "/v1/images/does-not-exist"), 400, "ID_INVALID")


def test_ssh_keys_and_scripts(emulator):
    emulator.config(user_script_list="served")
    keys = emulator.ok("GET", "/v1/auth/ssh_key")
    assert [(k["ssh_key_id"], k["name"]) for k in keys["result"]] == [("key-laptop", "laptop"), ("key-ci", "ci-deploy")]
    assert keys["page_no"] == 1 and keys["page_size"] == 10
    scripts = emulator.ok("GET", "/v1/instance/script", query={"page_size": "1", "page_no": "2"})
    assert [s["user_script_id"] for s in scripts["result"]] == ["script-docker"]
    assert set(scripts["result"][0]) == {"user_script_id", "name", "content", "created_at"}
    assert_error(emulator.signed("GET", "/v1/instances/script"), 400, "ID_INVALID")   # plural: an instance id


def test_block_storage_types(emulator):
    rows = emulator.ok("GET", "/v1/block-storages/types")["result"]
    assert rows == [{"type": "ssd", "min": 10, "max": 2000, "zones": None},
                    {"type": "sata", "min": 10, "max": 20000, "zones": ["KR1-Z08"]}]
    assert emulator.ok("GET", "/v1/block-storages/types", query={"type": "sata"})["count"] == 1
    assert_error(emulator.signed("GET", "/v1/block-storages/types", query={"type": "nvme"}), 400, "CHECK_PARAM")


def test_live_bill(emulator):
    row = emulator.ok("GET", "/v1/bill/live")["result"][0]
    assert row["bill_id"] == "BILL-live" and row["currency"] == "KRW" and isinstance(row["price"], int)


def test_bill_list_strings_and_paging(emulator):
    body = emulator.ok("GET", "/v1/bill")
    assert body["page_no"] == "1" and body["page_size"] == "10" and body["count"] == 10
    bill = body["result"][0]
    assert bill["payment_price"] == bill["price"] + bill["vat"] and bill["payment_method"]["type"] == "card"
    second = emulator.ok("GET", "/v1/bill", query={"page_no": "2"})
    assert second["count"] == 2 and second["page_no"] == "2"
    past = emulator.ok("GET", "/v1/bill", query={"page_no": "5"})
    assert past["result"] == [] and past["count"] == 0
    capped = emulator.ok("GET", "/v1/bill", query={"page_size": "1000"})
    assert capped["page_size"] == "100" and capped["count"] == 12


def test_bill_filters(emulator):
    bills = emulator.ok("GET", "/v1/bill", query={"page_size": "100"})["result"]
    first, third = bills[0]["bill_date"], bills[2]["bill_date"]
    ranged = emulator.ok("GET", "/v1/bill", query={"start_date": first, "end_date": third})["result"]
    assert [b["bill_date"] for b in ranged] == [b["bill_date"] for b in bills[:3]]   # both bounds inclusive
    price = bills[5]["price"]
    exact = emulator.ok("GET", "/v1/bill", query={"min_price": str(price), "max_price": str(price)})["result"]
    assert [b["bill_id"] for b in exact] == [bills[5]["bill_id"]]
    assert_error(emulator.signed("GET", "/v1/bill", query={"start_date": "2000-01-01", "end_date": "2000-01-02"}),
                 400, "EMPTY_SET")
    assert_error(emulator.signed("GET", "/v1/bill", query={"start_date": "2026/01/01"}), 400, "CHECK_PARAM")


def test_bill_detail(emulator):
    emulator.config(bill_detail="served")
    bill_id = emulator.ok("GET", "/v1/bill")["result"][0]["bill_id"]
    assert emulator.ok("GET", "/v1/bill/" + bill_id)["result"][0]["groups"][0]["items"]
    assert_error(emulator.signed("GET", "/v1/bill/BILL-000000-0001"), 400, "ID_INVALID")


@pytest.mark.parametrize("query", [{"page_no": "0"}, {"page_size": "0"}, {"page_no": "x"}, {"page_size": "-1"}])
def test_bad_paging(emulator, query):
    assert_error(emulator.signed("GET", "/v1/images", query=query), 400, "CHECK_PARAM")


@pytest.mark.parametrize("path", ["/v1/zones", "/v1/images", "/v1/bill/live"])
def test_get_with_body_is_refused(emulator, path):
    assert_error(emulator.signed("GET", path, json={"a": 1}), 400, "CHECK_PARAM")


def test_page_size_limit_refuses_larger_pages_of_every_paged_list(emulator):
    emulator.config(page_size_limit=50, volume_page_size=50)
    for path in ("/v1/flavors", "/v1/images", "/v1/instances", "/v1/auth/ssh_key", "/v1/bill", "/v1/security-groups",
                 "/v1/block-storages"):
        assert_error(emulator.signed("GET", path, query={"page_size": "51"}), 400, "CHECK_PARAM")
        assert emulator.ok("GET", path, query={"page_size": "50"})["page_size"] in (50, "50")
    emulator.config(volume_page_size=0)   # unpaginated: the size is ignored, so never refused
    assert "page_size" not in emulator.ok("GET", "/v1/block-storages", query={"page_size": "100"})
