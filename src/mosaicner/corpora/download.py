"""Download a registry corpus from its public source (standard library only).

Each file is streamed to ``<name>.part`` next to its destination, hashed while it is written,
checked against the registry's SHA-256 (and size), then renamed into place (``os.replace``), so an
interrupted or corrupt download never leaves a file that looks complete.  Files already present
with the right checksum are skipped unless ``force=True``.

Files without a public copy (GENIA-nested ``train.jsonlines``) are reported as ``unavailable``
with the note that says how to rebuild them; they never fail the other files.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mosaicner.corpora.registry import GITHUB_RAW, CorpusInfo, RemoteFile, find_corpus
from mosaicner.corpora.resolve import data_dir
from mosaicner.errors import DataError, MissingFileError, UnknownComponentError

CHUNK = 1 << 16

#: progress(file, bytes_done, bytes_total_or_None)
Progress = Callable[[RemoteFile, int, int | None], None]


@dataclass
class DownloadReport:
    """What a download fetched, found up to date, or could not get (with why)."""

    corpus: str
    dest: Path
    downloaded: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already present and verified
    unavailable: list[tuple[str, str]] = field(default_factory=list)  # (file, how to get it)
    bytes: int = 0

    @property
    def complete(self) -> bool:
        """Whether every file of the corpus is now present."""
        return not self.unavailable


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def _fetch(
    url: str, target: Path, spec: RemoteFile, progress: Progress | None, timeout: float
) -> int:
    part = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.sha256()
    done = 0
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else spec.size
            with part.open("wb") as out:
                while True:
                    chunk = resp.read(CHUNK)
                    if not chunk:
                        break
                    out.write(chunk)
                    h.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(spec, done, total)
                out.flush()
                os.fsync(out.fileno())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        part.unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        raise MissingFileError(
            f"could not download {url}: {reason}",
            file=str(target),
            hint="check the network, or mirror the files and pass --url-base",
        ) from None
    digest = h.hexdigest()
    if spec.sha256 is not None and digest != spec.sha256:
        part.unlink(missing_ok=True)
        raise DataError(
            f"checksum mismatch for {url}: got sha256 {digest} ({done} bytes)",
            file=str(target),
            expected=f"sha256 {spec.sha256}" + (f" ({spec.size} bytes)" if spec.size else ""),
            hint="the source changed or the download was corrupted; nothing was written",
        )
    os.replace(part, target)
    return done


def download_corpus(
    name: str | CorpusInfo,
    dest: str | Path | None = None,
    *,
    url_base: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> DownloadReport:
    """Download ``name`` into ``dest/<name>/`` (``dest`` defaults to the data directory).

    ``url_base`` replaces ``https://raw.githubusercontent.com/`` (a mirror with the same layout,
    e.g. ``file:///srv/mirror``).
    """
    info = name if isinstance(name, CorpusInfo) else find_corpus(name)
    if info is None:
        from mosaicner.corpora.registry import CORPORA

        raise UnknownComponentError.for_name("corpus", str(name), CORPORA)
    root = data_dir(dest) / info.folder
    report = DownloadReport(info.name, root)
    base = url_base or GITHUB_RAW
    for spec in info.files:
        target = root / spec.local
        url = spec.url(base)
        if (
            target.is_file()
            and not force
            and (spec.sha256 is None or sha256_file(target) == spec.sha256)
        ):
            report.skipped.append(spec.local)
            continue
        if url is None:
            report.unavailable.append((spec.local, spec.note or "no public source"))
            continue
        report.bytes += _fetch(url, target, spec, progress, timeout)
        report.downloaded.append(spec.local)
    return report


__all__ = ["DownloadReport", "download_corpus", "sha256_file"]
