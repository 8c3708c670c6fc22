from __future__ import annotations

from pathlib import Path

import pytest

from mosaicner.data.model import Document
from mosaicner.errors import ConfigError, UnknownComponentError
from mosaicner.io import FORMATS, get_format, read, write


def test_error_unknown_format_name() -> None:
    with pytest.raises(UnknownComponentError, match=r"unknown format 'conl'.*did you mean 'conll'"):
        get_format("conl")


def test_every_format_but_actions_reads_what_it_writes(tmp_path: Path) -> None:
    doc = Document.from_sentences(
        "doc1",
        [["IL", "-", "2", "binds", "."], ["T", "cells"]],
        [[(0, 3, "protein")], [(0, 2, "cell")]],
    )
    for name, spec in FORMATS.items():
        if name in ("actions", "text"):
            continue
        target = tmp_path / (name if spec.directory else f"out.{name}")
        rep = write([doc], target, name)
        assert rep.documents == 1 and rep.lossy == {}, name
        (back,) = read(target, name).documents
        assert back.text == doc.text, name
        assert [(s.start, s.end, s.label) for s in back.layer()] == [
            (s.start, s.end, s.label) for s in doc.layer()
        ], name


def test_error_unknown_option(tmp_path: Path) -> None:
    f = tmp_path / "a.tsv"
    f.write_text("a\tO\n\n")
    with pytest.raises(ConfigError, match=r"unknown option 'strcit' .*did you mean 'strict'"):
        read(f, "conll", strcit=False)


def test_layer_option_reads_into_a_named_layer(tmp_path: Path) -> None:
    f = tmp_path / "a.tsv"
    f.write_text("a\tB-X\n\n")
    (doc,) = read(f, "conll", layer="pred").documents
    assert doc.layer("gold") == () and len(doc.layer("pred")) == 1
