"""Torch-free merge of several heads' predictions into one answer per text.

Layer: part of the torch-free core, next to :mod:`mosaicner.evaluation` (imports only
:mod:`mosaicner.errors`; callers pass plain spans).  See :mod:`.policies` for the documented
rules, :mod:`.cooccurrence` for the table of types that may share a span, and :mod:`.config` for
``merge.json`` in a model folder.
"""

from mosaicner.merge.config import (
    MERGE_FILE,
    config_from_json,
    config_to_json,
    load_merge_config,
    read_merge_file,
    update_merge_file,
)
from mosaicner.merge.cooccurrence import cooccurrence_from_sentences, count_pairs
from mosaicner.merge.policies import (
    DEFAULT_POLICY,
    POLICIES,
    RESOLVING_POLICIES,
    Calibration,
    Candidate,
    Cooccurrence,
    MergeConfig,
    MergedSpan,
    MergeStats,
    Vote,
    check_policy,
    deduplicate,
    fit_platt,
    merge_candidates,
    near_same,
    resolve,
)

__all__ = [
    "DEFAULT_POLICY",
    "MERGE_FILE",
    "POLICIES",
    "RESOLVING_POLICIES",
    "Calibration",
    "Candidate",
    "Cooccurrence",
    "MergeConfig",
    "MergeStats",
    "MergedSpan",
    "Vote",
    "check_policy",
    "config_from_json",
    "config_to_json",
    "cooccurrence_from_sentences",
    "count_pairs",
    "deduplicate",
    "fit_platt",
    "load_merge_config",
    "merge_candidates",
    "near_same",
    "read_merge_file",
    "resolve",
    "update_merge_file",
]
