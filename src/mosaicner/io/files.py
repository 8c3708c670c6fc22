"""Atomic output files: every writer of :mod:`mosaicner.io` writes through :func:`atomic_open`.

The data go to a temporary file in the target's folder (``.<name>.<random>.tmp``), which is
flushed, fsynced and then renamed over the target with :func:`os.replace` (atomic on POSIX and
Windows when both are on one file system).  A process killed mid-way therefore leaves either
the old target or the new one, never half a file (at most a hidden temporary file next to it).
A writer that raises removes its temporary file and leaves the target untouched.

Text is UTF-8, written exactly as given (``newline=""``: no line-end translation).  A string
that UTF-8 cannot encode (a lone surrogate such as ``"\\ud83d"``) raises
:class:`~mosaicner.errors.UnrepresentableError` instead of a ``UnicodeEncodeError``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from mosaicner.errors import UnrepresentableError

_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        old = os.umask(0o022)
        os.umask(old)
        _UMASK = old
    return _UMASK


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _bad_text(path: Path, exc: UnicodeEncodeError) -> UnrepresentableError:
    bad = exc.object[exc.start : exc.end] if isinstance(exc.object, str) else ""
    code = f"U+{ord(bad[0]):04X}" if bad else "a character"
    return UnrepresentableError(
        f"the output holds {code}, which UTF-8 cannot encode (a lone surrogate)",
        file=path,
        expected="valid Unicode text",
        hint="remove or replace lone surrogates in the input documents",
    )


@contextlib.contextmanager
def atomic_open(path: str | Path) -> Iterator[IO[str]]:
    """Open ``path`` for writing UTF-8 text; it appears only when the block ends normally."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    tmp = Path(tmp_name)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            try:
                yield fh
            except UnicodeEncodeError as exc:
                raise _bad_text(p, exc) from None
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(p.parent)


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (see :func:`atomic_open`)."""
    with atomic_open(path) as fh:
        fh.write(text)


#: longest file-name stem (in UTF-8 bytes) the writers of folder formats use
MAX_NAME_BYTES = 200


def file_name(stem: str) -> str:
    """A file-name stem for a document id: NUL and path separators replaced, and ids longer
    than :data:`MAX_NAME_BYTES` UTF-8 bytes cut, with a hash of the full id appended."""
    name = stem.replace("\x00", "_").replace("/", "_").replace("\\", "_") or "document"
    if name in (".", ".."):
        name = name.replace(".", "_")
    raw = name.encode("utf-8", "backslashreplace")  # a lone surrogate becomes \\udXXX
    name = raw.decode("utf-8")
    if len(raw) <= MAX_NAME_BYTES:
        return name
    digest = hashlib.sha1(raw).hexdigest()[:12]
    cut = raw[: MAX_NAME_BYTES - 13].decode("utf-8", "ignore")
    return f"{cut}-{digest}"


__all__ = ["MAX_NAME_BYTES", "atomic_open", "file_name", "write_text_atomic"]
