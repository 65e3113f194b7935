"""Writing an output file all at once: into a temporary file in the same directory, renamed over the target only
when it is complete.

A report that fails half way (a full disk, an interrupted run) leaves the previous file untouched instead of a
truncated one, and a reader never sees a partial file. The rename is atomic on POSIX and Windows when source and
target are on the same file system, which the same directory guarantees. A target that exists and is neither a
regular file nor a directory (``/dev/null``, ``/dev/stdout``, a FIFO such as a shell's ``>(...)``) is written in place:
there is no file to replace, and a rename would swap the device for a regular file (as root, ``-o /dev/null`` would
otherwise break ``/dev/null`` for the whole machine). This module imports nothing of trustgraph, so the graph
exporter and the CLI both use it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path


def _final_mode(target: Path) -> int:
    """The permission bits the file gets: the replaced file's, or what ``open()`` would give a new file."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _is_stream(target: Path) -> bool:
    """Whether ``target`` exists (symbolic links followed) as something other than a regular file or a directory."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary path beside ``path`` to write to; renamed to ``path`` when the block ends without an error,
    removed when it raises. For a device or FIFO ``path``, the path itself (see the module docstring).

    For writers that take a file name (matplotlib's ``savefig``, networkx's ``write_graphml``). The temporary name
    keeps the target's extension, since some writers choose their format from it.

    Raises
    ------
    OSError
        When the directory cannot take the temporary file, the writer fails, or the rename fails (the target is
        then unchanged).
    """
    target = Path(path)
    if _is_stream(target):
        yield str(target)
        return
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=f".{target.name}.",
                               suffix=f".tmp{target.suffix}")
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:  # the writer may have closed it without syncing
            os.fsync(fh.fileno())
        os.chmod(tmp, _final_mode(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_atomic(path: str | os.PathLike[str], data: str | bytes | Iterable[str], *, encoding: str = "utf-8") -> None:
    """Write ``data`` (text is encoded, newlines kept as they are) to ``path`` through :func:`atomic_path`.

    ``data`` may be text in pieces (an iterable of ``str``): each is encoded and written as it comes, so a long
    report made piece by piece is never held whole, as text or as bytes. Whatever the pieces' maker raises leaves
    ``path`` as it was (the temporary file is removed)."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        if isinstance(data, (str, bytes)):
            fh.write(data.encode(encoding) if isinstance(data, str) else data)
        else:
            for piece in data:
                fh.write(piece.encode(encoding))
        fh.flush()


__all__ = ["atomic_path", "write_atomic"]
