# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module glue: common options, a client from them, failures that carry api_error, diff helpers.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib

from ansible_collections.iwinv.cloud.plugins.module_utils import _state_instance_list as instance_view
from ansible_collections.iwinv.cloud.plugins.module_utils._api_client import (
    DEFAULT_API_URL,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    IwinvApiError,
    IwinvClient,
    check_api_url,
    clean_api_text,
    id_problem,
)
from ansible_collections.iwinv.cloud.plugins.module_utils._api_errors import IwinvError
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_lookup import reference_problem
from ansible_collections.iwinv.cloud.plugins.module_utils._engine_run import TaskRun
from ansible_collections.iwinv.cloud.plugins.module_utils._state_catalog_cache import DEFAULT_MAX_AGE, CatalogCache
from ansible_collections.iwinv.cloud.plugins.module_utils._state_firewall_family import CHOICES as FIREWALL_API_CHOICES
from ansible_collections.iwinv.cloud.plugins.module_utils._state_firewall_family import FamilyMemory
from ansible_collections.iwinv.cloud.plugins.module_utils._state_journal import Journal

ISSUES_URL = "https://github.com/iwinv-cloud/ansible-collection/issues"


def common_argument_spec():
    """The options every module takes (doc fragment iwinv.cloud.iwinv)."""
    return dict(
        access_key=dict(type="str", required=True, no_log=False, fallback=(env_fallback, ["IWINV_ACCESS_KEY"])),
        secret_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["IWINV_SECRET_KEY"])),
        api_url=dict(type="str", default=DEFAULT_API_URL, fallback=(env_fallback, ["IWINV_API_URL"])),
        validate_certs=dict(type="bool", default=True, fallback=(env_fallback, ["IWINV_VALIDATE_CERTS"])),
        api_timeout=dict(type="int", default=30, fallback=(env_fallback, ["IWINV_API_TIMEOUT"])),
        rate_limit=dict(type="int", default=60, fallback=(env_fallback, ["IWINV_RATE_LIMIT"])),
        catalog_cache_max_age=dict(type="int", default=DEFAULT_MAX_AGE,
                                   fallback=(env_fallback, ["IWINV_CATALOG_CACHE_MAX_AGE"])),
        instance_list_max_age=dict(type="int", default=instance_view.DEFAULT_MAX_AGE,
                                   fallback=(env_fallback, ["IWINV_INSTANCE_LIST_MAX_AGE"])),
        firewall_api=dict(type="str", default="auto", choices=list(FIREWALL_API_CHOICES),
                          fallback=(env_fallback, ["IWINV_FIREWALL_API"])),
    )


def text_options(*names):
    """Options of type str with no default (the info modules' filters)."""
    return {name: dict(type="str") for name in names}


def wait_argument_spec():
    """The options of modules that start asynchronous operations (doc fragment iwinv.cloud.iwinv.WAIT)."""
    return dict(
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=600),
    )


class IwinvModule:
    """What every module shares: the AnsibleModule, the client, and how a run ends."""

    def __init__(self, argument_spec, with_wait=False, references=(), **module_kwargs):
        """`references`: the options that take an id or a name, checked (like `id`) before any request."""
        spec = common_argument_spec()
        if with_wait:
            spec.update(wait_argument_spec())
        spec.update(argument_spec)
        module_kwargs.setdefault("supports_check_mode", True)
        self.module = AnsibleModule(argument_spec=spec, **module_kwargs)
        self.params = self.module.params
        self.check_mode = self.module.check_mode
        self.warnings = []
        if not HAS_REQUESTS:
            self.module.fail_json(msg=missing_required_lib("requests"), exception=str(REQUESTS_IMPORT_ERROR))
        self._validate_common()
        self._validate_ids(references)
        self._client = None
        self._task_run = None

    def _validate_common(self):
        try:
            check_common_options(self.params)
        except IwinvError as exc:
            self.fail(str(exc))

    def _validate_ids(self, references):
        """A malformed `id` (a trailing newline from a file lookup...) fails here, not as an empty answer later."""
        if self.params.get("id") is not None:
            problem = id_problem(self.params["id"])
            if problem:
                self.fail("id %r is not an id: %s" % (self.params["id"], problem))
        for option in references:
            values = self.params.get(option)
            for value in values if isinstance(values, list) else [] if values is None else [values]:
                problem = reference_problem(value)
                if problem:
                    self.fail("%s %r is neither an id nor a name: %s" % (option, value, problem))

    @property
    def client(self):
        if self._client is None:
            self._client = client_from_options(self.params, warn=self.warn)
        return self._client

    def warn(self, message):
        self.module.warn(message)

    def fail(self, msg, **kwargs):
        self.module.fail_json(msg=msg, **kwargs)

    def instance_view(self):
        """The instance list shared by the tasks of this key (_state_instance_list.py), or None when turned off."""
        max_age = self.params["instance_list_max_age"]
        if max_age == 0:
            return None
        return instance_view.InstanceView(self.client, self.params["api_url"], self.params["access_key"], max_age,
                                          warn=self.warn)

    def firewall_family_memory(self):
        """Where firewall_api=auto remembers its answer (_state_firewall_family.py), or None when the caches are off."""
        if self.params["catalog_cache_max_age"] == 0:
            return None
        return FamilyMemory(self.params["api_url"], self.params["access_key"], warn=self.warn)

    def task_run(self, result_key):
        """The TaskRun of a module that writes: its deadline starts now (wait_timeout covers the whole task)."""
        journal = Journal.for_account(self.params["api_url"], self.params["access_key"], warn=self.warn)
        self._task_run = TaskRun(self.params["wait_timeout"], result_key, journal=journal)
        return self._task_run

    def run(self, body):
        """Run the module body; turn the collection's errors into a failure a person can act on.

        After a write (TaskRun.wrote), a failure reports changed=true and the resource as far as it is known.
        """
        try:
            result = body()
        except IwinvApiError as exc:
            self.fail(exc.message, api_error=exc.to_dict(), **self._written())
        except IwinvError as exc:
            self.fail(str(exc), **self._written())
        except Exception as exc:  # pylint: disable=broad-exception-caught
            self.fail(self._without_secret(bug_message(exc)),
                      exception=self._without_secret(traceback.format_exc()), **self._written())
        self.module.exit_json(**result)

    def _without_secret(self, text):
        """`text` with the secret key masked (AnsibleModule masks no_log values too; this holds without it)."""
        secret = self.params.get("secret_key")
        return text.replace(secret, "********") if secret else text

    def _written(self):
        return self._task_run.failure_result() if self._task_run is not None else {}


def bug_message(exc):
    """The failure of an exception that is no IwinvError: a bug of the collection, to be reported. Its text may
    hold API data: bounded and printable, like any text from the API."""
    return ("iwinv.cloud failed with an unexpected error, a bug of the collection: please report it at %s with "
            "the task and this message (%s: %s); the traceback is shown with -vvv"
            % (ISSUES_URL, type(exc).__name__, clean_api_text(exc)))


def check_common_options(options):
    """The common options' values checked before any request (the modules' and the inventory's); the API URL
    without its trailing slash. Raises IwinvError naming the option; options a caller has not are skipped.
    """
    api_url = check_api_url(options["api_url"])
    if options["api_timeout"] <= 0:
        raise IwinvError("api_timeout must be a positive number of seconds, got %s" % options["api_timeout"])
    if options["rate_limit"] < 0:
        raise IwinvError("rate_limit must be 0 (no pacing) or a positive number of requests per minute, got %s"
                         % options["rate_limit"])
    for option, off in (("catalog_cache_max_age", "no catalog cache"), ("instance_list_max_age", "no shared list")):
        if options.get(option) is not None and options[option] < 0:
            raise IwinvError("%s must be 0 (%s) or a number of seconds, got %s" % (option, off, options[option]))
    if options.get("wait_timeout") is not None and options["wait_timeout"] <= 0:
        raise IwinvError("wait_timeout must be a positive number of seconds, got %s" % options["wait_timeout"])
    return api_url


def client_from_options(options, warn=None):
    """An IwinvClient from the common options (a module's params or the inventory's options).

    `warn` receives the warnings of the client (validate_certs off, a state file that cannot be used). Options
    without catalog_cache_max_age (the inventory, which resolves no catalog names) get no catalog cache.
    """
    max_age = options.get("catalog_cache_max_age") or 0
    cache = CatalogCache(options["api_url"], options["access_key"], max_age, warn=warn) if max_age > 0 else None
    return IwinvClient(
        access_key=options["access_key"],
        secret_key=options["secret_key"],
        api_url=options["api_url"],
        validate_certs=options["validate_certs"],
        timeout=options["api_timeout"],
        rate_limit=options["rate_limit"],
        warn=warn,
        catalog_cache=cache,
    )


def one_or_listed(row_id, get_one, list_rows):
    """An info module's candidates: the row with `row_id`, read directly (none when it is absent), or, without an
    id, every row `list_rows()` returns."""
    if row_id is None:
        return list_rows()
    row = get_one(row_id)
    return [row] if row else []


def select(rows, matches=None, **equal):
    """The rows that pass `matches(row)` (when given) and whose fields equal each filter that is set (not None)."""
    wanted = {key: value for key, value in equal.items() if value is not None}
    return [row for row in rows if (matches is None or matches(row))
            and all(row.get(key) == value for key, value in wanted.items())]
