# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one base of the failures a person can act on (bad options, API refusals, waits that end badly).

IwinvModule reports an IwinvError by its message; any other exception is a bug of the collection and is
reported as one, with its traceback.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations


class IwinvError(Exception):
    """A failure whose message says what was being done, to what, and what to change."""
