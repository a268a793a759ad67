# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import ResolveError, resolve

ROWS = [
    {"id": "std.2c4g", "name": "2 vCore / 4GB"},
    {"id": "std.4c8g", "name": "4 vCore / 8GB"},
    {"id": "web", "name": "std.2c4g"},  # a name that is another row's id: the id wins
    {"id": "i-1", "name": "twin"},
    {"id": "i-2", "name": "twin"},
]


def test_exact_id_wins_over_a_name():
    assert resolve(ROWS, "std.2c4g", "flavor")["name"] == "2 vCore / 4GB"


def test_exact_name_when_no_id_matches():
    assert resolve(ROWS, "4 vCore / 8GB", "flavor")["id"] == "std.4c8g"


def test_names_match_exactly_not_by_substring_or_case():
    with pytest.raises(ResolveError):
        resolve(ROWS, "4 vcore / 8gb", "flavor")
    with pytest.raises(ResolveError):
        resolve(ROWS, "vCore", "flavor")


def test_ambiguous_name_lists_the_ids():
    with pytest.raises(ResolveError) as caught:
        resolve(ROWS, "twin", "instance")
    assert "ambiguous" in str(caught.value) and "i-1" in str(caught.value) and "i-2" in str(caught.value)


def test_unknown_reference_lists_the_candidates_seen():
    with pytest.raises(ResolveError) as caught:
        resolve(ROWS[:2], "8 vCore", "flavor")
    message = str(caught.value)
    assert "'8 vCore'" in message and "std.2c4g (2 vCore / 4GB)" in message


def test_unknown_reference_among_none():
    with pytest.raises(ResolveError) as caught:
        resolve([], "x", "zone")
    assert "none were found" in str(caught.value)
