"""Emulator profiles: the default answers DECISIONS.md's contract; `alternative` answers every "Tolerate" point
the other documented way, so that the collection (and iwinv_api_check) are tested against both.

The alternative profile, point by point (DECISIONS.md):
- D4 paging: the echoed `page_size` is the size asked for (not the size used, when `page_size_cap` cut the page
  to 10 rows or more), `page_no`/`page_size` are strings on every list, and `count` is the total, not the page's
  rows. The cap stays 100 (the collection's page size, so request counts stay comparable); tests lower it.
- D4 page size: a list asked for more than 50 rows a page answers 400 `CHECK_PARAM` (`page_size_limit`).
- D3 volume list: paged at 50 rows by default like the other lists (`volume_page_size`), not unpaginated.
- D4 not found: 200 `[]` wherever the default answers 400 `ID_INVALID` on a detail read, and the reverse.
- D4 errors: Korean messages, `result` an object with a numeric code.
- D4 rate limit: HTTP 400 `LIMIT_EXCEEDED` (`rate_limit_status`) with `Retry-After`; every answer carries
  `X-RateLimit-Limit`.
- D2/D3 statuses: transitional instance statuses and volume statuses in words outside the known vocabulary;
  a detaching volume no longer shows its instance.

`firewall_family` (not part of a profile: the collection only speaks `/v1/firewall`, DECISIONS.md D1) makes the
emulator answer `/v1/security-groups` (list only) and refuse `/v1/firewall` with 404, as an API that serves
only the other family would.
"""

from state import DEFAULT_CONFIG, ERROR_CODES, ApiError

PROFILES = {
    "default": {key: DEFAULT_CONFIG[key] for key in ("rate_limit_status", "volume_page_size", "page_size_limit")},
    "alternative": {"rate_limit_status": 400, "volume_page_size": 50, "page_size_limit": 50},
}
FIREWALL_FAMILIES = {"firewall": "/v1/firewall", "security-groups": "/v1/security-groups"}
STRING_CONFIG = {"profile": PROFILES, "firewall_family": FIREWALL_FAMILIES}

INSTANCE_WORDS = {"pending": "queued", "building": "spawning", "work": "working"}
VOLUME_WORDS = {"attached": "in-use", "attaching": "reserving"}
KOREAN = {
    "ID_INVALID": "유효하지 않은 ID 입니다.",
    "CHECK_SIGNATURE": "서명 또는 타임스탬프를 확인해 주세요.",
    "INVALID_SIGNATURE": "서명이 올바르지 않습니다.",
    "CHECK_CREDENTIAL": "인증 정보를 확인해 주세요.",
    "LIMIT_EXCEEDED": "요청 한도를 초과했습니다.",
}
KOREAN_OTHER = "요청을 처리할 수 없습니다."
RETRY_AFTER_SECONDS = 2
DEFAULT_PAGE_SIZE = 10   # REFERENCE.md 2.5, LIVE


def is_alternative(config):
    return config.get("profile") == "alternative"


def profile_config(name):
    """The config values a profile sets when it is selected (CLI or PUT /_emulator/config)."""
    if name not in PROFILES:
        raise ValueError("unknown profile %s (known: %s)" % (name, ", ".join(PROFILES)))
    return dict(PROFILES[name], profile=name)


def check_firewall_family(config, path):
    """Before routing: the family the emulator does not serve answers 404, as an unknown path does."""
    served = FIREWALL_FAMILIES[config.get("firewall_family", "firewall")]
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
    """The answer in the alternative profile's words: (status, payload, headers). The default is left alone."""
    if not is_alternative(config) or not isinstance(payload, dict):
        return status, payload, headers
    headers = dict(headers, **{"X-RateLimit-Limit": config["rate_limit"]})
    if method == "GET" and detail_route:
        status, payload = swap_not_found(status, payload, path)
    if payload.get("error_code") == "SUCCESS":
        rename_statuses(payload.get("result"), instances=path.startswith("/v1/instances"))
        return status, payload, headers
    if payload.get("error_code") == "LIMIT_EXCEEDED" and status == config["rate_limit_status"]:
        headers["Retry-After"] = RETRY_AFTER_SECONDS
    return status, korean_error(payload), headers


def swap_not_found(status, payload, path):
    """D4 Tolerate: 200 [] where the default says 400 ID_INVALID, and the reverse."""
    if payload.get("error_code") == "ID_INVALID":
        return 200, {"code": "0x00", "error_code": "SUCCESS", "message": "", "result": [], "count": 0}
    if payload.get("error_code") == "SUCCESS" and payload.get("result") == []:
        return 400, {"code": ERROR_CODES["ID_INVALID"], "error_code": "ID_INVALID", "message": "not found: %s" % path,
                     "result": "error"}
    return status, payload


def korean_error(payload):
    """D4 Tolerate: Korean message text, `result` an object with a nested numeric code."""
    message = KOREAN.get(payload.get("error_code"), KOREAN_OTHER)
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
