"""Write a file atomically and durably, and sweep the temporaries a killed writer left behind.

``atomic_write(path, data)`` never leaves a half-written file under ``path``: a reader sees
either the previous file or the complete new one, even when the writer is killed (SIGKILL) or
the disk fills up mid-write. The steps, each there for a reason:

1. The bytes go to a new temporary file *in the same folder* as ``path`` (``os.replace`` is
   atomic only within one file system). It is created with mode ``0o666``, so the umask gives
   the usual permissions (``tempfile.mkstemp`` would give ``0o600``).
2. ``os.fsync`` of the temporary file: its bytes reach the disk before its name does.
3. ``os.replace`` onto ``path``: the switch is atomic (POSIX ``rename``).
4. ``os.fsync`` of the folder: the rename itself survives a power loss.

On any error the temporary file is removed, ``path`` is untouched, and the ``OSError`` is
raised again with the same errno (so ``PermissionError`` stays a ``PermissionError``) and a
message naming the file and the fix. Only SIGKILL or a power loss can leave a temporary file
behind. Its name records the writer's process id, e.g.
``.last.safetensors.glassnet-4242-1a2b3c4d.tmp`` (hidden, target name, pid, random part), so
``sweep_stale_temporaries(folder)`` can remove it once that process has ended.

Example:
    >>> import json, pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(folder / "config.json", json.dumps({"lr": 0.001}))
    >>> json.loads((folder / "config.json").read_text())
    {'lr': 0.001}
    >>> sorted(p.name for p in folder.iterdir())  # no temporary file is left
    ['config.json']
"""

import errno
import os
import re
import secrets
from pathlib import Path

# The target name is cut to this many characters inside the temporary name, so that a long
# file name does not push the temporary name past the file system's 255-byte limit.
_NAME_CHARS_IN_TEMP = 100
_CREATE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
_TEMP_NAME = re.compile(r"^\..*\.glassnet-(\d+)-[0-9a-f]{8}\.tmp$", re.DOTALL)

_HINTS = {
    errno.ENOSPC: "The disk is full: free some space or write to another disk.",
    errno.EDQUOT: "The disk quota is exceeded: free some space or write elsewhere.",
    errno.EACCES: "Permission denied: check the folder's permissions or choose another folder.",
    errno.EPERM: "Operation not permitted: check the folder's permissions or choose another.",
    errno.EROFS: "The file system is read-only: choose a writable folder.",
    errno.ENOENT: "The folder does not exist: create it first, "
    "e.g. Path(folder).mkdir(parents=True).",
    errno.ENOTDIR: "A part of the path is a file, not a folder: choose another path.",
    errno.EISDIR: "The path is a folder: give a file name inside it.",
    errno.EFBIG: "The file is larger than the file system or the file-size limit (ulimit -f) "
    "allows: raise the limit or write to another disk.",
    errno.ENAMETOOLONG: "A file or folder name is too long: choose a shorter one.",
}


def atomic_write(path, data: bytes | str) -> None:
    """Write ``data`` to the file ``path`` atomically and durably (see the module docstring).

    Args:
        path: the file to create or replace; its folder must exist.
        data: the new content; a ``str`` is encoded as UTF-8.

    Raises:
        TypeError: ``data`` is neither bytes nor str.
        OSError: the file cannot be written (disk full, permission denied, missing folder,
            ...), with the original errno and a message naming the file and the fix. The
            previous file at ``path``, if any, is unchanged and no temporary file is left.
    """
    _atomic_write(path, data, where="atomic_write")


def _atomic_write(path, data, *, where: str) -> None:
    """``atomic_write`` with ``where`` (the public caller's name) leading its error messages."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(
            f"{where}: expected the data to write as bytes or str, but got "
            f"{type(data).__name__}. Serialize it first, e.g. json.dumps(obj)."
        )
    path = Path(path)
    temp = path.parent / _temp_name(path.name)
    try:
        fd = os.open(temp, _CREATE_FLAGS, 0o666)
    except OSError as exc:
        raise _write_error(where, path, exc) from exc
    try:
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException as exc:
        _remove_if_present(temp)
        if isinstance(exc, OSError):
            raise _write_error(where, path, exc) from exc
        raise
    _fsync_folder(path.parent)


def sweep_stale_temporaries(folder) -> list[Path]:
    """Remove the temporary files that killed writers left in ``folder``; return their paths.

    A temporary file is stale when the process that wrote it (its pid is in the name) is no
    longer running. Files of running writers, this process's included, are kept, so a sweep
    never breaks a save in progress. A killed child process counts as running until its
    parent has waited for it (a zombie keeps its pid). On Windows, where a pid cannot be
    probed safely, nothing is removed.

    Args:
        folder: the folder to sweep (not recursive); a missing folder has nothing to sweep.

    Returns:
        The removed paths, sorted.

    Example:
        >>> import pathlib, tempfile
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> sweep_stale_temporaries(folder)
        []
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for entry in folder.iterdir():
        match = _TEMP_NAME.match(entry.name)
        stale = match and entry.is_file() and not _writer_is_running(int(match.group(1)))
        if stale and _remove_if_present(entry):
            removed.append(entry)
    return sorted(removed)


def _temp_name(name: str) -> str:
    return f".{name[:_NAME_CHARS_IN_TEMP]}.glassnet-{os.getpid()}-{secrets.token_hex(4)}.tmp"


def _write_all(fd: int, data) -> None:
    """Write every byte (``os.write`` may write fewer than asked, e.g. past 2 GiB)."""
    view = memoryview(data).cast("B")
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_folder(folder: Path) -> None:
    # NOTE: Windows cannot open a folder for fsync; NTFS journals the rename itself.
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # a folder we may write but not read (mode 0o300): the rename is done anyway
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # file systems without folder fsync
            raise
    finally:
        os.close(fd)


def _writer_is_running(pid: int) -> bool:
    if pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)  # signal 0: only checks that the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists but belongs to another user
    return True


def _remove_if_present(path: Path) -> bool:
    try:
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _write_error(where: str, path: Path, exc: OSError) -> OSError:
    hint = _HINTS.get(exc.errno, "")
    reason = exc.strerror or str(exc)
    message = f"{where}: could not write {path}: {reason}. {hint} "
    message += f"Any previous file at {path} is unchanged."
    message = message.replace("  ", " ")
    if exc.errno is None:
        return OSError(message)
    # OSError(errno, message) becomes the matching subclass (PermissionError, ...).
    return OSError(exc.errno, message)
