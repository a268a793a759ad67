# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Tolerate points of DECISIONS.md that the integration targets do not reach, against the emulator's
alternative profile: a rate limit answered 400 with Retry-After, Korean errors, swapped "not found" answers,
other status words."""

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_block_storage as block_storage
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_catalog as catalog
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_instances as instances
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    IwinvAmbiguousWriteError,
    IwinvApiError,
    IwinvClient,
)

VM = {"zone_id": "KR1-Z08", "image_id": "img-ubuntu-2404", "flavor_id": "std.1c1g", "name": "alt"}


@pytest.fixture
def alternative(emulator):
    emulator.config(profile="alternative", op_delays={"instance.create": 0.05, "block_storage.create": 0.05})
    return emulator


def client_for(emulator, **options):
    return IwinvClient(emulator.access_key, emulator.secret_key, api_url=emulator.url, rate_limit=0, **options)


def test_a_rate_limited_read_answered_400_waits_for_retry_after_and_succeeds(alternative):
    alternative.config(rate_limit=2, rate_window=3)
    client = client_for(alternative)
    zones = [catalog.list_zones(client) for _attempt in range(3)]
    assert zones[2] == zones[0] and len(zones[0]) == 4
    log = [(entry["status"], entry["error_code"]) for entry in alternative.requests()]
    assert (400, "LIMIT_EXCEEDED") in log and log[-1] == (200, "SUCCESS")


def test_a_rate_limited_write_answered_400_is_reported_not_resent(alternative):
    alternative.config(rate_limit=1, rate_window=60)
    client = client_for(alternative)
    catalog.list_zones(client)
    with pytest.raises(IwinvApiError) as caught:
        client.post("/v1/instances", form=VM)
    assert not isinstance(caught.value, IwinvAmbiguousWriteError)
    assert caught.value.error_code == "LIMIT_EXCEEDED" and caught.value.status == 400
    assert [entry["method"] for entry in alternative.requests()] == ["GET", "POST"]


def test_a_korean_error_message_is_explained_from_the_error_code(emulator):
    """The default profile answers errors as LIVE: a Korean message and an object result."""
    client = IwinvClient(emulator.access_key, "wrong-secret", api_url=emulator.url, rate_limit=0)
    with pytest.raises(IwinvApiError) as caught:
        catalog.list_zones(client)
    assert "secret_key" in caught.value.message and caught.value.api_message == "서명이 올바르지 않습니다."


def test_unknown_ids_read_as_absent_whichever_way_not_found_is_answered(alternative):
    client = client_for(alternative)
    assert instances.get_instance(client, "no-such-instance") is None            # 200 []
    assert catalog.get_image(client, "no-such-image") is None                    # 200 []
    assert client.get_detail("/v1/flavors", "no-such-flavor") is None            # 400 ID_INVALID
    assert block_storage.get_block_storage(client, "no-such-volume") is None     # 200 []


def test_other_status_words_are_transitional_or_settled_as_documented(alternative):
    client = client_for(alternative)
    created = alternative.ok("POST", "/v1/instances", form=VM)["result"][0]
    assert created["status"] == "spawning" and instances.is_transitional(created["status"])
    alternative.wait_for(lambda: instances.get_instance(client, created["instance_id"])["status"] == "active")
    alternative.ok("POST", "/v1/block-storages", form={"instance_id": created["instance_id"], "type": "ssd", "size": "10"})
    volume = alternative.wait_for(lambda: [v for v in block_storage.list_block_storages(client) if block_storage.is_settled(v)])[0]
    assert volume["status"] == "attached" and volume["instance_id"] == created["instance_id"]   # the API said in-use
    alternative.config(op_delays={"block_storage.detach": 30})
    block_storage.detach_block_storage(client, volume["id"])
    detaching = block_storage.get_block_storage(client, volume["id"])
    assert detaching["status"] == "detaching" and not block_storage.is_settled(detaching)
