from __future__ import annotations

from pathlib import Path

import pytest

from mosaicner.errors import ModelError
from mosaicner.inference.tagger import Tagger

TEXT = "Aspirin-induced asthma in patients. IL-2 receptor expression in human T cells of mice."


def test_quantized_tagger_runs_and_keeps_offsets(tiny_model_dir: Path) -> None:
    from mosaicner.inference.quantize import linear_layers, quantize_model

    plain = Tagger.load(tiny_model_dir, num_threads=1)
    quant = Tagger.load(tiny_model_dir, num_threads=1, quantize=True)
    transformer = quant.predictor.encoder.transformer  # type: ignore[attr-defined]
    n_float, n_quant = linear_layers(transformer)
    assert n_quant >= 12 and n_float == 0  # 2 layers x 6 Linear (q, k, v, out, up, down)
    assert "int8" in quant.info()["quantized"]
    doc = quant(TEXT)
    for s in doc.layer("pred"):
        assert s.label in {"Chemical", "Disease", "Species"}
        assert TEXT[s.start : s.end] == doc.span_text(s)
    # an untrained tiny model's scores sit near decision boundaries, so only require that the
    # two taggers mostly agree
    a = {(s.start, s.end, s.label) for s in plain(TEXT).layer("pred")}
    b = {(s.start, s.end, s.label) for s in doc.layer("pred")}
    assert len(a & b) >= 0.5 * max(len(a), 1)
    with pytest.raises(ModelError):
        quantize_model(object())


def test_onnx_runtime_matches_torch(tiny_model_dir: Path) -> None:
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    plain = Tagger.load(tiny_model_dir, num_threads=1)
    onnx = Tagger.load(tiny_model_dir, num_threads=1, runtime="onnx")
    assert onnx.info()["runtime"] == "onnxruntime"
    assert (tiny_model_dir / "onnx" / "encoder.onnx").exists()
    a = plain(TEXT).layer("pred")
    b = onnx(TEXT).layer("pred")
    assert [(s.start, s.end, s.label) for s in a] == [(s.start, s.end, s.label) for s in b]
    assert all(abs((x.score or 0) - (y.score or 0)) < 1e-3 for x, y in zip(a, b, strict=True))
    q = Tagger.load(tiny_model_dir, num_threads=1, runtime="onnx", quantize=True)
    assert "int8" in q.info()["quantized"]
    doc = q(TEXT)
    for s in doc.layer("pred"):
        assert TEXT[s.start : s.end] == doc.span_text(s)
