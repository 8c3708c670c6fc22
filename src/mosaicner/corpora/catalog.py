"""What ``mosaicner corpora list`` and ``mosaicner corpora info`` report about the registry.

Both are plain reports with ``to_dict()`` (the ``--format json`` output); the command line only
renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mosaicner.corpora.registry import CORPORA, CorpusInfo, find_corpus
from mosaicner.corpora.resolve import data_dir
from mosaicner.errors import UnknownComponentError


@dataclass
class CorpusListing:
    """Every registry corpus with the splits present in the data directory."""

    data_dir: Path
    rows: list[tuple[CorpusInfo, list[str]]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "data_dir": str(self.data_dir),
            "corpora": [
                {
                    "name": info.name,
                    "format": info.format,
                    "types": list(info.types),
                    "licence": info.licence,
                    "source": info.source,
                    "url": info.url,
                    "citation": info.citation,
                    "present_splits": present,
                    "nested": info.nested,
                }
                for info, present in self.rows
            ],
        }


def list_corpora() -> CorpusListing:
    """The registry corpora and which of their splits are in the data directory."""
    base = data_dir()
    rows = []
    for info in CORPORA.values():
        root = base / info.folder
        rows.append((info, [s for s, f in info.splits.items() if (root / f).is_file()]))
    return CorpusListing(base, rows)


@dataclass
class CorpusCard:
    """Everything the registry knows about one corpus, with its built-in label map."""

    info: CorpusInfo
    label_map: Any  # mosaicner.schema.LabelMap
    root: Path

    def files(self) -> list[dict[str, Any]]:
        """The corpus's files: split, public URL, checksum, size, whether present locally."""
        return [
            {
                "file": f.local,
                "split": f.split,
                "url": f.url(),
                "sha256": f.sha256,
                "bytes": f.size,
                "present": (self.root / f.local).is_file(),
                "note": f.note,
            }
            for f in self.info.files
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        entry = self.info
        return {
            "name": entry.name,
            "description": entry.description,
            "format": entry.format,
            "splits": dict(entry.splits),
            "types": list(entry.types),
            "nested": entry.nested,
            "licence": entry.licence,
            "citation": entry.citation,
            "source": entry.source,
            "url": entry.url,
            "notes": list(entry.notes),
            "label_map": {"name": self.label_map.name, "map": dict(self.label_map.mapping)},
            "local_dir": str(self.root),
            "files": self.files(),
        }


def corpus_card(name: str) -> CorpusCard:
    """The registry entry of ``name`` (case-insensitive; unknown names list the known ones)."""
    from mosaicner.schema import builtin_map

    entry = find_corpus(name)
    if entry is None:
        raise UnknownComponentError.for_name("corpus", name, CORPORA)
    return CorpusCard(entry, builtin_map(entry.name), data_dir() / entry.folder)


__all__ = ["CorpusCard", "CorpusListing", "corpus_card", "list_corpora"]
