"""Load corpora as :class:`~mosaicner.data.model.Corpus` objects (through ``mosaicner.io``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mosaicner import io
from mosaicner.corpora.registry import CorpusInfo
from mosaicner.corpora.resolve import ResolvedCorpus, normalise_split, resolve_corpus
from mosaicner.data.model import GOLD, Corpus, Document, Provenance, SentenceExample
from mosaicner.io.base import ReadReport

#: Called with (split, path) before each split is read.
ProgressHook = Callable[[str, Path], None]


def provenance(resolved: ResolvedCorpus) -> Provenance:
    """Source, licence, citation and URL of a resolved corpus (from the registry when known)."""
    info: CorpusInfo | None = resolved.info
    if info is None:
        return Provenance(source=str(resolved.root))
    return Provenance(
        source=f"{info.source} (local copy: {resolved.root})",
        licence=info.licence,
        citation=info.citation,
        url=info.url,
    )


def _resolve(
    name_or_path: str | Path | ResolvedCorpus,
    data_directory: str | Path | None,
    format: str | None,
) -> ResolvedCorpus:
    if isinstance(name_or_path, ResolvedCorpus):
        return name_or_path
    return resolve_corpus(name_or_path, data_directory=data_directory, format=format)


def read_split(
    resolved: ResolvedCorpus, split: str, **read_options: Any
) -> tuple[list[Document], ReadReport]:
    """Read one split of a resolved corpus: its documents and the reader's report."""
    path = resolved.path(split)
    options: dict[str, Any] = dict(resolved.info.read_options) if resolved.info else {}
    options.update(read_options)
    result = io.read(path, resolved.format, **options)
    return result.documents, result.report


def read_corpus(
    name_or_path: str | Path | ResolvedCorpus,
    splits: Iterable[str] | None = None,
    *,
    data_directory: str | Path | None = None,
    format: str | None = None,
    progress: ProgressHook | None = None,
    **read_options: Any,
) -> tuple[Corpus, dict[str, ReadReport]]:
    """Load a corpus and return it with the read report of every split.

    ``splits`` defaults to every split present; asking for an absent one raises
    :class:`~mosaicner.errors.MissingSplitError` (before anything is read).
    """
    resolved = _resolve(name_or_path, data_directory, format)
    wanted = [normalise_split(s) for s in splits] if splits is not None else list(resolved.files)
    for split in wanted:
        resolved.path(split)  # fail early on a missing split
    docs_by_split: dict[str, tuple[Document, ...]] = {}
    reports: dict[str, ReadReport] = {}
    for split in wanted:
        if progress is not None:
            progress(split, resolved.files[split])
        docs, report = read_split(resolved, split, **read_options)
        docs_by_split[split] = tuple(docs)
        reports[split] = report
    if resolved.info is not None:
        labels = tuple(resolved.info.types)
    else:
        labels = tuple(
            sorted(
                {sp.label for docs in docs_by_split.values() for d in docs for sp in d.layer(GOLD)}
            )
        )
    corpus = Corpus(
        name=resolved.name, splits=docs_by_split, labels=labels, provenance=provenance(resolved)
    )
    return corpus, reports


def load_corpus(
    name_or_path: str | Path | ResolvedCorpus,
    splits: Iterable[str] | None = None,
    *,
    data_directory: str | Path | None = None,
    format: str | None = None,
    **read_options: Any,
) -> Corpus:
    """Load a corpus by registry name or path (see :func:`read_corpus`)."""
    corpus, _ = read_corpus(
        name_or_path, splits, data_directory=data_directory, format=format, **read_options
    )
    return corpus


def iter_documents(
    name_or_path: str | Path | ResolvedCorpus,
    split: str,
    *,
    data_directory: str | Path | None = None,
    format: str | None = None,
    **read_options: Any,
) -> Iterator[Document]:
    """The documents of one split (reads only that split's file)."""
    resolved = _resolve(name_or_path, data_directory, format)
    docs, _ = read_split(resolved, split, **read_options)
    yield from docs


def iter_sentences(
    name_or_path: str | Path | ResolvedCorpus,
    split: str,
    *,
    layer: str = GOLD,
    data_directory: str | Path | None = None,
    format: str | None = None,
    **read_options: Any,
) -> Iterator[SentenceExample]:
    """The sentences of one split as :class:`SentenceExample` (words + sentence-local spans)."""
    resolved = _resolve(name_or_path, data_directory, format)
    for doc in iter_documents(resolved, split, **read_options):
        yield from doc.sentence_examples(layer, corpus=resolved.name)


def split_files(name_or_path: str | Path, **kwargs: Any) -> Mapping[str, Path]:
    """Split name → file of a corpus, without reading anything."""
    return dict(resolve_corpus(name_or_path, **kwargs).files)


__all__ = [
    "iter_documents",
    "iter_sentences",
    "load_corpus",
    "provenance",
    "read_corpus",
    "read_split",
    "split_files",
]
