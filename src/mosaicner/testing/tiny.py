"""Tiny randomly initialised encoders for fast tests (no downloads, no real weights).

``make_tiny_encoder(tmp_path / "enc")`` writes a 2-layer BERT (hidden 32, 2 heads) and a
WordPiece tokenizer to a folder usable as ``EncoderConfig(name=str(folder))``.  The vocabulary
holds the given words plus single characters and ``##`` continuations, so any ASCII word splits
into known pieces.  ``kind="roberta"`` writes a byte-level BPE RoBERTa instead.

``make_tiny_model(folder)`` writes an untrained saved model on such an encoder (a softmax head
for a chemical/disease corpus, a CRF head for a species corpus, output layers perturbed so that
it predicts some spans): for tests and demos of tagging and serving, never of accuracy.
"""

from __future__ import annotations

import string
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

DEFAULT_WORDS: tuple[str, ...] = (
    "the",
    "a",
    "of",
    "and",
    "in",
    "with",
    "was",
    "were",
    "is",
    "to",
    "patients",
    "patient",
    "disease",
    "cancer",
    "tumor",
    "cell",
    "cells",
    "protein",
    "gene",
    "expression",
    "il-2",
    "il",
    "2",
    "aspirin",
    "induced",
    "asthma",
    "mice",
    "rats",
    "human",
    "mouse",
    "species",
    "chemical",
    "drug",
    "dose",
    "treatment",
    "receptor",
    "kinase",
    "alpha",
    "beta",
    "t",
    "b",
    ".",
)


def make_tiny_encoder(
    path: str | Path,
    vocab_words: Iterable[str] | None = None,
    *,
    kind: Literal["bert", "roberta"] = "bert",
    hidden_size: int = 32,
    num_layers: int = 2,
    num_heads: int = 2,
    max_positions: int = 512,
    seed: int = 0,
) -> Path:
    """Write a tiny random encoder + tokenizer to ``path`` and return the folder."""
    import torch

    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    words = [w.lower() for w in (vocab_words if vocab_words is not None else DEFAULT_WORDS)]
    torch.manual_seed(seed)
    if kind == "bert":
        _write_bert(folder, words, hidden_size, num_layers, num_heads, max_positions)
    elif kind == "roberta":
        _write_roberta(folder, words, hidden_size, num_layers, num_heads, max_positions)
    else:
        raise ValueError(f"unknown tiny encoder kind {kind!r}")
    return folder


def _write_bert(
    folder: Path, words: list[str], hidden: int, layers: int, heads: int, positions: int
) -> None:
    from transformers import BertConfig, BertModel
    from transformers import BertTokenizer as BertTokenizerFast  # the fast one in v5

    chars = string.ascii_lowercase + string.digits + string.punctuation
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab += list(chars) + ["##" + c for c in chars]
    vocab += [w for w in dict.fromkeys(words) if w not in vocab]
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab=str(vocab_file), do_lower_case=True)
    tokenizer.model_max_length = positions
    tokenizer.save_pretrained(str(folder))
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=2 * hidden,
        max_position_embeddings=positions,
    )
    BertModel(config).save_pretrained(str(folder))


def _write_roberta(
    folder: Path, words: list[str], hidden: int, layers: int, heads: int, positions: int
) -> None:
    from tokenizers import ByteLevelBPETokenizer
    from transformers import RobertaConfig, RobertaModel, RobertaTokenizerFast

    specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"]
    bpe = ByteLevelBPETokenizer(add_prefix_space=True)
    bpe.train_from_iterator(
        [" ".join(words)] * 2, vocab_size=400, min_frequency=1, special_tokens=specials
    )
    bpe.save_model(str(folder))
    tokenizer = RobertaTokenizerFast(
        vocab=str(folder / "vocab.json"), merges=str(folder / "merges.txt"), add_prefix_space=True
    )
    tokenizer.model_max_length = positions
    tokenizer.save_pretrained(str(folder))
    config = RobertaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=2 * hidden,
        max_position_embeddings=positions + 2,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    RobertaModel(config).save_pretrained(str(folder))


def make_tiny_model(root: str | Path, *, max_length: int = 24, seed: int = 0) -> Path:
    """Write ``root/enc`` (tiny encoder) and ``root/model`` (the saved model); return the latter."""
    import torch

    from mosaicner.encoders.config import EncoderConfig
    from mosaicner.encoders.transformer import TransformerEncoder
    from mosaicner.heads.base import build_head
    from mosaicner.models import MultiTaskModel

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


__all__ = ["DEFAULT_WORDS", "make_tiny_encoder", "make_tiny_model"]
