# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""_state_catalog_cache.py: one catalog read shared by the forks of a key, a bound age, keys kept apart, no secret."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_block_storage as block_storage
from ansible_collections.iwinv.cloud.plugins.module_utils import _resource_catalog as catalog
from ansible_collections.iwinv.cloud.plugins.module_utils._state_catalog_cache import CatalogCache
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._module import client_from_options
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError

from fakes import FakeClock, FakeSession, NoPacer, ok

ZONES = [{"zone_id": "KR1-Z08", "zone_name": "Seoul", "status": "active", "content": []}]
NEW_ZONE = {"zone_id": "KR1-Z09", "zone_name": "Busan", "status": "active", "content": []}
TYPES = [{"type": "ssd", "min": 10, "max": 2000, "zone": ["KR1-Z08"]}]


def cached_client(directory, clock, *answers, api_url="https://api.test", access_key="test-access", max_age=300):
    cache = CatalogCache(api_url, access_key, max_age, directory=str(directory), clock=clock)
    return IwinvClient(access_key, "the-secret-key", api_url=api_url, session=FakeSession(*answers), pacer=NoPacer(),
                       clock=clock, sleep=clock.sleep, catalog_cache=cache)


def test_forks_of_one_key_share_one_zone_read(tmp_path):
    clock = FakeClock()
    first = cached_client(tmp_path, clock, ok(ZONES))
    second = cached_client(tmp_path, clock)           # no answer queued: a request would fail the test
    assert catalog.resolve_zone(first, "Seoul")["id"] == "KR1-Z08"
    assert catalog.resolve_zone(second, "KR1-Z08")["name"] == "Seoul"
    assert second.session.calls == []


@pytest.mark.parametrize("max_age, kept", [(60, 60), (86400, 3600)])   # an age above an hour counts as an hour
def test_an_entry_expires_after_max_age(tmp_path, max_age, kept):
    clock = FakeClock()
    client = cached_client(tmp_path, clock, ok(ZONES), ok(ZONES), max_age=max_age)
    catalog.resolve_zone(client, "Seoul")
    clock.now += kept - 1
    catalog.resolve_zone(client, "Seoul")
    assert len(client.session.calls) == 1
    clock.now += 2
    catalog.resolve_zone(client, "Seoul")
    assert len(client.session.calls) == 2


def test_an_entry_from_the_future_is_not_trusted(tmp_path):
    clock = FakeClock()
    client = cached_client(tmp_path, clock, ok(ZONES), ok(ZONES))
    catalog.resolve_zone(client, "Seoul")
    clock.now -= 600                                  # the entry now claims to be from ten minutes ahead
    catalog.resolve_zone(client, "Seoul")
    assert len(client.session.calls) == 2


@pytest.mark.parametrize("other", [{"api_url": "https://other.test"}, {"access_key": "other-access"}])
def test_api_urls_and_access_keys_never_share_entries(tmp_path, other):
    clock = FakeClock()
    catalog.resolve_zone(cached_client(tmp_path, clock, ok(ZONES)), "Seoul")
    second = cached_client(tmp_path, clock, ok([NEW_ZONE]), **other)
    with pytest.raises(ResolveError):
        catalog.resolve_zone(second, "Seoul")
    assert len(second.session.calls) == 1


def test_a_name_missing_from_kept_rows_is_looked_up_in_a_fresh_list(tmp_path):
    clock = FakeClock()
    client = cached_client(tmp_path, clock, ok(ZONES), ok(ZONES + [NEW_ZONE]))
    catalog.resolve_zone(client, "Seoul")
    assert catalog.resolve_zone(client, "Busan")["id"] == "KR1-Z09"
    assert len(client.session.calls) == 2
    assert catalog.resolve_zone(client, "Busan")["id"] == "KR1-Z09"   # the fresh list is kept
    assert len(client.session.calls) == 2


def test_a_name_missing_from_a_fresh_list_fails_after_one_read(tmp_path):
    client = cached_client(tmp_path, FakeClock(), ok(ZONES))
    with pytest.raises(ResolveError, match="Busan"):
        catalog.resolve_zone(client, "Busan")
    assert len(client.session.calls) == 1


def test_flavors_are_kept_per_zone(tmp_path):
    flavor = {"flavor_id": "std.1c1g", "name": "1c1g", "spec": {}, "zone": ["KR1-Z08"]}
    client = cached_client(tmp_path, FakeClock(), ok([flavor]), ok([dict(flavor, zone=["KR1-Z09"])]))
    catalog.resolve_flavor(client, "1c1g", "KR1-Z08")
    catalog.resolve_flavor(client, "1c1g", "KR1-Z08")
    assert catalog.resolve_flavor(client, "1c1g", "KR1-Z09")["zones"] == ["KR1-Z09"]
    assert [call["params"]["zone_id"] for call in client.session.calls] == ["KR1-Z08", "KR1-Z09"]


def test_volume_types_are_cached_and_a_problem_is_checked_on_a_fresh_list(tmp_path):
    client = cached_client(tmp_path, FakeClock(), ok(TYPES), ok(TYPES))
    assert block_storage.offered_placement_problem(client, "ssd", 20, "KR1-Z08") is None
    assert block_storage.offered_placement_problem(client, "ssd", 30, "KR1-Z08") is None
    assert len(client.session.calls) == 1
    assert "not offered" in block_storage.offered_placement_problem(client, "hdd", 20, "KR1-Z08")
    assert len(client.session.calls) == 2


def test_the_file_holds_translated_rows_only_owner_readable_without_keys(tmp_path):
    zone = dict(ZONES[0], billing_note="extra API field")
    client = cached_client(tmp_path, FakeClock(), ok([zone]))
    catalog.resolve_zone(client, "Seoul")
    (name,) = os.listdir(str(tmp_path))
    path = os.path.join(str(tmp_path), name)
    text = open(path, encoding="utf-8").read()
    assert os.stat(path).st_mode & 0o077 == 0
    assert "test-access" not in name + text and "the-secret-key" not in text and "api.test" not in name + text
    assert "extra API field" not in text and json.loads(text)["zones"]["rows"][0]["name"] == "Seoul"


@pytest.mark.parametrize("content", [
    {"zones": {"at": "soon", "rows": []}},
    {"zones": {"at": 1710000000.0, "rows": ["not a row"]}},
    {"zones": {"at": 1710000000.0, "rows": {"id": "KR1-Z08"}}},
    {"zones": []},
])
def test_misshapen_entries_are_read_again_from_the_api(tmp_path, content):
    clock = FakeClock()
    client = cached_client(tmp_path, clock, ok(ZONES))
    with client.catalog_cache.state.locked() as data:
        data.update(content)
    assert catalog.resolve_zone(client, "Seoul")["id"] == "KR1-Z08"
    assert len(client.session.calls) == 1


@pytest.mark.parametrize("max_age, cached", [(0, False), (300, True)])
def test_catalog_cache_max_age_zero_turns_the_cache_off(max_age, cached):
    options = {"access_key": "a", "secret_key": "s", "api_url": "https://api.test", "validate_certs": True,
               "api_timeout": 30, "rate_limit": 60, "catalog_cache_max_age": max_age}
    assert (client_from_options(options).catalog_cache is not None) is cached
    del options["catalog_cache_max_age"]               # the inventory: no catalog names to resolve
    assert client_from_options(options).catalog_cache is None
