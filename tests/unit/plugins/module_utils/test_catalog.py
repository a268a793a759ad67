# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_resource_catalog.py: row translation, paging, "not found" rules and id-or-name resolution.

Translation and request shapes use a fake transport; paging and resolution also run against the emulator.
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_bills as bills_mod
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_catalog as catalog
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvApiError, IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError

from fakes import FakeClock, FakeSession, NoPacer, error, ok

FLAVOR_ROW = {
    "flavor_id": "std.2c4g", "name": "2 vCore / 4GB", "provide": "iwinv", "status": "active",
    "spec": {"type": "standard", "vcpu": 2, "memory": 4, "disk": 50, "network": 1, "gpu": None},
    "supporting_images": ["img-ubuntu-2204"], "zone": ["KR1-Z01", "KR1-Z08"],
    "price": {"full": {"type": "month", "KRW": {"price": 25000, "vat": 2500, "total": 27500}},
              "partial": {"type": "hour", "KRW": {"price": 34, "vat": 3, "total": 37}}},
}
IMAGE_ROW = {
    "name": "Ubuntu 22.04", "image_id": "img-ubuntu-2204", "visibility": "public",
    "os": {"type": "linux", "name": "Ubuntu", "status": "active", "content": [], "os_type": "ubuntu",
           "version": "22.04", "oid": "1"},
    "image_type": "os_linux", "zone": ["KR1-Z08"], "tags": [], "status": "active", "protected": True,
    "description": "", "min_disk": 20, "min_ram": 1, "file_size": 2147483648,
    "created_at": "2025-01-01 00:00:00", "updated_at": "2025-01-01 00:00:00",
}
BILL_ROW = {
    "bill_id": "BILL-202608-0001", "usage_start": "2026-07-01", "usage_end": "2026-07-31", "bill_date": "2026-08-01",
    "type": "regular", "payment_status": "paid", "name": "2026-07 usage", "price": 30000, "vat": 3000,
    "payment_price": 33000, "currency": "KRW", "date_paid": "2026-08-05",
    "payment_method": {"type": "card", "card_number": "****-****-****-1234"},
    "invoice_url": "https://billing.example.invalid/invoice/202608",
    "groups": [{"name": "Server", "items": [{"name": "Compute", "price": 25000, "vat": 2500, "card_number": "****-1234"}]},
               {"name": "Storage", "items": [{"name": "Block storage", "price": 5000, "vat": 500}]}, "junk"],
}


def make_client(*answers):
    clock = FakeClock()
    session = FakeSession(*answers)
    client = IwinvClient("test-access", "test-secret", api_url="https://api.test", session=session, pacer=NoPacer(),
                         clock=clock, sleep=clock.sleep)
    return client, session


def emulator_client(emulator):
    return IwinvClient(emulator.access_key, emulator.secret_key, api_url=emulator.url, rate_limit=0)


def api_requests(emulator):
    return [(entry["method"], entry["path"], entry["query"]) for entry in emulator.requests()]


# --- translation -------------------------------------------------------------------------------------

def test_flavor_row_translation():
    assert catalog.flavor_from_api(FLAVOR_ROW) == {
        "id": "std.2c4g", "name": "2 vCore / 4GB", "type": "standard", "vcpu": 2, "memory": 4, "disk": 50,
        "gpu": None, "zones": ["KR1-Z01", "KR1-Z08"], "images": ["img-ubuntu-2204"],
        "price_monthly": 25000, "price_hourly": 34,
    }


def test_flavor_prices_are_chosen_by_period_not_by_key_order():
    row = dict(FLAVOR_ROW, price={"full": {"type": "hour", "KRW": {"price": 40}},
                                  "partial": {"type": "month", "KRW": {"price": 29000}}})
    flavor = catalog.flavor_from_api(row)
    assert (flavor["price_monthly"], flavor["price_hourly"]) == (29000, 40)


def test_flavor_without_price_or_spec_does_not_crash():
    flavor = catalog.flavor_from_api({"flavor_id": "x", "name": "x"})
    assert flavor["price_monthly"] is None and flavor["vcpu"] is None and flavor["zones"] == []


def test_image_row_translation():
    assert catalog.image_from_api(IMAGE_ROW) == {
        "id": "img-ubuntu-2204", "name": "Ubuntu 22.04", "os": "ubuntu", "version": "22.04", "os_type": "linux",
        "type": "os_linux", "visibility": "public", "zones": ["KR1-Z08"], "min_disk": 20, "min_ram": 1,
        "status": "active",
    }


def test_ssh_key_and_user_script_translation():
    assert catalog.ssh_key_from_api({"ssh_key_id": "key-a", "name": "laptop", "start_date": "2026-01-02 10:11:12"}) == {
        "id": "key-a", "name": "laptop", "created_at": "2026-01-02 10:11:12"}
    with_content = {"user_script_id": "s1", "name": "boot", "content": "#!/bin/sh\n", "created_at": "2026-01-05"}
    assert catalog.user_script_from_api(with_content) == {
        "id": "s1", "name": "boot", "created_at": "2026-01-05", "content": "#!/bin/sh\n"}
    # The API does not always send the content: then the key is absent, not an empty script.
    assert "content" not in catalog.user_script_from_api({"user_script_id": "s1", "name": "boot"})


def test_bill_translation_drops_payment_instrument_and_links():
    bill = bills_mod.bill_from_api(BILL_ROW)
    assert bill == {
        "id": "BILL-202608-0001", "name": "2026-07 usage", "type": "regular", "status": "paid",
        "usage_start": "2026-07-01", "usage_end": "2026-07-31", "bill_date": "2026-08-01", "paid_date": "2026-08-05",
        "price": 30000, "vat": 3000, "total": 33000, "currency": "KRW",
        "lines": [{"group": "Server", "name": "Compute", "price": 25000, "vat": 2500},
                  {"group": "Storage", "name": "Block storage", "price": 5000, "vat": 500}],
    }
    text = json.dumps(bill)
    assert "card" not in text and "1234" not in text and "invoice" not in text


def test_live_bill_translation():
    row = {"bill_id": "BILL-live", "start_date": "2026-09-01", "end_date": "2026-09-19", "price": 12345, "currency": "KRW"}
    assert bills_mod.live_bill_from_api(row) == {
        "id": "BILL-live", "start_date": "2026-09-01", "end_date": "2026-09-19", "price": 12345, "currency": "KRW"}


# --- filters (plain functions) ---------------------------------------------------------------------

@pytest.mark.parametrize("filters,expected", [
    ({}, True),
    ({"zone": "KR1-Z08"}, True),
    ({"zone": "KR2-Z01"}, False),
    ({"image": "img-ubuntu-2204"}, True),
    ({"image": "img-windows-2022"}, False),
    ({"min_vcpu": 2, "max_vcpu": 2}, True),
    ({"min_vcpu": 3}, False),
    ({"max_vcpu": 1}, False),
    ({"min_memory": 4, "max_memory": 8}, True),
    ({"min_memory": 5}, False),
    ({"max_memory": 3}, False),
])
def test_flavor_matches(filters, expected):
    assert catalog.flavor_matches(catalog.flavor_from_api(FLAVOR_ROW), **filters) is expected


@pytest.mark.parametrize("filters,expected", [
    ({}, True),
    ({"zone": "KR1-Z08", "os": "ubuntu", "name": "Ubuntu 22.04"}, True),
    ({"zone": "KR1-Z01"}, False),
    ({"os": "debian"}, False),
    ({"name": "Ubuntu"}, False),
])
def test_image_matches(filters, expected):
    assert catalog.image_matches(catalog.image_from_api(IMAGE_ROW), **filters) is expected


# --- requests, "not found", EMPTY_SET (fake transport) ---------------------------------------------

def test_list_flavors_sends_zone_and_image_filters_and_pages():
    client, session = make_client(ok([FLAVOR_ROW], page_no=1, page_size=100))
    flavors = catalog.list_flavors(client, zone="KR1-Z08", image="img-ubuntu-2204")
    assert [flavor["id"] for flavor in flavors] == ["std.2c4g"]
    assert session.calls[0]["url"] == "https://api.test/v1/flavors"
    assert session.calls[0]["params"] == {"zone_id": "KR1-Z08", "image_id": "img-ubuntu-2204", "page_no": 1, "page_size": 100}


@pytest.mark.parametrize("answer", [ok([]), error(400, "ID_INVALID", code="0x16")])
def test_get_flavor_and_image_unknown_is_none_whatever_the_answer(answer):
    client, dummy = make_client(answer, answer)
    assert catalog.get_flavor(client, "nope") is None
    assert catalog.get_image(client, "nope") is None


def test_get_with_an_id_that_cannot_be_a_path_sends_nothing():
    client, session = make_client()
    assert catalog.get_flavor(client, "../zones") is None
    assert catalog.get_image(client, "a b") is None
    assert bills_mod.get_bill(client, "") is None
    assert not session.calls


def test_other_errors_are_not_mistaken_for_not_found():
    client, dummy = make_client(error(403, "CHECK_IP", code="0x9"))
    with pytest.raises(IwinvApiError) as raised:
        bills_mod.get_bill(client, "BILL-202608-0001")
    assert raised.value.error_code == "CHECK_IP"


def test_list_bills_empty_set_is_an_empty_list():
    client, session = make_client(error(400, "EMPTY_SET", code="0x14"))
    assert bills_mod.list_bills(client, start_date="2000-01-01", end_date="2000-01-02") == []
    assert session.calls[0]["params"]["start_date"] == "2000-01-01"


def test_list_bills_pages_with_string_page_fields():
    first = [dict(BILL_ROW, bill_id="BILL-%d" % number) for number in range(2)]
    client, session = make_client(ok(first, page_no="1", page_size="2"), ok([BILL_ROW], page_no="2", page_size="2"))
    bills = bills_mod.list_bills(client)
    assert [bill["id"] for bill in bills] == ["BILL-0", "BILL-1", "BILL-202608-0001"]
    assert len(session.calls) == 2


def test_resolve_ssh_keys_without_refs_sends_nothing():
    client, session = make_client()
    assert catalog.resolve_ssh_keys(client, []) == []
    assert not session.calls


# --- against the emulator --------------------------------------------------------------------------

def test_list_flavors_pages_past_the_server_cap(emulator):
    emulator.config(page_size_cap=2)
    emulator.clear_requests()
    flavors = catalog.list_flavors(emulator_client(emulator))
    assert [flavor["id"] for flavor in flavors] == ["std.1c1g", "std.2c4g", "std.4c8g", "std.8c16g", "gpu.8c64g.a100"]
    assert [query["page_no"] for dummy, dummy2, query in api_requests(emulator)] == ["1", "2", "3"]


def test_seeded_catalog_is_translated(emulator):
    client = emulator_client(emulator)
    gpu = catalog.get_flavor(client, "gpu.8c64g.a100")
    assert gpu["gpu"] == "A100" and gpu["zones"] == ["KR1-Z08"] and gpu["price_monthly"] == 1200000
    assert catalog.get_flavor(client, "no-such-flavor") is None
    assert catalog.get_image(client, "no-such-image") is None
    assert [image["id"] for image in catalog.list_images(client, zone="KR2-Z01", os="ubuntu")] == [
        "img-ubuntu-2204", "img-ubuntu-2404"]
    # The API's name filter matches substrings; the collection's is exact.
    assert [image["id"] for image in catalog.list_images(client, name="Ubuntu 22.04")] == ["img-ubuntu-2204"]
    assert catalog.list_images(client, name="Ubuntu") == []


def test_resolve_flavor_one_request_by_id_or_name_within_the_zone(emulator):
    client = emulator_client(emulator)
    emulator.clear_requests()
    assert catalog.resolve_flavor(client, "4 vCore / 8GB", "KR2-Z01")["id"] == "std.4c8g"
    assert catalog.resolve_flavor(client, "std.8c16g", "KR1-Z01")["name"] == "8 vCore / 16GB"
    assert [(method, path, query.get("zone_id")) for method, path, query in api_requests(emulator)] == [
        ("GET", "/v1/flavors", "KR2-Z01"), ("GET", "/v1/flavors", "KR1-Z01")]


def test_resolve_flavor_outside_its_zone_lists_the_zone_candidates(emulator):
    with pytest.raises(ResolveError) as raised:
        catalog.resolve_flavor(emulator_client(emulator), "gpu.8c64g.a100", "KR2-Z01")
    message = str(raised.value)
    assert "gpu.8c64g.a100" in message and "KR2-Z01" in message and "std.1c1g" in message


def test_resolve_image_by_id_or_exact_name_in_one_request(emulator):
    client = emulator_client(emulator)
    emulator.clear_requests()
    assert catalog.resolve_image(client, "Debian 12", "KR2-Z01")["id"] == "img-debian-12"
    assert catalog.resolve_image(client, "img-rocky-9", "KR1-Z08")["name"] == "Rocky Linux 9"
    assert len(api_requests(emulator)) == 2
    with pytest.raises(ResolveError, match="Rocky Linux 9.*KR2-Z01"):
        catalog.resolve_image(client, "Rocky Linux 9", "KR2-Z01")   # not offered in Busan


def test_resolve_ssh_keys_many_refs_one_request(emulator):
    client = emulator_client(emulator)
    emulator.clear_requests()
    assert catalog.resolve_ssh_keys(client, ["laptop", "key-ci", "key-laptop"]) == ["key-laptop", "key-ci"]
    assert len(api_requests(emulator)) == 1
    with pytest.raises(ResolveError, match="no SSH key has the id or name 'desktop'.*laptop"):
        catalog.resolve_ssh_keys(client, ["desktop"])


def test_resolve_user_script_and_list_with_content(emulator):
    emulator.config(user_script_list="served")   # the docs' answer (LIVE: 404, below)
    client = emulator_client(emulator)
    script = catalog.resolve_user_script(client, "install-docker")
    assert script["id"] == "script-docker" and script["content"].startswith("#!/bin/sh")
    assert [s["id"] for s in catalog.list_user_scripts(client, name="bootstrap")] == ["script-bootstrap"]
    assert catalog.list_ssh_keys(client, name="lap") == []


def test_bills_against_the_emulator(emulator):
    emulator.config(bill_detail="served")   # the docs' answer (LIVE: 403 CHECK_IP, test_iwinv_bill_info)
    client = emulator_client(emulator)
    emulator.config(page_size_cap=5)
    bills = bills_mod.list_bills(client)
    assert len(bills) == 12 and all(bill["id"].startswith("BILL-") for bill in bills)
    assert "card" not in json.dumps(bills)
    assert bills_mod.list_bills(client, start_date="2000-01-01", end_date="2000-01-31") == []
    detail = bills_mod.get_bill(client, bills[0]["id"])
    assert [item["name"] for item in detail["lines"]] == ["Compute", "Block storage"]
    assert sum(item["price"] for item in detail["lines"]) == detail["price"] == detail["total"] - detail["vat"]
    assert "lines" not in bills[0]   # the list has no lines
    assert bills_mod.get_bill(client, "BILL-000000-0000") is None
    live = bills_mod.live_bill(client)
    assert live["id"] == "BILL-live" and live["currency"] == "KRW"


def test_an_unknown_os_family_is_named_even_when_the_api_answers_in_korean():
    client, _session = make_client(error(400, "CHECK_PARAM_ENUM", code="0xf", message="요청을 처리할 수 없습니다."))
    with pytest.raises(IwinvApiError) as caught:
        catalog.list_images(client, os="beos")
    assert caught.value.message.startswith("os 'beos' is not an OS family the API knows")
    assert caught.value.error_code == "CHECK_PARAM_ENUM"


def test_without_the_user_script_list_an_id_is_taken_as_given_and_a_name_fails_saying_why(emulator):
    """LIVE: GET /v1/instance/script answers 404 (the emulator's default)."""
    client = emulator_client(emulator)
    taken = catalog.resolve_user_script(client, "script-docker")
    assert taken == {"id": "script-docker", "name": None, "unverified": True}
    with pytest.raises(IwinvApiError) as caught:
        catalog.resolve_user_script(client, "install docker")   # not an id's format: a name, which needs the list
    assert "does not serve the user-script list" in caught.value.message and "give iwinv_instance the script's id" \
        in caught.value.message
    with pytest.raises(IwinvApiError, match="does not serve the user-script list"):
        catalog.list_user_scripts(client)
