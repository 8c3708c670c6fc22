"""mosaicner.testing: test doubles for the test suite and demos (tiny random encoders and
models, tiny synthetic corpora, a free port).  Nothing else in the package imports it."""

from mosaicner.testing.corpora import write_tiny_corpus
from mosaicner.testing.net import free_port
from mosaicner.testing.tiny import make_tiny_encoder, make_tiny_model

__all__ = ["free_port", "make_tiny_encoder", "make_tiny_model", "write_tiny_corpus"]
