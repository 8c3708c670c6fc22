"""Tag raw text and documents with a trained model.

:class:`Tagger` turns raw text (or :class:`~mosaicner.data.model.Document` objects) into
documents with a ``pred`` span layer whose character offsets index the original text::

    tagger = Tagger.load("runs/quickstart/model", num_threads=2)
    doc = tagger("Cisplatin-induced nephrotoxicity in rats.")
    for span in doc.layer("pred"):
        print(span.start, span.end, span.label, doc.text[span.start:span.end], span.score)

Pipeline: tokenise and split sentences like the training corpora (punctuation split off,
:mod:`mosaicner.data.tokenization`), cut sentences longer than ``max_sentence_words`` into
overlapping word windows (the encoder itself windows sentences over its sub-word limit),
predict all sentences of a call in length-sorted batches under ``torch.inference_mode``, and map
token offsets back to characters.  The predictions of every head then go through one merge
(:mod:`mosaicner.merge`, policy from the model folder's ``merge.json`` or ``merge_policy=``):
each ``(start, end, type)`` once, overlapping same-type answers and cross-type conflicts resolved
by the policy, and the heads behind every span in ``span.attrs["heads"]``
(``[{"head": ..., "score": ...}]``).  Nested spans are kept.  Windowing, word replacements and
every prediction the merge drops are counted in :class:`TaggingStats`.

``Tagger.load`` takes a model folder, a run folder, a dictionary file, or the name of a model
in the local store (:mod:`mosaicner.store`; an existing path wins over a name).
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, overload, runtime_checkable

from mosaicner.data.context import (
    document_context,
    merged_words,
    split_merged_spans,
    window_groups,
)
from mosaicner.data.model import PRED, Document, Sentence, span_sort_key
from mosaicner.data.tokenization import make_document, split_sentences, tokenize
from mosaicner.errors import ConfigError
from mosaicner.merge import Candidate, MergeConfig, MergeStats, load_merge_config, merge_candidates

Prediction = tuple[int, int, str, float]

DEFAULT_BATCH_SIZE_TOKENS = 1024  # padded sub-words per batch; larger is slower on CPU
DEFAULT_MAX_SENTENCE_WORDS = 256
DEFAULT_WINDOW_CONTEXT = 32


@runtime_checkable
class SpanPredictor(Protocol):
    """What the tagger needs from a model (``MultiTaskModel`` satisfies it).

    ``predict_words`` returns, for each sentence, spans as ``(token_start, token_end, label,
    score)`` with sentence-local half-open token offsets; nested spans allowed.
    """

    def predict_words(
        self, sentences: Sequence[Sequence[str]], batch_size_tokens: int = ...
    ) -> list[list[Prediction]]: ...

    def info(self) -> dict[str, Any]: ...


@dataclass
class TaggingStats:
    """Counts of what the tagger did, including every lossy or unusual step."""

    documents: int = 0
    sentences: int = 0
    tokens: int = 0
    entities: int = 0
    windowed_sentences: int = 0  # sentences longer than max_sentence_words
    windows: int = 0  # word windows those sentences were cut into (with overlap)
    replaced_words: int = 0  # words the encoder has no sub-word for (sent as [UNK])
    encoder_windowed_sentences: int = 0  # sentences over the encoder's sub-word limit
    truncated_pieces: int = 0  # sub-words of single words longer than a whole encoder window
    duplicate_predictions: int = 0  # same interval and label predicted twice (merged)
    overlaps_dropped: int = 0  # same-type predictions overlapping a kept one (merge policy)
    conflicts_dropped: int = 0  # other-type predictions on (nearly) the same span (merge)
    cross_sentence_spans: int = 0  # spans across merged sentences (context_mode merge), dropped
    seconds: float = 0.0

    def add(self, other: TaggingStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    def summary(self) -> str:
        text = (
            f"{self.documents} documents, {self.sentences} sentences, {self.tokens} tokens, "
            f"{self.entities} entities"
        )
        if self.seconds > 0:
            text += f" in {self.seconds:.1f} s ({self.sentences / self.seconds:.1f} sentences/s)"
        if self.windowed_sentences:
            text += (
                f"; {self.windowed_sentences} long sentences tagged in {self.windows} "
                "overlapping word windows"
            )
        if self.encoder_windowed_sentences:
            text += (
                f"; {self.encoder_windowed_sentences} sentences over the encoder limit "
                "encoded in overlapping sub-word windows"
            )
        if self.replaced_words:
            text += f"; {self.replaced_words} words without sub-words sent as [UNK]"
        if self.truncated_pieces:
            text += f"; {self.truncated_pieces} sub-words of over-long single words dropped"
        if self.cross_sentence_spans:
            text += f"; {self.cross_sentence_spans} spans across merged sentences dropped"
        if self.overlaps_dropped or self.conflicts_dropped:
            text += (
                f"; merge dropped {self.overlaps_dropped} overlapping same-type and "
                f"{self.conflicts_dropped} conflicting other-type predictions"
            )
        return text


@dataclass(frozen=True)
class _Window:
    doc: int  # index of the document in the call
    sent_token_start: int  # document-level token index of the sentence start
    offset: int  # word offset of the window inside the sentence
    own_start: int  # window-local range whose predicted span starts are kept
    own_end: int
    words: tuple[str, ...]
    whole: bool = True  # the window is the whole sentence (not one of its pieces)


def plan_windows(n_words: int, max_words: int, context: int) -> list[tuple[int, int, int, int]]:
    """Cut ``n_words`` into windows ``(start, end, own_start, own_end)`` (sentence offsets).

    Windows hold at most ``max_words`` words and overlap by ``2 * context``; the ``own`` ranges
    partition ``[0, n_words)``, so every span start belongs to exactly one window, which sees at
    least ``context`` words of right context after it (or the sentence end).
    """
    if max_words <= 0:
        raise ConfigError("max_sentence_words must be positive", expected="an integer >= 1")
    if n_words <= max_words:
        return [(0, n_words, 0, n_words)]
    context = max(0, min(context, (max_words - 1) // 2))
    step = max_words - 2 * context
    windows: list[tuple[int, int, int, int]] = []
    own_start = 0
    while own_start < n_words:
        start = max(0, own_start - context)
        end = min(n_words, start + max_words)
        own_end = n_words if end == n_words else min(end - context, own_start + step)
        own_end = max(own_end, own_start + 1)
        windows.append((start, end, own_start, own_end))
        own_start = own_end
    return windows


def _needs_check(word: str) -> bool:
    return not word.isascii() or not word.isprintable()


class Tagger:
    """Tag text or documents with a :class:`SpanPredictor`."""

    def __init__(
        self,
        predictor: SpanPredictor,
        *,
        batch_size_tokens: int = DEFAULT_BATCH_SIZE_TOKENS,
        max_sentence_words: int = DEFAULT_MAX_SENTENCE_WORDS,
        window_context: int = DEFAULT_WINDOW_CONTEXT,
        layer: str = PRED,
        unknown_word: Callable[[str], bool] | None = None,
        unk_token: str = "[UNK]",
        source: str = "",
        merge: MergeConfig | None = None,
    ) -> None:
        self.predictor = predictor
        self.merge = merge if merge is not None else MergeConfig()
        self.batch_size_tokens = batch_size_tokens
        self.max_sentence_words = max_sentence_words
        self.window_context = window_context
        self.layer = layer
        self.unk_token = unk_token
        self.source = source
        self._unknown_word = lru_cache(maxsize=65536)(unknown_word) if unknown_word else None
        self.stats = TaggingStats()  # cumulative over every call
        self.last_stats = TaggingStats()

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(
        cls,
        path: str | Path,
        *,
        num_threads: int | None = None,
        batch_size_tokens: int = DEFAULT_BATCH_SIZE_TOKENS,
        quantize: bool = False,
        runtime: str = "torch",
        merge_policy: str | None = None,
        **options: Any,
    ) -> Tagger:
        """Load a saved model folder, a dictionary file (:mod:`.dictionary`) or a store name.

        ``path`` may name a model installed in the local store (``mosaicner models list``); an
        existing path wins.  ``merge_policy`` overrides the model's merge policy
        (:data:`mosaicner.merge.POLICIES`).  ``num_threads`` sets torch's intra-op thread
        count; ``quantize`` applies dynamic int8 quantisation to the encoder (CPU; see
        :mod:`.quantize`); ``runtime="onnx"`` runs the encoder with ONNX Runtime (see
        :mod:`.onnx`), int8 too when ``quantize``.
        """
        if runtime not in ("torch", "onnx"):
            raise ConfigError(f"unknown runtime {runtime!r}", expected="torch or onnx")
        from mosaicner.store import resolve_model

        p = resolve_model(path)
        if p.is_file():
            from mosaicner.inference.dictionary import DictionaryPredictor

            return cls(
                DictionaryPredictor.load(p),
                batch_size_tokens=batch_size_tokens,
                source=str(p),
                merge=MergeConfig(policy=merge_policy) if merge_policy else None,
                **options,
            )
        import torch

        if num_threads is not None:
            torch.set_num_threads(max(1, num_threads))
        from mosaicner.models import load_model
        from mosaicner.models.multitask import find_model_dir

        model = load_model(p)
        model.eval()
        merge = load_merge_config(find_model_dir(p), merge_policy)
        if runtime == "onnx":
            from mosaicner.inference.onnx import use_onnx

            model = use_onnx(model, find_model_dir(p), quantize=quantize, threads=num_threads)
        elif quantize:
            from mosaicner.inference.quantize import quantize_model

            model = quantize_model(model)
        # the encoder maps words without sub-words to its unknown token itself and counts
        # them (``model.last_stats``), which the tagger adds to its own stats
        return cls(
            model, batch_size_tokens=batch_size_tokens, source=str(p), merge=merge, **options
        )

    def info(self) -> dict[str, Any]:
        info = dict(self.predictor.info())
        info.setdefault("source", self.source)
        info.setdefault("version", info.get("mosaicner_version"))
        quantized = getattr(self.predictor, "quantized", None)
        if quantized:
            info["quantized"] = quantized
        info.setdefault("runtime", getattr(self.predictor, "runtime", "torch"))
        info["merge_policy"] = self.merge.policy
        return info

    # ----------------------------------------------------------------- tagging
    @overload
    def __call__(self, inputs: str | Document) -> Document: ...  # type: ignore[overload-overlap]

    @overload
    def __call__(self, inputs: Sequence[str | Document]) -> list[Document]: ...

    def __call__(
        self, inputs: str | Document | Sequence[str | Document]
    ) -> Document | list[Document]:
        if isinstance(inputs, (str, Document)):
            return self.tag_documents([inputs])[0]
        return self.tag_documents(list(inputs))

    def tag_documents(self, inputs: Sequence[str | Document]) -> list[Document]:
        """Tag a list of texts/documents in one pass (all sentences batched together)."""
        t0 = time.perf_counter()
        stats = TaggingStats()
        docs = [self.prepare(x, i) for i, x in enumerate(inputs)]
        found = self.candidates(docs, stats)
        merge_stats = MergeStats()
        out: list[Document] = []
        for doc, cands in zip(docs, found, strict=True):
            merged = merge_candidates(cands, self.merge, merge_stats)
            spans = [m.to_span() for m in merged]
            stats.documents += 1
            stats.entities += len(spans)
            out.append(doc.with_layer(self.layer, sorted(spans, key=span_sort_key)))
        stats.duplicate_predictions += merge_stats.duplicates
        stats.overlaps_dropped += merge_stats.overlaps_dropped
        stats.conflicts_dropped += merge_stats.conflicts_dropped
        stats.seconds = time.perf_counter() - t0
        self.last_stats = stats
        self.stats.add(stats)
        return out

    def candidates(
        self, docs: Sequence[Document], stats: TaggingStats | None = None
    ) -> list[list[Candidate]]:
        """Every head's predictions on prepared documents, in characters, before the merge.

        One list per document; :func:`mosaicner.merge.merge_candidates` turns each into the
        tagger's answer (this is what ``mosaicner merge-policies`` scores policies on).
        """
        stats = stats if stats is not None else TaggingStats()
        windows = list(self._windows(docs, stats))
        words = [self._encoder_words(w.words, stats) for w in windows]
        by_head = getattr(self.predictor, "predict_words_by_head", None)
        predictions: list[list[tuple[int, int, str, float, str]]] = []
        extra: dict[str, Any] = {}
        n_context = self._context_words()
        inputs: list[Sequence[str]] = list(words)
        merged: list[tuple[int, int, list[int]]] = []
        if n_context and words:
            # document context: neighbouring whole sentences of the same document
            groups = [(w.doc,) if w.whole else (w.doc, i) for i, w in enumerate(windows)]
            mode = self._context_mode()
            if mode == "merge":  # sentences of a window tagged as one sequence, split back
                inputs = []
                for i, j in window_groups([len(w) for w in words], groups, n_context):
                    joined, offsets = merged_words(words[i:j])
                    inputs.append(joined)
                    merged.append((i, j, offsets))
            else:
                extra["contexts"] = document_context(words, groups, n_context, mode)
        with _inference_mode():
            if words and callable(by_head):
                predictions = by_head(inputs, batch_size_tokens=self.batch_size_tokens, **extra)
            elif words:
                source = str(self.predictor.info().get("name") or "model")
                predictions = [
                    [(s, e, lab, sc, source) for s, e, lab, sc in preds]
                    for preds in self.predictor.predict_words(
                        inputs, batch_size_tokens=self.batch_size_tokens
                    )
                ]
        if merged:
            predictions = self._split_merged(predictions, merged, words, stats)
        enc_stats = getattr(self.predictor, "last_stats", None)
        if words and enc_stats is not None:
            stats.encoder_windowed_sentences += int(getattr(enc_stats, "windowed_sentences", 0))
            stats.replaced_words += int(getattr(enc_stats, "fallback_words", 0))
            stats.truncated_pieces += int(getattr(enc_stats, "truncated_pieces", 0))
        if len(predictions) != len(windows):
            raise ConfigError(
                f"the model returned {len(predictions)} predictions for {len(windows)} sentences",
                expected="one list of spans per sentence",
            )
        found: list[list[Candidate]] = [[] for _ in docs]
        for win, preds in zip(windows, predictions, strict=True):
            doc = docs[win.doc]
            n = len(win.words)
            for ts, te, label, score, head in preds:
                if not (0 <= ts < te <= n) or not (win.own_start <= ts < win.own_end):
                    continue
                a = win.sent_token_start + win.offset + ts
                b = win.sent_token_start + win.offset + te
                found[win.doc].append(
                    Candidate(
                        doc.tokens[a].start, doc.tokens[b - 1].end, label, head, float(score), a, b
                    )
                )
        return found

    def prepare(self, item: str | Document, index: int = 0) -> Document:
        """A document with tokens and sentences (tokenised/split here when missing)."""
        if isinstance(item, str):
            return make_document(f"doc{index}", item)
        if not isinstance(item, Document):
            raise ConfigError(
                f"cannot tag an object of type {type(item).__name__}",
                expected="str, Document or a list of them",
            )
        if not item.tokens:
            tokens = tokenize(item.text)
            return replace(
                item, tokens=tuple(tokens), sentences=tuple(split_sentences(item.text, tokens))
            )
        if not item.sentences:
            return replace(item, sentences=tuple(split_sentences(item.text, list(item.tokens))))
        return item

    # ------------------------------------------------------------------ helpers
    def _context_words(self) -> int:
        """Words of document context the model's encoder reads around a sentence (0: none)."""
        encoder = getattr(self.predictor, "encoder", None)
        return int(getattr(getattr(encoder, "config", None), "context_words", 0) or 0)

    @staticmethod
    def _split_merged(
        predictions: Sequence[Sequence[tuple[int, int, str, float, str]]],
        merged: Sequence[tuple[int, int, list[int]]],
        words: Sequence[Sequence[str]],
        stats: TaggingStats,
    ) -> list[list[tuple[int, int, str, float, str]]]:
        """Predictions on merged windows back on their sentences (crossing spans counted)."""
        if len(predictions) != len(merged):
            raise ConfigError(
                f"the model returned {len(predictions)} predictions for {len(merged)} windows",
                expected="one list of spans per input",
            )
        out: list[list[tuple[int, int, str, float, str]]] = [[] for _ in words]
        for preds, (i, j, offsets) in zip(predictions, merged, strict=True):
            parts, dropped = split_merged_spans(preds, offsets, [len(w) for w in words[i:j]])
            stats.cross_sentence_spans += dropped
            for k, part in enumerate(parts):
                out[i + k] = [
                    (int(a), int(b), str(t), float(sc), str(h)) for a, b, t, sc, h in part
                ]
        return out

    def _context_mode(self) -> str:
        """How the encoder reads that context (``neighbours`` or ``window``)."""
        encoder = getattr(self.predictor, "encoder", None)
        return str(getattr(getattr(encoder, "config", None), "context_mode", "neighbours"))

    def _windows(self, docs: Sequence[Document], stats: TaggingStats) -> Iterator[_Window]:
        for di, doc in enumerate(docs):
            sentences: Sequence[Sentence] = doc.sentences
            for sent in sentences:
                n = sent.token_end - sent.token_start
                if n <= 0:
                    continue
                stats.sentences += 1
                stats.tokens += n
                words = tuple(t.text for t in doc.tokens[sent.token_start : sent.token_end])
                plan = plan_windows(n, self.max_sentence_words, self.window_context)
                if len(plan) > 1:
                    stats.windowed_sentences += 1
                    stats.windows += len(plan)
                for start, end, own_start, own_end in plan:
                    yield _Window(
                        di,
                        sent.token_start,
                        start,
                        own_start - start,
                        own_end - start,
                        words[start:end],
                        len(plan) == 1,
                    )

    def _encoder_words(self, words: tuple[str, ...], stats: TaggingStats) -> list[str]:
        check = self._unknown_word
        if check is None:
            return list(words)
        out = list(words)
        for i, w in enumerate(words):
            if _needs_check(w) and check(w):
                out[i] = self.unk_token
                stats.replaced_words += 1
        return out


@contextlib.contextmanager
def _inference_mode() -> Iterator[None]:
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    with torch.inference_mode():
        yield


def entity_records(doc: Document, layer: str = PRED) -> list[dict[str, Any]]:
    """Spans of ``layer`` as plain dicts: start, end, label, text, score, token offsets, heads."""
    return [
        {
            "start": s.start,
            "end": s.end,
            "label": s.label,
            "text": doc.span_text(s),
            "score": None if s.score is None else round(float(s.score), 6),
            "token_start": s.token_start,
            "token_end": s.token_end,
            "heads": list(s.attrs.get("heads", [])),
        }
        for s in doc.layer(layer)
    ]


__all__ = [
    "DEFAULT_BATCH_SIZE_TOKENS",
    "Prediction",
    "SpanPredictor",
    "Tagger",
    "TaggingStats",
    "entity_records",
    "plan_windows",
]
