# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The safe state-file helper: every hostile or broken situation ends in memory state with one warning."""

from __future__ import annotations

import errno
import json
import os
import stat

import pytest

from ansible_collections.iwinv.cloud.plugins.module_utils import _state_file as state_mod
from ansible_collections.iwinv.cloud.plugins.module_utils._state_file import StateFile, default_cache_dir

from security_figures import record


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A temporary HOME with no XDG_CACHE_HOME: the helper's default directory lives under it."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    return tmp_path


def make_state(warnings, **kwargs):
    return StateFile("pacer", "https://api.test", "my-access-key", warn=warnings.append, **kwargs)


def use_twice(state):
    """Two locked uses: the second must see what the first stored, on disk or in memory."""
    with state.locked() as data:
        data["n"] = data.get("n", 0) + 1
    with state.locked() as data:
        data["n"] += 1
        return data["n"]


def assert_fell_back(state, warnings, words):
    assert not state.persistent
    assert len(warnings) == 1 and words in warnings[0], warnings


def record_refused(what):
    record("state file (pacer): %s" % what, "refused: in-process state, one warning, nothing written through it", 0)


# --- the normal case -------------------------------------------------------------------------------

def test_state_persists_in_an_owner_only_file_under_the_users_cache(home):
    warnings = []
    state = make_state(warnings)
    assert use_twice(state) == 2
    assert os.path.dirname(state.path) == str(home / ".cache" / "iwinv.cloud") == default_cache_dir()
    assert stat.S_IMODE(os.stat(os.path.dirname(state.path)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(state.path).st_mode) == 0o600
    with open(state.path, encoding="utf-8") as handle:
        assert json.load(handle) == {"n": 2}
    # A new object (another process) reads the same file.
    assert use_twice(make_state(warnings)) == 4
    assert warnings == [] and state.persistent


def test_file_name_shows_neither_key_nor_url_and_differs_per_api(home):
    first = make_state([])
    other_api = StateFile("pacer", "http://127.0.0.1:8080", "my-access-key")
    other_purpose = StateFile("journal", "https://api.test", "my-access-key")
    assert len({first.path, other_api.path, other_purpose.path}) == 3
    for state in (first, other_api, other_purpose):
        assert "my-access-key" not in state.path and "api.test" not in state.path and "127.0.0.1" not in state.path


def test_xdg_cache_home_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert make_state([]).path.startswith(str(tmp_path / "xdg" / "iwinv.cloud") + os.sep)


@pytest.mark.parametrize("purpose", ["", "Pacer", "../x", "a/b", "x" * 40, None])
def test_invalid_purpose_is_a_programming_error(purpose):
    with pytest.raises(ValueError):
        StateFile(purpose, "https://api.test", "key")


def test_an_exception_in_the_block_writes_nothing(home):
    state = make_state([])
    with state.locked() as data:
        data["n"] = 1
    with pytest.raises(RuntimeError):
        with state.locked() as data:
            data["n"] = 99
            raise RuntimeError("caller failed")
    with state.locked() as data:
        assert data == {"n": 1}


def test_an_oserror_of_the_caller_is_not_swallowed(home):
    state = make_state([])
    with pytest.raises(OSError):
        with state.locked():
            raise OSError(errno.EIO, "the caller's own failure")
    assert state.persistent


# --- hostile paths ---------------------------------------------------------------------------------

@pytest.mark.parametrize("make_link, words", [(os.symlink, "symbolic link"), (os.link, "2 hard links")],
                         ids=["symlink", "hard link"])
def test_a_link_at_the_path_is_refused_and_its_target_untouched(home, make_link, words):
    warnings = []
    state = make_state(warnings)
    os.makedirs(os.path.dirname(state.path), mode=0o700)
    target = home / "precious.json"
    target.write_text('{"n": 41}')
    os.chmod(str(target), 0o600)
    make_link(str(target), state.path)
    assert use_twice(state) == 2
    assert target.read_text() == '{"n": 41}'
    assert_fell_back(state, warnings, words)
    record_refused("a %s at its path" % words.replace("2 ", "").rstrip("s"))


def test_symlinked_cache_directory_is_refused(home):
    warnings = []
    elsewhere = home / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    (home / ".cache").mkdir()
    os.symlink(str(elsewhere), str(home / ".cache" / "iwinv.cloud"))
    state = make_state(warnings)
    assert use_twice(state) == 2
    assert os.listdir(str(elsewhere)) == []
    assert_fell_back(state, warnings, "symbolic link")
    record_refused("its directory a symlink")


def test_fifo_at_the_path_does_not_block(home):
    warnings = []
    state = make_state(warnings)
    os.makedirs(os.path.dirname(state.path), mode=0o700)
    os.mkfifo(state.path, 0o600)
    assert use_twice(state) == 2
    assert_fell_back(state, warnings, "not a regular file")
    record_refused("a FIFO at its path")


@pytest.mark.parametrize("mode", [0o770, 0o777, 0o720, 0o702])
def test_group_or_world_writable_directory_is_refused(home, mode):
    warnings = []
    state = make_state(warnings)
    os.makedirs(os.path.dirname(state.path))
    os.chmod(os.path.dirname(state.path), mode)
    assert use_twice(state) == 2
    assert not os.path.exists(state.path)
    assert_fell_back(state, warnings, "accessible to other users")
    record_refused("a group- or world-writable directory")


def test_file_readable_by_others_is_refused(home):
    warnings = []
    state = make_state(warnings)
    use_twice(state)
    os.chmod(state.path, 0o644)
    state = make_state(warnings)
    use_twice(state)
    assert_fell_back(state, warnings, "accessible to other users (mode 0644)")


@pytest.mark.parametrize("what", ["directory", "file"])
def test_foreign_owner_is_refused(home, monkeypatch, what):
    warnings = []
    state = make_state(warnings)
    use_twice(state)
    real_fstat = os.fstat

    def fstat_as_another_user(fd):
        result = real_fstat(fd)
        if stat.S_ISDIR(result.st_mode) == (what == "directory"):
            values = list(result)
            values[stat.ST_UID] = result.st_uid + 4242
            return os.stat_result(values)
        return result

    monkeypatch.setattr(state_mod.os, "fstat", fstat_as_another_user)
    state = make_state(warnings)
    assert use_twice(state) == 2
    assert_fell_back(state, warnings, "belongs to another user")
    record_refused("a directory or file of another user")


# --- hostile content -------------------------------------------------------------------------------

@pytest.mark.parametrize("content", [
    b"[]", b'"a string"', b"42", b"null", b"{not json", b"\xff\xfe garbage", b'{"n": NaN}', b'{"n": Infinity}',
    b"[" * 100000, b'{"pad": "' + b"x" * (70 * 1024) + b'"}',
])
def test_garbage_content_starts_afresh_with_one_warning(home, content):
    warnings = []
    state = make_state(warnings)
    os.makedirs(os.path.dirname(state.path), mode=0o700)
    fd = os.open(state.path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, content)
    os.close(fd)
    assert use_twice(state) == 2
    assert len(warnings) == 1 and "ignored its content" in warnings[0]
    assert state.persistent  # the file healed
    with open(state.path, encoding="utf-8") as handle:
        assert json.load(handle) == {"n": 2}


def test_state_too_large_to_write_stays_in_memory(home):
    warnings = []
    state = make_state(warnings, max_bytes=100)
    with state.locked() as data:
        data["pad"] = "x" * 200
    with state.locked() as data:
        assert data["pad"] == "x" * 200
    assert_fell_back(state, warnings, "beyond 100 bytes")


# --- a broken controller ---------------------------------------------------------------------------

def raising(error_number, text):
    def fail(*args, **kwargs):
        raise OSError(error_number, text)
    return fail


def read_only_file_system(monkeypatch):
    monkeypatch.setattr(state_mod.os, "mkdir", raising(errno.EROFS, "Read-only file system"))
    monkeypatch.setattr(state_mod.os, "makedirs", raising(errno.EROFS, "Read-only file system"))


@pytest.mark.parametrize("break_it, words", [
    (lambda mp: mp.setattr(state_mod.fcntl, "flock", raising(errno.ENOLCK, "No locks available")), "No locks available"),
    (lambda mp: mp.setattr(state_mod, "fcntl", None), "not available"),
    (lambda mp: mp.setattr(state_mod.os, "write", raising(errno.ENOSPC, "No space left on device")), "No space left"),
    (read_only_file_system, "Read-only file system"),
], ids=["flock fails (NFS)", "no fcntl", "full disk", "read-only cache directory"])
def test_a_broken_controller_falls_back_and_keeps_the_state(home, monkeypatch, break_it, words):
    break_it(monkeypatch)
    warnings = []
    state = make_state(warnings)
    assert use_twice(state) == 2
    assert_fell_back(state, warnings, words)


def test_lock_held_too_long_falls_back_after_the_timeout(home):
    import fcntl

    warnings = []
    holder = make_state(warnings)
    use_twice(holder)
    fd = os.open(holder.path, os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        now = [0.0]
        state = make_state(warnings, lock_timeout=2.0, clock=lambda: now[0],
                           sleep=lambda seconds: now.__setitem__(0, now[0] + seconds))
        assert use_twice(state) == 2
        assert 2.0 <= now[0] < 2.1
    finally:
        os.close(fd)
    assert_fell_back(state, warnings, "cannot lock it")


def test_one_warning_however_many_uses_and_no_secret_in_it(home, monkeypatch):
    monkeypatch.setattr(state_mod, "fcntl", None)
    warnings = []
    state = make_state(warnings)
    for _use in range(20):
        use_twice(state)
    assert len(warnings) == 1
    assert "my-access-key" not in warnings[0]


# --- a file the user names (write_private_file) ----------------------------------------------------

def test_a_named_file_is_written_owner_only_and_only_when_it_changes(tmp_path):
    path = tmp_path / "out.json"
    assert state_mod.write_private_file(str(path), b"one", check_mode=True) is True and not path.exists()
    assert state_mod.write_private_file(str(path), b"one") is True
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and path.read_bytes() == b"one"
    inode = os.stat(path).st_ino
    assert state_mod.write_private_file(str(path), b"one") is False and os.stat(path).st_ino == inode
    assert state_mod.write_private_file(str(path), b"two") is True and path.read_bytes() == b"two"
    assert os.listdir(tmp_path) == ["out.json"]


@pytest.mark.parametrize("make", ["link", "fifo", "directory", "no directory"])
def test_a_named_path_that_is_no_regular_file_is_refused_and_nothing_written_through_it(tmp_path, make):
    target, path = tmp_path / "target", tmp_path / "out.json"
    target.write_bytes(b"keep")
    if make == "link":
        path.symlink_to(target)
    elif make == "fifo":
        os.mkfifo(path)
    elif make == "directory":
        path.mkdir()
    else:
        path = tmp_path / "none" / "out.json"
    with pytest.raises(state_mod.StateFileError):
        state_mod.write_private_file(str(path), b"new")
    assert target.read_bytes() == b"keep"


def test_a_link_planted_after_the_check_is_replaced_not_followed(tmp_path, monkeypatch):
    target, path = tmp_path / "target", tmp_path / "out.json"
    target.write_bytes(b"keep")
    real_check = state_mod.check_private_file_target

    def check_then_plant(name):
        real_check(name)
        if not os.path.lexists(name):
            os.symlink(str(target), name)   # the race: a link appears between the check and the write

    monkeypatch.setattr(state_mod, "check_private_file_target", check_then_plant)
    with pytest.raises(state_mod.StateFileError, match="symbolic link"):
        state_mod.write_private_file(str(path), b"new")
    assert target.read_bytes() == b"keep"


def test_a_named_file_of_another_user_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "out.json"
    path.write_bytes(b"theirs")
    monkeypatch.setattr(state_mod.os, "geteuid", lambda: os.getuid() + 4242)
    with pytest.raises(state_mod.StateFileError, match="another user"):
        state_mod.write_private_file(str(path), b"new")
    assert path.read_bytes() == b"theirs"
