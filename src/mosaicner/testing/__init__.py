"""mosaicner.testing: helpers for tests (tiny random encoders; torch layer)."""
