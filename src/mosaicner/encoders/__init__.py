"""mosaicner.encoders: the shared transformer encoder (torch layer)."""

from mosaicner.encoders.config import DEFAULT_ENCODER, EncoderConfig, resolve_encoder_name
from mosaicner.encoders.features import WordFeatures
from mosaicner.encoders.transformer import (
    EncodedSentence,
    EncoderStats,
    TransformerEncoder,
    load_tokenizer,
    model_length_limit,
)

__all__ = [
    "DEFAULT_ENCODER",
    "EncodedSentence",
    "EncoderConfig",
    "EncoderStats",
    "TransformerEncoder",
    "WordFeatures",
    "load_tokenizer",
    "model_length_limit",
    "resolve_encoder_name",
]
