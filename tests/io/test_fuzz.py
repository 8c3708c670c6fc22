"""Fuzz every reader and writer: damaged files raise only ``mosaicner.errors`` exceptions.

Valid files are written from documents drawn by hypothesis, then damaged (byte-level
mutations for every format, structure-aware JSON mutations for jsonl, genia-jsonl and
bioc-json; see ``fuzzing.py``).  Whatever a reader accepts is written with a drawn writer and
checked by ``corpora.validate.validate_documents``.  The budget is fixed and the examples are
derandomised, so CI runs the same cases every time; ``fuzz_census.py`` runs many more.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from fuzzing import (
    JSON_FORMATS,
    READERS,
    WRITERS,
    check_file,
    damaged_copy,
    seed_documents,
    write_seed,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from io_strategies import char_documents, documents

from mosaicner.corpora.validate import validate_documents
from mosaicner.data.model import Document

FUZZ = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

DOCS = st.one_of(
    st.just(seed_documents()),
    documents(nested=True, max_docs=2),
    char_documents(max_docs=2),
)


def _run(fmt: str, docs: list[Document], rnd: random.Random, structured: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "seed").mkdir()
        (root / "case").mkdir()
        seed = write_seed(fmt, docs, root / "seed")
        path = damaged_copy(fmt, seed, root / "case", rnd, structured)
        writers = rnd.sample(WRITERS, 2)
        failures = check_file(fmt, path, writers, extra=lambda d, p: validate_documents(d, p))
    assert not failures, "\n".join(str(f) for f in failures)


@pytest.mark.parametrize("fmt", READERS)
@FUZZ
@given(docs=DOCS, rnd=st.randoms(use_true_random=False))
def test_byte_mutations_raise_only_toolkit_errors(
    fmt: str, docs: list[Document], rnd: random.Random
) -> None:
    _run(fmt, docs, rnd, structured=False)


@pytest.mark.parametrize("fmt", JSON_FORMATS)
@FUZZ
@given(docs=DOCS, rnd=st.randoms(use_true_random=False))
def test_json_field_mutations_raise_only_toolkit_errors(
    fmt: str, docs: list[Document], rnd: random.Random
) -> None:
    _run(fmt, docs, rnd, structured=True)
