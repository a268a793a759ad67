# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Id-or-name resolution, one rule for every kind of resource: exact id first, then exact name.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import unicodedata

from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError

MAX_LISTED = 20


class ResolveError(IwinvError):
    """A reference that matches nothing, or more than one thing; the message lists what was seen."""


def resolve(rows, ref, kind, id_key="id", name_key="name"):
    """The one row whose id, or else whose name, equals `ref`."""
    ref = str(ref)
    for row in rows:
        if str(row.get(id_key)) == ref:
            return row
    named = only_named([row for row in rows if row.get(name_key) == ref], ref, kind, id_key)
    if named is not None:
        return named
    raise ResolveError("no %s has the id or name '%s'; %s"
                       % (kind, ref, describe_candidates(rows, kind, id_key, name_key)))


def only_named(named, name, kind, id_key="id", plural=None, hint=""):
    """The one row of `named` (the rows carrying `name`), None for none; several fail, listing their ids.

    Names are not unique on iwinv: the message says which ids carry the name, so that the user can pick by id.
    """
    if len(named) <= 1:
        return named[0] if named else None
    ids = ", ".join(str(row.get(id_key)) for row in named)
    raise ResolveError("the %s name '%s' is ambiguous: it matches %d %s (ids: %s); use id%s"
                       % (kind, name, len(named), plural or kind + "s", ids, hint))


def reference_problem(ref):
    """Why an id-or-name reference can name nothing (a control character, such as the newline a file lookup keeps),
    or None. Names may hold any other character, so only those are refused before a request."""
    control = next((char for char in str(ref) if unicodedata.category(char) == "Cc"), None)
    if control is None:
        return None
    return "it holds the control character %r: ids have none, and names with one are not looked up" % control


def describe_candidates(rows, kind, id_key="id", name_key="name"):
    if not rows:
        return "none were found"
    listed = ", ".join("%s (%s)" % (row.get(id_key), row.get(name_key)) for row in rows[:MAX_LISTED])
    more = " and %d more" % (len(rows) - MAX_LISTED) if len(rows) > MAX_LISTED else ""
    return "the %ss seen were: %s%s" % (kind, listed, more)


def only_new(rows, what):
    """The one resource that a create whose answer was lost made; several fail and list their ids."""
    if len(rows) > 1:
        raise ResolveError("the API gave no clear answer to the creation of %s, and %d new ones appeared (ids: %s): "
                           "delete the extra ones by id" % (what, len(rows), ", ".join(str(row["id"]) for row in rows)))
    return rows[0]
