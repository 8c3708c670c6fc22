"""An untrained tiny saved model, for tests and demos of tagging and serving (no downloads).

``make_tiny_model(folder)`` writes a 2-layer random BERT (from
:func:`mosaicner.testing.tiny.make_tiny_encoder`) with a softmax head for a chemical/disease
corpus and a CRF head for a species corpus, saved with ``MultiTaskModel.save``.  The output
layers are perturbed so that the untrained model predicts some spans; the predictions are
random: use it to test offsets and plumbing, never accuracy.
"""

from __future__ import annotations

from pathlib import Path


def make_tiny_model(root: str | Path, *, max_length: int = 24, seed: int = 0) -> Path:
    """Write ``root/enc`` (tiny encoder) and ``root/model`` (the saved model); return the latter."""
    import torch

    from mosaicner.encoders.config import EncoderConfig
    from mosaicner.encoders.transformer import TransformerEncoder
    from mosaicner.heads.base import build_head
    from mosaicner.models import MultiTaskModel
    from mosaicner.testing.tiny import make_tiny_encoder

    root = Path(root)
    torch.manual_seed(seed)
    enc_dir = make_tiny_encoder(root / "enc", seed=seed)
    encoder = TransformerEncoder.from_config(
        EncoderConfig(name=str(enc_dir), max_length=max_length, stride=max_length // 3)
    )
    hidden = int(encoder.hidden_size)
    cdr = ["Chemical", "Disease"]
    heads = {
        "BC5CDR": build_head("softmax", hidden, cdr, {"BC5CDR": cdr}),
        "linnaeus": build_head("crf", hidden, ["Species"], {"linnaeus": ["Species"]}),
    }
    model = MultiTaskModel(encoder, heads, {"BC5CDR": "BC5CDR", "linnaeus": "linnaeus"})
    with torch.no_grad():
        for p in model.heads.parameters():
            p.add_(torch.randn_like(p) * 2.0)
    return model.save(root / "model")


__all__ = ["make_tiny_model"]
