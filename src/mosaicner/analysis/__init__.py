"""mosaicner.analysis: which corpora are likely to help which (torch-free; top of the core).

* :mod:`~mosaicner.analysis.measures` — transferability measures between corpora
  (:func:`compute_similarity`); the ``embedding`` measure takes a sentence embedder from above.
* :mod:`~mosaicner.analysis.correlate` — measures against measured multi-task gain.
* :mod:`~mosaicner.analysis.recommend` — rank auxiliary corpora for a target.
* :mod:`~mosaicner.analysis.transfer` — plan and collect a transfer matrix; the runner that trains
  each job is passed in (:func:`mosaicner.training.transfer.transfer_runner`).
* :mod:`~mosaicner.analysis.ood` — export of out-of-domain predictions for review.
"""

from mosaicner.analysis.correlate import correlate, load_gains
from mosaicner.analysis.data import AnalysisCorpus, load_analysis_corpus, load_corpora
from mosaicner.analysis.measures import (
    DEFAULT_MEASURES,
    MEASURES,
    SentenceEmbed,
    compute_similarity,
    embedding_vector,
    parse_measures,
)
from mosaicner.analysis.ood import collect_ood, write_ood
from mosaicner.analysis.output import read_records, write_records
from mosaicner.analysis.recommend import recommend, recommend_auxiliaries
from mosaicner.analysis.transfer import (
    Runner,
    TransferMatrixConfig,
    load_transfer_config,
    run_transfer_matrix,
)

__all__ = [
    "DEFAULT_MEASURES",
    "MEASURES",
    "AnalysisCorpus",
    "Runner",
    "SentenceEmbed",
    "TransferMatrixConfig",
    "collect_ood",
    "compute_similarity",
    "correlate",
    "embedding_vector",
    "load_analysis_corpus",
    "load_corpora",
    "load_gains",
    "load_transfer_config",
    "parse_measures",
    "read_records",
    "recommend",
    "recommend_auxiliaries",
    "run_transfer_matrix",
    "write_ood",
    "write_records",
]
