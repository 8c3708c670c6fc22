"""One shared encoder, several named heads, and routes from corpora to heads.

Each corpus is routed to one head: its own CRF head (Akdemir & Shibuya) or a head shared by many
corpora (the SRU transition head).  A training batch goes through the encoder once; its
sentences are then grouped by head.  Tagging new text (:meth:`MultiTaskModel.predict_words`) runs
every head on every sentence and merges their spans in the model's output type space.

A model directory (written by :meth:`MultiTaskModel.save`, read by :func:`load_model`)::

    config.json        encoder options, head configs (Head.export_config), routes, types
    model.safetensors  all weights (encoder + heads); no pickle anywhere
    encoder/           the encoder's own config.json and tokenizer files (no hub needed)
    label_maps.json    the label maps applied to each corpus at training time
    training.json      metadata written by the trainer (corpora, versions, metrics)
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import Any

import torch
from pydantic import ValidationError
from torch import nn

from mosaicner._version import __version__
from mosaicner.data.batching import group_units, pack, pack_units
from mosaicner.data.context import example_contexts
from mosaicner.data.model import SentenceExample
from mosaicner.encoders.config import EncoderConfig
from mosaicner.encoders.transformer import EncodedSentence, EncoderStats, TransformerEncoder
from mosaicner.errors import ConfigError, ModelError
from mosaicner.heads.base import Head, PredSpan, WordFeatures, build_head
from mosaicner.models.folder import (
    check_encoder_files,
    check_label_maps,
    check_tokenizer_size,
    check_weights_match,
    read_safetensors_header,
)

FORMAT_NAME = "mosaicner-model"
FORMAT_VERSION = 1
CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
ENCODER_DIR = "encoder"
LABEL_MAPS_FILE = "label_maps.json"
TRAINING_FILE = "training.json"
PREFIX_SEP = "$"

SentenceInput = SentenceExample | Sequence[str]


class MultiTaskModel(nn.Module):
    """Shared :class:`TransformerEncoder` + ``nn.ModuleDict`` of heads + corpus routes."""

    def __init__(
        self,
        encoder: TransformerEncoder,
        heads: Mapping[str, Head],
        routes: Mapping[str, str],
        *,
        label_maps: Mapping[str, Any] | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__()
        if not heads:
            raise ConfigError("a model needs at least one head")
        unknown = sorted({h for h in routes.values() if h not in heads})
        if unknown:
            raise ConfigError(
                f"routes name heads that do not exist: {', '.join(unknown)}",
                expected="one of " + ", ".join(sorted(heads)),
            )
        self.encoder = encoder
        self.heads = nn.ModuleDict(dict(heads))
        self.routes: dict[str, str] = dict(routes)
        self.label_maps: dict[str, Any] = dict(label_maps or {})
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.last_stats: EncoderStats | None = None

    # ------------------------------------------------------------------ views
    @property
    def device(self) -> torch.device:
        """The device of the encoder's weights."""
        return self.encoder.device

    @property
    def corpora(self) -> list[str]:
        """The corpora the model routes to a head, sorted."""
        return sorted(self.routes)

    def head_for(self, corpus: str) -> Head:
        """The head serving ``corpus``."""
        return self._head(self._route(corpus))

    def head_items(self) -> list[tuple[str, Head]]:
        """(name, head) pairs, typed."""
        return [(name, self._head(name)) for name in self.heads]

    def _head(self, name: str) -> Head:
        head = self.heads[name]
        assert isinstance(head, Head)
        return head

    def _route(self, corpus: str) -> str:
        if corpus in self.routes:
            return self.routes[corpus]
        if not corpus and len(self.routes) == 1:
            return next(iter(self.routes.values()))
        raise ModelError(
            f"the model has no head for corpus {corpus!r}",
            expected="one of " + ", ".join(self.corpora),
            hint="pass corpus=... naming a corpus the model was trained on",
        )

    def strip_label(self, label: str) -> str:
        """``"BC5CDR$Chemical"`` → ``"Chemical"`` when the prefix is a corpus of the model."""
        prefix, sep, rest = label.partition(PREFIX_SEP)
        if sep and prefix in self.routes:
            return rest
        return label

    def corpus_types(self, corpus: str) -> list[str]:
        """Output types of one corpus (prefixes stripped)."""
        head = self.head_for(corpus)
        labels = head.corpus_labels.get(corpus) or head.labels
        return sorted({self.strip_label(lab) for lab in labels})

    @property
    def types(self) -> list[str]:
        """Every output type of the model (prefixes stripped)."""
        return sorted({self.strip_label(lab) for _, h in self.head_items() for lab in h.labels})

    def info(self) -> dict[str, Any]:
        """Types, corpora, routes and heads of the model (for ``GET /v1/model``)."""
        return {
            "types": self.types,
            "corpora": {c: self.corpus_types(c) for c in self.corpora},
            "routes": dict(self.routes),
            "heads": {name: head.kind for name, head in self.head_items()},
            "encoder": self.encoder.config.name,
            "encoder_config": self.encoder.config.model_dump(),
            "hidden_size": self.encoder.hidden_size,
            "parameters": sum(p.numel() for p in self.parameters()),
            "mosaicner_version": __version__,
        }

    # ------------------------------------------------------------------ training
    def loss(self, examples: Sequence[SentenceExample]) -> tuple[torch.Tensor, dict[str, float]]:
        """Training loss of a batch: one encoder pass, then each head on its sentences.

        Each head's loss is a per-sentence mean; the total weights them by their share of the
        batch, so it is a per-sentence mean over the whole batch.
        """
        if not examples:
            raise ModelError("loss() got an empty batch")
        encoded = self.encoder.encode_batch(
            [ex.words for ex in examples], contexts=example_contexts(examples)
        )
        features = self.encoder(encoded)
        groups = self._group([ex.corpus for ex in examples])
        total: torch.Tensor | None = None
        metrics: dict[str, float] = {}
        for head_name, idx in groups.items():
            sub = select(features, idx, len(examples))
            head_loss = self._head(head_name).loss(
                sub, [examples[i].spans for i in idx], [examples[i].corpus for i in idx]
            )
            weighted = head_loss * (len(idx) / len(examples))
            total = weighted if total is None else total + weighted
            metrics[f"loss/{head_name}"] = float(head_loss.detach())
        assert total is not None
        metrics["loss"] = float(total.detach())
        metrics["sentences"] = float(len(examples))
        return total, metrics

    def _group(self, corpora: Sequence[str]) -> dict[str, list[int]]:
        groups: dict[str, list[int]] = {}
        for i, corpus in enumerate(corpora):
            groups.setdefault(self._route(corpus), []).append(i)
        return groups

    # ------------------------------------------------------------------ prediction
    def predict(
        self, sentences: Sequence[SentenceInput], corpus: str | None = None
    ) -> list[list[PredSpan]]:
        """Spans per sentence from the head of each sentence's corpus (one encoder pass).

        ``sentences`` are :class:`SentenceExample` (routed by ``.corpus``) or word lists (need
        ``corpus=``; also overrides the examples' own corpus).  This is the corpus's own view:
        only the corpus's types, and from a head with corpus-prefixed labels only the corpus's
        own ``CORPUS$Type`` predictions, returned without the prefix.  The caller batches.
        """
        if not sentences:
            return []
        words: list[Sequence[str]] = []
        corpora: list[str] = []
        contexts: list[tuple[Sequence[str], Sequence[str]]] = []
        for s in sentences:
            if isinstance(s, SentenceExample):
                words.append(s.words)
                corpora.append(corpus if corpus is not None else s.corpus)
                contexts.append((s.left, s.right))
            else:
                words.append(s)
                corpora.append(corpus if corpus is not None else "")
                contexts.append(((), ()))
        with torch.inference_mode():
            features = self.encoder(self.encoder.encode_batch(words, contexts=contexts))
            out: list[list[PredSpan]] = [[] for _ in sentences]
            allowed: dict[str, set[str]] = {}
            for head_name, idx in self._group(corpora).items():
                head = self._head(head_name)
                sub = select(features, idx, len(sentences))
                decoded = head.decode(sub, [corpora[i] for i in idx])
                for i, spans in zip(idx, decoded, strict=True):
                    c = corpora[i]
                    if c not in allowed:
                        allowed[c] = set(self.corpus_types(c))
                    own = [(s, e, lab, sc) for s, e, lab, sc in spans if self._owned(lab, c)]
                    out[i] = _merge(
                        [(s, e, self.strip_label(lab), sc) for s, e, lab, sc in own], allowed[c]
                    )
        return out

    def _owned(self, label: str, corpus: str) -> bool:
        """False for a ``OTHER$Type`` label of another corpus of the model."""
        prefix, sep, _ = label.partition(PREFIX_SEP)
        return not sep or prefix not in self.routes or prefix == corpus or not corpus

    def predict_words(
        self,
        sentences: Sequence[Sequence[str]],
        batch_size_tokens: int = 8192,
        *,
        max_sentences: int = 256,
        contexts: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None,
    ) -> list[list[PredSpan]]:
        """Tag word lists with every head; spans merged in the model's type space.

        Sentences are sorted by length and batched under a budget of padded subword positions
        (``batch_size_tokens``).  Duplicate spans (same words, same type, from several heads)
        keep the highest score.  ``contexts``: each sentence's document context (see
        :meth:`TransformerEncoder.encode_batch`).  ``self.last_stats`` counts the windowed
        sentences and fallback words of this call.
        """
        encoded = self.encoder.encode_batch(sentences, use_cache=False, contexts=contexts)
        self.last_stats = EncoderStats.of(encoded)
        out: list[list[PredSpan]] = [[] for _ in sentences]
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode():
                for batch in token_batches(
                    encoded, batch_size_tokens, max_sentences, self.encoder.num_special
                ):
                    features = self.encoder([encoded[i] for i in batch])
                    merged: list[list[PredSpan]] = [[] for _ in batch]
                    for _, head in self.head_items():
                        for k, spans in enumerate(head.decode(features, None)):
                            merged[k].extend(
                                (s, e, self.strip_label(lab), sc) for s, e, lab, sc in spans
                            )
                    for i, spans in zip(batch, merged, strict=True):
                        out[i] = _merge(spans, None)
        finally:
            if was_training:
                self.train()
        return out

    def predict_words_by_head(
        self,
        sentences: Sequence[Sequence[str]],
        batch_size_tokens: int = 8192,
        *,
        max_sentences: int = 256,
        contexts: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None,
    ) -> list[list[tuple[int, int, str, float, str]]]:
        """Like :meth:`predict_words`, unmerged: ``(start, end, type, score, source)`` per head.

        ``source`` names who predicted the span: the head's name, or — for a head shared by
        several corpora with corpus-prefixed labels (``BC5CDR$Chemical``) — the corpus.  The
        caller merges (:mod:`mosaicner.merge`); ``self.last_stats`` is set as there.
        """
        encoded = self.encoder.encode_batch(sentences, use_cache=False, contexts=contexts)
        self.last_stats = EncoderStats.of(encoded)
        out: list[list[tuple[int, int, str, float, str]]] = [[] for _ in sentences]
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode():
                for batch in token_batches(
                    encoded, batch_size_tokens, max_sentences, self.encoder.num_special
                ):
                    features = self.encoder([encoded[i] for i in batch])
                    for name, head in self.head_items():
                        for k, spans in enumerate(head.decode(features, None)):
                            for s, e, lab, sc in spans:
                                prefix, sep, _ = lab.partition(PREFIX_SEP)
                                source = prefix if sep and prefix in self.routes else name
                                out[batch[k]].append(
                                    (int(s), int(e), self.strip_label(lab), float(sc), source)
                                )
        finally:
            if was_training:
                self.train()
        return out

    # ------------------------------------------------------------------ persistence
    def export_config(self) -> dict[str, Any]:
        """Everything needed to rebuild the model (``config.json``)."""
        return {
            "format": FORMAT_NAME,
            "format_version": FORMAT_VERSION,
            "mosaicner_version": __version__,
            "encoder": self.encoder.config.model_dump(),
            "heads": {name: head.export_config() for name, head in self.head_items()},
            "routes": dict(self.routes),
            "types": self.types,
            "corpora": {c: self.corpus_types(c) for c in self.corpora},
        }

    def save(
        self,
        directory: str | Path,
        metadata: Mapping[str, Any] | None = None,
        *,
        label_maps: Mapping[str, Any] | None = None,
    ) -> Path:
        """Write the model directory (see the module docstring); returns it."""
        from safetensors.torch import save_model

        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        if label_maps is not None:
            self.label_maps = dict(label_maps)
        if metadata is not None:
            self.metadata = dict(metadata)
        _write_json(folder / CONFIG_FILE, self.export_config())
        save_model(self, str(folder / WEIGHTS_FILE), metadata={"format": FORMAT_NAME})
        self.encoder.save_pretrained(folder / ENCODER_DIR)
        _write_json(folder / LABEL_MAPS_FILE, self.label_maps)
        _write_json(folder / TRAINING_FILE, self.metadata)
        return folder

    @classmethod
    def load(
        cls,
        directory: str | Path,
        *,
        device: str | torch.device | None = None,
        num_threads: int | None = None,
    ) -> MultiTaskModel:
        """Read a model directory written by :meth:`save` (in eval mode)."""
        from safetensors import SafetensorError
        from safetensors.torch import load_model as load_weights

        if num_threads:
            torch.set_num_threads(int(num_threads))
        folder = find_model_dir(directory)
        config = _read_json(folder / CONFIG_FILE)
        if not isinstance(config, dict) or config.get("format") != FORMAT_NAME:
            raise ModelError(
                "config.json is not a mosaicner model config",
                file=folder / CONFIG_FILE,
                expected=f'"format": "{FORMAT_NAME}"',
            )
        if int(config.get("format_version", 0)) > FORMAT_VERSION:
            raise ModelError(
                f"model format version {config.get('format_version')} is newer than this "
                f"mosaicner understands ({FORMAT_VERSION})",
                file=folder / CONFIG_FILE,
                hint="upgrade mosaicner",
            )
        try:
            enc_cfg = EncoderConfig(**config["encoder"])
            head_specs: dict[str, Any] = dict(config["heads"])
            routes = {str(k): str(v) for k, v in config["routes"].items()}
        except (KeyError, TypeError, AttributeError, ValidationError) as exc:
            raise ModelError(
                f"config.json lacks or mangles a required section ({exc})",
                file=folder / CONFIG_FILE,
                expected="encoder, heads and routes sections",
            ) from exc
        encoder_dir = folder / ENCODER_DIR
        if not encoder_dir.is_dir():
            raise ModelError(
                "the model directory has no encoder/ folder (encoder config and tokenizer)",
                file=folder,
                hint="save the model again with MultiTaskModel.save",
            )
        check_encoder_files(encoder_dir)
        weights = folder / WEIGHTS_FILE
        file_tensors = read_safetensors_header(weights)
        encoder = TransformerEncoder.from_saved(encoder_dir, enc_cfg)
        check_tokenizer_size(
            encoder_dir,
            len(encoder.tokenizer),
            getattr(getattr(encoder.transformer, "config", None), "vocab_size", None),
        )
        heads: dict[str, Head] = {}
        for name, spec in head_specs.items():
            try:
                heads[name] = build_head(
                    spec["type"],
                    encoder.hidden_size,
                    spec["labels"],
                    spec.get("corpus_labels") or {},
                    **(spec.get("options") or {}),
                )
            except ConfigError as exc:
                raise ModelError(
                    f"cannot rebuild head {name!r}: {exc.message}",
                    file=folder / CONFIG_FILE,
                    hint=exc.hint or "this model needs a newer mosaicner or an optional head",
                ) from exc
        label_maps = _read_json(folder / LABEL_MAPS_FILE, missing_ok=True) or {}
        metadata = _read_json(folder / TRAINING_FILE, missing_ok=True) or {}
        try:
            model = cls(encoder, heads, routes, label_maps=label_maps, metadata=metadata)
        except ConfigError as exc:
            raise ModelError(
                f"config.json is inconsistent: {exc.message}",
                file=folder / CONFIG_FILE,
                hint="save the model again with MultiTaskModel.save",
            ) from exc
        check_label_maps(
            folder / LABEL_MAPS_FILE,
            label_maps,
            routes,
            {c: model.corpus_types(c) for c in model.corpora},
        )
        check_weights_match(weights, file_tensors, model.state_dict())
        try:
            load_weights(model, str(weights), strict=True)
        except (RuntimeError, OSError, ValueError, SafetensorError) as exc:
            raise ModelError(
                f"the weights do not match the model config ({str(exc).splitlines()[0]})",
                file=weights,
                hint="config.json and model.safetensors come from different runs?",
            ) from exc
        if device is not None:
            model.to(device)
        model.eval()
        return model


def load_model(
    directory: str | Path,
    *,
    device: str | torch.device | None = None,
    num_threads: int | None = None,
) -> MultiTaskModel:
    """Load a saved :class:`MultiTaskModel` (see :meth:`MultiTaskModel.load`)."""
    return MultiTaskModel.load(directory, device=device, num_threads=num_threads)


# ---------------------------------------------------------------------- helpers
def find_model_dir(directory: str | Path) -> Path:
    """The model directory itself, or the ``model/`` folder of a training run directory."""
    folder = Path(directory)
    if not folder.exists():
        raise ModelError(
            "model directory does not exist",
            file=folder,
            hint="train one with `mosaicner train CONFIG` or pass the path of a saved model",
        )
    if not (folder / CONFIG_FILE).is_file() and (folder / "model" / CONFIG_FILE).is_file():
        folder = folder / "model"
    if not (folder / CONFIG_FILE).is_file():
        raise ModelError(
            "not a model directory (no config.json)",
            file=folder,
            expected="config.json, model.safetensors and encoder/ written by MultiTaskModel.save",
            hint="pass the `model` folder of a training run",
        )
    return folder


def select(features: WordFeatures, idx: Sequence[int], batch: int) -> WordFeatures:
    """The sub-batch ``idx`` of ``features`` (word axis trimmed to its longest sentence)."""
    if len(idx) == batch and list(idx) == list(range(batch)):
        return features
    index = torch.tensor(list(idx), device=features.words.device)
    mask = features.mask.index_select(0, index)
    width = int(mask.sum(1).max()) if len(idx) else 0
    return WordFeatures(
        words=features.words.index_select(0, index)[:, :width],
        mask=mask[:, :width],
        cls=features.cls.index_select(0, index),
        sep=features.sep.index_select(0, index),
    )


def token_batches(
    encoded: Sequence[EncodedSentence], max_tokens: int, max_sentences: int, num_special: int = 2
) -> list[list[int]]:
    """Indices of ``encoded`` in length-sorted batches of at most ``max_tokens`` padded
    subword positions (rows x longest row) and ``max_sentences`` sentences.  Sentences that
    read one shared document window (same pieces, context included) stay in one batch and
    count once: the encoder runs their window once."""
    widths = [enc.padded_length(num_special) for enc in encoded]
    if any(enc.context_pieces for enc in encoded):
        keys = [(enc.piece_ids, enc.windows) for enc in encoded]
        return _window_batches(widths, keys, max_tokens, max_sentences)
    order = sorted(range(len(encoded)), key=lambda i: -widths[i])
    rows = [len(enc.windows) for enc in encoded]
    return pack(order, widths, max_tokens, max_sentences, rows)


def _window_batches(
    widths: Sequence[int],
    keys: Sequence[Hashable],
    max_tokens: int,
    max_sentences: int,
) -> list[list[int]]:
    """:func:`token_batches` for sentences sharing encoder inputs: units of equal key, longest
    first, packed whole (one row each)."""
    units = group_units(keys)
    unit_len = [max(widths[i] for i in u) for u in units]
    order = sorted(range(len(units)), key=lambda u: (-unit_len[u], u))
    return pack_units(order, units, unit_len, max_tokens, max_sentences)


def _merge(spans: Sequence[PredSpan], allowed: set[str] | None) -> list[PredSpan]:
    """De-duplicate (same words and type: keep the best score), filter types, sort."""
    best: dict[tuple[int, int, str], float] = {}
    for s, e, lab, score in spans:
        if allowed is not None and lab not in allowed:
            continue
        key = (int(s), int(e), lab)
        if key not in best or score > best[key]:
            best[key] = float(score)
    return [(s, e, lab, sc) for (s, e, lab), sc in sorted(best.items(), key=_span_key)]


def _span_key(item: tuple[tuple[int, int, str], float]) -> tuple[int, int, str]:
    (s, e, lab), _ = item
    return (s, -e, lab)


def _write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _read_json(path: Path, *, missing_ok: bool = False) -> Any:
    if not path.is_file():
        if missing_ok:
            return None
        raise ModelError("file is missing from the model directory", file=path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(
            f"invalid JSON ({exc})", file=path, hint="the model directory is damaged"
        ) from exc


__all__ = [
    "MultiTaskModel",
    "find_model_dir",
    "load_model",
    "select",
    "token_batches",
]
