"""Dynamic int8 quantisation of the encoder for faster CPU tagging.

``quantize_model(model)`` replaces every ``nn.Linear`` of the transformer encoder with a
dynamically quantised int8 version (``torch.ao.quantization.quantize_dynamic``: int8 weights
with one scale per output channel, activations quantised on the fly per batch).  Per-channel
weights were chosen on BC5CDR *dev* (400 sentences, quickstart model): F1 72.0 fp32, 71.4
per-channel, 70.0 per-tensor.  The heads stay in float32 (they are small and
the CRF transition scores are sensitive).  CPU only; the accuracy change is measured by
``benchmarks/tagging_speed.py`` (F1 with and without on a test subset).
"""

from __future__ import annotations

import warnings
from typing import Any

from mosaicner.errors import ModelError


def quantize_model(model: Any) -> Any:
    """Quantise ``model.encoder.transformer`` in place (dynamic int8); returns ``model``."""
    import torch
    from torch import nn

    encoder: Any = getattr(model, "encoder", None)
    transformer = getattr(encoder, "transformer", None)
    if transformer is None:
        raise ModelError(
            "this model has no transformer encoder to quantise",
            hint="quantisation applies to saved mosaicner models, not dictionaries",
        )
    if next(transformer.parameters()).device.type != "cpu":
        raise ModelError("dynamic int8 quantisation runs on CPU only", hint="drop --quantize")
    quantize_dynamic = torch.ao.quantization.quantize_dynamic
    with warnings.catch_warnings():
        # torch.ao eager quantisation is deprecated in favour of torchao, but still shipped
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        qconfig = torch.ao.quantization.per_channel_dynamic_qconfig
        encoder.transformer = quantize_dynamic(transformer, {nn.Linear: qconfig}, dtype=torch.qint8)
    model.quantized = "dynamic int8, per-channel weights (encoder Linear layers)"
    return model


def linear_layers(module: Any) -> tuple[int, int]:
    """(float Linear layers, dynamically quantised Linear layers) inside ``module``."""
    from torch import nn
    from torch.ao.nn.quantized import dynamic

    n_float = sum(1 for m in module.modules() if type(m) is nn.Linear)
    n_quant = sum(1 for m in module.modules() if isinstance(m, dynamic.Linear))
    return n_float, n_quant


__all__ = ["linear_layers", "quantize_model"]
