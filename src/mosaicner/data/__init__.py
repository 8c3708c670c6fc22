"""Torch-free data model: tokens, spans, sentences, documents, corpora, alignment."""

from mosaicner.data.alignment import (
    ALIGN_MODES,
    AlignmentReport,
    align_document,
    char_to_token,
    token_to_char,
)
from mosaicner.data.model import (
    GOLD,
    PRED,
    Corpus,
    Document,
    Provenance,
    Sentence,
    SentenceExample,
    Span,
    Token,
    span_sort_key,
)
from mosaicner.data.tokenization import make_document, split_sentences, tokenize

__all__ = [
    "ALIGN_MODES",
    "GOLD",
    "PRED",
    "AlignmentReport",
    "Corpus",
    "Document",
    "Provenance",
    "Sentence",
    "SentenceExample",
    "Span",
    "Token",
    "align_document",
    "char_to_token",
    "make_document",
    "span_sort_key",
    "split_sentences",
    "token_to_char",
    "tokenize",
]
