"""From an iwinv_api_check record (plugins/module_utils/_api_record.py) to the emulator config that answers the same.

`config_from_record(record)` is pure: each recorded check maps to one config key and the value that reproduces the
answer the check saw (CHECK_KEYS), or to nothing when no switch models it; a check that could not tell (status
`unknown`, or an answer the mapping does not know) leaves the key at its default and says so in the notes. The
checks that only a whole profile reproduces (the DECISIONS.md "Tolerate" points) vote for `default` or
`alternative`; the majority wins (a tie: default), and the checks it outvotes are named in the notes.

server.py --from-record FILE starts the emulator with that config, so that a user's record becomes a profile CI runs.
"""

import json

RECORD_FORMAT = "iwinv.cloud api_check record"
MAX_RECORD_BYTES = 1024 * 1024
LARGE_PAGE = 1000       # api_check.LARGE_PAGE: the page size its page_size_cap request asks for
FALLBACK_PAGE = 50      # api_check.FALLBACK_PAGE: the size it lists with after a refused 100
SMALL_PAGE = 2          # api_check.SMALL_PAGE


class RecordError(ValueError):
    """Not a record this emulator can read."""


def load_record(path):
    with open(path, "rb") as handle:
        raw = handle.read(MAX_RECORD_BYTES + 1)
    if len(raw) > MAX_RECORD_BYTES:
        raise RecordError("%s: larger than %d bytes" % (path, MAX_RECORD_BYTES))
    try:
        record = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise RecordError("%s: not JSON (%s)" % (path, exc)) from None
    if not isinstance(record, dict) or record.get("format") != RECORD_FORMAT:
        raise RecordError("%s: not an iwinv_api_check record (no format %r)" % (path, RECORD_FORMAT))
    return record


# --- one function per check: (key, value) to set, None for "leave the default", or a note -----------------

class Unknown(Exception):
    """The record does not say which value reproduces this check (the note says why)."""


def answer(record, name):
    entry = (record.get("answers") or {}).get(name)
    if not isinstance(entry, dict) or not entry.get("answered"):
        raise Unknown("the %s request was not answered" % name)
    return entry


def is_error(entry, status, error_code):
    return entry.get("http_status") == status and entry.get("error_code") == error_code


def is_success(entry):
    return 200 <= (entry.get("http_status") or 0) < 300 and entry.get("error_code") == "SUCCESS"


def is_empty_success(entry):
    return is_success(entry) and entry.get("rows") == 0


def paging_value(entry, key):
    return ((entry.get("paging") or {}).get(key) or {}).get("value")


def paging_type(entry, key):
    return ((entry.get("paging") or {}).get(key) or {}).get("type")


def no_switch(_record, _check):
    return None


def clock_offset(record, check):
    offset = check.get("offset_seconds")
    if not isinstance(offset, int):
        raise Unknown("no clock offset recorded")
    return "clock_offset", float(-offset)   # the controller ahead of the server = the server's clock behind


def error_result(record, _check):
    for name in ("unknown_image", "unknown_instance", "unknown_flavor"):
        entry = (record.get("answers") or {}).get(name) or {}
        if entry.get("answered") and not is_success(entry) and entry.get("error_code"):
            return "error_result", "object" if entry.get("result") == "object" else "string"
    raise Unknown("no error answer recorded")


def page_size_echo(record, _check):
    kind = paging_type(answer(record, "small_page"), "page_size")
    if kind == "integer":
        return "profile", "default"
    if kind == "string":
        return "profile", "alternative"
    raise Unknown("no page_size echoed")


def count_per_page(record, _check):
    entry = answer(record, "small_page")
    count = paging_value(entry, "count")
    if count is None:
        raise Unknown("no count recorded")
    return "profile", "default" if count == entry.get("rows") else "alternative"


def page_size_cap(record, _check):
    entry = answer(record, "large_page")
    echoed, rows, total = paging_value(entry, "page_size"), entry.get("rows"), paging_value(entry, "total")
    if not is_success(entry) or echoed is None or rows is None:
        raise Unknown("no capped page recorded")
    if echoed < LARGE_PAGE and rows <= echoed:
        return "page_size_cap", echoed
    if total is not None and rows < total:
        return "page_size_cap", rows   # capped, but the size asked for was echoed
    return None   # no cap seen: the default cap (100) is as good as any


def profile_vote(_record, check):
    """A check that only the alternative profile answers otherwise: ok is the default's answer, differs its."""
    if check.get("status") == "ok":
        return "profile", "default"
    if check.get("status") == "differs":
        return "profile", "alternative"
    raise Unknown("no status recorded")


def not_found(name, empty_expected=False):
    def vote(record, _check):
        entry = answer(record, name)
        empty, invalid = is_empty_success(entry), is_error(entry, 400, "ID_INVALID")
        if not (empty or invalid):
            raise Unknown("%s answered neither 200 [] nor 400 ID_INVALID" % name)
        return "profile", "default" if empty == empty_expected else "alternative"
    return vote


def firewall_family(record, _check):
    """The observed family is asked first; the docs' family only when that failed."""
    if is_success(answer(record, "security_groups")):
        return "firewall_family", "security-groups"
    if is_success(answer(record, "firewall")):
        return "firewall_family", "firewall"
    raise Unknown("neither firewall family answered")


def user_script_list(record, _check):
    entry = answer(record, "user_scripts")
    if entry.get("http_status") == 404:
        return "user_script_list", "missing"
    if is_success(entry):
        return "user_script_list", "served"
    raise Unknown("the user-script list answered neither 404 nor a list")


def bill_detail(record, _check):
    entry = answer(record, "bill_detail")
    if is_error(entry, 403, "CHECK_IP"):
        return "bill_detail", "check_ip"
    if is_success(entry):
        return "bill_detail", "served"
    raise Unknown("the bill detail answered neither 403 CHECK_IP nor the bill")


def supporting_images(record, _check):
    rows = [answer(record, name) for name in ("small_page", "large_page")
            if (record.get("answers") or {}).get(name, {}).get("answered")]
    if not any(entry.get("rows") for entry in rows if is_success(entry)):
        raise Unknown("no flavor row recorded")
    return "supporting_images", any("supporting_images" in (entry.get("fields") or {}) for entry in rows)


def volume_page_size(record, _check):
    entry = answer(record, "block_storages")
    if not is_success(entry):
        raise Unknown("the block storage list was not answered")
    size = paging_value(entry, "page_size")
    if "page_size" in (entry.get("paging") or {}) and not size:
        raise Unknown("the block storage list echoed a page size that is not a number")
    return "volume_page_size", size or 0


def page_size_limit(record, _check):
    entry = answer(record, "instances")
    if is_success(entry):
        return "page_size_limit", 0
    if not is_error(entry, 400, "CHECK_PARAM"):
        raise Unknown("the list of 100 rows answered neither rows nor CHECK_PARAM")
    fallback = (record.get("answers") or {}).get("instances_fallback") or {}
    return "page_size_limit", FALLBACK_PAGE if is_success(fallback) else SMALL_PAGE


def signature(_record, check):
    if check.get("status") == "ok":
        return None
    raise Unknown("the first request was refused or unanswered: the emulator accepts its test key")


# Every check of iwinv_api_check (its LATER_CHECKS, signature and clock_offset) -> how to reproduce it.
CHECK_KEYS = {
    "signature": signature,
    "clock_offset": clock_offset,
    "envelope": no_switch,
    "error_envelope": error_result,
    "page_size_echo": page_size_echo,
    "count_per_page": count_per_page,
    "page_size_cap": page_size_cap,
    "fields_mask": no_switch,
    "instance_statuses": profile_vote,
    "block_storage_statuses": profile_vote,
    "unknown_instance": not_found("unknown_instance"),
    "unknown_image": not_found("unknown_image"),
    "unknown_flavor": not_found("unknown_flavor", empty_expected=True),
    "firewall_family": firewall_family,
    "user_script_list": user_script_list,
    "bill_detail": bill_detail,
    "supporting_images": supporting_images,
    "volume_paging": volume_page_size,
    "page_size_limit": page_size_limit,
    "rate_limit_headers": profile_vote,
}


def check_settings(record):
    """{check name: (key, value) or None}, and notes for the checks the record cannot settle."""
    settings, notes = {}, []
    for name, entry in sorted((record.get("checks") or {}).items()):
        mapper = CHECK_KEYS.get(name)
        if mapper is None:
            notes.append("%s: no emulator switch knows this check" % name)
            continue
        entry = entry if isinstance(entry, dict) else {}
        if entry.get("status") == "unknown":
            notes.append("%s: unknown in the record, left at the default" % name)
            continue
        try:
            settings[name] = mapper(record, entry)
        except Unknown as exc:
            notes.append("%s: %s, left at the default" % (name, exc))
    return settings, notes


def config_from_record(record):
    """The emulator config that answers as the record says: (config dict, notes for what it cannot reproduce)."""
    settings, notes = check_settings(record)
    votes = [(name, value) for name, (key, value) in sorted(set_only(settings)) if key == "profile"]
    config = dict(pair for _name, pair in set_only(settings) if pair[0] != "profile")
    if votes:
        alternative = sum(1 for _name, value in votes if value == "alternative")
        config["profile"] = "alternative" if alternative > len(votes) - alternative else "default"
        outvoted = [name for name, value in votes if value != config["profile"]]
        if outvoted:
            notes.append("the %s profile does not answer %s as recorded" % (config["profile"], ", ".join(outvoted)))
    return config, notes


def set_only(settings):
    return [(name, pair) for name, pair in settings.items() if pair is not None]
