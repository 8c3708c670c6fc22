"""Find a corpus on disk: by registry name in the data directory, or by any path.

* ``NAME``: a registry corpus (case-insensitive, aliases) in the data directory, or any folder
  or file path relative to the data directory (``BC5CDR/test.tsv``);
* a corpus directory: split files named train / dev|devel|valid|validation / test with a
  ``.tsv``/``.conll``/``.iob``/``.iob2``/``.bio`` (column format), ``.jsonl``/``.jsonlines``
  (JSON Lines; GENIA-style when the records have ``entity_mentions``), ``.xml`` (BioC XML),
  ``.json`` (BioC JSON), ``.pubtator``, ``.actions`` or ``.txt`` suffix (where the suffix is
  ambiguous the content decides: :func:`mosaicner.io.detect.detect_format`), or split
  sub-folders of BRAT files; the corpus is named by the folder; split names are normalised
  (``devel`` → ``dev``);
* a folder of BRAT files (``*.ann``): one split, ``all``;
* a single file: one split, named by the file stem when it is a split name (else ``all``).

The data directory is ``$MOSAICNER_DATA`` (the CLI's ``--data-dir`` sets it), else
``$XDG_DATA_HOME/mosaicner/corpora`` (``~/.local/share/mosaicner/corpora``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from mosaicner.corpora.registry import CorpusInfo, close_matches, find_corpus
from mosaicner.errors import (
    ConfigError,
    MissingFileError,
    MissingSplitError,
    UnknownComponentError,
)

SPLITS = ("train", "dev", "test")
SPLIT_ALIASES = {
    "train": "train",
    "training": "train",
    "dev": "dev",
    "devel": "dev",
    "development": "dev",
    "valid": "dev",
    "validation": "dev",
    "val": "dev",
    "test": "test",
    "testing": "test",
}
COLUMN_SUFFIXES = (".tsv", ".conll", ".iob", ".iob2", ".bio", ".bioes")
JSONL_SUFFIXES = (".jsonl", ".jsonlines")
SPLIT_FILE_SUFFIXES = (
    *COLUMN_SUFFIXES,
    *JSONL_SUFFIXES,
    ".xml",
    ".json",
    ".pubtator",
    ".actions",
    ".txt",  # format by content: PubTator, CoNLL, ... or plain text
)
SUFFIX_FORMATS = {
    **dict.fromkeys(COLUMN_SUFFIXES, "conll"),
    ".xml": "bioc-xml",
    ".json": "bioc-json",
    ".pubtator": "pubtator",
    ".actions": "actions",
    ".txt": "text",
}


def normalise_split(name: str) -> str:
    """``devel`` → ``dev`` and the like; unknown names come back unchanged."""
    return SPLIT_ALIASES.get(name.lower(), name)


def data_dir(explicit: str | Path | None = None) -> Path:
    """The corpora data directory (not required to exist)."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get("MOSAICNER_DATA")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(xdg) / "mosaicner" / "corpora"


def sniff_jsonl(path: Path) -> str:
    """``genia-jsonl`` when the first record has ``entity_mentions``, else ``jsonl``."""
    with path.open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                return "jsonl"  # the reader reports the bad line with its number
            if isinstance(record, dict) and "entity_mentions" in record:
                return "genia-jsonl"
            return "jsonl"
    return "jsonl"


def detect_format(path: Path) -> str:
    """The format of a corpus file or folder: its suffix, and its content where the suffix is
    ambiguous (see :func:`mosaicner.io.detect.detect_format`)."""
    from mosaicner.io.detect import detect_format as detect

    return detect(path)


@dataclass(frozen=True)
class ResolvedCorpus:
    """A corpus found on disk: its name, root, split files and format."""

    name: str
    root: Path
    files: dict[str, Path]  # split -> file, in train/dev/test order
    format: str
    info: CorpusInfo | None = None
    missing: tuple[str, ...] = field(default=())  # registry splits whose file is absent

    def path(self, split: str) -> Path:
        """The file of ``split``; a missing split is an error that says how to get it."""
        key = normalise_split(split)
        if key not in self.files:
            hint = None
            if self.info is not None and key in self.missing:
                note = next(
                    (f.note for f in self.info.files if f.split == key and f.note),
                    f"run: mosaicner corpora download {self.info.name}",
                )
                hint = note
            raise MissingSplitError(
                f"corpus {self.name!r} has no {key!r} split",
                file=self.root,
                expected="one of " + (", ".join(self.files) or "(no split files)"),
                hint=hint,
            )
        return self.files[key]


def _order(files: dict[str, Path]) -> dict[str, Path]:
    ordered = {s: files[s] for s in SPLITS if s in files}
    ordered.update({s: p for s, p in sorted(files.items()) if s not in ordered})
    return ordered


def scan_directory(root: Path) -> dict[str, Path]:
    """Split files of a corpus directory (``devel.tsv`` → ``dev``; ``train/`` of BRAT files)."""
    found: dict[str, Path] = {}
    for p in sorted(root.iterdir()):
        if p.is_file():
            split = SPLIT_ALIASES.get(p.stem.lower())
            if split is None or p.suffix.lower() not in SPLIT_FILE_SUFFIXES:
                continue
            if p.suffix.lower() == ".txt" and p.with_suffix(".ann").exists():
                continue  # a BRAT document that happens to be called train/dev/test
        elif p.is_dir():
            split = SPLIT_ALIASES.get(p.name.lower())
            if split is None or not any(p.glob("*.ann")):
                continue
        else:
            continue
        if split in found:
            raise ConfigError(
                f"two files for split {split!r} in {root}: {found[split].name} and {p.name}",
                hint="keep one file per split",
            )
        found[split] = p
    return _order(found)


def _from_directory(
    root: Path, info: CorpusInfo | None, name: str | None = None, format: str | None = None
) -> ResolvedCorpus:
    files = scan_directory(root)
    missing: tuple[str, ...] = ()
    label = name or root.name
    if info is not None:
        expected = {s: root / f for s, f in info.splits.items()}
        files = _order({s: p for s, p in expected.items() if p.is_file()} | files)
        missing = tuple(s for s in info.splits if s not in files)
        fmt = format or info.format
        if not files:
            raise MissingFileError(
                f"corpus {info.name!r}: none of its split files is in {root}",
                file=root,
                expected=", ".join(info.splits.values()),
                hint=f"run: mosaicner corpora download {info.name}",
            )
    elif files:
        formats = {format or detect_format(p) for p in files.values()}
        if len(formats) > 1:
            raise ConfigError(
                f"the split files of {root} have different formats: {', '.join(sorted(formats))}",
                hint="keep one format per corpus directory, or pass the format explicitly",
            )
        fmt = formats.pop()
    elif format is not None or any(root.glob("*.ann")):
        files, fmt = {"all": root}, format or "brat"  # one folder of documents (BRAT)
    else:
        raise MissingFileError(
            f"no split files in {root}",
            file=root,
            expected="train / dev|devel / test files ending in "
            + ", ".join(SPLIT_FILE_SUFFIXES)
            + " (or BRAT folders)",
        )
    return ResolvedCorpus(label, root, files, fmt, info, missing)


def resolve_corpus(
    name_or_path: str | Path, *, data_directory: str | Path | None = None, format: str | None = None
) -> ResolvedCorpus:
    """Find a corpus by registry name, data-directory folder, directory path or file path."""
    text = str(name_or_path)
    path = Path(text).expanduser()
    base = data_dir(data_directory)
    if path.exists():
        if path.is_dir():
            info = find_corpus(path.name)
            if info is not None and not any((path / f).is_file() for f in info.splits.values()):
                info = None  # a folder that happens to share a registry name
            return _from_directory(path, info, format=format)
        split = SPLIT_ALIASES.get(path.stem.lower())
        if split is not None:
            name = path.parent.name or path.stem
            info = find_corpus(path.parent.name)
        else:
            split, name, info = "all", path.stem, None
        fmt = format or (info.format if info is not None else detect_format(path))
        return ResolvedCorpus(name, path.parent, {split: path}, fmt, info)
    info = find_corpus(text)
    looks_like_path = "/" in text or "\\" in text or path.suffix.lower() in SUFFIX_FORMATS
    if info is None and looks_like_path and not (base / text).exists():
        raise MissingFileError(f"no such file or directory: {path}", file=path)
    if info is not None:
        root = base / info.folder
        if not root.is_dir():
            raise MissingFileError(
                f"corpus {info.name!r} is not in the data directory {base}",
                file=root,
                hint=f"run: mosaicner corpora download {info.name}, or point --data-dir / "
                "MOSAICNER_DATA at the folder that holds it",
            )
        return _from_directory(root, info, info.name, format)
    candidate = base / text
    if text and candidate.exists():  # a folder or file relative to the data directory
        return resolve_corpus(candidate, format=format)
    local = sorted(p.name for p in base.iterdir() if p.is_dir()) if base.is_dir() else []
    known = sorted({*_registry_names(), *local})
    close = close_matches(text, known)
    raise UnknownComponentError(
        f"unknown corpus {text!r}: not a registry name, not a folder of {base}, not a path",
        expected="one of " + ", ".join(known) + ", or a corpus directory / file",
        hint=f"did you mean {close[0]!r}?" if close else "run: mosaicner corpora list",
    )


def _registry_names() -> list[str]:
    from mosaicner.corpora.registry import CORPORA

    return list(CORPORA)


__all__ = [
    "SPLITS",
    "ResolvedCorpus",
    "data_dir",
    "detect_format",
    "normalise_split",
    "resolve_corpus",
    "scan_directory",
]
