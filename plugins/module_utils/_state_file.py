# -*- coding: utf-8 -*-
# Copyright: (c) 2026, iwinv.cloud contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small JSON state the collection keeps on the controller, safe on a shared machine.

    state = StateFile("pacer", api_url, access_key, warn=display.warning)
    with state.locked() as data:       # a dict, under an exclusive lock shared by every process of this user
        data["log"] = []               # written back when the block ends without an exception

- One file per (purpose, api_url, access_key): <cache dir>/<purpose>-<sha256 digest>.json, where the cache dir
  is $XDG_CACHE_HOME/iwinv.cloud or ~/.cache/iwinv.cloud (0700). Neither the access key nor the URL appears in
  the name. The content is the caller's: never put a secret in it.
- The directory must be a real directory (not a symlink) owned by this user and not group/world-writable;
  the file is opened relative to it without following symlinks or blocking, and must be a regular file owned
  by this user, with one link and no access for group/others (created 0600).
- The lock is a non-blocking flock polled up to `lock_timeout` seconds.
- Reads are bounded (`max_bytes`); content that is not a JSON object is replaced by {} with a warning. The
  values in it are still untrusted: callers bound what they use.
- Any failure (a check above, no flock, a full disk, an unwritable directory) switches this object to a dict in
  memory for the rest of the process, with ONE warning through `warn`; it never raises.

PRIVATE: internal to the iwinv.cloud collection, not a public API; it may change in any release without notice.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import stat
import time

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows controllers are not supported by Ansible
    fcntl = None

DEFAULT_MAX_BYTES = 64 * 1024
DEFAULT_LOCK_TIMEOUT = 5.0
LOCK_POLL_INTERVAL = 0.01
PURPOSE = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class StateFileError(Exception):
    """Internal: why the file cannot be used (turned into the one warning)."""


def default_cache_dir():
    """The per-user cache directory of the collection (XDG_CACHE_HOME or ~/.cache)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "iwinv.cloud")


def state_file_name(purpose, api_url, access_key):
    """The file name for one purpose, API and key: a digest, so that neither shows on disk."""
    if not PURPOSE.fullmatch(purpose or ""):
        raise ValueError("invalid state file purpose %r" % (purpose,))
    digest = hashlib.sha256(("%s\n%s\n%s" % (purpose, api_url, access_key)).encode("utf-8")).hexdigest()[:24]
    return "%s-%s.json" % (purpose, digest)


class StateFile:
    """A locked, bounded JSON dict on disk for one (purpose, api_url, access_key); see the module docstring."""

    def __init__(self, purpose, api_url, access_key, directory=None, max_bytes=DEFAULT_MAX_BYTES,
                 lock_timeout=DEFAULT_LOCK_TIMEOUT, warn=None, clock=time.monotonic, sleep=time.sleep):
        self.purpose = purpose
        self.directory = directory or default_cache_dir()
        self.name = state_file_name(purpose, api_url, access_key)
        self.path = os.path.join(self.directory, self.name)
        self.max_bytes = max_bytes
        self.lock_timeout = lock_timeout
        self.warn = warn
        self.clock = clock
        self.sleep = sleep
        self.memory = None  # the in-process dict once the file failed
        self.warned = False

    @property
    def persistent(self):
        """False once this object fell back to memory."""
        return self.memory is None

    @contextlib.contextmanager
    def locked(self):
        """Yield the state dict under the lock; write it back when the block ends without an exception."""
        if self.memory is not None:
            yield self.memory
            return
        try:
            fd = self._open()
        except (OSError, StateFileError) as exc:
            yield self._fall_back(exc, {})
            return
        try:
            data = self._read(fd)
        except OSError as exc:
            os.close(fd)
            yield self._fall_back(exc, {})
            return
        try:
            yield data
            try:
                self._write(fd, data)
            except (OSError, StateFileError) as exc:
                self._fall_back(exc, data)
        finally:
            os.close(fd)  # closing releases the lock

    # --- opening -----------------------------------------------------------------------------------

    def _open(self):
        dir_fd = self._open_directory()
        try:
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(self.name, flags, 0o600, dir_fd=dir_fd)
        finally:
            os.close(dir_fd)
        try:
            st = os.fstat(fd)
            check_owned(st, "regular file", stat.S_ISREG, forbidden_mode=0o077)
            if st.st_nlink != 1:
                raise StateFileError("the file has %d hard links" % st.st_nlink)
            self._lock(fd)
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _open_directory(self):
        os.makedirs(os.path.dirname(self.directory) or ".", mode=0o700, exist_ok=True)
        with contextlib.suppress(FileExistsError):
            os.mkdir(self.directory, 0o700)
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        try:
            dir_fd = os.open(self.directory, flags)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise StateFileError("the directory is a symbolic link or not a directory") from exc
            raise
        try:
            check_owned(os.fstat(dir_fd), "directory", stat.S_ISDIR, forbidden_mode=0o022)
        except BaseException:
            os.close(dir_fd)
            raise
        return dir_fd

    def _lock(self, fd):
        if fcntl is None:
            raise StateFileError("file locking (fcntl) is not available")
        deadline = self.clock() + self.lock_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK) or self.clock() >= deadline:
                    raise StateFileError("cannot lock it (%s)" % (exc.strerror or exc)) from exc
            self.sleep(LOCK_POLL_INTERVAL)

    # --- content -----------------------------------------------------------------------------------

    def _read(self, fd):
        raw = os.read(fd, self.max_bytes + 1)
        if not raw:
            return {}
        try:
            if len(raw) > self.max_bytes:
                raise ValueError("larger than %d bytes" % self.max_bytes)
            data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
        except (ValueError, RecursionError) as exc:
            self._warn_once("%s: ignored its content (%s) and started afresh" % (self.path, exc))
            return {}
        return data

    def _write(self, fd, data):
        try:
            encoded = json.dumps(data, allow_nan=False, sort_keys=True).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise StateFileError("the state is not plain JSON (%s)" % exc) from exc
        if len(encoded) > self.max_bytes:
            raise StateFileError("the state grew beyond %d bytes" % self.max_bytes)
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        view = memoryview(encoded)
        while view:
            written = os.write(fd, view)
            view = view[written:]

    # --- falling back ------------------------------------------------------------------------------

    def _fall_back(self, exc, data):
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
            reason = "it is a symbolic link"
        self._warn_once("cannot use the state file %s (%s): the %s state is kept in this process only"
                        % (self.path, reason, self.purpose))
        self.memory = data
        return data

    def _warn_once(self, message):
        if self.warned:
            return
        self.warned = True
        if self.warn is not None:
            self.warn("iwinv.cloud: " + message)


def check_owned(st, what, is_kind, forbidden_mode):
    """Raise StateFileError unless `st` is of the right kind, this user's, and without the forbidden mode bits."""
    if not is_kind(st.st_mode):
        raise StateFileError("the path is not a %s" % what)
    if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
        raise StateFileError("the %s belongs to another user (uid %d)" % (what, st.st_uid))
    if st.st_mode & forbidden_mode:
        raise StateFileError("the %s is accessible to other users (mode %04o)" % (what, stat.S_IMODE(st.st_mode)))


def _reject_constant(name):
    raise ValueError("%s is not a number" % name)


# --- a file the user names ------------------------------------------------------------------------

def check_private_file_target(path):
    """Raise StateFileError unless `path` can take write_private_file(): its directory exists, and the path is
    absent or a regular file of this user (never a symbolic link). For a clear error before any other work."""
    directory, name = os.path.split(os.path.abspath(path))
    if not name or not os.path.isdir(directory):
        raise StateFileError("%s is not a directory" % (directory or path))
    with contextlib.suppress(FileNotFoundError):
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            raise StateFileError("it is a symbolic link")
        check_owned(st, "regular file", stat.S_ISREG, forbidden_mode=0)


def write_private_file(path, content, max_bytes=DEFAULT_MAX_BYTES, check_mode=False):
    """Write `content` (bytes) to `path`, owner-only (0600) and never through a symbolic link; True when it changed.

    The directory is the user's choice and may be shared (/tmp): the content goes to a new file created beside the
    target (O_EXCL, O_NOFOLLOW), which is then renamed over it; a rename replaces a link planted meanwhile instead
    of following it. An existing target that is a symbolic link, not a regular file or another user's is refused
    (StateFileError). An unchanged file is left alone; in check mode nothing is written.
    """
    check_private_file_target(path)
    directory, name = os.path.split(os.path.abspath(path))
    dir_fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if _read_private(dir_fd, name, max_bytes) == content:
            return False
        if not check_mode:
            _replace(dir_fd, name, content)
        return True
    finally:
        os.close(dir_fd)


def _read_private(dir_fd, name, max_bytes):
    """The current content (bounded), or None when there is none."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(name, flags, dir_fd=dir_fd)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise StateFileError("it is a symbolic link") from exc
        raise
    try:
        check_owned(os.fstat(fd), "regular file", stat.S_ISREG, forbidden_mode=0)
        return os.read(fd, max_bytes + 1)
    finally:
        os.close(fd)


def _replace(dir_fd, name, content):
    temporary = ".%s.%s.tmp" % (name, os.urandom(6).hex())
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(temporary, flags, 0o600, dir_fd=dir_fd)
    try:
        view = memoryview(content)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(temporary, dir_fd=dir_fd)
        raise
    os.close(fd)
    os.replace(temporary, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
