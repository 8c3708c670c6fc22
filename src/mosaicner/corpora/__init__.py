"""The corpus registry, corpus resolution and loading, statistics, validation and download.

>>> from mosaicner.corpora import load_corpus, stats_for
>>> corpus = load_corpus("BC5CDR")  # doctest: +SKIP   (looked up in $MOSAICNER_DATA)
>>> stats_for("GENIA-nested").to_dict()  # doctest: +SKIP
"""

from mosaicner.corpora.load import (
    iter_documents,
    iter_sentences,
    load_corpus,
    read_corpus,
    read_split,
    split_files,
)
from mosaicner.corpora.registry import CORPORA, CorpusInfo, RemoteFile, corpus_names, find_corpus
from mosaicner.corpora.resolve import (
    SPLITS,
    ResolvedCorpus,
    data_dir,
    detect_format,
    normalise_split,
    resolve_corpus,
)
from mosaicner.corpora.stats import CorpusStats, SplitStats, corpus_stats, document_stats, stats_for

__all__ = [
    "CORPORA",
    "SPLITS",
    "CorpusInfo",
    "CorpusStats",
    "RemoteFile",
    "ResolvedCorpus",
    "SplitStats",
    "corpus_names",
    "corpus_stats",
    "data_dir",
    "detect_format",
    "document_stats",
    "find_corpus",
    "iter_documents",
    "iter_sentences",
    "load_corpus",
    "normalise_split",
    "read_corpus",
    "read_split",
    "resolve_corpus",
    "split_files",
    "stats_for",
]
