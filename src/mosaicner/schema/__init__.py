"""Label harmonisation: canonical types, per-corpus label maps, and their application.

>>> from mosaicner.schema import get_label_map
>>> docs, report = get_label_map("builtin", corpus="BC2GM").apply(documents)  # doctest: +SKIP
"""

from mosaicner.schema.labelmap import HarmonizationReport, LabelMap
from mosaicner.schema.maps import (
    BUILTIN,
    KEEP_ORIGINAL,
    builtin_map,
    builtin_map_names,
    get_label_map,
)
from mosaicner.schema.types import CANONICAL_TYPES

__all__ = [
    "BUILTIN",
    "CANONICAL_TYPES",
    "KEEP_ORIGINAL",
    "HarmonizationReport",
    "LabelMap",
    "builtin_map",
    "builtin_map_names",
    "get_label_map",
]
