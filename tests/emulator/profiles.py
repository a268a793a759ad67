"""Emulator profiles: the default answers DECISIONS.md's contract; `alternative` answers every "Tolerate" point
the other documented way, so that the collection (and iwinv_api_check) are tested against both.

The alternative profile, point by point (DECISIONS.md):
- D4 paging: the echoed `page_size` is the size asked for (not the size used, when `page_size_cap` cut the page
  to 10 rows or more), `page_no`/`page_size` are strings on every list, and `count` is the total, not the page's
  rows. The cap stays 100 (the collection's page size, so request counts stay comparable); tests lower it.
- D4 page size: a list asked for more than 50 rows a page answers 400 `CHECK_PARAM` (`page_size_limit`).
- D3 volume list: paged at 50 rows by default like the other lists (`volume_page_size`), not unpaginated.
- D4 not found: 200 `[]` wherever the default answers 400 `ID_INVALID` on a detail read, and the reverse.
- D4 errors: `result` the string "error" and the emulator's English message (`error_result: string`, the
  terraform provider's fixture); the default sends the LIVE shape (Korean message, `result` an object).
- D4 rate limit: HTTP 400 `LIMIT_EXCEEDED` (`rate_limit_status`) with `Retry-After`; every answer carries
  `X-RateLimit-Limit`.
- D2/D3 statuses: transitional instance statuses and volume statuses in words outside the known vocabulary;
  a detaching volume no longer shows its instance.

The LIVE facts of issue 24 (docs/emulator.md lists them) are switches of their own (OBSERVED, below): the default
sends what the real API answered, the alternative profile the documented (or assumed) answer.

`firewall_family` (DECISIONS.md D1) says which firewall family the emulator serves; the other one answers 404
`NOT_FOUND`, as an unknown path does. The default profile serves `/v1/security-groups` (D1b, observed live), the
alternative profile `/v1/firewall` (D1a, the docs), so that CI runs every firewall test on both.
"""

from state import DEFAULT_CONFIG, ERROR_CODES, ApiError

# The switches of the API as observed (LIVE, REFERENCE.md): their allowed values, the observed one first.
OBSERVED = {
    "error_result": ("object", "string"),
    "user_script_list": ("missing", "served"),
    "bill_detail": ("check_ip", "served"),
}
OBSERVED_KEYS = list(OBSERVED) + ["restricted_zones", "supporting_images"]   # checked by observed_value
PROFILE_KEYS = OBSERVED_KEYS + ["volume_page_size", "page_size_limit", "rate_limit_status"]
FIREWALL_FAMILIES = {"security-groups": "/v1/security-groups", "firewall": "/v1/firewall"}
DEFAULT_FIREWALL_FAMILY = "security-groups"
ALTERNATIVE = {"error_result": "string", "user_script_list": "served", "bill_detail": "served",
               "restricted_zones": [], "supporting_images": True, "volume_page_size": 50, "page_size_limit": 50,
               "rate_limit_status": 400, "firewall_family": "firewall"}
PROFILES = {"default": dict({key: DEFAULT_CONFIG[key] for key in PROFILE_KEYS}, firewall_family=DEFAULT_FIREWALL_FAMILY),
            "alternative": ALTERNATIVE}
STRING_CONFIG = {"profile": PROFILES, "firewall_family": FIREWALL_FAMILIES}

INSTANCE_WORDS = {"pending": "queued", "building": "spawning", "work": "working"}
VOLUME_WORDS = {"attached": "in-use", "attaching": "reserving"}
KOREAN = {
    "ID_INVALID": "유효하지 않은 ID 입니다.",
    "CHECK_IP": "허용되지 않은 IP 입니다.",
    "NOT_FOUND": "요청하신 정보를 찾을 수 없습니다.",
    "CHECK_SIGNATURE": "서명 또는 타임스탬프를 확인해 주세요.",
    "INVALID_SIGNATURE": "서명이 올바르지 않습니다.",
    "CHECK_CREDENTIAL": "인증 정보를 확인해 주세요.",
    "LIMIT_EXCEEDED": "요청 한도를 초과했습니다.",
}
KOREAN_OTHER = "요청을 처리할 수 없습니다."
# The LIVE refusal of a create in a restricted zone ("resource use is restricted in the selected zone").
RESTRICTED = ("resource use is restricted", "선택하신 존에서는 자원 사용이 제한되어 있습니다.")
RETRY_AFTER_SECONDS = 2
DEFAULT_PAGE_SIZE = 10   # REFERENCE.md 2.5, LIVE


def is_alternative(config):
    return config.get("profile") == "alternative"


def profile_config(name):
    """The config values a profile sets when it is selected (CLI or PUT /_emulator/config)."""
    if name not in PROFILES:
        raise ValueError("unknown profile %s (known: %s)" % (name, ", ".join(PROFILES)))
    return dict(PROFILES[name], profile=name)


def observed_value(key, value):
    """A value of one of the OBSERVED switches, restricted_zones or supporting_images (PUT /_emulator/config)."""
    if key in OBSERVED and value not in OBSERVED[key]:
        raise ValueError("%s must be one of %s" % (key, ", ".join(OBSERVED[key])))
    if key == "restricted_zones" and not (isinstance(value, list) and all(isinstance(z, str) for z in value)):
        raise ValueError("restricted_zones must be a list of zone ids")
    if key == "supporting_images" and not isinstance(value, bool):
        raise ValueError("supporting_images must be true or false")
    return list(value) if isinstance(value, list) else value


def check_firewall_family(config, path):
    """Before routing: the family the emulator does not serve answers 404, as an unknown path does."""
    served = FIREWALL_FAMILIES[config.get("firewall_family", DEFAULT_FIREWALL_FAMILY)]
    for prefix in FIREWALL_FAMILIES.values():
        if prefix != served and (path == prefix or path.startswith(prefix + "/")):
            raise ApiError(404, "NOT_FOUND", "no such endpoint: %s" % path)


def page_extra(config, page_no, requested, used, total):
    """The paging keys of a list answer (D4): the default echoes the size used, as integers, `count` per page.

    The alternative echoes the size asked for, except below the documented default page size (10): a server
    whose default page is 10 rows cannot cap pages below that, so a smaller test cap is echoed as it is.
    """
    if not is_alternative(config):
        return {"page_no": page_no, "page_size": used}
    echoed = requested if used >= DEFAULT_PAGE_SIZE else used
    return {"page_no": str(page_no), "page_size": str(echoed), "count": total}


def reshape(config, method, path, status, payload, headers, detail_route):
    """The answer in the alternative profile's words, errors in error_result's shape: (status, payload, headers)."""
    if not isinstance(payload, dict):
        return status, payload, headers
    status, payload, headers = reshape_alternative(config, method, path, status, payload, headers, detail_route)
    if payload.get("error_code") not in (None, "SUCCESS") and config.get("error_result", "object") == "object":
        payload = korean_error(payload)
    return status, payload, headers


def reshape_alternative(config, method, path, status, payload, headers, detail_route):
    if not is_alternative(config):
        return status, payload, headers
    headers = dict(headers, **{"X-RateLimit-Limit": config["rate_limit"]})
    if method == "GET" and detail_route:
        status, payload = swap_not_found(status, payload, path)
    if payload.get("error_code") == "SUCCESS":
        rename_statuses(payload.get("result"), instances=path.startswith("/v1/instances"))
        return status, payload, headers
    if payload.get("error_code") == "LIMIT_EXCEEDED" and status == config["rate_limit_status"]:
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    return status, payload, headers


def swap_not_found(status, payload, path):
    """D4 Tolerate: 200 [] where the default says 400 ID_INVALID, and the reverse."""
    if payload.get("error_code") == "ID_INVALID":
        return 200, {"code": "0x00", "error_code": "SUCCESS", "message": "", "result": [], "count": 0}
    if payload.get("error_code") == "SUCCESS" and payload.get("result") == []:
        return 400, {"code": ERROR_CODES["ID_INVALID"], "error_code": "ID_INVALID", "message": "not found: %s" % path,
                     "result": "error"}
    return status, payload


def korean_error(payload):
    """D4, LIVE: Korean message text, `result` an object with a nested numeric code (its key names are not
    recorded: `code` and `message` here)."""
    message = KOREAN.get(payload.get("error_code"), KOREAN_OTHER)
    if str(payload.get("message", "")).startswith(RESTRICTED[0]):
        message = RESTRICTED[1]
    code = payload.get("code") or "0xc"
    return dict(payload, message=message, result={"code": int(code, 16), "message": message})


def rename_statuses(rows, instances):
    """D2/D3 Tolerate: statuses outside the known vocabulary; a detaching volume hides its instance."""
    for row in rows if isinstance(rows, list) else ():
        if not isinstance(row, dict):
            continue
        if "block_storage_id" in row:
            rename_volume(row)
        elif instances and row.get("status") in INSTANCE_WORDS:
            row["status"] = INSTANCE_WORDS[row["status"]]
        rename_statuses(row.get("block_storage"), instances=False)


def rename_volume(row):
    if row.get("status") == "detaching" and "instance_id" in row:
        row["instance_id"] = None
    if row.get("status") in VOLUME_WORDS:
        row["status"] = VOLUME_WORDS[row["status"]]
