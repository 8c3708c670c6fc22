"""The shared transformer encoder: pre-tokenised words in, one vector per word out.

Two steps, so that tokenisation happens once per sentence and never inside a training step:

* :meth:`TransformerEncoder.encode` turns a word list into an :class:`EncodedSentence` (plain
  Python: subword ids, each word's subword range, the windows the sentence is cut into and the
  window each word takes its vector from).  Results are cached per word tuple.
* :meth:`TransformerEncoder.forward` runs the transformer over a batch of encoded sentences with
  dynamic padding and pools subwords to words with one gather/scatter per batch.

Long sentences.  A window holds at most ``max_length`` subwords including the special tokens.
A sentence with more subwords is cut, on word boundaries, into windows that overlap by about
``stride`` subwords; every window is encoded as its own sequence and each word takes its vector
from the window in which it is farthest from an edge.  Such sentences are counted in
:class:`EncoderStats` (``windowed_sentences``).  A word that the tokenizer turns into no subword at
all (control characters, some zero-width characters) is given the unknown token and counted
(``fallback_words``); a single word longer than a whole window keeps its first subwords only
(``truncated_pieces``).  The windows of a batch are run through the transformer in chunks of at
most ``max_tokens_per_pass`` padded positions, so a single huge sentence cannot exhaust memory.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from mosaicner.data.context import SENTENCE_BREAK
from mosaicner.encoders.config import EncoderConfig, resolve_encoder_name
from mosaicner.encoders.features import WordFeatures
from mosaicner.encoders.pieces import (
    EncodedSentence,
    EncoderStats,
    _Key,
    assemble,
)
from mosaicner.errors import ConfigError, ModelError

log = logging.getLogger(__name__)

# Model types whose position ids start after the padding index (usable positions = max - 2).
_OFFSET_POSITION_MODELS = frozenset(
    {"roberta", "xlm-roberta", "camembert", "longformer", "bart", "mbart", "xlm-roberta-xl"}
)
_HARD_LIMIT = 512


class TransformerEncoder(nn.Module):
    """A Hugging Face encoder with word pooling and windowing (see the module docstring)."""

    def __init__(
        self,
        transformer: nn.Module,
        tokenizer: Any,
        config: EncoderConfig,
        *,
        cache_size: int = 200_000,
        max_tokens_per_pass: int = 32_768,
    ) -> None:
        super().__init__()
        self.transformer = transformer
        self.tokenizer = tokenizer
        if not getattr(tokenizer, "is_fast", False):
            raise ModelError(
                f"encoder {config.name!r} has no fast tokenizer",
                expected="a tokenizer with word_ids() (a Rust 'fast' tokenizer)",
                hint="choose an encoder that ships tokenizer.json",
            )
        hf_config: Any = getattr(transformer, "config", None)
        limit = model_length_limit(hf_config, tokenizer)
        max_length = config.max_length or limit
        if max_length > limit:
            raise ConfigError(
                f"encoder.max_length {max_length} exceeds what {config.name!r} accepts ({limit})",
                hint=f"set encoder.max_length to {limit} or less",
            )
        self.config = config.model_copy(update={"max_length": max_length})
        self.prefix_ids, self.suffix_ids = _special_ids(tokenizer)
        self.num_special = len(self.prefix_ids) + len(self.suffix_ids)
        self.capacity = max_length - self.num_special
        if self.capacity < 2:
            raise ConfigError(f"encoder.max_length {max_length} leaves no room for words")
        self.pad_id = int(tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0)
        unk = tokenizer.unk_token_id
        self.unk_id = int(unk if unk is not None else self.pad_id)
        self.hidden_size = int(hf_config.hidden_size)
        self.num_layers = int(getattr(hf_config, "num_hidden_layers", 1))
        self.layers = self._layer_indices()
        self.dropout = nn.Dropout(self.config.dropout)
        self._freeze()
        self.stats = EncoderStats()
        self.cache_size = cache_size
        self.max_tokens_per_pass = max_tokens_per_pass
        self._cache: dict[_Key, EncodedSentence] = {}
        _silence_length_warning(tokenizer)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_config(cls, cfg: EncoderConfig, **kwargs: Any) -> TransformerEncoder:
        """Load pretrained weights and tokenizer named by ``cfg.name``."""
        from transformers import AutoModel

        source = resolve_encoder_name(cfg.name)
        tokenizer = load_tokenizer(source)
        try:
            with quiet_transformers():
                # float32 whatever the checkpoint's dtype: training and CPU inference need it
                transformer = AutoModel.from_pretrained(source).float()
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"cannot load encoder {cfg.name!r} ({exc.__class__.__name__}: {exc})",
                hint="give a local model folder, or allow network access to the Hugging Face hub",
            ) from exc
        return cls(transformer, tokenizer, cfg, **kwargs)

    @classmethod
    def from_saved(
        cls, folder: str | Path, cfg: EncoderConfig, **kwargs: Any
    ) -> TransformerEncoder:
        """Build the architecture from a saved model-config + tokenizer folder (random weights;
        the caller loads the weights)."""
        from transformers import AutoConfig, AutoModel

        folder = Path(folder)
        try:
            hf_config = AutoConfig.from_pretrained(folder)
            tokenizer = load_tokenizer(str(folder))
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"cannot read the encoder config/tokenizer ({exc.__class__.__name__}: {exc})",
                file=folder,
                hint="the model folder is incomplete; save it again with MultiTaskModel.save",
            ) from exc
        with quiet_transformers():
            transformer = AutoModel.from_config(hf_config).float()
        return cls(transformer, tokenizer, cfg, **kwargs)

    def save_pretrained(self, folder: str | Path) -> None:
        """Write the encoder's own config and the tokenizer files (not the weights)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        hf_config: Any = getattr(self.transformer, "config", None)
        hf_config.save_pretrained(folder)
        self.tokenizer.save_pretrained(str(folder))

    def _layer_indices(self) -> list[int]:
        n_states = self.num_layers + 1  # embeddings + each layer
        if self.config.layers is not None:
            layers = list(self.config.layers)
        else:
            k = min(self.config.last_k_layers, self.num_layers)
            layers = list(range(-k, 0))
        for i in layers:
            if not -n_states <= i < n_states:
                raise ConfigError(
                    f"encoder layer {i} does not exist ({self.num_layers} layers)",
                    expected=f"indices in [-{n_states}, {n_states - 1}] (0 = embeddings)",
                )
        return layers

    def _freeze(self) -> None:
        k = self.config.freeze_layers
        if not (k or self.config.freeze_embeddings):
            return
        get_embeddings = getattr(self.transformer, "embeddings", None)
        if not isinstance(get_embeddings, nn.Module):
            get_embeddings = self.transformer.get_input_embeddings()  # type: ignore[operator]
        frozen: list[nn.Module] = [get_embeddings]
        if k:
            if k > self.num_layers:
                raise ConfigError(
                    f"encoder.freeze_layers {k} exceeds the encoder's {self.num_layers} layers"
                )
            stacks = [
                m
                for m in self.transformer.modules()
                if isinstance(m, nn.ModuleList) and len(m) == self.num_layers
            ]
            if not stacks:
                raise ConfigError(
                    f"cannot find the layer stack of {self.config.name!r} to freeze",
                    hint="use freeze_embeddings only, or leave freeze_layers at 0",
                )
            frozen.extend(stacks[0][:k])
        for module in frozen:
            module.requires_grad_(False)

    @property
    def device(self) -> torch.device:
        """The device of the transformer's weights."""
        return next(self.transformer.parameters()).device

    # ------------------------------------------------------------------ tokenisation
    def encode(self, words: Sequence[str]) -> EncodedSentence:
        """Tokenise one pre-tokenised sentence (cached)."""
        return self.encode_batch([words])[0]

    def encode_batch(
        self,
        sentences: Sequence[Sequence[str]],
        *,
        use_cache: bool = True,
        contexts: Sequence[tuple[Sequence[str], Sequence[str]]] | None = None,
    ) -> list[EncodedSentence]:
        """Tokenise many sentences; the uncached ones in one tokenizer call.

        ``contexts``: ``(left, right)`` words around each sentence (its document context),
        read by the encoder but never given word vectors; used only when the encoder's
        ``context_words`` is set, at most that many words each side.  With ``use_cache``
        (training, evaluation) results are kept per sentence (and context) and
        ``self.stats`` counts each distinct sentence once; without it (tagging arbitrary text)
        nothing is kept or counted here.
        """
        n_ctx = self.config.context_words
        keys: list[_Key]
        if contexts is not None and n_ctx > 0:
            if len(contexts) != len(sentences):
                raise ConfigError(
                    f"{len(contexts)} contexts for {len(sentences)} sentences",
                    expected="one (left, right) context per sentence",
                )
            if self.config.context_mode == "window":
                # the window is the context: nothing to trim here (``assemble`` still fits it)
                keys = [
                    (tuple(s), tuple(lt), tuple(rt))
                    for s, (lt, rt) in zip(sentences, contexts, strict=True)
                ]
            else:
                keys = [
                    (
                        tuple(s),
                        tuple(lt[len(lt) - n_ctx :] if len(lt) > n_ctx else lt),
                        tuple(rt[:n_ctx]),
                    )
                    for s, (lt, rt) in zip(sentences, contexts, strict=True)
                ]
        else:
            keys = [(tuple(s), (), ()) for s in sentences]
        if not use_cache:
            return self._tokenize(keys)
        missing = list(dict.fromkeys(k for k in keys if k not in self._cache))
        if not missing:
            return [self._cache[k] for k in keys]
        fresh = dict(zip(missing, self._tokenize(missing), strict=True))
        if len(self._cache) + len(fresh) > self.cache_size:
            self._cache.clear()
        for key, enc in fresh.items():
            self.stats.add(enc)
            if len(self._cache) < self.cache_size:
                self._cache[key] = enc
        return [fresh[k] if k in fresh else self._cache[k] for k in keys]

    def clear_cache(self) -> None:
        """Forget the cached tokenisations."""
        self._cache.clear()

    def _tokenize(self, sentences: Sequence[_Key]) -> list[EncodedSentence]:
        # a sentence break (merged sentences) is tokenised as "." and then given the
        # encoder's separator token
        nonempty = [
            ["." if w == SENTENCE_BREAK else w for w in (*lt, *words, *rt)]
            for words, lt, rt in sentences
            if words
        ]
        batch = (
            self.tokenizer(nonempty, is_split_into_words=True, add_special_tokens=False)
            if nonempty
            else None
        )
        out: list[EncodedSentence] = []
        j = 0
        for words, lt, rt in sentences:
            if not words:
                out.append(EncodedSentence((), (), (), ((0, 0),), ()))
                continue
            assert batch is not None
            ids = batch["input_ids"][j]
            word_ids = batch.word_ids(j)
            j += 1
            full = (*lt, *words, *rt)
            breaks = [k for k, w in enumerate(full) if w == SENTENCE_BREAK]
            out.append(self._build(len(words), ids, word_ids, len(lt), len(rt), breaks))
        return out

    def _build(
        self,
        n_words: int,
        ids: Sequence[int],
        word_ids: Sequence[int | None],
        n_left: int = 0,
        n_right: int = 0,
        breaks: Sequence[int] = (),
    ) -> EncodedSentence:
        per_word: list[list[int]] = [[] for _ in range(n_left + n_words + n_right)]
        for tok, w in zip(ids, word_ids, strict=True):
            if w is not None:
                per_word[w].append(int(tok))
        sep = self.suffix_ids[-1] if self.suffix_ids else self.unk_id
        for w in breaks:  # merged sentences: the break word is the separator token
            per_word[w] = [sep]
        return assemble(per_word, n_left, n_words, self.capacity, self.config.stride, self.unk_id)

    # ------------------------------------------------------------------ forward
    def forward(self, encoded: Sequence[EncodedSentence]) -> WordFeatures:
        """Word vectors for a batch of encoded sentences (dynamic padding)."""
        device = self.device
        n_sent = len(encoded)
        n_pre = len(self.prefix_ids)
        # One row per distinct encoder input: sentences packed into one document window (and
        # repeated sentences) share their row, so it is run once.
        rows: list[tuple[int, ...]] = []
        row_index: dict[tuple[int, ...], int] = {}
        sent_rows: list[list[int]] = []
        for enc in encoded:
            mine: list[int] = []
            for a, b in enc.windows:
                row = (*self.prefix_ids, *enc.piece_ids[a:b], *self.suffix_ids)
                r = row_index.get(row)
                if r is None:
                    r = row_index[row] = len(rows)
                    rows.append(row)
                mine.append(r)
            sent_rows.append(mine)
        first_row = [m[0] for m in sent_rows]
        last_row = [m[-1] for m in sent_rows]
        row_len = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        seq_len = int(row_len.max())
        ids = np.full((len(rows), seq_len), self.pad_id, dtype=np.int64)
        for r, ids_row in enumerate(rows):
            ids[r, : len(ids_row)] = ids_row
        attention = (np.arange(seq_len)[None, :] < row_len[:, None]).astype(np.int64)

        # Where each word's subwords sit in the flattened [rows * seq_len] hidden states.
        max_words = max((e.num_words for e in encoded), default=0)
        src_parts: list[np.ndarray] = []
        len_parts: list[np.ndarray] = []
        tgt_parts: list[np.ndarray] = []
        for i, enc in enumerate(encoded):
            if not enc.num_words:
                continue
            starts = np.asarray(enc.word_starts, dtype=np.int64)
            owner = np.asarray(enc.word_window, dtype=np.int64)
            win_start = np.asarray([a for a, _ in enc.windows], dtype=np.int64)[owner]
            row_idx = np.asarray(sent_rows[i], dtype=np.int64)[owner]
            src_parts.append(row_idx * seq_len + n_pre + starts - win_start)
            len_parts.append(np.asarray(enc.word_ends, dtype=np.int64) - starts)
            tgt_parts.append(i * max_words + np.arange(enc.num_words, dtype=np.int64))

        ids_t = torch.from_numpy(ids).to(device)
        attention_t = torch.from_numpy(attention).to(device)
        # Rows are independent sequences: run them in chunks so that one huge windowed
        # sentence cannot ask for more than ``max_tokens_per_pass`` positions at once.
        step = max(1, self.max_tokens_per_pass // seq_len)
        if len(rows) <= step:
            hidden = self._run(ids_t, attention_t)
        else:
            hidden = torch.cat(
                [
                    self._run(ids_t[k : k + step], attention_t[k : k + step])
                    for k in range(0, len(rows), step)
                ]
            )
        n_rows, _, dim = hidden.shape
        flat = hidden.reshape(n_rows * seq_len, dim)
        words = flat.new_zeros(n_sent * max_words, dim)
        if src_parts:
            first = np.concatenate(src_parts)
            target = torch.from_numpy(np.concatenate(tgt_parts)).to(device)
            lengths = np.concatenate(len_parts)
            if self.config.pooling == "first" or bool((lengths == 1).all()):
                pooled = flat.index_select(0, torch.from_numpy(first).to(device))
                words = words.index_copy(0, target, pooled)
            else:
                total = int(lengths.sum())
                offsets = np.arange(total, dtype=np.int64) - np.repeat(
                    np.cumsum(lengths) - lengths, lengths
                )
                src = torch.from_numpy(np.repeat(first, lengths) + offsets).to(device)
                tgt = target.repeat_interleave(torch.from_numpy(lengths).to(device))
                pieces = flat.index_select(0, src)
                if self.config.pooling == "mean":
                    summed = words.index_add(0, tgt, pieces)
                    counts = torch.zeros(n_sent * max_words, device=device, dtype=flat.dtype)
                    counts[target] = torch.from_numpy(lengths).to(device, flat.dtype)
                    words = summed / counts.clamp(min=1).unsqueeze(1)
                else:
                    index = tgt.unsqueeze(1).expand(-1, dim)
                    words = words.scatter_reduce(0, index, pieces, "amax", include_self=False)
        words = self.dropout(words.reshape(n_sent, max_words, dim))
        lengths_t = torch.tensor([e.num_words for e in encoded], device=device)
        mask = torch.arange(max_words, device=device)[None, :] < lengths_t[:, None]
        cls_index = torch.tensor(first_row, device=device) * seq_len
        sep_index = torch.tensor(last_row, device=device) * seq_len + torch.from_numpy(
            row_len[last_row] - 1
        ).to(device)
        return WordFeatures(
            words=words,
            mask=mask,
            cls=flat.index_select(0, cls_index),
            sep=flat.index_select(0, sep_index),
        )

    def _run(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        """Hidden states [rows, length, H] (the configured layer average)."""
        out = self.transformer(
            input_ids=ids, attention_mask=attention, output_hidden_states=self.layers != [-1]
        )
        if self.layers == [-1]:
            hidden: torch.Tensor = out.last_hidden_state
            return hidden
        states = out.hidden_states
        hidden = states[self.layers[0]]
        for k in self.layers[1:]:
            hidden = hidden + states[k]
        return hidden / len(self.layers) if len(self.layers) > 1 else hidden

    def embed(self, sentences: Sequence[Sequence[str]]) -> WordFeatures:
        """Convenience: encode and run the encoder on word lists."""
        return self(self.encode_batch(sentences))


# ---------------------------------------------------------------------- helpers
def load_tokenizer(source: str) -> Any:
    """A fast tokenizer for pre-tokenised input (byte-level BPE gets ``add_prefix_space``)."""
    from transformers import AutoTokenizer

    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        if _is_byte_level(tokenizer) and not getattr(tokenizer, "add_prefix_space", True):
            tokenizer = AutoTokenizer.from_pretrained(source, add_prefix_space=True)
    except (OSError, ValueError) as exc:
        raise ModelError(
            f"cannot load the tokenizer of {source!r} ({exc.__class__.__name__}: {exc})",
            hint="give a local model folder, or allow network access to the Hugging Face hub",
        ) from exc
    return tokenizer


def _is_byte_level(tokenizer: Any) -> bool:
    backend = getattr(tokenizer, "backend_tokenizer", None)
    return backend is not None and "ByteLevel" in str(backend.pre_tokenizer)


def _special_ids(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special tokens a single sequence gets before and after its content."""
    probe = ["a", "b"]
    plain = tokenizer(probe, is_split_into_words=True, add_special_tokens=False)["input_ids"]
    full = tokenizer(probe, is_split_into_words=True, add_special_tokens=True)["input_ids"]
    for i in range(len(full) - len(plain) + 1):
        if full[i : i + len(plain)] == plain:
            return list(full[:i]), list(full[i + len(plain) :])
    raise ModelError("cannot tell which special tokens the tokenizer adds")  # pragma: no cover


def model_length_limit(hf_config: Any, tokenizer: Any) -> int:
    """Subwords per sequence the model accepts (special tokens included), at most 512."""
    limit = _HARD_LIMIT
    positions = getattr(hf_config, "max_position_embeddings", None)
    if isinstance(positions, int) and positions > 0:
        if getattr(hf_config, "model_type", "") in _OFFSET_POSITION_MODELS:
            positions -= 2
        limit = min(limit, positions)
    tok_limit = getattr(tokenizer, "model_max_length", None)
    if isinstance(tok_limit, int) and 0 < tok_limit < 100_000:
        limit = min(limit, tok_limit)
    return limit


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence transformers' progress bars and info logs while loading a model."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        if bars:
            hf_logging.enable_progress_bar()
        hf_logging.set_verbosity(level)


def _silence_length_warning(tokenizer: Any) -> None:
    # encode() never feeds over-long sequences to the model (they are windowed), so the
    # tokenizer's "sequence is longer than the maximum" warning would only mislead.
    warned = getattr(tokenizer, "deprecation_warnings", None)
    if isinstance(warned, dict):
        warned["sequence-length-is-longer-than-the-specified-maximum"] = True


__all__ = [
    "EncodedSentence",
    "EncoderStats",
    "TransformerEncoder",
    "load_tokenizer",
    "model_length_limit",
    "quiet_transformers",
]
