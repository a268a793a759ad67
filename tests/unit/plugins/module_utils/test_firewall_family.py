# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""firewall_api (DECISIONS.md D1): auto asks /v1/security-groups once, falls back to /v1/firewall on a 404 NOT_FOUND
only, reports every other failure as it is, remembers the answer per api_url + access key; a pinned family asks
nothing."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _state_firewall_family as firewall_family
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import IwinvApiError, IwinvClient
from ansible_collections.iwinv.cloud.plugins.module_utils._resource_firewall_api import DocsFirewalls, SecurityGroups

from fakes import FakeClock, FakeSession, NoPacer, error, ok


def fake_client(*answers):
    clock = FakeClock()
    session = FakeSession(*answers)
    client = IwinvClient("test-access", "test-secret", api_url="https://api.test", session=session, pacer=NoPacer(),
                         clock=clock, sleep=clock.sleep, rng=lambda: 0.5)
    return client, session


def paths(session):
    return [call["url"].split("api.test", 1)[1] for call in session.calls]


def memory(tmp_path, clock=None, api_url="https://api.test", access_key="test-access"):
    return firewall_family.FamilyMemory(api_url, access_key, directory=str(tmp_path),
                                        clock=clock or FakeClock())


def test_a_served_security_group_list_selects_security_groups_in_one_request():
    client, session = fake_client(ok([]))
    assert isinstance(firewall_family.firewall_api(client, "auto"), SecurityGroups)
    assert paths(session) == ["/v1/security-groups"]
    assert session.calls[0]["params"] == {"page_no": 1, "page_size": 1}


def test_a_404_not_found_selects_the_docs_family():
    client, session = fake_client(error(404, "NOT_FOUND", code="0x1"))
    assert isinstance(firewall_family.firewall_api(client, "auto"), DocsFirewalls)
    assert paths(session) == ["/v1/security-groups"]


@pytest.mark.parametrize("answers, error_code", [
    ([error(401, "CHECK_SIGNATURE", code="0x7")], "CHECK_SIGNATURE"),
    ([error(403, "CHECK_IP", code="0x9")], "CHECK_IP"),
    ([error(400, "NOT_FOUND", code="0x1")], "NOT_FOUND"),   # NOT_FOUND under another status is not "no such family"
    ([error(404, "ID_INVALID", code="0x16")], "ID_INVALID"),
    ([error(500, "DEV_CHECK_RETURN", code="0xc")] * 9, "DEV_CHECK_RETURN"),   # retried as any read, then reported
])
def test_any_other_failure_is_reported_as_it_is_never_taken_as_the_other_family(tmp_path, answers, error_code):
    client, session = fake_client(*answers)
    remembered = memory(tmp_path)
    with pytest.raises(IwinvApiError) as raised:
        firewall_family.firewall_api(client, "auto", remembered)
    assert raised.value.error_code == error_code
    assert "firewall_api" in raised.value.message and "security-groups or firewall" in raised.value.message
    assert set(paths(session)) == {"/v1/security-groups"}
    with open(remembered.state.path, encoding="utf-8") as handle:
        assert "family" not in handle.read()   # nothing remembered: the next task asks again


@pytest.mark.parametrize("pinned, transport", [("security-groups", SecurityGroups), ("firewall", DocsFirewalls)])
def test_a_pinned_family_asks_nothing(pinned, transport):
    client, session = fake_client()
    assert isinstance(firewall_family.firewall_api(client, pinned), transport)
    assert session.calls == []


def test_the_answer_is_remembered_per_api_url_and_key_for_a_bounded_time(tmp_path):
    clock = FakeClock()
    client, session = fake_client(error(404, "NOT_FOUND", code="0x1"), ok([]), ok([]))
    assert firewall_family.family_name(client, "auto", memory(tmp_path, clock)) == "firewall"
    assert firewall_family.family_name(client, "auto", memory(tmp_path, clock)) == "firewall"   # a fleet: asked once
    assert len(session.calls) == 1
    path = memory(tmp_path, clock).state.path
    with open(path, encoding="utf-8") as handle:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and set(json.load(handle)) == {"at", "family"}
    assert firewall_family.family_name(client, "auto", memory(tmp_path, clock, access_key="other-key")) == \
        "security-groups"   # another key asks for itself
    clock.now += firewall_family.FAMILY_MAX_AGE + 1
    assert firewall_family.family_name(client, "auto", memory(tmp_path, clock)) == "security-groups"   # too old
    assert len(session.calls) == 3


@pytest.mark.parametrize("kept", [{"at": 1710000000.0, "family": "../../etc"}, {"at": "now", "family": "firewall"},
                                  {"at": 1710000000.0 + 3600, "family": "firewall"}, {"at": True, "family": "firewall"},
                                  {"at": 1710000000.0, "family": ["firewall"]}])
def test_a_kept_answer_that_is_not_shaped_as_written_or_from_the_future_is_asked_again(tmp_path, kept):
    remembered = memory(tmp_path)
    with remembered.state.locked() as data:
        data.update(kept)
    client, session = fake_client(ok([]))
    assert firewall_family.family_name(client, "auto", remembered) == "security-groups"
    assert len(session.calls) == 1
