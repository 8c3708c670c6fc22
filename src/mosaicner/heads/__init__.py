"""mosaicner.heads: decoding heads over word vectors (torch layer).

Importing this package registers the built-in heads: ``crf`` (linear-chain CRF, one per corpus)
and ``softmax`` (per-word classifier); ``sru`` (the shared transition head) is registered too when
its module is available.
"""

import importlib
import logging

from mosaicner.heads.base import (
    HEADS,
    GoldSpans,
    Head,
    HeadOptions,
    PredSpan,
    WordFeatures,
    build_head,
    check_head_options,
    register_head,
)
from mosaicner.heads.crf import CRFHead, TagSet
from mosaicner.heads.softmax import SoftmaxHead

_log = logging.getLogger(__name__)


def _load_optional(module: str) -> None:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:  # the module exists but one of its imports is missing
            _log.warning("head module %s not loaded: %s", module, exc)


_load_optional("mosaicner.heads.sru")

__all__ = [
    "HEADS",
    "CRFHead",
    "GoldSpans",
    "Head",
    "HeadOptions",
    "PredSpan",
    "SoftmaxHead",
    "TagSet",
    "WordFeatures",
    "build_head",
    "check_head_options",
    "register_head",
]
