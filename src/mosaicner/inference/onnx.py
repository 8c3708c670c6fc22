"""Run the encoder with ONNX Runtime (CPU), optionally int8-quantised.

``use_onnx(model)`` exports ``model.encoder.transformer`` to ONNX once (cached next to the
weights in ``<model>/onnx/``, or in a temporary folder when the model folder is read-only)
and swaps in :class:`OnnxTransformer`, a drop-in module that runs the graph with ONNX Runtime.
Tokenisation, windowing, word pooling and the heads stay in mosaicner/torch, so predictions
keep the same offsets.  ``quantize=True`` applies ONNX Runtime's dynamic int8 quantisation to
the exported graph (per-channel weight scales).  Needs the ``onnx`` and ``onnxruntime``
packages; only encoders that use their last layer (``last_k_layers: 1``, the default) are
supported.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from mosaicner.errors import ModelError

OPSET = 17


def export_onnx(transformer: Any, path: Path) -> Path:
    """Export a Hugging Face encoder (input_ids, attention_mask → last_hidden_state)."""
    import torch
    from torch import nn

    class _Wrapper(nn.Module):
        def __init__(self, inner: nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            out = self.inner(input_ids=input_ids, attention_mask=attention_mask)
            return out.last_hidden_state  # type: ignore[no-any-return]

    path.parent.mkdir(parents=True, exist_ok=True)
    ids = torch.ones(2, 8, dtype=torch.long)
    mask = torch.ones(2, 8, dtype=torch.long)
    tmp = path.with_name(".tmp-" + path.name)
    dyn = {0: "batch", 1: "sequence"}
    was_training = transformer.training
    transformer.eval()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Wrapper(transformer),
            (ids, mask),
            str(tmp),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={"input_ids": dyn, "attention_mask": dyn, "last_hidden_state": dyn},
            opset_version=OPSET,
            dynamo=False,
        )
    transformer.train(was_training)
    tmp.replace(path)
    return path


def quantize_onnx(src: Path, dst: Path) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = dst.with_name(".tmp-" + dst.name)
    # per-channel weight scales: much closer to fp32 than per-tensor (see .quantize)
    quantize_dynamic(str(src), str(tmp), weight_type=QuantType.QInt8, per_channel=True)
    tmp.replace(dst)
    return dst


def _make_onnx_transformer(path: Path, hf_config: Any, threads: int | None) -> Any:
    import numpy as np
    import onnxruntime as ort
    import torch
    from torch import nn

    class OnnxTransformer(nn.Module):
        """Stands in for the Hugging Face encoder inside ``TransformerEncoder``."""

        def __init__(self) -> None:
            super().__init__()
            self.config = hf_config
            # one parameter so that ``encoder.device`` keeps working (CPU)
            self.anchor = nn.Parameter(torch.zeros(1), requires_grad=False)
            opts = ort.SessionOptions()
            opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            if threads:
                opts.intra_op_num_threads = int(threads)
                opts.inter_op_num_threads = 1
            self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
            self.path = str(path)

        def forward(
            self,
            input_ids: torch.Tensor,
            attention_mask: torch.Tensor,
            output_hidden_states: bool = False,
            **_: Any,
        ) -> Any:
            if output_hidden_states:
                raise ModelError(
                    "the ONNX encoder returns the last layer only",
                    hint="use the torch runtime for models trained with last_k_layers > 1",
                )
            (hidden,) = self.session.run(
                ["last_hidden_state"],
                {
                    "input_ids": np.ascontiguousarray(input_ids.cpu().numpy(), dtype=np.int64),
                    "attention_mask": np.ascontiguousarray(
                        attention_mask.cpu().numpy(), dtype=np.int64
                    ),
                },
            )
            return SimpleNamespace(last_hidden_state=torch.from_numpy(hidden), hidden_states=None)

    return OnnxTransformer()


def use_onnx(
    model: Any,
    model_dir: str | Path | None = None,
    *,
    quantize: bool = False,
    threads: int | None = None,
) -> Any:
    """Swap ``model.encoder.transformer`` for an ONNX Runtime session; returns ``model``."""
    encoder: Any = getattr(model, "encoder", None)
    transformer = getattr(encoder, "transformer", None)
    if transformer is None:
        raise ModelError("this model has no transformer encoder to export to ONNX")
    if getattr(encoder, "layers", [-1]) != [-1]:
        raise ModelError(
            "ONNX export supports encoders that use their last layer only",
            hint="use the torch runtime (drop --onnx) for this model",
        )
    folder: Path | None = None
    if model_dir is not None:
        folder = Path(model_dir) / "onnx"
        try:
            folder.mkdir(exist_ok=True)
        except OSError:
            folder = None
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix="mosaicner-onnx-"))
    fp32 = folder / "encoder.onnx"
    weights = Path(model_dir) / "model.safetensors" if model_dir is not None else None
    stale = (
        not fp32.exists()
        or weights is None
        or (weights.exists() and weights.stat().st_mtime_ns > fp32.stat().st_mtime_ns)
    )
    if stale:
        export_onnx(transformer, fp32)
    path = fp32
    if quantize:
        path = folder / "encoder.int8-per-channel.onnx"
        if stale or not path.exists():
            quantize_onnx(fp32, path)
    encoder.transformer = _make_onnx_transformer(path, transformer.config, threads)
    model.quantized = "onnxruntime dynamic int8, per-channel weights" if quantize else None
    model.runtime = "onnxruntime"
    return model


__all__ = ["export_onnx", "quantize_onnx", "use_onnx"]
